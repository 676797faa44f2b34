#!/usr/bin/python3
"""knn_numpy_check.py: acceptance check of `vectorlab-bench knn` against a
numpy brute force.

Writes random float32 databases and queries (as .npy in format versions 1.0,
2.0 and 3.0, and as .fvecs), runs `vectorlab-bench knn -o OUT.json` for every
metric, and checks the ids against numpy's argsort over float64 scores.
Ids are compared as sets by value: an id is right when its true score is
within the tolerance of the true k-th score, so any correct tie-break passes
(ties are planted on purpose: duplicated database rows).

Run with the system python, which has numpy:
    /usr/bin/python3 tests/peers/knn_numpy_check.py --cli _build/src/cli/vectorlab-bench
Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

TOLERANCE = 1e-4


def scores(metric, q, db):
    q = q.astype(np.float64)
    db = db.astype(np.float64)
    if metric == "l2":
        return ((q[:, None, :] - db[None, :, :]) ** 2).sum(-1)
    if metric == "ip":
        return q @ db.T
    qn = np.linalg.norm(q, axis=1, keepdims=True)
    dn = np.linalg.norm(db, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (q @ db.T) / (qn * dn.T)
    return np.where((qn > 0) & (dn.T > 0), s, 0.0)


def save_npy(path, array, version):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version)


def save_fvecs(path, array):
    d = array.shape[1]
    rows = np.empty((array.shape[0], d + 1), dtype="<i4")
    rows[:, 0] = d
    rows[:, 1:] = array.astype("<f4").view("<i4")
    rows.tofile(path)


def check(cli, device, metric, db_path, q_path, db, q, k, out_path):
    cmd = [cli, "knn", "--database", db_path, "--queries", q_path,
           "-k", str(k), "--metric", metric, "-d", device, "-o", out_path]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        return False, "exit %d: %s" % (run.returncode, run.stderr.strip())
    with open(out_path) as f:
        result = json.load(f)
    ids = np.asarray(result["ids"], dtype=np.int64)
    got = np.asarray(result["distances"], dtype=np.float64)
    if ids.shape != (q.shape[0], k) or got.shape != ids.shape:
        return False, "shape %s, expected %s" % (ids.shape, (q.shape[0], k))

    truth = scores(metric, q, db)
    similarity = metric != "l2"
    key = -truth if similarity else truth
    order = np.argsort(key, axis=1, kind="stable")[:, :k]
    kth = np.take_along_axis(truth, order[:, k - 1:k], axis=1)
    slack = TOLERANCE * np.maximum(np.abs(kth), 1.0)

    if (ids < 0).any() or (ids >= db.shape[0]).any():
        return False, "ids out of range"
    if any(len(set(row)) != k for row in ids.tolist()):
        return False, "duplicate ids in a result row"
    true_of_ids = np.take_along_axis(truth, ids, axis=1)
    right = true_of_ids >= kth - slack if similarity else true_of_ids <= kth + slack
    recall = right.mean()
    score_err = (np.abs(got - true_of_ids)
                 / np.maximum(np.abs(true_of_ids), 1.0)).max()
    same_ids = (ids == order).mean()
    ok = recall == 1.0 and score_err <= TOLERANCE
    return ok, ("recall %.4f (by value), ids equal to argsort %.1f%%, "
                "max score error %.2e" % (recall, 100 * same_ids, score_err))


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", default=os.path.join(root, "_build", "src", "cli", "vectorlab-bench"))
    parser.add_argument("--device", default="auto")
    parser.add_argument("-n", type=int, default=5003)
    parser.add_argument("-d", type=int, default=97)
    parser.add_argument("--nq", type=int, default=37)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    db = rng.standard_normal((args.n, args.d)).astype(np.float32)
    q = rng.standard_normal((args.nq, args.d)).astype(np.float32)
    # Ties: rows 10..19 repeat rows 0..9, and query 0 is database row 3.
    db[10:20] = db[0:10]
    q[0] = db[3]

    failures = 0
    with tempfile.TemporaryDirectory(prefix="vl-knn-check-") as tmp:
        out_path = os.path.join(tmp, "out.json")
        inputs = []
        for version in [(1, 0), (2, 0), (3, 0)]:
            db_path = os.path.join(tmp, "db-v%d.npy" % version[0])
            q_path = os.path.join(tmp, "q-v%d.npy" % version[0])
            save_npy(db_path, db, version)
            save_npy(q_path, q, version)
            inputs.append(("npy %d.0" % version[0], db_path, q_path))
        db_path = os.path.join(tmp, "db.fvecs")
        q_path = os.path.join(tmp, "q.fvecs")
        save_fvecs(db_path, db)
        save_fvecs(q_path, q)
        inputs.append(("fvecs", db_path, q_path))

        for metric in ["l2", "ip", "cosine"]:
            for label, db_path, q_path in inputs:
                ok, message = check(args.cli, args.device, metric, db_path,
                                    q_path, db, q, args.k, out_path)
                print("%-7s %-8s n=%d d=%d nq=%d k=%d: %s  %s"
                      % (metric, label, args.n, args.d, args.nq, args.k,
                         message, "ok" if ok else "FAIL"))
                failures += not ok
    print("%s" % ("all checks passed" if failures == 0 else "%d checks FAILED" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
