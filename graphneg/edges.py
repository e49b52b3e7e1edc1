"""Edge sets as sorted int64 keys: the membership structure every sampler shares.

A pair ``(u, v)`` of an ``N``-node graph is the key ``u * N + v``. Sorting the
keys once, ``O(E log E)``, turns "is (u, n) a known edge?" into one vectorised
:func:`torch.searchsorted`, ``O(log E)`` per query, for millions of queries at once.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

import torch
from torch import Tensor

__all__ = ["EdgeSet", "edge_keys", "degree", "to_scipy_csr"]


def edge_keys(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Encode pairs as ``u * num_nodes + v``.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
    num_nodes : int

    Returns
    -------
    LongTensor, shape (E,)

    Examples
    --------
    >>> edge_keys(torch.tensor([[0, 2], [1, 0]]), 3).tolist()
    [1, 6]
    """
    return edge_index[0] * num_nodes + edge_index[1]


def degree(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Out-degree of every node (for an undirected ``edge_index`` holding both
    directions this is the usual degree), shape ``(num_nodes,)``.

    Examples
    --------
    >>> degree(torch.tensor([[0, 1, 1], [1, 0, 2]]), 3).tolist()
    [1, 2, 0]
    """
    return torch.bincount(edge_index[0], minlength=num_nodes)


def to_scipy_csr(edge_index: Tensor, num_nodes: int):
    """A 0/1 ``scipy.sparse.csr_matrix`` adjacency (duplicates collapsed).

    Examples
    --------
    >>> to_scipy_csr(torch.tensor([[0, 0], [1, 1]]), 2).toarray().tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """
    import numpy as np
    import scipy.sparse as sp

    ei = edge_index.cpu().numpy()
    mat = sp.csr_matrix((np.ones(ei.shape[1]), (ei[0], ei[1])), shape=(num_nodes, num_nodes))
    mat.sum_duplicates()
    mat.data[:] = 1.0
    return mat


class EdgeSet:
    """An immutable set of (optionally symmetrised) pairs with vectorised lookup.

    Parameters
    ----------
    edge_indices : sequence of LongTensor, each shape (2, E_i)
        Pairs to hold; ``None`` entries are skipped.
    num_nodes : int
    undirected : bool
        Also hold every reversed pair.

    Notes
    -----
    Built in ``O(E log E)``; :meth:`contains` costs ``O(Q log E)`` for ``Q``
    queries. Self-loops present in the input are kept as keys but never counted
    by :meth:`num_excluded`, which counts distinct non-self neighbours.

    Examples
    --------
    >>> s = EdgeSet([torch.tensor([[0], [1]])], 3)
    >>> s.contains(torch.tensor([1, 0]), torch.tensor([0, 2])).tolist()
    [True, False]
    """

    def __init__(self, edge_indices: Sequence[Optional[Tensor]], num_nodes: int,
                 *, undirected: bool = True):
        parts = []
        for e in edge_indices:  # the same tensor passed twice is held once
            if e is not None and e.numel() > 0 and not any(e is p for p in parts):
                parts.append(e)
        self.num_nodes = int(num_nodes)
        self.undirected = undirected
        keys = [edge_keys(e, self.num_nodes) for e in parts]
        if undirected:
            keys += [edge_keys(e.flip(0), self.num_nodes) for e in parts]
        keys = torch.cat(keys) if keys else torch.empty(0, dtype=torch.long)
        # numpy's vectorised introsort is several times faster than torch.sort on
        # int64 here; sort + adjacent dedupe beats torch.unique.
        keys = torch.from_numpy(np.sort(keys.numpy()))
        if keys.numel() > 1:
            keep = torch.ones_like(keys, dtype=torch.bool)
            keep[1:] = keys[1:] != keys[:-1]
            keys = keys[keep]
        self.keys = keys

    def __len__(self) -> int:
        return int(self.keys.numel())

    def contains(self, row: Tensor, col: Tensor) -> Tensor:
        """Boolean mask: is ``(row[i], col[i])`` in the set? Shapes broadcast."""
        q = row * self.num_nodes + col
        if self.keys.numel() == 0:
            return torch.zeros_like(q, dtype=torch.bool)
        flat = q.reshape(-1).numpy()
        keys = self.keys.numpy()
        pos = np.searchsorted(keys, flat).clip(max=keys.size - 1)
        return torch.from_numpy(keys[pos] == flat).view(q.shape)

    def num_excluded(self) -> Tensor:
        """Per node ``u``: number of distinct ``n != u`` with ``(u, n)`` in the set."""
        n = self.num_nodes
        loops = self.contains(torch.arange(n), torch.arange(n)).long()
        return self.row_ptr().diff() - loops

    def row_ptr(self) -> Tensor:
        """CSR row pointer over the sorted keys, shape ``(num_nodes + 1,)``."""
        bounds = torch.arange(self.num_nodes + 1) * self.num_nodes
        return torch.searchsorted(self.keys, bounds)

    def columns(self) -> Tensor:
        """Column ids of the sorted keys (CSR ``indices``)."""
        return self.keys % self.num_nodes
