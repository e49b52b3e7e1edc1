r"""Structural hard negatives: non-neighbours within ``num_hops`` hops (SANS),
optionally weighted by common neighbours or resource allocation.

The per-anchor rings are numpy CSR tables built with the helpers of
:mod:`graphneg.samplers.tables` (shared with :mod:`graphneg.samplers.heuristic`).
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Dict, Optional, Tuple

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Interval, Options
from graphneg.edges import _search, _segment_lower_bound, unique_sorted
from graphneg.samplers.base import NegativeSampler, SamplingContext
from graphneg.samplers.tables import (
    CSRRowCache, dense_score_blocks, draw_csr_rows, excluded_rows, gather_rows,
    normalised_cumsum, segment_positions,
)

__all__ = ["StructuralNegativeSampler", "anchor_scores"]

_WEIGHTS = ("uniform", "common_neighbors", "resource_allocation")
#: Proposals per pending slot and round of the 2-path sampler.
_ATTEMPTS = 2
#: Anchors with fewer 2-paths than this always use 2-path proposals (their
#: enumeration is cheap either way); above it the cheaper of the two is used.
_ROUTE_MIN_PATHS = 4096
#: Cost of one proposal lookup in enumerated ring entries (a binary search against
#: a sparse-product accumulation), for the route between the two.
_PROPOSAL_COST = 4
#: Dense ring builds: graphs with ``_DENSE_MIN_NODES <= N <= _DENSE_MAX_NODES`` and
#: ``E * _DENSE_DENSITY >= N^2`` (the (N, N) float64 adjacency, at most 128 MB, is
#: then at most 8 times the edge list).
_DENSE_MIN_NODES, _DENSE_MAX_NODES, _DENSE_DENSITY = 256, 4096, 16
#: Elements of one ``(anchors, N)`` block of the dense ring build.
_CHUNK_ROWS_ELEMENTS = 1 << 22
#: Most 2-ball walk entries gathered at once by the k-hop proposal (anchors are
#: processed in chunks below this).
_BALL_CHUNK = 1 << 23
#: Most flags of one chunk of dense 2-balls (``anchors * N`` bools, 16 MB); graphs
#: where fewer than ``_BITS_MIN_ROWS`` anchors fit use sorted keys instead.
_BITS_MAX, _BITS_MIN_ROWS = 1 << 24, 64
#: Three hops: anchors with walk mass ``W_u <= _COVER_RATIO * |V_c|`` propose
#: uniformly over their 3-ball instead of over ``V_c`` (about as costly a proposal).
_COVER_RATIO = 1.0
#: Flags of a chunk of 2-balls are cleared by one fill when the walks number more
#: than ``1 / _CLEAR_BY_FILL`` of them (a fill costs a small share of a scattered write).
_CLEAR_BY_FILL = 32
#: Hub certificates of k-hop reach: the highest-degree nodes (one bit each of a
#: uint64 mask) and the most levels of their balls.
_NUM_HUBS, _HUB_LEVELS = 64, 3


# --------------------------------------------------------------------- scores
def anchor_scores(adj: sp.csr_matrix, anchors: np.ndarray, score: str) -> sp.csr_matrix:
    r"""Rows ``anchors`` of the common-neighbour or resource-allocation matrix.

    ``"common_neighbors"``: :math:`(A_{U} A)[u, n] = |N(u) \cap N(n)|`;
    ``"resource_allocation"``: :math:`(A_U D^{-1} A)[u, n] = \sum_{w \in N(u)
    \cap N(n)} 1/\deg(w)`. Only the anchors' rows are formed (never ``N x N``):
    cost :math:`O(\sum_{u} \sum_{w \in N(u)} \deg(w))`.

    Parameters
    ----------
    adj : scipy.sparse.csr_matrix, shape (N, N)
    anchors : ndarray of int, shape (A,)
    score : {"common_neighbors", "resource_allocation"}

    Returns
    -------
    scipy.sparse.csr_matrix, shape (A, N), sorted indices

    Examples
    --------
    >>> a = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float))
    >>> anchor_scores(a, np.array([1]), "common_neighbors").toarray().tolist()
    [[0.0, 1.0, 1.0]]
    """
    if _dense_enough(adj):
        return _dense_anchor_scores(adj, anchors, score)
    rows = adj[anchors]
    if score == "resource_allocation":
        deg = np.asarray(adj.sum(1)).ravel()
        inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
        rows = rows @ sp.diags(inv)
    # the product comes with unsorted rows; two O(nnz + N) transposes sort them,
    # several times faster than scipy's per-row sort_indices
    return (rows @ adj).tocsc().tocsr()


def _dense_enough(adj: sp.csr_matrix) -> bool:
    """Whether ``adj`` is dense enough (and small enough) for dense products."""
    n = adj.shape[0]
    return _DENSE_MIN_NODES <= n <= _DENSE_MAX_NODES and adj.nnz * _DENSE_DENSITY >= n * n


def _dense_anchor_scores(adj: sp.csr_matrix, anchors: np.ndarray, score: str) -> sp.csr_matrix:
    """:func:`anchor_scores` by dense BLAS products in blocks of anchors (dense
    graphs: :math:`O(|U| N^2)` flops against the sparse product's
    :math:`O(|U| \\bar d^2)` scattered updates with :math:`\\bar d \\sim N`)."""
    blocks = [sp.csr_matrix(block.numpy())
              for _, block in dense_score_blocks(adj, anchors, score, _CHUNK_ROWS_ELEMENTS)]
    return sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, adj.shape[0]))


def _contains(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Membership of ``queries`` in the sorted array ``keys``."""
    if keys.size == 0:
        return np.zeros(queries.shape, dtype=bool)
    pos = np.searchsorted(keys, queries).clip(max=keys.size - 1)
    return keys[pos] == queries


def _first_middle(a: np.ndarray, e: np.ndarray, b: np.ndarray,
                  t: Dict[str, Any]) -> np.ndarray:
    r"""Whether the 2-path :math:`a \to w \to b` with ``w = indices[e]`` (``e`` an
    entry of row ``a`` of the out-CSR) passes through the *smallest* middle node
    :math:`\min(N^{out}(a) \cap N^{in}(b))`.

    Rows are sorted, so the nodes below ``w`` are a prefix of row ``a``
    (``e - indptr[a]`` of them, free) and of :math:`N^{in}(b)` (one binary
    search); the shorter prefix is expanded and each node looked up in the other
    row's edge keys. Cost :math:`O(\min(p_a, p_b) \log E)` per path for prefix
    lengths :math:`p`, at most :math:`\min(\deg a, \deg b)` (small when hubs,
    as in preferential attachment, have small ids).

    Returns
    -------
    ndarray of bool, shape like ``a``
        Exactly one of the 2-paths from ``a`` to each reachable ``b`` passes.
    """
    n = t["deg"].size
    indptr, indices, in_ptr, in_idx = t["indptr"], t["indices"], t["in_indptr"], t["in_indices"]
    w = indices[e]
    before_a = e - indptr[a]
    # paths in (b, w) order (a's order is the caller's): the binary searches then
    # probe nearby keys in turn, several times faster than in random order
    query = b * n + w
    by_b = np.argsort(query)
    before_b = np.empty(a.size, dtype=np.int64)
    before_b[by_b] = np.searchsorted(t["in_keys"], query[by_b])
    before_b -= in_ptr[b]
    first = np.ones(a.size, dtype=bool)
    from_a = before_a <= before_b
    for side, sel in ((True, by_b[from_a[by_b]]), (False, np.nonzero(~from_a)[0])):
        if sel.size == 0:
            continue
        # side a: x < w in out(a), is x -> b (x in in(b))?  side b: x < w in in(b), is a -> x?
        lengths = (before_a if side else before_b)[sel]
        starts = (indptr[a[sel]] if side else in_ptr[b[sel]])
        which = np.repeat(np.arange(sel.size), lengths)
        x = (indices if side else in_idx)[np.repeat(starts, lengths) + segment_positions(lengths)]
        fixed = (b if side else a)[sel][which]
        hit = _contains(t["in_keys"] if side else t["edge_keys"], fixed * n + x)
        first[sel[which[hit]]] = False
    return first


# ------------------------------------------------------------------------ sampler
class StructuralNegativeSampler(NegativeSampler, name="structural"):
    r"""Hard negatives from the anchor's ``num_hops`` neighbourhood (SANS).

    The ring of anchor :math:`u` is
    :math:`R(u) = \{n \in C(u) : 2 \le d(u, n) \le k\}` (:math:`d` the hop
    distance along ``edge_index``, :math:`k` = ``num_hops``, :math:`C(u)` the
    valid candidates of :mod:`graphneg.samplers.base`): nodes reachable within
    :math:`k` hops that are not the anchor, not its neighbours and not otherwise
    excluded (positives, ``exclude_edge_index``, ``candidate_mask``). Negatives follow

    .. math::

        \Pr[n \mid u] \propto \mathbb{1}[n \in R(u)] \cdot
        \begin{cases}
            1 & \text{weight = "uniform"} \\
            (s(u, n) + \varepsilon)^\gamma & \text{otherwise}
        \end{cases}

    with :math:`s` the common-neighbour count :math:`|N(u) \cap N(n)|` or the
    resource allocation :math:`\sum_{w \in N(u) \cap N(n)} 1/\deg(w)` (both 0
    beyond two hops).

    **Fallback.** When this puts no mass anywhere (the ring is empty, or with
    ``eps=0`` holds only score-0 nodes), the anchor gets uniform negatives over
    :math:`C(u)` instead. The number of distinct such anchors is
    ``last_stats.extra["fallback_anchors"]``. In ``mode="pairs"`` every anchor
    with a non-empty ring carries the same mass (1) and a fallback anchor
    :math:`|C(u)| / |V_c|` (uniform proposal over the candidate set).

    Parameters
    ----------
    num_neg : int, default 1
    num_hops : int, default 2
        :math:`k \ge 2` to have any candidate; ``1`` is allowed and always falls
        back to uniform (the ring at one hop is empty).
    weight : {"uniform", "common_neighbors", "resource_allocation"}
    gamma : float, default 1.0
        Exponent :math:`\gamma \ge 0` (weighted modes); :math:`\gamma = 0`
        is uniform over the ring (we define :math:`0^0 = 1`).
    eps : float, default 1e-3
        Smoothing :math:`\varepsilon \ge 0`; with ``eps=0`` and :math:`\gamma > 0`
        ring nodes farther than two hops (score 0) get no mass.
    seed : int, torch.Generator or None
    on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    *Two hops* (the default): no ring is built. A random 2-path
    :math:`u \to w \to n` lands on :math:`n` with probability proportional to
    :math:`CN(u, n)` (``w`` drawn :math:`\propto \deg(w)`) or to :math:`RA(u, n)`
    (``w`` uniform); valid landings are kept with probability
    :math:`\text{weight}(n) / (\text{proposal}(n) M_u)` (thinning, with
    :math:`M_u` an exact bound of the ratio), which leaves exactly the law above.
    The score of a landing is found by expanding the shorter of
    :math:`N^{out}(u)` and :math:`N^{in}(n)`: cost per draw
    :math:`O(\min(\deg u, \deg n) \log E)` times the expected number of rounds
    :math:`1 / \Pr[\text{accept}]`; per call :math:`O(N + E)` for the CSR tables.
    ``weight="uniform"`` needs no score: every 2-path is equally likely, and a
    landing is kept when its middle node is the smallest common neighbour of
    :math:`u` and :math:`n`, so each ring node is kept through exactly one path;
    only the ids below the middle are checked (the shorter of the two prefixes).
    Slots not accepted within ``max_rounds`` rounds, and anchors with no 2-path,
    use the enumerated ring below (counted in ``extra["enumerated_slots"]``;
    ``extra["path_slots"]`` counts the others).

    *k >= 3 hops, uniform weight* (or :math:`\gamma = 0`): a candidate uniform
    over :math:`V_c` is kept when it is valid and :math:`d(u, n) \le k`. A hub
    certificate decides most pairs in :math:`O(1)`: for the 64 highest-degree nodes
    ``h``, bit masks of :math:`d(u, h) \le a` and :math:`d(h, n) \le b` (levels up to
    3, one :math:`O(E)` pass each, kept across calls) prove :math:`d(u, n) \le a + b`.
    The other pairs are tested exactly by meeting in the middle: the 2-ball
    :math:`B_2(u)` (flags, built per chunk of anchors only when a pair needs it)
    against the in-ball of :math:`n`, grown one level at a time only while
    undecided, without the hubs whose routes the certificate already covers; cost
    :math:`O(|V_c| / |R(u)|)` proposals per negative, each :math:`O(1)` when
    certified and :math:`O(\deg_{in}(n))` lookups when it meets at the first level.
    Three hops: anchors with a small walk mass draw over their 3-ball instead.
    ``extra["ball_slots"]`` counts these slots.

    *Enumerated rings* (weighted rings beyond two hops, the leftovers above, the
    exact complement path): the rows of the distinct anchors :math:`U` of
    :math:`(A + I)^k` and of the score matrix are formed with ``scipy.sparse``
    products restricted to those rows (``A[U] @ A ...``); the excluded pairs are
    removed in the same sparse sum (tagged with a large value), so no membership
    search runs over the ring and no ``N x N`` matrix is ever built. Cost and
    memory :math:`O(\sum_{u \in U} |B_k(u)|)` with :math:`B_k(u)` the
    :math:`k`-ball; each draw is :math:`O(1)` (uniform) or one binary search
    (weighted). Dense anchors (valid share below ``fallback_ratio``) use the
    base's exact complement path.

    References
    ----------
    Ahrabian et al., *Structure Aware Negative Sampling in Knowledge Graphs*
    (SANS), EMNLP 2020; Adamic and Adar 2003 and Zhou, Lü and Zhang 2009
    (resource allocation).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])   # path 0-1-2-3
    >>> sampler = StructuralNegativeSampler(2, num_hops=2, seed=0)
    >>> sampler.sample(ei, 4, pos_edge_index=torch.tensor([[0], [1]])).tolist()
    [[0, 0], [2, 2]]
    """

    weighted = True
    fallback_stat = "fallback_anchors"

    _parameter_constraints = {
        "num_hops": [Interval(Integral, 1, None, closed="left")],
        "weight": [Options(_WEIGHTS)],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "eps": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, num_neg: int = 1, *, num_hops: int = 2, weight: str = "uniform",
                 gamma: float = 1.0, eps: float = 1e-3, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    # ------------------------------------------------------------------ rings
    def _build(self, anchors: np.ndarray, ctx: SamplingContext) -> Dict[str, Any]:
        n = ctx.num_nodes
        adj = ctx.csr
        if _dense_enough(adj):
            return self._build_dense(anchors, ctx)
        first = adj[anchors]
        # Excluded entries (the anchor and its known partners, which include its
        # neighbours) are tagged by adding BIG, larger than any 1 + score (scores are at
        # most N), so one sparse sum holds the valid ring with its scores.
        big = 4.0 * n + 8.0
        tag = excluded_rows(ctx, anchors, big)
        score = None
        if self.num_hops >= 2:
            step = first @ adj                         # 2-paths: common-neighbour counts
            if self.weight == "resource_allocation":
                score = anchor_scores(adj, anchors, "resource_allocation")
            elif self.weight == "common_neighbors":
                score = step
            if self.num_hops == 2:
                # every 2-hop entry has a positive count / RA, so the value is the score
                mat = (score if score is not None else step) + tag
                offset = 0.0
            else:
                reach = first + step
                reach.data[:] = 1.0
                for _ in range(3, self.num_hops + 1):
                    reach = reach + reach @ adj
                    reach.data[:] = 1.0
                mat = reach + tag + (score if score is not None else 0 * reach)
                offset = 1.0                           # value = 1 + score on the ring
        else:
            mat, offset = tag, 0.0
        mat = mat.tocsr()
        keep = mat.data < big
        if ctx.candidate_mask is not None:
            keep &= ctx.candidate_mask.numpy()[mat.indices]
        uniform = self.weight == "uniform" or self.gamma == 0
        if not uniform:
            with np.errstate(divide="ignore"):
                logw = self.gamma * np.log(mat.data - offset + self.eps)
            keep &= np.isfinite(logw)                  # eps = 0: score-0 nodes have no mass
        kept = np.concatenate([[0], np.cumsum(keep)])
        indptr = kept[mat.indptr]
        cols = mat.indices[keep].astype(np.int64)
        table = {"indptr": indptr, "cols": cols, "uniform": uniform,
                 "fallback": np.diff(indptr) == 0}
        if uniform:                                    # (s + eps)^0 = 1, with 0^0 = 1
            table["logw"] = np.zeros(cols.size)
        else:
            table["logw"] = logw[keep]
            table["cum"] = normalised_cumsum(indptr, table["logw"])
        return table

    def _build_dense(self, anchors: np.ndarray, ctx: SamplingContext) -> Dict[str, Any]:
        r"""The ring table of :meth:`_build` on a dense graph, from dense products.

        With :math:`E \ge N^2 / 16` edges a dense :math:`(N, N)` adjacency costs
        no more memory than the edge list, and one BLAS product
        :math:`A_U A` (:math:`O(|U| N^2)` flops, blocks of anchors) replaces the
        sparse product whose cost grows like :math:`|U| \bar d^2` (slow at
        :math:`\bar d \sim N`). Reach for ``k`` hops is :math:`k - 1` boolean
        products; validity is the sparse-built block of
        :meth:`SamplingContext.valid_block`. Common-neighbour counts are exact
        (integers in float64); resource allocation sums the same terms in BLAS
        order. Same table (rows, columns in ascending order, weights) as the
        sparse build."""
        n = ctx.num_nodes
        dense = ctx.graph_cached("structural:dense_adj", lambda: torch.from_numpy(
            ctx.csr.toarray()))                         # float64 0/1, (N, N)
        pool = ctx.candidate_pool
        step_rows = max(1, _CHUNK_ROWS_ELEMENTS // max(n, 1))
        inv_deg = None
        if self.weight == "resource_allocation":
            deg = dense.sum(1)
            inv_deg = torch.where(deg > 0, 1.0 / deg.clamp(min=1), torch.zeros_like(deg))
        uniform = self.weight == "uniform" or self.gamma == 0
        rows, cols, logws = [], [], []
        for lo in range(0, anchors.size, step_rows):     # blocks of anchors
            a = torch.from_numpy(anchors[lo:lo + step_rows])
            first = dense[a]
            ring = torch.zeros(first.shape, dtype=torch.bool)
            score = torch.zeros(first.shape, dtype=torch.double)
            if self.num_hops >= 2:
                step = first @ dense                       # 2-paths: CN counts
                ring = step > 0
                if self.weight == "resource_allocation":
                    score = (first * inv_deg) @ dense
                elif self.weight == "common_neighbors":
                    score = step
                reach = ring | (first > 0)
                for _ in range(3, self.num_hops + 1):
                    reach = reach | ((reach.double() @ dense) > 0)
                ring = reach
            ring = ring[:, pool] & ctx.valid_block(a)
            r, c = ring.nonzero(as_tuple=True)
            if uniform:
                logw = np.zeros(r.numel())
            else:
                with np.errstate(divide="ignore"):
                    logw = self.gamma * np.log(score[:, pool][r, c].numpy() + self.eps)
                fin = np.isfinite(logw)                    # eps = 0: score-0 nodes: no mass
                r, c, logw = r[torch.from_numpy(fin)], c[torch.from_numpy(fin)], logw[fin]
            rows.append(r.numpy() + lo)
            cols.append(pool[c].numpy())
            logws.append(logw)
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=anchors.size))])
        table = {"indptr": indptr, "cols": np.concatenate(cols).astype(np.int64),
                 "uniform": uniform, "fallback": np.diff(indptr) == 0,
                 "logw": np.concatenate(logws)}
        if not uniform:
            table["cum"] = normalised_cumsum(indptr, table["logw"])
        return table

    def _rows(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[np.ndarray, Dict[str, Any]]:
        cache = ctx.cached("structural_rows",
                           lambda: CSRRowCache(lambda a: self._build(a, ctx), "fallback"))
        return cache.rows(anchors, ctx)

    # ------------------------------------------------------------------ hooks
    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        if self.num_hops == 2:
            return self._propose_paths(anchors, generator, ctx)
        if self.num_hops >= 3 and (self.weight == "uniform" or self.gamma == 0):
            return self._propose_ball(anchors, generator, ctx)
        return self._propose_rows(anchors, generator, ctx)

    @staticmethod
    def _graph_tables(ctx: SamplingContext) -> Dict[str, Any]:
        """Graph-level arrays of the proposals (all ``O(N + E)``, kept on the exclusion
        index across calls): out- and in-CSR (``int64``; the in-CSR *is* the out-CSR
        when the graph is symmetric), degrees and ``paths[u]`` = the 2-paths
        ``u -> w -> .`` (the cost of enumerating a ring), :math:`P = A \\deg`."""
        def make() -> Dict[str, Any]:
            adj = ctx.csr
            indptr, indices = adj.indptr.astype(np.int64), adj.indices.astype(np.int64)
            deg = np.diff(indptr)
            # the transpose of the pattern alone (one-byte values move less memory)
            pattern = sp.csr_matrix((np.ones(adj.nnz, dtype=np.int8), adj.indices, adj.indptr),
                                    shape=adj.shape)
            tr = pattern.T.tocsr()
            tr.sort_indices()                          # no-op: the transpose comes sorted
            in_indptr, in_indices = tr.indptr.astype(np.int64), tr.indices.astype(np.int64)
            symmetric = np.array_equal(indptr, in_indptr) and np.array_equal(indices,
                                                                             in_indices)
            if symmetric:                              # one copy of the arrays
                in_indptr, in_indices = indptr, indices
            return {"indptr": indptr, "indices": indices, "deg": deg,
                    "in_indptr": in_indptr, "in_indices": in_indices,
                    "in_deg": deg if symmetric else np.diff(in_indptr), "symmetric": symmetric,
                    "paths": adj @ deg.astype(np.float64)}
        return ctx.graph_cached("structural_graph", make)

    def _path_tables(self, ctx: SamplingContext) -> Dict[str, Any]:
        """:meth:`_graph_tables` plus the per-weight arrays of the 2-path proposal
        (edge keys, ``cum = [0, cumsum(deg[indices])]``, bounds of the thinning ratio)."""
        def make():
            t = dict(self._graph_tables(ctx))
            indptr, indices, deg = t["indptr"], t["indices"], t["deg"]
            t["cum"] = np.concatenate([[0], np.cumsum(deg[indices])])
            # sorted keys u * N + v of the canonical CSR: no extra sort needed
            t["edge_keys"] = np.repeat(np.arange(deg.size, dtype=np.int64), deg) \
                * ctx.num_nodes + indices
            if self.weight == "uniform":               # sorted keys v * N + u of the in-CSR
                self._in_keys(t, ctx.num_nodes)
            nonempty = deg > 0
            starts = indptr[:-1][nonempty]
            if self.weight == "resource_allocation":
                inv = np.divide(1.0, deg, out=np.zeros(deg.size), where=deg > 0)[indices]
                rmax = np.zeros(deg.size)
                rmin = np.zeros(deg.size)
                if indices.size:
                    rmax[nonempty] = np.add.reduceat(inv, starts)
                    pos_inv = np.where(inv > 0, inv, np.inf)
                    rmin[nonempty] = np.minimum.reduceat(pos_inv, starts)
                t["log_bound"] = self._log_bound(rmin, rmax)
            elif self.weight == "common_neighbors":
                t["log_bound"] = self._log_bound(np.ones(deg.size), np.maximum(deg, 1))
            return t
        # graph-level: kept on the exclusion index across calls
        return ctx.graph_cached(f"structural_paths:{self.weight}:{self.gamma!r}:{self.eps!r}",
                                make)

    def _log_bound(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """``log max_s (s + eps)^γ / s`` over ``s`` in ``[low, high]``: the ratio is
        quasi-convex in ``s`` (log-derivative ``((γ-1)s - eps) / (s(s+eps))`` changes
        sign at most once, from - to +), so the maximum sits at an endpoint."""
        gamma, eps = (0.0 if self.gamma == 0 else self.gamma), self.eps
        with np.errstate(divide="ignore", invalid="ignore"):
            f = [gamma * np.log(x + eps) - np.log(x) for x in (low, high)]
        return np.maximum(f[0], f[1])

    def _propose_paths(self, anchors: Tensor, generator: torch.Generator,
                       ctx: SamplingContext) -> Tensor:
        r"""Exact ring draws for two hops without building the ring.

        A random 2-path :math:`u \to w \to n` (``w`` with probability
        :math:`\propto \deg(w)`, then ``n`` uniform in :math:`N(w)`) lands on
        :math:`n` with probability :math:`CN(u, n) / \sum_{w \in N(u)} \deg(w)`;
        with ``w`` uniform instead, :math:`RA(u, n) / \deg(u)`. Keeping valid
        landings with probability :math:`\text{target}(n) / (\text{proposal}(n)
        \cdot M_u)` (thinning; :math:`M_u` bounds the ratio) leaves exactly
        :math:`\Pr[n] \propto` the stated weight on :math:`R(u)`. Uniform weight:
        each 2-path has probability :math:`1 / \sum_{w \in N(u)} \deg(w)`, and
        keeping only paths whose middle is :math:`\min(N^{out}(u) \cap N^{in}(n))`
        (:func:`_first_middle`) keeps one path per reachable node: uniform, with
        no score computed and no random acceptance draw. Slots not
        accepted after ``max_rounds`` rounds (and anchors without 2-paths) use the
        enumerated ring (which also detects the fallback).
        """
        t = self._path_tables(ctx)
        indptr, indices, deg = t["indptr"], t["indices"], t["deg"]
        a_all = anchors.numpy().reshape(-1)
        out = np.full(a_all.size, -1, dtype=np.int64)
        if self.weight == "resource_allocation":
            live = deg[a_all] > 0
        else:
            live = (t["cum"][indptr[a_all + 1]] - t["cum"][indptr[a_all]]) > 0
        # slots in anchor order: the binary searches below then probe nearby keys in
        # turn (cache-friendly, several times faster than random order on large tables)
        order = np.argsort(a_all, kind="stable")
        live &= ~self._enumerate_first(a_all, t, ctx)
        pending = order[live[order]]
        uniform = self.weight == "uniform"
        for rnd in range(self.max_rounds):
            if pending.size == 0:
                break
            # `attempts` i.i.d. proposals per pending slot; the first accepted one is
            # the slot's draw (sequential rejection, vectorised: same law, fewer rounds).
            # Uniform: one attempt first (most are accepted), more for the stragglers.
            attempts = min(1 << rnd, 8) if uniform else _ATTEMPTS
            slot = np.repeat(pending, attempts)
            a = a_all[slot]
            u = torch.rand((2 if uniform else 3, slot.size), generator=generator,
                           dtype=torch.double).numpy()
            if self.weight == "resource_allocation":
                da = deg[a]
                e = indptr[a] + np.minimum((u[0] * da).astype(np.int64), da - 1)
            else:
                lo = t["cum"][indptr[a]]
                total = t["cum"][indptr[a + 1]] - lo
                r = np.minimum((u[0] * total).astype(np.int64), total - 1)
                e = np.searchsorted(t["cum"], lo + r, side="right") - 1
            w = indices[e]
            dw = deg[w]
            ok = dw > 0
            cand = np.full(a.size, -1, dtype=np.int64)
            cand[ok] = indices[indptr[w[ok]] + np.minimum((u[1][ok] * dw[ok]).astype(np.int64),
                                                          dw[ok] - 1)]
            ok &= ctx.is_valid(torch.from_numpy(a), torch.from_numpy(np.maximum(cand, 0))).numpy()
            idx = np.nonzero(ok)[0]
            accept = np.zeros(a.size, dtype=bool)
            if idx.size and uniform:
                accept[idx] = _first_middle(a[idx], e[idx], cand[idx], t)
            elif idx.size:
                s = self._path_scores(a[idx], cand[idx], t)
                gamma = 0.0 if self.gamma == 0 else self.gamma
                log_acc = gamma * np.log(s + self.eps) - np.log(s) - t["log_bound"][a[idx]]
                accept[idx] = np.log(u[2][idx]) < log_acc
            accept = accept.reshape(-1, attempts)
            done = accept.any(1)
            first = accept.argmax(1)
            out[pending[done]] = cand.reshape(-1, attempts)[done, first[done]]
            pending = pending[~done]
        return self._rest_from_rows(anchors, out, generator, ctx, "path_slots")

    def _enumerate_first(self, a_all: np.ndarray, t: Dict[str, Any],
                         ctx: SamplingContext) -> np.ndarray:
        r"""Slots whose anchor is cheaper to draw from its enumerated ring than by
        2-path proposals (dense neighbourhoods): per distinct anchor :math:`u` with
        :math:`S_u` slots, enumeration costs its :math:`P_u = \sum_{w \in N(u)}
        \deg(w)` 2-paths once; each proposal costs up to :math:`\deg(u)` lookups,
        and a slot needs about :math:`P_u / |C(u)|` of them with uniform weight (a
        path is kept only through its first middle node, so at most :math:`|R(u)|
        \le |C(u)|` of the :math:`P_u` paths are kept) or :math:`|V_c| / |C(u)|`
        with weights (valid landings), each lookup counted as ``_PROPOSAL_COST``
        enumerated entries. Anchors with :math:`P_u <`
        ``_ROUTE_MIN_PATHS`` always use proposals. Both ways draw from the same
        ring law."""
        uniq, inv, counts = np.unique(a_all, return_inverse=True, return_counts=True)
        paths = t["paths"][uniq]
        big = paths >= _ROUTE_MIN_PATHS
        if not big.any():
            return np.zeros(a_all.size, dtype=bool)
        valid = np.maximum(self._num_valid(ctx).numpy()[uniq], 1)
        per_path = counts * np.maximum(t["deg"][uniq], 1)
        if self.weight == "uniform":
            # a path is kept only through the first middle node: |R(u)| <= |C(u)| of P_u
            cost = per_path * paths / valid
        else:
            cost = per_path * max(ctx.candidate_pool.numel() - 1, 1) / valid
        return (big & (_PROPOSAL_COST * cost >= paths))[inv]

    def _ball_chunks(self, uniq: np.ndarray, t: Dict[str, Any], n: int):
        """``(lo, hi)`` ranges of the distinct anchors ``uniq`` whose 2-balls are built
        together: at most ``_BALL_CHUNK`` walk entries, and at most ``_BITS_MAX``
        flags when the ball is a dense flag array (``_BITS_MIN_ROWS`` rows fit)."""
        size = 1 + t["deg"][uniq] + t["paths"][uniq]
        dense = _BITS_MAX // max(n, 1) >= _BITS_MIN_ROWS
        rows = _BITS_MAX // max(n, 1) if dense else uniq.size
        lo = 0
        while lo < uniq.size:
            hi = int(np.searchsorted(np.cumsum(size[lo:]), _BALL_CHUNK, side="right")) + lo
            hi = min(max(hi, lo + 1), lo + rows, uniq.size)
            yield lo, hi, dense
            lo = hi

    def _ball(self, anchors: np.ndarray, t: Dict[str, Any], n: int,
              buffer: Optional[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
        r"""The 2-balls :math:`B_2(u)` (``x`` within two out-hops of ``u = anchors[i]``,
        ``u`` itself included) as flags ``ball[i * N + x]`` (set in the all-False
        bool ``buffer`` of at least ``A * N`` flags, :math:`O(1)` lookups) or, with
        no buffer, as sorted keys ``i * N + x`` (graphs too large for flags;
        binary-search lookups); and the walk keys set, to clear the buffer with.
        Walks ``u -> w -> x`` are gathered from the out-CSR, :math:`O(\sum_u P_u)`."""
        indptr, indices = t["indptr"], t["indices"]
        which, entry = gather_rows(indptr, anchors)
        w = indices[entry]
        base = which * n
        # walks u -> w -> x: entry indptr[w] + j of the j-th x, key base + x
        lengths = t["deg"][w]
        shift = indptr[w] - (np.cumsum(lengths) - lengths)
        total = int(lengths.sum())
        second = indices[np.arange(total) + np.repeat(shift, lengths)]
        keys = np.concatenate([np.arange(anchors.size) * n + anchors, base + w,
                               np.repeat(base, lengths) + second])
        if buffer is None:
            return unique_sorted(keys), keys
        buffer[keys] = True
        return buffer[:anchors.size * n], keys

    def _reach(self, ball: np.ndarray, dense: bool, row: np.ndarray, cand: np.ndarray,
               t: Dict[str, Any], n: int, hub: Optional[Dict[str, Any]] = None) -> np.ndarray:
        r"""Whether :math:`d(u, n) \le k` for the pairs ``(anchors[row], cand)``:
        meet in the middle, :math:`d(u, n) \le k` iff :math:`B_2(u)` meets the
        in-ball :math:`B^{in}_{k-2}(n)`. The in-ball is grown one level at a time
        from ``n`` and only for pairs not yet decided (most pairs meet at the first
        levels), each level's frontier deduplicated per pair; cost per pair
        :math:`O(|B^{in}_{j}(n)|)` lookups for the first level :math:`j` that meets,
        :math:`O(1)` each with flags.

        With ``hub`` (:meth:`_hub_reach`; the pairs then must have failed its
        certificate) hubs are dropped from the frontiers of levels
        :math:`k - L \le j \le L`: a meet through such a hub ``h`` would give
        :math:`d(u, h) \le k - j \le L` and :math:`d(h, n) \le j \le L`, a route
        the certificate covers. Hubs are the rows that cost most to expand."""
        def hits(flat):
            return ball[flat] if dense else _search(ball, flat)

        in_ptr, in_idx, in_deg = t["in_indptr"], t["in_indices"], t["in_deg"]
        base = row * n                                   # key of (pair's ball row, 0)
        out = hits(base + cand)
        owner, front = np.flatnonzero(~out), cand[~out]
        k = self.num_hops
        for level in range(1, k - 1):
            if hub is not None and k - hub["levels"] <= level - 1 <= hub["levels"]:
                keep = ~hub["is_hub"][front]                 # certified already: no meet
                owner, front = owner[keep], front[keep]
            if owner.size == 0:
                break
            # in-neighbours of the frontier: entry in_ptr[y] + j, keyed on the pair's row
            lengths = in_deg[front]
            ends = np.cumsum(lengths)
            entry = np.arange(int(ends[-1])) + np.repeat(in_ptr[front] - (ends - lengths),
                                                         lengths)
            nxt = in_idx[entry]
            met = np.flatnonzero(hits(np.repeat(base[owner], lengths) + nxt))
            out[owner[np.searchsorted(ends, met, side="right")]] = True
            if level == k - 2:
                break
            owner = np.repeat(owner, lengths)
            undecided = ~out[owner]
            owner, front = owner[undecided], nxt[undecided]
            # one frontier node per pair before the next level (the first level's
            # in-neighbours of one node are distinct already)
            if level >= 2 and owner.size:
                key = unique_sorted(owner * n + front)
                owner, front = key // n, key - (key // n) * n
        return out

    def _propose_ball(self, anchors: Tensor, generator: torch.Generator,
                      ctx: SamplingContext) -> Tensor:
        r"""Exact draws, uniform over the ``k``-hop ring (:math:`k \ge 3`), without
        building it.

        A candidate :math:`n` uniform over :math:`V_c` is kept when it is valid (so
        :math:`d(u, n) \ge 2`) and :math:`d(u, n) \le k`. The distance is decided
        by a hub certificate first (:meth:`_near_hubs`: :math:`d(u, h) + d(h, n) \le
        k` for one of the highest-degree nodes ``h``, :math:`O(1)`), else exactly
        (:meth:`_reach`: the 2-ball :math:`B_2(u)` against the in-ball of :math:`n`
        grown level by level). The 2-balls are built per chunk of distinct anchors,
        only when a pair needs the exact test, and only pairs that can still matter
        (tries before the first kept one of their slot) are tested. With three hops
        an anchor whose walk mass :math:`W_u` (:meth:`_walk_mass`, an upper bound of
        the covering mass :math:`M_u = \sum_{x \in B_2(u)} (1 + \deg x)`) is at
        most :math:`|V_c|` draws its candidates uniformly over :math:`B_3(u)` instead
        (:meth:`_cover_proposals`). Kept candidates are uniform over the ring
        :math:`R(u)`; slots not kept after ``max_rounds`` rounds (small or empty
        rings: the fallback) use the enumerated ring. :math:`|V_c| / |R(u)|` (or
        :math:`M_u / |R(u)|`) proposals per negative.
        """
        t = self._graph_tables(ctx)
        n = ctx.num_nodes
        pool = ctx.candidate_pool.numpy()
        a_all = anchors.numpy().reshape(-1)
        out = np.full(a_all.size, -1, dtype=np.int64)
        uniq, inv = np.unique(a_all, return_inverse=True)
        # three hops: the exact test is cheap (the candidate's in-row), no certificate
        hub = self._hub_reach(t, ctx) if self.num_hops >= 4 else None
        near = [(m_in[uniq], m_out) for m_in, m_out in hub["pairs"]] if hub else []
        covered = (self._walk_mass(uniq, t) <= _COVER_RATIO * pool.size) \
            if self.num_hops == 3 else np.zeros(uniq.size, dtype=bool)
        buffer = None       # one flag buffer for every chunk, cleared through the walks
        for lo, hi, dense in self._ball_chunks(uniq, t, n):
            if dense and buffer is None:
                buffer = np.zeros(min(uniq.size, _BITS_MAX // n) * n, dtype=bool)
            # the chunk's 2-balls are built on first need (_chunk_ball)
            chunk: Dict[str, Any] = {"anchors": uniq[lo:hi],
                                     "buffer": buffer if dense else None}
            pending = np.flatnonzero((inv >= lo) & (inv < hi))
            for rnd in range(self.max_rounds):
                if pending.size == 0:
                    break
                attempts = min(1 << rnd, 64)      # i.i.d. tries; the first kept one wins
                slot = np.repeat(pending, attempts)
                row = inv[slot] - lo
                u = torch.rand(slot.size, generator=generator, dtype=torch.double).numpy()
                cand = pool[np.minimum((u * pool.size).astype(np.int64), pool.size - 1)]
                accept = np.zeros(slot.size, dtype=bool)
                by_cover = covered[lo + row]
                c = np.flatnonzero(by_cover)
                if c.size:
                    ball = self._chunk_ball(chunk, t, n)
                    if "cover" not in chunk:
                        chunk["cover"] = self._cover_table(ball, dense, chunk["walks"],
                                                           covered[lo:hi], t, n)
                    cand[c], accept[c] = self._cover_proposals(ball, dense, chunk["cover"],
                                                               row[c], u[c], t, n)
                # validity of the uniform tries and of the kept cover tries, in one lookup
                look = np.flatnonzero(accept | ~by_cover)
                ok = self._valid(ctx, a_all[slot[look]], cand[look])
                accept[look[~ok]] = False
                rest = look[ok & ~by_cover[look]]
                sure = self._near_hubs(near, lo + row[rest], cand[rest])
                accept[rest[sure]] = True
                # the others are decided exactly, up to the first kept try of their slot
                test = rest[~sure]
                if test.size:
                    kept = accept.reshape(-1, attempts)
                    first = np.where(kept.any(1), kept.argmax(1), attempts)
                    test = test[test % attempts < first[test // attempts]]
                    ball = self._chunk_ball(chunk, t, n)
                    accept[test] = self._reach(ball, dense, row[test], cand[test], t, n, hub)
                accept = accept.reshape(-1, attempts)
                done = accept.any(1)
                out[pending[done]] = cand.reshape(-1, attempts)[done, accept[done].argmax(1)]
                pending = pending[~done]
            if dense and "walks" in chunk:       # clear the flags: scattered, or one fill
                walks, used = chunk["walks"], (hi - lo) * n
                if walks.size * _CLEAR_BY_FILL > used:
                    buffer[:used] = False
                else:
                    buffer[walks] = False
        return self._rest_from_rows(anchors, out, generator, ctx, "ball_slots")

    def _chunk_ball(self, chunk: Dict[str, Any], t: Dict[str, Any], n: int) -> np.ndarray:
        """The 2-balls of a chunk's anchors (:meth:`_ball`), built on first need."""
        if "ball" not in chunk:
            chunk["ball"], chunk["walks"] = self._ball(chunk["anchors"], t, n, chunk["buffer"])
        return chunk["ball"]

    @staticmethod
    def _valid(ctx: SamplingContext, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """:meth:`SamplingContext.is_valid` of numpy pairs."""
        if a.size == 0:
            return np.zeros(0, dtype=bool)
        return ctx.is_valid(torch.from_numpy(a), torch.from_numpy(b)).numpy()

    def _hub_reach(self, t: Dict[str, Any], ctx: SamplingContext):
        r"""Hub masks of the certificate :math:`d(u, h) + d(h, n) \le k`.

        The hubs ``h`` are the ``_NUM_HUBS`` nodes of highest in- plus out-degree;
        bit ``j`` of ``to_hub[a][u]`` says :math:`d(u, h_j) \le a` and of
        ``from_hub[b][n]`` that :math:`d(h_j, n) \le b`, for levels up to
        ``L = min(k - 1, _HUB_LEVELS)``: level ``a`` is level ``a - 1`` OR-ed over
        the out-row of ``u`` (in-row of ``n``), one :math:`O(E)` pass per level
        and side (one side when the graph is symmetric). Kept on the exclusion index
        across calls.

        For :math:`k \le 2L` the levels cover every route through a hub with
        :math:`d(u, h) \le L` and :math:`d(h, n) \le L`, which lets :meth:`_reach`
        drop hubs from its frontiers.

        Returns
        -------
        dict
            ``"pairs"``: list of ``(to_hub[a], from_hub[b])`` (uint64, shape (N,))
            for :math:`\min(\max(0, k - L), L) \le a \le L`, ``b = min(k - a, L)``
            (the pair is certified when one of them shares a bit);
            ``"is_hub"``: bool, shape (N,); ``"levels"``: ``L``.
        """
        k = self.num_hops
        levels = min(k - 1, _HUB_LEVELS)

        def make():
            deg, in_ptr = t["deg"], t["in_indptr"]
            hubs = np.argsort(-(deg + t["in_deg"]), kind="stable")[:_NUM_HUBS]
            seed_mask = np.zeros(deg.size, dtype=np.uint64)
            seed_mask[hubs] = np.left_shift(np.uint64(1), np.arange(hubs.size, dtype=np.uint64))

            def grow(ptr: np.ndarray, idx: np.ndarray, back_ptr: np.ndarray,
                     back_idx: np.ndarray):
                # level 1 by a scatter over the hubs' reverse rows (few entries): the
                # nodes with an edge into (out of) hub j get bit j
                which, entry = gather_rows(back_ptr, hubs)
                order = np.argsort(back_idx[entry], kind="stable")
                node = back_idx[entry][order]
                first = np.flatnonzero(np.concatenate([[True], node[1:] != node[:-1]])) \
                    if node.size else node
                one = seed_mask.copy()
                if node.size:
                    one[node[first]] |= np.bitwise_or.reduceat(seed_mask[hubs[which[order]]],
                                                               first)
                masks = [seed_mask, one]
                rows = np.flatnonzero(np.diff(ptr) > 0)
                for _ in range(levels - 1):
                    nxt = masks[-1].copy()
                    if rows.size:
                        nxt[rows] |= np.bitwise_or.reduceat(masks[-1][idx], ptr[rows])
                    masks.append(nxt)
                return masks

            out_csr, in_csr = (t["indptr"], t["indices"]), (in_ptr, t["in_indices"])
            to_hub = grow(*out_csr, *in_csr)                # d(u, h) <= a: out-rows
            from_hub = to_hub if t["symmetric"] else grow(*in_csr, *out_csr)
            is_hub = np.zeros(deg.size, dtype=bool)
            is_hub[hubs] = True
            return {"pairs": [(to_hub[a], from_hub[min(k - a, levels)])
                              for a in range(min(max(0, k - levels), levels), levels + 1)],
                    "is_hub": is_hub, "levels": levels}
        return ctx.graph_cached(f"structural_hubs:{k}", make)

    @staticmethod
    def _near_hubs(near, anchor_pos: np.ndarray, cand: np.ndarray) -> np.ndarray:
        r"""Pairs certified within ``k`` hops through a hub (:meth:`_hub_reach`, masks
        of the distinct anchors at ``anchor_pos``): :math:`O(1)` per pair, never a
        false positive (:math:`d(u, n) \le d(u, h) + d(h, n)`)."""
        sure = np.zeros(cand.size, dtype=bool)
        for to_hub, from_hub in near:
            sure |= (to_hub[anchor_pos] & from_hub[cand]) != 0
        return sure

    @staticmethod
    def _walk_mass(anchors: np.ndarray, t: Dict[str, Any]) -> np.ndarray:
        r"""Walk mass :math:`W_u = \sum (1 + \deg x)` over the walks ``u``, ``u -> w``,
        ``u -> w -> x`` (repeats counted): an upper bound of the covering mass
        :math:`M_u`, from per-node sums without building the ball,
        :math:`W_u = 1 + \deg u + \sum_{w \in N(u)} (1 + 2 \deg w + P_w)`,
        :math:`O(\deg u)`."""
        deg = t["deg"]
        which, entry = gather_rows(t["indptr"], anchors)
        w = t["indices"][entry]
        return 1.0 + deg[anchors] + np.bincount(
            which, weights=1.0 + 2.0 * deg[w] + t["paths"][w], minlength=anchors.size)

    def _cover_table(self, ball: np.ndarray, dense: bool, walks: np.ndarray,
                     covered: np.ndarray, t: Dict[str, Any], n: int) -> Tuple[np.ndarray, ...]:
        """``(x, csum, starts)`` of the covering proposal for the rows ``covered`` of a
        chunk of 2-balls: the members ``x`` of each such ball row after row (sorted
        distinct walk keys of those rows: the walk mass bounds their number),
        ``csum = [0, cumsum(1 + deg x)]`` and each row's entry range
        ``starts[i]:starts[i + 1]`` (empty for the other rows)."""
        keys = walks if dense else ball
        keys = unique_sorted(keys[covered[keys // n]])
        owner = keys // n
        x = keys - owner * n
        csum = np.concatenate([[0], np.cumsum(1 + t["deg"][x])])
        return x, csum, np.searchsorted(owner, np.arange(covered.size + 1))

    def _cover_proposals(self, ball: np.ndarray, dense: bool, cover: Tuple[np.ndarray, ...],
                         row: np.ndarray, u: np.ndarray, t: Dict[str, Any],
                         n: int) -> Tuple[np.ndarray, np.ndarray]:
        r"""Candidates uniform over the 3-ball :math:`B_3(u) = \bigcup_{x \in B_2(u)}
        N^{out}[x]`, and whether each is kept.

        A pair :math:`(x, y)`, :math:`x \in B_2(u)` and :math:`y \in N^{out}[x] =
        \{x\} \cup N^{out}(x)`, is drawn uniformly among the :math:`M_u` pairs; it is
        kept when ``x`` is the *first* cover of ``y`` in the order ``y`` itself,
        then the in-neighbours of ``y`` by id (``y`` not in :math:`B_2(u)` unless
        ``x = y``, no in-neighbour of ``y`` below ``x`` in :math:`B_2(u)`). Each
        node of :math:`B_3(u)` is kept through exactly one pair, so kept
        candidates are uniform on :math:`B_3(u)`. Cost per proposal one binary
        search in the in-row of ``y`` and the in-neighbours of ``y`` below ``x``,
        :math:`O(1)` each.
        """
        x_all, csum, starts = cover
        indptr, indices = t["indptr"], t["indices"]
        in_ptr, in_idx = t["in_indptr"], t["in_indices"]
        base = csum[starts[row]]
        total = csum[starts[row + 1]] - base
        r = base + np.minimum((u * total).astype(np.int64), total - 1)
        e = np.searchsorted(csum, r, side="right") - 1
        x = x_all[e]
        off = r - csum[e]                               # 0: y = x; j: out-neighbour j - 1
        y = x.copy()
        far = np.flatnonzero(off > 0)
        y[far] = indices[indptr[x[far]] + off[far] - 1]
        keep = off == 0

        def hits(i, z):
            flat = row[i] * n + z
            return ball[flat] if dense else _search(ball, flat)

        far = far[~hits(far, y[far])]                   # y itself in B_2(u): its own cover
        if far.size:
            before = _segment_lower_bound(in_idx, in_ptr[y[far]], in_ptr[y[far] + 1],
                                          x[far]) - in_ptr[y[far]]
            which = np.repeat(np.arange(far.size), before)
            z = in_idx[np.repeat(in_ptr[y[far]], before) + segment_positions(before)]
            blocked = np.zeros(far.size, dtype=bool)
            blocked[which[hits(far[which], z)]] = True
            keep[far[~blocked]] = True
        return y, keep

    @staticmethod
    def _in_keys(t: Dict[str, Any], n: int) -> np.ndarray:
        """Sorted keys ``v * N + u`` of the in-CSR (kept in the path tables; the edge
        keys themselves when the graph is symmetric)."""
        if "in_keys" not in t and t["symmetric"] and "edge_keys" in t:
            t["in_keys"] = t["edge_keys"]
        if "in_keys" not in t:
            t["in_keys"] = (np.repeat(np.arange(t["deg"].size, dtype=np.int64),
                                      np.diff(t["in_indptr"])) * n + t["in_indices"])
        return t["in_keys"]

    def _rest_from_rows(self, anchors: Tensor, out: np.ndarray, generator: torch.Generator,
                        ctx: SamplingContext, counter: str) -> Tensor:
        """Slots no proposal kept (``out < 0``) are drawn from the enumerated rings;
        counts the proposal's slots under ``counter`` and the rest as
        ``enumerated_slots``."""
        rest = np.nonzero(out < 0)[0]
        if rest.size:
            out[rest] = self._propose_rows(anchors.reshape(-1)[torch.from_numpy(rest)],
                                           generator, ctx).numpy()
        ctx.add_count(counter, out.size - rest.size)
        ctx.add_count("enumerated_slots", rest.size)
        return torch.from_numpy(out).view(anchors.shape)

    def _path_scores(self, a: np.ndarray, b: np.ndarray, t: Dict[str, Any]) -> np.ndarray:
        r"""CN or RA of pairs ``(a, b)``: the middle nodes ``x`` with ``a -> x -> b``,
        found by expanding the shorter of ``out(a)`` and ``in(b)`` and looking the
        other edge up, :math:`O(\min(\deg a, \deg b) \log E)` per pair."""
        indptr, indices, deg = t["indptr"], t["indices"], t["deg"]
        in_ptr, in_idx = t["in_indptr"], t["in_indices"]
        from_a = deg[a] <= np.diff(in_ptr)[b]
        mid, pair = [], []
        for side, sel in ((True, np.nonzero(from_a)[0]), (False, np.nonzero(~from_a)[0])):
            if sel.size == 0:
                continue
            ptr, idx_arr, fixed = (indptr, indices, b) if side else (in_ptr, in_idx, a)
            which, entry = gather_rows(ptr, (a if side else b)[sel])
            x = idx_arr[entry]
            other = fixed[sel][which]
            rows, cols = (x, other) if side else (other, x)
            hit = _contains(t["edge_keys"], rows * deg.size + cols)
            mid.append(x[hit])
            pair.append(sel[which[hit]])
        mid = np.concatenate(mid) if mid else np.zeros(0, dtype=np.int64)
        pair = np.concatenate(pair) if pair else np.zeros(0, dtype=np.int64)
        if self.weight == "resource_allocation":
            return np.bincount(pair, weights=1.0 / deg[mid], minlength=a.size)
        return np.bincount(pair, minlength=a.size).astype(np.float64)

    def _propose_rows(self, anchors: Tensor, generator: torch.Generator,
                      ctx: SamplingContext) -> Tensor:
        """Draws from the enumerated rings (fallback anchors: uniform proposals)."""
        pos, t = self._rows(anchors, ctx)
        fb = t["fallback"][pos]
        uniforms = torch.rand(anchors.shape, generator=generator, dtype=torch.double).numpy()
        out = np.empty(anchors.numel(), dtype=np.int64)
        ring = ~fb
        if ring.any():
            p, ind = pos[ring], t["indptr"]
            if t["uniform"]:
                size = ind[p + 1] - ind[p]
                entry = ind[p] + np.minimum((uniforms[ring] * size).astype(np.int64), size - 1)
            else:
                entry = draw_csr_rows(ind, t["cum"], p, uniforms[ring])
            out[ring] = t["cols"][entry]
        if fb.any():
            cand = ctx.candidates
            size = cand.numel() if cand is not None else ctx.num_nodes
            draw = np.minimum((uniforms[fb] * size).astype(np.int64), size - 1)
            out[fb] = cand.numpy()[draw] if cand is not None else draw
        return torch.from_numpy(out)

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        pos, t = self._rows(anchors, ctx)
        lookup = np.full(ctx.num_nodes, -1, dtype=np.int64)
        lookup[candidates.numpy()] = np.arange(candidates.numel())
        out = np.full((anchors.numel(), candidates.numel()), -np.inf)
        which, entry = gather_rows(t["indptr"], pos)
        col = lookup[t["cols"][entry]]
        ok = col >= 0
        out[which[ok], col[ok]] = t["logw"][entry[ok]]
        out[t["fallback"][pos]] = 0.0
        return torch.from_numpy(out)

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        return {**super()._extra_stats(ctx), "path_slots": ctx.count("path_slots"),
                "ball_slots": ctx.count("ball_slots"),
                "enumerated_slots": ctx.count("enumerated_slots")}
