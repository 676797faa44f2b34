#!/usr/bin/env python3
"""The acceptance table of a tests/peers/gpu-run.sh run, from its folder:

    python3 tests/peers/gpu_summary.py OUTDIR [--fp32-tflops 67]

One row a workload: vectorlab's and PyTorch's medians, their ratio
(PyTorch / vectorlab, > 1 when vectorlab is faster), the hardware limit and
vectorlab's fraction of it, and BENCHMARKS.md's target.  Then the tunables
the k-NN ran with.  Markdown, so that it goes into a note as it is.

The limit of a k-NN search is the larger of reading its database or SQ8
codes (at the read-probe.txt rates of the same run) and its inner
products at the fp32 peak (--fp32-tflops: 67 for an H100 or H200 SXM).  BENCHMARKS.md's absolute
targets are the H200's; those of the bandwidth-bound rows are scaled by
this card's read of 1M x 768 floats against the H200's 0.67 ms, and the
compute-bound one by the peaks.
"""

import argparse
import glob
import json
import os
import re
import sys

H200_READ_MS = 0.67
H200_FP32_TFLOPS = 67.0
STANDARD = (1000000, 768)
# (nq: ms on the H200, bound by bandwidth) of the standard k-NN workload.
KNN_TARGETS = {1: (0.72, True), 16: (0.8, True), 1024: (34.0, False)}
KNN_RATIO = 1.2
SQ8_TARGET_MS = 0.2
ML_RATIO = 1.0
DECODE_HOST_TARGET = 5e6


def read_probe(folder):
    """The read rates of read-probe.txt, bytes per ms: floats and codes;
    and the read of the floats in ms (None without it)."""
    rates, probe_ms = {}, None
    try:
        text = open(os.path.join(folder, "read-probe.txt")).read()
    except OSError:
        return rates, probe_ms
    for line in text.splitlines():
        m = re.match(r"read of (.*) \(([\d.]+) MB\): ([\d.]+) ms", line)
        if m:
            kind = "codes" if "SQ8" in m.group(1) else "floats"
            rates[kind] = float(m.group(2)) * 1e6 / float(m.group(3))
            if kind == "floats":
                probe_ms = float(m.group(3))
    return rates, probe_ms


def benchmarks(path):
    try:
        report = json.load(open(path))
    except (OSError, ValueError):
        return {}, {}
    return ({b["name"]: b for b in report.get("benchmarks", [])},
            report.get("context", {}))


def fmt(value, spec="%.3f"):
    return "-" if value is None else spec % value


def row(cells):
    print("| " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--fp32-tflops", type=float, default=H200_FP32_TFLOPS)
    args = parser.parse_args()
    rates, probe_ms = read_probe(args.folder)
    scale = probe_ms / H200_READ_MS if probe_ms else None
    peak = args.fp32_tflops * 1e9  # flops a ms

    reports = sorted(glob.glob(os.path.join(args.folder, "vl-*.json")))
    if not reports:
        print("No vectorlab reports (vl-*.json) in %s." % args.folder)
        return 0
    print("| workload | vectorlab ms | PyTorch ms | ratio | limit ms | "
          "of limit | target | met |")
    print("|---|---|---|---|---|---|---|---|")
    tuning = {}
    missing = False
    for path in reports:
        ours, context = benchmarks(path)
        theirs, _ = benchmarks(os.path.join(
            args.folder, "torch-" + os.path.basename(path)[len("vl-"):]))
        tuning = tuning or context.get("tuning", {})
        for name, b in ours.items():
            p = b["params"]
            ms = b["real_time"]
            peer = theirs.get(name, {}).get("real_time")
            ratio = peer / ms if peer else None
            limit = target = None
            met = []
            if name.startswith("knn/"):
                n, d, nq = p["n"], p["d"], p["nq"]
                read = n * d * 4 / rates["floats"] if "floats" in rates else 0
                limit = max(read, 2.0 * nq * n * d / peak) or None
                goal = KNN_TARGETS.get(nq) if (n, d) == STANDARD else None
                if goal and (scale or not goal[1]):
                    target = goal[0] * (scale if goal[1]
                                        else H200_FP32_TFLOPS / args.fp32_tflops)
                    met.append(ms <= target)
                met.append(ratio is not None and ratio >= KNN_RATIO)
                goal_text = ("<= %.3f ms, " % target if target else "") \
                    + ">= %.1fx" % KNN_RATIO
            elif name.startswith("sq-knn/"):
                read = p["n"] * p["d"] / rates.get("codes", float("inf"))
                limit = max(read, 2.0 * p["nq"] * p["n"] * p["d"] / peak)
                if p["nq"] == 1 and scale and (p["n"], p["d"]) == STANDARD:
                    target = SQ8_TARGET_MS * scale
                    met.append(ms <= target)
                goal_text = "<= %.3f ms" % target if target else "-"
            elif "/op:decode-host/" in name:
                rate = b.get("items_per_second")
                met.append(rate is not None and rate >= DECODE_HOST_TARGET)
                met.append(ratio is not None and ratio >= ML_RATIO)
                goal_text = ">= %.0fM vectors/s (%.2fM), >= %.1fx" % (
                    DECODE_HOST_TARGET / 1e6, (rate or 0) / 1e6, ML_RATIO)
            else:
                met.append(ratio is not None and ratio >= ML_RATIO)
                goal_text = ">= %.1fx" % ML_RATIO
            missing = missing or (theirs and peer is None)
            row([name, fmt(ms), fmt(peer), fmt(ratio, "%.2fx"), fmt(limit),
                 fmt(limit / ms * 100 if limit else None, "%.0f %%"),
                 goal_text, ("yes" if all(met) else "NO") if met else "-"])
    if probe_ms:
        print("\nLimits: read of 1M x 768 floats %.4f ms on this card "
              "(bandwidth targets scaled by %.3f), fp32 peak %.0f TFLOP/s."
              % (probe_ms, scale, args.fp32_tflops))
    else:
        print("\nNo read-probe.txt: no limits and no scaled targets.")
    if missing:
        print("A '-' in PyTorch's column: its report has no such row.")
    print("SQ8 has no PyTorch peer.")
    if tuning:
        print("\nTunables the k-NN ran with:\n")
        for family, words in sorted(tuning.items()):
            print("- %s: `%s`" % (family, words))
    return 0


if __name__ == "__main__":
    sys.exit(main())
