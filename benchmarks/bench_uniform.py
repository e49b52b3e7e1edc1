"""Uniform (and degree) negatives vs PyG's samplers, per call, per epoch and per batch.

Graphs: ``barabasi_albert(100_000, 5)`` (~10^6 edge columns, both directions) and
``barabasi_albert(1_000_000, 5)`` (~10^7; ``--no-large`` skips it); one negative per
edge column. Every figure is the median time (wall, or CPU with ``--clock cpu``) of
``--reps`` runs, and every ratio is against a baseline measured in the same run:

* ``per call``: a fresh sampler each call, so the exclusion index is built every
  time (what one call costs), vs ``torch_geometric.utils.negative_sampling(edge_index,
  N, E)`` (pairs) and ``structured_negative_sampling`` (one negative per column).
* ``per epoch``: the same sampler called again on the same graph, as a training
  loop does (the index is reused).
* ``floor``: the least this design can do per epoch: a prebuilt index, the random
  draws (``torch.randint``) and one membership lookup per draw, redrawing the
  rejected ones — nothing else (no bookkeeping, no stats, no layout).
* ``degree``: ``DegreeNegativeSampler(alpha=0.75)`` per epoch / uniform per epoch.
* ``per batch``: 1,024 positives (random edge columns, a new batch each call) with
  the graph's index reused, on both graphs: the cost must not grow with E.

For each: false negatives (returned pairs that are edges either way, or self-loops)
and how many negatives came back.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_uniform.py [--reps 5]
[--pyg-reps 3] [--quick] [--no-large] [--clock cpu]`` (``--quick``: 10x smaller graphs;
``--clock cpu``: CPU time of the process instead of wall time).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import torch
from torch_geometric.utils import negative_sampling, structured_negative_sampling

from graphneg.edges import EdgeSet
from graphneg.generators import barabasi_albert
from graphneg.samplers import DegreeNegativeSampler, UniformNegativeSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402

BATCH = 1024


def floor_draws(index: EdgeSet, anchors: torch.Tensor, num_nodes: int,
                gen: torch.Generator) -> torch.Tensor:
    """Random draws plus lookups on a prebuilt index: uniform candidates, reject
    self-loops and known pairs, redraw the rejected (the design's floor)."""
    out = torch.randint(num_nodes, anchors.shape, generator=gen)
    bad = ((out == anchors) | index.contains(anchors, out)).nonzero().view(-1)
    while bad.numel():
        a = anchors[bad]
        c = torch.randint(num_nodes, a.shape, generator=gen)
        out[bad] = c
        bad = bad[(c == a) | index.contains(a, c)]
    return torch.stack([anchors, out])


def false_negatives(neg: torch.Tensor, known: EdgeSet) -> int:
    return int((known.contains(neg[0], neg[1]) | (neg[0] == neg[1])).sum())


def run_graph(n: int, reps: int, pyg_reps: int, clock=time.perf_counter) -> dict:
    """Time every case on ``barabasi_albert(n, 5)``; print rows, return the times."""
    data = barabasi_albert(n, 5, seed=0)
    ei = data.edge_index
    e = ei.size(1)
    known = EdgeSet([ei], n)
    print(f"\nbarabasi_albert({n:,}, 5): {e:,} edge columns; one negative per column; "
          f"median of {reps} runs (PyG: {pyg_reps})")
    gen = torch.Generator().manual_seed(0)
    index = EdgeSet.for_graph(ei, n)
    index.contains(ei[0][:e // 8], ei[1][:e // 8])          # the filter, as a sampler has it
    warm = {"per_anchor": UniformNegativeSampler(1, seed=0),
            "pairs": UniformNegativeSampler(e, mode="pairs", seed=0)}
    degree = DegreeNegativeSampler(1, alpha=0.75, seed=0)
    for s in (*warm.values(), degree):
        s.sample(ei, n)                                     # builds the index they reuse
    cases = {
        "floor: draws + lookups (prebuilt index)": (lambda: floor_draws(index, ei[0], n, gen),
                                                    reps),
        "graphneg per_anchor, per call": (
            lambda: UniformNegativeSampler(1, seed=0).sample(ei, n), reps),
        "graphneg per_anchor, per epoch": (lambda: warm["per_anchor"].sample(ei, n), reps),
        "graphneg pairs, per call": (
            lambda: UniformNegativeSampler(e, mode="pairs", seed=0).sample(ei, n), reps),
        "graphneg pairs, per epoch": (lambda: warm["pairs"].sample(ei, n), reps),
        "graphneg degree 0.75, per epoch": (lambda: degree.sample(ei, n), reps),
        "PyG negative_sampling (sparse)": (
            lambda: negative_sampling(ei, n, num_neg_samples=e), pyg_reps),
        "PyG structured_negative_sampling": (
            lambda: torch.stack(structured_negative_sampling(ei, n)[::2]), pyg_reps),
    }
    t = {}
    with torch.random.fork_rng():
        torch.manual_seed(0)  # PyG's samplers draw from the global RNG
        for name, (fn, r) in cases.items():
            t[name], neg = median_time(fn, r, clock)
            print(f"  {name:42s} {t[name] * 1e3:9.1f} ms   returned {neg.size(1):9,d} / {e:,}"
                  f"   false negatives {false_negatives(neg, known):6d}")
    g = torch.Generator().manual_seed(1)
    batches = iter([ei[:, torch.randint(e, (BATCH,), generator=g)] for _ in range(4 * reps)])
    batch_sampler = UniformNegativeSampler(1, seed=0)
    batch_sampler.sample(ei, n, pos_edge_index=next(batches))
    t["per batch"], neg = median_time(
        lambda: batch_sampler.sample(ei, n, pos_edge_index=next(batches)), 4 * reps - 1, clock)
    print(f"  {'graphneg per batch of 1,024, index reused':42s} {t['per batch'] * 1e3:9.2f} ms"
          f"   false negatives {false_negatives(neg, known):6d}")
    pyg, structured = t["PyG negative_sampling (sparse)"], t["PyG structured_negative_sampling"]
    rows = [
        ("PyG negative_sampling / ours pairs per call", pyg / t["graphneg pairs, per call"],
         ">= 15"),
        ("PyG structured / ours per_anchor per call",
         structured / t["graphneg per_anchor, per call"], ">= 15"),
        ("PyG negative_sampling / ours per_anchor per epoch",
         pyg / t["graphneg per_anchor, per epoch"], ">= 30"),
        ("PyG structured / ours per_anchor per epoch",
         structured / t["graphneg per_anchor, per epoch"], ">= 30"),
        ("PyG negative_sampling / ours pairs per epoch", pyg / t["graphneg pairs, per epoch"],
         ">= 30"),
        ("degree 0.75 / uniform, per epoch",
         t["graphneg degree 0.75, per epoch"] / t["graphneg per_anchor, per epoch"], "<= 1.3"),
        ("ours per_anchor per epoch / floor",
         t["graphneg per_anchor, per epoch"] / t["floor: draws + lookups (prebuilt index)"],
         "(overhead over the floor)"),
    ]
    for name, ratio, target in rows:
        print(f"  {name:52s} {ratio:7.2f}x   target {target}")
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--pyg-reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10x smaller graphs")
    parser.add_argument("--no-large", action="store_true", help="skip the ~10^7-edge graph")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall time (perf_counter) or this process's CPU time "
                             "(process_time: steadier on a shared machine)")
    args = parser.parse_args()
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    scale = 10 if args.quick else 1
    sizes = [100_000 // scale] + ([] if args.no_large else [1_000_000 // scale])
    times = [run_graph(n, args.reps, args.pyg_reps, clock) for n in sizes]
    if len(times) == 2:
        ratio = times[1]["per batch"] / times[0]["per batch"]
        print(f"\nper batch of {BATCH:,}: BA({sizes[1]:,}) / BA({sizes[0]:,}) = {ratio:.2f}x   "
              f"target <= 2 (10x the edges)")


if __name__ == "__main__":
    main()
