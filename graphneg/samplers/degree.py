r"""Degree-biased negatives: :math:`q(n) \propto \deg(n)^\alpha` (word2vec's unigram^0.75)."""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Interval
from graphneg.samplers.base import NegativeSampler, SamplingContext

__all__ = ["DegreeNegativeSampler"]

#: Guide-table buckets per node: with eight, at most one draw in eight lands in a
#: bucket holding a cdf step (and needs a search); the rest are one table read.
_BUCKETS_PER_NODE = 8


class DegreeNegativeSampler(NegativeSampler, name="degree"):
    r"""Negatives drawn with probability proportional to a power of their degree.

    .. math::

        \Pr[n \mid u] = \frac{\deg(n)^\alpha \, \mathbb{1}[n \in C(u)]}
                             {\sum_{m \in C(u)} \deg(m)^\alpha}

    with :math:`C(u)` the valid candidates of :mod:`graphneg.samplers.base` and
    :math:`\deg` the degree in ``edge_index`` (out-degree; the usual degree for
    an undirected graph stored in both directions). :math:`\alpha = 0` is
    uniform, :math:`\alpha = 1` degree-proportional, :math:`\alpha = 0.75`
    word2vec's and GraphVite's default.

    Isolated nodes: we define :math:`0^0 = 1`, so at :math:`\alpha = 0` isolated
    nodes are drawn like any other, and at :math:`\alpha > 0` they have
    probability 0. An anchor whose valid candidates are *all* isolated (so the
    formula above has a zero denominator) falls back to uniform over
    :math:`C(u)`; such anchors are counted in ``last_stats.extra["fallback_anchors"]``.

    Parameters
    ----------
    num_neg : int, default 1
        Negatives per positive (or pairs in total with ``mode="pairs"``).
    alpha : float, default 0.75
        Exponent :math:`\alpha \ge 0`.
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    The proposal is drawn by inverse CDF with a guide table (Chen & Asau): one
    cumulative sum and an int32 index of ``8 N`` buckets, :math:`O(N \log N)` (one
    search per node, ``_count_at_most``), built once per exclusion index (so
    once per graph in a training loop); a draw reads its
    bucket and binary-searches it only when a cdf step falls inside (at most one
    draw in eight), :math:`O(1)` expected; known edges are rejected exactly by the
    base class.
    Expected cost per negative :math:`O(\log E) / \Pr_q[C(u)]`; dense anchors
    use the base's exact complement path, :math:`O(N)` each.
    Device: per anchor on a graph without masks or groups, the draws run on the
    device of ``edge_index`` (an inverse CDF by ``torch.searchsorted`` there,
    :mod:`graphneg.samplers._device`); other calls take the base class's CPU round
    trip.

    References
    ----------
    Mikolov et al., *Distributed Representations of Words and Phrases and their
    Compositionality*, NeurIPS 2013 (unigram^0.75); Zhu et al., *GraphVite*,
    WWW 2019; Chen and Asau, *On Generating Random Variates from an Empirical
    Distribution*, AIIE Transactions 1974; Yang et al., *Understanding Negative Sampling in Graph
    Representation Learning*, KDD 2020.

    Examples
    --------
    >>> from graphneg.generators import star
    >>> data = star(6)
    >>> sampler = DegreeNegativeSampler(2, alpha=1.0, seed=0, on_impossible="drop")
    >>> out = sampler(data)            # leaves' only non-neighbours are leaves
    >>> out.edge_label_index.shape
    torch.Size([2, 15])
    """

    weighted = True
    fallback_stat = "fallback_anchors"
    device_law = "degree"
    _parameter_constraints = {"alpha": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, num_neg: int = 1, *, alpha: float = 0.75, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _table(self, ctx: SamplingContext) -> "_DegreeTable":
        """The weights, guide table and fallback mask: built once per exclusion index
        (kept across calls while the graph is unchanged), once per call with a
        ``candidate_mask``."""
        return ctx.index_cached(f"degree:table:{self.alpha!r}",
                                lambda: _DegreeTable.build(self.alpha, ctx))

    def _inverse_cdf(self, count: int, generator: torch.Generator,
                     ctx: SamplingContext) -> np.ndarray:
        """``count`` draws of the first index with ``cdf > x``, ``x`` uniform on
        ``[0, total)``, as ``x = (j + r) total / m``: the bucket ``j`` uniform among the
        ``m`` guide buckets, then ``r`` uniform on ``[0, 1)`` only for the draws whose
        bucket holds a cdf step (binary-searched inside it, vectorised); the other
        draws are one table read. ``O(1)`` expected per draw."""
        t = self._table(ctx)
        cdf, m = t.cdf, t.guide.size
        j = torch.randint(m, (count,), generator=generator).numpy()
        g = np.take(t.guide, j)                 # one read of a compact table per draw
        out = g.astype(np.int64)
        open_ = np.flatnonzero(g < 0)           # most buckets hold one answer: done
        if open_.size == 0:
            return out
        r = torch.rand(open_.size, generator=generator, dtype=torch.double).numpy()
        x = (j[open_] + r) * (t.total / m)
        # the bucket's bracket: lo = -1 - guide, at most 2**steps ids (the last weighted id)
        lo = -1 - out[open_]
        hi = np.minimum(lo + ((1 << t.steps) - 1), t.last)
        mid = np.empty_like(lo)
        for _ in range(t.steps):            # in place: no temporaries per step
            np.add(lo, hi, out=mid)
            mid >>= 1
            go = cdf[mid] <= x
            np.copyto(hi, mid, where=~go)
            mid += 1
            np.copyto(lo, mid, where=go)
        out[open_] = np.minimum(lo, hi, out=lo)
        return out

    def _note_fallback(self, anchors: Tensor, ctx: SamplingContext) -> Tensor:
        t = self._table(ctx)
        if not t.has_fallback:              # no anchor falls back: skip the gather
            return torch.zeros(anchors.shape, dtype=torch.bool)
        fb = t.fallback[anchors]
        ctx.note_fallback(anchors, fb)
        return fb

    # ------------------------------------------------------------------- hooks
    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        n = ctx.num_nodes
        if self._table(ctx).total > 0:
            out = torch.from_numpy(self._inverse_cdf(anchors.numel(), generator, ctx)
                                   ).view(anchors.shape)
        else:
            out = anchors.clone()   # nothing has weight: every anchor falls back below
        fb = self._note_fallback(anchors, ctx)
        if self._table(ctx).has_fallback and bool(fb.any()):
            cand = ctx.candidates
            m = int(fb.sum())
            draw = torch.randint(cand.numel() if cand is not None else n, (m,),
                                 generator=generator)
            out[fb] = cand[draw] if cand is not None else draw
        return out

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        w = self._table(ctx).weights[candidates]
        logw = torch.where(w > 0, w.log(), torch.full_like(w, float("-inf")))
        out = logw.expand(anchors.numel(), -1).clone()
        fb = self._note_fallback(anchors, ctx)
        out[fb] = 0.0
        return out


def _count_at_most(cdf: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``np.searchsorted(cdf, bounds, side="right")`` for sorted ``cdf`` and
    ``bounds`` (``N`` and ``B`` entries; the guide table has ``B = 8 N``).

    With ``c_i = #{j : bounds_j < cdf_i}`` (one search per ``cdf`` entry,
    non-decreasing in ``i``), ``#{i : cdf_i <= bounds_j} = #{i : c_i <= j}`` is
    ``k`` exactly for ``c_{k-1} <= j < c_k``: the answer is ``k`` repeated
    ``c_k - c_{k-1}`` times (``c_{-1} = 0``, ``c_N = B``), :math:`O(N \log B + B)`
    in one sequential pass instead of :math:`O(B \log N)` scattered probes.

    Examples
    --------
    >>> _count_at_most(np.array([1.0, 3.0, 3.0]), np.array([0.5, 1.0, 2.0, 3.0, 4.0])).tolist()
    [0, 1, 1, 3, 3]
    """
    c = np.searchsorted(bounds, cdf, side="left")
    runs = np.diff(np.concatenate([[0], c, [bounds.size]]))
    return np.repeat(np.arange(cdf.size + 1), runs)


@dataclass
class _DegreeTable:
    """Per-call tables of :class:`DegreeNegativeSampler`.

    Attributes
    ----------
    weights : DoubleTensor, shape (N,)
        Unnormalised ``deg^α`` (``0^0 = 1``), zero outside the candidate set.
    cdf : ndarray, shape (N,)
        Cumulative weights; ``total`` is the last entry (0 for no nodes).
    steps : int
        Guide table (Chen & Asau 1974): bucket ``j`` of ``[0, total)`` of width
        ``total / (8 N)`` brackets the answer between ``lo[j]`` and ``hi[j]``
        (at most ``2**steps`` ids), found in ``steps`` halvings (none when
        ``lo[j] == hi[j]``, most buckets).
    last : int
        The last id of positive weight (no bracket reaches past it).
    fallback : BoolTensor, shape (N,)
        Nodes ``u`` with ``C(u) != ∅`` but no positive-weight node in ``C(u)``.
    has_fallback : bool
        ``fallback.any()``.
    guide : ndarray, shape (8 N,)
        ``lo[j]`` where ``lo[j] == hi[j]`` (the bucket's answer), else ``-1 - lo[j]``:
        all a draw reads (int32 when the ids fit).
    """

    weights: Tensor
    cdf: np.ndarray
    total: float
    steps: int
    last: int
    fallback: Tensor
    guide: np.ndarray

    @property
    def has_fallback(self) -> bool:
        if not hasattr(self, "_has_fallback"):
            self._has_fallback = bool(self.fallback.any())
        return self._has_fallback

    @classmethod
    def build(cls, alpha: float, ctx: SamplingContext) -> "_DegreeTable":
        deg = ctx.degree.double()
        w = deg.pow(alpha) if alpha > 0 else torch.ones_like(deg)
        if ctx.candidate_mask is not None:
            w = w * ctx.candidate_mask
        cdf = np.cumsum(w.numpy())
        total = float(cdf[-1]) if cdf.size else 0.0
        m = _BUCKETS_PER_NODE * cdf.size
        edges = np.arange(m + 1) * (total / max(m, 1))
        # slightly widened brackets absorb the rounding of u * total vs j * total / m
        lo = _count_at_most(cdf, edges[:-1] * (1 - 1e-9))
        hi = _count_at_most(cdf, edges[1:] * (1 + 1e-9))
        last = int(np.count_nonzero(cdf < total))      # last positive-weight node
        hi = np.minimum(hi, last)
        steps = int(np.ceil(np.log2(int((hi - lo).max(initial=0)) + 1)))
        # the answer where a bucket holds one, else -1 - lo (int32 when ids fit)
        dtype = np.int32 if m < np.iinfo(np.int32).max else np.int64
        guide = np.where(lo == hi, lo, -1 - lo).astype(dtype)
        return cls(w, cdf, total, steps, last, cls._fallback(w > 0, ctx), guide)

    @staticmethod
    def _fallback(pos: Tensor, ctx: SamplingContext) -> Tensor:
        n = ctx.num_nodes
        if bool(pos.all()):       # every valid candidate has weight: no fallback
            return torch.zeros(n, dtype=torch.bool)
        keys = ctx.known.keys
        row = torch.div(keys, n, rounding_mode="floor")
        col = keys - row * n
        hit = (row != col) & pos[col]
        # positive-weight nodes other than u that are not known partners of u
        count = int(pos.sum()) - pos.long() - torch.bincount(row[hit], minlength=n)
        return (count == 0) & (ctx.num_valid > 0)
