#!/usr/bin/env bash
# Install PyTorch for the benchmark-only CPU baseline (bench/torch_train.py), with OpenBLAS:
# Debian's torch calls the system libblas.so.3, which without OpenBLAS is the single-threaded
# reference BLAS (about 8x slower here), and that would make the baseline unfairly slow.
# Uses Debian's python3-torch because only Debian packages and npm are reachable
# (no PyPI). Always targets /usr/bin/python3: the pyenv python3 on PATH has no torch.
# Idempotent and silent when torch is already importable.
set -euo pipefail

PY=/usr/bin/python3
have_torch() { "$PY" -c 'import torch' >/dev/null 2>&1 && dpkg -s libopenblas0-pthread >/dev/null 2>&1; }

have_torch && exit 0

fail() { echo "ensure-torch: $*" >&2; exit 1; }
[ -x "$PY" ] || fail "$PY not found (Debian python3 is required)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "need root (or sudo) to apt-get install python3-torch"
  SUDO="sudo"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt_install() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch libopenblas0-pthread >"$log" 2>&1; }

# Refresh package lists only when the candidate is unknown (fresh machine) or
# the install fails with stale lists.
if ! apt-cache show python3-torch >/dev/null 2>&1 || ! apt_install; then
  $SUDO apt-get update -q >"$log" 2>&1 || { cat "$log" >&2; fail "apt-get update failed"; }
  apt_install || { tail -n 30 "$log" >&2; fail "apt-get install python3-torch libopenblas0-pthread failed"; }
fi

have_torch || fail "python3-torch installed but '$PY -c \"import torch\"' still fails"
