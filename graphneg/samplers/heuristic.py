r"""HeaRT-style heuristic hard negatives: corruptions ranked by a link heuristic."""
from __future__ import annotations

from numbers import Integral
from typing import Any, Dict, Iterator, Optional, Tuple

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Interval, Options, check_embeddings
from graphneg.samplers.base import NegativeSampler, SamplingContext
from graphneg.samplers.structural import _dense_enough
from graphneg.samplers.tables import CSRRowCache, dense_score_blocks, gather_rows, segment_positions

__all__ = ["HeuristicHardNegativeSampler"]

_HEURISTICS = ("resource_allocation", "common_neighbors", "feature_cosine")
#: Elements of one dense ``(anchors, N)`` block for the feature heuristic.
_BLOCK_ELEMENTS = 1 << 22
#: Most products (entries before exclusion) of one chunk of anchors of the sparse
#: score build: bounds its memory, whatever the number of anchors.
_SCORE_CHUNK = 1 << 20


def _top_k_superset(r: np.ndarray, s: np.ndarray, num_rows: int, k) -> np.ndarray:
    r"""Indices (ascending) of the entries that may be among their row's ``k``
    largest positive scores: those whose coarse score bin is at least the bin of
    the row's ``k``-th largest score, ties included (``k``: an int, or one per row,
    shape ``(num_rows,)``).

    Positive float64 values order like their bit patterns read as int64, so
    ``bits >> shift`` is a non-decreasing bin (exponent and leading mantissa
    bits). The bin :math:`\beta_r` of row :math:`r`'s ``k``-th largest score is the
    largest :math:`b` with :math:`\#\{\text{bin} \ge b\} \ge k` (bins above it
    hold only larger scores, fewer than ``k``); rows with fewer than ``k`` entries
    keep all. Cost :math:`O(M + R B)` for ``M`` entries, ``R`` rows and ``B`` bins
    (``B * R`` kept below ``2 M``), against :math:`O(M \log M)` for sorting all.

    Examples
    --------
    >>> r = np.array([0, 0, 0, 0, 1])
    >>> _top_k_superset(r, np.array([0.5, 8.0, 0.25, 9.0, 1.0]), 2, 2).tolist()
    [1, 3, 4]
    """
    bits = np.ascontiguousarray(s, dtype=np.float64).view(np.int64)
    for shift in range(48, 64, 2):                   # 16 bins per octave, coarser if needed
        b = bits >> shift
        low = int(b.min()) if b.size else 0
        num_bins = (int(b.max()) if b.size else 0) - low + 1
        if num_rows * num_bins <= 2 * s.size + 1024:
            break
    b -= low
    cnt = np.bincount(r * num_bins + b, minlength=num_rows * num_bins).reshape(num_rows,
                                                                                num_bins)
    above = np.cumsum(cnt[:, ::-1], axis=1)[:, ::-1]   # entries with bin >= b
    beta = np.maximum((above >= np.asarray(k).reshape(-1, 1)).sum(1) - 1, 0)
    return np.nonzero(b >= beta[r])[0]


class HeuristicHardNegativeSampler(NegativeSampler, name="heart"):
    r"""HeaRT-style hard negatives: uniform among the ``top_k`` corruptions
    :math:`(u, n)` ranked by a link heuristic, padded with zero-score nodes.

    For anchor :math:`u` let :math:`S(u) \subseteq C(u)` be the valid
    candidates with a positive score :math:`h(u, n)` (resource allocation or
    common neighbours, positive exactly at distance 2; for ``"feature_cosine"``
    every valid candidate is scored), :math:`T(u)` the ``top_k`` of them by
    score (ties: smaller node id first) and :math:`Z(u) = C(u) \setminus S(u)`
    the valid zero-score nodes. The top-k list is completed to ``top_k``
    entries by zero-score nodes drawn uniformly, and a negative is a uniform
    entry of that list:

    .. math::

        \Pr[n \mid u] =
        \begin{cases}
            1/k & n \in T(u) \\
            \dfrac{k - |T(u)|}{k \, |Z(u)|} & n \in Z(u) \\
            0 & \text{otherwise}
        \end{cases}
        \qquad (k = \texttt{top\_k})

    (when :math:`Z(u) = \emptyset` and :math:`|T(u)| < k`: uniform over :math:`T(u)`).
    ``last_stats.extra`` counts ``short_anchors`` (distinct anchors with
    :math:`|T(u)| < k`, which get padding) and ``padded_negatives`` (negatives
    drawn from :math:`Z(u)`).

    Parameters
    ----------
    num_neg : int, default 1
    top_k : int, default 20
        Size :math:`k \ge 1` of the hard-candidate list.
    heuristic : {"resource_allocation", "common_neighbors", "feature_cosine"}
        :math:`\sum_{w \in N(u) \cap N(n)} 1/\deg(w)`, :math:`|N(u) \cap N(n)|`,
        or :math:`\cos(x_u, x_n)` of node features ``x`` (passed as
        ``sample(..., x=x)`` or read from ``data.x``).
    seed : int, torch.Generator or None
    on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    Only tail corruptions :math:`(u, n)` are drawn (graphneg's anchor-conditioned
    layout). Per call, the heuristic rows of the distinct anchors :math:`U` are
    sparse products (``A[U] @ A``, or ``A[U] D^{-1} A``) in chunks of anchors of
    at most ``2**20`` products each; only the entries that may reach a row's
    unfiltered top :math:`k + x_u` (:math:`x_u` the anchor's known partners plus
    itself, so its valid top k lies among them) are looked up in the exclusion
    index, and each chunk is reduced at once to its rows' top-k
    lists (a sort of the entries whose coarse score bin reaches their row's k-th
    largest: a superset found by per-row bin counts, :func:`_top_k_superset`)
    and to the entries of the rows with fewer than ``top_k`` (the only rows that
    pad, and so the only ones whose :math:`S(u)` is kept): time
    :math:`O(M + M' \log M')` and memory :math:`O(2^{20} + |U| k)` for
    :math:`M = \sum_{u \in U} |S(u)|` scored and :math:`M' \le M` sorted
    entries, never ``N x N``. Dense graphs (at least 256 nodes, one edge per 16
    cells) take dense BLAS blocks instead. The feature
    heuristic is dense, :math:`O(|U| N d)` time in blocks of ``2**22`` scores.
    Each draw: one binary search. Ties at the top-k boundary are broken by
    smaller node id, so :math:`T(u)` is a deterministic set and the sampler
    still randomises among it.

    References
    ----------
    Li et al., *Evaluating Graph Neural Networks for Link Prediction: Current
    Pitfalls and New Benchmarking* (HeaRT), NeurIPS 2023 Datasets & Benchmarks;
    Zhou, Lü and Zhang, *Predicting missing links via local information*, 2009.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3, 1, 4], [1, 0, 2, 1, 3, 2, 4, 1]])
    >>> sampler = HeuristicHardNegativeSampler(3, top_k=1, heuristic="common_neighbors",
    ...                                        seed=0)
    >>> sampler.sample(ei, 6, pos_edge_index=torch.tensor([[0], [1]])).tolist()
    [[0, 0, 0], [2, 2, 2]]
    """

    weighted = True
    #: anchors with fewer than ``top_k`` scored candidates (padded with zero-score nodes)
    fallback_stat = "short_anchors"
    #: ``x`` is read only with ``heuristic="feature_cosine"``
    accepts = ("x",)

    _parameter_constraints = {
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "heuristic": [Options(_HEURISTICS)],
    }

    def __init__(self, num_neg: int = 1, *, top_k: int = 20,
                 heuristic: str = "resource_allocation", seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _setup(self) -> None:
        super()._setup()
        self.requires = ("x",) if self.heuristic == "feature_cosine" else ()

    def _features(self, ctx: SamplingContext) -> Tensor:
        x = ctx.kwargs.get("x")
        if x is None and ctx.data is not None:
            x = getattr(ctx.data, "x", None)
        return x

    def _check_context(self, ctx: SamplingContext) -> None:
        if self.heuristic != "feature_cosine":
            return
        owner = type(self).__name__
        x = self._features(ctx)
        if x is None:
            raise ValueError(f"{owner} with heuristic='feature_cosine' needs node features: "
                             f"pass sample(..., x=x) or call it on data with data.x of shape "
                             f"({ctx.num_nodes}, d).")
        check_embeddings(x, "x", num_rows=ctx.num_nodes, owner=owner)

    # ------------------------------------------------------------------ tables
    def _scored(self, anchors: np.ndarray, ctx: SamplingContext
                ) -> Iterator[Tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """Valid scored entries, by chunks of anchors: ``(lo, row, col, score)`` with
        ``row`` the position in ``anchors`` (rows ``lo ..`` of the chunk, entries in
        any order). Excluded pairs (the anchor, its known partners) and nodes outside
        ``candidate_mask`` are gone."""
        if self.heuristic == "feature_cosine":
            yield from self._scored_features(anchors, ctx)
        elif _dense_enough(ctx.csr):
            yield from self._scored_dense(anchors, ctx)
        else:
            yield from self._scored_sparse(anchors, ctx)

    def _scored_sparse(self, anchors: np.ndarray, ctx: SamplingContext):
        r"""The sparse product ``A[U] @ A`` (or ``A[U] D^{-1} A``) in chunks of
        anchors of at most ``_SCORE_CHUNK`` products, bounded by
        :math:`\sum_{w \in N(u)} \deg(w)` per anchor (at least one anchor a chunk);
        columns are left unsorted.

        Exclusion is looked up only where it can matter: a row holds at most
        :math:`x_u = |\mathcal{K}(u)| + 1` excluded entries (known partners, the
        anchor), so its valid top-k lies among the entries that may be in its
        unfiltered top :math:`k + x_u` (:func:`_top_k_superset`; all entries of a
        row with fewer), and only those are looked up in the exclusion index. A row
        with at least :math:`k + x_u` entries keeps at least ``k`` valid ones (it is
        full: its scored set is never read); the other rows keep all their valid
        entries."""
        n, k = ctx.num_nodes, self.top_k
        adj = ctx.csr
        deg = np.diff(adj.indptr).astype(np.float64)
        right = adj
        if self.heuristic == "resource_allocation":
            def scaled() -> sp.csr_matrix:              # (D^-1 A)[w, n] = A[w, n] / deg(w)
                inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
                return sp.diags(inv) @ adj
            right = ctx.graph_cached("heart:inverse_degree_rows", scaled)  # once per graph
        cost = np.cumsum(adj[anchors] @ deg)            # products of each anchor's row
        slack = np.diff(ctx.known_row_ptr.numpy())[anchors] + 1
        mask = None if ctx.candidate_mask is None else ctx.candidate_mask.numpy()
        lo = 0
        while lo < anchors.size:
            before = cost[lo - 1] if lo else 0.0
            hi = max(lo + 1, int(np.searchsorted(cost, before + _SCORE_CHUNK, side="right")))
            a = anchors[lo:hi]
            mat = adj[a] @ right
            r = np.repeat(np.arange(a.size, dtype=np.int64), np.diff(mat.indptr))
            c, s = mat.indices, mat.data
            if mask is not None:
                inside = mask[c]
                r, c, s = r[inside], c[inside], s[inside]
            sel = _top_k_superset(r, s, a.size, k + slack[lo:hi])
            r, c, s = r[sel], c[sel].astype(np.int64), s[sel]
            u = a[r]
            keep = (c != u) & ~ctx.known._contains_keys(u * n + c) & (s > 0)
            yield lo, r[keep] + lo, c[keep], s[keep]
            lo = hi

    def _scored_dense(self, anchors: np.ndarray, ctx: SamplingContext):
        """Dense graphs: each block of dense score rows has its excluded pairs (the
        anchor, its known partners) and the cells outside ``candidate_mask`` zeroed
        in place, and keeps its positive cells; the same scores as the sparse
        product, without forming sparse ``(A, N)`` matrices."""
        n = ctx.num_nodes
        rp, keys = ctx.known_row_ptr.numpy(), ctx.known.keys.numpy()
        outside = None if ctx.candidate_mask is None else ~ctx.candidate_mask
        for lo, block in dense_score_blocks(ctx.csr, anchors, self.heuristic):
            a = anchors[lo:lo + block.shape[0]]
            which, entry = gather_rows(rp, a)
            flat = block.view(-1).numpy()
            flat[which * n + keys[entry] % n] = 0.0
            flat[np.arange(a.size) * n + a] = 0.0
            if outside is not None:
                block[:, outside] = 0.0
            cells = np.flatnonzero(flat > 0)
            yield lo, cells // n + lo, cells % n, flat[cells]

    def _scored_features(self, anchors: np.ndarray, ctx: SamplingContext):
        """Features: every valid candidate is scored; each block of ``2**22`` dense
        cosines keeps its rows' ``top_k`` (ties: smaller id)."""
        n = ctx.num_nodes
        x = F.normalize(self._features(ctx).detach().to(torch.double), dim=1)
        nodes = torch.arange(n)
        rows_per_block = max(1, _BLOCK_ELEMENTS // max(n, 1))
        k = min(self.top_k, n)
        for lo in range(0, anchors.size, rows_per_block):     # blocks of anchors
            a = torch.from_numpy(anchors[lo:lo + rows_per_block])
            cos = x[a] @ x.t()
            valid = ctx.is_valid(a.view(-1, 1), nodes.view(1, -1))
            cos = cos.masked_fill(~valid, float("-inf"))
            val, idx = torch.sort(cos, dim=1, descending=True, stable=True)  # ties: smaller id
            val, idx = val[:, :k], idx[:, :k]
            fin = torch.isfinite(val)
            rr = torch.arange(a.numel()).view(-1, 1).expand_as(idx)[fin] + lo
            yield lo, rr.numpy(), idx[fin].numpy(), val[fin].numpy()

    def _reduce(self, r: np.ndarray, c: np.ndarray, s: np.ndarray, num_rows: int
                ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One chunk's scored entries reduced to what the tables keep: the entries
        of each row's top-k list ordered by (row, -score, col), and the entries of
        the rows with fewer than ``top_k`` (all of them, the only rows that pad)
        ordered by (row, col). Returns ``(counts, top, short)`` (entry indices)."""
        k = self.top_k
        counts = np.bincount(r, minlength=num_rows)
        # a superset of each row's top k by coarse score bins, then one sort of it
        sel = (_top_k_superset(r, s, num_rows, k) if self.heuristic != "feature_cosine"
               else np.arange(s.size))
        order = sel[np.lexsort((c[sel], -s[sel], r[sel]))]
        top = order[segment_positions(np.bincount(r[sel], minlength=num_rows)) < k]
        short = np.flatnonzero(counts[r] < k)
        return counts, top, short[np.lexsort((c[short], r[short]))]

    def _build(self, anchors: np.ndarray, ctx: SamplingContext) -> Dict[str, Any]:
        n, k = ctx.num_nodes, self.top_k
        num_rows = anchors.size
        counts = np.zeros(num_rows, dtype=np.int64)
        tops, shorts = [], []
        for lo, r, c, s in self._scored(anchors, ctx):
            if r.size == 0:
                continue
            # rows lo.. of this chunk, reduced in the chunk's own row numbering
            rows = int(r.max()) - lo + 1
            cnt, top, short = self._reduce(r - lo, c, s, rows)
            counts[lo:lo + rows] += cnt
            tops.append((r[top], c[top]))
            shorts.append((r[short], c[short]))
        t_rows, t_cols = (np.concatenate([t[i] for t in tops]).astype(np.int64) if tops
                          else np.zeros(0, np.int64) for i in (0, 1))
        s_rows, s_cols = (np.concatenate([t[i] for t in shorts]).astype(np.int64) if shorts
                          else np.zeros(0, np.int64) for i in (0, 1))
        t_counts = np.bincount(t_rows, minlength=num_rows)
        t_indptr = np.concatenate([[0], np.cumsum(t_counts)])
        # the scored entries kept per row: all of a short row's, none of a full row's
        # (its padding mass is 0, so no draw or weight reads them)
        s_indptr = np.concatenate([[0], np.cumsum(np.bincount(s_rows, minlength=num_rows))])
        num_valid = self._num_valid(ctx).numpy()[anchors]
        # |S(u)|: exact for a short row; at least top_k for a full one, whose padding
        # mass is 0 whatever it is
        if self.heuristic == "feature_cosine":
            num_scored = num_valid                    # every valid candidate has a score
        else:
            num_scored = counts
        num_zero = num_valid - num_scored
        with np.errstate(divide="ignore", invalid="ignore"):
            pad = np.where(num_zero > 0, (k - t_counts) / (k * np.maximum(num_zero, 1)), 0.0)
        mass_t = t_counts / k
        # the padding proposal is uniform over V \ S(u): N - |S(u)| nodes of weight pad
        # each (S(u) = C(u) for features, where pad is 0 anyway)
        complement = n - num_scored
        mass_z = complement * pad
        total = mass_t + mass_z
        with np.errstate(divide="ignore", invalid="ignore"):
            prob_t = np.where(total > 0, mass_t / np.where(total > 0, total, 1), 0.0)
        # g_i = col_i - i within each short row (sorted by col): locates the j-th node
        # not in S(u)
        gkeys = s_rows * (n + 1) + (s_cols - segment_positions(np.diff(s_indptr)))
        # a proposal is valid when it comes from T(u), or pads inside Z(u)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = prob_t + (1 - prob_t) * np.where(complement > 0, num_zero / complement, 0.0)
        return {"s_indptr": s_indptr, "s_cols": s_cols, "gkeys": gkeys, "t_indptr": t_indptr,
                "t_cols": t_cols, "t_keys": np.sort(anchors[t_rows] * n + t_cols),
                "prob_t": prob_t, "pad": pad, "t_counts": t_counts,
                "complement": complement, "short": t_counts < k, "accept": accept}

    def _rows(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[np.ndarray, Dict[str, Any]]:
        cache = ctx.cached("heart_rows",
                           lambda: CSRRowCache(lambda a: self._build(a, ctx), "short"))
        return cache.rows(anchors, ctx)

    def _count_padded(self, anchors: Tensor, out: Tensor, t: Dict[str, Any], n: int,
                      ctx: SamplingContext, valid: Tensor) -> None:
        keys = anchors.numpy() * n + out.numpy()
        tk = t["t_keys"]
        if tk.size:
            hit = np.searchsorted(tk, keys).clip(max=tk.size - 1)
            in_t = tk[hit] == keys
        else:
            in_t = np.zeros(keys.size, dtype=bool)
        ctx.add_count("padded_negatives", int((~in_t & valid.numpy()).sum()))

    # ------------------------------------------------------------------- hooks
    def _dense_slots(self, slot_anchor: Tensor, num_valid: Tensor,
                     ctx: SamplingContext) -> Optional[Tensor]:
        r"""Slots whose anchor's proposal is accepted with probability below
        ``fallback_ratio`` (drawn by the exact path directly), or ``None``.

        The top-k list is always valid and a padding draw is valid when it lands in
        :math:`Z(u)`, so the acceptance is :math:`p_T + (1 - p_T) |Z(u)| / |V
        \setminus S(u)|` (:math:`p_T` the list's share of the mass), not the valid
        share of a uniform proposal: a dense row whose list fills ``top_k`` needs no
        complement block at all. ``fallback_ratio=1`` sends every slot there."""
        pos, t = self._rows(slot_anchor, ctx)
        if self.fallback_ratio >= 1:
            return torch.ones(slot_anchor.numel(), dtype=torch.bool)
        direct = torch.from_numpy(t["accept"][pos] < self.fallback_ratio)
        return direct if bool(direct.any()) else None

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        n = ctx.num_nodes
        pos, t = self._rows(anchors, ctx)
        u = torch.rand((3, anchors.numel()), generator=generator, dtype=torch.double).numpy()
        out = anchors.numpy().copy()            # impossible rows propose a self-loop
        take_t = u[0] < t["prob_t"][pos]
        if take_t.any():
            p = pos[take_t]
            nt = t["t_counts"][p]
            j = np.minimum((u[1][take_t] * nt).astype(np.int64), nt - 1)
            out[take_t] = t["t_cols"][t["t_indptr"][p] + j]
        take_z = ~take_t & (t["pad"][pos] > 0)
        if take_z.any():
            p = pos[take_z]
            size = t["complement"][p]
            j = np.minimum((u[2][take_z] * size).astype(np.int64), size - 1)
            count = (np.searchsorted(t["gkeys"], p * (n + 1) + j, side="right")
                     - t["s_indptr"][p])
            out[take_z] = j + count
        out = torch.from_numpy(out)
        self._count_padded(anchors, out, t, n, ctx, ctx.is_valid(anchors, out))
        return out

    def _draw_exact(self, slot_anchor: Tensor, ctx: SamplingContext) -> Tensor:
        out = super()._draw_exact(slot_anchor, ctx)
        _, t = self._rows(slot_anchor, ctx)
        self._count_padded(slot_anchor, out, t, ctx.num_nodes, ctx,
                           torch.ones(out.numel(), dtype=torch.bool))
        return out

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        pos, t = self._rows(anchors, ctx)
        lookup = np.full(ctx.num_nodes, -1, dtype=np.int64)
        lookup[candidates.numpy()] = np.arange(candidates.numel())
        with np.errstate(divide="ignore"):
            base = np.log(t["pad"][pos])
        out = np.repeat(base[:, None], candidates.numel(), axis=1)
        which, entry = gather_rows(t["s_indptr"], pos)          # scored: not padding
        col = lookup[t["s_cols"][entry]]
        ok = col >= 0
        out[which[ok], col[ok]] = -np.inf
        which, entry = gather_rows(t["t_indptr"], pos)          # the top-k list
        col = lookup[t["t_cols"][entry]]
        ok = col >= 0
        out[which[ok], col[ok]] = -np.log(self.top_k)
        return torch.from_numpy(out)

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        return {**super()._extra_stats(ctx),
                "padded_negatives": ctx.count("padded_negatives")}
