"""Uniform negatives vs PyG's samplers and a bare rejection loop, side by side.

Graph: ``barabasi_albert(100_000, 5)`` (both directions, ~1M columns); one
negative per edge column. Compared (median wall time of ``--reps`` runs each):

* ``UniformNegativeSampler(1).sample`` — ours: exact count, never a known edge;
* ``torch_geometric.utils.negative_sampling(edge_index, num_nodes, E)`` (sparse);
* ``torch_geometric.utils.structured_negative_sampling(edge_index, num_nodes)``;
* the floor: one bare sort + ``searchsorted`` rejection loop written inline
  (uniform candidates, reject self-loops and edges, redraw the rejected).

For each: negatives returned vs requested, and false negatives (returned pairs
that are edges in either direction, or self-loops).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_uniform.py [--reps 5] [--quick]``
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch
from torch_geometric.utils import negative_sampling, structured_negative_sampling

from graphneg.edges import EdgeSet
from graphneg.generators import barabasi_albert
from graphneg.samplers import UniformNegativeSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def floor_rejection(edge_index: torch.Tensor, num_nodes: int, gen: torch.Generator) -> torch.Tensor:
    """The bare minimum: sorted keys of both directions (numpy sort), uniform
    candidates, one ``searchsorted`` per round, redraw the rejected."""
    ei = edge_index.numpy()
    keys = np.sort(np.concatenate([ei[0] * num_nodes + ei[1], ei[1] * num_nodes + ei[0]]))
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]]  # np.unique is far slower here (numpy 2.x)
    anchors = ei[0]
    out = np.empty_like(anchors)
    pending = np.arange(anchors.size)
    while pending.size:
        a = anchors[pending]
        cand = torch.randint(num_nodes, (pending.size,), generator=gen).numpy()
        q = a * num_nodes + cand
        pos = np.searchsorted(keys, q).clip(max=keys.size - 1)
        ok = (keys[pos] != q) & (cand != a)
        out[pending[ok]] = cand[ok]
        pending = pending[~ok]
    return torch.from_numpy(np.stack([anchors, out]))


def false_negatives(neg: torch.Tensor, known: EdgeSet) -> int:
    return int((known.contains(neg[0], neg[1]) | (neg[0] == neg[1])).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10k nodes instead of 100k")
    args = parser.parse_args()
    n = 10_000 if args.quick else 100_000
    data = barabasi_albert(n, 5, seed=0)
    ei = data.edge_index
    e = ei.size(1)
    known = EdgeSet([ei], n)
    print(f"barabasi_albert({n}, 5): {e} edge columns; one negative per column; "
          f"median of {args.reps} runs\n")
    ours = UniformNegativeSampler(1, seed=0)
    gen = torch.Generator().manual_seed(0)
    cases = {
        "graphneg UniformNegativeSampler": lambda: ours.sample(ei, n),
        "PyG negative_sampling (sparse)": lambda: negative_sampling(ei, n, num_neg_samples=e),
        "PyG structured_negative_sampling": lambda: torch.stack(
            structured_negative_sampling(ei, n)[::2]),
        "floor: sort + searchsorted loop": lambda: floor_rejection(ei, n, gen),
    }
    results = {}
    with torch.random.fork_rng():
        torch.manual_seed(0)  # PyG's samplers draw from the global RNG
        for name, fn in cases.items():
            t, neg = median_time(fn, args.reps)
            results[name] = t
            print(f"{name:36s} {t * 1e3:9.1f} ms   returned {neg.size(1):8d} / {e}   "
                  f"false negatives {false_negatives(neg, known):6d}")
    base = results["graphneg UniformNegativeSampler"]
    print()
    for name, t in results.items():
        if name.startswith("graphneg"):
            continue
        print(f"{name:36s} time / ours = {t / base:6.2f}x")


if __name__ == "__main__":
    main()
