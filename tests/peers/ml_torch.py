#!/usr/bin/python3
"""vectorlab's ML suites on PyTorch (GPU where present), written as a
vectorlab report with the same benchmark names, so that

    vectorlab-bench run attention -d opencl:0 -p n=10000,1000000 -o vl.json
    python3 tests/peers/ml_torch.py attention -p n=10000,1000000 -o torch.json
    vectorlab-bench compare torch.json vl.json

puts the two side by side (ratio = vectorlab / PyTorch time).  Suites:
normalize, similarity, neural-quant, decode-breakdown, attention,
compression and learned-distance, with vectorlab's parameters, defaults
and case names.

Each case does the work of src/libvectorlab-bench/vl-bench-suite-SUITE.c
on the same inputs, and times the same span: vectorlab's cases take host
matrices and return host results, so a repetition here uploads its inputs,
computes in fp32 (TF32 off) and copies the results into host memory, then
synchronises.  Whatever vectorlab's setup does once (the attention keys
projected by Wk, the learned-distance database projected, the neural
codes that a decode case decodes, a fitted model) is done once here too.
CUDA events split a repetition into upload, kernel and download
(breakdown); without CUDA it runs on the CPU, with no breakdown.

Inputs: the clustered vectors of vl-bench-data.c, the attention and
projection weights and the compression datasets are bit for bit
vectorlab's (GLib's GRand reproduced in vl_peer; the compression datasets
up to the last rounding of libm).  The neural-quantisation weights are
reproduced, not loaded: the same PCA fit on the same 2,000-vector sample
(compression: on the database), the same range widening and the same
encoder/decoder formulas (vl-neural.h), with numpy's eigensolver in place
of vectorlab's tred2/tql2.  Eigenvectors are determined only up to sign,
so a component may come out mirrored (codes c -> 255 - c before the
per-vector scale): the same shapes, the same work and the same
reconstruction quality, but codes that need not equal vectorlab's byte
for byte.

Quality: each case checks a sample of its results against numpy in
float64 (the attention and learned-distance scores of the keys found for
the first queries; compression: MSE, recall@10 and ratio as vectorlab
computes them).  Without torch the script says so and exits with status 2.
"""

import argparse
import itertools
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import vl_peer  # noqa: E402


# ---- suites -----------------------------------------------------------------
# Each suite: its parameters (name, default, choices or None for a positive
# integer), the workload that names its cases (name and key order), the
# count key and items label, default repetitions and warm-ups, and the
# workload keys it fixes.

NEURAL_CONFIGS = ("768-128", "768-64", "384-64")
METRICS = ("l2", "ip", "cosine")

SUITES = {
    "normalize": {
        "params": (("n", "10000,100000", None), ("d", "768", None)),
        "workload": "normalize", "keys": ("n", "d"), "count": "n",
        "label": "vectors", "reps": 5, "warmups": 1},
    "similarity": {
        "params": (("n", "1024,4096", None), ("d", "768", None)),
        "workload": "similarity", "keys": ("n", "d"), "count": "n",
        "label": "pairs", "reps": 5, "warmups": 1},
    "neural-quant": {
        "params": (("config", "768-128,768-64,384-64", NEURAL_CONFIGS),
                   ("op", "encode,decode", ("encode", "decode")),
                   ("n", "100,1000,10000,100000", None)),
        "workload": "neural", "keys": ("config", "op", "n"), "count": "n",
        "label": "vectors", "reps": 3, "warmups": 1},
    "decode-breakdown": {
        "params": (("config", "768-128", NEURAL_CONFIGS),
                   ("n", "1000,10000,100000", None)),
        "workload": "neural", "keys": ("config", "op", "n"), "count": "n",
        "label": "vectors", "reps": 5, "warmups": 1,
        "fixed": {"op": "decode-host"}},
    "attention": {
        "params": (("heads", "1,12", None), ("n", "100,1000,10000,100000", None),
                   ("d", "768", None), ("dh", "64", None), ("nq", "128", None),
                   ("k", "10", None)),
        "workload": "attention", "keys": ("heads", "n", "d", "dh", "nq", "k"),
        "count": "n", "label": "pairs", "reps": 3, "warmups": 1},
    "compression": {
        "params": (("dataset", "gaussian,lowrank", ("gaussian", "lowrank")),
                   ("n", "10000", None), ("d", "768", None),
                   ("method", "sq8,sq4,neural-128,neural-64",
                    ("sq8", "sq4", "neural-128", "neural-64"))),
        "workload": "compression", "keys": ("dataset", "n", "d", "method"),
        "count": "method", "label": "vectors", "reps": 3, "warmups": 1},
    "learned-distance": {
        "params": (("mode", "plain,projected,uncached",
                    ("plain", "projected", "uncached")),
                   ("n", "10000,100000", None), ("d", "768", None),
                   ("p", "128", None), ("nq", "16", None), ("k", "10", None),
                   ("metric", "l2", METRICS),
                   ("experimental-ml", "off", ("off", "on"))),
        "workload": "learned-distance",
        "keys": ("mode", "n", "d", "p", "nq", "k", "metric",
                 "experimental-ml", "path"),
        "count": "n", "label": "queries", "reps": 3, "warmups": 1},
}


def _values(key, text, choices):
    values = []
    for part in (p.strip() for p in text.split(",")):
        if choices is not None and part not in choices:
            raise ValueError("invalid value '%s' for parameter '%s': expected "
                             "one of %s" % (part, key, ", ".join(choices)))
        if choices is None:
            if not part.isdigit() or int(part) == 0:
                raise ValueError("invalid value '%s' for parameter '%s': "
                                 "expected a positive integer" % (part, key))
            part = str(int(part))
        if part not in values:
            values.append(part)
    return values


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("-p", "--param", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="a parameter as in `vectorlab-bench run SUITE`; "
                             "a comma list sweeps it")
    parser.add_argument("-r", "--repetitions", type=int)
    parser.add_argument("-w", "--warmups", type=int)
    parser.add_argument("-o", "--output", metavar="REPORT.json")
    args = parser.parse_args(argv)
    info = SUITES[args.suite]
    specs = {key: choices for key, _, choices in info["params"]}
    values = {key: _values(key, default, choices)
              for key, default, choices in info["params"]}
    for assignment in args.param:
        key, eq, text = assignment.partition("=")
        if not eq:
            parser.error("'%s' is not KEY=VALUE" % assignment)
        if key not in specs:
            parser.error("%s has no parameter '%s' (valid: %s)"
                         % (args.suite, key, ", ".join(specs)))
        try:
            values[key] = _values(key, text, specs[key])
        except ValueError as error:
            parser.error(str(error))
    if args.repetitions is None:
        args.repetitions = info["reps"]
    if args.warmups is None:
        args.warmups = info["warmups"]
    if args.repetitions < 1 or args.warmups < 0:
        parser.error("repetitions must be at least 1 and warm-ups 0 or more")
    order = [key for key, _, _ in info["params"]]
    args.cases = []
    # The last parameter varies fastest, as vectorlab expands them.
    for combo in itertools.product(*(values[key] for key in order)):
        case = dict(zip(order, combo))
        case.update(info.get("fixed", {}))
        if args.suite == "learned-distance":
            # The search that runs: the projection only with the
            # experimental-ML switch on, as learned_expand() names it.
            case["path"] = ("projected" if case["experimental-ml"] == "on"
                            and case["mode"] != "plain" else "plain")
        if args.suite == "compression" and case["method"] == "neural-128" \
           and int(case["d"]) < 128:
            parser.error("neural-128 needs d >= 128")
        args.cases.append(case)
    return args


def case_name(info, case):
    return info["workload"] + "/" + "/".join(
        "%s:%s" % (key, case[key]) for key in info["keys"])


def case_params(info, case):
    return {key: int(case[key]) if case[key].isdigit() else case[key]
            for key in info["keys"]}


# ---- timing -----------------------------------------------------------------

class Phases:
    """CUDA events between the phases of one repetition; a no-op on the
    CPU."""

    def __init__(self, torch, cuda):
        self.torch = torch if cuda else None
        self.marks = []
        if self.torch is not None:
            self.marks.append((None, self._event()))

    def _event(self):
        event = self.torch.cuda.Event(enable_timing=True)
        event.record()
        return event

    def mark(self, phase):
        """Ends @phase (upload, kernel or download)."""
        if self.torch is not None:
            self.marks.append((phase, self._event()))

    def times(self):
        """Milliseconds per phase; call after synchronising."""
        out = {}
        for (_, a), (phase, b) in zip(self.marks, self.marks[1:]):
            out[phase] = out.get(phase, 0.0) + a.elapsed_time(b)
        return out


def to_host(dst, src):
    """Copies @src into the host tensor @dst, unless it already is @dst
    (the CPU path computes into host memory directly)."""
    if src.data_ptr() != dst.data_ptr():
        dst.copy_(src)
    return dst


# ---- the neural model (vl-neural-fit.c, vl-neural.h) --------------------------

RANGE_MARGIN = 0.01
FIT_ROWS = 2000


def neural_fit(sample, m):
    """w_enc (m x d), b_enc, w_dec (d x m), b_dec as float32, fitted on
    @sample as vl_neural_fit_pca() does."""
    x = sample.astype(np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    cov = centred.T @ centred / (len(x) - 1)
    vals, vecs = np.linalg.eigh(cov)
    # Largest first; each u_j a row.
    u = vecs[:, np.argsort(-vals, kind="stable")[:m]].T
    p = centred @ u.T
    lo, hi = p.min(axis=0), p.max(axis=0)
    span = hi - lo
    lo = lo - RANGE_MARGIN * span
    span = span * (1.0 + 2.0 * RANGE_MARGIN)
    spread = span > 0.0
    safe = np.where(spread, span, 1.0)
    w_enc = np.where(spread[:, None], u / safe[:, None], 0.0)
    b_enc = np.where(spread, -(u @ mean + lo) / safe, 0.0)
    w_dec = (u * span[:, None]).T
    b_dec = mean + lo @ u
    return tuple(np.ascontiguousarray(a, dtype=np.float32)
                 for a in (w_enc, b_enc, w_dec, b_dec))


def neural_encode_ref(fit, x):
    """Codes and scales in numpy, double dot products (vl-ref-neural.c)."""
    w_enc, b_enc = fit[0].astype(np.float64), fit[1].astype(np.float64)
    h = np.maximum(x.astype(np.float64) @ w_enc.T + b_enc, 0.0)
    h = h.astype(np.float32)
    mx = h.max(axis=1)
    inv = np.where(mx > 0, np.float32(255.0) / np.where(mx > 0, mx, 1),
                   0).astype(np.float32)
    q = h * inv[:, None] + np.float32(0.5)
    codes = np.where(q >= 255.0, 255, q).astype(np.uint8)
    return codes, (mx / np.float32(255.0)).astype(np.float32)


def neural_decode_ref(fit, codes, scales):
    w_dec, b_dec = fit[2].astype(np.float64), fit[3].astype(np.float64)
    return codes.astype(np.float64) @ w_dec.T * scales[:, None] + b_dec


class Neural:
    """A model's weights on the device."""

    def __init__(self, torch, device, fit):
        self.torch = torch
        self.w_enc, self.b_enc, self.w_dec, self.b_dec = (
            torch.from_numpy(a).to(device) for a in fit)

    def encode(self, x):
        torch = self.torch
        h = torch.relu(torch.addmm(self.b_enc, x, self.w_enc.T))
        mx = h.amax(dim=1)
        inv = torch.where(mx > 0, 255.0 / mx, torch.zeros_like(mx))
        q = h * inv.unsqueeze(1) + 0.5
        # Non-negative: the conversion truncates, i.e. floors.
        codes = q.clamp_(max=255.0).to(torch.uint8)
        return codes, mx / 255.0

    def decode(self, codes, scales):
        y = codes.to(self.torch.float32) @ self.w_dec.T
        return y.mul_(scales.unsqueeze(1)).add_(self.b_dec)


# ---- workloads --------------------------------------------------------------
# setup (case) -> state; run (state, phases) does one timed repetition;
# quality (state) -> the report's quality; items and bytes as vectorlab
# counts them.

SAMPLE_ROWS = 256


class Workloads:
    def __init__(self, torch, device):
        self.torch = torch
        self.device = device
        self.fits = {}
        self.cache = {}

    def data(self, make, *args):
        """make (*args), kept for the next cases: a sweep over heads, ops
        or modes reuses its vectors, as generating 1M x 768 takes seconds.
        The three used last (a sweep over n alternates two databases and
        one set of queries), so memory stays bounded."""
        key = (make.__name__,) + args
        value = self.cache.pop(key, None)
        if value is None:
            if len(self.cache) >= 3:
                del self.cache[next(iter(self.cache))]
            value = make(*args)
        self.cache[key] = value
        return value

    def clustered(self, which, n, d):
        """vectorlab's seeded vectors: @which 1 the database (keys), 2 the
        queries (and the neural fit sample)."""
        return self.data(vl_peer.clustered, vl_peer.SEED, which, n, d)

    def host(self, shape, dtype=None):
        """Pageable host memory, as vectorlab's g_try_new results are."""
        return self.torch.empty(shape, dtype=dtype or self.torch.float32)

    def up(self, array):
        return self.torch.from_numpy(array).to(self.device)

    # normalize ------------------------------------------------------------

    def normalize_setup(self, c):
        n, d = int(c["n"]), int(c["d"])
        return {"x": self.clustered(1, n, d),
                "out": self.host((n, d))}

    def normalize_run(self, s, ph):
        x = self.up(s["x"])
        ph.mark("upload")
        cpu = self.device.type == "cpu"
        y = self.torch.nn.functional.normalize(x, dim=1,
                                               out=s["out"] if cpu else None)
        ph.mark("kernel")
        to_host(s["out"], y)
        ph.mark("download")

    def normalize_quality(self, s):
        x = s["x"][:SAMPLE_ROWS].astype(np.float64)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        want = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
        q = vl_peer.compare_values(s["out"][:len(x)].numpy(), want)
        q["sampled"] = len(x)
        return q

    def normalize_items(self, c):
        return int(c["n"])

    def normalize_bytes(self, c):
        return 2.0 * int(c["n"]) * int(c["d"]) * 4

    # similarity -------------------------------------------------------------

    def similarity_setup(self, c):
        n, d = int(c["n"]), int(c["d"])
        return {"x": self.clustered(1, n, d),
                "out": self.host((n, n))}

    def similarity_run(self, s, ph):
        torch = self.torch
        x = self.up(s["x"])
        ph.mark("upload")
        x = torch.nn.functional.normalize(x, dim=1)
        cpu = self.device.type == "cpu"
        y = torch.mm(x, x.T, out=s["out"] if cpu else None)
        ph.mark("kernel")
        to_host(s["out"], y)
        ph.mark("download")

    def similarity_quality(self, s):
        m = min(len(s["x"]), 64)
        x = s["x"][:m].astype(np.float64)
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-300)
        q = vl_peer.compare_values(s["out"][:m, :m].numpy(), x @ x.T)
        q["sampled"] = m
        return q

    def similarity_items(self, c):
        return int(c["n"]) ** 2

    def similarity_bytes(self, c):
        n = int(c["n"])
        return (n * int(c["d"]) + n * n) * 4.0

    # neural (neural-quant, decode-breakdown) ----------------------------------

    def fit(self, config):
        if config not in self.fits:
            d, m = (int(v) for v in config.split("-"))
            sample = self.clustered(2, FIT_ROWS, d)
            self.fits[config] = neural_fit(sample, m)
        return self.fits[config]

    def neural_setup(self, c):
        torch = self.torch
        n = int(c["n"])
        fit = self.fit(c["config"])
        d, m = fit[2].shape
        s = {"op": c["op"], "fit": fit, "model": Neural(torch, self.device, fit),
             "x": self.clustered(1, n, d),
             "codes": self.host((n, m), torch.uint8), "scales": self.host(n),
             "out": self.host((n, d)) if c["op"] == "decode" else None}
        if c["op"] != "encode":
            # The codes a decode case decodes, made once.
            codes, scales = s["model"].encode(self.up(s["x"]))
            s["codes"].copy_(codes)
            s["scales"].copy_(scales)
        return s

    def neural_run(self, s, ph):
        model = s["model"]
        if s["op"] == "encode":
            x = self.up(s["x"])
            ph.mark("upload")
            codes, scales = model.encode(x)
            ph.mark("kernel")
            to_host(s["codes"], codes)
            to_host(s["scales"], scales)
            ph.mark("download")
            return
        codes = s["codes"].to(self.device)
        scales = s["scales"].to(self.device)
        ph.mark("upload")
        y = model.decode(codes, scales)
        ph.mark("kernel")
        if s["op"] == "decode-host":
            # A new host matrix every call, as decode-host allocates one.
            s["out"] = self.host(tuple(y.shape))
        to_host(s["out"], y)
        ph.mark("download")

    def neural_quality(self, s):
        rows = min(len(s["x"]), SAMPLE_ROWS)
        if s["op"] == "encode":
            codes, _ = neural_encode_ref(s["fit"], s["x"][:rows])
            q = vl_peer.compare_values(s["codes"][:rows].numpy(), codes)
        else:
            want = neural_decode_ref(s["fit"], s["codes"][:rows].numpy(),
                                     s["scales"][:rows].numpy())
            q = vl_peer.compare_values(s["out"][:rows].numpy(), want)
        q["sampled"] = rows
        return q

    def neural_items(self, c):
        return int(c["n"])

    def neural_bytes(self, c):
        d, m = (int(v) for v in c["config"].split("-"))
        return int(c["n"]) * (d * 4.0 + m + 4)

    # attention ----------------------------------------------------------------

    def attention_setup(self, c):
        torch = self.torch
        n, d, nq, heads, dh = (int(c[k]) for k in ("n", "d", "nq", "heads",
                                                    "dh"))
        rows = heads * dh
        bound = 1.0 / np.sqrt(d)
        wq = vl_peer.grand_range(vl_peer.SEED + 1, rows * d, -bound, bound)
        wk = vl_peer.grand_range(vl_peer.SEED + 2, rows * d, -bound, bound)
        wq, wk = wq.reshape(rows, d), wk.reshape(rows, d)
        keys = self.clustered(1, n, d)
        # The keys projected once, as the index caches them.
        kp = torch.mm(self.up(keys), self.up(wk).T)
        return {"k": min(int(c["k"]), n), "keys": keys, "wq": wq, "wk": wk,
                "wq_dev": self.up(wq), "kp": kp,
                "queries": self.clustered(2, nq, d),
                "scale": np.float32(1.0 / (heads * np.sqrt(dh)))}

    def attention_run(self, s, ph):
        torch = self.torch
        q = self.up(s["queries"])
        ph.mark("upload")
        qp = torch.mm(q, s["wq_dev"].T).mul_(float(s["scale"]))
        top = torch.topk(torch.mm(qp, s["kp"].T), s["k"], dim=1, largest=True,
                         sorted=True)
        ph.mark("kernel")
        s["ids"], s["scores"] = top.indices.cpu(), top.values.cpu()
        ph.mark("download")

    def attention_quality(self, s):
        m = min(len(s["queries"]), 4)
        ids = s["ids"][:m].numpy()
        qp = s["queries"][:m].astype(np.float64) @ s["wq"].T.astype(np.float64)
        want = np.empty(ids.shape)
        for row in range(m):
            kp = s["keys"][ids[row]].astype(np.float64) @ s["wk"].T
            want[row] = kp @ qp[row] * float(s["scale"])
        q = vl_peer.compare_values(s["scores"][:m].numpy(), want)
        q["sampled"] = m
        return q

    def attention_items(self, c):
        return int(c["nq"]) * int(c["n"])

    def attention_bytes(self, c):
        p = int(c["heads"]) * int(c["dh"])
        return (int(c["n"]) * p + int(c["nq"]) * int(c["d"])) * 4.0

    # learned-distance -----------------------------------------------------------

    def _index(self, db, metric):
        torch = self.torch
        if metric == "cosine":
            db = torch.nn.functional.normalize(db, dim=1)
        return db, (db * db).sum(dim=1) if metric == "l2" else None

    def _search(self, index, q, metric, k):
        """The k best of each query: squared L2 (smallest first), inner
        product or cosine (largest first), with the scores."""
        torch = self.torch
        db, norms = index
        if metric == "cosine":
            q = torch.nn.functional.normalize(q, dim=1)
        scores = torch.mm(q, db.T)
        if metric == "l2":
            scores = (norms.unsqueeze(0) - 2.0 * scores).add_(
                (q * q).sum(dim=1, keepdim=True))
        return torch.topk(scores, k, dim=1, largest=metric != "l2",
                          sorted=True)

    def learned_setup(self, c):
        n, d, p, nq = (int(c[k]) for k in ("n", "d", "p", "nq"))
        bound = 1.0 / np.sqrt(d)
        proj = vl_peer.grand_range(vl_peer.SEED + 3, p * d, -bound,
                                   bound).reshape(p, d)
        mode = "plain" if c["path"] == "plain" else c["mode"]
        s = {"mode": mode, "metric": c["metric"], "k": min(int(c["k"]), n),
             "db": self.clustered(1, n, d),
             "queries": self.clustered(2, nq, d),
             "proj": proj, "proj_dev": self.up(proj)}
        if mode == "plain":
            s["index"] = self._index(self.up(s["db"]), s["metric"])
        elif mode == "projected":
            s["index"] = self._index(
                self.torch.mm(self.up(s["db"]), s["proj_dev"].T), s["metric"])
        return s

    def learned_run(self, s, ph):
        torch = self.torch
        if s["mode"] == "uncached":
            # No cache: the database goes up, is projected and indexed in
            # every run.
            index = self._index(torch.mm(self.up(s["db"]), s["proj_dev"].T),
                                s["metric"])
        else:
            index = s["index"]
        q = self.up(s["queries"])
        ph.mark("upload")
        if s["mode"] != "plain":
            q = torch.mm(q, s["proj_dev"].T)
        top = self._search(index, q, s["metric"], s["k"])
        ph.mark("kernel")
        s["ids"], s["scores"] = top.indices.cpu(), top.values.cpu()
        ph.mark("download")

    def learned_quality(self, s):
        m = min(len(s["queries"]), 4)
        ids = s["ids"][:m].numpy()
        q = s["queries"][:m].astype(np.float64)
        proj = s["proj"].astype(np.float64)
        if s["mode"] != "plain":
            q = q @ proj.T
        want = np.empty(ids.shape)
        for row in range(m):
            x = s["db"][ids[row]].astype(np.float64)
            if s["mode"] != "plain":
                x = x @ proj.T
            if s["metric"] == "l2":
                want[row] = ((x - q[row]) ** 2).sum(axis=1)
            elif s["metric"] == "ip":
                want[row] = x @ q[row]
            else:
                want[row] = x @ q[row] / (np.linalg.norm(x, axis=1)
                                          * np.linalg.norm(q[row]))
        out = vl_peer.compare_values(s["scores"][:m].numpy(), want)
        out["sampled"] = m
        return out

    def learned_items(self, c):
        return int(c["nq"])

    def learned_bytes(self, c):
        n, d, p = int(c["n"]), int(c["d"]), int(c["p"])
        mode = "plain" if c["path"] == "plain" else c["mode"]
        return n * {"plain": d, "projected": p, "uncached": d + p}[mode] * 4.0

    # compression ----------------------------------------------------------------

    def compression_setup(self, c):
        torch = self.torch
        n, d, method = int(c["n"]), int(c["d"]), c["method"]
        data = self.data(make_dataset, c["dataset"], n + COMPRESSION_QUERIES,
                         d)
        s = {"n": n, "d": d, "method": method, "data": data}
        db = data[:n]
        if method.startswith("sq"):
            s["levels"] = 255 if method == "sq8" else 15
            lo, hi = db.min(axis=0), db.max(axis=0)
            s["min"], s["max"] = self.up(lo), self.up(hi)
            s["codes"] = self.host((n, d if method == "sq8" else (d + 1) // 2),
                                   torch.uint8)
        else:
            m = int(method[len("neural-"):])
            s["fit"] = neural_fit(db, m)
            s["model"] = Neural(torch, self.device, s["fit"])
            s["codes"] = self.host((n, m), torch.uint8)
            s["scales"] = self.host(n)
        return s

    def sq_encode(self, s, x):
        """vl-sq.h's codes: round ((x - min) / range * L), clamped; SQ4 packs
        the even dimension into the low nibble."""
        torch = self.torch
        rng = s["max"] - s["min"]
        t = (x - s["min"]) / torch.where(rng > 0, rng, torch.ones_like(rng))
        t = torch.where(rng > 0, t * s["levels"], torch.zeros_like(t))
        codes = torch.floor(t + 0.5).clamp_(0, s["levels"]).to(torch.uint8)
        if s["levels"] == 15:
            if codes.shape[1] % 2:
                codes = torch.nn.functional.pad(codes, (0, 1))
            codes = codes[:, 0::2] | (codes[:, 1::2] << 4)
        return codes

    def sq_decode(self, s, codes):
        torch = self.torch
        if s["levels"] == 15:
            codes = torch.stack((codes & 15, codes >> 4), dim=2).flatten(1)
            codes = codes[:, :s["d"]]
        rng = s["max"] - s["min"]
        return s["min"] + codes.to(torch.float32) * (rng / s["levels"])

    def compression_run(self, s, ph):
        x = self.up(s["data"][:s["n"]])
        ph.mark("upload")
        if "fit" in s:
            codes, scales = s["model"].encode(x)
        else:
            codes = self.sq_encode(s, x)
        ph.mark("kernel")
        to_host(s["codes"], codes)
        if "fit" in s:
            to_host(s["scales"], scales)
        ph.mark("download")

    def compression_quality(self, s):
        torch = self.torch
        n, k = s["n"], min(10, s["n"])
        codes = s["codes"].to(self.device)
        if "fit" in s:
            dec = s["model"].decode(codes, s["scales"].to(self.device))
            ratio = s["d"] * 4.0 / (codes.shape[1] + 4)
        else:
            dec = self.sq_decode(s, codes)
            ratio = s["d"] * 4.0 / codes.shape[1]
        data = self.up(s["data"])
        db, queries = data[:n], data[n:]
        mse = ((dec.double() - db.double()) ** 2).mean().item()
        truth = self._search(self._index(db, "l2"), queries, "l2", k).indices
        found = self._search(self._index(dec, "l2"), queries, "l2", k).indices
        hits = (found.unsqueeze(2) == truth.unsqueeze(1)).sum().item()
        return {"mse": mse, "recall": hits / (len(queries) * k),
                "compression_ratio": ratio, "reference": "torch",
                "sampled": len(queries)}

    def compression_items(self, c):
        return int(c["n"])

    def compression_bytes(self, c):
        return int(c["n"]) * int(c["d"]) * 4.0


WORKLOAD_METHODS = {"normalize": "normalize", "similarity": "similarity",
                    "neural": "neural", "attention": "attention",
                    "learned-distance": "learned",
                    "compression": "compression"}


# ---- the compression datasets (vl-bench-suite-compression.c) ---------------------

COMPRESSION_QUERIES = 100
LATENT = 96
CLUSTERS = 32
NOISE_SHARE = 0.01
DATASET_CHUNK = 4096


def make_dataset(dataset, rows, d):
    """make_dataset() of the compression suite: the same GRand draws in
    the same order, so the same vectors up to libm's last bit."""
    gen = vl_peer.grand(vl_peer.SEED)
    out = np.empty((rows, d), dtype=np.float32)
    if dataset == "gaussian":
        for start in range(0, rows, DATASET_CHUNK):
            stop = min(rows, start + DATASET_CHUNK)
            words = gen.random_raw(4 * (stop - start) * d)
            out[start:stop] = vl_peer.grand_normals(words).reshape(-1, d)
        return out
    sigma = np.sqrt(1.0 / (1.0 + np.arange(LATENT) / 4.0))
    signal = (1.25 * sigma * sigma).sum()
    basis = (vl_peer.grand_normals(gen.random_raw(4 * LATENT * d))
             / np.sqrt(d)).reshape(LATENT, d)
    centroids = sigma * vl_peer.grand_normals(
        gen.random_raw(4 * CLUSTERS * LATENT)).reshape(CLUSTERS, LATENT)
    noise = np.sqrt(NOISE_SHARE / (1.0 - NOISE_SHARE) * signal / d)
    per_row = 1 + 4 * LATENT + 4 * d  # the cluster, z, then the noise
    for start in range(0, rows, DATASET_CHUNK):
        stop = min(rows, start + DATASET_CHUNK)
        words = gen.random_raw(per_row * (stop - start)).reshape(-1, per_row)
        which = (words[:, 0] % np.uint64(CLUSTERS)).astype(np.int64)
        z = centroids[which] + 0.5 * sigma * vl_peer.grand_normals(
            words[:, 1:1 + 4 * LATENT].ravel()).reshape(-1, LATENT)
        v = noise * vl_peer.grand_normals(
            words[:, 1 + 4 * LATENT:].ravel()).reshape(-1, d) + z @ basis
        norm = np.sqrt((v * v).sum(axis=1, keepdims=True))
        out[start:stop] = v.astype(np.float32).astype(np.float64) / norm
    return out


# ---- main -------------------------------------------------------------------

def main():
    args = parse_args()
    try:
        import torch
    except ImportError:
        print("ml_torch: PyTorch is not installed; nothing to compare",
              file=sys.stderr)
        sys.exit(2)

    device, info = vl_peer.torch_setup(torch)
    cuda = device.type == "cuda"
    suite = SUITES[args.suite]
    ctx = vl_peer.context("torch", torch.__version__, info, args.repetitions,
                          args.warmups, suite=args.suite)
    workloads = Workloads(torch, device)
    prefix = WORKLOAD_METHODS[suite["workload"]]
    setup, run, quality, items, nbytes = (
        getattr(workloads, "%s_%s" % (prefix, what))
        for what in ("setup", "run", "quality", "items", "bytes"))

    def sync():
        if cuda:
            torch.cuda.synchronize()

    benchmarks = []
    for case in args.cases:
        name = case_name(suite, case)
        if cuda:
            torch.cuda.empty_cache()
        state = setup(case)
        sync()
        if cuda:
            # What setup keeps (keys, indexes, models) counts; its
            # temporaries do not, as in knn_torch.
            torch.cuda.reset_peak_memory_stats(device)
        vl_peer.warm_up(lambda: (run(state, Phases(torch, False)), sync()),
                        args.warmups)
        samples, cpu, phases = [], [], []
        for _ in range(args.repetitions):
            c0 = time.process_time()
            t0 = time.perf_counter()
            ph = Phases(torch, cuda)
            run(state, ph)
            sync()
            samples.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
            phases.append(ph.times())
        peak = torch.cuda.max_memory_allocated(device) if cuda else None
        breakdown = ({p: float(np.median([t.get(p, 0.0) for t in phases]))
                      for p in ("upload", "kernel", "download")}
                     if cuda else None)
        q = quality(state)
        st = vl_peer.stats(samples)
        print("%-64s %10.3f ms (p95 %.3f)  %s" % (
            name, st["median"], st["p95"],
            "  ".join("%s %.3g" % (key, q[key])
                      for key in ("max_abs_err", "recall", "mse")
                      if q.get(key) is not None)), file=sys.stderr)
        benchmarks.append(vl_peer.record(
            name, case_params(suite, case), suite["count"], suite["label"],
            items(case), nbytes(case), samples, cpu, q, breakdown, peak))
        del state
    vl_peer.write_report(args.output, ctx, benchmarks)


if __name__ == "__main__":
    main()
