r"""The maximum-entropy pool sampler ``"maxent"``, its exact law and its fitted exponents.

:math:`q(E \mid A) \propto |E|^{\alpha}\,(1 - o(E; A))^{\beta}` over a candidate pool,
drawn exactly as a two-part mixture (see :class:`HyperedgeNegativeSampler`);
:func:`maxent_probabilities` states the law pointwise for tests and analysis;
:func:`fit_maxent` solves for the multipliers :math:`(\alpha, \beta)` that make the
pool law match the true hyperedges' moments (``fit="moments"`` does it per call).
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple, Optional, Tuple

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed, numpy_rng
from graphneg._validation import Interval, Options, check_int, check_real
from graphneg.hyperedges import (
    check_hyperedge_index, hyperedge_sizes, incidence_csr, intersection_sizes,
)
from graphneg.samplers.base import SamplerStats
from graphneg.samplers.hyperedge.base import (
    CandidatePool, HyperedgeContext, HyperedgeSampler, csr_rows, row_choice,
)
from graphneg.samplers.hyperedge.baselines import MotifNegativeSampler, SizedNegativeSampler

__all__ = ["HyperedgeNegativeSampler", "maxent_probabilities", "fit_maxent", "MaxEntFit"]

#: Elements of a dense ``(rows, C)`` block processed at once by the exact path.
_CHUNK_ELEMENTS = 1 << 22


class _Overlaps:
    """Sparse anchor x pool overlaps and the two-part mixture of the max-entropy law,
    for the distinct anchors ``anchors`` (row ``i`` of every table is ``anchors[i]``)."""

    def __init__(self, anchors: Tensor, anchor_index: Tensor, pool: CandidatePool,
                 num_nodes: int, alpha: float, beta: float):
        num_anchor, num_pool, pool_index, pool_valid = (anchors.numel(), pool.size, pool.index,
                                                        pool.valid)
        self.anchors, self.num_pool = anchors, num_pool
        row, col, inter = (t.numpy() for t in intersection_sizes(
            anchor_index, pool_index, num_nodes, num_a=num_anchor, num_b=num_pool))
        sa = hyperedge_sizes(anchor_index, num_anchor).numpy()
        sc = hyperedge_sizes(pool_index, num_pool).numpy()
        self.log_size = np.log(sc.astype(np.float64))
        equal = (inter == sa[row]) & (inter == sc[col])
        overlap = inter / (sa[row] + sc[col] - inter)
        log_w0 = alpha * self.log_size
        self.shift = float(log_w0[pool_valid].max()) if pool_valid.any() else 0.0
        self.w0 = np.where(pool_valid, np.exp(log_w0 - self.shift), 0.0)
        valid2 = pool_valid[col] & ~equal
        with np.errstate(divide="ignore"):
            log_w2 = log_w0[col] + beta * np.log1p(-np.where(valid2, overlap, 0.0)) - self.shift
        self.w2 = np.where(valid2, np.exp(log_w2), 0.0)
        self.row, self.col, self.overlap, self.equal = row, col, overlap, equal
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=num_anchor))])
        self.keys = row.astype(np.int64) * num_pool + col  # sorted (CSR order)
        # masses of the two parts, per anchor
        s0 = self.w0.sum()
        near0 = np.bincount(row, weights=self.w0[col], minlength=num_anchor)
        self.mass1 = np.maximum(s0 - near0, 0.0)
        self.mass2 = np.bincount(row, weights=self.w2, minlength=num_anchor)
        self.share1 = self.mass1 / max(s0, np.finfo(float).tiny)
        # exact count of valid candidates (weights can underflow; counts cannot)
        nv = int(pool_valid.sum())
        near_valid = np.bincount(row, weights=pool_valid[col].astype(np.float64),
                                 minlength=num_anchor)
        far = nv - near_valid
        self.num_valid = far + np.bincount(row, weights=valid2.astype(np.float64),
                                           minlength=num_anchor)
        self.cdf0 = np.cumsum(self.w0)
        self.alpha, self.beta, self.pool_valid = alpha, beta, pool_valid

    def dense_log_weights(self, anchors: np.ndarray) -> np.ndarray:
        """Full ``log q`` rows (``-inf`` where invalid), shape ``(len(anchors), C)``."""
        with np.errstate(divide="ignore"):
            out = np.tile(np.log(self.w0), (anchors.size, 1))
        starts, ends = self.indptr[anchors], self.indptr[anchors + 1]
        lens = ends - starts
        r = np.repeat(np.arange(anchors.size), lens)
        idx = np.repeat(starts, lens) + np.arange(r.size) - np.repeat(np.cumsum(lens) - lens, lens)
        with np.errstate(divide="ignore"):
            out[r, self.col[idx]] = np.log(self.w2[idx])
        return out


def maxent_probabilities(hyperedge_index: Tensor, num_nodes: int, anchor: int, *,
                         alpha: float, beta: float,
                         candidate_index: Optional[Tensor] = None,
                         exclude_hyperedge_index: Optional[Tensor] = None) -> Tensor:
    r"""The exact law :math:`q(\cdot \mid A)` of :class:`HyperedgeNegativeSampler` over its pool.

    Returns
    -------
    DoubleTensor, shape (C,)
        Probability of every pool candidate (0 for invalid ones). Cost
        :math:`O(C + \sum_v \deg_A(v)\deg_C(v))`.

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 1, 2, 2, 3], [0, 0, 1, 1, 2, 2]])
    >>> maxent_probabilities(h, 4, 0, alpha=0.0, beta=0.0).tolist()
    [0.0, 0.5, 0.5]
    """
    sampler = HyperedgeNegativeSampler(alpha=alpha, beta=beta)
    owner = "maxent_probabilities"
    ctx = sampler._context(hyperedge_index, check_int(num_nodes, "num_nodes", low=1, owner=owner),
                           exclude_hyperedge_index, {"candidate_index": candidate_index},
                           owner=owner)
    anchor = check_int(anchor, "anchor", low=0, high=ctx.num_hyperedges - 1, owner=owner)
    sampler._prepare(ctx)
    ov = sampler._overlaps(torch.tensor([anchor]), ctx)
    logw = torch.from_numpy(ov.dense_log_weights(np.array([0])))[0]
    if not bool(torch.isfinite(logw).any()):
        return torch.zeros_like(logw)
    return torch.softmax(logw, 0)


class MaxEntFit(NamedTuple):
    r"""The fitted multipliers of :func:`fit_maxent`.

    Attributes
    ----------
    alpha, beta : float
        Size and overlap exponents.
    target : (float, float)
        :math:`(\mu_1, \mu_2)`, the true hyperedges' moments.
    moments : (float, float)
        The same averages under the fitted law (equal to ``target`` when converged).
    converged : bool
        The moments met to ``tol`` strictly inside the bounds.
    iterations : int
    """

    alpha: float
    beta: float
    target: Tuple[float, float]
    moments: Tuple[float, float]
    converged: bool
    iterations: int


def _dual(ov: _Overlaps, theta: np.ndarray, target: np.ndarray):
    r"""Dual objective, gradient and Hessian of the moment fit over the anchors of ``ov``.

    :math:`D(\theta) = \mathrm{mean}_A \log Z_A(\theta) - \theta^\top\mu`, with
    :math:`\nabla D = \mathrm{mean}_A \mathbb{E}_{q_A}[f] - \mu` and
    :math:`\nabla^2 D = \mathrm{mean}_A \mathrm{Cov}_{q_A}[f]`,
    :math:`f = (\log|E|, \log(1 - o(E; A)))`; anchors without a valid candidate are
    left out. Candidates that miss the anchor (:math:`f_2 = 0`) are summed once for
    all anchors, minus the anchor's overlapping ones: :math:`O(C + Q)`.
    """
    a, b = float(theta[0]), float(theta[1])
    ls, valid = ov.log_size, ov.pool_valid
    with np.errstate(invalid="ignore"):
        lw0 = np.where(valid, a * ls, -np.inf)
    c0 = float(lw0[valid].max())
    w0 = np.exp(lw0 - c0)
    n = ov.anchors.numel()
    row, col = ov.row, ov.col
    near = w0[col]                       # the overlapping candidates' |E|^α part
    lsc = ls[col]
    far = [np.maximum(float((w0 * ls ** k).sum()) - np.bincount(row, weights=near * lsc ** k,
                                                                 minlength=n), 0.0)
           for k in range(3)]
    valid2 = valid[col] & ~ov.equal
    with np.errstate(divide="ignore"):
        l2 = np.where(valid2, np.log1p(-np.where(valid2, ov.overlap, 0.0)), 0.0)
    lw2 = np.where(valid2, a * lsc + b * l2 - c0, -np.inf)
    top = np.zeros(n)
    np.maximum.at(top, row, np.where(valid2, lw2, 0.0))
    w2 = np.where(valid2, np.exp(lw2 - top[row]), 0.0)
    scale = np.exp(-top)

    def part(values: np.ndarray) -> np.ndarray:
        return np.bincount(row, weights=w2 * values, minlength=n)

    z = far[0] * scale + part(np.ones_like(l2))
    s1, s2 = far[1] * scale + part(lsc), part(l2)
    s11, s12, s22 = far[2] * scale + part(lsc ** 2), part(lsc * l2), part(l2 ** 2)
    ok = z > 0
    z, s1, s2, s11, s12, s22 = (t[ok] for t in (z, s1, s2, s11, s12, s22))
    e1, e2 = s1 / z, s2 / z
    value = float((np.log(z) + top[ok] + c0).mean() - theta @ target)
    grad = np.array([e1.mean(), e2.mean()]) - target
    hess = np.array([[(s11 / z - e1 ** 2).mean(), (s12 / z - e1 * e2).mean()],
                     [(s12 / z - e1 * e2).mean(), (s22 / z - e2 ** 2).mean()]])
    return value, grad, hess


def _fit(anchor_index: Tensor, num_anchors: int, pool: CandidatePool, num_nodes: int, *,
         bound: float, tol: float, max_iter: int) -> MaxEntFit:
    """Newton's method on the convex dual (backtracking, box ``[-bound, bound]``)."""
    anchors = torch.arange(num_anchors)
    truth = _Overlaps(anchors, anchor_index, CandidatePool.of(anchor_index), num_nodes, 0.0, 0.0)
    zero = np.zeros(2)
    _, target, _ = _dual(truth, zero, zero)  # the moments of uniform over the other hyperedges
    ov = _Overlaps(anchors, anchor_index, pool, num_nodes, 0.0, 0.0)
    theta = np.zeros(2)
    value, grad, hess = _dual(ov, theta, target)
    it = 0
    for it in range(1, max_iter + 1):
        if np.abs(grad).max() <= tol:
            break
        step = np.linalg.lstsq(hess, grad, rcond=1e-10)[0]  # flat directions (one size) stay
        t = 1.0
        while t > 1e-10:
            new = np.clip(theta - t * step, -bound, bound)
            v_new, g_new, h_new = _dual(ov, new, target)
            if v_new <= value + 1e-4 * float(grad @ (new - theta)) or t <= 1e-9:
                break
            t /= 2
        if np.allclose(new, theta, rtol=0, atol=1e-14):
            break
        theta, value, grad, hess = new, v_new, g_new, h_new
    moments = grad + target
    converged = bool(np.abs(grad).max() <= tol and np.abs(theta).max() < bound)
    return MaxEntFit(float(theta[0]), float(theta[1]), (float(target[0]), float(target[1])),
                     (float(moments[0]), float(moments[1])), converged, it)


def fit_maxent(hyperedge_index: Tensor, num_nodes: int, *,
               candidate_index: Optional[Tensor] = None,
               exclude_hyperedge_index: Optional[Tensor] = None, bound: float = 20.0,
               tol: float = 1e-9, max_iter: int = 100) -> MaxEntFit:
    r"""The maximum-entropy exponents :math:`(\alpha, \beta)` under the true hyperedges'
    moments.

    Among the laws :math:`q(\cdot \mid A)` on the pool, one per anchor, the one of
    maximum total entropy under the two constraints

    .. math::

        \mathrm{mean}_A\, \mathbb{E}_{q(\cdot \mid A)}[\log|E|] = \mu_1, \qquad
        \mathrm{mean}_A\, \mathbb{E}_{q(\cdot \mid A)}[\log(1 - o(E; A))] = \mu_2,

    with :math:`(\mu_1, \mu_2)` the same averages when :math:`E` is drawn uniformly from
    the *other true hyperedges* (those not equal to :math:`A` as sets), is
    :math:`q(E \mid A) \propto |E|^\alpha (1 - o(E; A))^\beta` with one pair of
    multipliers shared by all anchors. They minimise the convex dual
    :math:`D(\theta) = \mathrm{mean}_A \log Z_A(\theta) - \theta^\top \mu`
    (:math:`\nabla D` = moments − target): negatives as random as possible while as
    large and as overlapping with their anchor as true hyperedges are.

    Parameters
    ----------
    hyperedge_index : LongTensor, shape (2, nnz)
        The true hyperedges; each one is an anchor.
    num_nodes : int
    candidate_index : LongTensor, shape (2, nnz_c), optional
        The pool (sets equal to a known hyperedge are left out); the true hyperedges
        by default, where the fit is :math:`\alpha = \beta = 0` exactly (the target
        *is* uniform over that pool).
    exclude_hyperedge_index : LongTensor, optional
        Further known hyperedges, left out of the pool (not of the target).
    bound : float, default 20
        Box for :math:`|\alpha|, |\beta|`: a target outside what the pool can reach
        ends on the bound with ``converged=False``.
    tol : float, default 1e-9
        On :math:`\max |\nabla D|`, i.e. on the moments.
    max_iter : int, default 100

    Returns
    -------
    MaxEntFit

    Notes
    -----
    Damped Newton on :math:`D` with Hessian :math:`\mathrm{mean}_A \mathrm{Cov}_{q_A}[f]`
    (a direction without variance, e.g. all sizes equal, keeps its multiplier at 0).
    Each evaluation costs :math:`O(C + Q)` for :math:`Q` anchor–candidate pairs that
    share a node, after one sparse product each for the target and the pool.

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 1, 2, 2, 3, 0, 3], [0, 0, 1, 1, 2, 2, 3, 3]])
    >>> fit = fit_maxent(h, 4)                  # pool = the true hyperedges
    >>> round(fit.alpha, 12) + 0.0, round(fit.beta, 12) + 0.0, fit.converged
    (0.0, 0.0, True)
    """
    owner = "fit_maxent"
    sampler = HyperedgeNegativeSampler()
    ctx = sampler._context(hyperedge_index, check_int(num_nodes, "num_nodes", low=1, owner=owner),
                           exclude_hyperedge_index, {"candidate_index": candidate_index},
                           owner=owner)
    sampler._prepare(ctx)
    return _fit(ctx.hyperedge_index, ctx.num_hyperedges, ctx.pool, ctx.num_nodes,
                bound=check_real(bound, "bound", low=0, closed="neither", owner=owner),
                tol=check_real(tol, "tol", low=0, closed="neither", owner=owner),
                max_iter=check_int(max_iter, "max_iter", low=1, owner=owner))


class HyperedgeNegativeSampler(HyperedgeSampler, name="maxent"):
    r"""Maximum-entropy negative hyperedges: :math:`q(E \mid A) \propto |E|^\alpha (1 - o(E;A))^\beta`.

    Parameters
    ----------
    num_neg : int, default 1
    alpha : float, default 0.0
        Size exponent :math:`\alpha`: ``> 0`` prefers large candidates.
    beta : float, default 0.0
        Overlap exponent :math:`\beta`: ``> 0`` prefers candidates far from the
        anchor (easy), ``< 0`` those that overlap it (hard). ``alpha = beta = 0``
        is uniform over the pool.
    candidates : {"hyperedges", "sized", "motif"}, default "hyperedges"
        The pool :math:`\mathcal{C}`: the true hyperedges, or ``num_candidates``
        sets generated per call by :class:`SizedNegativeSampler` /
        :class:`MotifNegativeSampler` (those never equal a true hyperedge). A
        pool given at call time as ``sample(..., candidate_index=...)`` overrides it.
    num_candidates : int, optional
        Size of a generated pool (default: the number of hyperedges).
    seed, on_impossible, max_rounds
        See :class:`HyperedgeSampler`.
    fallback_ratio : float in [0, 1], default 0.1
        Anchors whose non-overlapping candidates carry less than this share of
        the pool's :math:`|E|^\alpha` mass are drawn from their enumerated row.
    fit : {None, "moments"}, default None
        ``"moments"``: ``alpha`` and ``beta`` are ignored; every call solves for
        them on its own hyperedges and pool (:func:`fit_maxent`: the pool law
        matches the true hyperedges' mean :math:`\log|E|` and mean
        :math:`\log(1 - o)` with the anchor). The fit of the last call is
        :attr:`last_fit` and goes into ``last_stats.extra`` (``alpha``, ``beta``,
        ``fit_converged``).

    Notes
    -----
    **Why this form.** Among all laws :math:`q` on the pool with prescribed
    averages :math:`\mathbb{E}_q[\log|E|] = \mu_1` and
    :math:`\mathbb{E}_q[\log(1 - o(E;A))] = \mu_2`, the one of maximum entropy
    :math:`-\sum q \log q` is, by Lagrange multipliers
    (:math:`\partial/\partial q(E)` of
    :math:`H(q) + \alpha(\mathbb{E}_q[\log|E|] - \mu_1) + \beta(\mathbb{E}_q[\log(1-o)] - \mu_2) + \lambda(\sum q - 1)`
    gives :math:`-\log q(E) - 1 + \alpha\log|E| + \beta\log(1-o) + \lambda = 0`),

    .. math::

        q(E) = \frac{1}{Z}\exp\bigl(\alpha \log|E| + \beta \log(1 - o)\bigr)
             = \frac{1}{Z} |E|^{\alpha} (1 - o)^{\beta},

    the exponential family whose sufficient statistics are the two log-features;
    :math:`\alpha, \beta` are the multipliers that meet the constraints. Because
    the size enters through :math:`\log|E|`, the law is **scale invariant**:
    multiplying every size by :math:`c` multiplies every weight by
    :math:`c^\alpha`, which cancels in :math:`Z` — only size *ratios* matter, so
    the same :math:`\alpha` means the same thing on hypergraphs of any typical
    size. A candidate equal to the anchor has :math:`o = 1`, hence weight 0
    when :math:`\beta > 0`; it is excluded for every :math:`\beta` anyway.

    **Exactness and cost.** Split the pool into candidates that share a node
    with :math:`A` (found by one sparse product :math:`H_A H_C^\top`, with
    their overlaps) and the rest (:math:`o = 0`, weight :math:`|E|^\alpha`).
    The law is a two-part mixture: with probability :math:`M_2/(M_1+M_2)` an
    overlapping candidate by inverse CDF on the sparse row, otherwise a draw
    from the global :math:`|E|^\alpha` table rejected while it overlaps the
    anchor (acceptance :math:`M_1 / \sum_E |E|^\alpha`; anchors below
    ``fallback_ratio`` and slots still pending after ``max_rounds`` use the
    enumerated row). Both parts are exact. Cost
    :math:`O(C + \sum_v \deg_A(v)\deg_C(v) + S \log C)` for :math:`S` negatives.

    References
    ----------
    E. T. Jaynes, "Information theory and statistical mechanics", Phys. Rev. 106, 1957.
    P. Patil, G. Sharma, M. N. Murty, "Negative sampling for hyperlink prediction
    in networks", PAKDD 2020.

    Examples
    --------
    >>> from graphneg.generators import random_hypergraph
    >>> h = random_hypergraph(30, 20, size_distribution=3, seed=0)
    >>> out = HyperedgeNegativeSampler(2, beta=2.0, seed=0).sample(h.edge_index, 30)
    >>> out.anchor.shape, out.candidate.shape
    (torch.Size([40]), torch.Size([40]))
    """

    accepts = ("candidate_index",)
    _parameter_constraints = {
        "alpha": [Interval(Real, None, None, closed="neither")],
        "beta": [Interval(Real, None, None, closed="neither")],
        "candidates": [Options(("hyperedges", "sized", "motif"))],
        "num_candidates": [Interval(Integral, 1, None, closed="left"), None],
        "fallback_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit": [Options(("moments",)), None],
    }

    #: The :class:`MaxEntFit` of the last call (``fit="moments"`` only).
    last_fit: Optional[MaxEntFit] = None

    def __init__(self, num_neg: int = 1, *, alpha: float = 0.0, beta: float = 0.0,
                 candidates: str = "hyperedges", num_candidates: Optional[int] = None,
                 seed: Seed = None, on_impossible: str = "raise", max_rounds: int = 64,
                 fallback_ratio: float = 0.1, fit: Optional[str] = None):
        self._init_params(locals())

    def _exponents(self) -> Tuple[float, float]:
        fit = self.last_fit if self.fit == "moments" else None
        return (fit.alpha, fit.beta) if fit is not None else (self.alpha, self.beta)

    def _prepare(self, ctx: HyperedgeContext) -> None:
        owner = type(self).__name__
        given = ctx.kwargs.get("candidate_index")
        if given is not None:
            pool = check_hyperedge_index(given, "candidate_index", num_nodes=ctx.num_nodes,
                                         owner=owner)
            ctx.pool = CandidatePool.of(pool, ~ctx.known.contains(pool).numpy())
        elif self.candidates == "hyperedges":
            ctx.pool = CandidatePool.of(ctx.hyperedge_index)
        else:
            cls = SizedNegativeSampler if self.candidates == "sized" else MotifNegativeSampler
            c = self.num_candidates or ctx.num_hyperedges
            gen = cls(1, seed=self.generator, on_impossible="drop", max_rounds=self.max_rounds)
            slots = torch.zeros(c, dtype=torch.long)
            index, failed, _ = gen._draw(slots, ctx, SamplerStats())
            keep = ~failed
            remap = torch.cumsum(keep.long(), 0) - 1
            sel = keep[index[1]]
            ctx.pool = CandidatePool.of(torch.stack([index[0, sel], remap[index[1, sel]]]))
        if self.fit == "moments":
            self.last_fit = _fit(ctx.hyperedge_index, ctx.num_hyperedges, ctx.pool,
                                 ctx.num_nodes, bound=20.0, tol=1e-9, max_iter=100)

    def _overlaps(self, uniq: Tensor, ctx: HyperedgeContext) -> _Overlaps:
        nodes, row = ctx.members(uniq)
        a_index = torch.from_numpy(np.stack([nodes, row]))
        return _Overlaps(uniq, a_index, ctx.pool, ctx.num_nodes, *self._exponents())

    def _impossible(self, anchors: Tensor, ctx: HyperedgeContext) -> Tensor:
        if ctx.pool.size == 0:
            return torch.ones(anchors.numel(), dtype=torch.bool)
        uniq, inv = torch.unique(anchors, return_inverse=True)
        ctx.anchor_table = ov = self._overlaps(uniq, ctx)
        return torch.from_numpy(ov.num_valid == 0)[inv]

    def _draw(self, slot_anchor: Tensor, ctx: HyperedgeContext, stats: SamplerStats):
        ov: _Overlaps = ctx.anchor_table
        s = slot_anchor.numel()
        empty = torch.empty(2, 0, dtype=torch.long)
        if s == 0:
            return empty, torch.zeros(0, dtype=torch.bool), torch.empty(0, dtype=torch.long)
        a = np.searchsorted(ov.anchors.numpy(), slot_anchor.numpy())  # row in the overlap table
        rng = numpy_rng(self.generator)
        out = np.full(s, -1, dtype=np.int64)
        total = ov.mass1 + ov.mass2
        dense = ov.share1[a] < self.fallback_ratio
        u = rng.random(s)
        part2 = (~dense) & (u * total[a] < ov.mass2[a])
        idx2 = np.flatnonzero(part2)
        if idx2.size:
            pos = row_choice(ov.indptr, ov.w2, a[idx2], rng.random(idx2.size))
            out[idx2] = ov.col[pos]
        pending = np.flatnonzero(~dense & ~part2)
        total0 = ov.cdf0[-1]
        while pending.size and stats.rounds < self.max_rounds:
            stats.rounds += 1
            prop = np.searchsorted(ov.cdf0, rng.random(pending.size) * total0, side="right")
            prop = np.minimum(prop, ov.num_pool - 1)
            key = a[pending].astype(np.int64) * ov.num_pool + prop
            hit = np.searchsorted(ov.keys, key).clip(max=max(ov.keys.size - 1, 0))
            near = (ov.keys[hit] == key) if ov.keys.size else np.zeros(pending.size, bool)
            ok = ~near & (ov.w0[prop] > 0)
            out[pending[ok]] = prop[ok]
            stats.rejected += int((~ok).sum())
            pending = pending[~ok]
        exact = np.concatenate([np.flatnonzero(dense), pending])
        if exact.size:
            stats.exact_slots += int(exact.size)
            rows_u, inv = np.unique(a[exact], return_inverse=True)
            chunk = max(1, _CHUNK_ELEMENTS // max(ov.num_pool, 1))
            for lo in range(0, rows_u.size, chunk):  # chunks of anchors, not one per anchor
                block = torch.from_numpy(ov.dense_log_weights(rows_u[lo:lo + chunk]))
                prob = torch.softmax(block, 1)
                sel = np.flatnonzero((inv >= lo) & (inv < lo + chunk))
                counts = np.bincount(inv[sel] - lo, minlength=block.size(0))
                draws = torch.multinomial(prob, int(counts.max()), replacement=True,
                                          generator=self.generator).numpy()
                rank = np.empty(sel.size, dtype=np.int64)
                order = np.argsort(inv[sel], kind="stable")
                starts = np.cumsum(counts) - counts
                rank[order] = np.arange(sel.size) - starts[(inv[sel] - lo)[order]]
                out[exact[sel]] = draws[inv[sel] - lo, rank]
        cand = torch.from_numpy(out)
        nodes, row = csr_rows(incidence_csr(ctx.pool.index, ctx.num_nodes, ov.num_pool), out)
        stats.extra.update({"pool_size": float(ov.num_pool),
                            "mean_overlap_pairs": float(ov.row.size) / max(ov.anchors.numel(), 1)})
        if self.fit == "moments" and self.last_fit is not None:
            stats.extra.update({"alpha": ov.alpha, "beta": ov.beta,
                                "fit_converged": float(self.last_fit.converged)})
        return (torch.from_numpy(np.stack([nodes, row])), torch.zeros(s, dtype=torch.bool), cand)
