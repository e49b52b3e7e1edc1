r"""Score-aware negatives: samplers that read the current embeddings ``z``.

The embeddings are passed at call time, ``sampler.sample(edge_index, z=z)`` or
``sampler(data, z=z)``, so the same sampler follows a model through training
(the trainer passes ``z`` when ``sampler.needs_embeddings`` is true). Scores
are inner products :math:`s(u, n) = z_u \cdot z_n`, evaluated in float64.

- :class:`SoftmaxNegativeSampler`: :math:`q(n \mid u) \propto e^{s(u,n)/T}`
- :class:`MCNSSampler`: :math:`q(n \mid u) \propto \hat p_d(n \mid u)^\alpha`,
  :math:`\hat p_d(n \mid u) = \sigma(s(u, n))`
- :class:`DynamicNegativeSampler`: the best-scoring of :math:`X` uniform candidates

All three are exact: the returned negatives follow the stated distribution
conditioned on validity (see :mod:`graphneg.samplers.base`).
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Callable, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Interval, check_embeddings
from graphneg.samplers.base import NegativeSampler, SamplingContext
from graphneg.samplers.uniform import UniformNegativeSampler

__all__ = ["SoftmaxNegativeSampler", "MCNSSampler", "DynamicNegativeSampler"]

#: Elements of one ``(slots, candidates)`` score block (memory O(batch x chunk)).
_BLOCK_ELEMENTS = 1 << 20


class _ScoreAwareSampler(NegativeSampler):
    """Shared validation of ``z`` (``ctx.kwargs["z"]``, kept as float64 in
    ``ctx.inputs["z"]``) for score-aware samplers."""

    weighted = True
    requires = ("z",)

    def _check_context(self, ctx: SamplingContext) -> None:
        owner = type(self).__name__
        z = ctx.kwargs.get("z")
        if z is None:
            raise ValueError(f"{owner} needs the current node embeddings: call "
                             f"sample(..., z=z) or sampler(data, z=z) with z of shape "
                             f"({ctx.num_nodes}, d).")
        z = check_embeddings(z, "z", num_rows=ctx.num_nodes, owner=owner)
        ctx.inputs["z"] = z.detach().to(torch.double)

    @staticmethod
    def _z(ctx: SamplingContext) -> Tensor:
        return ctx.inputs["z"]


def _draw_rows(prob: Tensor, rows: Tensor, generator: torch.Generator) -> Tensor:
    """One column per entry of ``rows`` drawn from the row distributions ``prob``
    ``(R, C)`` (rows sum to 1): one inverse-CDF search over the concatenated rows
    (row ``r`` spans ``(r, r + 1]``), ``O(RC + S log RC)``; zero-probability
    columns are never drawn."""
    num_rows, num_cols = prob.shape
    flat = (torch.cumsum(prob, 1) + torch.arange(num_rows, dtype=prob.dtype).view(-1, 1))
    flat = torch.cummax(flat.reshape(-1), 0).values          # monotone despite rounding
    end = rows * num_cols + num_cols - 1
    lo = torch.where(rows > 0, flat[(end - num_cols).clamp(min=0)], torch.zeros_like(flat[end]))
    hi = flat[end]
    target = lo + torch.rand(rows.numel(), dtype=prob.dtype, generator=generator) * (hi - lo)
    target = torch.minimum(torch.maximum(target, lo), torch.nextafter(hi, lo))
    idx = torch.searchsorted(flat, target, right=True)
    return (idx - rows * num_cols).clamp(0, num_cols - 1)


def block_shape(num_rows: int) -> Tuple[int, int]:
    """``(rows, cols)`` of one score block of the chunked softmax for ``num_rows``
    distinct anchors: at most ``_BLOCK_ELEMENTS`` scores, square when the anchors fill it.

    Examples
    --------
    >>> block_shape(10)
    (10, 104857)
    """
    rows = max(1, min(num_rows, math.isqrt(_BLOCK_ELEMENTS)))
    return rows, max(1, _BLOCK_ELEMENTS // rows)


def softmax_exclusions(a: Tensor, ctx: SamplingContext) -> Tuple[np.ndarray, np.ndarray]:
    """The pairs masked out of the chunked softmax of anchors ``a`` ``(A,)``: each
    anchor and its known partners, as ``(row in a, position in the candidate pool)``
    sorted by position (pairs outside the pool left out), :math:`O(A + K_a \\log K_a)`.

    Examples
    --------
    >>> from graphneg.edges import EdgeSet
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> ctx = SamplingContext(3, ei, EdgeSet([ei], 3), None, None, {})
    >>> [x.tolist() for x in softmax_exclusions(torch.tensor([0, 2]), ctx)]
    [[0, 0, 1], [0, 1, 2]]
    """
    which, partner = ctx.known_partners(a)
    ex_row = np.concatenate([which.numpy(), np.arange(a.numel())])
    ex_col = ctx.candidate_position.numpy()[np.concatenate([partner.numpy(), a.numpy()])]
    ok = ex_col >= 0
    order = np.argsort(ex_col[ok], kind="stable")
    return ex_row[ok][order], ex_col[ok][order]


def masked_block(logits: Callable[[Tensor], Tensor], za: Tensor, zc: Tensor, c0: int,
                 ex: Tuple[np.ndarray, np.ndarray]) -> Tensor:
    """``logits(za @ zc.T)`` ``(rows, cols)`` for the candidates at pool positions
    ``c0, c0 + 1, ...``, with the excluded pairs ``ex`` (:func:`softmax_exclusions`,
    rows of ``za``) at ``-inf``.

    Examples
    --------
    >>> ex = (np.array([0, 1]), np.array([1, 2]))
    >>> masked_block(lambda s: s, torch.ones(2, 1), torch.ones(2, 1), 1, ex).tolist()
    [[-inf, 1.0], [1.0, -inf]]
    """
    out = logits(za @ zc.t())
    i0, i1 = np.searchsorted(ex[1], [c0, c0 + zc.size(0)])
    out[torch.from_numpy(ex[0][i0:i1]), torch.from_numpy(ex[1][i0:i1] - c0)] = float("-inf")
    return out


def chunked_softmax_draw(anchors: Tensor, z: Tensor, logits: Callable[[Tensor], Tensor],
                         generator: torch.Generator, ctx: SamplingContext, *,
                         reduce: Optional[Callable[[Tensor], Tensor]] = None,
                         on_rows: Optional[Callable[[Tensor, Tensor], None]] = None) -> Tensor:
    r"""One exact draw per entry of ``anchors`` from
    :math:`q(n \mid u) \propto e^{\ell(u, n)}` over the candidate pool less each
    anchor and its known partners, :math:`\ell = ` ``logits(z_u · z_n)``
    (the engine of :class:`SoftmaxNegativeSampler`, see its Notes).

    Parameters
    ----------
    anchors : LongTensor, any shape
    z : DoubleTensor, shape (N, d)
    logits : callable
        ``(rows, cols)`` scores to logits, elementwise.
    generator : torch.Generator
    ctx : SamplingContext
    reduce : callable, optional
        ``(rows, cols)`` masked logits of one block to ``(rows, k)`` statistics whose
        column 0 is the block's log-mass ``logsumexp`` (default: that alone).
    on_rows : callable, optional
        ``on_rows(a, stats)`` with every block of distinct anchors ``a`` ``(R,)``
        and their statistics ``(R, B, k)`` over the ``B`` candidate blocks.

    Returns
    -------
    LongTensor, shape of ``anchors``
        An anchor without any candidate gets itself (a self-loop, rejected).

    Examples
    --------
    >>> from graphneg.edges import EdgeSet
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> ctx = SamplingContext(3, ei, EdgeSet([ei], 3), None, None, {})
    >>> g = torch.Generator().manual_seed(0)
    >>> chunked_softmax_draw(torch.tensor([0, 0]), torch.ones(3, 1, dtype=torch.double),
    ...                      lambda s: s, g, ctx).tolist()
    [2, 2]
    """
    cand = ctx.candidate_pool
    flat = anchors.reshape(-1)
    out = flat.clone()               # anchors without any candidate propose a self-loop
    uniq, inv = torch.unique(flat, return_inverse=True)
    rows, cols = block_shape(uniq.numel())
    starts = list(range(0, cand.numel(), cols))
    block_stats = reduce or (lambda block: torch.logsumexp(block, 1).unsqueeze(1))
    for lo in range(0, uniq.numel(), rows):           # blocks of distinct anchors
        a = uniq[lo:lo + rows]
        za = z[a]
        ex = softmax_exclusions(a, ctx)
        stats = torch.stack([block_stats(masked_block(logits, za, z[cand[c0:c0 + cols]], c0, ex))
                             for c0 in starts], 1)
        if on_rows is not None:
            on_rows(a, stats)
        lse = stats[..., 0]
        top = lse.max(1, keepdim=True).values
        live = torch.isfinite(top.view(-1))
        mass = torch.where(live.view(-1, 1), torch.exp(lse - top), torch.zeros_like(lse))
        cum = torch.cumsum(mass, 1)
        slots = ((inv >= lo) & (inv < lo + a.numel())).nonzero().view(-1)
        r = inv[slots] - lo
        keep = live[r]
        slots, r = slots[keep], r[keep]
        total = cum[r, -1]
        target = torch.minimum(
            torch.rand(slots.numel(), dtype=torch.double, generator=generator) * total,
            torch.nextafter(total, torch.zeros_like(total)))
        block_of = torch.searchsorted(cum[r], target.view(-1, 1), right=True).view(-1)
        for j in torch.unique(block_of).tolist():      # only the blocks drawn
            in_j = (block_of == j).nonzero().view(-1)
            rows_j, rinv = torch.unique(r[in_j], return_inverse=True)
            c0 = starts[j]
            sub = np.full(a.numel(), -1, dtype=np.int64)
            sub[rows_j.numpy()] = np.arange(rows_j.numel())
            keep_ex = sub[ex[0]] >= 0
            ex_j = (sub[ex[0][keep_ex]], ex[1][keep_ex])
            block = masked_block(logits, za[rows_j], z[cand[c0:c0 + cols]], c0, ex_j)
            pick = _draw_rows(torch.softmax(block, 1), rinv, generator)
            out[slots[in_j]] = cand[c0 + pick]
    return out.view(anchors.shape)


class _ChunkedSoftmaxSampler(_ScoreAwareSampler):
    r"""Exact draws from :math:`q(n \mid u) \propto e^{\ell(u, n)}` in two passes
    over blocks of candidates, for blocks of distinct anchors:

    1. the log-mass :math:`\log \sum_{n \in B_j} e^{\ell(u, n)}` of every
       candidate block :math:`B_j`;
    2. per slot, a block by inverse CDF over those masses, then a candidate inside
       it from the block's recomputed softmax.

    The anchor and its known partners (often the highest scores) are masked out of
    :math:`q` itself: conditioning on :math:`C(u)` is unchanged and every draw is
    valid. Memory :math:`O(\text{rows} \times \text{block} + N)`, time
    :math:`O(|U| N d + S \cdot \text{block} \cdot d)` for :math:`|U|` distinct
    anchors and :math:`S` slots."""

    def _logits(self, scores: Tensor) -> Tensor:
        raise NotImplementedError

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        return chunked_softmax_draw(anchors, self._z(ctx), self._logits, generator, ctx)

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        z = self._z(ctx)
        return self._logits(z[anchors] @ z[candidates].t())


class SoftmaxNegativeSampler(_ChunkedSoftmaxSampler, name="softmax"):
    r"""Negatives from a softmax over the current scores.

    .. math::

        q(n \mid u) = \frac{\exp(z_u \cdot z_n / T)}{\sum_{m} \exp(z_u \cdot z_m / T)},
        \qquad
        \Pr[n \mid u] \propto q(n \mid u)\,\mathbb{1}[n \in C(u)]

    Small :math:`T` concentrates on the hardest negatives; :math:`T \to \infty`
    is uniform.

    Parameters
    ----------
    num_neg : int, default 1
    temperature : float, default 1.0
        :math:`T > 0`.
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    Exact, in two passes over blocks of ``2**10`` distinct anchors x ``2**10``
    candidates: first every block's softmax mass per anchor, then per draw a
    block by inverse CDF over those masses and a candidate inside it. Memory
    :math:`O(\text{batch} \times \text{chunk} + N)`, time
    :math:`O(|U| N d + S \cdot \text{chunk} \cdot d)` for :math:`|U|` distinct
    anchors and :math:`S` draws (many negatives per anchor cost little more
    than one). The anchor and its known partners (often the highest scores) are
    masked out of the proposal itself, which leaves the conditional on
    :math:`C(u)` unchanged and makes every proposal valid: one round suffices.

    References
    ----------
    Jean et al., *On Using Very Large Target Vocabulary for Neural Machine
    Translation*, ACL 2015 (sampled softmax).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [-1.0, 0.0]])
    >>> sampler = SoftmaxNegativeSampler(3, temperature=0.1, seed=0)
    >>> sampler.sample(ei, 4, pos_edge_index=torch.tensor([[0], [1]]), z=z).tolist()
    [[0, 0, 0], [2, 2, 2]]
    """

    _parameter_constraints = {"temperature": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, num_neg: int = 1, *, temperature: float = 1.0, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _logits(self, scores: Tensor) -> Tensor:
        return scores / self.temperature


class MCNSSampler(_ChunkedSoftmaxSampler, name="mcns"):
    r"""MCNS: negatives sub-linearly correlated with the estimated positive distribution.

    .. math::

        q(n \mid u) \propto \hat p_d(n \mid u)^{\alpha},
        \qquad \hat p_d(n \mid u) = \sigma(z_u \cdot z_n),
        \qquad \Pr[n \mid u] \propto q(n \mid u)\,\mathbb{1}[n \in C(u)]

    i.e. :math:`\log q = \alpha \log \sigma(s) + \text{const}`. Yang et al.
    show the optimal negative distribution is
    :math:`p_n \propto p_d^{\alpha}` with :math:`0 < \alpha < 1` and estimate
    :math:`p_d` from the current embeddings ("self-contrastive
    approximation"). We take the decoder's link probability
    :math:`\sigma(z_u \cdot z_n)` as the estimate (always positive, unlike the
    raw inner product) and sample :math:`q` *exactly* rather than with the
    paper's Metropolis-Hastings chain (whose stationary distribution is this
    :math:`q`), so no burn-in or autocorrelation enters.

    Parameters
    ----------
    num_neg : int, default 1
    alpha : float, default 0.75
        :math:`\alpha \ge 0`; 0 is uniform.
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    Same engine as :class:`SoftmaxNegativeSampler` (exact two-pass chunked
    softmax with known pairs masked, memory
    :math:`O(\text{batch} \times \text{chunk} + N)`, time
    :math:`O(|U| N d + S \cdot \text{chunk} \cdot d)`).

    References
    ----------
    Yang et al., *Understanding Negative Sampling in Graph Representation
    Learning*, KDD 2020.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> z = torch.zeros(4, 2)                      # all scores 0: uniform over {2, 3}
    >>> neg = MCNSSampler(4, seed=0).sample(ei, 4, pos_edge_index=ei[:, :1], z=z)
    >>> sorted(set(neg[1].tolist()))
    [2, 3]
    """

    _parameter_constraints = {"alpha": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, num_neg: int = 1, *, alpha: float = 0.75, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _logits(self, scores: Tensor) -> Tensor:
        return self.alpha * F.logsigmoid(scores)


class DynamicNegativeSampler(_ScoreAwareSampler, name="dns"):
    r"""Dynamic negative sampling (DNS): the best-scoring of ``num_draws`` uniform
    valid candidates.

    For anchor :math:`u` with :math:`m = |C(u)|` valid candidates ranked by score
    :math:`s(u, n) = z_u \cdot z_n` (descending; ties broken by smaller node id),
    :math:`X` draws with replacement pick the candidate of rank :math:`r` with

    .. math::

        \Pr[r] = \Big(\frac{m - r + 1}{m}\Big)^X - \Big(\frac{m - r}{m}\Big)^X,

    the law of the minimum rank of :math:`X` uniform draws. :math:`X = 1` is
    uniform; large :math:`X` approaches the top-1 negative.

    Parameters
    ----------
    num_neg : int, default 1
    num_draws : int, default 8
        :math:`X \ge 1`.
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    The :math:`X` draws are valid uniform negatives (the uniform sampler's exact
    machinery), scored with one batched product: :math:`O(S X (d + \log E))`
    for :math:`S` slots. The exact complement path evaluates the rank law above,
    :math:`O(N \log N)` per anchor.

    References
    ----------
    Zhang et al., *Optimizing Top-N Collaborative Filtering via Dynamic
    Negative Item Sampling*, SIGIR 2013.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> z = torch.tensor([[1.0], [0.0], [2.0], [-1.0]])
    >>> sampler = DynamicNegativeSampler(4, num_draws=8, seed=1)
    >>> sampler.sample(ei, 4, pos_edge_index=ei[:, :1], z=z)[1].tolist()
    [2, 2, 2, 2]
    """

    _parameter_constraints = {"num_draws": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, num_neg: int = 1, *, num_draws: int = 8, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _uniform(self) -> UniformNegativeSampler:
        return UniformNegativeSampler(self.num_draws, seed=self.generator, on_impossible="drop",
                                      directed=self.directed, fallback_ratio=self.fallback_ratio,
                                      max_rounds=self.max_rounds)

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        x = self.num_draws
        draws, possible = self._uniform()._sample_per_anchor(anchors, ctx)
        out = anchors.clone()             # impossible anchors (pairs mode): rejected as self-loops
        if draws.size(1) == 0:
            return out
        cand = draws[1].view(-1, x)
        z = self._z(ctx)
        a = anchors[possible]
        scores = torch.einsum("sd,sxd->sx", z[a], z[cand])
        top = scores.max(1, keepdim=True).values
        out[possible] = torch.where(scores == top, cand, ctx.num_nodes).min(1).values
        return out

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        z = self._z(ctx)
        scores = z[anchors] @ z[candidates].t()
        valid = ctx.is_valid(anchors.view(-1, 1), candidates.view(1, -1))
        masked = scores.masked_fill(~valid, float("-inf"))
        # candidates are in increasing id order, so a stable sort breaks ties by id
        order = torch.sort(masked, dim=1, descending=True, stable=True).indices
        rank = torch.empty_like(order)
        rank.scatter_(1, order, torch.arange(1, candidates.numel() + 1).expand_as(order))
        m = valid.sum(1, keepdim=True).double().clamp(min=1)
        x = self.num_draws
        prob = ((m - rank + 1) / m).clamp(min=0).pow(x) - ((m - rank) / m).clamp(min=0).pow(x)
        return torch.where(valid & (prob > 0), prob.log(), torch.full_like(prob, float("-inf")))
