r"""Ranking metrics for link prediction: AUC, AP, Hits@K, MRR (vectorised torch).

Scores are real numbers, higher meaning "more likely an edge". Positives have
scores ``pos`` of shape ``(P,)``; negatives ``neg`` come in one of two layouts:

* ``(Q,)`` — a flat pool of negatives shared by every positive;
* ``(P, K)`` — the anchor-conditioned layout of ``docs/design.md``: row ``p`` holds the
  ``K`` negatives ``(u_p, n_pk)`` drawn for positive ``p`` (a sampler's output
  reshaped with ``neg.view(P, K)``).

AUC and AP treat every score as one binary-classification example (the layout
does not matter). Hits@K and MRR rank each positive, against its own ``K``
negatives in the ``(P, K)`` layout (OGB ``ogbl-citation2`` style) or against the
whole pool in the ``(Q,)`` layout (OGB ``ogbl-collab`` style for Hits@K).

Ties are handled as scikit-learn does for AUC/AP (average ranks / one threshold
per distinct score) and as OGB does for ranks (the mean of the optimistic and
the pessimistic rank). Integer scores are compared as integers (exact beyond
``2**53``, where float64 would merge neighbouring values); float scores in float64.
"""
from __future__ import annotations

import math
from typing import Dict, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._validation import check_edge_index, check_int

__all__ = ["roc_auc", "average_precision", "positive_ranks", "hits_at_k",
           "mean_reciprocal_rank", "ranking_metrics", "synonym_auc", "reconstruction_metrics"]


def _scores(pos: Tensor, neg: Tensor, owner: str) -> Tuple[Tensor, Tensor]:
    """Checked scores on the CPU: int64 when both are integer tensors (compared
    exactly, even beyond 2**53), float64 otherwise."""
    for name, t in (("pos", pos), ("neg", neg)):
        if not isinstance(t, Tensor) or not (t.is_floating_point() or t.dtype in
                                             (torch.int32, torch.int64)):
            raise TypeError(f"The '{name}' parameter of {owner} must be a real-valued "
                            f"torch.Tensor. Got {type(t).__name__ if not isinstance(t, Tensor) else t.dtype} instead.")
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ValueError(f"The '{name}' parameter of {owner} must be finite (no NaN or inf). "
                             f"Got {int((~torch.isfinite(t)).sum())} non-finite score(s) instead.")
    if pos.dim() != 1:
        raise ValueError(f"The 'pos' parameter of {owner} must have shape (P,). "
                         f"Got {tuple(pos.shape)} instead.")
    if neg.dim() not in (1, 2) or (neg.dim() == 2 and neg.size(0) != pos.numel()):
        raise ValueError(f"The 'neg' parameter of {owner} must have shape (Q,) or (P, K) with "
                         f"P = {pos.numel()}. Got {tuple(neg.shape)} instead.")
    if pos.numel() == 0 or neg.numel() == 0:
        raise ValueError(f"{owner} needs at least one positive and one negative score. "
                         f"Got {pos.numel()} positive(s) and {neg.numel()} negative(s).")
    if pos.device != neg.device:
        raise ValueError(f"The 'pos' and 'neg' parameters of {owner} must be on one device. "
                         f"Got {pos.device} and {neg.device} instead.")
    dtype = torch.float64 if pos.is_floating_point() or neg.is_floating_point() else torch.int64
    return pos.detach().to("cpu", dtype), neg.detach().to("cpu", dtype)


def roc_auc(pos: Tensor, neg: Tensor) -> float:
    r"""Area under the ROC curve of positives vs negatives.

    Parameters
    ----------
    pos : Tensor, shape (P,)
    neg : Tensor, shape (Q,) or (P, K)

    Returns
    -------
    float
        ``AUC = P[s_pos > s_neg] + ½ P[s_pos = s_neg]`` over all (positive, negative)
        pairs (Mann–Whitney U / (P·Q)); equals :func:`sklearn.metrics.roc_auc_score`.

    Notes
    -----
    Computed from average ranks of the pooled scores:
    ``AUC = (Σ_{pos} rank − P(P+1)/2) / (P·Q)``. Cost ``O((P+Q) log(P+Q))``.

    Examples
    --------
    >>> roc_auc(torch.tensor([0.9, 0.4]), torch.tensor([0.1, 0.4, 0.8]))
    0.75
    """
    pos, neg = _scores(pos, neg, "roc_auc")
    neg = neg.reshape(-1)
    p, q = pos.numel(), neg.numel()
    allv = torch.cat([pos, neg])
    uniq, inv, counts = torch.unique(allv, sorted=True, return_inverse=True, return_counts=True)
    upper = torch.cumsum(counts, 0).double()               # 1-based rank of the last tie
    avg_rank = upper - (counts.double() - 1) / 2
    rank_sum = avg_rank[inv[:p]].sum()
    return float((rank_sum - p * (p + 1) / 2) / (p * q))


def average_precision(pos: Tensor, neg: Tensor) -> float:
    r"""Average precision (area under the precision–recall step curve).

    Parameters
    ----------
    pos : Tensor, shape (P,)
    neg : Tensor, shape (Q,) or (P, K)

    Returns
    -------
    float
        ``AP = Σ_t (R_t − R_{t−1}) · Prec_t`` over distinct score thresholds ``t``
        in decreasing order (scikit-learn's definition, no interpolation).

    Notes
    -----
    One sort of the pooled scores, then cumulative true/false positives at the
    last index of each tie group. Cost ``O((P+Q) log(P+Q))``.

    Examples
    --------
    >>> round(average_precision(torch.tensor([0.9, 0.4]), torch.tensor([0.1, 0.4, 0.8])), 4)
    0.75
    """
    pos, neg = _scores(pos, neg, "average_precision")
    neg = neg.reshape(-1)
    scores = torch.cat([pos, neg])
    labels = torch.cat([torch.ones(pos.numel()), torch.zeros(neg.numel())]).double()
    order = torch.argsort(scores, descending=True, stable=True)
    s, y = scores[order], labels[order]
    tp = torch.cumsum(y, 0)
    fp = torch.cumsum(1 - y, 0)
    last = torch.ones_like(s, dtype=torch.bool)            # last index of each tie group
    last[:-1] = s[1:] != s[:-1]
    tp, fp = tp[last], fp[last]
    precision = tp / (tp + fp)
    recall = tp / pos.numel()
    recall_prev = torch.cat([recall.new_zeros(1), recall[:-1]])
    return float(((recall - recall_prev) * precision).sum())


def positive_ranks(pos: Tensor, neg: Tensor) -> Tensor:
    r"""Rank of every positive among negatives (1 = above all of them).

    Parameters
    ----------
    pos : Tensor, shape (P,)
    neg : Tensor, shape (P, K) or (Q,)
        ``(P, K)``: positive ``p`` is ranked against row ``p`` only (its own
        anchor's negatives). ``(Q,)``: every positive against the whole pool.

    Returns
    -------
    DoubleTensor, shape (P,)
        ``rank_p = 1 + ½(#{n : s_n > s_p} + #{n : s_n ≥ s_p})`` — OGB's mean of the
        optimistic and pessimistic rank, so ties cost half a place each.

    Notes
    -----
    ``(P, K)``: one broadcast comparison, ``O(P K)``. ``(Q,)``: sort the pool once
    and :func:`torch.searchsorted`, ``O((P + Q) log Q)``.

    Examples
    --------
    >>> positive_ranks(torch.tensor([0.5, 0.2]), torch.tensor([[0.1, 0.9], [0.2, 0.0]])).tolist()
    [2.0, 1.5]
    """
    pos, neg = _scores(pos, neg, "positive_ranks")
    if neg.dim() == 2:
        above = (neg > pos.view(-1, 1)).sum(1).double()
        at_or_above = (neg >= pos.view(-1, 1)).sum(1).double()
    else:
        pool = torch.sort(neg).values
        q = pool.numel()
        above = (q - torch.searchsorted(pool, pos, right=True)).double()
        at_or_above = (q - torch.searchsorted(pool, pos, right=False)).double()
    return 1.0 + 0.5 * (above + at_or_above)


def hits_at_k(pos: Tensor, neg: Tensor, k: int) -> float:
    r"""Share of positives ranked within the top ``k`` (``rank ≤ k``, see :func:`positive_ranks`).

    Parameters
    ----------
    pos : Tensor, shape (P,)
    neg : Tensor, shape (P, K) or (Q,)
    k : int, >= 1

    Returns
    -------
    float
        ``Hits@k = (1/P) Σ_p 1[rank_p ≤ k]``.

    Examples
    --------
    >>> hits_at_k(torch.tensor([0.5, 0.2]), torch.tensor([[0.1, 0.9], [0.3, 0.0]]), 1)
    0.0
    >>> hits_at_k(torch.tensor([0.5, 0.2]), torch.tensor([[0.1, 0.9], [0.3, 0.0]]), 2)
    1.0
    """
    k = check_int(k, "k", low=1, owner="hits_at_k")
    return float((positive_ranks(pos, neg) <= k).double().mean())


def mean_reciprocal_rank(pos: Tensor, neg: Tensor) -> float:
    r"""Mean reciprocal rank of the positives, ``MRR = (1/P) Σ_p 1/rank_p``.

    Parameters
    ----------
    pos : Tensor, shape (P,)
    neg : Tensor, shape (P, K) or (Q,)
        With ``(P, K)`` each positive is ranked against the ``K`` negatives of its
        own anchor (the layout graphneg's trainers evaluate with); with ``(Q,)``
        against all ``Q`` negatives. See :func:`positive_ranks` for ties.

    Examples
    --------
    >>> mean_reciprocal_rank(torch.tensor([0.5, 0.2]), torch.tensor([[0.1, 0.9], [0.3, 0.0]]))
    0.5
    """
    return float((1.0 / positive_ranks(pos, neg)).mean())


def ranking_metrics(pos: Tensor, neg: Tensor, hits_k: Sequence[int] = (10,)) -> Dict[str, float]:
    """All metrics at once: ``{"auc", "ap", "mrr", "hits@k" ...}``.

    Examples
    --------
    >>> m = ranking_metrics(torch.tensor([0.9, 0.4]), torch.tensor([[0.1, 0.8], [0.4, 0.0]]), (1,))
    >>> sorted(m), m["auc"]
    (['ap', 'auc', 'hits@1', 'mrr'], 0.8125)
    """
    if isinstance(hits_k, (str, bytes)) or not hasattr(hits_k, "__iter__"):
        raise TypeError(f"The 'hits_k' parameter of ranking_metrics must be a sequence of "
                        f"ints >= 1 (e.g. (10,)). Got {hits_k!r} instead.")
    ranks = positive_ranks(pos, neg)
    out = {"auc": roc_auc(pos, neg), "ap": average_precision(pos, neg),
           "mrr": float((1.0 / ranks).mean())}
    for k in hits_k:
        k = check_int(k, "hits_k", low=1, owner="ranking_metrics")
        out[f"hits@{k}"] = float((ranks <= k).double().mean())
    return out


def _nan_metrics(hits_k: Sequence[int]) -> Dict[str, float]:
    """Metrics of an empty split: all ``nan``."""
    return {"auc": math.nan, "ap": math.nan, "mrr": math.nan,
            **{f"hits@{k}": math.nan for k in hits_k}}



def synonym_auc(emb: Tensor, pairs: Tensor, random_pairs: Tensor) -> float:
    r"""Probability that a synonym pair is more cosine-similar than a random pair.

    .. math:: \mathrm{AUC} = \Pr[\cos(e_a, e_b) > \cos(e_x, e_y)] + \tfrac12 \Pr[=]

    Parameters
    ----------
    emb : FloatTensor, shape (V, d)
    pairs, random_pairs : LongTensor, shape (2, P), (2, R)

    Returns
    -------
    float
        0.5 for random embeddings; cost :math:`O((P + R)\log(P + R))`.

    Examples
    --------
    >>> e = torch.tensor([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]])
    >>> synonym_auc(e, torch.tensor([[0], [1]]), torch.tensor([[0, 1], [2, 2]]))
    1.0
    """
    from scipy.stats import rankdata
    e = F.normalize(emb.detach().double(), dim=1)
    pos = (e[pairs[0]] * e[pairs[1]]).sum(1)
    neg = (e[random_pairs[0]] * e[random_pairs[1]]).sum(1)
    r = rankdata(torch.cat([pos, neg]).numpy())
    p, n = pos.numel(), neg.numel()
    return float((r[:p].sum() - p * (p + 1) / 2) / (p * n))


@torch.no_grad()
def reconstruction_metrics(dist: Tensor, edge_index: Tensor, *,
                           chunk_size: int = 4096) -> Dict[str, float]:
    r"""Mean rank and mean average precision of graph reconstruction (Nickel & Kiela 2017, section 4.1).

    For every edge :math:`(u, v)`, rank :math:`v` among :math:`v` and all
    non-neighbours of :math:`u` by distance; AP per anchor averages precision at
    each neighbour's position among all other nodes.

    Parameters
    ----------
    dist : Tensor, shape (N, N)
        Pairwise distances.
    edge_index : LongTensor, shape (2, E)
        Known edges (both directions for undirected graphs).

    chunk_size : int, default 4096
        Edges ranked at once.

    Returns
    -------
    dict with ``mean_rank`` and ``map``.

    Notes
    -----
    Ties count as the mean of the optimistic and the pessimistic placement, as
    everywhere in graphneg: ``rank(u, v) = 1 + ½(#{n : d_un < d_uv} + #{n : d_un ≤ d_uv})``
    over non-neighbours ``n``, and the precision at ``v`` is
    ``r⁺ / (r⁺ + r⁻)`` with ``r⁺ = 1 + ½(#{w ≠ v : d_uw < d_uv} + #{w ≠ v : d_uw ≤ d_uv})``
    over the other neighbours ``w`` and ``r⁻`` the negatives' half-count above. So
    all-equal distances give the chance values (mean rank ``1 + (N − 1 − deg u)/2``),
    never a perfect score. NaN distances are refused (``inf`` is allowed).
    Cost :math:`O(EN)` time, chunked over edges (:math:`O(\text{chunk}\cdot N)` memory).

    Examples
    --------
    >>> d = torch.tensor([[0., 1, 2], [1, 0, 1], [2, 1, 0]])
    >>> reconstruction_metrics(d, torch.tensor([[0, 1], [1, 0]]))  # node 1: 0 and 2 tie
    {'mean_rank': 1.25, 'map': 0.8333333333333333}
    """
    owner = "reconstruction_metrics"
    if not isinstance(dist, Tensor) or not dist.is_floating_point():
        got = dist.dtype if isinstance(dist, Tensor) else type(dist).__name__
        raise TypeError(f"The 'dist' parameter of {owner} must be a floating-point "
                        f"torch.Tensor. Got {got} instead.")
    if dist.dim() != 2 or dist.size(0) != dist.size(1):
        raise ValueError(f"The 'dist' parameter of {owner} must have shape (N, N). "
                         f"Got {tuple(dist.shape)} instead.")
    if bool(torch.isnan(dist).any()):
        raise ValueError(f"The 'dist' parameter of {owner} must hold no NaN. "
                         f"Got {int(torch.isnan(dist).sum())} NaN distance(s) instead.")
    chunk_size = check_int(chunk_size, "chunk_size", low=1, owner=owner)
    n = dist.size(0)
    edge_index = check_edge_index(edge_index, num_nodes=n, owner=owner)
    adj = torch.zeros(n, n, dtype=torch.bool)
    adj[edge_index[0], edge_index[1]] = True
    neg_d = dist.masked_fill(adj | torch.eye(n, dtype=torch.bool), float("nan"))
    pos_d = dist.masked_fill(~adj, float("nan"))      # NaN compares False: left out
    ranks, precs = [], []
    for lo in range(0, edge_index.size(1), chunk_size):
        u, v = edge_index[0, lo:lo + chunk_size], edge_index[1, lo:lo + chunk_size]
        duv = dist[u, v].unsqueeze(1)
        neg_rank = 0.5 * ((neg_d[u] < duv).sum(1) + (neg_d[u] <= duv).sum(1)).double()
        pos_rank = 1 + 0.5 * ((pos_d[u] < duv).sum(1) + (pos_d[u] <= duv).sum(1) - 1).double()
        ranks.append(1 + neg_rank)
        precs.append(pos_rank / (pos_rank + neg_rank))
    rank, prec = torch.cat(ranks), torch.cat(precs)
    deg = torch.bincount(edge_index[0], minlength=n).double()
    ap = torch.zeros(n, dtype=torch.float64).index_add_(0, edge_index[0], prec)
    has = deg > 0
    return {"mean_rank": float(rank.mean()), "map": float((ap[has] / deg[has]).mean())}
