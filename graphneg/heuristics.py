r"""Heuristic link scores: common neighbours, Adamic–Adar, resource allocation,
preferential attachment, personalised PageRank, and a seeded random scorer.

For an undirected simple graph with adjacency :math:`A`, degrees :math:`d` and
neighbourhoods :math:`N(u)`, the score of a pair :math:`(u, v)` is

.. math::

    \mathrm{CN}(u, v) &= |N(u) \cap N(v)|, \\
    \mathrm{AA}(u, v) &= \sum_{w \in N(u) \cap N(v)} \frac{1}{\log d_w}, \\
    \mathrm{RA}(u, v) &= \sum_{w \in N(u) \cap N(v)} \frac{1}{d_w}, \\
    \mathrm{PA}(u, v) &= d_u\, d_v, \\
    \mathrm{PPR}(u, v) &= \pi_u(v) + \pi_v(u), \quad
    \pi_u = \alpha\, e_u + (1 - \alpha)\, \pi_u D^{-1} A ,

(Liben-Nowell & Kleinberg 2007; Adamic & Adar 2003; Zhou, Lü & Zhang 2009; the
PageRank vector by ``num_iter`` power iterations with restart ``alpha``). A common
neighbour of degree 1 cannot exist, so :math:`\log d_w > 0` in AA. ``random`` is
a uniform score in :math:`[0, 1)` from the given seed: the chance-level baseline.

Pairs are scored with sparse row products (``scipy.sparse``):
:func:`link_scores` costs :math:`O(M \bar d)` for :math:`M` pairs;
:func:`score_rows` returns dense rows :math:`S[u, \cdot]` for a batch of anchors,
:math:`O(B N)` memory, which the HeaRT evaluation protocol ranks.

References
----------
D. Liben-Nowell, J. Kleinberg, "The link-prediction problem for social networks", 2007.
L. A. Adamic, E. Adar, "Friends and neighbors on the Web", Social Networks 25, 2003.
T. Zhou, L. Lü, Y.-C. Zhang, "Predicting missing links via local information", 2009.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_edge_index, check_int, check_num_nodes, check_option, check_real
from graphneg.edges import to_scipy_csr

__all__ = ["HEURISTICS", "link_scores", "score_rows"]

#: Heuristic names accepted by :func:`link_scores` and :func:`score_rows`.
HEURISTICS: Tuple[str, ...] = ("cn", "aa", "ra", "pa", "ppr", "random")


def _adjacency(edge_index: Tensor, num_nodes: int):
    """Binary symmetric CSR adjacency (both directions, no self-loops, no weights)."""
    adj = to_scipy_csr(edge_index, num_nodes).astype(np.float64)
    adj = ((adj + adj.T) > 0).astype(np.float64).tocsr()
    adj.setdiag(0)
    adj.eliminate_zeros()
    return adj


def _neighbour_weights(adj, method: str) -> np.ndarray:
    deg = np.asarray(adj.sum(1)).ravel()
    if method == "cn":
        return np.ones_like(deg)
    with np.errstate(divide="ignore"):
        if method == "aa":
            w = 1.0 / np.log(deg)
        else:  # ra
            w = 1.0 / deg
    w[~np.isfinite(w)] = 0.0  # degree 0 or 1: never a common neighbour
    return w


def _ppr_rows(adj, anchors: np.ndarray, alpha: float, num_iter: int) -> np.ndarray:
    """Personalised PageRank vectors :math:`\\pi_u` for ``anchors``, shape ``(B, N)``."""
    deg = np.asarray(adj.sum(1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    walk = (adj.multiply(inv[:, None])).tocsr()  # D^{-1} A (row-stochastic where deg > 0)
    walk_t = walk.T.tocsr()
    restart = np.zeros((anchors.size, adj.shape[0]))
    restart[np.arange(anchors.size), anchors] = 1.0
    pi = restart.copy()
    for _ in range(num_iter):  # power iterations over a block of anchors at once
        pi = alpha * restart + (1.0 - alpha) * (walk_t @ pi.T).T
    return pi


def _check(edge_index, num_nodes, method, owner):
    edge_index = check_edge_index(edge_index, owner=owner)
    num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
    method = check_option(method, "method", HEURISTICS, owner=owner)
    return edge_index, num_nodes, method


def link_scores(edge_index: Tensor, pairs: Tensor, num_nodes: int = None, *,
                method: str = "ra", alpha: float = 0.15, num_iter: int = 20,
                seed: Seed = None) -> Tensor:
    r"""Heuristic score of every pair.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
        The observed graph (message-passing edges; both directions or one).
    pairs : LongTensor, shape (2, M)
        Pairs to score.
    num_nodes : int, optional
    method : {"cn", "aa", "ra", "pa", "ppr", "random"}
        See the module docstring for each formula.
    alpha, num_iter : float, int
        Restart probability and power iterations of ``"ppr"``.
    seed : int, torch.Generator or None
        Only for ``"random"``.

    Returns
    -------
    DoubleTensor, shape (M,)

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 0, 2, 1, 3, 2, 3], [1, 0, 2, 0, 3, 1, 3, 2]])  # 4-cycle
    >>> link_scores(ei, torch.tensor([[0, 0], [3, 1]]), method="cn").tolist()
    [2.0, 0.0]
    >>> link_scores(ei, torch.tensor([[0], [3]]), method="ra").tolist()
    [1.0]
    """
    owner = "link_scores"
    edge_index, num_nodes, method = _check(edge_index, num_nodes, method, owner)
    pairs = check_edge_index(pairs, "pairs", num_nodes=num_nodes, owner=owner)
    if method == "random":
        return torch.rand(pairs.size(1), generator=as_generator(seed), dtype=torch.double)
    adj = _adjacency(edge_index, num_nodes)
    u, v = pairs[0].numpy(), pairs[1].numpy()
    if method == "pa":
        deg = np.asarray(adj.sum(1)).ravel()
        return torch.from_numpy(deg[u] * deg[v])
    if method == "ppr":
        alpha = check_real(alpha, "alpha", low=0, high=1, closed="neither", owner=owner)
        num_iter = check_int(num_iter, "num_iter", low=1, owner=owner)
        uniq, inv = np.unique(np.concatenate([u, v]), return_inverse=True)
        iu, iv = inv[:u.size], inv[u.size:]
        fwd, back = np.empty(u.size), np.empty(u.size)
        for lo in range(0, uniq.size, 1024):  # blocks of anchors, not one at a time
            pi = _ppr_rows(adj, uniq[lo:lo + 1024], alpha, num_iter)
            su, sv = (iu >= lo) & (iu < lo + 1024), (iv >= lo) & (iv < lo + 1024)
            fwd[su] = pi[iu[su] - lo, v[su]]
            back[sv] = pi[iv[sv] - lo, u[sv]]
        return torch.from_numpy(fwd + back)
    w = _neighbour_weights(adj, method)
    common = adj[u].multiply(adj[v])
    return torch.from_numpy(np.asarray(common @ w).ravel())


def score_rows(edge_index: Tensor, anchors: Tensor, num_nodes: int = None, *,
               method: str = "ra", alpha: float = 0.15, num_iter: int = 20) -> Tensor:
    r"""Dense score rows :math:`S[u, \cdot]` of a heuristic for a batch of anchors.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
    anchors : LongTensor, shape (B,)
    num_nodes : int, optional
    method : {"cn", "aa", "ra", "pa", "ppr"}

    Returns
    -------
    DoubleTensor, shape (B, N)
        Row ``b`` holds the score of ``(anchors[b], n)`` for every node ``n``
        (symmetric PPR :math:`\pi_u(n) + \pi_n(u)`).

    Notes
    -----
    CN/AA/RA: :math:`(A_{u\cdot} \odot w) A`, one sparse product; PA: an outer
    product; PPR: ``num_iter`` power iterations for the block plus one for the
    reverse term (all :math:`\pi_n`), :math:`O(\text{num\_iter}\,(B + N) E)`.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 0, 2, 1, 3, 2, 3], [1, 0, 2, 0, 3, 1, 3, 2]])
    >>> score_rows(ei, torch.tensor([0]), method="cn").tolist()
    [[2.0, 0.0, 0.0, 2.0]]
    """
    owner = "score_rows"
    edge_index, num_nodes, method = _check(edge_index, num_nodes, method, owner)
    if method == "random":
        raise ValueError("The 'method' parameter of score_rows must be a structural heuristic "
                         "('cn', 'aa', 'ra', 'pa', 'ppr'). Got 'random' instead.")
    if not isinstance(anchors, Tensor) or anchors.dtype != torch.long or anchors.dim() != 1:
        raise TypeError("The 'anchors' parameter of score_rows must be a 1-D LongTensor. "
                        f"Got {getattr(anchors, 'shape', type(anchors).__name__)} instead.")
    adj = _adjacency(edge_index, num_nodes)
    a = anchors.numpy()
    if method == "pa":
        deg = np.asarray(adj.sum(1)).ravel()
        return torch.from_numpy(np.outer(deg[a], deg))
    if method == "ppr":
        pi = _ppr_rows(adj, a, alpha, num_iter)
        everyone = _ppr_rows(adj, np.arange(num_nodes), alpha, num_iter) if num_nodes <= 4096 \
            else None
        if everyone is None:  # large graphs: reverse term by blocks of columns
            rev = np.empty_like(pi)
            for lo in range(0, num_nodes, 1024):
                blk = _ppr_rows(adj, np.arange(lo, min(lo + 1024, num_nodes)), alpha, num_iter)
                rev[:, lo:lo + blk.shape[0]] = blk[:, a].T
        else:
            rev = everyone[:, a].T
        return torch.from_numpy(pi + rev)
    w = _neighbour_weights(adj, method)
    rows = adj[a].multiply(w[None, :]).tocsr() @ adj
    return torch.from_numpy(rows.toarray())
