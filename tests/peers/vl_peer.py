"""What the peer scripts share: vectorlab's knn parameters and benchmark
names, its seeded data (bit for bit the same vectors as
src/libvectorlab-bench/vl-bench-data.c), timing statistics, and the report
layout of data/vectorlab-report.schema.json.  A peer's report and
vectorlab's therefore line up row by row in `vectorlab-bench compare`.

Only the standard library and numpy are imported here.
"""

import argparse
import datetime
import itertools
import json
import math
import os
import platform
import resource
import socket
import statistics
import sys
import time

import numpy as np

SCHEMA_VERSION = 1
SEED = 20261121          # VL_BENCH_SEED
N_CENTROIDS = 64
SPREAD = np.float32(0.35)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
CHUNK_ROWS = 4096

# The knn suite's parameters in name order, with its defaults.
KNN_KEYS = ("n", "d", "nq", "k", "metric")
KNN_DEFAULTS = {"n": "100000", "d": "768", "nq": "1,16,128", "k": "10",
                "metric": "ip"}
METRICS = ("l2", "ip", "cosine")


# vectorlab-bench's MIN_WARMUP_US: warm-ups, when there are any, go on
# until they have taken this long.
MIN_WARMUP_S = 0.05


def warm_up(fn, count):
    """Calls fn count times, then on until the calls have taken 50 ms when
    count is not 0, as vectorlab-bench warms a case up; fn must wait for
    the work it starts."""
    t0 = time.perf_counter()
    i = 0
    while i < count or (count > 0 and time.perf_counter() - t0 < MIN_WARMUP_S):
        fn()
        i += 1


# ---- data ----------------------------------------------------------------

def _splitmix(counters, state0):
    """The splitmix64 outputs number @counters (1-based, uint64, consumed)
    after state @state0.  In place: a 1,000,000 x 768 database is 770
    million of them."""
    z = counters
    z *= GOLDEN
    z += np.uint64(state0)
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _to_float(z):
    """((z >> 40) * 2^-23 - 1) as vl-bench-data.c computes it.  Every step
    is exact in float32 (24-bit integers, a power-of-two scale, then a
    subtraction that loses no bits), so float32 gives the same bits as the
    C code's double arithmetic rounded to float."""
    f = (z >> np.uint64(40)).astype(np.float32)
    f *= np.float32(2.0 / 16777216.0)
    f -= np.float32(1.0)
    return f


def uniform(seed, count):
    counters = np.arange(1, count + 1, dtype=np.uint64)
    return _to_float(_splitmix(counters, seed))


def clustered(centroid_seed, noise_seed, n, d):
    """n x d float32 around 64 centroids, as vl_bench_data_clustered()."""
    centroids = uniform(centroid_seed, N_CENTROIDS * d).reshape(N_CENTROIDS, d)
    state0 = np.uint64(noise_seed ^ 0x5BD1E995)
    out = np.empty((n, d), dtype=np.float32)
    per_row = d + 1  # one draw picks the centroid, d draws the noise
    for start in range(0, n, CHUNK_ROWS):
        rows = min(CHUNK_ROWS, n - start)
        counters = np.arange(start * per_row + 1, (start + rows) * per_row + 1,
                             dtype=np.uint64)
        z = _splitmix(counters, state0).reshape(rows, per_row)
        which = (z[:, 0] % np.uint64(N_CENTROIDS)).astype(np.int64)
        noise = _to_float(z[:, 1:])
        noise *= SPREAD
        noise += centroids[which]
        out[start:start + rows] = noise
    return out


def knn_database(n, d):
    """The database vectorlab's knn suite searches."""
    return clustered(SEED, 1, n, d)


def knn_queries(nq, d):
    """The queries vectorlab's knn suite searches with."""
    return clustered(SEED, 2, nq, d)


# ---- GLib's GRand ----------------------------------------------------------
# The ML suites draw weights and the compression datasets from
# g_rand_new_with_seed(): MT19937 seeded as init_genrand, which is what
# numpy's legacy seeding of a 32-bit integer does, so numpy's bit generator
# gives the same 32-bit words.

GRAND_TRANSFORM = 2.0 ** -32    # G_RAND_DOUBLE_TRANSFORM


def grand(seed):
    """A generator in the state of g_rand_new_with_seed (@seed): its
    random_raw (count) gives the next @count g_rand_int() values (as
    uint64), continuing where the last call stopped."""
    return np.random.RandomState(seed & 0xFFFFFFFF)._bit_generator


def grand_doubles(words):
    """g_rand_double() of consecutive pairs of @words.  GLib draws again
    when the result rounds up to 1.0, which needs the second word at its
    maximum and the first within 2^11 of it (a chance of about 2^-53 a
    draw), so that is not modelled."""
    w = words.astype(np.float64)
    return (w[0::2] * GRAND_TRANSFORM + w[1::2]) * GRAND_TRANSFORM


def grand_range(seed, count, begin, end):
    """@count g_rand_double_range (begin, end) as float32, as the suites
    cast them."""
    r = grand_doubles(grand(seed).random_raw(2 * count))
    return (r * end - (r - 1.0) * begin).astype(np.float32)


def grand_normals(words):
    """The compression suite's normal(): Box-Muller from two
    g_rand_double() (four words) each, in double."""
    u = grand_doubles(words)
    return np.sqrt(-2.0 * np.log(1.0 - u[0::2])) * np.cos(2.0 * np.pi * u[1::2])


# ---- parameters ----------------------------------------------------------

def _parse_values(key, text):
    values = []
    for part in text.split(","):
        part = part.strip()
        if key == "metric":
            if part not in METRICS:
                raise ValueError("invalid value '%s' for parameter 'metric': "
                                 "expected one of %s" % (part, ", ".join(METRICS)))
            value = part
        else:
            if not part.isdigit() or int(part) == 0:
                raise ValueError("invalid value '%s' for parameter '%s': "
                                 "expected a positive integer" % (part, key))
            value = str(int(part))
        if value not in values:
            values.append(value)
    return values


def parse_args(description, argv=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-p", "--param", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="n, d, nq, k or metric as in `vectorlab-bench "
                             "run knn`; a comma list sweeps it")
    parser.add_argument("-r", "--repetitions", type=int, default=5)
    parser.add_argument("-w", "--warmups", type=int, default=1)
    parser.add_argument("-o", "--output", metavar="REPORT.json")
    args = parser.parse_args(argv)
    values = {key: _parse_values(key, text) for key, text in KNN_DEFAULTS.items()}
    for assignment in args.param:
        key, eq, text = assignment.partition("=")
        if not eq:
            parser.error("'%s' is not KEY=VALUE" % assignment)
        if key not in KNN_DEFAULTS:
            parser.error("knn has no parameter '%s' (valid: %s)"
                         % (key, ", ".join(KNN_KEYS)))
        try:
            values[key] = _parse_values(key, text)
        except ValueError as error:
            parser.error(str(error))
    if args.repetitions < 1 or args.warmups < 0:
        parser.error("repetitions must be at least 1 and warm-ups 0 or more")
    args.cases = [dict(zip(KNN_KEYS, combo))
                  for combo in itertools.product(*(values[k] for k in KNN_KEYS))]
    return args


def case_name(case):
    """The benchmark name vectorlab gives the same case."""
    return "knn/" + "/".join("%s:%s" % (key, case[key]) for key in KNN_KEYS)


# ---- quality -------------------------------------------------------------

RECALL_SAMPLE = 8


def recall(database, queries, ids, k, metric):
    """recall@k of @ids on a few evenly spaced queries against an exact
    float64 pass in numpy; returns (recall, sampled)."""
    m = min(len(queries), RECALL_SAMPLE)
    rows = [i * len(queries) // m for i in range(m)]
    db = database.astype(np.float64)
    hits = 0
    for row in rows:
        q = queries[row].astype(np.float64)
        if metric == "l2":
            scores = -((db - q) ** 2).sum(axis=1)
        elif metric == "ip":
            scores = db @ q
        else:
            norms = np.linalg.norm(db, axis=1) * np.linalg.norm(q)
            scores = np.divide(db @ q, norms, out=np.zeros(len(db)),
                               where=norms > 0)
        exact = np.argpartition(-scores, k - 1)[:k]
        hits += len(set(exact.tolist()) & set(np.asarray(ids[row]).tolist()))
    return hits / (m * k), m


# ---- report --------------------------------------------------------------

def _finite(value):
    return value if value is not None and math.isfinite(value) else None


def _quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def stats(samples):
    s = sorted(samples)
    return {
        "min": s[0], "median": _quantile(s, 0.5), "mean": statistics.fmean(s),
        "max": s[-1], "stddev": statistics.stdev(s) if len(s) > 1 else 0.0,
        "p95": _quantile(s, 0.95), "p99": None,
    }


def host_peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0


def cpu_name():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "CPU"


def context(library, library_version, device, repetitions, warmups,
            suite="knn"):
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "host_name": socket.gethostname(),
        "executable": os.path.abspath(sys.argv[0]),
        "num_cpus": os.cpu_count() or 1,
        "load_avg": list(os.getloadavg()),
        "library": library,
        "library_version": library_version,
        "library_build_type": "release",
        "build_type": "release",
        "suite": suite,
        "repetitions": repetitions,
        "warmups": warmups,
        "device": device,
    }


def benchmark(case, samples_ms, cpu_ms, quality, breakdown=None,
              device_bytes_peak=None):
    """One knn benchmark: record() with knn's parameters; @quality is
    (recall, sampled) against numpy."""
    n, d, nq = int(case["n"]), int(case["d"]), int(case["nq"])
    params = {key: (case[key] if key == "metric" else int(case[key]))
              for key in KNN_KEYS}
    return record(case_name(case), params, "nq", "queries", nq,
                  (n + nq) * d * 4.0, samples_ms, cpu_ms,
                  {"recall": quality[0], "sampled": quality[1]}, breakdown,
                  device_bytes_peak)


def write_report(path, ctx, benchmarks):
    """Writes atomically, like vectorlab: a temporary file renamed over
    @path, so an interrupted peer leaves no half report."""
    report = {"schema_version": SCHEMA_VERSION, "context": ctx,
              "benchmarks": benchmarks}
    text = json.dumps(report, indent=2, allow_nan=False) + "\n"
    if path is None or path == "-":
        sys.stdout.write(text)
        return
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w") as out:
        out.write(text)
    os.replace(tmp, path)


def print_row(name, samples_ms, quality):
    st = stats(samples_ms)
    print("%-48s %10.3f ms (p95 %.3f)  recall %.3f" %
          (name, st["median"], st["p95"], quality[0]), file=sys.stderr)


# ---- any suite ---------------------------------------------------------------

PHASES = ("host_prep", "upload", "kernel", "download", "host_extract")


def record(name, params, count_param, items_label, items, bytes_per_rep,
           samples_ms, cpu_ms, quality=None, breakdown=None,
           device_bytes_peak=None):
    """One benchmark of any suite in the report layout.  @params maps each
    key to its value (int or str) in the order vectorlab names them;
    @quality has any of recall, max_abs_err, mse, compression_ratio,
    reference and sampled."""
    st = stats(samples_ms)
    seconds = st["median"] * 1e-3
    quality = quality or {}
    return {
        "name": name,
        "run_type": "aggregate",
        "aggregate_name": "median",
        "repetitions": len(samples_ms),
        "iterations": 1,
        "real_time": st["median"],
        "cpu_time": _finite(statistics.median(cpu_ms)) if cpu_ms else None,
        "time_unit": "ms",
        "items_per_second": _finite(items / seconds) if seconds > 0 else None,
        "bytes_per_second": (_finite(bytes_per_rep / seconds)
                             if seconds > 0 else None),
        "params": dict(params),
        "count_param": count_param,
        "items_label": items_label,
        "items": float(items),
        "stats": {key: _finite(value) for key, value in st.items()},
        "samples": [_finite(x) for x in samples_ms],
        "breakdown": {p: _finite((breakdown or {}).get(p)) for p in PHASES},
        "quality": {
            "recall": _finite(quality.get("recall")),
            "max_abs_err": _finite(quality.get("max_abs_err")),
            "mse": _finite(quality.get("mse")),
            "compression_ratio": _finite(quality.get("compression_ratio")),
            "reference": quality.get("reference", "numpy"),
            "sampled": quality.get("sampled", 0),
        },
        "memory": {
            "device_bytes_live": None,
            "device_bytes_peak": _finite(device_bytes_peak),
            "host_peak_rss_bytes": host_peak_rss_bytes(),
        },
    }


def compare_values(result, reference):
    """max_abs_err and mse of @result against @reference, in double, as
    vl_bench_data_compare() computes them."""
    err = np.abs(np.asarray(result, dtype=np.float64).ravel()
                 - np.asarray(reference, dtype=np.float64).ravel())
    return {"max_abs_err": float(err.max()) if err.size else 0.0,
            "mse": float((err * err).mean()) if err.size else None}


# ---- PyTorch ---------------------------------------------------------------
# Helpers for the torch peers; they take the module so that this file still
# imports without it.

def torch_setup(torch):
    """Full fp32 (no TF32 shortcuts, like vectorlab's kernels); returns
    (device, report device object)."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if torch.cuda.is_available():
        device = torch.device("cuda")
        props = torch.cuda.get_device_properties(device)
        return device, {"id": "cuda:%d" % torch.cuda.current_device(),
                        "backend": "torch-cuda", "name": props.name,
                        "vendor": "NVIDIA", "driver": torch.version.cuda or "",
                        "platform": "", "is_gpu": True,
                        "compute_units": props.multi_processor_count,
                        "global_mem_bytes": props.total_memory}
    return torch.device("cpu"), {"id": "cpu", "backend": "torch-cpu",
                                 "name": cpu_name(), "vendor": "",
                                 "driver": "", "platform": "",
                                 "is_gpu": False,
                                 "compute_units": os.cpu_count() or 1}
