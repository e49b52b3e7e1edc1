"""The slow corners: dense neighbourhoods and 3-hop rings, new paths vs the previous ones.

Each case runs the current sampler and, in the same process, the previous design
(the same sampler with the new paths switched off: sparse ring/score builds and
2-path proposals for every anchor, enumerated rings for 3 hops), so every ratio is
measured in one run on one (shared) machine.

1. ``erdos_renyi(N, 0.9)`` (``N = 1000``: ~9 x 10^5 edge columns), 161,000 positives,
   one negative each: ``StructuralNegativeSampler`` (2 hops, uniform and
   common-neighbour weights) and ``HeuristicHardNegativeSampler`` (RA, top 20),
   beside ``UniformNegativeSampler`` on the same positives. Target: >= 20x.
2. k-hop uniform rings (``--hops``, default 3) on ``barabasi_albert(100_000, 5)``: 1,000 positives x 10
   negatives, negatives/s of the first call (builds everything) and of a second
   call on the same graph (a training loop: the index and graph tables are reused).
   Target: >= 50k negatives/s.

The previous design is slow by nature (it is what this benchmark is about), so it
runs ``--old-reps`` times (default 1); the new paths ``--reps`` times (median).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_slow_corners.py [--reps 3]
[--old-reps 1] [--quick] [--hops 3 4 5] [--only dense|hops]`` (``--quick``: N = 400 and
20,000 positives; 10^4 nodes). Case [2] prints wall and CPU (process time) rates.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

import torch

from graphneg.generators import barabasi_albert, erdos_renyi
from graphneg.samplers import (
    HeuristicHardNegativeSampler, StructuralNegativeSampler, UniformNegativeSampler, structural,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


@contextlib.contextmanager
def previous_design():
    """Switch the dense builds, cost routing and 3-hop proposals off (the design before)."""
    saved = (structural._DENSE_MIN_NODES, structural._ROUTE_MIN_PATHS,
             StructuralNegativeSampler._propose)

    def propose(self, anchors, generator, ctx):
        if self.num_hops == 2:
            return self._propose_paths(anchors, generator, ctx)
        return self._propose_rows(anchors, generator, ctx)

    structural._DENSE_MIN_NODES = structural._ROUTE_MIN_PATHS = 10 ** 18
    StructuralNegativeSampler._propose = propose
    try:
        yield
    finally:
        (structural._DENSE_MIN_NODES, structural._ROUTE_MIN_PATHS,
         StructuralNegativeSampler._propose) = saved


def positives(edge_index: torch.Tensor, num: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return edge_index[:, torch.randperm(edge_index.size(1), generator=g)[:num]]


def dense_case(n: int, num_pos: int, reps: int, old_reps: int) -> None:
    ei = erdos_renyi(n, 0.9, seed=0).edge_index
    pos = positives(ei, num_pos)
    print(f"\n[1] erdos_renyi({n}, 0.9): {ei.size(1):,} edge columns, {pos.size(1):,} positives, "
          f"one negative each (new: median of {reps}, previous: {old_reps})")
    t_uni, _ = median_time(lambda: UniformNegativeSampler(1, seed=0).sample(
        ei, n, pos_edge_index=pos), reps)
    print(f"    {'uniform (reference)':28s} {t_uni:8.2f} s")
    for name, make in [
            ("structural 2-hop uniform", lambda: StructuralNegativeSampler(1, seed=0)),
            ("structural 2-hop CN", lambda: StructuralNegativeSampler(
                1, weight="common_neighbors", seed=0)),
            ("HeaRT RA top-20", lambda: HeuristicHardNegativeSampler(1, top_k=20, seed=0))]:
        call = (lambda: make().sample(ei, n, pos_edge_index=pos))
        t_new, _ = median_time(call, reps)
        with previous_design():
            t_old, _ = median_time(call, old_reps)
        print(f"    {name:28s} {t_new:8.2f} s   previous {t_old:8.2f} s   "
              f"previous / new = {t_old / t_new:6.1f}x (target >= 20)   "
              f"new / uniform = {t_new / t_uni:5.1f}x")


def three_hop_case(n: int, num_pos: int, k: int, reps: int, old_reps: int,
                   hops: int = 3) -> None:
    ei = barabasi_albert(n, 5, seed=0).edge_index
    pos = positives(ei, num_pos)
    total = pos.size(1) * k
    print(f"\n[2] {hops}-hop uniform rings, barabasi_albert({n:,}, 5): {pos.size(1):,} "
          f"positives x {k}")

    def first_and_second(reps_: int):
        """Median wall and CPU (process time) seconds of a first and a second call."""
        times = []
        for _ in range(reps_):
            sampler = StructuralNegativeSampler(k, num_hops=hops, seed=0)
            row = []
            for _call in range(2):
                tic, cpu = time.perf_counter(), time.process_time()
                sampler.sample(ei, n, pos_edge_index=pos)
                row.append((time.perf_counter() - tic, time.process_time() - cpu))
            times.append(row)
        return [tuple(sorted(r[i][j] for r in times)[len(times) // 2] for j in (0, 1))
                for i in (0, 1)]

    new = first_and_second(reps)
    if hops > 3:   # the previous design enumerated (A + I)^k rows: about N per anchor here
        for label, i in (("first call", 0), ("second call (training loop)", 1)):
            print(f"    {label:28s} new {total / new[i][0]:10,.0f} neg/s (cpu "
                  f"{total / new[i][1]:8,.0f})   previous not run (enumerated rings)   "
                  f"(target >= 50,000 neg/s)")
        return
    with previous_design():
        old = first_and_second(old_reps)
    for label, i in (("first call", 0), ("second call (training loop)", 1)):
        print(f"    {label:28s} new {total / new[i][0]:10,.0f} neg/s (cpu "
              f"{total / new[i][1]:8,.0f})   previous {total / old[i][0]:10,.0f} neg/s (cpu "
              f"{total / old[i][1]:8,.0f})   new / previous = {old[i][0] / new[i][0]:5.1f}x   "
              f"(target >= 50,000 neg/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--old-reps", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--hops", type=int, nargs="+", default=[3],
                        help="ring radii of case [2] (default 3)")
    parser.add_argument("--only", choices=["dense", "hops"], default=None,
                        help="run one case only")
    args = parser.parse_args()
    dense_args, hop_args = ((400, 20_000), (10_000, 200, 10)) if args.quick else \
        ((1000, 161_000), (100_000, 1_000, 10))
    if args.only != "hops":
        dense_case(*dense_args, args.reps, args.old_reps)
    if args.only != "dense":
        for hops in args.hops:
            three_hop_case(*hop_args, args.reps, args.old_reps, hops=hops)


if __name__ == "__main__":
    main()
