r"""The hyperedge-sampler base: registry, per-call context, validation, policy, layout.

A subclass writes :meth:`HyperedgeSampler._draw` (one negative per slot) and,
optionally, :meth:`HyperedgeSampler._prepare` (per-call set-up) and
:meth:`HyperedgeSampler._impossible` (anchors known in advance to have no valid
negative). The base validates the input, applies the impossible-anchor policy
twice (before drawing and for slots the draw could not fill), lays the negatives
out by anchor and writes :class:`~graphneg.samplers.base.SamplerStats`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Dict, Optional, Tuple, Type, Union

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import check_int, check_memory, check_same_device
from graphneg.edges import unique_sorted
from graphneg.hyperedges import (
    HyperedgeSet,
    check_hyperedge_index,
    hyperedge_sizes,
    hypergraph_num_nodes,
    incidence_csr,
)
from graphneg.registry import Registry
from graphneg.samplers.base import NoNegativeCandidatesError, RegisteredSampler, SamplerStats

__all__ = [
    "HYPEREDGE_SAMPLERS", "HyperedgeSampler", "HyperedgeNegatives", "HyperedgeContext",
    "CandidatePool", "NoNegativeHyperedgesError", "get_hyperedge_sampler",
]

#: The hyperedge-sampler registry (its ``base`` is set below the class).
HYPEREDGE_SAMPLERS: Registry[Type["HyperedgeSampler"]] = Registry("hyperedge sampler")


class NoNegativeHyperedgesError(NoNegativeCandidatesError):
    """No valid negative hyperedge for some anchors; ``anchors`` holds their hyperedge ids."""


@dataclass
class HyperedgeNegatives:
    """What :meth:`HyperedgeSampler.sample` returns.

    Attributes
    ----------
    hyperedge_index : LongTensor, shape (2, nnz)
        Incidence of the negatives; negative ``p*K + k`` is the ``k``-th of kept anchor ``p``.
    anchor : LongTensor, shape (P_kept * K,)
        The anchor hyperedge id of every negative.
    keep : BoolTensor, shape (P,)
        Anchors kept (all True unless ``on_impossible="drop"`` dropped some).
    candidate : LongTensor, shape (P_kept * K,), or None
        For pool samplers: each negative's index in the candidate pool.
    """

    hyperedge_index: Tensor
    anchor: Tensor
    keep: Tensor
    candidate: Optional[Tensor] = None

    @property
    def num_negatives(self) -> int:
        return int(self.anchor.numel())


@dataclass
class CandidatePool:
    """The candidate hyperedges of a pool sampler for one call.

    Attributes
    ----------
    index : LongTensor, shape (2, nnz)
        Incidence of the candidates (ids ``0..size-1``).
    valid : ndarray of bool, shape (size,)
        Candidates allowed at all (a given pool may hold true hyperedges).
    size : int
    """

    index: Tensor
    valid: np.ndarray
    size: int

    @classmethod
    def of(cls, index: Tensor, valid: Optional[np.ndarray] = None) -> "CandidatePool":
        size = int(hyperedge_sizes(index).numel()) if index.numel() else 0
        return cls(index, np.ones(size, dtype=bool) if valid is None else valid, size)


def csr_rows(h: sp.csr_matrix, rows: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``(cols, pos)``: the entries of CSR rows ``rows`` laid out row after row, and
    the position in ``rows`` each entry belongs to. Vectorised, :math:`O(\\text{nnz out})`.

    Examples
    --------
    >>> h = sp.csr_matrix(np.array([[1, 1, 0], [0, 0, 1]]))
    >>> [a.tolist() for a in csr_rows(h, np.array([1, 0]))]
    [[2, 0, 1], [0, 1, 1]]
    """
    lens = np.diff(h.indptr)[rows]
    pos = np.repeat(np.arange(rows.size), lens)
    offs = np.arange(pos.size) - np.repeat(np.cumsum(lens) - lens, lens)
    return h.indices[h.indptr[rows][pos] + offs].astype(np.int64), pos


def finish_index(nodes: np.ndarray, row: np.ndarray, num_nodes: int) -> Tensor:
    """Incidence sorted by ``(row, node)``: one sort of int64 keys (much faster than lexsort)."""
    key = np.sort(row.astype(np.int64) * num_nodes + nodes)
    return torch.from_numpy(np.stack([key % num_nodes, key // num_nodes]))


def row_choice(indptr: np.ndarray, weights: np.ndarray, rows: np.ndarray,
               uniforms: np.ndarray, csum: Optional[np.ndarray] = None) -> np.ndarray:
    """Inverse-CDF draw of one entry per query inside CSR rows, by ``weights``.

    Entry ``i`` of row ``r`` is returned with probability ``w_i / sum_row(w)``;
    zero-weight entries are never returned. Vectorised: one global cumulative sum
    and one :func:`numpy.searchsorted` (pass ``csum = [0, cumsum(weights)]`` to reuse
    it across calls). Rows must have positive mass.

    Examples
    --------
    >>> row_choice(np.array([0, 2, 3]), np.array([0.0, 1.0, 2.0]), np.array([0, 1]),
    ...            np.array([0.5, 0.5])).tolist()
    [1, 2]
    """
    if csum is None:
        csum = np.concatenate([[0.0], np.cumsum(weights)])
    lo, hi = csum[indptr[rows]], csum[indptr[rows + 1]]
    target = lo + uniforms * (hi - lo)
    pos = np.searchsorted(csum, target, side="right") - 1
    # guard float edge cases: stay inside the row, on a positive-weight entry
    pos = np.clip(pos, indptr[rows], indptr[rows + 1] - 1)
    bad = weights[pos] <= 0
    if bad.any():  # land on the nearest positive entry to the left (ties of csum)
        pos[bad] = np.searchsorted(csum, target[bad], side="left") - 1
    return pos


#: Largest hyperedge for which the clique expansion is built from member pairs.
_PAIR_SIZE_LIMIT = 64


def _product_adjacency(h: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """The clique expansion of incidence ``h`` by one boolean product (see
    :attr:`HyperedgeContext.adjacency`)."""
    hb = sp.csr_matrix((np.ones(h.nnz, dtype=bool), h.indices, h.indptr), shape=h.shape)
    ht = hb.T.tocsr()
    prod = ht @ hb                        # boolean sums never cancel an entry
    row = np.repeat(np.arange(n, dtype=prod.indices.dtype), np.diff(prod.indptr))
    off = prod.indices != row
    indptr = np.zeros(n + 1, dtype=prod.indptr.dtype)
    # every node in some hyperedge has a diagonal entry
    np.cumsum(np.diff(prod.indptr) - (np.diff(ht.indptr) > 0), out=indptr[1:])
    a = sp.csr_matrix((np.ones(int(indptr[-1]), dtype=bool), prod.indices[off], indptr),
                      shape=(n, n)).tocsc()
    out = sp.csr_matrix((np.ones(a.nnz, dtype=np.int64), a.indices, a.indptr), shape=(n, n))
    out.has_canonical_format = True       # symmetric: CSC arrays sorted, no duplicates
    return out


class HyperedgeContext:
    """What a hook may read during one call (built by the base).

    Tables are typed, lazily built properties (each computed at most once per call).

    Attributes
    ----------
    hyperedge_index : LongTensor, shape (2, nnz)
    num_nodes, num_hyperedges : int
    sizes : LongTensor, shape (M,)
    exclude_hyperedge_index : LongTensor, shape (2, nnz_x), or None
    kwargs : dict
        Extra keyword arguments of :meth:`HyperedgeSampler.sample`.
    pool : CandidatePool or None
        The candidates of a pool sampler, set by its :meth:`HyperedgeSampler._prepare`.
    anchor_table : object or None
        The per-anchor table a sampler's :meth:`HyperedgeSampler._impossible` builds
        and its :meth:`HyperedgeSampler._draw` reads (maxent overlaps, clique swaps).

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 1, 2], [0, 0, 1, 1]])
    >>> ctx = HyperedgeContext(h, 3, None, {})
    >>> ctx.sizes.tolist(), ctx.adjacency.toarray().tolist()
    ([2, 2], [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> [a.tolist() for a in ctx.members(torch.tensor([1]))]
    [[1, 2], [0, 0]]
    """

    def __init__(self, hyperedge_index: Tensor, num_nodes: int,
                 exclude_hyperedge_index: Optional[Tensor], kwargs: Dict[str, Any]):
        self.hyperedge_index = hyperedge_index
        self.num_nodes = num_nodes
        self.sizes = hyperedge_sizes(hyperedge_index)
        self.num_hyperedges = int(self.sizes.numel())
        self.exclude_hyperedge_index = exclude_hyperedge_index
        self.kwargs = kwargs
        self.pool: Optional[CandidatePool] = None
        self.anchor_table: Any = None

    @cached_property
    def known(self) -> HyperedgeSet:
        """True hyperedges plus ``exclude_hyperedge_index``, as a set of node sets."""
        if self.exclude_hyperedge_index is None or not self.exclude_hyperedge_index.numel():
            return HyperedgeSet.from_incidence(self.incidence)
        ex = self.exclude_hyperedge_index.clone()
        ex[1] += self.num_hyperedges
        return HyperedgeSet(torch.cat([self.hyperedge_index, ex], 1), self.num_nodes)

    @cached_property
    def incidence(self) -> sp.csr_matrix:
        """``(M, N)`` incidence CSR of the hyperedges."""
        return incidence_csr(self.hyperedge_index, self.num_nodes)

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        r"""0/1 clique-expansion adjacency, ``(N, N)`` CSR (``int64`` data, sorted
        indices), no diagonal.

        The ordered member pairs :math:`(u, w)`, :math:`u \ne w`, of every hyperedge,
        formed one hyperedge size at a time (a ``(count, s)`` member block indexed by
        the :math:`s (s - 1)` off-diagonal positions), packed as keys :math:`u N + w`,
        sorted once and deduplicated (pairs in several hyperedges): the sorted keys
        are the CSR rows in order. Cost :math:`O(P \log P)`,
        :math:`P = \sum_e |e| (|e| - 1)`. With a hyperedge larger than
        ``_PAIR_SIZE_LIMIT`` (whose pairs would dominate the memory) one boolean
        product :math:`H^\top H` instead, its diagonal dropped and its indices sorted
        by a CSC pass (the matrix is symmetric).
        """
        h = self.incidence
        n = self.num_nodes
        sizes = np.diff(h.indptr)
        if sizes.size and int(sizes.max()) > _PAIR_SIZE_LIMIT:
            return _product_adjacency(h, n)
        nodes = h.indices.astype(np.int64)
        parts = [np.empty(0, dtype=np.int64)]
        for s in np.unique(sizes[sizes > 1]):        # one vectorised step per distinct size
            mem = nodes[h.indptr[:-1][sizes == s][:, None] + np.arange(s)]
            i, j = np.nonzero(~np.eye(s, dtype=bool))
            parts.append((mem[:, i] * n + mem[:, j]).ravel())
        key = unique_sorted(np.concatenate(parts))
        indptr = np.searchsorted(key, np.arange(n + 1, dtype=np.int64) * n)
        cols = key - np.repeat(np.arange(n, dtype=np.int64) * n, np.diff(indptr))
        index = np.int32 if n < 2 ** 31 and key.size < 2 ** 31 else np.int64
        out = sp.csr_matrix((np.ones(key.size, dtype=np.int64), cols.astype(index),
                             indptr.astype(index)), shape=(n, n))
        out.has_canonical_format = True       # sorted keys, no repeat
        return out

    def members(self, ids: Tensor) -> Tuple[np.ndarray, np.ndarray]:
        """``(nodes, row)`` of hyperedges ``ids``: members (sorted) and their row in ``ids``."""
        return csr_rows(self.incidence, ids.numpy())


class HyperedgeSampler(RegisteredSampler):
    r"""Base of the hyperedge samplers: validation, impossible-anchor policy, layout, stats.

    Parameters
    ----------
    num_neg : int, default 1
        Negatives per anchor hyperedge.
    seed : int, torch.Generator or None
        Seeds the sampler's generator once; every call advances it.
    on_impossible : {"raise", "drop"}
        Anchors without a valid negative raise :class:`NoNegativeHyperedgesError`
        or are dropped (counted in ``last_stats.dropped``).
    max_rounds : int, default 64
        Rejection rounds before the exact path (pool sampler, CNS: it may enumerate
        sooner) or before an anchor is declared impossible (SNS, MNS).

    Notes
    -----
    A subclass writes :meth:`_impossible` (optional) and :meth:`_draw`.
    """

    registry: ClassVar[Registry] = HYPEREDGE_SAMPLERS
    #: Call-time keyword arguments the class reads; any other raises ``TypeError``
    #: naming it (as for the graph samplers).
    accepts: ClassVar[Tuple[str, ...]] = ()
    _repr_head = ("num_neg", "on_impossible")
    _repr_hidden = frozenset({"seed", "max_rounds", "fallback_ratio"})

    def __init__(self, num_neg: int = 1, *, seed: Seed = None, on_impossible: str = "raise",
                 max_rounds: int = 64):
        self._init_params(locals())

    #: smallest hyperedge size accepted in the input
    min_size: ClassVar[int] = 1

    # ------------------------------------------------------------ hooks
    def _prepare(self, ctx: HyperedgeContext) -> None:
        """Per-call set-up (candidate pools ...); no-op by default."""

    def _impossible(self, anchors: Tensor, ctx: HyperedgeContext) -> Tensor:
        """BoolTensor ``(P,)``: anchors known in advance to have no valid negative."""
        return torch.zeros(anchors.numel(), dtype=torch.bool)

    def _draw(self, slot_anchor: Tensor, ctx: HyperedgeContext, stats: SamplerStats
              ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
        """Draw one negative per slot.

        Returns ``(hyperedge_index, failed, candidate)``: incidence with ids =
        slot positions, a ``(S,)`` mask of slots that found no valid negative
        (their incidence may be empty), and pool indices or ``None``.
        """
        raise NotImplementedError

    # ------------------------------------------------------- tensor face
    def sample(self, hyperedge_index: Tensor, num_nodes: Optional[int] = None, *,
               anchors: Optional[Tensor] = None,
               exclude_hyperedge_index: Optional[Tensor] = None,
               **kwargs: Any) -> HyperedgeNegatives:
        r"""Draw ``num_neg`` negative hyperedges for every anchor.

        Parameters
        ----------
        hyperedge_index : LongTensor, shape (2, nnz)
            The true hyperedges (incidence; see :mod:`graphneg.hyperedges`).
        num_nodes : int, optional
            Defaults to ``max(hyperedge_index[0]) + 1``.
        anchors : LongTensor, shape (P,), optional
            Anchor hyperedge ids; all hyperedges by default.
        exclude_hyperedge_index : LongTensor, shape (2, nnz_x), optional
            Further true hyperedges never to return (held-out positives).
        **kwargs
            Sampler-specific (``candidate_index=`` for the pool sampler).

        Returns
        -------
        HyperedgeNegatives
        """
        check_same_device(type(self).__name__, "hyperedge_index", hyperedge_index=hyperedge_index,
                          anchors=anchors, exclude_hyperedge_index=exclude_hyperedge_index, **kwargs)
        ctx = self._context(hyperedge_index, num_nodes, exclude_hyperedge_index, kwargs)
        anchors = self._check_anchors(anchors, ctx.num_hyperedges)
        k = self.num_neg
        mean_size = ctx.hyperedge_index.size(1) / max(ctx.num_hyperedges, 1)
        check_memory(48.0 * anchors.numel() * k * max(mean_size, 1.0),
                     f"{anchors.numel() * k} negative hyperedges of about {mean_size:.3g} "
                     f"members", params=f"num_neg={k} for {anchors.numel()} anchors",
                     owner=type(self).__name__)
        self._prepare(ctx)
        stats = SamplerStats(requested=anchors.numel() * k)
        keep = ~self._impossible(anchors, ctx)
        self._apply_policy(anchors, keep, stats)
        kept = anchors[keep]
        slot_anchor = kept.repeat_interleave(k)
        index, failed, cand = self._draw(slot_anchor, ctx, stats)
        if bool(failed.any()):
            bad_anchor = torch.zeros(anchors.numel(), dtype=torch.bool)
            pos = keep.nonzero().view(-1)
            bad_anchor[pos[torch.unique(torch.div(failed.nonzero().view(-1), k,
                                                  rounding_mode="floor"))]] = True
            keep2 = keep & ~bad_anchor
            self._apply_policy(anchors, keep2, stats, already=keep)
            slot_keep = keep2[keep].repeat_interleave(k)
            remap = torch.full((slot_anchor.numel(),), -1, dtype=torch.long)
            remap[slot_keep] = torch.arange(int(slot_keep.sum()))
            sel = slot_keep[index[1]]
            index = torch.stack([index[0, sel], remap[index[1, sel]]])
            slot_anchor = slot_anchor[slot_keep]
            cand = cand[slot_keep] if cand is not None else None
            keep = keep2
        stats.drawn = int(slot_anchor.numel())
        self.last_stats = stats
        return HyperedgeNegatives(index, slot_anchor, keep, cand)

    def _context(self, hyperedge_index: Tensor, num_nodes: Optional[int],
                 exclude_hyperedge_index: Optional[Tensor], kwargs: Dict[str, Any],
                 owner: Optional[str] = None) -> HyperedgeContext:
        """Validate the call's hypergraph input and build its :class:`HyperedgeContext`."""
        owner = owner or type(self).__name__
        unknown = sorted(set(kwargs) - set(self.accepts))
        if unknown:
            takes = ", ".join(f"{a}=" for a in self.accepts) or "no call-time input"
            raise TypeError(f"{owner}.sample got unexpected keyword argument(s) {unknown}; "
                            f"it takes {takes} (see {owner}.accepts).")
        if num_nodes is not None:
            num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
        hyperedge_index = check_hyperedge_index(hyperedge_index, num_nodes=num_nodes,
                                                min_size=self.min_size, owner=owner)
        if num_nodes is None:
            num_nodes = int(hyperedge_index[0].max()) + 1 if hyperedge_index.numel() else 0
        num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
        if exclude_hyperedge_index is not None:
            exclude_hyperedge_index = check_hyperedge_index(
                exclude_hyperedge_index, "exclude_hyperedge_index", num_nodes=num_nodes,
                owner=owner)
        return HyperedgeContext(hyperedge_index, num_nodes, exclude_hyperedge_index, kwargs)

    def _check_anchors(self, anchors: Optional[Tensor], m: int) -> Tensor:
        owner = type(self).__name__
        if anchors is None:
            return torch.arange(m)
        if (not isinstance(anchors, Tensor) or anchors.dtype != torch.long or anchors.dim() != 1):
            raise TypeError(f"The 'anchors' parameter of {owner} must be a 1-D LongTensor of "
                            f"hyperedge ids. Got {getattr(anchors, 'dtype', type(anchors))} instead.")
        if anchors.numel() and (int(anchors.min()) < 0 or int(anchors.max()) >= m):
            raise ValueError(f"The 'anchors' parameter of {owner} must hold hyperedge ids in "
                             f"[0, {m}). Got {int(anchors.min())}..{int(anchors.max())} instead.")
        return anchors

    def _apply_policy(self, anchors: Tensor, keep: Tensor, stats: SamplerStats,
                      already: Optional[Tensor] = None) -> None:
        bad_mask = ~keep if already is None else (already & ~keep)
        if not bool(bad_mask.any()):
            return
        bad = torch.unique(anchors[bad_mask])
        stats.impossible_anchors += bad.numel()
        self._raise_impossible(bad, "hyperedge(s)", "negative (every candidate equals a true "
                               "hyperedge or none exists)", NoNegativeHyperedgesError)
        stats.dropped += int(bad_mask.sum())

    # ---------------------------------------------------- transform face
    def __call__(self, data: Any, **kwargs: Any) -> Any:
        return self.forward(copy.copy(data), **kwargs)

    def forward(self, data: Any, **kwargs: Any) -> Any:
        """Write ``hyperedge_label_index``, ``hyperedge_label``, ``hyperedge_label_anchor``
        and ``neg_stats`` (see :mod:`graphneg.samplers.hyperedge`). Extra keyword
        arguments go to :meth:`sample`."""
        index, num_nodes = data.edge_index, hypergraph_num_nodes(data)
        out = self.sample(index, num_nodes, **kwargs)
        kept = out.keep.nonzero().view(-1)
        nodes, row = csr_rows(incidence_csr(index, num_nodes), kept.numpy())
        pos = torch.from_numpy(np.stack([nodes, row]))
        p = kept.numel()
        neg = out.hyperedge_index.clone()
        neg[1] += p
        label = getattr(data, "hyperedge_label", None)
        dtype = label.dtype if label is not None else torch.float
        data.hyperedge_label_index = torch.cat([pos, neg], 1)
        data.hyperedge_label = torch.cat([torch.ones(p, dtype=dtype),
                                          torch.zeros(out.num_negatives, dtype=dtype)])
        data.hyperedge_label_anchor = torch.cat([kept, out.anchor])
        data.neg_stats = self.last_stats.as_dict()
        return data


HYPEREDGE_SAMPLERS.base = HyperedgeSampler  # instances pass through HYPEREDGE_SAMPLERS.make


def get_hyperedge_sampler(sampler: Union[str, HyperedgeSampler], **kwargs: Any) -> HyperedgeSampler:
    """Resolve a hyperedge sampler by registry name (built with ``kwargs``) or pass an instance.

    Examples
    --------
    >>> import graphneg.samplers.hyperedge  # registers the samplers
    >>> get_hyperedge_sampler("maxent", num_neg=2, beta=1.0)
    HyperedgeNegativeSampler(num_neg=2, on_impossible='raise', alpha=0.0, beta=1.0, candidates='hyperedges')
    """
    return HYPEREDGE_SAMPLERS.make(sampler, **kwargs)
