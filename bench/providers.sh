#!/bin/bash
# The product's own commands on the CPU provider and on PROVIDER (webgpu, cuda) in one run: the same
# captions (every caption and its confidence, quality, nearest caption and domain distance compared),
# the same short train run (first and last losses, held-out scores, seconds), then `bench caption`
# and `bench train` at batch 64 and 512 with as many CPU threads as the host has.
# Usage: bash bench/providers.sh PROVIDER IMAGE_DIR CORPUS [STEPS]   (ALTBRIDGE_CLI: another CLI than npx altbridge)
set -euo pipefail
p=${1:?provider to compare with cpu, e.g. webgpu}
images=$(realpath "${2:?a folder of ShapesWorld images}")
corpus=$(realpath "${3:?caption text, one caption a line}")
steps=${4:-300}
[ "$p" != cpu ] || { echo "providers: compare another provider with cpu" >&2; exit 2; }
cd "$(dirname "$0")/.."
bundle=$PWD/models/shapes-mini
A=${ALTBRIDGE_CLI:-npx altbridge}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# train keeps its checkpoints beside the models folder: that folder is in $tmp, so nothing stays behind.
export ALTBRIDGE_MODELS=$tmp/models
quiet() { grep -v VerifyEachNode "$1" || true; }
for prov in cpu "$p"; do
  export ALTBRIDGE_PROVIDERS=$prov
  echo "== caption, $prov"
  $A caption --bundle "$bundle" --json "$images" > "$tmp/caption-$prov.jsonl" 2> "$tmp/caption-$prov.log"
  echo "== train $steps + $steps steps, $prov"
  start=$SECONDS
  $A train --name "providers-$prov" --out "$tmp/train-$prov" --corpus "$corpus" --clip "$bundle" --denoiser-steps "$steps" --decoder-steps "$steps" > "$tmp/train-$prov.log" 2>&1
  grep -E "^(denoiser|decoder) (1|$steps)/$steps |held-out text" "$tmp/train-$prov.log" || true
  echo "train run: $((SECONDS - start)) s"
done
node -e '
const fs = require("fs");
const read = (f) => fs.readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const [a, b] = [read(process.argv[1]), read(process.argv[2])];
const fig = (r) => [r.confidence, r.quality, r.nearestCaption, r.domain.distance];
let same = 0, diff = 0;
a.forEach((r, i) => { same += r.caption === b[i].caption; fig(r).forEach((v, j) => (diff = Math.max(diff, Math.abs(v - fig(b[i])[j])))); });
console.log(`captions: ${same} of ${a.length} the same; largest difference in confidence, quality, nearest caption and domain distance: ${diff.toExponential(1)}`);
' "$tmp/caption-cpu.jsonl" "$tmp/caption-$p.jsonl"
for prov in cpu "$p"; do
  export ALTBRIDGE_PROVIDERS=$prov
  $A bench caption --images 8 > "$tmp/bench-caption-$prov.log" 2>&1
  for batch in 64 512; do $A bench train --no-torch --threads "$(nproc)" --batch $batch > "$tmp/bench-train-$batch-$prov.log" 2>&1; done
  for f in "$tmp"/bench-*-"$prov".log; do echo "== $(basename "$f" .log)"; quiet "$f"; done
done
# A provider that cannot start falls back to CPU with a warning, and its figures above are the CPU's.
if grep -l -E "falling back to CPU|\(fallback\)" "$tmp"/*-"$p".log; then
  echo "providers: $p did not start in the runs above (fallback to CPU); they compare the CPU with itself" >&2
  exit 1
fi
