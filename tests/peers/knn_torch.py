#!/usr/bin/python3
"""The knn suite on PyTorch (GPU where present), written as a vectorlab
report with the same benchmark names, so that

    vectorlab-bench run knn -d opencl:0 -p n=1000000 -p d=768 -p nq=1,16,1024 -o vl.json
    python3 tests/peers/knn_torch.py -p n=1000000 -p d=768 -p nq=1,16,1024 -o torch.json
    vectorlab-bench compare torch.json vl.json

puts the two side by side (ratio = vectorlab / PyTorch time).

What is timed matches vectorlab's knn case end to end: the database lives
on the device (uploaded in setup, with its norms); a repetition uploads the
queries, computes the scores with one fp32 matmul (TF32 off), takes topk
and copies ids back to the host, then synchronises.  CUDA events give the
device part (breakdown.kernel).  Same seeded data as vectorlab.  Without
torch the script says so and exits with status 2; importing it needs only
numpy.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vl_peer  # noqa: E402


class Searcher:
    """Exact k-NN over a database held on @device."""

    def __init__(self, torch, device, database, metric):
        self.torch = torch
        self.device = device
        self.metric = metric
        x = torch.from_numpy(database).to(device)
        if metric == "cosine":
            x = torch.nn.functional.normalize(x, dim=1)
        self.database = x
        # ||x||^2 once, so L2 is a matmul: |q|^2 - 2 q.x + |x|^2
        self.norms = (x * x).sum(dim=1) if metric == "l2" else None

    def search(self, queries, k):
        torch = self.torch
        q = torch.from_numpy(queries).to(self.device, non_blocking=False)
        if self.metric == "cosine":
            q = torch.nn.functional.normalize(q, dim=1)
        scores = q @ self.database.T
        if self.metric == "l2":
            # |q|^2 is the same for every candidate of a query: rank by
            # |x|^2 - 2 q.x, smallest first.
            scores = self.norms.unsqueeze(0) - 2.0 * scores
            ids = torch.topk(scores, k, dim=1, largest=False, sorted=True).indices
        else:
            ids = torch.topk(scores, k, dim=1, largest=True, sorted=True).indices
        return ids


def main():
    args = vl_peer.parse_args(__doc__.splitlines()[0])
    try:
        import torch
    except ImportError:
        print("knn_torch: PyTorch is not installed; nothing to compare",
              file=sys.stderr)
        sys.exit(2)

    # Full fp32, like vectorlab's kernels: no TF32 tensor-core shortcuts.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    if cuda:
        props = torch.cuda.get_device_properties(device)
        info = {"id": "cuda:%d" % torch.cuda.current_device(),
                "backend": "torch-cuda", "name": props.name,
                "vendor": "NVIDIA", "driver": torch.version.cuda or "",
                "platform": "", "is_gpu": True,
                "compute_units": props.multi_processor_count,
                "global_mem_bytes": props.total_memory}
    else:
        info = {"id": "cpu", "backend": "torch-cpu",
                "name": vl_peer.cpu_name(), "vendor": "", "driver": "",
                "platform": "", "is_gpu": False,
                "compute_units": os.cpu_count() or 1}
    ctx = vl_peer.context("torch", torch.__version__, info, args.repetitions,
                          args.warmups)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    benchmarks = []
    searcher_key, searcher, database = None, None, None
    for case in args.cases:
        n, d, nq, k = (int(case[key]) for key in ("n", "d", "nq", "k"))
        metric = case["metric"]
        if k > n:
            sys.exit("knn_torch: %s: k = %d exceeds the database size n = %d"
                     % (vl_peer.case_name(case), k, n))
        if searcher_key != (n, d, metric):
            searcher = None
            if cuda:
                torch.cuda.empty_cache()
            database = vl_peer.knn_database(n, d)
            searcher = Searcher(torch, device, database, metric)
            searcher_key = (n, d, metric)
        queries = vl_peer.knn_queries(nq, d)
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)

        vl_peer.warm_up(lambda: searcher.search(queries, k).cpu(),
                        args.warmups)
        sync()
        samples, cpu, kernel = [], [], []
        for _ in range(args.repetitions):
            c0 = time.process_time()
            t0 = time.perf_counter()
            if cuda:
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
            ids = searcher.search(queries, k)
            if cuda:
                end.record()
            ids = ids.cpu()
            sync()
            samples.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
            if cuda:
                kernel.append(start.elapsed_time(end))
        ids = ids.numpy()
        quality = vl_peer.recall(database, queries, ids, k, metric)
        vl_peer.print_row(vl_peer.case_name(case), samples, quality)
        breakdown = {"kernel": sorted(kernel)[len(kernel) // 2]} if kernel else None
        peak = torch.cuda.max_memory_allocated(device) if cuda else None
        benchmarks.append(vl_peer.benchmark(case, samples, cpu, quality,
                                            breakdown, peak))
    vl_peer.write_report(args.output, ctx, benchmarks)


if __name__ == "__main__":
    main()
