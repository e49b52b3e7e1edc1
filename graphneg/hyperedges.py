r"""Hyperedges in incidence form: validation, sparse incidence, overlaps, membership.

A hypergraph on :math:`N` nodes with :math:`M` hyperedges is held, as in PyG's
:class:`~torch_geometric.data.HyperGraphData`, by an incidence index
``hyperedge_index`` of shape ``(2, nnz)``: row 0 node ids, row 1 hyperedge ids.
Here hyperedge ids are contiguous ``0 .. M-1`` and every hyperedge has at least
one member (an id with no member would be an *empty* hyperedge, which the
validator rejects), and a node is listed at most once per hyperedge.

The incidence matrix :math:`H \in \{0, 1\}^{M \times N}` (rows hyperedges, CSR)
turns set algebra into sparse products:

.. math::

    |A_i \cap B_j| = (H_A H_B^\top)_{ij}, \qquad
    o(A_i, B_j) = \frac{|A_i \cap B_j|}{|A_i| + |B_j| - |A_i \cap B_j|}
    \quad\text{(Jaccard)},

computed only for the pairs that share a node, in
:math:`O(\sum_v \deg_A(v) \deg_B(v))` — never a Python loop over sets.
:class:`HyperedgeSet` answers "is this node set a known hyperedge?" for many
queries at once: an order-free 64-bit hash (sum of fixed random node codes),
one :func:`numpy.searchsorted`, then an exact member-by-member check of the hits.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from graphneg._validation import check_int

__all__ = [
    "check_hyperedge_index", "hyperedge_sizes", "incidence_csr", "intersection_sizes",
    "jaccard_overlap", "HyperedgeSet", "from_member_lists", "to_member_lists",
    "paired_intersections", "hypergraph_num_nodes",
]


def _who(param: str, owner: Optional[str]) -> str:
    return f"The '{param}' parameter" + (f" of {owner}" if owner else "")


def hypergraph_num_nodes(data: Any) -> Any:
    """The node count of a ``HyperGraphData``: the ``num_nodes`` it was given, else PyG's.

    PyG's ``HyperGraphData.num_nodes`` ignores a given count that equals the number of
    hyperedges and returns ``max(edge_index[0]) + 1`` as a tensor instead (a hypergraph
    on 24 nodes with 24 hyperedges). A given count is returned as is; an inferred
    one-element tensor as an ``int``; anything else unchanged, for the caller to check.

    Examples
    --------
    >>> from torch_geometric.data.hypergraph_data import HyperGraphData
    >>> index = torch.tensor([[0, 1, 0, 1], [0, 0, 1, 2]])  # 3 hyperedges; node 2 in none
    >>> d = HyperGraphData(edge_index=index, num_nodes=3)
    >>> d.num_nodes, hypergraph_num_nodes(d)
    (tensor(2), 3)
    """
    given = data.to_dict().get("num_nodes") if hasattr(data, "to_dict") else None
    n = given if given is not None else getattr(data, "num_nodes", None)
    if isinstance(n, Tensor) and n.numel() == 1 and not n.is_floating_point():
        return int(n)
    return n


def check_hyperedge_index(hyperedge_index, param: str = "hyperedge_index", *,
                          num_nodes: Optional[int] = None, min_size: int = 1,
                          owner: Optional[str] = None) -> Tensor:
    """Check an incidence index and return it unchanged.

    Rules: a ``torch.long`` tensor of shape ``(2, nnz)``; non-negative ids; node
    ids in ``[0, num_nodes)``; hyperedge ids contiguous ``0 .. M-1`` with no empty
    hyperedge; no node twice in one hyperedge; every hyperedge of size
    ``>= min_size``. Cost ``O(nnz log nnz)``, ``O(nnz)`` for an index sorted by
    hyperedge then node.

    Parameters
    ----------
    hyperedge_index : LongTensor, shape (2, nnz)
    param : str
        Name used in messages.
    num_nodes : int, optional
    min_size : int, default 1
    owner : str, optional
        Class or function named in messages.

    Raises
    ------
    TypeError, ValueError
        Naming the rule broken and the offending hyperedge or node.

    Examples
    --------
    >>> check_hyperedge_index(torch.tensor([[0, 1, 1], [0, 0, 1]])).shape
    torch.Size([2, 3])
    >>> check_hyperedge_index(torch.tensor([[0, 1], [0, 2]]))
    Traceback (most recent call last):
    ...
    ValueError: The 'hyperedge_index' parameter must not contain empty hyperedges (ids must be contiguous 0..M-1, each with a member). Got hyperedge 1 with no member instead.
    """
    who = _who(param, owner)
    if not isinstance(hyperedge_index, Tensor):
        raise TypeError(f"{who} must be a torch.LongTensor of shape (2, nnz). "
                        f"Got {type(hyperedge_index).__name__} instead.")
    if hyperedge_index.dtype != torch.long:
        raise TypeError(f"{who} must have dtype torch.long. Got {hyperedge_index.dtype} instead.")
    if hyperedge_index.dim() != 2 or hyperedge_index.size(0) != 2:
        raise ValueError(f"{who} must have shape (2, nnz) (row 0 node ids, row 1 hyperedge "
                         f"ids). Got {tuple(hyperedge_index.shape)} instead.")
    if hyperedge_index.numel() == 0:
        return hyperedge_index
    lo = int(hyperedge_index.min())
    if lo < 0:
        raise ValueError(f"{who} must hold non-negative ids. Got {lo} instead.")
    if num_nodes is not None:
        hi = int(hyperedge_index[0].max())
        if hi >= num_nodes:
            raise ValueError(f"{who} must hold node ids in [0, {num_nodes}). Got {hi} instead.")
    sizes = torch.bincount(hyperedge_index[1])
    empty = (sizes == 0).nonzero().view(-1)
    if empty.numel() > 0:
        raise ValueError(f"{who} must not contain empty hyperedges (ids must be contiguous "
                         f"0..M-1, each with a member). Got hyperedge {int(empty[0])} with no "
                         f"member instead.")
    n = int(hyperedge_index[0].max()) + 1
    keys = (hyperedge_index[1] * n + hyperedge_index[0]).numpy()
    # strictly increasing keys (an index sorted by hyperedge, then node) hold no repeat
    dup = np.empty(0, dtype=np.int64)
    if not bool((keys[1:] > keys[:-1]).all()):
        keys = np.sort(keys)
        dup = np.flatnonzero(keys[1:] == keys[:-1])
    if dup.size > 0:
        k = int(keys[dup[0]])
        raise ValueError(f"{who} must list a node at most once per hyperedge. Got node "
                         f"{k % n} twice in hyperedge {k // n} instead.")
    small = (sizes < min_size).nonzero().view(-1)
    if small.numel() > 0:
        j = int(small[0])
        raise ValueError(f"{who} must hold hyperedges of size >= {min_size}. Got hyperedge {j} "
                         f"of size {int(sizes[j])} instead.")
    return hyperedge_index


def hyperedge_sizes(hyperedge_index: Tensor, num_hyperedges: Optional[int] = None) -> Tensor:
    """``|E_j|`` for every hyperedge, LongTensor of shape ``(M,)``.

    Examples
    --------
    >>> hyperedge_sizes(torch.tensor([[0, 1, 2, 0], [0, 0, 0, 1]])).tolist()
    [3, 1]
    """
    m = num_hyperedges if num_hyperedges is not None else (
        int(hyperedge_index[1].max()) + 1 if hyperedge_index.numel() else 0)
    return torch.bincount(hyperedge_index[1], minlength=m)


def incidence_csr(hyperedge_index: Tensor, num_nodes: int,
                  num_hyperedges: Optional[int] = None) -> sp.csr_matrix:
    """The ``(M, N)`` 0/1 incidence matrix, rows hyperedges, ``int32`` data,
    column indices sorted within rows. Cost ``O(nnz log nnz)``.

    Examples
    --------
    >>> incidence_csr(torch.tensor([[0, 2, 1], [0, 0, 1]]), 3).toarray().tolist()
    [[1, 0, 1], [0, 1, 0]]
    """
    m = int(hyperedge_sizes(hyperedge_index, num_hyperedges).numel())
    ei = hyperedge_index.cpu().numpy()
    mat = sp.csr_matrix((np.ones(ei.shape[1], dtype=np.int32), (ei[1], ei[0])),
                        shape=(m, int(num_nodes)))
    mat.sum_duplicates()
    mat.sort_indices()
    return mat


def intersection_sizes(a_index: Tensor, b_index: Tensor, num_nodes: int, *,
                       num_a: Optional[int] = None, num_b: Optional[int] = None
                       ) -> Tuple[Tensor, Tensor, Tensor]:
    r"""``|A_i ∩ B_j|`` for every pair that shares at least one node.

    Parameters
    ----------
    a_index, b_index : LongTensor, shape (2, nnz_a), (2, nnz_b)
        Two incidence indices on the same ``num_nodes`` nodes.
    num_nodes : int

    Returns
    -------
    (row, col, inter) : LongTensors of shape (Q,)
        Pairs ``(i, j)`` sorted by ``i`` then ``j`` with ``inter > 0``.

    Notes
    -----
    One sparse product :math:`H_A H_B^\top` (scipy's SMMP), cost
    :math:`O(\sum_v \deg_A(v)\deg_B(v))` time and :math:`O(Q)` memory.

    Examples
    --------
    >>> a = torch.tensor([[0, 1, 2], [0, 0, 0]])
    >>> b = torch.tensor([[1, 2, 3, 4], [0, 0, 1, 1]])
    >>> [t.tolist() for t in intersection_sizes(a, b, 5)]
    [[0], [0], [2]]
    """
    ha = incidence_csr(a_index, num_nodes, num_a)
    hb = ha if (b_index is a_index and num_b == num_a) else incidence_csr(b_index, num_nodes,
                                                                          num_b)
    prod = ha @ hb.T.tocsr()  # CSR x CSR: scipy's SMMP without a format conversion inside
    prod.sort_indices()
    row = np.repeat(np.arange(prod.shape[0], dtype=np.int64), np.diff(prod.indptr))
    return (torch.from_numpy(row), torch.from_numpy(prod.indices.astype(np.int64)),
            torch.from_numpy(prod.data.astype(np.int64)))


def jaccard_overlap(a_index: Tensor, b_index: Tensor, num_nodes: int, *,
                    num_a: Optional[int] = None, num_b: Optional[int] = None
                    ) -> Tuple[Tensor, Tensor, Tensor]:
    r"""Jaccard overlap :math:`o(A_i, B_j) = |A_i∩B_j| / |A_i∪B_j|` of intersecting pairs.

    Pairs not returned have overlap 0. Same cost as :func:`intersection_sizes`.

    Returns
    -------
    (row, col, overlap) : LongTensor, LongTensor, DoubleTensor, each shape (Q,)

    Examples
    --------
    >>> a = torch.tensor([[0, 1, 2], [0, 0, 0]])
    >>> b = torch.tensor([[1, 2, 3], [0, 0, 0]])
    >>> jaccard_overlap(a, b, 4)[2].tolist()
    [0.5]
    """
    row, col, inter = intersection_sizes(a_index, b_index, num_nodes, num_a=num_a, num_b=num_b)
    sa = hyperedge_sizes(a_index, num_a)
    sb = sa if (b_index is a_index and num_b == num_a) else hyperedge_sizes(b_index, num_b)
    union = sa[row] + sb[col] - inter
    return row, col, inter.double() / union.double()


def from_member_lists(members, *, num_nodes: Optional[int] = None) -> Tensor:
    """Incidence index from a list of member lists (I/O helper, not a hot path).

    Examples
    --------
    >>> from_member_lists([[0, 1], [2]]).tolist()
    [[0, 1, 2], [0, 0, 1]]
    """
    sizes = [len(m) for m in members]
    nodes = torch.tensor([int(v) for m in members for v in m], dtype=torch.long)
    edges = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes, dtype=torch.long))
    out = torch.stack([nodes, edges]) if nodes.numel() else torch.empty(2, 0, dtype=torch.long)
    return check_hyperedge_index(out, "members", num_nodes=num_nodes)


def to_member_lists(hyperedge_index: Tensor, num_hyperedges: Optional[int] = None) -> list:
    """Sorted member lists per hyperedge (for printing and tests).

    Examples
    --------
    >>> to_member_lists(torch.tensor([[2, 0, 1], [0, 0, 1]]))
    [[0, 2], [1]]
    """
    m = int(hyperedge_sizes(hyperedge_index, num_hyperedges).numel())
    order = np.lexsort((hyperedge_index[0].numpy(), hyperedge_index[1].numpy()))
    nodes = hyperedge_index[0].numpy()[order]
    bounds = np.cumsum(hyperedge_sizes(hyperedge_index, m).numpy())[:-1]
    return [part.tolist() for part in np.split(nodes, bounds)] if m else []


#: Fixed node codes for the set hash (a constant seed: not randomness of any output).
_HASH_SEED = 0x9E3779B97F4A7C15


def _node_codes(num_nodes: int) -> np.ndarray:
    return np.random.default_rng(_HASH_SEED).integers(
        0, np.iinfo(np.uint64).max, size=max(num_nodes, 1), dtype=np.uint64, endpoint=True)


class _Packed:
    """Hyperedges as member arrays laid out set after set (CSR) plus their set hashes;
    members sorted within a set unless built by :meth:`rows` (``sorted`` says which)."""

    def __init__(self, hyperedge_index: Tensor, num_hyperedges: Optional[int], codes: np.ndarray):
        self._set_csr(incidence_csr(hyperedge_index, codes.size, num_hyperedges), codes)

    @classmethod
    def csr(cls, mat: sp.csr_matrix, codes: np.ndarray) -> "_Packed":
        """The rows of an incidence CSR with sorted indices."""
        out = cls.__new__(cls)
        out._set_csr(mat, codes)
        return out

    @classmethod
    def rows(cls, nodes: np.ndarray, sizes: np.ndarray, codes: np.ndarray) -> "_Packed":
        """Sets given as ``nodes`` laid out set after set (``sizes`` members each, any order)."""
        out = cls.__new__(cls)
        out._set(np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]), nodes, codes, False)
        return out

    def _set_csr(self, mat: sp.csr_matrix, codes: np.ndarray) -> None:
        self._set(mat.indptr.astype(np.int64), mat.indices.astype(np.int64), codes, True)

    def _set(self, indptr: np.ndarray, indices: np.ndarray, codes: np.ndarray,
             is_sorted: bool) -> None:
        self.indptr, self.indices, self.sorted = indptr, indices, is_sorted
        self.sizes = np.diff(self.indptr)
        with np.errstate(over="ignore"):
            vals = codes[self.indices]
            # uint64 sums wrap around modulo 2^64: an order-free set hash
            csum = np.concatenate([[np.uint64(0)], np.cumsum(vals, dtype=np.uint64)])
            self.hash = csum[self.indptr[1:]] - csum[self.indptr[:-1]]
            self.hash = self.hash + self.sizes.astype(np.uint64) * np.uint64(0x632BE59BD9B4E019)


class HyperedgeSet:
    """A set of hyperedges (node sets) with vectorised exact membership queries.

    Parameters
    ----------
    hyperedge_index : LongTensor, shape (2, nnz)
        Known hyperedges (duplicates allowed).
    num_nodes : int

    Notes
    -----
    Each set gets the hash :math:`h(E) = \\sum_{v \\in E} c_v + |E| c_0 \\bmod 2^{64}`
    with fixed random 64-bit codes :math:`c_v`; queries are sorted-hash lookups
    (:math:`O(Q \\log M)`), and every hash hit is then verified member by member,
    so a reported match is always exact. A miss is wrong only if the query
    equals a known set whose hash collides with a *different* known set's
    (probability about :math:`M^2 / 2^{64}`). Build cost :math:`O(nnz \\log nnz)`.

    Examples
    --------
    >>> known = HyperedgeSet(torch.tensor([[0, 1, 2, 3], [0, 0, 1, 1]]), 4)
    >>> known.contains(torch.tensor([[1, 0, 3, 1], [0, 0, 1, 1]])).tolist()
    [True, False]
    """

    def __init__(self, hyperedge_index: Tensor, num_nodes: int):
        self.num_nodes = int(num_nodes)
        self._codes = _node_codes(self.num_nodes)
        self._packed = _Packed(hyperedge_index, None, self._codes)
        self._index()

    @classmethod
    def from_incidence(cls, incidence: sp.csr_matrix) -> "HyperedgeSet":
        """The set of the rows of an ``(M, N)`` incidence CSR with sorted indices (as
        :func:`incidence_csr` returns it), without building it again.

        Examples
        --------
        >>> h = torch.tensor([[0, 1, 2, 3], [0, 0, 1, 1]])
        >>> known = HyperedgeSet.from_incidence(incidence_csr(h, 4))
        >>> known.contains(torch.tensor([[3, 2], [0, 0]])).tolist()
        [True]
        """
        out = cls.__new__(cls)
        out.num_nodes = int(incidence.shape[1])
        out._codes = _node_codes(out.num_nodes)
        out._packed = _Packed.csr(incidence, out._codes)
        out._index()
        return out

    def _index(self) -> None:
        self._order = np.argsort(self._packed.hash, kind="stable")
        self._sorted_hash = self._packed.hash[self._order]

    def __len__(self) -> int:
        return int(self._packed.sizes.size)

    def lookup(self, query_index: Tensor, num_query: Optional[int] = None) -> Tensor:
        """For each query hyperedge the id of an equal known hyperedge, or -1.

        Returns
        -------
        LongTensor, shape (Q,)
        """
        return torch.from_numpy(self._find(_Packed(query_index, num_query, self._codes)))

    def lookup_rows(self, nodes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """:meth:`lookup` for query sets laid out set after set: set ``j`` is the next
        ``sizes[j]`` entries of ``nodes``, in any order (no incidence matrix is built;
        only the sets whose hash hits are sorted, to be checked member by member).

        Returns
        -------
        ndarray of int64, shape (len(sizes),)

        Examples
        --------
        >>> known = HyperedgeSet(torch.tensor([[0, 1, 2, 3], [0, 0, 1, 1]]), 4)
        >>> known.lookup_rows(np.array([1, 0, 3, 1]), np.array([2, 2])).tolist()
        [0, -1]
        """
        return self._find(_Packed.rows(np.asarray(nodes, dtype=np.int64),
                                       np.asarray(sizes, dtype=np.int64), self._codes))

    def _find(self, q: _Packed) -> np.ndarray:
        out = np.full(q.sizes.size, -1, dtype=np.int64)
        if self._sorted_hash.size == 0 or q.sizes.size == 0:
            return out
        # sorted queries: numpy's binary search then starts from the previous answer
        order = np.argsort(q.hash)
        pos = np.empty(q.hash.size, dtype=np.int64)
        pos[order] = np.searchsorted(self._sorted_hash, q.hash[order])
        pos = pos.clip(max=self._sorted_hash.size - 1)
        cand = self._order[pos]
        hit = (self._sorted_hash[pos] == q.hash) & (self._packed.sizes[cand] == q.sizes)
        qi = np.flatnonzero(hit)
        if qi.size:
            ti = cand[qi]
            lens = q.sizes[qi]
            seg = np.repeat(np.arange(qi.size), lens)
            offs = np.arange(seg.size) - np.repeat(np.cumsum(lens) - lens, lens)
            mine = q.indices[q.indptr[qi][seg] + offs]
            if not q.sorted:                   # sort each hit set's members (seg-major keys)
                mine = np.sort(seg * self.num_nodes + mine) - seg * self.num_nodes
            same = mine == self._packed.indices[self._packed.indptr[ti][seg] + offs]
            bad = np.bincount(seg[~same], minlength=qi.size) > 0
            out[qi[~bad]] = ti[~bad]
        return out

    def contains(self, query_index: Tensor, num_query: Optional[int] = None) -> Tensor:
        """BoolTensor of shape ``(Q,)``: is query hyperedge ``j`` a known hyperedge?"""
        return self.lookup(query_index, num_query) >= 0


def paired_intersections(left_index: Tensor, left_ids: Tensor, right_index: Tensor,
                         right_ids: Tensor, num_nodes: int) -> Tensor:
    r"""``|L_{left_ids[i]} ∩ R_{right_ids[i]}|`` for aligned pairs ``i`` (not all pairs).

    Parameters
    ----------
    left_index, right_index : LongTensor, shape (2, nnz_l), (2, nnz_r)
    left_ids, right_ids : LongTensor, shape (Q,)
    num_nodes : int

    Returns
    -------
    LongTensor, shape (Q,)

    Notes
    -----
    Each member ``v`` of ``R_{right_ids[i]}`` is looked up as the key
    ``left_ids[i] * N + v`` among the sorted keys of ``left_index``:
    :math:`O((nnz_l + \sum_i |R_i|) \log nnz_l)`, no Python loop.

    Examples
    --------
    >>> a = torch.tensor([[0, 1, 2], [0, 0, 0]])
    >>> b = torch.tensor([[1, 2, 3, 5], [0, 0, 0, 1]])
    >>> paired_intersections(a, torch.tensor([0, 0]), b, torch.tensor([0, 1]), 6).tolist()
    [2, 0]
    """
    n = int(num_nodes)
    keys = np.sort((left_index[1] * n + left_index[0]).numpy())
    r = incidence_csr(right_index, n)
    ids = right_ids.numpy()
    lens = np.diff(r.indptr)[ids]
    row = np.repeat(np.arange(ids.size), lens)
    offs = np.arange(row.size) - np.repeat(np.cumsum(lens) - lens, lens)
    nodes = r.indices[r.indptr[ids][row] + offs].astype(np.int64)
    q = left_ids.numpy()[row] * n + nodes
    if keys.size == 0:
        return torch.zeros(ids.size, dtype=torch.long)
    pos = np.searchsorted(keys, q).clip(max=keys.size - 1)
    hit = keys[pos] == q
    return torch.from_numpy(np.bincount(row[hit], minlength=ids.size).astype(np.int64))
