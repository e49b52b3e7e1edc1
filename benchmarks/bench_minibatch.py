"""Mini-batch negatives: cost per batch of a prepared sampler against the graph's size.

Graphs ``barabasi_albert(N, 5)`` for ``N`` in ``--nodes`` (default 10,000 and 100,000:
~10^5 and ~10^6 edge columns, both directions). For each, a sampler is prepared once
on the graph with every edge column as a positive (``sampler.prepare``), and then draws
``K = 5`` negatives for batches of ``--batch`` positives (a new random batch per call).
Printed, each the median wall time of ``--reps`` calls:

* ``prepare``: building the exclusion index and the graph tables (once per graph);
* ``per batch (prepared)``: one batch from the prepared sampler;
* ``per batch (rebuilt)``: the same batch from a fresh sampler, which builds the index
  again (what a mini-batch loop cost before ``prepare``);
* the ratio of the per-batch medians between the largest and the smallest graph (the
  cost of a batch should not grow with E; the target is below 2 for 10x E) and the
  speed-up of a prepared batch over a rebuilt one.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_minibatch.py [--reps 7]
[--batch 1024] [--nodes 10000 100000]``.
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

from graphneg.edges import EdgeSet
from graphneg.generators import barabasi_albert
from graphneg.samplers import get_sampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402

K = 5


def run_graph(n: int, name: str, batch: int, reps: int) -> dict:
    ei = barabasi_albert(n, 5, seed=0).edge_index
    e = ei.size(1)
    g = torch.Generator().manual_seed(1)
    batches = iter([ei[:, torch.randint(e, (batch,), generator=g)] for _ in range(3 * reps + 2)])
    t = {}
    t["prepare"], prepared = median_time(
        lambda: get_sampler(name, num_neg=K, seed=0).prepare(ei, n), max(3, reps // 2))
    prepared.sample(next(batches))                          # first-call tables
    t["prepared"], neg = median_time(lambda: prepared.sample(next(batches)), reps)
    t["rebuilt"], _ = median_time(lambda: get_sampler(name, num_neg=K, seed=0).sample(
        ei, n, pos_edge_index=next(batches)), reps)
    bad = int(EdgeSet([ei], n).contains(neg[0], neg[1]).sum() + (neg[0] == neg[1]).sum())
    print(f"  {name:8s} BA({n:,}, 5), {e:,} columns: prepare {t['prepare'] * 1e3:8.1f} ms, "
          f"per batch prepared {t['prepared'] * 1e3:7.2f} ms, rebuilt {t['rebuilt'] * 1e3:8.1f}"
          f" ms ({t['rebuilt'] / t['prepared']:.0f}x), false negatives {bad}")
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"batches of {args.batch:,} positives, {K} negatives each; median of {args.reps}")
    for name in ("uniform", "degree"):
        times = [run_graph(n, name, args.batch, args.reps) for n in args.nodes]
        ratio = times[-1]["prepared"] / times[0]["prepared"]
        grow = args.nodes[-1] / args.nodes[0]
        print(f"  {name:8s} per batch, largest / smallest graph ({grow:.0f}x E): {ratio:.2f}x"
              f"   target < 2")


if __name__ == "__main__":
    main()
