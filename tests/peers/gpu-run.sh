#!/usr/bin/env bash
# One command on the GPU machine: build vectorlab, verify every op on the
# NVIDIA OpenCL device, run the suites and the PyTorch peer on the same
# shapes, and print compare's table.  See ../shared/device/README.md:
#
#   . .devdeps/sysroot.sh; tests/peers/gpu-run.sh [OUTDIR]
#
# OUTDIR defaults to $OUT (the device tool's result folder) or ./gpu-out.
set -uo pipefail

cd "$(dirname "$0")/../.."
out=${1:-${OUT:-gpu-out}}
mkdir -p "$out"
build=/tmp/vectorlab-gpu-build

nvidia-smi -L
if ! { meson setup "$build" -Dgui=disabled -Dtests=disabled --buildtype=release >"$out/setup.log" 2>&1 \
       && ninja -C "$build" >"$out/build.log" 2>&1; }; then
  tail -40 "$out/setup.log" "$out/build.log"
  exit 1
fi
bench="$build/src/cli/vectorlab-bench"
"$bench" devices
dev=$("$bench" devices --json | python3 -c '
import json, sys
ids = [d["id"] for d in json.load(sys.stdin)["devices"] if "NVIDIA" in d["platform"]]
print(ids[0] if ids else "")')
[ -n "$dev" ] || { echo "no NVIDIA OpenCL device"; exit 1; }
echo "NVIDIA device: $dev"

status=0
"$bench" verify -d "$dev" | tee "$out/verify.txt" || status=1

knn=(-p n=1000000 -p d=768 -p nq=1,16,1024 -p k=10 -p metric=ip -r 10)
timeout 300 "$bench" run knn -d "$dev" "${knn[@]}" -o "$out/vl-knn.json" || status=1
timeout 300 python3 tests/peers/knn_torch.py "${knn[@]}" -o "$out/torch-knn.json" || status=1
"$bench" compare "$out/torch-knn.json" "$out/vl-knn.json"

# The ML suites at BENCHMARKS.md's sizes (PyTorch figures for these are in
# BENCHMARKS.md; a same-run peer for them is still to be written).
timeout 240 "$bench" run neural-quant -d "$dev" -p config=768-128 -p op=encode,decode \
  -p n=1000000 -o "$out/vl-neural.json" || status=1
timeout 120 "$bench" run decode-breakdown -d "$dev" -p n=100000 -o "$out/vl-decode.json" || status=1
timeout 240 "$bench" run attention -d "$dev" -p heads=1,12 -p n=1000000 -o "$out/vl-attention.json" || status=1
timeout 120 "$bench" run normalize -d "$dev" -p n=1000000 -o "$out/vl-normalize.json" || status=1
exit $status
