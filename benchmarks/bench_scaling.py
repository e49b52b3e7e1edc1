"""Growth with E: time and peak memory of uniform, degree, structural and HeaRT
from 10^4 to 10^7 edges, with PyG's ``negative_sampling`` beside them.

Graphs ``barabasi_albert(N, 5)`` for ``N`` in ``--sizes`` (default 1e3 .. 1e6:
~10^4 .. 10^7 edge columns). Per graph, medians of ``--reps`` calls:

* uniform and degree (alpha = 0.75): one negative per edge column, a fresh sampler
  per call (the exclusion index is built every call);
* structural (2 hops, uniform) and HeaRT (RA, top 20): one negative for each of
  ``min(E, --max-hard)`` random edge columns (default 10^5: their cost grows with
  the anchors' 2-hop neighbourhoods, so they are timed per negative at a fixed
  count; the column says how many);
* PyG ``negative_sampling(edge_index, N, E)``.

Peak memory is the ``tracemalloc`` peak (numpy / scipy buffers) and the peak RSS
above the RSS before the call (everything; Linux). The last lines fit
``log t = a + b log E`` over the sizes (least squares) and print ``b`` per method.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_scaling.py [--reps 3]
[--sizes 1000 10000 100000 1000000] [--max-hard 100000] [--clock cpu]``
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
from torch_geometric.utils import negative_sampling

from graphneg.generators import barabasi_albert
from graphneg.samplers import (
    DegreeNegativeSampler, HeuristicHardNegativeSampler, StructuralNegativeSampler,
    UniformNegativeSampler,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402
from bench_samplers import peak_bytes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--max-hard", type=int, default=100_000,
                        help="positives of the structural / HeaRT calls (at most E)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="time per call: wall (perf_counter) or this process's CPU time "
                             "(process_time: steadier on a shared machine)")
    args = parser.parse_args()
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    methods = ["uniform", "degree", "structural", "heart", "PyG negative_sampling"]
    times = {m: [] for m in methods}
    edges = []
    print(f"{'E':>11} {'method':24} {'negatives':>10} {'time':>10} {'per neg':>9} "
          f"{'tracemalloc':>12} {'RSS +':>10}")
    for n in args.sizes:
        ei = barabasi_albert(n, 5, seed=0).edge_index
        e = ei.size(1)
        edges.append(e)
        g = torch.Generator().manual_seed(0)
        hard = ei[:, torch.randperm(e, generator=g)[:min(e, args.max_hard)]]
        calls = {
            "uniform": (lambda: UniformNegativeSampler(1, seed=0).sample(ei, n), e),
            "degree": (lambda: DegreeNegativeSampler(1, alpha=0.75, seed=0).sample(ei, n), e),
            "structural": (lambda: StructuralNegativeSampler(1, seed=0).sample(
                ei, n, pos_edge_index=hard), hard.size(1)),
            "heart": (lambda: HeuristicHardNegativeSampler(1, top_k=20, seed=0).sample(
                ei, n, pos_edge_index=hard), hard.size(1)),
            "PyG negative_sampling": (lambda: negative_sampling(ei, n, num_neg_samples=e), e),
        }
        for name in methods:
            fn, count = calls[name]
            t, _ = median_time(fn, args.reps, clock)
            peak, rss = peak_bytes(fn)
            times[name].append(t / count)
            print(f"{e:11,d} {name:24} {count:10,d} {t * 1e3:8.1f}ms {t / count * 1e9:7.0f}ns "
                  f"{peak / 1e6:10.1f}MB {rss / 1e6:8.1f}MB")
    if len(edges) >= 2:
        print("\nfitted exponent b of time per negative ~ E^b (0: flat in E):")
        x = np.log(np.asarray(edges, dtype=float))
        for name in methods:
            b = np.polyfit(x, np.log(np.asarray(times[name])), 1)[0]
            whole = (f"per call with E negatives ~ E^{1 + b:.2f}" if name not in
                     ("structural", "heart") else "fixed number of negatives per call")
            print(f"    {name:24} b = {b:+.2f}   ({whole})")


if __name__ == "__main__":
    main()
