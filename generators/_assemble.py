"""Shared machinery of the graph generators: exact uniform pair subsets and the
assembly of an undirected :class:`~torch_geometric.data.Data`.

Pairs of a node set are numbered so that a uniform ``M``-subset of integers is a
uniform ``M``-subset of pairs:

* inside one block of ``b`` nodes, the ``b(b-1)/2`` unordered pairs ``(r, c)``,
  ``c < r``, are numbered row by row of the strict lower triangle,
  ``k = r(r-1)/2 + c`` (:func:`decode_lower_triangle` inverts it);
* between blocks of ``a`` and ``b`` nodes, ``k = i * b + j``.

G(n, p) is then exact by drawing ``M ~ Binomial(n(n-1)/2, p)`` and a uniform
``M``-subset: conditional on ``M`` edges every ``M``-edge graph is equally likely
under G(n, p), which is exactly this construction.
"""
from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data

__all__ = ["decode_lower_triangle", "sample_distinct", "sample_block_pairs", "undirected_data"]


def decode_lower_triangle(index: np.ndarray) -> "tuple[np.ndarray, np.ndarray]":
    """Invert ``k = r(r-1)/2 + c`` (``0 <= c < r``) for an int64 array ``k``.

    ``r = floor((1 + sqrt(1 + 8k)) / 2)`` in float64, then corrected with exact
    integer arithmetic, so the result is exact for every ``k`` that fits int64
    (float rounding moves the estimate by at most one). Cost ``O(len(k))``.

    Examples
    --------
    >>> r, c = decode_lower_triangle(np.arange(6))
    >>> list(zip(r.tolist(), c.tolist()))
    [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
    """
    index = np.asarray(index, dtype=np.int64)
    row = np.floor((1.0 + np.sqrt(1.0 + 8.0 * index.astype(np.float64))) / 2.0).astype(np.int64)
    while True:  # at most one step each way; the loop is over corrections, not elements
        high = row * (row - 1) // 2 > index
        if not high.any():
            break
        row -= high
    while True:
        low = (row + 1) * row // 2 <= index
        if not low.any():
            break
        row += low
    col = index - row * (row - 1) // 2
    return row, col


def sample_distinct(rng: np.random.Generator, population: int, size: int) -> np.ndarray:
    """A uniform ``size``-subset of ``range(population)``, int64, unsorted.

    Delegates to :meth:`numpy.random.Generator.choice` without replacement
    (Floyd's algorithm with a hash set when ``size`` is small against
    ``population``, a partial Fisher-Yates shuffle otherwise): ``O(size)``
    expected time and memory in the sparse case, ``O(population)`` in the dense
    one, where the output is of that order anyway.

    Examples
    --------
    >>> np.sort(sample_distinct(np.random.default_rng(0), 10, 10)).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    if size == 0:
        return np.empty(0, dtype=np.int64)
    out = rng.choice(population, size=size, replace=False, shuffle=False)
    return out.astype(np.int64, copy=False)


def sample_block_pairs(rng: np.random.Generator, size_a: int, size_b: "int | None",
                       edge_prob: float) -> "tuple[np.ndarray, np.ndarray]":
    """Exact Bernoulli(``edge_prob``) pairs inside one block or between two blocks.

    Parameters
    ----------
    rng : numpy.random.Generator
    size_a : int
        Nodes of the first block (local ids ``0 .. size_a - 1``).
    size_b : int or None
        ``None`` for pairs inside the first block (unordered, ``c < r``);
        otherwise the second block's size (pairs ``(i, j)``, ``i < size_a``, ``j < size_b``).
    edge_prob : float in [0, 1]

    Returns
    -------
    (row, col) : int64 arrays of local ids, every pair once.

    Notes
    -----
    ``M ~ Binomial(N, p)`` with ``N`` the number of pairs, then a uniform
    ``M``-subset of pair numbers, decoded. Expected cost ``O(N p)`` when
    ``p`` is small, never ``O(N)`` pair tests.
    """
    num_pairs = size_a * (size_a - 1) // 2 if size_b is None else size_a * size_b
    if num_pairs == 0 or edge_prob == 0.0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    num_edges = num_pairs if edge_prob == 1.0 else int(rng.binomial(num_pairs, edge_prob))
    index = sample_distinct(rng, num_pairs, num_edges)
    if size_b is None:
        return decode_lower_triangle(index)
    return index // size_b, index % size_b


def undirected_data(row: np.ndarray, col: np.ndarray, num_nodes: int, **attrs) -> Data:
    """Assemble a :class:`Data` from unordered pairs given once each.

    ``edge_index`` holds both directions, sorted by ``(row, col)`` (coalesced),
    shape ``(2, 2 * len(row))``. The caller guarantees ``row != col`` and no pair
    twice (in either direction). One sort of ``2E`` int64 keys: ``O(E log E)``.

    Examples
    --------
    >>> undirected_data(np.array([1]), np.array([0]), 3).edge_index.tolist()
    [[0, 1], [1, 0]]
    """
    row = np.asarray(row, dtype=np.int64)
    col = np.asarray(col, dtype=np.int64)
    keys = np.concatenate([row * num_nodes + col, col * num_nodes + row])
    keys.sort()
    src = keys // max(num_nodes, 1)
    dst = keys - src * num_nodes
    edge_index = torch.from_numpy(np.stack([src, dst]))
    return Data(edge_index=edge_index, num_nodes=int(num_nodes), **attrs)
