"""Hyperedge overlap and negative-hyperedge sampler throughput.

1. **Overlap.** Jaccard overlap of every intersecting pair among ``M`` hyperedges
   (default ``M = 100_000`` on ``N = 100_000`` nodes, Poisson sizes with mean 4,
   sizes 2..20): :func:`graphneg.hyperedges.jaccard_overlap` (one sparse product
   ``H H^T``) against a **Python-set baseline** — an inverted index node ->
   hyperedges, then for each anchor the candidates sharing a node and
   ``len(A & E) / len(A | E)`` on Python sets. The baseline is timed on a
   subsample of anchors and scaled linearly to ``M`` (its cost is a sum over
   anchors); both results are checked equal on the subsample.
2. **Samplers.** Negatives per second of every registered hyperedge sampler
   (``num_neg = 5`` for every hyperedge as anchor), and of the max-entropy sampler
   with ``beta = -2`` and with a generated pool.

Medians of ``--reps`` (>= 5) repetitions; ratios are against the baseline
measured in the same run.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_hyperedge_overlap.py [--quick]``
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch

from graphneg.generators import random_hypergraph
from graphneg.hyperedges import jaccard_overlap, to_member_lists
from graphneg.samplers.hyperedge import get_hyperedge_sampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def python_overlaps(sets, anchors):
    """The baseline: inverted index + Python set algebra, one anchor at a time."""
    index = {}
    for j, s in enumerate(sets):
        for v in s:
            index.setdefault(v, []).append(j)
    out = {}
    for i in anchors:
        a = sets[i]
        cands = set()
        for v in a:
            cands.update(index[v])
        for j in cands:
            e = sets[j]
            inter = len(a & e)
            out[(i, j)] = inter / len(a | e)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="M = N = 20_000")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--subsample", type=int, default=2000, help="anchors timed in Python")
    args = ap.parse_args()
    m = n = 20_000 if args.quick else 100_000
    reps = max(args.reps, 5)
    h = random_hypergraph(n, m, size_distribution="poisson", mean_size=4.0, min_size=2,
                          max_size=20, seed=0).edge_index
    print(f"hypergraph: N = {n}, M = {m}, nnz = {h.size(1)}, threads = "
          f"{torch.get_num_threads()}")

    # ---- overlap
    t_vec, _ = median_time(lambda: jaccard_overlap(h, h, n), reps)
    row, col, o = jaccard_overlap(h, h, n)
    sets = [set(s) for s in to_member_lists(h)]
    anchors = np.random.default_rng(0).choice(m, size=min(args.subsample, m), replace=False)
    t_py_sub, _ = median_time(lambda: python_overlaps(sets, anchors), reps)
    t_py = t_py_sub * m / anchors.size
    ref = python_overlaps(sets, anchors)
    sel = np.isin(row.numpy(), anchors)
    got = {(int(i), int(j)): float(x) for i, j, x in zip(row[sel], col[sel], o[sel])}
    assert got.keys() == ref.keys() and all(abs(got[k] - ref[k]) < 1e-12 for k in ref)
    print(f"overlap, all {row.numel()} intersecting pairs of {m} hyperedges:")
    print(f"  sparse H H^T (jaccard_overlap): {t_vec:8.3f} s (median of {reps})")
    print(f"  Python sets, {anchors.size} anchors: {t_py_sub:8.3f} s -> scaled to {m}: "
          f"{t_py:8.1f} s")
    print(f"  speed-up vs Python sets: {t_py / t_vec:8.1f}x (target >= 50x); results equal on "
          f"the subsample")

    # ---- sampler throughput
    k = 5
    configs = [("maxent α=0 β=0", "maxent", {}), ("maxent β=-2", "maxent", {"beta": -2.0}),
               ("maxent β=1, sized pool", "maxent", {"beta": 1.0, "candidates": "sized"}),
               ("SNS sized", "sized", {}), ("MNS motif", "motif", {}),
               ("CNS clique", "clique", {})]
    print(f"sampler throughput, {k} negatives for each of the {m} anchors:")
    for label, name, kw in configs:
        sampler = get_hyperedge_sampler(name, num_neg=k, seed=0, on_impossible="drop", **kw)
        t, _ = median_time(lambda: sampler.sample(h, n), reps)
        drawn = sampler.last_stats.drawn
        print(f"  {label:24s} {t:7.3f} s  {drawn / t:12,.0f} negatives/s  "
              f"(dropped anchors {sampler.last_stats.dropped})")


if __name__ == "__main__":
    main()
