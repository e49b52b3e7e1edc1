"""Reference laws for distribution tests: brute-force C(u) and q(n | u) built from adjacency
sets (no graphneg code), and seeded chi-square goodness of fit."""
from __future__ import annotations

from collections import deque

import torch
from scipy import stats

#: p-value below which a sampler's empirical frequencies are declared wrong.
#: Seeds are fixed, so a correct sampler passes deterministically; with the
#: draw counts used (>= 20k) a distribution off by a few percent fails.
P_THRESHOLD = 1e-3


def chi_square_pvalue(samples: torch.Tensor, probs: torch.Tensor) -> float:
    """Chi-square goodness of fit of integer ``samples`` in ``[0, len(probs))``
    against ``probs`` (zero-probability outcomes must never occur)."""
    probs = probs.double() / probs.double().sum()
    counts = torch.bincount(samples, minlength=probs.numel()).double()
    if bool((counts[probs == 0] > 0).any()):
        return 0.0
    nz = probs > 0
    expected = (probs[nz] * counts.sum()).numpy()
    return float(stats.chisquare(counts[nz].numpy(), expected).pvalue)


def assert_distribution(samples: torch.Tensor, probs: torch.Tensor) -> None:
    p = chi_square_pvalue(samples, probs)
    assert p > P_THRESHOLD, f"chi-square p = {p:.2e} <= {P_THRESHOLD}"


DRAWS = 24000


def adjacency_sets(edge_index, n):
    nbrs = [set() for _ in range(n)]
    for a, b in edge_index.t().tolist():
        nbrs[a].add(b)
    return nbrs


def valid_set(nbrs, u, n, extra=()):
    """C(u): not u, not a neighbour in either direction, not an extra excluded pair."""
    bad = {u} | nbrs[u] | {m for m in range(n) if u in nbrs[m]} | set(extra)
    return [m for m in range(n) if m not in bad]


def hop_distances(nbrs, u):
    dist = {u: 0}
    queue = deque([u])
    while queue:
        a = queue.popleft()
        for b in nbrs[a]:
            if b not in dist:
                dist[b] = dist[a] + 1
                queue.append(b)
    return dist


def k_hop_ring(nbrs, u, n, num_hops, directed):
    """Uniform weights on {m : 2 <= d(u, m) <= k} minus the known pairs (out-edges when
    directed, both directions otherwise), by BFS along out-edges; shape (n,)."""
    dist = hop_distances(nbrs, u)
    bad = {u} | nbrs[u] | (set() if directed else {m for m in range(n) if u in nbrs[m]})
    probs = torch.zeros(n, dtype=torch.double)
    for m, d in dist.items():
        if 2 <= d <= num_hops and m not in bad:
            probs[m] = 1.0
    return probs


def draws_for(sampler, edge_index, n, anchor, partner, draws=DRAWS, **kw):
    k = 8
    pos = torch.tensor([[anchor], [partner]]).repeat(1, draws // k)
    neg = sampler.sample(edge_index, n, pos_edge_index=pos, **kw)
    assert bool((neg[0] == anchor).all())
    return neg[1]


def path_plus(n_extra=0):
    """A small irregular graph: 0-1-2-3-4 path, 1-5, 5-6, 2-6, 6-7, 3-7, 8 isolated."""
    und = torch.tensor([[0, 1, 2, 3, 1, 5, 2, 6, 3], [1, 2, 3, 4, 5, 6, 6, 7, 7]])
    return torch.cat([und, und.flip(0)], 1), 9


def _mean(values):
    return sum(values) / len(values)


def reconstruction_brute_force(dist: torch.Tensor, ei: torch.Tensor):
    """``(mean rank, MAP)`` of graph reconstruction by loops, ties as the mean of the
    optimistic and the pessimistic place (``graphneg.evaluation.reconstruction_metrics``)."""
    n = dist.size(0)
    nb = {u: set() for u in range(n)}
    for a, b in ei.T.tolist():
        nb[a].add(b)
    ranks, aps = [], []
    for u in range(n):
        if not nb[u]:
            continue
        precs = []
        for v in nb[u]:
            d = float(dist[u, v])
            negs = [float(dist[u, x]) for x in range(n) if x != u and x not in nb[u]]
            poss = [float(dist[u, w]) for w in nb[u] if w != v]
            r_neg = (sum(x < d for x in negs) + sum(x <= d for x in negs)) / 2
            r_pos = 1 + (sum(x < d for x in poss) + sum(x <= d for x in poss)) / 2
            ranks.append(1 + r_neg)
            precs.append(r_pos / (r_pos + r_neg))
        aps.append(_mean(precs))
    return _mean(ranks), _mean(aps)
