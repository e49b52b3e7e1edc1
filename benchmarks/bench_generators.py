"""Generators vs networkx, measured side by side in one run (median of >= 5 repetitions).

Cases (full size; ``--quick`` divides the node counts by 10):

* G(n, p), n = 100k, mean degree 10: ``erdos_renyi`` vs ``networkx.fast_gnp_random_graph``;
* G(n, p), n = 3000, p = 0.01: ``erdos_renyi`` vs ``networkx.gnp_random_graph``
  (O(n^2) pair tests; infeasible at 100k, so measured where it runs);
* Barabási–Albert, n = 100k, m = 5, star initial graph (networkx's default) on both sides:
  ``barabasi_albert`` vs ``networkx.barabasi_albert_graph``;
* ``erdos_renyi`` alone at n = 10^6, mean degree 10.

networkx's times cover building its ``nx.Graph`` only; ours include assembling the
sorted, both-direction ``edge_index`` of a PyG ``Data`` (no conversion is charged to
networkx, which favours it). Target: ratio >= 10 at 100k nodes.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_generators.py [--quick] [--reps 5]``
"""
from __future__ import annotations

import argparse
import os
import sys

import networkx as nx

from graphneg.generators import barabasi_albert, erdos_renyi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer nodes")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per case (>= 5)")
    args = parser.parse_args()
    reps = max(args.reps, 5)
    scale = 10 if args.quick else 1
    n, m, deg = 100_000 // scale, 5, 10
    n_gnp = 3000 // scale
    n_big = 1_000_000 // scale
    erdos_renyi(1000, 0.01, seed=0)  # warm-up (imports, allocator)
    barabasi_albert(1000, 3, seed=0)

    rows = []
    seed = iter(range(10**6))
    p = deg / (n - 1)
    ours, _ = median_time(lambda: erdos_renyi(n, p, seed=next(seed)), reps)
    theirs, _ = median_time(lambda: nx.fast_gnp_random_graph(n, p, seed=next(seed)), reps)
    rows.append((f"G(n,p) n={n:,} mean deg {deg}", "fast_gnp_random_graph", ours, theirs))
    ours, _ = median_time(lambda: erdos_renyi(n_gnp, 0.01, seed=next(seed)), reps)
    theirs, _ = median_time(lambda: nx.gnp_random_graph(n_gnp, 0.01, seed=next(seed)), reps)
    rows.append((f"G(n,p) n={n_gnp:,} p=0.01", "gnp_random_graph", ours, theirs))
    ours, _ = median_time(lambda: barabasi_albert(n, m, initial_graph="star", seed=next(seed)),
                          reps)
    theirs, _ = median_time(lambda: nx.barabasi_albert_graph(n, m, seed=next(seed)), reps)
    rows.append((f"BA n={n:,} m={m}", "barabasi_albert_graph", ours, theirs))

    print(f"{'case':32s} {'networkx baseline':24s} {'ours (s)':>9s} {'nx (s)':>9s} {'speed-up':>9s}")
    for case, base, ours, theirs in rows:
        print(f"{case:32s} {base:24s} {ours:9.4f} {theirs:9.4f} {theirs / ours:8.1f}x")
    ours, _ = median_time(lambda: erdos_renyi(n_big, deg / (n_big - 1), seed=next(seed)), reps)
    print(f"erdos_renyi alone: n={n_big:,}, mean degree {deg}: {ours:.3f} s (median of {reps})")
    ours, _ = median_time(lambda: barabasi_albert(n_big, m, seed=next(seed)), reps)
    print(f"barabasi_albert alone: n={n_big:,}, m={m}: {ours:.3f} s (median of {reps})")


if __name__ == "__main__":
    main()
