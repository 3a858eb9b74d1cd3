#!/usr/bin/env bash
# Runs each argument as a shell command, all at the same time (typecheck and lint use both cores this
# way); exits 1 when any of them failed, once all have finished.
pids=()
for cmd in "$@"; do
  bash -c "$cmd" &
  pids+=("$!")
done
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
exit "$rc"
