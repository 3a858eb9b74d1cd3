#!/bin/bash
# The product's own commands on the CPU provider and on PROVIDER (webgpu, cuda) in one run: the same
# captions (every caption and its domain and quality figures compared), the same short train run (its
# losses and held-out scores printed side by side), and the caption and train-step benchmarks.
# Usage: bash bench/providers.sh PROVIDER IMAGE_DIR CORPUS [STEPS]   (prints; writes under $TMPDIR)
set -euo pipefail
p=${1:?provider, e.g. webgpu}; images=${2:?a folder of ShapesWorld images}; corpus=${3:?caption text}; steps=${4:-300}
tmp=$(mktemp -d); A="npx altbridge"; run=providers-$$
for prov in cpu "$p"; do
  echo "== caption, $prov"
  ALTBRIDGE_PROVIDERS=$prov $A caption --bundle shapes-mini --json "$images" > "$tmp/caption-$prov.jsonl"
  echo "== train $steps + $steps steps, $prov"
  ALTBRIDGE_PROVIDERS=$prov $A train --name "$run-$prov" --out "$tmp/train-$prov" --corpus "$corpus" --clip shapes-mini \
    --denoiser-steps "$steps" --decoder-steps "$steps" 2>&1 | grep -E '^(denoiser|decoder) (1|[0-9]+)/[0-9]+ |held-out text' | grep -E ' 1/|'"$steps"'/'"$steps"'|held-out' || true
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
  echo "== bench caption, $prov"; ALTBRIDGE_PROVIDERS=$prov $A bench caption --images 8 2>&1 | grep -v VerifyEachNode
  echo "== bench train, $prov"; ALTBRIDGE_PROVIDERS=$prov $A bench train --no-torch --threads "$(nproc)" 2>&1 | grep -v VerifyEachNode
done
# train keeps its checkpoints beside the models folder (ALTBRIDGE_MODELS/../runs)
rm -rf "$tmp" "${ALTBRIDGE_MODELS:-${ALTBRIDGE_DATA:-.altbridge}/models}/../runs/$run-"*
