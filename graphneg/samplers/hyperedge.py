r"""Negative hyperedges: a maximum-entropy sampler and the Patil et al. baselines.

Concepts
--------
A hypergraph has nodes :math:`V` (:math:`N = |V|`) and hyperedges
:math:`E_1..E_M \subseteq V` held as an incidence index (row 0 nodes, row 1
hyperedge ids, see :mod:`graphneg.hyperedges`). For an *anchor* hyperedge
:math:`A` a negative is a node set that is **not** a true hyperedge. Four ways
to get one:

* ``"maxent"`` (:class:`HyperedgeNegativeSampler`): pick a hyperedge from a
  candidate pool :math:`\mathcal{C}` (the other hyperedges by default, or
  generated sets) with

  .. math::

      q(E \mid A) \propto |E|^{\alpha}\,\bigl(1 - o(E; A)\bigr)^{\beta},
      \qquad o(E; A) = \frac{|E \cap A|}{|E \cup A|}.

* ``"sized"`` (SNS): a uniform node set whose size is drawn from the empirical
  size distribution of the hyperedges.
* ``"motif"`` (MNS): a connected node set grown on the clique expansion.
* ``"clique"`` (CNS): the anchor with one member replaced by a node adjacent
  (in the clique expansion) to all the others.

Every sampler excludes negatives equal (as sets) to a true hyperedge — for the
pool sampler with the default pool, whose candidates *are* true hyperedges,
this means the anchor and its duplicates — and returns exactly ``num_neg``
negatives per kept anchor, grouped by anchor (negative ``k`` of anchor ``p`` is
negative hyperedge ``p*K + k``), like the graph samplers (DESIGN.md §3).
Samplers live in their own registry, :data:`HYPEREDGE_SAMPLERS` (they are not
graph samplers and do not follow the graph contract).

Transform face: :meth:`HyperedgeSampler.forward` takes a
:class:`~torch_geometric.data.HyperGraphData` and writes

* ``hyperedge_label_index`` — LongTensor ``(2, nnz)``: incidence of the labelled
  hyperedges, ids ``0..P-1`` the positives (the anchors kept, in order) and
  ``P + p*K + k`` the negatives (``cat([pos, neg])`` as ``edge_label_index``);
* ``hyperedge_label`` — ``cat([ones(P), zeros(P*K)])`` (the dtype of an existing
  ``hyperedge_label``, float otherwise);
* ``hyperedge_label_anchor`` — LongTensor ``(P + P*K,)``: the anchor's id in
  ``edge_index`` for every labelled hyperedge;
* ``neg_stats`` — :class:`~graphneg.samplers.base.SamplerStats` as a dict.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional, Tuple, Type, Union

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from graphneg._random import Seed, numpy_rng
from graphneg._validation import check_int, check_option, check_real
from graphneg.hyperedges import (
    HyperedgeSet, check_hyperedge_index, hyperedge_sizes, incidence_csr, intersection_sizes,
)
from graphneg.registry import Registry
from graphneg.samplers.base import NoNegativeCandidatesError, RegisteredSampler, SamplerStats

__all__ = [
    "HYPEREDGE_SAMPLERS", "HyperedgeSampler", "HyperedgeNegatives", "NoNegativeHyperedgesError",
    "HyperedgeNegativeSampler", "SizedNegativeSampler", "MotifNegativeSampler",
    "CliqueNegativeSampler", "get_hyperedge_sampler", "maxent_probabilities",
]

HYPEREDGE_SAMPLERS: Registry[Type["HyperedgeSampler"]] = Registry("hyperedge sampler")  # base: below

#: Elements of a dense ``(rows, C)`` block processed at once by the exact path.
_CHUNK_ELEMENTS = 1 << 22


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


class HyperedgeContext:
    """What a hook may read during one call (built by the base).

    Attributes
    ----------
    hyperedge_index : LongTensor, shape (2, nnz)
    num_nodes, num_hyperedges : int
    sizes : LongTensor, shape (M,)
    known : HyperedgeSet
        True hyperedges plus ``exclude_hyperedge_index``.
    kwargs : dict
        Extra keyword arguments of :meth:`HyperedgeSampler.sample`.
    """

    def __init__(self, hyperedge_index: Tensor, num_nodes: int,
                 exclude_hyperedge_index: Optional[Tensor], kwargs: Dict[str, Any]):
        self.hyperedge_index = hyperedge_index
        self.num_nodes = num_nodes
        self.sizes = hyperedge_sizes(hyperedge_index)
        self.num_hyperedges = int(self.sizes.numel())
        self.exclude_hyperedge_index = exclude_hyperedge_index
        self.kwargs = kwargs
        self._cache: Dict[str, Any] = {}

    def cached(self, key: str, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def known(self) -> HyperedgeSet:
        def make():
            parts = [self.hyperedge_index]
            if self.exclude_hyperedge_index is not None and self.exclude_hyperedge_index.numel():
                ex = self.exclude_hyperedge_index.clone()
                ex[1] += self.num_hyperedges
                parts.append(ex)
            return HyperedgeSet(torch.cat(parts, 1), self.num_nodes)
        return self.cached("known", make)

    @property
    def incidence(self) -> sp.csr_matrix:
        """``(M, N)`` incidence CSR of the hyperedges."""
        return self.cached("incidence", lambda: incidence_csr(self.hyperedge_index,
                                                              self.num_nodes))

    @property
    def adjacency(self) -> sp.csr_matrix:
        """0/1 clique-expansion adjacency, ``(N, N)`` CSR, no diagonal."""
        def make():
            h = self.incidence.astype(np.int64)
            a = (h.T @ h).tocsr()
            a.setdiag(0)
            a.eliminate_zeros()
            a.data[:] = 1
            a.sort_indices()
            return a
        return self.cached("adjacency", make)

    def members(self, ids: Tensor) -> Tuple[np.ndarray, np.ndarray]:
        """``(nodes, row)`` of hyperedges ``ids``: members (sorted) and their row in ``ids``."""
        h = self.incidence
        ids = ids.numpy()
        lens = np.diff(h.indptr)[ids]
        row = np.repeat(np.arange(ids.size), lens)
        offs = np.arange(row.size) - np.repeat(np.cumsum(lens) - lens, lens)
        return h.indices[h.indptr[ids][row] + offs].astype(np.int64), row


def _check_alpha_beta(value, param: str, owner: str) -> float:
    return check_real(value, param, owner=owner)


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
        Rejection rounds before the exact path (pool sampler) or before an anchor
        is declared impossible (generative baselines).

    Notes
    -----
    A subclass writes :meth:`_impossible` (optional) and :meth:`_draw`.
    """

    registry: ClassVar[Registry] = HYPEREDGE_SAMPLERS

    def __init__(self, num_neg: int = 1, *, seed: Seed = None, on_impossible: str = "raise",
                 max_rounds: int = 64):
        super().__init__(num_neg, seed=seed, on_impossible=on_impossible, max_rounds=max_rounds)

    #: smallest hyperedge size accepted in the input
    min_size: ClassVar[int] = 1

    # ------------------------------------------------------------ hooks
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
        owner = type(self).__name__
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
        ctx = HyperedgeContext(hyperedge_index, num_nodes, exclude_hyperedge_index, kwargs)
        m = ctx.num_hyperedges
        if anchors is None:
            anchors = torch.arange(m)
        if (not isinstance(anchors, Tensor) or anchors.dtype != torch.long or anchors.dim() != 1):
            raise TypeError(f"The 'anchors' parameter of {owner} must be a 1-D LongTensor of "
                            f"hyperedge ids. Got {getattr(anchors, 'dtype', type(anchors))} instead.")
        if anchors.numel() and (int(anchors.min()) < 0 or int(anchors.max()) >= m):
            raise ValueError(f"The 'anchors' parameter of {owner} must hold hyperedge ids in "
                             f"[0, {m}). Got {int(anchors.min())}..{int(anchors.max())} instead.")
        self._prepare(ctx)
        k = self.num_neg
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

    def _prepare(self, ctx: HyperedgeContext) -> None:
        """Per-call set-up (candidate pools ...); no-op by default."""

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
        and ``neg_stats`` (see the module docstring). Extra keyword arguments go to
        :meth:`sample`."""
        index = data.edge_index
        out = self.sample(index, data.num_nodes, **kwargs)
        kept = out.keep.nonzero().view(-1)
        h = incidence_csr(index, data.num_nodes)
        lens = np.diff(h.indptr)[kept.numpy()]
        row = np.repeat(np.arange(kept.numel()), lens)
        offs = np.arange(row.size) - np.repeat(np.cumsum(lens) - lens, lens)
        nodes = h.indices[h.indptr[kept.numpy()][row] + offs].astype(np.int64)
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

    def _config(self) -> Dict[str, Any]:
        return {"num_neg": self.num_neg, "on_impossible": self.on_impossible}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"


# ====================================================================== maxent
def _row_choice(indptr: np.ndarray, weights: np.ndarray, rows: np.ndarray,
                uniforms: np.ndarray, csum: Optional[np.ndarray] = None) -> np.ndarray:
    """Inverse-CDF draw of one entry per query inside CSR rows, by ``weights``.

    Entry ``i`` of row ``r`` is returned with probability ``w_i / sum_row(w)``;
    zero-weight entries are never returned. Vectorised: one global cumulative sum
    and one :func:`numpy.searchsorted` (pass ``csum = [0, cumsum(weights)]`` to reuse
    it across calls). Rows must have positive mass.
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


class _Overlaps:
    """Sparse anchor x pool overlaps and the two-part mixture of the max-entropy law."""

    def __init__(self, anchor_index: Tensor, pool_index: Tensor, num_nodes: int,
                 num_anchor: int, num_pool: int, pool_valid: np.ndarray,
                 alpha: float, beta: float):
        self.num_pool = num_pool
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
    num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
    hyperedge_index = check_hyperedge_index(hyperedge_index, num_nodes=num_nodes, owner=owner)
    m = int(hyperedge_sizes(hyperedge_index).numel())
    anchor = check_int(anchor, "anchor", low=0, high=m - 1, owner=owner)
    if exclude_hyperedge_index is not None:
        exclude_hyperedge_index = check_hyperedge_index(
            exclude_hyperedge_index, "exclude_hyperedge_index", num_nodes=num_nodes, owner=owner)
    ctx = HyperedgeContext(hyperedge_index, num_nodes, exclude_hyperedge_index,
                           {"candidate_index": candidate_index})
    sampler._prepare(ctx)
    ov = sampler._overlaps(torch.tensor([anchor]), ctx)
    logw = torch.from_numpy(ov.dense_log_weights(np.array([0])))[0]
    if not bool(torch.isfinite(logw).any()):
        return torch.zeros_like(logw)
    return torch.softmax(logw, 0)


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

    def __init__(self, num_neg: int = 1, *, alpha: float = 0.0, beta: float = 0.0,
                 candidates: str = "hyperedges", num_candidates: Optional[int] = None,
                 seed: Seed = None, on_impossible: str = "raise", max_rounds: int = 64,
                 fallback_ratio: float = 0.1):
        super().__init__(num_neg, seed=seed, on_impossible=on_impossible, max_rounds=max_rounds)
        owner = type(self).__name__
        self.alpha = _check_alpha_beta(alpha, "alpha", owner)
        self.beta = _check_alpha_beta(beta, "beta", owner)
        self.candidates = check_option(candidates, "candidates", ("hyperedges", "sized", "motif"),
                                       owner=owner)
        self.num_candidates = (None if num_candidates is None else
                               check_int(num_candidates, "num_candidates", low=1, owner=owner))
        self.fallback_ratio = check_real(fallback_ratio, "fallback_ratio", low=0, high=1,
                                         owner=owner)

    def _prepare(self, ctx: HyperedgeContext) -> None:
        owner = type(self).__name__
        given = ctx.kwargs.get("candidate_index")
        if given is not None:
            pool = check_hyperedge_index(given, "candidate_index", num_nodes=ctx.num_nodes,
                                         owner=owner)
            valid = ~ctx.known.contains(pool).numpy()
            ctx.pool, ctx.pool_valid, ctx.pool_is_truth = pool, valid, False
        elif self.candidates == "hyperedges":
            ctx.pool, ctx.pool_is_truth = ctx.hyperedge_index, True
            ctx.pool_valid = np.ones(ctx.num_hyperedges, dtype=bool)
        else:
            cls = SizedNegativeSampler if self.candidates == "sized" else MotifNegativeSampler
            c = self.num_candidates or ctx.num_hyperedges
            gen = cls(1, seed=self.generator, on_impossible="drop", max_rounds=self.max_rounds)
            slots = torch.zeros(c, dtype=torch.long)
            index, failed, _ = gen._draw(slots, ctx, SamplerStats())
            keep = ~failed
            remap = torch.cumsum(keep.long(), 0) - 1
            sel = keep[index[1]]
            ctx.pool = torch.stack([index[0, sel], remap[index[1, sel]]])
            ctx.pool_valid = np.ones(int(keep.sum()), dtype=bool)
            ctx.pool_is_truth = False
        ctx.num_pool = int(hyperedge_sizes(ctx.pool).numel()) if ctx.pool.numel() else 0

    def _overlaps(self, uniq: Tensor, ctx: HyperedgeContext) -> _Overlaps:
        nodes, row = ctx.members(uniq)
        a_index = torch.from_numpy(np.stack([nodes, row]))
        return _Overlaps(a_index, ctx.pool, ctx.num_nodes, uniq.numel(), ctx.num_pool,
                         ctx.pool_valid, self.alpha, self.beta)

    def _impossible(self, anchors: Tensor, ctx: HyperedgeContext) -> Tensor:
        if ctx.num_pool == 0:
            return torch.ones(anchors.numel(), dtype=torch.bool)
        uniq, inv = torch.unique(anchors, return_inverse=True)
        ov = ctx.cached("overlaps", lambda: (uniq, self._overlaps(uniq, ctx)))[1]
        return torch.from_numpy(ov.num_valid == 0)[inv]

    def _draw(self, slot_anchor: Tensor, ctx: HyperedgeContext, stats: SamplerStats):
        uniq, ov = ctx._cache["overlaps"] if "overlaps" in ctx._cache else (None, None)
        s = slot_anchor.numel()
        empty = torch.empty(2, 0, dtype=torch.long)
        if s == 0:
            return empty, torch.zeros(0, dtype=torch.bool), torch.empty(0, dtype=torch.long)
        a = np.searchsorted(uniq.numpy(), slot_anchor.numpy())  # row in the overlap table
        rng = numpy_rng(self.generator)
        out = np.full(s, -1, dtype=np.int64)
        total = ov.mass1 + ov.mass2
        dense = ov.share1[a] < self.fallback_ratio
        u = rng.random(s)
        part2 = (~dense) & (u * total[a] < ov.mass2[a])
        idx2 = np.flatnonzero(part2)
        if idx2.size:
            pos = _row_choice(ov.indptr, ov.w2, a[idx2], rng.random(idx2.size))
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
        h = incidence_csr(ctx.pool, ctx.num_nodes, ctx.num_pool)
        lens = np.diff(h.indptr)[out]
        row = np.repeat(np.arange(s), lens)
        offs = np.arange(row.size) - np.repeat(np.cumsum(lens) - lens, lens)
        nodes = h.indices[h.indptr[out][row] + offs].astype(np.int64)
        stats.extra.update({"pool_size": float(ov.num_pool),
                            "mean_overlap_pairs": float(ov.row.size) / max(uniq.numel(), 1)})
        return (torch.from_numpy(np.stack([nodes, row])), torch.zeros(s, dtype=torch.bool), cand)

    def _config(self) -> Dict[str, Any]:
        cfg = {"num_neg": self.num_neg, "alpha": self.alpha, "beta": self.beta,
               "candidates": self.candidates}
        cfg["on_impossible"] = self.on_impossible
        return cfg


# ================================================================= baselines
def _empirical_sizes(ctx: HyperedgeContext, rng: np.random.Generator, count: int) -> np.ndarray:
    sizes = ctx.sizes.numpy()
    return sizes[rng.integers(0, sizes.size, size=count)]


def _finish(nodes: np.ndarray, row: np.ndarray, num_nodes: int) -> Tensor:
    """Incidence sorted by ``(row, node)``: one sort of int64 keys (much faster than lexsort)."""
    key = np.sort(row.astype(np.int64) * num_nodes + nodes)
    return torch.from_numpy(np.stack([key % num_nodes, key // num_nodes]))


class _GenerativeSampler(HyperedgeSampler):
    """Shared rejection loop of the anchor-free baselines (SNS, MNS)."""

    def _generate(self, count: int, ctx: HyperedgeContext, rng: np.random.Generator,
                  stats: SamplerStats) -> Tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _draw(self, slot_anchor: Tensor, ctx: HyperedgeContext, stats: SamplerStats):
        rng = numpy_rng(self.generator)
        s = slot_anchor.numel()
        parts_nodes, parts_row = [], []
        pending = np.arange(s)
        rounds = 0
        while pending.size and rounds < self.max_rounds:
            rounds += 1
            nodes, row = self._generate(pending.size, ctx, rng, stats)
            index = torch.from_numpy(np.stack([nodes, row]))
            bad = ctx.known.contains(index, pending.size).numpy()
            ok = ~bad[row]
            parts_nodes.append(nodes[ok])
            parts_row.append(pending[row[ok]])
            stats.rejected += int(bad.sum())
            pending = pending[bad]
        stats.rounds += rounds
        failed = np.zeros(s, dtype=bool)
        failed[pending] = True
        nodes = np.concatenate(parts_nodes) if parts_nodes else np.empty(0, np.int64)
        row = np.concatenate(parts_row) if parts_row else np.empty(0, np.int64)
        return _finish(nodes, row, ctx.num_nodes), torch.from_numpy(failed), None


class SizedNegativeSampler(_GenerativeSampler, name="sized"):
    r"""SNS: uniform node sets with sizes from the empirical size distribution.

    .. math::

        q(S) = \hat p(|S|) \binom{N}{|S|}^{-1}, \quad S \notin \{E_1..E_M\},

    with :math:`\hat p` the sizes' histogram; sets equal to a true hyperedge are
    rejected and redrawn (size included), so the law is exactly :math:`q`
    conditioned on not being a true hyperedge. Anchor-free: every anchor gets
    i.i.d. draws. Cost :math:`O(\sum |S|)` expected per round plus one hash
    lookup per set.

    References
    ----------
    Patil, Sharma, Murty, PAKDD 2020 ("sized negative sampling").

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 2, 3, 4], [0, 0, 1, 1, 1]])
    >>> SizedNegativeSampler(3, seed=0).sample(h, 10).hyperedge_index.size(0)
    2
    """

    def _generate(self, count, ctx, rng, stats):
        from graphneg.generators.hypergraphs import uniform_members
        sizes = _empirical_sizes(ctx, rng, count)
        nodes = uniform_members(rng, ctx.num_nodes, sizes)
        return nodes, np.repeat(np.arange(count), sizes)


class MotifNegativeSampler(_GenerativeSampler, name="motif"):
    r"""MNS: a connected node set grown on the clique expansion.

    Draw a size :math:`k` from the empirical size distribution; start from a
    uniformly random edge of the clique expansion (a uniform node when
    :math:`k = 1`), then add, :math:`k - 2` times, a node chosen uniformly from
    the current set's frontier (nodes adjacent to some member, not members).
    A draw whose frontier empties before size :math:`k` (a small component)
    is restarted, and one equal to a true hyperedge is rejected and redrawn.

    Notes
    -----
    The growth is sequential in the *step*; each step is vectorised over all
    pending sets (one sparse product ``S @ A`` for the frontiers and an
    inverse-CDF pick per row), so the Python loop runs :math:`\max k` times,
    never over sets. Cost per step :math:`O(\sum_{\text{sets}} \sum_{v \in S} \deg v)`.

    References
    ----------
    Patil, Sharma, Murty, PAKDD 2020 ("motif negative sampling").

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 2, 2, 3, 4], [0, 0, 0, 1, 1, 1]])
    >>> out = MotifNegativeSampler(2, seed=0).sample(h, 5)
    >>> out.anchor.tolist()
    [0, 0, 1, 1]
    """

    def _generate(self, count, ctx, rng, stats):
        adj = ctx.adjacency
        n = ctx.num_nodes
        sizes = _empirical_sizes(ctx, rng, count)
        members = np.full((count, int(sizes.max()) if count else 0), -1, dtype=np.int64)
        alive = np.ones(count, dtype=bool)
        single = sizes == 1
        members[single, 0] = rng.integers(0, n, size=int(single.sum()))
        multi = np.flatnonzero(~single)
        if multi.size and adj.nnz == 0:
            alive[multi] = False
        elif multi.size:
            e = rng.integers(0, adj.nnz, size=multi.size)
            src = np.searchsorted(adj.indptr, e, side="right") - 1
            members[multi, 0] = src
            members[multi, 1] = adj.indices[e]
        for step in range(2, members.shape[1]):  # growth steps, vectorised over sets
            grow = np.flatnonzero(alive & (sizes > step))
            if grow.size == 0:
                continue
            cur = members[grow, :step]
            r = np.repeat(np.arange(grow.size, dtype=np.int64), step)
            s_mat = sp.csr_matrix((np.ones(cur.size), (r, cur.ravel())), shape=(grow.size, n))
            front = s_mat @ adj  # row i: nodes adjacent to set i (members included)
            fr = np.repeat(np.arange(grow.size, dtype=np.int64), np.diff(front.indptr))
            # frontier: adjacent and not a member (compare with the row's `step` members)
            valid = ~(cur[fr] == front.indices[:, None]).any(1)
            lens = np.bincount(fr[valid], minlength=grow.size)
            stuck = lens == 0
            alive[grow[stuck]] = False
            ok = np.flatnonzero(~stuck)
            # the rank-th frontier node of each row, by a cumulative count of valid entries
            cum = np.cumsum(valid)
            before = np.concatenate([[0], cum])[front.indptr[ok]]
            rank = before + (rng.random(ok.size) * lens[ok]).astype(np.int64)
            pick = np.searchsorted(cum, rank + 1)
            members[grow[ok], step] = front.indices[pick]
        dead = np.flatnonzero(~alive)
        stats.extra["motif_restarts"] = stats.extra.get("motif_restarts", 0.0) + dead.size
        rows = np.repeat(np.arange(count), sizes)
        flat = members[np.arange(members.shape[1])[None, :] < sizes[:, None]]
        if dead.size == 0:
            return flat, rows
        if adj.nnz == 0:
            raise NoNegativeHyperedgesError(
                torch.empty(0, dtype=torch.long),
                "MotifNegativeSampler: the clique expansion has no edge, so no motif of "
                "size >= 2 exists.")
        # restart the stuck draws (rejection); recursion depth is the number of restarts
        nodes2, row2 = self._generate(dead.size, ctx, rng, stats)
        keep = alive[rows]
        return np.concatenate([flat[keep], nodes2]), np.concatenate([rows[keep], dead[row2]])


class CliqueNegativeSampler(HyperedgeSampler, name="clique"):
    r"""CNS: replace one member of the anchor by a node adjacent to all the others.

    For anchor :math:`A` (:math:`|A| \ge 2`) the candidates are the sets
    :math:`A \setminus \{v\} \cup \{w\}` with :math:`v \in A`, :math:`w \notin A`
    and :math:`w` adjacent in the clique expansion to every node of
    :math:`A \setminus \{v\}`; a negative is uniform over the feasible pairs
    :math:`(v, w)` whose set is not a true hyperedge. **The size stays**
    :math:`|A|` — the reference code of Patil et al. adds a node without
    removing one, so its negatives grow by one.

    Notes
    -----
    With :math:`c(w) = |N(w) \cap A|` from one sparse product :math:`H_A \mathbf{A}`,
    a node with :math:`c(w) = |A|` pairs with every :math:`v` (:math:`|A|`
    pairs) and one with :math:`c(w) = |A| - 1` only with the member it misses,
    found as :math:`\sum_{u \in A} u - \sum_{u \in A \cap N(w)} u` (a second
    product). Pairs are drawn by inverse CDF on the sparse rows; known
    hyperedges are rejected and redrawn. Hyperedges of size 1 are refused
    (``ValueError``: :math:`A \setminus \{v\}` would be empty); anchors with
    no feasible pair are impossible; so are anchors whose feasible sets all
    stay true hyperedges for ``max_rounds`` rounds. Cost
    :math:`O(\sum_{A} \sum_{u \in A} \deg u)`.

    References
    ----------
    Patil, Sharma, Murty, PAKDD 2020 ("clique negative sampling").

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 1, 2, 0, 2], [0, 0, 1, 1, 2, 2]])  # a triangle
    >>> CliqueNegativeSampler(1, seed=0, on_impossible="drop").sample(h, 4).keep.tolist()
    [False, False, False]
    """

    min_size = 2

    def _feasible(self, anchors: Tensor, ctx: HyperedgeContext):
        def make():
            uniq = torch.unique(anchors)
            nodes, row = ctx.members(uniq)
            shape = (uniq.numel(), ctx.num_nodes)
            ha = sp.csr_matrix((np.ones(nodes.size), (row, nodes)), shape=shape)
            hid = sp.csr_matrix(((nodes + 1).astype(np.float64), (row, nodes)), shape=shape)
            adj = ctx.adjacency.astype(np.float64)
            cnt = (ha @ adj).tocsr()
            cnt.sort_indices()
            idsum = (hid @ adj).tocsr()
            idsum.sort_indices()
            size = ctx.sizes[uniq].numpy()
            tot = np.bincount(row, weights=nodes + 1.0, minlength=uniq.numel())
            r = np.repeat(np.arange(uniq.numel()), np.diff(cnt.indptr))
            c = cnt.data.round().astype(np.int64)
            member_keys = row * ctx.num_nodes + nodes  # sorted: members come row by row, sorted
            q = r * ctx.num_nodes + cnt.indices
            hit = np.searchsorted(member_keys, q).clip(max=max(member_keys.size - 1, 0))
            member = member_keys[hit] == q
            full = (c == size[r]) & ~member
            one = (c == size[r] - 1) & ~member & (size[r] >= 2)
            weight = np.where(full, size[r], np.where(one, 1, 0)).astype(np.float64)
            missing = (tot[r] - idsum.data).round().astype(np.int64) - 1
            mass = np.bincount(r, weights=weight, minlength=uniq.numel())
            return (uniq, cnt.indptr, cnt.indices.astype(np.int64), weight, full, missing, mass,
                    np.concatenate([[0.0], np.cumsum(weight)]))
        return ctx.cached("clique", make)

    def _impossible(self, anchors, ctx):
        uniq, *_, mass, _ = self._feasible(anchors, ctx)
        pos = torch.searchsorted(uniq, anchors)
        return torch.from_numpy(mass == 0)[pos]

    def _draw(self, slot_anchor, ctx, stats):
        uniq, indptr, cols, weight, full, missing, _, csum = ctx._cache["clique"]
        rng = numpy_rng(self.generator)
        s = slot_anchor.numel()
        a = np.searchsorted(uniq.numpy(), slot_anchor.numpy())
        h = ctx.incidence
        sizes = ctx.sizes[slot_anchor].numpy() if s else np.empty(0, np.int64)
        out_nodes = np.full(int(sizes.sum()), -1, dtype=np.int64)
        starts = np.cumsum(sizes) - sizes
        pending = np.arange(s)
        rounds = 0
        while pending.size and rounds < self.max_rounds:
            rounds += 1
            pos = _row_choice(indptr, weight, a[pending], rng.random(pending.size), csum)
            w = cols[pos]
            anc = slot_anchor.numpy()[pending]
            sz = sizes[pending]
            v_rank = np.where(full[pos], (rng.random(pending.size) * sz).astype(np.int64), -1)
            mem_start = h.indptr[anc]
            # members of the anchors, laid out slot by slot
            rowp = np.repeat(np.arange(pending.size), sz)
            offs = np.arange(rowp.size) - np.repeat(np.cumsum(sz) - sz, sz)
            mem = h.indices[mem_start[rowp] + offs].astype(np.int64)
            v = np.where(v_rank >= 0, h.indices[mem_start + np.maximum(v_rank, 0)], missing[pos])
            mem = np.where(mem == v[rowp], w[rowp], mem)
            index = torch.from_numpy(np.stack([mem, rowp]))
            bad = ctx.known.contains(index, pending.size).numpy()
            sel = ~bad[rowp]
            out_nodes[starts[pending[rowp[sel]]] + offs[sel]] = mem[sel]
            stats.rejected += int(bad.sum())
            pending = pending[bad]
        stats.rounds += rounds
        failed = np.zeros(s, dtype=bool)
        failed[pending] = True
        row = np.repeat(np.arange(s), sizes)
        keep = ~failed[row]
        return (_finish(out_nodes[keep], row[keep], ctx.num_nodes), torch.from_numpy(failed),
                None)


HYPEREDGE_SAMPLERS.base = HyperedgeSampler  # instances pass through HYPEREDGE_SAMPLERS.make


def get_hyperedge_sampler(sampler: Union[str, HyperedgeSampler], **kwargs: Any) -> HyperedgeSampler:
    """Resolve a hyperedge sampler by registry name (built with ``kwargs``) or pass an instance.

    Examples
    --------
    >>> get_hyperedge_sampler("maxent", num_neg=2, beta=1.0)
    HyperedgeNegativeSampler(num_neg=2, alpha=0.0, beta=1.0, candidates='hyperedges', on_impossible='raise')
    """
    return HYPEREDGE_SAMPLERS.make(sampler, **kwargs)
