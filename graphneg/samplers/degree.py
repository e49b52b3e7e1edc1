r"""Degree-biased negatives: :math:`q(n) \propto \deg(n)^\alpha` (word2vec's unigram^0.75)."""
from __future__ import annotations

from typing import Any, Dict

import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import check_real
from graphneg.samplers.base import NegativeSampler, SamplingContext

__all__ = ["DegreeNegativeSampler"]


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
    seed : int, torch.Generator or None
    on_impossible : {"raise", "drop"}
    **kwargs
        ``mode``, ``directed``, ``fallback_ratio``, ``max_rounds``: see
        :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    The proposal is drawn by inverse CDF: one cumulative sum of the weights per
    call, :math:`O(N)`, then one binary search per draw, :math:`O(\log N)`; known
    edges are rejected exactly by the base class. Expected cost per negative
    :math:`O(\log N + \log E) / \Pr_q[C(u)]`; dense anchors use the base's exact
    complement path, :math:`O(N)` each.

    References
    ----------
    Mikolov et al., *Distributed Representations of Words and Phrases and their
    Compositionality*, NeurIPS 2013 (unigram^0.75); Zhu et al., *GraphVite*,
    WWW 2019; Yang et al., *Understanding Negative Sampling in Graph
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

    def __init__(self, num_neg: int = 1, *, alpha: float = 0.75, seed: Seed = None,
                 on_impossible: str = "raise", **kwargs: Any):
        super().__init__(num_neg, seed=seed, on_impossible=on_impossible, **kwargs)
        self.alpha = check_real(alpha, "alpha", low=0, owner=type(self).__name__)

    # ------------------------------------------------------------------ tables
    def _weights(self, ctx: SamplingContext) -> Tensor:
        """Unnormalised ``deg^α`` (``0^0 = 1``), zero outside the candidate set."""
        def make():
            deg = ctx.degree.double()
            w = deg.pow(self.alpha) if self.alpha > 0 else torch.ones_like(deg)
            if ctx.candidate_mask is not None:
                w = w * ctx.candidate_mask
            return w
        return ctx.cached("degree_weights", make)

    def _cdf(self, ctx: SamplingContext) -> Tensor:
        return ctx.cached("degree_cdf", lambda: torch.cumsum(self._weights(ctx), 0))

    def _fallback(self, ctx: SamplingContext) -> Tensor:
        """Nodes ``u`` with ``C(u) != ∅`` but no positive-weight node in ``C(u)``."""
        def make():
            n = ctx.num_nodes
            pos = self._weights(ctx) > 0
            keys = ctx.known.keys
            row = torch.div(keys, n, rounding_mode="floor")
            col = keys - row * n
            hit = (row != col) & pos[col]
            # positive-weight nodes other than u that are not known partners of u
            count = int(pos.sum()) - pos.long() - torch.bincount(row[hit], minlength=n)
            return (count == 0) & (self._num_valid(ctx) > 0)
        return ctx.cached("degree_fallback", make)

    def _note_fallback(self, anchors: Tensor, ctx: SamplingContext) -> Tensor:
        fb = self._fallback(ctx)[anchors]
        seen = ctx.cached("degree_fallback_seen",
                          lambda: torch.zeros(ctx.num_nodes, dtype=torch.bool))
        seen[anchors[fb]] = True
        return fb

    # ------------------------------------------------------------------- hooks
    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        cdf = self._cdf(ctx)
        total = float(cdf[-1]) if cdf.numel() else 0.0
        n = ctx.num_nodes
        if total > 0:
            u = torch.rand(anchors.shape, generator=generator, dtype=torch.double) * total
            # u < total, so the search lands on a positive-weight node; the clamp only
            # guards against u rounding up to total
            last = ctx.cached("degree_last", lambda: int(torch.nonzero(cdf < total).numel()))
            out = torch.searchsorted(cdf, u, right=True).clamp_(max=last)
        else:
            out = anchors.clone()   # nothing has weight: every anchor falls back below
        fb = self._note_fallback(anchors, ctx)
        if bool(fb.any()):
            cand = ctx.candidates
            m = int(fb.sum())
            draw = torch.randint(cand.numel() if cand is not None else n, (m,),
                                 generator=generator)
            out[fb] = cand[draw] if cand is not None else draw
        return out

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        w = self._weights(ctx)[candidates]
        logw = torch.where(w > 0, w.log(), torch.full_like(w, float("-inf")))
        out = logw.expand(anchors.numel(), -1).clone()
        fb = self._note_fallback(anchors, ctx)
        out[fb] = 0.0
        return out

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        seen = ctx.cached("degree_fallback_seen",
                          lambda: torch.zeros(ctx.num_nodes, dtype=torch.bool))
        return {"fallback_anchors": int(seen.sum())}

    def _config(self) -> Dict[str, Any]:
        return {**super()._config(), "alpha": self.alpha}
