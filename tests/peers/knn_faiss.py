#!/usr/bin/python3
"""The knn suite on FAISS (CPU, exact IndexFlat), written as a vectorlab
report with the same benchmark names, so that

    vectorlab-bench run knn -d cpu -p n=100000 -p nq=1,16,1024 -o vl.json
    /usr/bin/python3 tests/peers/knn_faiss.py -p n=100000 -p nq=1,16,1024 -o faiss.json
    vectorlab-bench compare faiss.json vl.json

puts the two side by side (ratio = vectorlab / FAISS time).  Same seeded
data as vectorlab; the index is built outside timing, as vectorlab builds
its index in setup; cosine normalises the queries inside timing.  Needs
numpy and faiss (Debian: python3-numpy python3-faiss).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vl_peer  # noqa: E402


def build_index(faiss, database, metric):
    d = database.shape[1]
    if metric == "l2":
        index = faiss.IndexFlatL2(d)
    else:
        index = faiss.IndexFlatIP(d)
        if metric == "cosine":
            database = database.copy()
            faiss.normalize_L2(database)
    index.add(database)
    return index


def search(faiss, index, queries, k, metric):
    if metric == "cosine":
        queries = queries.copy()
        faiss.normalize_L2(queries)
    return index.search(queries, k)[1]


def main():
    args = vl_peer.parse_args(__doc__.splitlines()[0])
    try:
        import faiss
    except ImportError:
        sys.exit("knn_faiss: faiss is not installed (Debian: python3-faiss)")

    device = {"id": "cpu", "backend": "faiss", "name": vl_peer.cpu_name(),
              "vendor": "", "driver": "", "platform": "", "is_gpu": False,
              "compute_units": os.cpu_count() or 1}
    ctx = vl_peer.context("faiss", faiss.__version__, device,
                          args.repetitions, args.warmups)
    benchmarks = []
    index_key = None
    for case in args.cases:
        n, d, nq, k = (int(case[key]) for key in ("n", "d", "nq", "k"))
        metric = case["metric"]
        if k > n:
            sys.exit("knn_faiss: %s: k = %d exceeds the database size n = %d"
                     % (vl_peer.case_name(case), k, n))
        if index_key != (n, d, metric):
            database = vl_peer.knn_database(n, d)
            index = build_index(faiss, database, metric)
            index_key = (n, d, metric)
        queries = vl_peer.knn_queries(nq, d)

        vl_peer.warm_up(lambda: search(faiss, index, queries, k, metric),
                        args.warmups)
        samples, cpu = [], []
        for _ in range(args.repetitions):
            c0 = time.process_time()
            t0 = time.perf_counter()
            ids = search(faiss, index, queries, k, metric)
            samples.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        quality = vl_peer.recall(database, queries, ids, k, metric)
        vl_peer.print_row(vl_peer.case_name(case), samples, quality)
        benchmarks.append(vl_peer.benchmark(case, samples, cpu, quality))
    vl_peer.write_report(args.output, ctx, benchmarks)


if __name__ == "__main__":
    main()
