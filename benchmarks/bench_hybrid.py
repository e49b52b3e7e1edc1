"""Hybrid semantic–syntactic sampler on a 50k-word vocabulary (top-M = 1000).

Measures, as medians of ``--repeats`` runs:

* negatives per second of :class:`graphneg.samplers.HybridGibbsSampler`
  (``lam=0.5, alpha=5, top_m=1000``, rapidfuzz ``cdist`` with ``workers=1``),
  and the share of its time spent in edit distances vs cosines;
* the same work done by a naive per-pair Python implementation (pure-Python
  Levenshtein DP + Python cosine, then sort, truncate, ``random.choices``), timed
  on a subsample of candidates and scaled linearly to the full vocabulary;
* a stronger per-pair baseline: a Python loop calling rapidfuzz's Levenshtein and
  ``numpy.dot`` once per pair;
* a training loop: the same sampler called every epoch on the same graph, words and
  embeddings (its candidate rows are kept across calls): later epochs vs one call.

Strings are the 50,000 most frequent alphabetic English words (wordfreq);
embeddings are seeded random unit vectors of dimension 384 (MiniLM's), since the
cost does not depend on their values.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_hybrid.py``
"""
from __future__ import annotations

import argparse
import math
import random
import statistics
import time

import numpy as np
import torch


def naive_levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def naive_anchor(u, cand, words, emb_list, lam, alpha, top_m, k, rng):
    """One anchor, pure Python: distances to ``cand``, top-M, K weighted draws."""
    eu = emb_list[u]
    scored = []
    for n in cand:
        en = emb_list[n]
        cos = sum(x * y for x, y in zip(eu, en))
        syn = naive_levenshtein(words[u], words[n]) / max(len(words[u]), len(words[n]))
        scored.append((lam * (1 - cos) + (1 - lam) * syn, n))
    scored.sort()
    top = scored[:top_m]
    weights = [math.exp(-alpha * d) for d, _ in top]
    return rng.choices([n for _, n in top], weights=weights, k=k)


def rapidfuzz_loop_anchor(u, cand, words, emb, lam, alpha, top_m, k, rng):
    """One anchor, Python loop over pairs calling rapidfuzz + numpy per pair."""
    from rapidfuzz.distance import Levenshtein
    d = np.empty(len(cand))
    for i, n in enumerate(cand):
        d[i] = lam * (1 - float(np.dot(emb[u], emb[n]))) + \
            (1 - lam) * Levenshtein.normalized_distance(words[u], words[n])
    top = np.argsort(d, kind="stable")[:top_m]
    w = np.exp(-alpha * d[top])
    return rng.choice(np.asarray(cand)[top], size=k, p=w / w.sum())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--num-words", type=int, default=50_000)
    p.add_argument("--top-m", type=int, default=1000)
    p.add_argument("--anchors", type=int, default=500, help="distinct anchors per call")
    p.add_argument("--num-neg", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--naive-candidates", type=int, default=2000,
                   help="candidates timed per anchor for the naive baselines (then scaled)")
    p.add_argument("--naive-anchors", type=int, default=3)
    args = p.parse_args()

    from graphneg.datasets.text import english_vocabulary
    from graphneg.samplers import HybridGibbsSampler

    words, _ = english_vocabulary(args.num_words)
    n = len(words)
    g = torch.Generator().manual_seed(0)
    emb = torch.nn.functional.normalize(torch.randn(n, 384, generator=g), dim=1)
    # a sparse random graph: every anchor has a few known neighbours to exclude
    ei = torch.randint(n, (2, 5 * n), generator=g)
    ei = ei[:, ei[0] != ei[1]]
    anchors = torch.randperm(n, generator=g)[:args.anchors]
    pos = torch.stack([anchors, torch.randint(n, (args.anchors,), generator=g)])
    pos = pos[:, pos[0] != pos[1]]
    num_neg_total = pos.size(1) * args.num_neg

    times, edit, cosine = [], [], []
    for r in range(args.repeats):
        s = HybridGibbsSampler(args.num_neg, lam=0.5, alpha=5.0, top_m=args.top_m, seed=r,
                               workers=1)
        t0 = time.perf_counter()
        s.sample(ei, n, pos_edge_index=pos, words=words, embedding=emb)
        times.append(time.perf_counter() - t0)
        edit.append(s.last_timing["edit_s"])
        cosine.append(s.last_timing["cosine_s"])
    t_fast = statistics.median(times)
    per_anchor_fast = t_fast / pos.size(1)
    print(f"vocabulary {n} words, top_m={args.top_m}, {pos.size(1)} anchors x "
          f"{args.num_neg} negatives, workers=1")
    print(f"HybridGibbsSampler: median {t_fast:.3f} s per call -> "
          f"{num_neg_total / t_fast:,.0f} negatives/s, {per_anchor_fast * 1e3:.2f} ms per anchor")
    e, c = statistics.median(edit), statistics.median(cosine)
    print(f"  time share: edit distance {e / t_fast:.1%} ({e:.3f} s), cosine "
          f"{c / t_fast:.1%} ({c:.3f} s), rest (top-M sort, masking, softmax, draws, "
          f"validity) {(t_fast - e - c) / t_fast:.1%}")

    # a training loop: one sampler, the same graph, words and embeddings every epoch
    # (rows are kept across calls); epoch 1 builds them, later epochs only draw
    loop_sampler = HybridGibbsSampler(args.num_neg, lam=0.5, alpha=5.0, top_m=args.top_m,
                                      seed=0, workers=1)
    epochs = []
    for _ in range(args.repeats + 1):
        t0 = time.perf_counter()
        loop_sampler.sample(ei, n, pos_edge_index=pos, words=words, embedding=emb)
        epochs.append(time.perf_counter() - t0)
    t_epoch = statistics.median(epochs[1:])
    print(f"training loop (same sampler and inputs): epoch 1 {epochs[0]:.3f} s, later epochs "
          f"median {t_epoch * 1e3:.1f} ms -> {num_neg_total / t_epoch:,.0f} negatives/s = "
          f"{t_fast / t_epoch:,.1f}x the per-call rate (target >= 10x)")

    rng = random.Random(0)
    emb_list = emb.tolist()
    emb_np = emb.numpy().astype(np.float64)
    cand = list(range(args.naive_candidates))
    scale = (n - 1) / len(cand)
    naive, loop = [], []
    for r in range(args.repeats):
        a = anchors[:args.naive_anchors].tolist()
        t0 = time.perf_counter()
        for u in a:
            naive_anchor(u, cand, words, emb_list, 0.5, 5.0, args.top_m, args.num_neg, rng)
        naive.append((time.perf_counter() - t0) / len(a) * scale)
        nrng = np.random.default_rng(r)
        t0 = time.perf_counter()
        for u in a:
            rapidfuzz_loop_anchor(u, cand, words, emb_np, 0.5, 5.0, args.top_m, args.num_neg,
                                  nrng)
        loop.append((time.perf_counter() - t0) / len(a) * scale)
    t_naive, t_loop = statistics.median(naive), statistics.median(loop)
    print(f"naive pure-Python per-pair (timed on {len(cand)} candidates x "
          f"{args.naive_anchors} anchors, scaled x{scale:.1f}): {t_naive * 1e3:.0f} ms per anchor")
    print(f"per-pair Python loop over rapidfuzz + numpy.dot (same scaling): "
          f"{t_loop * 1e3:.0f} ms per anchor")
    print(f"speed-up vs naive pure Python: {t_naive / per_anchor_fast:,.0f}x (target >= 100x)")
    print(f"speed-up vs per-pair rapidfuzz loop: {t_loop / per_anchor_fast:,.1f}x")


if __name__ == "__main__":
    main()
