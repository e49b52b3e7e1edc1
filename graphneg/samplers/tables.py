r"""Samplers whose proposal lives on a per-anchor candidate table: one base, one hook.

Concepts
--------
A *candidate table* gives every anchor :math:`u` a short list of candidate ids
:math:`T_{u1}, \dots, T_{uW}` with log weights :math:`\ell_{u1}, \dots, \ell_{uW}`
(``-1`` / ``-inf`` pad a row; a repeated id adds its weights). The sampler's
proposal is

.. math::

    q(n \mid u) \propto \sum_{j : T_{uj} = n} e^{\ell_{uj}}\, \mathbb{1}[n \in C(u)],

and, for anchors with fewer than ``min_valid`` valid entries (``min_valid >= 1``),
the *fallback* uniform over :math:`C(u)`, recorded with
:meth:`~graphneg.samplers.base.SamplingContext.note_fallback` and reported under
the sampler's ``fallback_stat``. With ``min_valid = 0`` there is no fallback: an
anchor whose row holds no valid entry proposes itself (always rejected), so its
support must be accounted for by the sampler's count of valid candidates.

A subclass writes **one** hook, :meth:`TableSampler._candidate_table`; the base

* builds the rows of the distinct anchors of a call once (in row chunks) and
  caches them for the rest of the call (pairs mode adds fresh anchors);
* drops invalid entries (the anchor, known edges, outside ``candidate_mask``)
  with one vectorised test, sparse when rows are wide;
* samples both ways the :mod:`graphneg.samplers.base` needs: the *rejection*
  proposal (fallback slots first, one uniform id of the candidate set each; then
  one draw from the row of every other slot, by the method the class declares in
  ``row_draw``: ``"inverse_cdf"``, one uniform per slot and an inverse-CDF step
  on the row's normalised cumulative weights, :func:`draw_rows`, or
  ``"multinomial"``, :func:`torch.multinomial` on the row; see
  :data:`ROW_DRAWS`) and the *exact* path (:meth:`_log_weights`, the table
  scattered onto the candidate grid with repeats summed).

Cost per call: the hook, plus :math:`O(U W)` validity for :math:`U` distinct
anchors and width :math:`W`, plus :math:`O(S \log(U W))` for :math:`S` slots
(:math:`O(S W)` with ``row_draw = "multinomial"``).

Writing a table sampler
-----------------------
::

    class MyTableSampler(TableSampler, name="mine"):
        def _candidate_table(self, anchors, ctx):
            ids = ...          # LongTensor (A, W), -1 = empty entry
            log_w = ...        # Tensor (A, W), -inf = no mass
            return ids, log_w
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from graphneg.edges import _same, _signature, unique_sorted
from graphneg.samplers.base import _CHUNK_ELEMENTS, NegativeSampler, SamplingContext

__all__ = [
    "TableSampler", "CandidateRows", "draw_rows", "ROW_DRAWS",
    "CSRRowCache", "dense_score_blocks", "draw_csr_rows", "excluded_rows", "gather_rows",
    "normalised_cumsum", "segment_positions",
]


def draw_rows(prob: Tensor, row: Tensor, uniforms: Tensor) -> Tensor:
    r"""One inverse-CDF draw from ``prob[row[i]]`` for every ``i``, given ``uniforms[i]``.

    Parameters
    ----------
    prob : Tensor, shape (R, W)
        Rows summing to 1 (non-negative).
    row : LongTensor, shape (S,)
    uniforms : DoubleTensor, shape (S,)
        Values in ``[0, 1)``.

    Returns
    -------
    LongTensor, shape (S,)
        Column of each draw; zero-probability columns are never returned.

    Notes
    -----
    The rows are offset by their index, ``r + cumsum(prob[r])``, into one global
    monotone array, so a draw is one binary search: :math:`O(R W + S \log(R W))`,
    independent of how many draws one row receives.

    Examples
    --------
    >>> prob = torch.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    >>> draw_rows(prob, torch.tensor([0, 1, 1]), torch.tensor([0.3, 0.2, 0.7])).tolist()
    [1, 0, 2]
    """
    r, c = prob.shape
    cdf = torch.cumsum(prob.double(), 1)
    total = cdf[:, -1].clone()
    flat = (cdf + torch.arange(r, dtype=torch.double).view(-1, 1)).view(-1)
    u = row.double() + uniforms * total[row]
    # first position whose cumulative value exceeds u: inside row ``row`` because the
    # row's last value is row + total > u; zero-probability columns are never hit
    idx = torch.searchsorted(flat, u, right=True)
    return idx - row * c


def _inverse_cdf_rows(prob: Tensor, row: Tensor, generator: torch.Generator) -> Tensor:
    uniforms = torch.rand(row.numel(), generator=generator, dtype=torch.double)
    return draw_rows(prob, row, uniforms)


def _multinomial_rows(prob: Tensor, row: Tensor, generator: torch.Generator) -> Tensor:
    # slot chunks bound the (slots, W) copy; the generator is read in the same order
    # as one call on all slots, so chunking does not change the draws
    step = max(1, _CHUNK_ELEMENTS // max(prob.size(1), 1))
    return torch.cat([torch.multinomial(prob[row[lo:lo + step]], 1, generator=generator)
                      for lo in range(0, row.numel(), step)]).view(-1)


#: Row draws of :meth:`TableSampler._propose`, by the name a subclass declares in
#: ``row_draw``: ``f(prob (R, W), row (S,), generator) -> column (S,)``, one draw
#: from ``prob[row[i]]`` per slot. ``"inverse_cdf"``: one float64 uniform per slot
#: and :func:`draw_rows`, :math:`O(R W + S \log(R W))`. ``"multinomial"``:
#: :func:`torch.multinomial` on the slot's row (one exponential race per slot),
#: :math:`O(S W)` time, memory bounded by slot chunks.
ROW_DRAWS: Dict[str, Callable[[Tensor, Tensor, torch.Generator], Tensor]] = {
    "inverse_cdf": _inverse_cdf_rows,
    "multinomial": _multinomial_rows,
}


class CandidateRows:
    """The cached rows of one call: candidate ids, log weights masked to ``-inf`` on
    invalid entries (unless the sampler's ``mask_rows`` is False), the fallback
    flag and the number of valid entries, per built
    anchor (``row_of[u]`` is anchor ``u``'s row, ``-1`` if not built yet).

    Attributes
    ----------
    row_of : LongTensor, shape (N,)
    ids : LongTensor, shape (R, W)
        Invalid or empty entries hold the row's anchor.
    log_weights : DoubleTensor, shape (R, W)
    fallback : BoolTensor, shape (R,)
    num_valid : LongTensor, shape (R,)
    """

    def __init__(self, num_nodes: int):
        self.row_of = torch.full((num_nodes,), -1, dtype=torch.long)
        self.ids: Optional[Tensor] = None
        self.log_weights: Optional[Tensor] = None
        self.fallback = torch.zeros(0, dtype=torch.bool)
        self.num_valid = torch.zeros(0, dtype=torch.long)
        self.values: Dict[str, Tensor] = {}

    def add(self, anchors: Tensor, ids: Tensor, log_weights: Tensor, fallback: Tensor,
            num_valid: Tensor, values: Optional[Dict[str, Tensor]] = None) -> None:
        """Append the rows of new ``anchors`` (rows are padded to a common width), with
        the hook's per-row ``values`` (``{name: (A,) tensor}``, see
        :meth:`TableSampler._row_value`)."""
        for name, value in (values or {}).items():
            old = self.values.get(name, value.new_zeros(self.fallback.numel()))
            self.values[name] = torch.cat([old, value])
        start = self.fallback.numel()
        if self.ids is not None and self.ids.size(1) != ids.size(1):
            width = max(self.ids.size(1), ids.size(1))
            self.ids, self.log_weights = _pad(self.ids, self.log_weights, width)
            ids, log_weights = _pad(ids, log_weights, width)
        self.ids = ids if self.ids is None else torch.cat([self.ids, ids])
        self.log_weights = (log_weights if self.log_weights is None
                            else torch.cat([self.log_weights, log_weights]))
        self.fallback = torch.cat([self.fallback, fallback])
        self.num_valid = torch.cat([self.num_valid, num_valid])
        self.row_of[anchors] = torch.arange(start, start + anchors.numel())


def _pad(ids: Tensor, log_weights: Tensor, width: int) -> Tuple[Tensor, Tensor]:
    extra = width - ids.size(1)
    if extra == 0:
        return ids, log_weights
    fill = ids[:, :1].expand(-1, extra)            # the row's anchor-or-entry: -inf anyway
    return (torch.cat([ids, fill], 1),
            torch.cat([log_weights, log_weights.new_full((ids.size(0), extra),
                                                         float("-inf"))], 1))


class TableSampler(NegativeSampler):
    r"""Base of the samplers that draw from a per-anchor candidate table.

    Subclasses write :meth:`_candidate_table`; see the module docstring for the law,
    the fallback and the cost. ``min_valid`` (class or instance attribute) is the
    fewest valid entries a row needs before its anchor falls back to uniform over
    :math:`C(u)` (``0``: never).

    Examples
    --------
    >>> class Next(TableSampler):
    ...     def _candidate_table(self, anchors, ctx):   # q(. | u): u + 1 or u + 2, 3:1
    ...         ids = torch.stack([anchors + 1, anchors + 2], 1) % ctx.num_nodes
    ...         return ids, torch.tensor([[3.0, 1.0]]).log().expand(anchors.numel(), 2)
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> law = Next().law(ei, 5)
    >>> [round(p, 2) for p in law.log_prob(torch.tensor([0])).exp()[0].tolist()]
    [0.0, 0.0, 1.0, 0.0, 0.0]
    >>> [round(p, 2) for p in law.log_prob(torch.tensor([2])).exp()[0].tolist()]
    [0.0, 0.0, 0.0, 0.75, 0.25]
    """

    weighted = True
    min_valid: int = 0
    #: False: the base does not test the rows' validity. Either the hook already gave
    #: invalid entries ``-inf`` (it checked validity itself, e.g. before truncating
    #: rows), or the rows keep invalid entries and the rejection step drops their
    #: proposals (the older text samplers' draws; then ``min_valid`` must be 0 and
    #: ``num_valid`` counts the row's finite entries). The exact path and the law
    #: mask validity themselves, so the law is the same either way.
    mask_rows: bool = True
    #: How the rejection proposal draws a slot's entry from its row, a key of
    #: :data:`ROW_DRAWS`: ``"inverse_cdf"`` or ``"multinomial"``. Both state the same
    #: law; they read the generator differently, so a sampler keeps the one its
    #: seeded draws were made with.
    row_draw: str = "inverse_cdf"
    #: True: the built rows are kept across calls (on the sampler) while the exclusion
    #: set (the same index, plus the same extra positives), ``candidate_mask``, the
    #: sampler's parameters and its call-time inputs (those in ``requires``: tensors by
    #: identity and in-place version, other values by identity and hash) are unchanged,
    #: so a training loop builds each anchor's row once; any change rebuilds. Only for rows that depend on nothing else (not on
    #: ``z`` or learnt state). Draws are the same either way.
    keep_rows: bool = False

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if cls.row_draw not in ROW_DRAWS:
            raise ValueError(f"The 'row_draw' attribute of {cls.__name__} must be one of "
                             f"{sorted(ROW_DRAWS)}. Got {cls.row_draw!r} instead.")

    # ------------------------------------------------------------------ the hook
    def _candidate_table(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        """Candidate ids ``(A, W)`` (``-1`` = empty) and log weights ``(A, W)``
        (``-inf`` = no mass) of ``anchors`` ``(A,)``; entries need not be valid."""
        raise NotImplementedError

    def _table_width(self, ctx: SamplingContext) -> int:
        """Upper bound of a row's width, used to chunk the hook's calls
        (default: the candidate set's size)."""
        return ctx.candidate_pool.numel()

    # ------------------------------------------------------------------- rows
    def _build_rows(self, anchors: Tensor, ctx: SamplingContext
                    ) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        ids, logw = self._candidate_table(anchors, ctx)
        a = anchors.view(-1, 1)
        safe = torch.where(ids < 0, a.expand_as(ids), ids)   # -1 -> the anchor: invalid
        if not self.mask_rows:
            valid = ids >= 0
        elif 4 * safe.size(1) >= ctx.candidate_pool.numel():   # wide rows: sparse grid
            pos = ctx.candidate_position[safe]
            grid = ctx.valid_block(anchors)
            valid = (pos >= 0) & torch.gather(grid, 1, pos.clamp(min=0))
        else:
            valid = ctx.is_valid(a, safe)
        valid &= torch.isfinite(logw)
        logw = logw.double().masked_fill(~valid, float("-inf"))
        num_valid = valid.sum(1)
        return safe, logw, num_valid < self.min_valid, num_valid

    def _table_rows(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor, Tensor]:
        """``(ids, log_weights, fallback)`` of ``anchors`` ``(A,)`` from the per-call
        cache, building the missing rows (in chunks) first."""
        rows = ctx.cached("candidate_rows", lambda: self._new_or_kept_rows(ctx))
        need = torch.unique(anchors[rows.row_of[anchors] < 0])
        if need.numel() > 0:
            step = max(1, _CHUNK_ELEMENTS // max(self._table_width(ctx), 1))
            for lo in range(0, need.numel(), step):   # chunks of anchors
                part = need[lo:lo + step]
                ids, logw, fallback, num_valid = self._build_rows(part, ctx)
                rows.add(part, ids, logw, fallback, num_valid,
                         ctx._cache.pop("table:row_values", None))
        r = rows.row_of[anchors]
        ctx.note_fallback(anchors, rows.fallback[r])
        ctx.cached("table:call_anchors", lambda: torch.zeros(ctx.num_nodes,
                                                             dtype=torch.bool))[anchors] = True
        return rows.ids[r], rows.log_weights[r], rows.fallback[r]

    def _new_or_kept_rows(self, ctx: SamplingContext) -> CandidateRows:
        """This call's row cache: the rows kept from earlier calls when ``keep_rows``
        and nothing they depend on changed, else empty."""
        if not self.keep_rows:
            return CandidateRows(ctx.num_nodes)
        key = (_signature(ctx.candidate_mask), tuple(sorted(self.get_params().items(),
                                                            key=lambda kv: kv[0])),
               tuple((name, _input_signature(ctx.input(name))) for name in self.requires))
        kept = getattr(self, "_kept_rows", None)
        if (kept is not None and kept[0].same_as(ctx.known)
                and _same_key(kept[1], key, ctx, self)):
            return kept[2]
        rows = CandidateRows(ctx.num_nodes)
        self._kept_rows = (ctx.known, key, rows)
        return rows

    def _row_value(self, ctx: SamplingContext, name: str, value: Tensor) -> None:
        """Called by the hook: keep ``value`` ``(A,)`` (one number per anchor it was
        given) with the rows, read back with :meth:`_row_values`."""
        ctx.cached("table:row_values", dict)[name] = value

    def _row_values(self, ctx: SamplingContext, name: str) -> Tensor:
        """The values ``name`` recorded by the hook for the distinct anchors whose rows
        this call read (built now or kept), shape ``(U,)``."""
        rows = ctx.cached("candidate_rows", lambda: self._new_or_kept_rows(ctx))
        read = ctx.cached("table:call_anchors", lambda: torch.zeros(ctx.num_nodes,
                                                                    dtype=torch.bool))
        if name not in rows.values:
            return torch.zeros(0)
        return rows.values[name][rows.row_of[read.nonzero().view(-1)]]

    # ------------------------------------------------------------------ hooks
    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        uniq, inv = torch.unique(anchors, return_inverse=True)
        ids, logw, fallback = self._table_rows(uniq, ctx)
        out = anchors.clone()
        slot_fb = fallback[inv]
        if bool(slot_fb.any()):  # uniform over the candidate set first; the base rejects
            pool = ctx.candidate_pool
            pick = torch.randint(pool.numel(), (int(slot_fb.sum()),), generator=generator)
            out[slot_fb] = pool[pick]
        ok = ~slot_fb
        if bool(ok.any()):       # then one entry of its row for every other slot
            empty = torch.isneginf(logw).all(1)
            prob = torch.softmax(logw.masked_fill(empty.view(-1, 1), 0.0), dim=1)
            row = inv[ok]
            col = ROW_DRAWS[self.row_draw](prob, row, generator)
            # rows without a valid entry propose their anchor: always rejected
            out[ok] = torch.where(empty[row], anchors[ok], ids[row, col])
        return out

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        ids, logw, fallback = self._table_rows(anchors, ctx)
        where = torch.full((ctx.num_nodes,), -1, dtype=torch.long)
        where[candidates] = torch.arange(candidates.numel())
        col = where[ids]
        top = logw.max(1, keepdim=True).values
        top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
        w = torch.exp(logw - top)
        keep = (col >= 0) & (w > 0)
        row = torch.arange(anchors.numel()).view(-1, 1).expand_as(ids)
        acc = torch.zeros(anchors.numel(), candidates.numel(), dtype=torch.double)
        acc.index_put_((row[keep], col[keep]), w[keep], accumulate=True)
        out = acc.log() + top
        out[fallback] = 0.0
        return out

    def _table_stats(self, ctx: SamplingContext, prefix: str) -> Dict[str, float]:
        """``{prefix}_fallback_anchors`` and ``{prefix}_valid_candidates_mean`` (over
        the rows built this call, ``nan`` when none were)."""
        rows = ctx.cached("candidate_rows", lambda: CandidateRows(ctx.num_nodes))
        if rows.num_valid.numel() == 0:
            return {f"{prefix}_fallback_anchors": 0,
                    f"{prefix}_valid_candidates_mean": float("nan")}
        return {f"{prefix}_fallback_anchors": ctx.num_fallback_anchors,
                f"{prefix}_valid_candidates_mean": float(rows.num_valid.double().mean())}


def _input_signature(value: Any) -> Any:
    """What identifies a call-time input between calls: a tensor's identity, storage
    and in-place version; another value's identity and hash (a list of words: hash of
    its tuple, O(V))."""
    if value is None or isinstance(value, Tensor):
        return _signature(value)
    try:
        return ("value", id(value), hash(tuple(value) if isinstance(value, list) else value))
    except TypeError:
        return ("unhashable", object())          # never equal: rows are rebuilt


def _same_key(old: Tuple[Any, ...], new: Tuple[Any, ...], ctx: SamplingContext,
              sampler: "TableSampler") -> bool:
    """Whether kept rows still hold: same mask, parameters and inputs."""
    if not _same(old[0], ctx.candidate_mask) or old[1] != new[1] or len(old[2]) != len(new[2]):
        return False
    for (name, sig), (_, now) in zip(old[2], new[2]):
        value = ctx.input(name)
        if isinstance(value, Tensor) or value is None:
            if not _same(sig, value):
                return False
        elif sig != now:
            return False
    return True


# ------------------------------------------------------------ CSR rows (numpy)
# Samplers whose rows are long and ragged (k-hop rings, heuristic scores) keep
# them as numpy CSR arrays (indptr, cols, log weights) built from sparse products;
# these helpers gather, exclude and draw from such rows without Python loops.

def segment_positions(lengths: np.ndarray) -> np.ndarray:
    """``[0..l0-1, 0..l1-1, ...]`` for segment lengths ``l``, ``O(sum l)``.

    Examples
    --------
    >>> segment_positions(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    total = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    return np.arange(total) - np.repeat(starts, lengths)


def gather_rows(indptr: np.ndarray, rows: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Entries of CSR ``rows``: ``(position in rows, entry index)`` per entry.

    Examples
    --------
    >>> [a.tolist() for a in gather_rows(np.array([0, 2, 2, 5]), np.array([2, 0]))]
    [[0, 0, 0, 1, 1], [2, 3, 4, 0, 1]]
    """
    lengths = indptr[rows + 1] - indptr[rows]
    which = np.repeat(np.arange(rows.size), lengths)
    entry = np.repeat(indptr[rows], lengths) + segment_positions(lengths)
    return which, entry


def excluded_rows(ctx: SamplingContext, anchors: np.ndarray, value: float) -> sp.csr_matrix:
    r"""``(A, N)`` CSR holding ``value`` at every excluded pair of each anchor: the
    anchor itself and its known partners (edges, positives, ``exclude_edge_index``),
    built directly in CSR form with sorted rows (so sparse sums with it take
    scipy's canonical, sort-free path), :math:`O(A \log K + \sum_u |\mathcal{K}(u)|)`.

    Examples
    --------
    >>> from graphneg.edges import EdgeSet
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> ctx = SamplingContext(3, ei, EdgeSet([ei], 3), None, None, {})
    >>> excluded_rows(ctx, np.array([0, 2]), 9.0).toarray().tolist()
    [[9.0, 9.0, 0.0], [0.0, 0.0, 9.0]]
    """
    n, na = ctx.num_nodes, anchors.size
    rp = ctx.known_row_ptr.numpy()
    keys = ctx.known.keys.numpy()
    lengths = rp[anchors + 1] - rp[anchors]
    which, entry = gather_rows(rp, anchors)
    indptr = np.concatenate([[0], np.cumsum(lengths + 1)])
    indices = np.empty(int(indptr[-1]), dtype=np.int64)
    # partners come sorted; the anchor goes where it sorts among them
    before = np.searchsorted(keys, anchors * n + anchors) - rp[anchors]
    within = entry - np.repeat(rp[anchors], lengths)
    indices[np.repeat(indptr[:-1], lengths) + within + (within >= before[which])] = \
        keys[entry] % n
    indices[indptr[:-1] + before] = anchors
    return sp.csr_matrix((np.full(indices.size, value), indices, indptr), shape=(na, n))


def dense_score_blocks(adj: sp.csr_matrix, anchors: np.ndarray, score: str,
                       block_elements: int = 1 << 22):
    r"""Dense rows ``anchors`` of the common-neighbour or resource-allocation matrix,
    in blocks of anchors: BLAS products for dense graphs (:math:`O(|U| N^2)` flops
    against the sparse product's :math:`O(|U| \bar d^2)` scattered updates, with
    :math:`\bar d \sim N`).

    ``"common_neighbors"``: :math:`(A_U A)[u, n] = |N(u) \cap N(n)|`;
    ``"resource_allocation"``: :math:`(A_U D^{-1} A)[u, n] = \sum_{w \in N(u)
    \cap N(n)} 1 / \deg(w)` (:math:`\deg` the out-degree, rows of ``adj``).

    Parameters
    ----------
    adj : scipy.sparse.csr_matrix, shape (N, N)
    anchors : ndarray of int, shape (A,)
    score : {"common_neighbors", "resource_allocation"}
    block_elements : int
        Most scores of one block (``rows * N``).

    Yields
    ------
    (int, Tensor)
        The block's first position in ``anchors`` and its float64 scores,
        shape ``(rows, N)``.

    Examples
    --------
    >>> a = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float))
    >>> [(lo, b.tolist()) for lo, b in dense_score_blocks(a, np.array([1, 2]),
    ...                                                 "common_neighbors")]
    [(0, [[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]])]
    """
    n = adj.shape[0]
    dense = torch.from_numpy(adj.toarray())
    left = dense
    if score == "resource_allocation":
        deg = dense.sum(1)
        left = dense * torch.where(deg > 0, 1.0 / deg.clamp(min=1), torch.zeros_like(deg))
    step = max(1, block_elements // max(n, 1))
    for lo in range(0, anchors.size, step):
        yield lo, left[torch.from_numpy(anchors[lo:lo + step])] @ dense


def draw_csr_rows(indptr: np.ndarray, cum: np.ndarray, rows: np.ndarray,
                  uniforms: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of one entry per slot from CSR rows.

    ``cum`` is the global cumulative sum of per-row *normalised* probabilities
    (each non-empty row adds 1, :func:`normalised_cumsum`), so a row's mass is
    resolved to float64 rounding of numbers of the size of the row count.
    Zero-probability entries are never returned. Returns the entry index of each
    slot; rows must be non-empty.

    Examples
    --------
    >>> indptr = np.array([0, 2, 3])
    >>> cum = normalised_cumsum(indptr, np.log([1.0, 3.0, 1.0]))
    >>> draw_csr_rows(indptr, cum, np.array([0, 0, 1]), np.array([0.2, 0.3, 0.9])).tolist()
    [0, 1, 2]
    """
    start, stop = indptr[rows], indptr[rows + 1]
    before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    mass = cum[stop - 1] - before
    target = before + uniforms * mass
    idx = np.searchsorted(cum, target, side="right")
    return np.clip(idx, start, stop - 1)


def normalised_cumsum(indptr: np.ndarray, logw: np.ndarray) -> np.ndarray:
    """Global cumsum of ``exp(logw)`` normalised within each CSR row (-inf = 0).

    Examples
    --------
    >>> normalised_cumsum(np.array([0, 2, 3]), np.log([1.0, 3.0, 2.0])).tolist()
    [0.25, 1.0, 2.0]
    """
    num_rows = indptr.size - 1
    lengths = np.diff(indptr)
    if logw.size == 0:
        return np.zeros(0)
    nonempty = lengths > 0
    rmax = np.full(num_rows, -np.inf)
    rmax[nonempty] = np.maximum.reduceat(logw, indptr[:-1][nonempty])
    rmax[~np.isfinite(rmax)] = 0.0
    w = np.exp(logw - np.repeat(rmax, lengths))
    tot = np.zeros(num_rows)
    tot[nonempty] = np.add.reduceat(w, indptr[:-1][nonempty])
    tot[tot == 0] = 1.0
    return np.cumsum(w / np.repeat(tot, lengths))


class CSRRowCache:
    """Per-call cache of per-anchor numpy CSR tables (a dict of arrays), rebuilt for
    the union when a request holds anchors not built yet (pairs mode draws fresh
    anchors).

    Parameters
    ----------
    build : callable
        ``build(anchors ndarray, sorted) -> dict`` of the table of those anchors.
    flag : str
        Key of the table's ``(rows,)`` boolean array of anchors that fall back;
        every lookup records them with :meth:`SamplingContext.note_fallback`.
    """

    def __init__(self, build: Callable[[np.ndarray], Dict[str, Any]], flag: str):
        self.build = build
        self.flag = flag
        self.anchors = np.zeros(0, dtype=np.int64)
        self.table: Dict[str, Any] = {}
        self._lookup: Optional[np.ndarray] = None

    def rows(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[np.ndarray, Dict[str, Any]]:
        """``(positions of anchors in the table, table)``."""
        a = anchors.numpy()
        pos = self._positions(a) if self.table else None
        if pos is None:
            self.anchors = unique_sorted(np.concatenate([self.anchors, a]).astype(np.int64))
            self.table = self.build(self.anchors)
            n = ctx.num_nodes
            # many anchors of a small graph: positions by one read of an (N,) table
            # instead of a binary search each
            self._lookup = None
            if n <= 4 * self.anchors.size:
                self._lookup = np.full(n, -1, dtype=np.int64)
                self._lookup[self.anchors] = np.arange(self.anchors.size)
            pos = self._positions(a) if a.size else np.zeros(0, dtype=np.int64)
        ctx.note_fallback(anchors, torch.from_numpy(self.table[self.flag][pos]))
        return pos, self.table

    def _positions(self, a: np.ndarray) -> Optional[np.ndarray]:
        """Positions of ``a`` among the built anchors, ``None`` if one is missing."""
        if self._lookup is not None:
            pos = self._lookup[a]
            return pos if a.size == 0 or int(pos.min()) >= 0 else None
        if self.anchors.size == 0:
            return None if a.size else np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(self.anchors, a).clip(max=self.anchors.size - 1)
        return pos if np.array_equal(self.anchors[pos], a) else None
