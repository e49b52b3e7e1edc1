"""Edge sets as sorted int64 keys: the exclusion index every sampler shares.

A pair ``(u, v)`` of an ``N``-node graph is the key ``u * N + v``. The sorted
distinct keys (CSR order) answer "is (u, n) a known edge?" for millions of
queries at once: a bit filter settles most non-members in :math:`O(1)`, a
vectorised binary search the rest. :meth:`EdgeSet.for_graph` builds the index of
a graph once (linear time for coalesced input); samplers keep it across calls
(:class:`IndexCache`) until the graph changes, and add each call's positives
with :meth:`EdgeSet.union`.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

import torch
from torch import Tensor

__all__ = ["EdgeSet", "IndexCache", "edge_keys", "degree", "sorted_pair_keys", "to_scipy_csr",
           "unique_sorted"]


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
    """A 0/1 ``scipy.sparse.csr_matrix`` adjacency (duplicates collapsed), sorted
    indices; coalesced input is laid out directly in :math:`O(E)`.

    Examples
    --------
    >>> to_scipy_csr(torch.tensor([[0, 0], [1, 1]]), 2).toarray().tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """
    import numpy as np
    import scipy.sparse as sp

    ei = edge_index.cpu().numpy()
    n = int(num_nodes)
    keys = ei[0] * n + ei[1]
    if keys.size and bool(np.all(keys[1:] > keys[:-1])):
        # coalesced input (sorted by (u, v), no repeats: PyG's usual order): the CSR
        # arrays are read off directly, no sort and no duplicate pass
        indptr = np.concatenate([[0], np.cumsum(np.bincount(ei[0], minlength=n))])
        mat = sp.csr_matrix((np.ones(ei.shape[1]), ei[1].copy(), indptr), shape=(n, n))
        mat.has_canonical_format = True
        return mat
    mat = sp.csr_matrix((np.ones(ei.shape[1]), (ei[0], ei[1])), shape=(n, n))
    mat.sum_duplicates()
    mat.data[:] = 1.0
    return mat


class EdgeSet:
    """An immutable set of (optionally symmetrised) pairs with vectorised lookup: the
    exclusion index every sampler reads.

    Parameters
    ----------
    edge_indices : sequence of LongTensor, each shape (2, E_i)
        Pairs to hold; ``None`` entries are skipped.
    num_nodes : int
    undirected : bool
        Also hold every reversed pair.

    Notes
    -----
    The set is the sorted array of distinct keys ``u * N + v`` (CSR order).
    Building it costs one vectorised sort when every input is sorted by ``(u, v)``
    (PyG's coalesced order: only the reversed pairs are sorted, and dropped when
    the graph is symmetric; sorted runs merge in linear time) and two otherwise,
    :math:`O(E \\log E)`; numpy's SIMD sort beats a counting transpose here.

    Membership: a query is first looked up in a one-hash bit filter of at least 8
    bits per key (:math:`O(1)`, exact "no" for about 7 in 8 non-members), and
    only the remaining ones are binary-searched (in sorted order when there are
    many, inside their own CSR row when there are few: a mini-batch),
    :math:`O(\\log K)`. Sampling queries are mostly non-members, so most
    queries never search; the filter (``K`` bytes) is built on the first lookup
    of a set of more than 4096 keys and kept. A small graph dense enough
    (:math:`N^2 \\le 2^{24}` cells and at most 64 cells per key, or
    :math:`N^2 \\le 2^{20}`) gets an exact ``N x N`` flag table instead: one
    :math:`O(1)` read per query, no search at all. Self-loops present in the
    input are kept as keys but never counted by :meth:`num_excluded`, which
    counts distinct non-self neighbours.

    :meth:`for_graph` builds an index that remembers the tensors it was built
    from (identity and in-place version counter), so a sampler reuses it across
    calls until the graph changes; :meth:`union` adds a call's positives without
    rebuilding.

    Examples
    --------
    >>> s = EdgeSet([torch.tensor([[0], [1]])], 3)
    >>> s.contains(torch.tensor([1, 0]), torch.tensor([0, 2])).tolist()
    [True, False]
    >>> s.union([torch.tensor([[2], [0]])]).contains(torch.tensor([0]), torch.tensor([2])).tolist()
    [True]
    """

    def __init__(self, edge_indices: Sequence[Optional[Tensor]], num_nodes: int,
                 *, undirected: bool = True):
        parts = []
        for e in edge_indices:  # the same tensor passed twice is held once
            if e is not None and e.numel() > 0 and not any(e is p for p in parts):
                parts.append(e)
        self.num_nodes = int(num_nodes)
        self.undirected = undirected
        self._keys: Optional[Tensor] = torch.from_numpy(
            sorted_pair_keys([e.cpu().numpy() for e in parts], self.num_nodes, undirected))
        self._base: Optional["EdgeSet"] = None
        self._extra = np.zeros(0, dtype=np.int64)
        self._filter: Optional[Tuple[np.ndarray, int]] = None
        self._memo: Dict[str, Any] = {}
        self._graph_memo: Dict[str, Any] = {}
        self._sources: Tuple[Any, ...] = ()

    # ------------------------------------------------------------- building
    @classmethod
    def for_graph(cls, edge_index: Tensor, num_nodes: Optional[int] = None, *,
                  exclude_edge_index: Optional[Tensor] = None,
                  undirected: bool = True) -> "EdgeSet":
        """The exclusion index of a graph, built once and reusable across calls.

        Holds ``edge_index`` and ``exclude_edge_index`` (both directions when
        ``undirected``) and remembers them: :meth:`built_from` tells whether it
        is still the index of given tensors (same objects, no in-place change
        since). Pass it to a sampler as ``sample(edge_index, ..., index=index)``;
        a sampler also keeps the last index it built and reuses it on its own.

        Parameters
        ----------
        edge_index : LongTensor, shape (2, E)
        num_nodes : int, optional
            Defaults to ``max(edge_index) + 1``.
        exclude_edge_index : LongTensor, shape (2, X), optional
            Further pairs to hold (held-out split edges).
        undirected : bool, default True

        Returns
        -------
        EdgeSet

        Examples
        --------
        >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
        >>> index = EdgeSet.for_graph(ei, 4)
        >>> len(index), index.built_from(ei), index.built_from(ei.clone())
        (4, True, False)
        """
        from graphneg._validation import check_edge_index, check_num_nodes
        edge_index = check_edge_index(edge_index, "edge_index", owner="EdgeSet.for_graph")
        num_nodes = check_num_nodes(num_nodes, edge_index, owner="EdgeSet.for_graph")
        if exclude_edge_index is not None:
            exclude_edge_index = check_edge_index(exclude_edge_index, "exclude_edge_index",
                                                  num_nodes=num_nodes,
                                                  owner="EdgeSet.for_graph")
        return cls._of_graph(edge_index, num_nodes, exclude_edge_index, undirected)

    @classmethod
    def _of_graph(cls, edge_index: Tensor, num_nodes: int, exclude_edge_index: Optional[Tensor],
                  undirected: bool) -> "EdgeSet":
        """:meth:`for_graph` on arguments the caller has validated."""
        index = cls([edge_index, exclude_edge_index], num_nodes, undirected=undirected)
        index._sources = (_signature(edge_index), _signature(exclude_edge_index))
        return index

    def built_from(self, edge_index: Tensor, exclude_edge_index: Optional[Tensor] = None) -> bool:
        """Whether :meth:`for_graph` built this index from these very tensors and
        neither changed in place since (identity, storage and version counter: a
        cheap check, :math:`O(1)`). Writes that bypass PyTorch's version counter
        (through ``.numpy()`` or ``.data``) are not seen: build a new index then."""
        return (len(self._sources) == 2 and _same(self._sources[0], edge_index)
                and _same(self._sources[1], exclude_edge_index))

    def indexes(self, edge_index: Optional[Tensor]) -> bool:
        """Whether ``edge_index`` is one of the unchanged tensors this index (or the
        index it overlays) was built from by :meth:`for_graph`, :math:`O(1)`."""
        base = self if self._base is None else self._base
        return edge_index is not None and any(s is not None and _same(s, edge_index)
                                              for s in base._sources)

    def same_as(self, other: Optional["EdgeSet"]) -> bool:
        """Whether ``other`` holds the same pairs by construction: the same object, or
        an overlay of the same index with equal extra keys (:math:`O(X)`)."""
        if other is self:
            return True
        return (other is not None and self._base is not None and other._base is self._base
                and np.array_equal(self._extra, other._extra))

    def union(self, edge_indices: Sequence[Optional[Tensor]]) -> "EdgeSet":
        """This set plus the pairs of ``edge_indices`` (both directions when undirected).

        Returns ``self`` when every pair is already held (positives that are
        edges: the usual case; a tensor the index was built from is not even
        looked up), else an overlay holding this set and the sorted
        missing keys; the overlay shares this set's graph tables. Cost
        :math:`O(P)` lookups plus :math:`O(X \\log X)` for ``X`` missing keys.

        Examples
        --------
        >>> s = EdgeSet([torch.tensor([[0], [1]])], 3)
        >>> s.union([torch.tensor([[1], [0]])]) is s
        True
        >>> len(s.union([torch.tensor([[1], [2]])]))
        4
        """
        base = self if self._base is None else self._base
        new = [self._extra]
        for e in edge_indices:
            if e is None or e.numel() == 0 or self.indexes(e):
                continue
            k = edge_keys(e.cpu(), self.num_nodes).numpy()
            if self.undirected:
                k = np.concatenate([k, e[1].cpu().numpy() * self.num_nodes + e[0].cpu().numpy()])
            new.append(k[~self._contains_keys(k)])
        extra = np.concatenate(new)
        if extra.size == self._extra.size:
            return self
        out = EdgeSet.__new__(EdgeSet)
        out.num_nodes, out.undirected = self.num_nodes, self.undirected
        out._keys, out._base, out._filter = None, base, None
        out._extra = unique_sorted(extra)
        out._memo, out._graph_memo, out._sources = {}, base._graph_memo, ()
        return out

    # ------------------------------------------------------------- reading
    @property
    def keys(self) -> Tensor:
        """Sorted distinct keys ``u * N + v``, shape ``(K,)`` (an overlay merges its
        base and extra keys on first use, :math:`O(K)`)."""
        if self._keys is None:
            base = self._base.keys.numpy()
            at = np.searchsorted(base, self._extra)
            self._keys = torch.from_numpy(np.insert(base, at, self._extra))
        return self._keys

    def __len__(self) -> int:
        if self._keys is None:
            return len(self._base) + int(self._extra.size)
        return int(self._keys.numel())

    def contains(self, row: Tensor, col: Tensor) -> Tensor:
        """Boolean mask: is ``(row[i], col[i])`` in the set? Shapes broadcast."""
        shape = torch.broadcast_shapes(row.shape, col.shape)
        q = np.multiply(np.broadcast_to(row.numpy(), shape), np.int64(self.num_nodes),
                        dtype=np.int64)     # numpy in place: a quarter of torch's passes here
        q += col.numpy()
        return torch.from_numpy(self._contains_keys(q.reshape(-1))).view(shape)

    def _contains_keys(self, flat: np.ndarray) -> np.ndarray:
        if self._base is not None:
            hit = self._base._contains_keys(flat)
            if self._extra.size:
                hit |= _search(self._extra, flat)
            return hit
        keys = self._keys.numpy()
        if keys.size == 0:
            return np.zeros(flat.shape, dtype=bool)
        table = self._direct_table(keys)
        if (table is not None and flat.size
                and 0 <= int(flat.min()) and int(flat.max()) < table.size):
            return np.take(table, flat)
        if self._filter is None and keys.size > _FILTER_MIN_KEYS:
            self._filter = _bit_filter(keys)
        if self._filter is None:
            return _search(keys, flat)
        bits, shift = self._filter
        h = np.multiply(flat.view(np.uint64), _GOLDEN)
        h >>= np.uint64(shift)
        byte = np.take(bits, h >> np.uint64(3))        # take: no bounds pass, ~1.5x faster
        byte >>= (h & np.uint64(7)).astype(np.uint8)
        maybe = np.flatnonzero(byte & np.uint8(1))
        out = np.zeros(flat.shape, dtype=bool)
        if maybe.size >= _SORT_QUERIES:
            out[maybe] = _search(keys, flat[maybe])
        elif maybe.size:        # a few survivors (a mini-batch): search their rows only
            out[maybe] = _search_rows(keys, self.row_ptr().numpy(), flat[maybe],
                                     self.num_nodes)
        return out

    def _direct_table(self, keys: np.ndarray) -> Optional[np.ndarray]:
        """The ``N * N`` flags of a small, dense enough set (``None`` otherwise), built
        on first use: membership is then one ``take``, exact, :math:`O(1)` per query.

        Kept for ``N^2 <= 2^24`` (16 MB) when ``N^2 <= 64 K`` (density at least 1/64,
        where the bit filter rejects few queries) or ``N^2 <= 2^20``, and only for
        sets of more than ``_FILTER_MIN_KEYS`` keys (small sets search cheaply)."""
        def make() -> Optional[np.ndarray]:
            cells = self.num_nodes * self.num_nodes
            if (keys.size <= _FILTER_MIN_KEYS or cells > _DIRECT_MAX_CELLS
                    or (cells > _DIRECT_ALWAYS_CELLS and cells > _DIRECT_DENSITY * keys.size)):
                return None
            flags = np.zeros(cells, dtype=bool)
            flags[keys] = True
            return flags
        return self.memo("direct_table", make)

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """Memo of a table derived from this set alone (``make()`` runs once per set;
        a reused index keeps it across calls). The key names every parameter the
        table depends on."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def graph_memo(self, key: str, make: Callable[[], Any]) -> Any:
        """Memo of a table derived from the ``edge_index`` this index was built from
        (:meth:`for_graph`) alone, shared with its overlays (:meth:`union`)."""
        if key not in self._graph_memo:
            self._graph_memo[key] = make()
        return self._graph_memo[key]

    def num_excluded(self) -> Tensor:
        """Per node ``u``: number of distinct ``n != u`` with ``(u, n)`` in the set."""
        def make() -> Tensor:
            n = self.num_nodes
            if self._base is not None:
                extra = self._extra[self._extra % (n + 1) != 0]     # u * N + u = u * (N + 1)
                return self._base.num_excluded() + torch.from_numpy(
                    np.bincount(extra // n, minlength=n))
            keys = self.keys.numpy()
            loops = keys[keys % (n + 1) == 0] // (n + 1)
            return self.row_ptr().diff() - torch.from_numpy(np.bincount(loops, minlength=n))
        return self.memo("num_excluded", make)

    def row_ptr(self) -> Tensor:
        """CSR row pointer over the sorted keys, shape ``(num_nodes + 1,)``."""
        def make() -> Tensor:
            bounds = torch.arange(self.num_nodes + 1) * self.num_nodes
            return torch.searchsorted(self.keys, bounds)
        return self.memo("row_ptr", make)

    def columns(self) -> Tensor:
        """Column ids of the sorted keys (CSR ``indices``)."""
        return self.memo("columns", lambda: self.keys % self.num_nodes)


class IndexCache:
    """The last exclusion index a sampler built, reused while its sources are unchanged.

    A hit needs the same ``edge_index`` and ``exclude_edge_index`` objects, not
    changed in place since (:meth:`EdgeSet.built_from`), the same ``num_nodes``
    argument and direction. Copies and pickles of the owner start empty.

    Attributes
    ----------
    builds, hits : int
        Indexes built and calls served from the cache.

    Examples
    --------
    >>> cache = IndexCache()
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> a = cache.get(ei, None, 3, True)
    >>> cache.get(ei, None, 3, True) is a, cache.builds, cache.hits
    (True, 1, 1)
    """

    def __init__(self) -> None:
        self._entry: Optional[Tuple[Any, bool, EdgeSet]] = None
        self.builds = 0
        self.hits = 0

    def lookup(self, edge_index: Tensor, exclude_edge_index: Optional[Tensor],
               num_nodes: Optional[int], undirected: bool) -> Optional[EdgeSet]:
        """The cached index if it is still the index of these arguments, else ``None``."""
        if self._entry is not None:
            nodes, direction, index = self._entry
            if (direction == undirected and nodes == num_nodes
                    and index.built_from(edge_index, exclude_edge_index)):
                self.hits += 1
                return index
        return None

    def build(self, edge_index: Tensor, exclude_edge_index: Optional[Tensor],
              num_nodes: Optional[int], resolved_num_nodes: int, undirected: bool) -> EdgeSet:
        """Build the index of validated arguments (``num_nodes`` as the caller gave it,
        ``resolved_num_nodes`` after inference) and keep it."""
        index = EdgeSet._of_graph(edge_index, resolved_num_nodes, exclude_edge_index, undirected)
        self._entry = (num_nodes, undirected, index)
        self.builds += 1
        return index

    def get(self, edge_index: Tensor, exclude_edge_index: Optional[Tensor],
            num_nodes: Optional[int], undirected: bool) -> EdgeSet:
        """:meth:`lookup`, else a new index from :meth:`EdgeSet.for_graph` (which
        validates the arguments), kept."""
        index = self.lookup(edge_index, exclude_edge_index, num_nodes, undirected)
        if index is None:
            index = EdgeSet.for_graph(edge_index, num_nodes,
                                      exclude_edge_index=exclude_edge_index,
                                      undirected=undirected)
            self._entry = (num_nodes, undirected, index)
            self.builds += 1
        return index

    def clear(self) -> None:
        """Forget the cached index."""
        self._entry = None

    def __deepcopy__(self, memo: Dict[int, Any]) -> "IndexCache":
        return IndexCache()

    def __reduce__(self):
        return (IndexCache, ())


# ------------------------------------------------------------------ helpers
#: Fibonacci hashing multiplier (2^64 / golden ratio).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
#: Sets with more keys than this get the bit filter on their first lookup.
_FILTER_MIN_KEYS = 4096
#: Query batches at least this large are binary-searched in sorted order.
_SORT_QUERIES = 4096
#: Direct ``N * N`` flag tables (:meth:`EdgeSet._direct_table`): at most this many
#: cells, always below ``_DIRECT_ALWAYS_CELLS``, else for at most
#: ``_DIRECT_DENSITY`` cells per key.
_DIRECT_MAX_CELLS, _DIRECT_ALWAYS_CELLS, _DIRECT_DENSITY = 1 << 24, 1 << 20, 64


def sorted_pair_keys(parts: Sequence[np.ndarray], num_nodes: int, undirected: bool) -> np.ndarray:
    """Sorted distinct keys ``u * N + v`` of the ``(2, E_i)`` arrays ``parts`` (and of
    the reversed pairs when ``undirected``).

    A part already sorted by ``(u, v)`` is not sorted again; its reversed pairs
    ``v * N + u`` are sorted once (numpy's vectorised sort) and dropped when they
    equal the part (a symmetric graph); the sorted runs merge in :math:`O(K)`
    (timsort finds them), and distinct input skips the deduplicating copy. A small
    graph dense enough for :meth:`EdgeSet._direct_table` (at most ``2^24`` cells and
    64 cells per input pair) is read out of an ``N x N`` flag grid instead,
    :math:`O(N^2 + E)`.

    Examples
    --------
    >>> sorted_pair_keys([np.array([[0, 1, 2], [1, 0, 0]])], 3, True).tolist()
    [1, 2, 3, 6]
    """
    n = int(num_nodes)
    size = sum(e.shape[1] for e in parts) * (2 if undirected else 1)
    cells = n * n
    if size and cells <= _DIRECT_MAX_CELLS and cells <= _DIRECT_DENSITY * size:
        # a small, dense graph: set its cells in an N x N flag grid and read them out
        # in order, O(N^2 + E), no sort
        flags = np.zeros(cells, dtype=bool)
        for e in parts:
            flags[e[0] * n + e[1]] = True
            if undirected:
                flags[e[1] * n + e[0]] = True
        return np.flatnonzero(flags).astype(np.int64, copy=False)
    runs = []
    for e in parts:
        k = e[0] * n + e[1]
        ordered = k.size < 2 or bool(np.all(k[1:] >= k[:-1]))
        if not ordered:
            k = np.sort(k)
        runs.append(k)
        if undirected and k.size:
            t = np.sort(e[1] * n + e[0])
            if not np.array_equal(t, k):          # equal: a symmetric graph
                runs.append(t)
    if not runs:
        return np.zeros(0, dtype=np.int64)
    keys = runs[0] if len(runs) == 1 else np.sort(np.concatenate(runs), kind="stable")
    return np.ascontiguousarray(_drop_repeats(keys), dtype=np.int64)


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct entries of a 1-d array: ``np.unique(values)`` by one sort and a
    neighbour mask (numpy 2.4's plain ``np.unique`` of integers takes its hash path:
    about 50x slower at 10^6 entries), :math:`O(K \\log K)`.

    Examples
    --------
    >>> unique_sorted(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    return _drop_repeats(np.sort(values, axis=None))


def _drop_repeats(ordered: np.ndarray) -> np.ndarray:
    """A sorted array without its repeated entries (itself when there is none)."""
    if ordered.size > 1:
        fresh = ordered[1:] != ordered[:-1]
        if not bool(fresh.all()):
            return ordered[np.concatenate([[True], fresh])]
    return ordered


def _search(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Membership of ``queries`` in the sorted array ``keys`` (binary search).

    Many unsorted queries are searched in sorted order (an ``O(Q log Q)`` argsort
    of the queries only): consecutive searches then walk the keys in one direction,
    several times faster than random probes once ``keys`` outgrows the caches."""
    if keys.size == 0:
        return np.zeros(queries.shape, dtype=bool)
    if queries.size >= _SORT_QUERIES and not bool(np.all(queries[1:] >= queries[:-1])):
        order = np.argsort(queries)
        out = np.empty(queries.shape, dtype=bool)
        out[order] = _search(keys, queries[order])
        return out
    pos = np.searchsorted(keys, queries).clip(max=keys.size - 1)
    return keys[pos] == queries


def _search_rows(keys: np.ndarray, ptr: np.ndarray, queries: np.ndarray,
                 num_nodes: int) -> np.ndarray:
    """Membership of ``queries`` in the sorted keys, each binary-searched inside its own
    CSR row ``ptr[u] .. ptr[u + 1]`` (``u = q // N``, :func:`_segment_lower_bound`):
    halvings over a few cache lines instead of ``log2 K`` scattered probes (a
    mini-batch's lookups)."""
    row = queries // num_nodes
    end = ptr[row + 1]
    at = _segment_lower_bound(keys, ptr[row], end, queries)
    return (at < end) & (keys[np.minimum(at, max(keys.size - 1, 0))] == queries)


def _segment_lower_bound(values: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                         targets: np.ndarray) -> np.ndarray:
    """Per query ``i``: the first position ``p`` in ``lo[i] .. hi[i]`` of the sorted
    segment ``values[lo[i]:hi[i]]`` with ``values[p] >= targets[i]`` (``hi[i]`` if
    none), by vectorised halvings, as many as the longest segment needs
    (``ceil(log2(length + 1))``); no key array beyond ``values`` is needed.

    Examples
    --------
    >>> values = np.array([1, 4, 6, 0, 2])                  # segments [1, 4, 6] and [0, 2]
    >>> lo, hi = np.array([0, 0, 3, 3]), np.array([3, 3, 5, 5])
    >>> _segment_lower_bound(values, lo, hi, np.array([5, 1, 3, 9])).tolist()
    [2, 0, 5, 5]
    """
    lo, hi = lo.copy(), hi.copy()
    last = max(values.size - 1, 0)
    while True:                        # invariant: the answer lies in [lo, hi]
        live = lo < hi
        if not live.any():
            return lo
        mid = (lo + hi) >> 1
        go = live & (values[np.minimum(mid, last)] < targets)
        lo = np.where(go, mid + 1, lo)
        hi = np.where(live & ~go, mid, hi)


def _bit_filter(keys: np.ndarray) -> Tuple[np.ndarray, int]:
    """A one-hash bit filter of ``keys``: ``2**b >= 8 K`` bits (``b >= 6``), bit
    ``h(k) = (k * golden) >> (64 - b)`` set for every key. Returns the packed bits and
    the shift ``64 - b``."""
    b = max(6, int(np.ceil(np.log2(8 * max(keys.size, 1)))))
    h = (keys.view(np.uint64) * _GOLDEN) >> np.uint64(64 - b)
    flags = np.zeros(1 << b, dtype=bool)
    flags[h] = True
    return np.packbits(flags, bitorder="little"), 64 - b


def _signature(t: Optional[Tensor]) -> Any:
    """What :func:`_same` compares: a weak reference, the storage, shape, stride and
    in-place version counter of ``t``."""
    if t is None:
        return None
    return (weakref.ref(t), t.data_ptr(), tuple(t.shape), tuple(t.stride()), t._version)


def _same(sig: Any, t: Optional[Tensor]) -> bool:
    if sig is None or t is None:
        return sig is None and t is None
    ref, ptr, shape, stride, version = sig
    return (ref() is t and t.data_ptr() == ptr and tuple(t.shape) == shape
            and tuple(t.stride()) == stride and t._version == version)
