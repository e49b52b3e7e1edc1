"""Phonetic-neighbourhood negatives: the sparse deletion-index path vs the dense tables.

Case: 20,000 random phoneme words (2..5 symbols over 10 ARPAbet symbols, the contract
test's ``random_phonemes`` / ``random_words``, seed 5), ``barabasi_albert(20000, 5)``,
5,000 random edge columns as positives, one negative each,
``PhoneticNegativeSampler(radius=1)`` (``alpha=0``, ``homophones="exclude"``,
``on_impossible="drop"``: anchors with no phonetic neighbour are dropped).

Measured in the same run, medians of ``--reps`` runs:

* ``sparse, first call``: a fresh sampler each run, so the deletion index over the
  distinct phoneme strings is built in the call (what one call costs);
* ``sparse, later calls``: the same sampler called again with the same words (the
  index is kept on the sampler, keyed by the strings and the radius), as a training
  loop calls it;
* ``dense`` (the baseline): the same sampler with ``index_variants = 0``, which forces
  the dense path every finite radius took before: rapidfuzz ``cdist`` of the call's
  anchors against every candidate and an ``N x C`` pass for the valid counts
  (``--dense-reps`` runs, default 1: one call takes tens of seconds).

Both paths state the same law (tests/samplers/test_phonetic_index.py); the script
also prints how many negatives came back and checks that none is a known edge, the
anchor itself or an excluded homophone. Times are CPU seconds of this process
(``time.process_time``) and wall seconds.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_phonetic.py [--reps 5]
[--dense-reps 1] [--num-nodes 20000] [--positives 5000] [--radius 1]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import torch

from graphneg.generators import barabasi_albert
from graphneg.samplers import PhoneticNegativeSampler

# the contract test's seeded word and phoneme generators
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from support.cases_text import random_phonemes, random_words  # noqa: E402


def timed(fn, reps):
    """(median CPU s, median wall s, last result) of ``reps`` calls, each call timed
    by both clocks (``_timing.median_time`` takes one clock)."""
    cpu, wall, out = [], [], None
    for _ in range(reps):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall), out


def check(neg, ei, n, phonemes, words):
    """Negatives that are known edges, self pairs or homophones (should be 0)."""
    known = set(map(tuple, ei.t().tolist()))
    bad = 0
    for u, v in neg.t().tolist():
        bad += (u, v) in known or u == v or (phonemes[u] == phonemes[v] and words[u] != words[v])
    return bad


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--num-nodes", type=int, default=20_000)
    p.add_argument("--positives", type=int, default=5_000)
    p.add_argument("--radius", type=int, default=1)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--dense-reps", type=int, default=1)
    args = p.parse_args()

    n = args.num_nodes
    ei = barabasi_albert(n, 5, seed=0).edge_index
    g = torch.Generator().manual_seed(0)
    pos = ei[:, torch.randperm(ei.size(1), generator=g)[:args.positives]]
    phonemes, words = random_phonemes(n, 5), random_words(n, 5)
    kw = dict(pos_edge_index=pos, phonemes=phonemes, words=words)

    def make(dense=False):
        s = PhoneticNegativeSampler(1, radius=args.radius, seed=0, on_impossible="drop")
        if dense:
            s.index_variants = 0
        return s

    print(f"{n} random phoneme words, barabasi_albert({n}, 5) ({ei.size(1)} edge columns), "
          f"{pos.size(1)} positives x 1 negative, radius={args.radius}, threads="
          f"{os.environ.get('OMP_NUM_THREADS', 'unset')}; CPU s (process) and wall s, medians")
    first_cpu, first_wall, neg = timed(lambda: make().sample(ei, n, **kw), args.reps)
    kept = make()
    kept.sample(ei, n, **kw)
    later_cpu, later_wall, neg_later = timed(lambda: kept.sample(ei, n, **kw), args.reps)
    dense_cpu, dense_wall, neg_dense = timed(lambda: make(True).sample(ei, n, **kw),
                                             args.dense_reps)
    rows = [("sparse, first call", first_cpu, first_wall, neg),
            ("sparse, later calls", later_cpu, later_wall, neg_later),
            ("dense (baseline)", dense_cpu, dense_wall, neg_dense)]
    for name, cpu, wall, out in rows:
        print(f"  {name:<20} {cpu:8.3f} s CPU {wall:8.3f} s wall  "
              f"{out.size(1) / cpu:>10,.0f} negatives/s (CPU)  {out.size(1)} negatives, "
              f"{check(out, ei, n, phonemes, words)} invalid")
    print(f"  speed-up vs dense (CPU): first call {dense_cpu / first_cpu:.0f}x, "
          f"later calls {dense_cpu / later_cpu:.0f}x")


if __name__ == "__main__":
    main()
