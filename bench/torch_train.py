"""PyTorch CPU baseline for `altbridge bench train`: times one decoder train step.

Benchmark-only (the product never runs Python). Usage:
  /usr/bin/python3 bench/torch_train.py '{"layers":4,"width":512,...}'
Prints exactly one JSON line on stdout; everything else goes to stderr.
The arithmetic mirrors the onnxruntime implementation, so attention is written
by hand (no SDPA / MultiheadAttention, whose fused kernels differ) and there is
no dropout.
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULTS = dict(layers=4, width=512, heads=8, seq=24, batch=64, vocab=4096,
                threads=2, warmup=3, steps=10, seed=0)
NEG = -1e9  # additive causal mask value; same constant as the ORT graph


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.fc1 = nn.Linear(d, 4 * d)
        self.act = nn.GELU(approximate="tanh")
        self.fc2 = nn.Linear(4 * d, d)

    def attn(self, x, mask):
        b, t, d = x.shape
        hd = d // self.heads
        # [B,T,3D] -> 3 x [B,H,T,hd]
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(hd) + mask
        y = torch.softmax(scores, dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, d))

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.fc2(self.act(self.fc1(self.ln2(x))))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["width"]
        self.tok = nn.Embedding(c["vocab"], d)
        self.pos = nn.Parameter(torch.randn(c["seq"], d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, c["heads"]) for _ in range(c["layers"]))
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        self.head = nn.Linear(d, c["vocab"], bias=False)
        t = c["seq"]
        # Upper triangle (future positions) gets NEG; a buffer, so not a parameter.
        self.register_buffer("mask", torch.triu(torch.full((t, t), NEG), diagonal=1))

    def forward(self, tokens):
        x = self.tok(tokens) + self.pos
        for blk in self.blocks:
            x = blk(x, self.mask)
        return self.head(self.ln_f(x))


def blas_lib():
    # Debian's torch calls whatever libblas.so.3 is loaded (netlib reference BLAS
    # unless OpenBLAS is installed); it dominates step time, so log which one.
    try:
        with open("/proc/self/maps") as f:
            libs = {ln.split()[-1] for ln in f if "blas" in ln.lower() and "/" in ln}
        return ",".join(sorted(libs)) or "unknown"
    except OSError:
        return "unknown"


def main():
    c = {**DEFAULTS, **(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})}
    if c["steps"] < 1:
        sys.exit("torch_train.py: steps must be >= 1")
    torch.set_num_threads(c["threads"])
    torch.manual_seed(c["seed"])
    b, t, v = c["batch"], c["seq"], c["vocab"]

    model = Decoder(c).float().train()
    params = list(model.parameters())
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

    # Fixed batch: timing should not include data generation.
    tokens = torch.randint(1, v, (b, t), dtype=torch.int64)
    targets = torch.randint(0, v, (b, t), dtype=torch.int64)
    targets[torch.rand(b, t) < 0.05] = 0  # ~5% padding to exercise ignore_index

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(tokens)
        loss = F.cross_entropy(logits.view(-1, v), targets.view(-1),
                               ignore_index=0, label_smoothing=0.1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()  # .item() also syncs, so the timing covers the whole step

    losses, times = [], []
    for _ in range(c["warmup"]):
        losses.append(step())
    for _ in range(c["steps"]):
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)

    median = statistics.median(times)
    print(f"config={c} blas={blas_lib()}", file=sys.stderr)
    print(json.dumps({
        "impl": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_lib(),
        "step_ms_mean": round(statistics.mean(times) * 1e3, 3),
        "step_ms_median": round(median * 1e3, 3),
        "tokens_per_s": round(b * t / median, 1),
        "params": sum(p.numel() for p in params),
        "loss_first": losses[0],
        "loss_last": losses[-1],
    }))


if __name__ == "__main__":
    main()
