#!/usr/bin/python3
"""knn-cpu side by side: vectorlab's cpu backend against FAISS IndexFlat.

Run with the system python (numpy and python3-faiss from Debian):

    /usr/bin/python3 tests/peers/knn_cpu.py [LIBVECTORLAB.so] [--json OUT]

Both sides search the same seeded database and queries on the same machine
in the same run; the medians and their ratio are what BENCHMARKS.md quotes
(knn-cpu).  Results are checked to agree: recall against FAISS must be 1.0
up to ties.
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import socket
import statistics
import sys
import time

import faiss
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vl_peer  # noqa: E402

DEFAULT_LIB = "_build/src/libvectorlab/libvectorlab.so"
METRICS = {"l2": 0, "ip": 1}
# BENCHMARKS.md, knn-cpu: absolute limits at nq = 1 and 16, and a ratio of
# queries per second against FAISS at nq = 1024, for the standard workload
# (n, d, k) only.
STANDARD = (100000, 768, 10)
TARGET_MS = {1: 20.0, 16: 40.0}
TARGET_SPEEDUP = {1024: 1.1}
# Scores closer than this (relative) count as tied when checking agreement.
TIE_RTOL = 1e-5


class VlMatrix(ctypes.Structure):
    _fields_ = [("rows", ctypes.c_size_t), ("cols", ctypes.c_size_t),
                ("stride", ctypes.c_size_t), ("dtype", ctypes.c_int),
                ("data", ctypes.c_void_p)]


class VlError(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char_p)]


class VlBreakdown(ctypes.Structure):
    _fields_ = [(name, ctypes.c_double) for name in
                ("host_prep_ms", "upload_ms", "kernel_ms", "download_ms",
                 "host_extract_ms")]


class Vectorlab:
    """The few libvectorlab calls this benchmark needs, through ctypes."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        err = ctypes.POINTER(ctypes.POINTER(VlError))
        lib.vl_context_new.restype = ctypes.c_void_p
        lib.vl_context_new.argtypes = [ctypes.c_char_p, err]
        lib.vl_context_free.argtypes = [ctypes.c_void_p]
        lib.vl_context_get_breakdown.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(VlBreakdown)]
        lib.vl_index_new.restype = ctypes.c_void_p
        lib.vl_index_new.argtypes = [ctypes.c_void_p, ctypes.c_int,
                                     ctypes.POINTER(VlMatrix), err]
        lib.vl_index_free.argtypes = [ctypes.c_void_p]
        lib.vl_index_search.restype = ctypes.c_int
        lib.vl_index_search.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(VlMatrix), ctypes.c_size_t,
            ctypes.c_void_p, ctypes.c_void_p, err]
        lib.vl_error_free.argtypes = [ctypes.POINTER(VlError)]
        lib.vl_version.restype = ctypes.c_char_p
        self.lib = lib

    def check(self, ok, error):
        if not ok:
            message = error.contents.message.decode()
            self.lib.vl_error_free(error)
            raise RuntimeError(message)

    @staticmethod
    def matrix(a):
        return VlMatrix(a.shape[0], a.shape[1], a.shape[1], 0,
                        a.ctypes.data_as(ctypes.c_void_p))

    def context(self, device):
        error = ctypes.POINTER(VlError)()
        ctx = self.lib.vl_context_new(device.encode(), ctypes.byref(error))
        self.check(ctx, error)
        return ctx

    def index(self, ctx, metric, database):
        error = ctypes.POINTER(VlError)()
        index = self.lib.vl_index_new(ctx, METRICS[metric],
                                      ctypes.byref(self.matrix(database)),
                                      ctypes.byref(error))
        self.check(index, error)
        return index

    def search(self, index, queries, k, ids, scores):
        error = ctypes.POINTER(VlError)()
        status = self.lib.vl_index_search(
            index, ctypes.byref(self.matrix(queries)), k,
            ids.ctypes.data_as(ctypes.c_void_p),
            scores.ctypes.data_as(ctypes.c_void_p), ctypes.byref(error))
        self.check(status == 0, error)

    def breakdown(self, ctx):
        b = VlBreakdown()
        self.lib.vl_context_get_breakdown(ctx, ctypes.byref(b))
        return {name: getattr(b, name) for name, _ in VlBreakdown._fields_}


def time_ms(fn, reps, cpu_times=None):
    """Warms fn up as vectorlab-bench does (vl_peer.warm_up: once, and on
    until the calls have taken 50 ms), then runs it reps times; the wall
    times in ms (the process's CPU times go to cpu_times when given)."""
    vl_peer.warm_up(fn, 1)
    times = []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        if cpu_times is not None:
            cpu_times.append((time.process_time() - c0) * 1e3)
    return times


def stats(times):
    return {"min": min(times), "median": statistics.median(times),
            "mean": statistics.fmean(times), "max": max(times),
            "stddev": statistics.stdev(times) if len(times) > 1 else 0.0}


def recall(vl_ids, vl_scores, fa_ids, fa_scores):
    """Share of FAISS's neighbours vectorlab also found, where a neighbour
    that merely ties with the k-th score may be swapped for another."""
    hits = 0
    for q in range(fa_ids.shape[0]):
        kth = fa_scores[q, -1]
        tol = TIE_RTOL * max(1.0, abs(float(kth)))
        found = set(vl_ids[q].tolist())
        for j, s in zip(fa_ids[q], fa_scores[q]):
            if j in found or abs(float(s) - float(kth)) <= tol:
                hits += 1
        if not np.allclose(vl_scores[q], fa_scores[q], rtol=1e-4,
                           atol=1e-4 * max(1.0, abs(float(kth)))):
            hits -= 0.5 * fa_ids.shape[1]   # scores disagree: fail loudly
    return hits / fa_ids.size


def run(args):
    vl = Vectorlab(args.lib)
    rng = np.random.default_rng(args.seed)
    database = rng.standard_normal((args.n, args.d), dtype=np.float32)
    queries_all = rng.standard_normal((max(args.nq), args.d),
                                      dtype=np.float32)
    rows, benchmarks = [], []
    scan = scan_reference(database, queries_all, args.reps)
    ctx = vl.context("cpu")
    try:
        for metric in args.metric:
            index = vl.index(ctx, metric, database)
            flat = (faiss.IndexFlatL2 if metric == "l2"
                    else faiss.IndexFlatIP)(args.d)
            flat.add(database)
            try:
                for nq in args.nq:
                    queries = np.ascontiguousarray(queries_all[:nq])
                    ids = np.empty((nq, args.k), dtype=np.int64)
                    scores = np.empty((nq, args.k), dtype=np.float32)
                    reps = max(3, args.reps // 4) if nq >= 1024 else args.reps

                    # Alternate the two sides so that drift in a shared
                    # machine's load hits both alike.
                    vl_times, fa_times, vl_cpu, fa_cpu = [], [], [], []
                    for _ in range(2):
                        vl_times += time_ms(
                            lambda: vl.search(index, queries, args.k, ids,
                                              scores), (reps + 1) // 2, vl_cpu)
                        fa_times += time_ms(
                            lambda: flat.search(queries, args.k),
                            (reps + 1) // 2, fa_cpu)
                    breakdown = vl.breakdown(ctx)
                    vl.search(index, queries, args.k, ids, scores)
                    fa_scores, fa_ids = flat.search(queries, args.k)
                    r = recall(ids, scores, fa_ids, fa_scores)

                    vl_ms = statistics.median(vl_times)
                    fa_ms = statistics.median(fa_times)
                    speedup = fa_ms / vl_ms
                    standard = (args.n, args.d, args.k) == STANDARD
                    if standard and nq in TARGET_MS:
                        met = vl_ms <= TARGET_MS[nq]
                        target = "<= %g ms" % TARGET_MS[nq]
                    elif standard and nq in TARGET_SPEEDUP:
                        met = speedup >= TARGET_SPEEDUP[nq]
                        target = ">= %gx FAISS" % TARGET_SPEEDUP[nq]
                    else:
                        met, target = None, "-"
                    name = "knn-cpu/%s/n:%d/d:%d/nq:%d/k:%d" % (
                        metric, args.n, args.d, nq, args.k)
                    rows.append((name, vl_ms, fa_ms, speedup, target, met, r))
                    for side, times, cpu in (("vectorlab", vl_times, vl_cpu),
                                             ("faiss", fa_times, fa_cpu)):
                        st = stats(times)
                        benchmarks.append({
                            "name": "%s/%s" % (name, side),
                            "run_type": "aggregate",
                            "aggregate_name": "median",
                            "repetitions": len(times),
                            "iterations": 1,
                            "real_time": st["median"],
                            "cpu_time": statistics.median(cpu),
                            "time_unit": "ms",
                            "items_per_second": nq / st["median"] * 1e3,
                            "bytes_per_second":
                                args.n * args.d * 4 / st["median"] * 1e3,
                            "params": {"metric": metric, "n": args.n,
                                       "d": args.d, "nq": nq, "k": args.k},
                            "stats": st,
                            "breakdown": breakdown if side == "vectorlab"
                                         else None,
                            "quality": {"recall": r},
                        })
                    print("  %s: vectorlab %.2f ms, FAISS %.2f ms" %
                          (name, vl_ms, fa_ms), file=sys.stderr, flush=True)
            finally:
                vl.lib.vl_index_free(index)
    finally:
        vl.lib.vl_context_free(ctx)
    return rows, benchmarks, scan


def scan_reference(database, queries, reps):
    """numpy's database @ q (OpenBLAS sgemv): one streaming pass over the
    database, the bandwidth that bounds nq = 1."""
    q = np.ascontiguousarray(queries[0])
    ms = statistics.median(time_ms(lambda: database @ q, reps))
    return {"ms": ms, "gb_per_s": database.nbytes / ms / 1e6}


def print_table(rows):
    print("| workload | vectorlab median ms | FAISS median ms | ratio "
          "(FAISS/vectorlab) | target | target met | recall |")
    print("|---|---|---|---|---|---|---|")
    for name, vl_ms, fa_ms, speedup, target, met, r in rows:
        print("| %s | %.2f | %.2f | %.2fx | %s | %s | %.4f |" % (
            name, vl_ms, fa_ms, speedup, target,
            "-" if met is None else ("yes" if met else "NO"), r))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lib", nargs="?",
                        default=os.environ.get("VECTORLAB_LIB", DEFAULT_LIB),
                        help="path of libvectorlab.so (env VECTORLAB_LIB)")
    parser.add_argument("--n", type=int, default=100000)
    parser.add_argument("--d", type=int, default=768)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--nq", type=int, nargs="+", default=[1, 16, 1024])
    parser.add_argument("--metric", nargs="+", choices=sorted(METRICS),
                        default=["ip", "l2"])
    parser.add_argument("--reps", type=int, default=20,
                        help="timed repetitions (a quarter at nq >= 1024)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--json", metavar="OUT",
                        help="write a Google-Benchmark-like JSON report")
    args = parser.parse_args()

    rows, benchmarks, scan = run(args)
    print_table(rows)
    print("\nOne scan of the database by numpy (database @ q, OpenBLAS sgemv): "
          "%.2f ms, %.1f GB/s" % (scan["ms"], scan["gb_per_s"]))
    if args.json:
        vl = Vectorlab(args.lib)
        report = {
            "context": {
                "date": datetime.datetime.now(datetime.timezone.utc)
                        .isoformat(),
                "host_name": socket.gethostname(),
                "executable": os.path.abspath(__file__),
                "num_cpus": os.cpu_count(),
                "library_version": vl.lib.vl_version().decode(),
                "peer": "faiss %s IndexFlat" % faiss.__version__,
                "machine": platform.processor() or platform.machine(),
                "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
                "numpy_scan": scan,
            },
            "benchmarks": benchmarks,
            "schema_version": 1,
        }
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    return 0 if all(r[6] >= 1.0 - 1e-9 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
