r"""Diagnostics of what a negative sampler does to learning (``docs/design.md``).

These live in core (not in :mod:`graphneg.analysis`) because trainers record them
every epoch and the layout of ``docs/design.md`` forbids core importing the analysis layer;
:mod:`graphneg.analysis.metrics` re-exports them.

Notation. ``z`` are node embeddings, the score is ``s(a, b) = z_a · z_b`` and the
logistic negative-sampling loss of an anchor ``u`` with positive ``v`` and
negatives ``n_1 .. n_K`` is

.. math::

    L = -\log\sigma(s(u, v)) - \sum_k \log\sigma(-s(u, n_k)).

Its gradient with respect to ``z_u`` splits into a positive part
``g⁺ = -(1 - σ(s(u, v))) z_v`` and one negative part per negative,
``g⁻_k = σ(s(u, n_k)) z_{n_k}``.

* **Sampling efficiency** ``η = mean_{(u,n)} ‖g⁻‖ / mean_{(u,v)} ‖g⁺‖``: how much
  gradient the negatives carry relative to the positives. Easy negatives
  (``s(u, n) ≪ 0``) give ``η → 0``.
* **Hard-negative rate** ``h_k``: the fraction of negative pairs ``(u, n)`` with
  ``|N(u) ∩ N(n)| ≥ k`` common neighbours. On G(n, p) a non-edge's common-neighbour
  count is ``Binomial(n - 2, p²)``, so ``h_k = 1 - P(Binomial(n - 2, p²) < k)``.
"""
from __future__ import annotations

import math
from typing import Optional, Tuple, Union

import numpy as np
import torch
from torch import Tensor

from graphneg._validation import (
    check_bool, check_edge_index, check_embeddings, check_int, check_real,
)
from graphneg.edges import to_scipy_csr

__all__ = ["CommonNeighbors", "common_neighbor_counts", "efficiency_from_scores",
           "hard_negative_rate", "sampling_efficiency",
           "contrastive_gradient_parts", "contrastive_efficiency", "temporal_emphasis_ratio"]

_CHUNK_NNZ = 1 << 22  # adjacency entries gathered per chunk of pairs (bounds memory)


def _infer_num_nodes(num_nodes, edge_index: Tensor, pairs: Tensor, pairs_name: str,
                     owner: str) -> int:
    """``num_nodes`` validated against both index tensors, or inferred from them."""
    inferred = 0
    for t in (edge_index, pairs):
        if t.numel():
            inferred = max(inferred, int(t.max()) + 1)
    if num_nodes is None:
        return inferred
    num_nodes = check_int(num_nodes, "num_nodes", low=0, owner=owner)
    check_edge_index(edge_index, "edge_index", num_nodes=num_nodes, owner=owner)
    check_edge_index(pairs, pairs_name, num_nodes=num_nodes, owner=owner)
    return num_nodes


def _neighbor_sets(edge_index: Tensor, num_nodes: int):
    """Symmetric 0/1 CSR adjacency without self-loops: row ``u`` is ``N(u)``."""
    adj = to_scipy_csr(edge_index, num_nodes)
    adj = adj.maximum(adj.T).tocsr()
    adj.setdiag(0)
    adj.eliminate_zeros()
    adj.sort_indices()
    return adj


def common_neighbor_counts(edge_index: Tensor, pairs: Tensor,
                           num_nodes: Optional[int] = None) -> Tensor:
    r"""Common-neighbour count ``|N(u) ∩ N(n)|`` of every pair ``(u, n)``.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
        The graph. Treated as undirected: ``N(u) = {v : (u, v) or (v, u) in
        edge_index}``; self-loops are ignored, duplicates collapse.
    pairs : LongTensor, shape (2, Q)
        Query pairs (typically sampled negatives ``(u, n)``).
    num_nodes : int, optional
        Defaults to ``max(edge_index, pairs) + 1``.

    Returns
    -------
    LongTensor, shape (Q,)

    Notes
    -----
    With the 0/1 adjacency ``A`` (CSR, sorted rows), the count is
    ``(A[u] ⊙ A[n]).sum()``: scipy.sparse gathers the rows of a chunk of pairs and
    intersects them row by row in C. Cost ``O(E + Σ_q (deg u_q + deg n_q))`` time;
    memory is bounded by chunking the pairs. No Python loop over pairs.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 0, 2, 1, 3], [1, 0, 2, 0, 3, 1]])  # path 3-1-0-2
    >>> common_neighbor_counts(ei, torch.tensor([[1, 3, 2], [2, 0, 3]])).tolist()
    [1, 1, 0]
    """
    return _common_neighbor_counts(edge_index, pairs, num_nodes, "pairs", "common_neighbor_counts")


def _common_neighbor_counts(edge_index, pairs, num_nodes, pairs_name: str, owner: str) -> Tensor:
    """Body of :func:`common_neighbor_counts`; errors name ``owner`` and ``pairs_name``."""
    edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
    pairs = check_edge_index(pairs, pairs_name, owner=owner)
    num_nodes = _infer_num_nodes(num_nodes, edge_index, pairs, pairs_name, owner)
    num_pairs = pairs.size(1)
    if num_pairs == 0:
        return torch.zeros(0, dtype=torch.long)
    return _counts_from_adjacency(_neighbor_sets(edge_index, num_nodes), pairs)


def _counts_from_adjacency(adj, pairs: Tensor) -> Tensor:
    """``|N(u) ∩ N(n)|`` per pair from a prepared :func:`_neighbor_sets` CSR."""
    num_pairs = pairs.size(1)
    if num_pairs == 0:
        return torch.zeros(0, dtype=torch.long)
    u, n = pairs.cpu().numpy()
    deg = np.diff(adj.indptr).astype(np.int64)
    work = np.cumsum(deg[u] + deg[n] + 1)  # chunk so each gathers <= _CHUNK_NNZ entries
    bounds = np.searchsorted(work, np.arange(_CHUNK_NNZ, int(work[-1]), _CHUNK_NNZ))
    bounds = np.unique(np.concatenate([[0], bounds, [num_pairs]]))
    counts = np.empty(num_pairs, dtype=np.int64)
    for lo, hi in zip(bounds[:-1], bounds[1:]):  # O(total work / chunk) chunks
        both = adj[u[lo:hi]].multiply(adj[n[lo:hi]])
        counts[lo:hi] = np.asarray(both.sum(axis=1)).ravel()
    return torch.from_numpy(counts)


class CommonNeighbors:
    r"""One graph's adjacency, prepared once for repeated common-neighbour queries.

    Trainers ask for ``h_k`` of fresh negatives every epoch on a fixed graph;
    building the symmetric CSR (``O(E log E)``) once and reusing it leaves
    ``O(Σ_q (deg u_q + deg n_q))`` per query batch.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
        Treated as undirected, self-loops ignored (as :func:`common_neighbor_counts`).
    num_nodes : int, optional

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 0, 2, 1, 3], [1, 0, 2, 0, 3, 1]])  # path 3-1-0-2
    >>> cn = CommonNeighbors(ei, 4)
    >>> cn.counts(torch.tensor([[1, 3], [2, 0]])).tolist(), cn.hard_negative_rate(torch.tensor([[1], [2]]))
    ([1, 1], 1.0)
    """

    def __init__(self, edge_index: Tensor, num_nodes: Optional[int] = None):
        owner = "CommonNeighbors"
        edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
        self.num_nodes = (int(edge_index.max()) + 1 if edge_index.numel() else 0) \
            if num_nodes is None else check_int(num_nodes, "num_nodes", low=0, owner=owner)
        check_edge_index(edge_index, "edge_index", num_nodes=self.num_nodes, owner=owner)
        self._adj = _neighbor_sets(edge_index, self.num_nodes)

    def counts(self, pairs: Tensor) -> Tensor:
        """``|N(u) ∩ N(n)|`` for every column of ``pairs`` (LongTensor ``(2, Q)``), shape ``(Q,)``."""
        pairs = check_edge_index(pairs, "pairs", num_nodes=self.num_nodes, owner="CommonNeighbors")
        return _counts_from_adjacency(self._adj, pairs)

    def hard_negative_rate(self, pairs: Tensor, min_common: int = 1) -> float:
        """``h_k`` of ``pairs`` (see :func:`hard_negative_rate`); ``nan`` for no pairs."""
        k = check_int(min_common, "min_common", low=1, owner="CommonNeighbors")
        c = self.counts(pairs)
        return float((c >= k).double().mean()) if c.numel() else math.nan


def hard_negative_rate(edge_index: Tensor, neg_edge_index: Tensor,
                       num_nodes: Optional[int] = None, *, min_common: int = 1,
                       return_counts: bool = False) -> Union[float, Tuple[float, Tensor]]:
    r"""Share of negative pairs with at least ``min_common`` common neighbours, ``h_k``.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
        The (undirected) graph the negatives were drawn for.
    neg_edge_index : LongTensor, shape (2, Q)
        Negative pairs ``(u, n)``.
    num_nodes : int, optional
        Defaults to ``max(edge_index, neg_edge_index) + 1``.
    min_common : int
        ``k >= 1``.
    return_counts : bool
        Also return the per-pair counts (:func:`common_neighbor_counts`).

    Returns
    -------
    float, or (float, LongTensor of shape (Q,))
        ``h_k = (1/Q) Σ_q 1[|N(u_q) ∩ N(n_q)| ≥ k]``; ``nan`` when ``Q = 0``
        (there is no rate of an empty set of negatives).

    Notes
    -----
    A negative with common neighbours is "hard": a message-passing encoder maps
    the two nodes close together, so its score, and its gradient share, are high.
    On G(n, p) a uniformly drawn non-edge has ``Binomial(n - 2, p²)`` common
    neighbours, so ``h_k = 1 - P(Binomial(n - 2, p²) < k)``: a closed-form check.
    Cost: that of :func:`common_neighbor_counts`.

    Examples
    --------
    >>> from graphneg.generators import star
    >>> leaves = torch.tensor([[1, 2], [3, 4]])  # leaf-leaf pairs share the hub
    >>> hard_negative_rate(star(5).edge_index, leaves)
    1.0
    >>> hard_negative_rate(star(5).edge_index, leaves, min_common=2)
    0.0
    """
    min_common = check_int(min_common, "min_common", low=1, owner="hard_negative_rate")
    return_counts = check_bool(return_counts, "return_counts", owner="hard_negative_rate")
    counts = _common_neighbor_counts(edge_index, neg_edge_index, num_nodes,
                                     "neg_edge_index", "hard_negative_rate")
    rate = float((counts >= min_common).double().mean()) if counts.numel() else math.nan
    return (rate, counts) if return_counts else rate


def sampling_efficiency(z: Tensor, pos_edge_index: Tensor, neg_edge_index: Tensor) -> float:
    r"""Gradient share of the negatives: ``η = mean ‖g⁻‖ / mean ‖g⁺‖`` w.r.t. the anchor.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
        Node embeddings (finite; any floating dtype, gradients are not tracked).
    pos_edge_index : LongTensor, shape (2, P)
        Positive pairs ``(u, v)``, anchor ``u`` in row 0.
    neg_edge_index : LongTensor, shape (2, Q)
        Negative pairs ``(u, n)``, anchor ``u`` in row 0.

    Returns
    -------
    float
        ``η = [(1/Q) Σ_q σ(z_u·z_n) ‖z_n‖] / [(1/P) Σ_p σ(-z_u·z_v) ‖z_v‖]``;
        ``nan`` when ``P = 0`` or ``Q = 0``; ``inf`` if every positive has a zero
        gradient while some negative has not.

    Notes
    -----
    For ``L = -log σ(s(u, v)) - Σ_k log σ(-s(u, n_k))`` with ``s(a, b) = z_a·z_b``,
    ``∂L/∂z_u = -(1 - σ(s(u, v))) z_v + Σ_k σ(s(u, n_k)) z_{n_k}``; ``η`` compares the
    norms of the two parts, pair by pair, as ``torch.autograd`` gives them (tested to
    1e-6). ``1 - σ(s)`` is computed as ``σ(-s)``, exact for large ``s``.
    Cost ``O((P + Q) d)``.

    References
    ----------
    T. Mikolov et al., "Distributed representations of words and phrases and their
    compositionality", NeurIPS 2013 (the loss); Z. Yang et al., "Understanding
    negative sampling in graph representation learning", KDD 2020.

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    >>> round(sampling_efficiency(z, torch.tensor([[0], [1]]), torch.tensor([[0], [2]])), 6)
    1.0
    """
    owner = "sampling_efficiency"
    z = check_embeddings(z, "z", owner=owner).detach()
    num_nodes = z.size(0)
    pos = check_edge_index(pos_edge_index, "pos_edge_index", num_nodes=num_nodes, owner=owner)
    neg = check_edge_index(neg_edge_index, "neg_edge_index", num_nodes=num_nodes, owner=owner)
    if pos.size(1) == 0 or neg.size(1) == 0:
        return math.nan
    norms = z.norm(dim=1)
    pos_score = (z[pos[0]] * z[pos[1]]).sum(1)
    neg_score = (z[neg[0]] * z[neg[1]]).sum(1)
    return _efficiency(pos_score, neg_score, norms[pos[1]], norms[neg[1]])


def _efficiency(pos_score: Tensor, neg_score: Tensor, pos_norm: Tensor, neg_norm: Tensor) -> float:
    """η from scores and target norms (the body shared with :func:`efficiency_from_scores`)."""
    pos_grad = torch.sigmoid(-pos_score) * pos_norm  # ‖(1 - σ(s)) z_v‖
    neg_grad = torch.sigmoid(neg_score) * neg_norm   # ‖σ(s) z_n‖
    num = float(neg_grad.double().mean())
    den = float(pos_grad.double().mean())
    if den == 0.0:
        return math.inf if num > 0.0 else math.nan
    return num / den


def efficiency_from_scores(z: Tensor, pos_edge_index: Tensor, neg_edge_index: Tensor,
                           pos_score: Tensor, neg_score: Tensor) -> float:
    r""":func:`sampling_efficiency` reusing scores a model already computed.

    A trainer has ``s(u, v) = z_u · z_v`` of every pair from its forward pass;
    given them, η needs only the norms ``‖z_v‖``, ``‖z_n‖``: cost
    ``O(N d + P + Q)`` instead of ``O((P + Q) d)`` gathers. The scores must be the
    dot products of ``z`` (not checked: recomputing them is what this avoids).

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    pos_edge_index, neg_edge_index : LongTensor, shapes (2, P), (2, Q)
    pos_score, neg_score : Tensor, shapes (P,), (Q,) (any shape with that many entries)

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    >>> pos, neg = torch.tensor([[0], [1]]), torch.tensor([[0], [2]])
    >>> efficiency_from_scores(z, pos, neg, torch.tensor([1.0]), torch.tensor([-1.0])) == \
    ...     sampling_efficiency(z, pos, neg)
    True
    """
    owner = "efficiency_from_scores"
    z = check_embeddings(z, "z", owner=owner).detach()
    pos = check_edge_index(pos_edge_index, "pos_edge_index", num_nodes=z.size(0), owner=owner)
    neg = check_edge_index(neg_edge_index, "neg_edge_index", num_nodes=z.size(0), owner=owner)
    pos_score, neg_score = pos_score.detach().reshape(-1), neg_score.detach().reshape(-1)
    if pos_score.numel() != pos.size(1) or neg_score.numel() != neg.size(1):
        raise ValueError(f"{owner}: got {pos_score.numel()} positive and {neg_score.numel()} "
                         f"negative scores for {pos.size(1)} and {neg.size(1)} pairs.")
    if pos.size(1) == 0 or neg.size(1) == 0:
        return math.nan
    norms = z.norm(dim=1)
    return _efficiency(pos_score, neg_score, norms[pos[1]], norms[neg[1]])



def temporal_emphasis_ratio(grad: Tensor, *, split_ratio: float = 0.5) -> Tensor:
    r"""Temporal emphasis ratio (``docs/design.md``) of a gradient on the time grid.

    :math:`R = \|\partial L/\partial e_{[0, s)}\|_1 / \|\partial L/\partial e_{[s, G)}\|_1`
    with :math:`s = \operatorname{round}(\text{split\_ratio} \cdot G)` (clamped to
    :math:`1 .. G-1`), summed over all rows.

    Parameters
    ----------
    grad : Tensor, shape (..., G)
        :math:`\partial L/\partial e`.
    split_ratio : float in (0, 1)
        Position of the split as a fraction of the grid.

    Returns
    -------
    Tensor, scalar (``inf`` when the late part has zero gradient).

    Examples
    --------
    >>> float(temporal_emphasis_ratio(torch.tensor([[3.0, -1.0, 1.0, 1.0]])))
    2.0
    """
    owner = "temporal_emphasis_ratio"
    split_ratio = check_real(split_ratio, "split_ratio", low=0, high=1, closed="neither",
                             owner=owner)
    g = grad.size(-1)
    s = min(max(int(round(split_ratio * g)), 1), g - 1)
    if g < 2:
        raise ValueError(f"The 'grad' parameter of {owner} must have at least 2 grid points. "
                         f"Got {g} instead.")
    early = grad[..., :s].abs().sum()
    late = grad[..., s:].abs().sum()
    return early / late



def contrastive_gradient_parts(anchor: Tensor, positive: Tensor, negatives: Tensor,
                               temperature: float = 0.1) -> Tuple[Tensor, Tensor]:
    r"""Positive and negative parts of the InfoNCE gradient with respect to the anchor.

    With logits :math:`\ell_0 = s(a, p)/\tau`, :math:`\ell_k = s(a, n_k)/\tau`
    (cosine :math:`s`) and :math:`\pi = \mathrm{softmax}(\ell)`, the gradient of
    :math:`L = -\ell_0 + \log\sum_j e^{\ell_j}` splits into
    :math:`g^+ = -(1-\pi_0)\nabla_a \ell_0` and :math:`g^- = \sum_{k\ge1}\pi_k \nabla_a \ell_k`,
    :math:`g^+ + g^- = \nabla_a L` (per anchor; float64).

    Parameters
    ----------
    anchor, positive : FloatTensor, shape (B, d)
    negatives : FloatTensor, shape (B, K, d)
    temperature : float

    Returns
    -------
    (g_pos, g_neg) : DoubleTensors, shape (B, d)
    """
    a = anchor.detach().double().requires_grad_(True)
    p, n = positive.detach().double(), negatives.detach().double()
    an = a / a.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    pos = (an * (p / p.norm(dim=-1, keepdim=True).clamp_min(1e-12))).sum(-1) / temperature
    neg = (an.unsqueeze(1) * (n / n.norm(dim=-1, keepdim=True).clamp_min(1e-12))).sum(-1) \
        / temperature
    pi = torch.softmax(torch.cat([pos.unsqueeze(1), neg], 1), 1).detach()
    g_pos, = torch.autograd.grad((-(1 - pi[:, 0]) * pos).sum(), a, retain_graph=True)
    g_neg, = torch.autograd.grad((pi[:, 1:] * neg).sum(), a)
    return g_pos, g_neg



def contrastive_efficiency(anchor: Tensor, positive: Tensor, negatives: Tensor,
                           temperature: float = 0.1) -> float:
    r"""Sampling-efficiency analogue for InfoNCE on hyperedge embeddings.

    :math:`\eta = \mathrm{mean}_b\|g^-_b\| / \mathrm{mean}_b\|g^+_b\|` with the parts of
    :func:`contrastive_gradient_parts` — the efficiency of ``docs/design.md`` for the
    contrastive loss: how much of the anchor's update the negatives drive.
    Cost :math:`O(BKd)`.

    Examples
    --------
    >>> a = torch.tensor([[1.0, 0.0]]); p = torch.tensor([[1.0, 1.0]])
    >>> n = torch.tensor([[[0.0, 1.0]]])
    >>> round(contrastive_efficiency(a, p, n, 1.0), 4)
    1.4142
    """
    g_pos, g_neg = contrastive_gradient_parts(anchor, positive, negatives, temperature)
    den = float(g_pos.norm(dim=1).mean())
    return float(g_neg.norm(dim=1).mean()) / den if den > 0 else float("nan")
