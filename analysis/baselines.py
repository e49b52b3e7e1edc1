r"""Baselines that need no learning, scored on the same evaluation negatives as the models.

A paired comparison fixes, per topology and seed, the split and the evaluation
negatives of every protocol (:mod:`graphneg.protocols`). :func:`protocol_metrics`
scores any pair-scoring function on them; :func:`heuristic_baselines` does so for the
heuristics of :mod:`graphneg.heuristics` computed on the training graph (common
neighbours, Adamic–Adar, resource allocation, preferential attachment, random), so a
learned model's number always stands next to what a formula gets on the same pairs.

Metric names: protocol ``uniform`` gives ``test_auc, test_ap, test_mrr, test_hits@K``;
protocol ``heart`` gives ``heart_auc, heart_ap, heart_mrr, heart_hits@K`` (the
``summary.csv`` schema of the topology study).
"""
from __future__ import annotations

from typing import Callable, Dict, Mapping, Sequence

import torch
from torch import Tensor

from graphneg._validation import checked_params
from graphneg.evaluation import ranking_metrics
from graphneg.heuristics import link_scores

__all__ = ["BASELINES", "PROTOCOL_PREFIX", "protocol_metrics", "heuristic_baselines"]

#: Heuristic baselines, in report order.
BASELINES = ("cn", "aa", "ra", "pa", "random")

#: Column prefix of each protocol's metrics.
PROTOCOL_PREFIX = {"uniform": "test", "heart": "heart"}


@checked_params
def protocol_metrics(score: Callable[[Tensor], Tensor], pos_edge_index: Tensor,
                     negatives: Mapping[str, Tensor], *,
                     hits_k: Sequence[int] = (10,)) -> Dict[str, float]:
    r"""AUC, AP, MRR and Hits@K of ``score`` under every protocol.

    Parameters
    ----------
    score : callable
        Maps pairs ``(2, M)`` to scores ``(M,)`` (higher = more likely an edge).
    pos_edge_index : LongTensor, shape (2, P)
        Held-out positives.
    negatives : mapping of str to LongTensor, shape (2, P * K)
        ``protocol -> negatives`` in the anchor-conditioned layout (row ``p`` of the
        ``(P, K)`` view belongs to positive ``p``).

    Returns
    -------
    dict
        ``{prefix_metric: value}`` with the prefixes of :data:`PROTOCOL_PREFIX` (a
        protocol not listed there is its own prefix: ``nearby`` gives ``nearby_auc``).

    Examples
    --------
    >>> pos = torch.tensor([[0, 1], [1, 2]])
    >>> neg = {"uniform": torch.tensor([[0, 1], [3, 3]])}
    >>> m = protocol_metrics(lambda p: (p[1] < 3).double(), pos, neg)
    >>> m["test_auc"], m["test_mrr"]
    (1.0, 1.0)
    """
    out: Dict[str, float] = {}
    with torch.no_grad():
        s_pos = score(pos_edge_index).double()
        for protocol, neg in negatives.items():
            k = neg.size(1) // max(pos_edge_index.size(1), 1)
            s_neg = score(neg).double().view(-1, k)
            for name, value in ranking_metrics(s_pos, s_neg, hits_k).items():
                out[f"{PROTOCOL_PREFIX.get(protocol, protocol)}_{name}"] = value
    return out


@checked_params
def heuristic_baselines(train_edge_index: Tensor, num_nodes: int, pos_edge_index: Tensor,
                        negatives: Mapping[str, Tensor], *,
                        methods: Sequence[str] = BASELINES, hits_k: Sequence[int] = (10,),
                        seed: int = 0) -> Dict[str, Dict[str, float]]:
    r"""Every heuristic baseline's metrics on the fixed evaluation negatives.

    Parameters
    ----------
    train_edge_index : LongTensor, shape (2, E_train)
        The graph the heuristics see (the training split's message-passing edges).
    num_nodes : int
    pos_edge_index : LongTensor, shape (2, P)
    negatives : mapping of str to LongTensor
        As in :func:`protocol_metrics`.
    methods : sequence of str
        Names from :data:`graphneg.heuristics.HEURISTICS`.
    seed : int
        Seeds the random scorer (the same scores for every protocol's pairs would be
        impossible; each call draws afresh from this seed).

    Returns
    -------
    dict
        ``{"heuristic:<name>": metrics}``.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    >>> res = heuristic_baselines(ei, 4, torch.tensor([[0], [2]]),
    ...                           {"uniform": torch.tensor([[0], [3]])}, methods=["cn"])
    >>> res["heuristic:cn"]["test_auc"]
    1.0
    """
    out = {}
    for method in methods:
        def score(pairs: Tensor, method: str = method) -> Tensor:
            return link_scores(train_edge_index, pairs, num_nodes, method=method, seed=seed)
        out[f"heuristic:{method}"] = protocol_metrics(score, pos_edge_index, negatives,
                                                      hits_k=hits_k)
    return out
