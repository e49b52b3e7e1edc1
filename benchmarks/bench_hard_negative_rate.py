"""hard_negative_rate on 1M negative pairs vs a networkx common-neighbours loop, scaled.

Graph: ``barabasi_albert(100_000, 5)``. Negatives: 1M pairs ``(u, n)`` with the anchor
``u`` taken from random edges (degree-biased, as a per-anchor sampler sees it) and
``n`` uniform, known edges and self-pairs removed. Ours: ``hard_negative_rate`` on all
of them (building the CSR adjacency included). Baseline: a Python loop
``len(list(nx.common_neighbors(G, u, n))) >= 1`` over a sample of pairs (the
``nx.Graph`` is built outside the timing), its time scaled linearly to 1M. Both
must agree on the sample. Median of >= 5 repetitions; ``--quick``: 10k nodes, 100k pairs.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_hard_negative_rate.py [--quick]``
"""
from __future__ import annotations

import argparse
import os
import sys

import networkx as nx
import torch

from graphneg.analysis import common_neighbor_counts, hard_negative_rate
from graphneg.edges import EdgeSet
from graphneg.generators import barabasi_albert

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def negative_pairs(edge_index: torch.Tensor, num_nodes: int, num_pairs: int,
                   seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    known = EdgeSet([edge_index], num_nodes)
    anchors = edge_index[0, torch.randint(edge_index.size(1), (2 * num_pairs,), generator=gen)]
    cand = torch.randint(num_nodes, (2 * num_pairs,), generator=gen)
    ok = (anchors != cand) & ~known.contains(anchors, cand)
    pairs = torch.stack([anchors[ok], cand[ok]])[:, :num_pairs]
    if pairs.size(1) < num_pairs:
        raise RuntimeError("too few valid pairs drawn")
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k nodes, 100k pairs")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (>= 5)")
    parser.add_argument("--sample", type=int, default=20_000, help="pairs in the networkx loop")
    args = parser.parse_args()
    reps = max(args.reps, 5)
    num_nodes, num_pairs = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    data = barabasi_albert(num_nodes, 5, seed=0)
    neg = negative_pairs(data.edge_index, num_nodes, num_pairs, seed=1)
    graph = nx.Graph()
    graph.add_nodes_from(range(num_nodes))
    graph.add_edges_from(data.edge_index.t().tolist())
    sample = neg[:, :min(args.sample, num_pairs)].t().tolist()

    rate = hard_negative_rate(data.edge_index, neg, num_nodes)  # warm-up and value
    ours, _ = median_time(lambda: hard_negative_rate(data.edge_index, neg, num_nodes), reps)

    def nx_loop():
        return [len(list(nx.common_neighbors(graph, u, n))) for u, n in sample]

    theirs_sample, _ = median_time(nx_loop, reps)
    theirs = theirs_sample * num_pairs / len(sample)
    expected = common_neighbor_counts(data.edge_index, neg[:, :len(sample)], num_nodes).tolist()
    agree = nx_loop() == expected

    print(f"graph: barabasi_albert({num_nodes:,}, 5), {num_pairs:,} negative pairs, h_1 = {rate:.4f}")
    print(f"ours  hard_negative_rate on {num_pairs:,} pairs: {ours:.3f} s (median of {reps})")
    print(f"networkx common_neighbors loop: {theirs_sample:.3f} s on {len(sample):,} pairs "
          f"-> {theirs:.2f} s scaled to {num_pairs:,}")
    print(f"speed-up: {theirs / ours:.1f}x; counts agree on the sample: {agree}")


if __name__ == "__main__":
    main()
