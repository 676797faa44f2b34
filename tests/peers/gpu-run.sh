#!/usr/bin/env bash
# One command on the GPU machine: build vectorlab, verify every op on the
# NVIDIA OpenCL device, run the suites and the PyTorch peer on the same
# shapes, and print compare's table.  See ../shared/device/README.md:
#
#   . .devdeps/sysroot.sh; tests/peers/gpu-run.sh [OUTDIR]
#
# OUTDIR defaults to $OUT (the device tool's result folder) or ./gpu-out.
# GPU_RUN_PARTS picks what runs after the build: "tests verify tune knn ml"
# (all, the default) or any of them, and GPU_RUN_ML which ML suites run
# (all by default).  tests runs the OpenCL test programs' cases on the
# NVIDIA device (its NVIDIA-only kernels have no other tests) and the host
# copies' tests on the GPU machine's host; tune stores its winners in the
# user's tuning cache, which the runs after it use.  On an H100 all but tune
# took about 345 s (build 8, tests 60, verify 2, knn 89, ml 184): one call.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
out=${1:-${OUT:-gpu-out}}
mkdir -p "$out"
build=/tmp/vectorlab-gpu-build

# Meson refuses to set up a folder an earlier run left: that one is wiped
# and set up again, so that the command can be rerun on the same machine.
setup() {
  local wipe=()
  [ -f "$1/meson-private/coredata.dat" ] && wipe=(--wipe)
  meson setup "${wipe[@]}" "$@"
}

parts=" ${GPU_RUN_PARTS:-tests verify tune knn ml} "
# The test programs build beside the release build: device time is what a
# run is shortest of.
if [[ $parts == *" tests "* ]]; then
  tbuild=/tmp/vectorlab-gpu-tests
  programs=(test-knn test-tuning test-distance test-similarity test-proj test-neural test-sq test-host-copy test-threads)
  { setup "$tbuild" -Dgui=disabled --buildtype=debugoptimized >"$out/tests-setup.log" 2>&1 \
      && ninja -C "$tbuild" "${programs[@]/#/tests/}" >"$out/tests-build.log" 2>&1; } &
  tests_built=$!
fi
# An early exit leaves no build behind it.
trap 'jobs -p | xargs -r kill 2>/dev/null' EXIT
# Seconds since the start, after each part, for planning the next run.
mark() { echo "[$1 done, ${SECONDS} s]"; }

nvidia-smi -L
if ! { setup "$build" -Dgui=disabled -Dtests=disabled --buildtype=release >"$out/setup.log" 2>&1 \
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
mark build

status=0
if [[ $parts == *" tests "* ]]; then
  if wait "$tests_built"; then
    for t in "${programs[@]}"; do
      # The device's cases; all of a program with none (host code).
      cases=$("$tbuild/tests/$t" -l | grep "/$dev\$")
      # shellcheck disable=SC2046,SC2086
      if "$tbuild/tests/$t" ${cases:+$(printf -- '-p %s ' $cases)} >"$out/$t.log" 2>&1; then
        echo "$t on $dev: $(grep -c '^ok' "$out/$t.log") ok"
      else
        echo "$t on $dev: FAILED"; tail -20 "$out/$t.log"; status=1
      fi
    done
  else
    tail -30 "$out/tests-setup.log" "$out/tests-build.log"; status=1
  fi
  mark tests
fi
if [[ $parts == *" verify "* ]]; then
  "$bench" verify -d "$dev" | tee "$out/verify.txt" || status=1
  mark verify
fi
if [[ $parts == *" tune "* ]]; then
  timeout 300 "$bench" tune -d "$dev" | tee "$out/tune.txt" || status=1
  mark tune
fi

# knn-gpu of BENCHMARKS.md: vectorlab, then PyTorch, then compare, for each
# database width.
knn() {
  local d=$1
  shift
  local p=(-p n=1000000 -p d="$d" -p k=10 -p metric=ip -r 10 "$@")
  timeout 200 "$bench" run knn -d "$dev" "${p[@]}" -o "$out/vl-knn-$d.json" || status=1
  timeout 200 python3 tests/peers/knn_torch.py "${p[@]}" -o "$out/torch-knn-$d.json" || status=1
  "$bench" compare "$out/torch-knn-$d.json" "$out/vl-knn-$d.json"
}
# Builds tests/peers/$1.c, a standalone device probe, and runs it with the
# other arguments.
probe() {
  local name=$1
  shift
  # shellcheck disable=SC2046
  if cc -O2 -o "$build/$name" "tests/peers/$name.c" \
       $(pkg-config --cflags --libs OpenCL) >"$out/$name.log" 2>&1; then
    timeout 60 "$build/$name" "$@" | tee "$out/$name.txt" || status=1
  else
    cat "$out/$name.log"; status=1
  fi
}
if [[ $parts == *" knn "* ]]; then
  # The limit the scans are measured against: the fastest plain read of the
  # database (and of its SQ8 codes' size) on this GPU; and the fixed cost an
  # op pays around its kernels.
  probe read-probe NVIDIA 1000000 768
  probe latency-probe NVIDIA
  knn 768 -p nq=1,16,128,1024
  knn 384 -p nq=1,1024
  # The SQ8 scan: BENCHMARKS.md's target is absolute (<= 0.2 ms at nq = 1).
  timeout 200 "$bench" run sq-knn -d "$dev" -p n=1000000 -p d=768 -p nq=1,16 \
    -r 10 -o "$out/vl-sq-knn.json" || status=1
  mark knn
fi
# The ML suites at BENCHMARKS.md's sizes: each on vectorlab and on the
# PyTorch peer (tests/peers/ml_torch.py) with the same parameters, then
# compare's table.  About 3 minutes in all on an H100; the timeouts bound
# each side.
ml() {
  local suite=$1 limit=$2
  shift 2
  [[ " ${GPU_RUN_ML:-$suite} " == *" $suite "* ]] || return 0
  timeout "$limit" "$bench" run "$suite" -d "$dev" "$@" -o "$out/vl-$suite.json" || status=1
  timeout "$limit" python3 tests/peers/ml_torch.py "$suite" "$@" -o "$out/torch-$suite.json" || status=1
  "$bench" compare "$out/torch-$suite.json" "$out/vl-$suite.json"
}
if [[ $parts == *" ml "* ]]; then
  ml normalize 120 -p n=1000000 -p d=768
  ml similarity 90 -p n=4096,16384 -p d=768
  ml neural-quant 150 -p config=768-128 -p op=encode,decode -p n=1000000
  ml decode-breakdown 60 -p config=768-128 -p n=100000
  ml attention 240 -p heads=1,12 -p n=10000,1000000 -p d=768 -p dh=64 -p nq=128
  # Encode only is timed; 100,000 keeps the seeded datasets' generation short.
  ml compression 120 -p dataset=gaussian -p n=100000 -p method=sq8,sq4,neural-128
  ml learned-distance 180 -p mode=plain,projected,uncached -p n=1000000 -p experimental-ml=on
  mark ml
fi

# The acceptance table of issue #6 from all of the above.
python3 tests/peers/gpu_summary.py "$out" | tee "$out/summary.md"
exit $status
