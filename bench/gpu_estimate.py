"""Benchmark-only: throughput of the real-model training stages' networks on a CUDA GPU, in PyTorch.

onnxruntime-node's CUDA provider is a separate download these machines cannot make, so GPU times
in the README are estimated from these PyTorch figures (same shapes, float32, TF32 off) on the
project's lent GPU. Usage: python3 bench/gpu_estimate.py  -> one JSON line per measurement.
"""
import json
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from torch_train import Block  # noqa: E402  (the decoder block of the CPU baseline)

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = 'cuda'


def timed(fn, reps=20, warm=5):
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / reps


class Tower(nn.Module):
    """A CLIP-like transformer tower: tokens in, pooled projection out."""

    def __init__(self, layers, width, heads, length, embed):
        super().__init__()
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(width)
        self.proj = nn.Linear(width, embed, bias=False)
        self.register_buffer('mask', torch.zeros(length, length))

    def forward(self, x):
        for b in self.blocks:
            x = b(x, self.mask)
        return self.proj(self.ln(x[:, -1]))


def main():
    out = []
    with torch.no_grad():
        text = Tower(12, 512, 8, 77, 512).to(dev).eval()
        x = torch.randn(256, 77, 512, device=dev)
        out.append(dict(stage='clip text tower forward', batch=256, per_s=256 / timed(lambda: text(x))))
        vision = Tower(12, 768, 12, 50, 512).to(dev).eval()
        v = torch.randn(256, 50, 768, device=dev)
        out.append(dict(stage='clip vision tower forward (ViT-B/32 tokens)', batch=256, per_s=256 / timed(lambda: vision(v))))
    # Denoiser: residual MLP, 3 blocks of width 512 / hidden 1024, train step at batch 64.
    dn = nn.Sequential(nn.Linear(512, 512), *[nn.Sequential(nn.LayerNorm(512), nn.Linear(512, 1024), nn.SiLU(), nn.Linear(1024, 512)) for _ in range(3)], nn.Linear(512, 512)).to(dev)
    opt = torch.optim.AdamW(dn.parameters(), lr=1e-4)
    z = torch.randn(64, 512, device=dev)

    def dn_step():
        opt.zero_grad()
        ((dn(z) - z) ** 2).mean().backward()
        opt.step()
    out.append(dict(stage='denoiser train step', batch=64, per_s=1 / timed(dn_step)))
    # Decoder: 4 layers, width 768, 12 heads as in torch_train (heads do not change the FLOPs), 40 tokens, vocab 5000.
    blocks = nn.ModuleList(Block(768, 4) for _ in range(4)).to(dev)
    head = nn.Linear(768, 5000).to(dev)
    params = list(blocks.parameters()) + list(head.parameters())
    opt2 = torch.optim.AdamW(params, lr=1e-4)
    h = torch.randn(64, 40, 768, device=dev)
    y = torch.randint(0, 5000, (64, 40), device=dev)
    causal = torch.triu(torch.full((40, 40), -1e9, device=dev), 1)

    def dec_step():
        opt2.zero_grad()
        x = h
        for b in blocks:
            x = b(x, causal)
        nn.functional.cross_entropy(head(x).reshape(-1, 5000), y.reshape(-1)).backward()
        opt2.step()
    out.append(dict(stage='decoder train step', batch=64, per_s=1 / timed(dec_step)))
    name = torch.cuda.get_device_name()
    for o in out:
        print(json.dumps({**o, 'device': name, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
