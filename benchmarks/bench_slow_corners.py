"""The slow corners: dense neighbourhoods and 3-hop rings, new paths vs the previous ones.

Each case runs the current sampler and, in the same process, the previous design
(the same sampler with the new paths switched off: sparse ring/score builds and
2-path proposals for every anchor, enumerated rings for 3 hops), so every ratio is
measured in one run on one (shared) machine.

1. ``erdos_renyi(N, 0.9)`` (``N = 1000``: ~9 x 10^5 edge columns), 161,000 positives,
   one negative each: ``StructuralNegativeSampler`` (2 hops, uniform and
   common-neighbour weights) and ``HeuristicHardNegativeSampler`` (RA, top 20),
   beside ``UniformNegativeSampler`` on the same positives. Target: >= 20x. With
   ``--previous REV`` the same calls also run on that git revision's ``graphneg``
   (``git archive`` into a temporary folder, imported first by a fresh interpreter,
   same saved graph): ``f96a167`` is the code before the slow-corner work, the
   honest baseline (the switched-off paths above keep this run's other speed-ups).
2. k-hop uniform rings (``--hops``, default 3) on ``barabasi_albert(100_000, 5)``: 1,000 positives x 10
   negatives, negatives/s of the first call (builds everything) and of a second
   call on the same graph (a training loop: the index and graph tables are reused).
   Target: >= 50k negatives/s.

The previous design is slow by nature (it is what this benchmark is about), so it
runs ``--old-reps`` times (default 1); the new paths ``--reps`` times (median).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_slow_corners.py [--reps 3]
[--old-reps 1] [--quick] [--hops 3 4 5] [--only dense|hops] [--previous f96a167]`` (``--quick``: N = 400 and
20,000 positives; 10^4 nodes). Case [2] prints wall and CPU (process time) rates.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from typing import Optional

import torch

from graphneg.generators import barabasi_albert, erdos_renyi
from graphneg import samplers
from graphneg.samplers import StructuralNegativeSampler, structural

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


#: The samplers of case [1]: label and constructor (evaluated against ``graphneg.samplers``
#: here and, with ``--previous``, in a process running an older revision's package).
DENSE_SAMPLERS = [
    ("uniform (reference)", "UniformNegativeSampler(1, seed=0)"),
    ("structural 2-hop uniform", "StructuralNegativeSampler(1, seed=0)"),
    ("structural 2-hop CN", "StructuralNegativeSampler(1, weight='common_neighbors', seed=0)"),
    ("HeaRT RA top-20", "HeuristicHardNegativeSampler(1, top_k=20, seed=0)"),
]

#: Run by ``--previous``: the same calls, timed by the same helper, on the graph saved by
#: the parent, with ``graphneg`` imported from the extracted revision (argv: folder with
#: the package and the graph, repetitions).
_PREVIOUS_SCRIPT = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import torch, graphneg, graphneg.samplers as samplers
assert graphneg.__file__.startswith(sys.argv[1]), graphneg.__file__
sys.path.insert(0, sys.argv[3])
from _timing import median_time
graph = torch.load(os.path.join(sys.argv[1], "graph.pt"))
ei, pos, n = graph["edge_index"], graph["pos"], graph["num_nodes"]
out = {}
for label, make in graph["samplers"]:
    call = lambda: eval(make, vars(samplers)).sample(ei, n, pos_edge_index=pos)
    out[label] = [median_time(call, int(sys.argv[2]), clock)[0]
                  for clock in (time.perf_counter, time.process_time)]
print(json.dumps(out))
"""


def previous_revision_times(rev: str, edge_index: torch.Tensor, pos: torch.Tensor, n: int,
                            reps: int) -> dict:
    """``{label: [wall, cpu]}`` median seconds of :data:`DENSE_SAMPLERS` on revision ``rev``
    of this repository (``git archive`` of its ``graphneg/`` into a temporary folder, run
    in a fresh interpreter that imports it before the installed package)."""
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        tar = os.path.join(tmp, "previous.tar")
        subprocess.run(["git", "archive", "--format=tar", "-o", tar, rev, "graphneg"],
                       cwd=os.path.dirname(here), check=True)
        with tarfile.open(tar) as f:
            f.extractall(tmp, filter="data")
        torch.save({"edge_index": edge_index, "pos": pos, "num_nodes": n,
                    "samplers": DENSE_SAMPLERS}, os.path.join(tmp, "graph.pt"))
        done = subprocess.run([sys.executable, "-c", _PREVIOUS_SCRIPT, tmp, str(reps), here],
                              check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def dense_case(n: int, num_pos: int, reps: int, old_reps: int,
               previous: Optional[str] = None) -> None:
    ei = erdos_renyi(n, 0.9, seed=0).edge_index
    pos = positives(ei, num_pos)
    print(f"\n[1] erdos_renyi({n}, 0.9): {ei.size(1):,} edge columns, {pos.size(1):,} positives, "
          f"one negative each (new: median of {reps}, previous: {old_reps}; wall, CPU in "
          f"parentheses)")
    old_rev = previous_revision_times(previous, ei, pos, n, old_reps) if previous else {}
    uni = None
    for label, make in DENSE_SAMPLERS:
        call = (lambda: eval(make, vars(samplers)).sample(ei, n, pos_edge_index=pos))
        new = [median_time(call, reps, clock)[0] for clock in (time.perf_counter,
                                                                time.process_time)]
        uni = uni or new
        line = f"    {label:28s} {new[0]:6.2f} s ({new[1]:5.2f} s)"
        if label != DENSE_SAMPLERS[0][0]:
            with previous_design():
                t_old, _ = median_time(call, old_reps)
            line += (f"   switched off {t_old:6.2f} s: {t_old / new[0]:5.1f}x   "
                     f"new / uniform {new[0] / uni[0]:4.1f}x")
        if label in old_rev:
            wall, cpu = old_rev[label]
            line += (f"   @{previous} {wall:6.2f} s ({cpu:5.2f} s): {wall / new[0]:5.1f}x "
                     f"({cpu / new[1]:5.1f}x)")
        print(line + ("   (target >= 20x)" if label != DENSE_SAMPLERS[0][0] else ""))


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
    parser.add_argument("--previous", default=None, metavar="REV",
                        help="also time case [1] on this git revision's graphneg (e.g. f96a167, "
                             "the code before the slow-corner work), in a subprocess")
    args = parser.parse_args()
    dense_args, hop_args = ((400, 20_000), (10_000, 200, 10)) if args.quick else \
        ((1000, 161_000), (100_000, 1_000, 10))
    if args.only != "hops":
        dense_case(*dense_args, args.reps, args.old_reps, args.previous)
    if args.only != "dense":
        for hops in args.hops:
            three_hop_case(*hop_args, args.reps, args.old_reps, hops=hops)


if __name__ == "__main__":
    main()
