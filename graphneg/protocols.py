r"""Evaluation protocols: negatives drawn once per split and shared by every method.

A fair comparison of samplers scores every model and every baseline on the *same*
held-out positives and the *same* negatives (a paired design). Two protocols:

``uniform``
    For positive :math:`(u, v)`, :math:`K` negatives :math:`(u, n_k)` with
    :math:`n_k` uniform over the non-neighbours of :math:`u` in the full graph
    (OGB ``ogbl-citation2`` style: corrupt the destination). When :math:`u` has no
    non-neighbour (a star's hub) the positive is corrupted on its other endpoint,
    :math:`(n_k, v)`.
``heart``
    HeaRT (Li et al., 2023): the candidates are all corruptions of one endpoint,
    :math:`\{(u, n)\} \cup \{(n, v)\}`, scored on the *observed* (training) graph by
    several heuristics (resource allocation, common neighbours, personalised
    PageRank: :mod:`graphneg.heuristics`); each heuristic ranks the candidates of
    the positive, the ranks are averaged, and the :math:`K` candidates of best mean
    rank are the negatives (ties broken by a seeded random order). These are the
    pairs a heuristic finds most plausible: hard negatives.

Neither protocol ever returns a self-loop, the positive itself, or an edge of the
full graph (training, validation and test edges, either direction).

The chance level of each ranking metric with :math:`K` negatives per positive is
:math:`\mathrm{AUC} = 1/2`, :math:`\mathrm{MRR} = H_{K+1}/(K+1)` and
:math:`\mathrm{Hits@}k = \min(k, K+1)/(K+1)` (:func:`chance_levels`), since a
random scorer puts the positive at a uniform rank in :math:`1..K+1`.

References
----------
J. Li, H. Shomer, H. Mao, S. Zeng, Y. Ma, N. Shah, J. Tang, D. Yin, "Evaluating
graph neural networks for link prediction: current pitfalls and new benchmarking",
NeurIPS 2023 (Datasets and Benchmarks).
"""
from __future__ import annotations

from typing import Dict, Sequence

import numpy as np
import torch
from scipy.stats import rankdata
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_edge_index, check_int, check_num_nodes, check_option
from graphneg.edges import EdgeSet
from graphneg.heuristics import HEURISTICS, score_rows

__all__ = ["PROTOCOLS", "evaluation_negatives", "uniform_eval_negatives",
           "heart_eval_negatives", "chance_levels"]

#: Protocol names accepted by :func:`evaluation_negatives`.
PROTOCOLS = ("uniform", "heart")


def _checked(edge_index, pos_edge_index, num_nodes, num_neg, owner):
    edge_index = check_edge_index(edge_index, owner=owner)
    num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
    pos_edge_index = check_edge_index(pos_edge_index, "pos_edge_index", num_nodes=num_nodes,
                                      owner=owner)
    num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
    return edge_index, pos_edge_index, num_nodes, num_neg


def uniform_eval_negatives(full_edge_index: Tensor, pos_edge_index: Tensor,
                           num_nodes: int = None, *, num_neg: int = 20,
                           seed: Seed = None) -> Tensor:
    r"""``num_neg`` uniform negatives per positive, never an edge of the full graph.

    Parameters
    ----------
    full_edge_index : LongTensor, shape (2, E)
        Every known edge (training, validation and test), used for exclusion.
    pos_edge_index : LongTensor, shape (2, P)
        The held-out positives.
    num_nodes : int, optional
    num_neg : int
    seed : int, torch.Generator or None

    Returns
    -------
    LongTensor, shape (2, P * num_neg)
        Negatives of positive ``p`` in columns ``p*K .. p*K+K-1`` (anchor first).

    Raises
    ------
    ValueError
        When neither endpoint of a positive has a non-neighbour (a complete graph).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> neg = uniform_eval_negatives(ei, torch.tensor([[0], [1]]), 4, num_neg=3, seed=0)
    >>> neg.shape, bool((neg[0] == 0).all())
    (torch.Size([2, 3]), True)
    """
    from graphneg.samplers import UniformNegativeSampler

    owner = "uniform_eval_negatives"
    full, pos, n, k = _checked(full_edge_index, pos_edge_index, num_nodes, num_neg, owner)
    known = EdgeSet([full, pos], n, undirected=True)
    valid = n - 1 - known.num_excluded()
    flip = valid[pos[0]] == 0
    if bool((flip & (valid[pos[1]] == 0)).any()):
        raise ValueError(f"{owner}: a positive has no valid negative on either endpoint "
                         "(the graph is complete around it).")
    oriented = torch.where(flip, pos.flip(0), pos)
    sampler = UniformNegativeSampler(k, seed=seed)
    neg = sampler.sample(full, n, pos_edge_index=oriented, exclude_edge_index=pos)
    # keep the convention "row 0 = the positive's first node" where we corrupted the source
    slot_flip = flip.repeat_interleave(k)
    return torch.where(slot_flip, neg.flip(0), neg)


def heart_eval_negatives(train_edge_index: Tensor, full_edge_index: Tensor,
                         pos_edge_index: Tensor, num_nodes: int = None, *,
                         num_neg: int = 20, heuristics: Sequence[str] = ("ra", "cn", "ppr"),
                         seed: Seed = None, batch_size: int = 256,
                         on_short: str = "raise") -> Tensor:
    r"""HeaRT hard negatives: the ``num_neg`` corruptions of best mean heuristic rank.

    Parameters
    ----------
    train_edge_index : LongTensor, shape (2, E_train)
        The observed graph the heuristics are computed on.
    full_edge_index : LongTensor, shape (2, E)
        Every known edge, excluded from the negatives.
    pos_edge_index : LongTensor, shape (2, P)
    num_nodes : int, optional
    num_neg : int
        :math:`K`; at most the number of valid corruptions of each positive.
    heuristics : sequence of {"cn", "aa", "ra", "pa", "ppr"}
        Scores whose per-positive ranks are averaged.
    seed : int, torch.Generator or None
        Breaks ties in the mean rank.
    batch_size : int
        Positives scored at once (``O(batch_size * N)`` memory).
    on_short : {"raise", "repeat"}
        A positive with fewer than ``num_neg`` valid corruptions (a small graph): raise,
        or cycle through its valid corruptions in rank order so that every positive
        still has exactly ``num_neg`` columns (repeats then count once per copy).

    Returns
    -------
    LongTensor, shape (2, P * num_neg)
        Negatives of positive ``p`` in columns ``p*K .. p*K+K-1``; a corruption of
        the source ``(n, v)`` is stored as ``(n, v)``.

    Notes
    -----
    For positive :math:`(u, v)` the :math:`2N` candidates are scored by each
    heuristic :math:`h` on the training graph, ranked (average ranks for ties,
    best = 1) and combined as :math:`\bar r(c) = \frac{1}{|H|}\sum_h r_h(c)`;
    invalid candidates (self-loops, the positive, known edges) are removed before
    the top :math:`K`. Cost :math:`O(P N \log N)` for the ranking plus the
    heuristics' (:func:`graphneg.heuristics.score_rows`).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])  # path 0-1-2-3
    >>> neg = heart_eval_negatives(ei, ei, torch.tensor([[0], [1]]), 5, num_neg=2, seed=0)
    >>> sorted(map(tuple, neg.t().tolist()))  # (0, 2) and (3, 1) share a neighbour
    [(0, 2), (3, 1)]
    """
    owner = "heart_eval_negatives"
    full, pos, n, k = _checked(full_edge_index, pos_edge_index, num_nodes, num_neg, owner)
    train = check_edge_index(train_edge_index, "train_edge_index", num_nodes=n, owner=owner)
    heuristics = [check_option(h, "heuristics", [x for x in HEURISTICS if x != "random"],
                               owner=owner) for h in heuristics]
    if not heuristics:
        raise ValueError(f"The 'heuristics' parameter of {owner} must name at least one "
                         "heuristic. Got an empty sequence instead.")
    batch_size = check_int(batch_size, "batch_size", low=1, owner=owner)
    on_short = check_option(on_short, "on_short", ("raise", "repeat"), owner=owner)
    gen = as_generator(seed)
    known = EdgeSet([full, pos], n, undirected=True)
    nodes = torch.arange(n)
    out = torch.empty(2, pos.size(1) * k, dtype=torch.long)
    for lo in range(0, pos.size(1), batch_size):  # blocks of positives, vectorised inside
        u, v = pos[0, lo:lo + batch_size], pos[1, lo:lo + batch_size]
        b = u.numel()
        ranks = np.zeros((b, 2 * n))
        for h in heuristics:
            s = torch.cat([score_rows(train, u, n, method=h), score_rows(train, v, n, method=h)], 1)
            ranks += rankdata(-s.numpy(), axis=1, method="average")
        ranks /= len(heuristics)
        src = torch.cat([u.view(-1, 1).expand(b, n), nodes.view(1, -1).expand(b, n)], 1)
        dst = torch.cat([nodes.view(1, -1).expand(b, n), v.view(-1, 1).expand(b, n)], 1)
        ok = (src != dst) & ~known.contains(src, dst)
        # the corruption (u, n) with n = v, or (n, v) with n = u, is the positive: excluded above
        num_ok = ok.sum(1)
        if bool((num_ok == 0).any()) or (on_short == "raise" and bool((num_ok < k).any())):
            bad = int((num_ok < k).nonzero()[0, 0]) + lo
            raise ValueError(f"{owner}: positive {pos[:, bad].tolist()} has only "
                             f"{int(num_ok.min())} valid corruptions; num_neg={k} is too large.")
        key = torch.from_numpy(ranks).masked_fill(~ok, float("inf"))
        tie = torch.rand(b, 2 * n, generator=gen, dtype=torch.double)
        order = torch.from_numpy(np.lexsort((tie.numpy(), key.numpy()), axis=1))
        order = order.gather(1, torch.arange(k).view(1, -1) % num_ok.clamp(min=1).view(-1, 1))
        cols = slice(lo * k, (lo + b) * k)
        out[0, cols] = src.gather(1, order).reshape(-1)
        out[1, cols] = dst.gather(1, order).reshape(-1)
    return out


def evaluation_negatives(protocol: str, *, train_edge_index: Tensor, full_edge_index: Tensor,
                         pos_edge_index: Tensor, num_nodes: int = None, num_neg: int = 20,
                         seed: Seed = None, on_short: str = "raise") -> Tensor:
    """Negatives of one protocol (``"uniform"`` or ``"heart"``), see the module docstring;
    ``on_short`` as in :func:`heart_eval_negatives` (the uniform protocol draws with
    replacement and is never short).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    >>> evaluation_negatives("heart", train_edge_index=ei, full_edge_index=ei,
    ...                      pos_edge_index=torch.tensor([[0], [1]]), num_nodes=5,
    ...                      num_neg=1, seed=0).tolist()
    [[0], [2]]
    """
    protocol = check_option(protocol, "protocol", PROTOCOLS, owner="evaluation_negatives")
    if protocol == "uniform":
        return uniform_eval_negatives(full_edge_index, pos_edge_index, num_nodes,
                                      num_neg=num_neg, seed=seed)
    return heart_eval_negatives(train_edge_index, full_edge_index, pos_edge_index, num_nodes,
                                num_neg=num_neg, seed=seed, on_short=on_short)


def chance_levels(num_neg: int, hits_k: Sequence[int] = (10,)) -> Dict[str, float]:
    r"""Expected AUC, MRR and Hits@k of a random scorer with ``num_neg`` negatives per positive.

    Examples
    --------
    >>> chance_levels(1)
    {'auc': 0.5, 'mrr': 0.75, 'hits@10': 1.0}
    >>> round(chance_levels(20)["mrr"], 4)
    0.1736
    """
    k = check_int(num_neg, "num_neg", low=1, owner="chance_levels")
    harmonic = float(np.sum(1.0 / np.arange(1, k + 2)))
    out = {"auc": 0.5, "mrr": harmonic / (k + 1)}
    for h in hits_k:
        out[f"hits@{h}"] = min(h, k + 1) / (k + 1)
    return out
