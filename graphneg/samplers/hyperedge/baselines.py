r"""The baselines of Patil, Sharma and Murty (PAKDD 2020): SNS, MNS and CNS.

* ``"sized"`` (:class:`SizedNegativeSampler`): uniform node sets, sizes from the
  empirical size distribution;
* ``"motif"`` (:class:`MotifNegativeSampler`): connected sets grown on the clique
  expansion;
* ``"clique"`` (:class:`CliqueNegativeSampler`): the anchor with one member swapped
  for a node adjacent to all the others.

Each rejects sets equal to a true hyperedge and redraws them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor

from graphneg._random import numpy_rng
from graphneg.edges import _same, _search, _signature
from graphneg.samplers.base import SamplerStats
from graphneg.samplers.hyperedge.base import (
    HyperedgeContext, HyperedgeSampler, NoNegativeHyperedgesError, csr_rows, finish_index,
    row_choice,
)

__all__ = ["SizedNegativeSampler", "MotifNegativeSampler", "CliqueNegativeSampler"]


def _empirical_sizes(ctx: HyperedgeContext, rng: np.random.Generator, count: int) -> np.ndarray:
    sizes = ctx.sizes.numpy()
    return sizes[rng.integers(0, sizes.size, size=count)]


class _ReusedContext:
    """Keeps the last call's :class:`HyperedgeContext` (incidence, clique expansion,
    known set and the sampler's tables) while the same ``hyperedge_index`` and
    ``exclude_hyperedge_index`` tensors come back unchanged (same object, storage,
    shape, stride and in-place version, as :class:`graphneg.edges.EdgeSet` reuse);
    a training loop then builds them once. Any change, or a call-time keyword,
    builds a fresh context."""

    def _context(self, hyperedge_index, num_nodes, exclude_hyperedge_index, kwargs, owner=None):
        last = self.__dict__.get("_last_context")
        if (last is not None and not kwargs and last[0] == num_nodes
                and _same(last[1], hyperedge_index) and _same(last[2], exclude_hyperedge_index)):
            return last[3]
        ctx = super()._context(hyperedge_index, num_nodes, exclude_hyperedge_index, kwargs, owner)
        self._last_context = (num_nodes, _signature(hyperedge_index),
                              _signature(exclude_hyperedge_index), ctx)
        return ctx


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
        return finish_index(nodes, row, ctx.num_nodes), torch.from_numpy(failed), None


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


class MotifNegativeSampler(_ReusedContext, _GenerativeSampler, name="motif"):
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
    pending sets, so the Python loop runs :math:`\max k` times, never over sets.
    A frontier node is drawn without forming the frontier: an edge :math:`(v, w)`
    uniform among the edges leaving :math:`S` is kept when :math:`w \notin S` and
    :math:`v` is the first member (in growth order) adjacent to :math:`w`, so every
    frontier node is kept through exactly one edge (:func:`_frontier_proposals`,
    :math:`O(|S| \log E)` per proposal, :math:`\sum_{v \in S} \deg v / |F(S)|`
    proposals); sets still unserved after a few rounds (an empty or small
    frontier) enumerate it by one sparse product ``S @ A``. The clique expansion and
    its edge keys are built once while the same unchanged ``hyperedge_index`` comes
    back (:class:`_ReusedContext`).

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
        if ctx.anchor_table is None:     # kept with the context across calls
            indptr = adj.indptr.astype(np.int64)
            # sorted keys v * N + w of the (canonical, sorted) clique-expansion CSR
            ctx.anchor_table = (indptr, adj.indices.astype(np.int64),
                                np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr)) * n
                                + adj.indices)
        indptr, indices, keys = ctx.anchor_table
        for step in range(2, members.shape[1]):  # growth steps, vectorised over sets
            grow = np.flatnonzero(alive & (sizes > step))
            if grow.size == 0:
                continue
            cur = members[grow, :step]
            pick = _frontier_proposals(cur, indptr, indices, keys, n, rng)
            rest = np.flatnonzero(pick < 0)
            if rest.size:
                pick[rest] = _frontier_enumerated(cur[rest], adj, n, rng)
            alive[grow[pick < 0]] = False
            members[grow, step] = pick
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


#: Rounds of frontier proposals before a set's frontier is enumerated.
_FRONTIER_ROUNDS = 8


def _frontier_proposals(cur: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
                        keys: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    r"""One node uniform on the frontier of each set, by proposals, or -1.

    Row ``i`` of ``cur`` (shape ``(G, s)``) is a set :math:`S` of ``s`` members; its
    frontier is :math:`F(S) = (\bigcup_{v \in S} N(v)) \setminus S`. A proposal
    draws an edge ``(v, w)`` uniformly among the :math:`\sum_{v \in S} \deg v`
    edges leaving members (``v`` with probability :math:`\propto \deg v`, then a
    uniform neighbour) and is kept when :math:`w \notin S` and ``v`` is the first
    member of ``cur[i]`` adjacent to ``w`` (members before it looked up among the
    sorted edge ``keys``). Every :math:`w \in F(S)` is kept through exactly one
    edge, so a kept node is uniform on :math:`F(S)`. Sets not served within
    ``_FRONTIER_ROUNDS`` rounds (an empty or small frontier) get -1. Cost per
    proposal :math:`O(s \log E)`; :math:`\sum \deg / |F(S)|` proposals per set.
    """
    g, s = cur.shape
    deg = (indptr[1:] - indptr[:-1])[cur]
    cum = np.cumsum(deg, axis=1)
    out = np.full(g, -1, dtype=np.int64)
    pending = np.arange(g)
    for _ in range(_FRONTIER_ROUNDS):
        if pending.size == 0:
            break
        c = cum[pending]
        r = np.minimum((rng.random(pending.size) * c[:, -1]).astype(np.int64), c[:, -1] - 1)
        j = (c <= r[:, None]).sum(1)                 # member with probability ∝ its degree
        rows = cur[pending]
        v = rows[np.arange(pending.size), j]
        w = indices[indptr[v] + r - (c[np.arange(pending.size), j] - deg[pending, j])]
        ok = ~(rows == w[:, None]).any(1)
        pr, pi = np.nonzero((np.arange(s)[None, :] < j[:, None]) & ok[:, None])
        covered = _search(keys, rows[pr, pi] * n + w[pr])
        ok[pr[covered]] = False                      # an earlier member also reaches w
        out[pending[ok]] = w[ok]
        pending = pending[~ok]
    return out


def _frontier_enumerated(cur: np.ndarray, adj: sp.csr_matrix, n: int,
                         rng: np.random.Generator) -> np.ndarray:
    r"""One node uniform on the frontier of each set of ``cur`` (shape ``(G, s)``) by
    enumerating it (one sparse product ``S @ A`` and an inverse-CDF pick per row),
    or -1 for an empty frontier. Cost :math:`O(\sum_{v \in S} \deg v)` per set."""
    g, step = cur.shape
    r = np.repeat(np.arange(g, dtype=np.int64), step)
    s_mat = sp.csr_matrix((np.ones(cur.size), (r, cur.ravel())), shape=(g, n))
    front = s_mat @ adj  # row i: nodes adjacent to set i (members included)
    fr = np.repeat(np.arange(g, dtype=np.int64), np.diff(front.indptr))
    # frontier: adjacent and not a member (compare with the row's `step` members)
    valid = ~(cur[fr] == front.indices[:, None]).any(1)
    lens = np.bincount(fr[valid], minlength=g)
    out = np.full(g, -1, dtype=np.int64)
    ok = np.flatnonzero(lens > 0)
    # the rank-th frontier node of each row, by a cumulative count of valid entries
    cum = np.cumsum(valid)
    before = np.concatenate([[0], cum])[front.indptr[ok]]
    rank = before + (rng.random(ok.size) * lens[ok]).astype(np.int64)
    out[ok] = front.indices[np.searchsorted(cum, rank + 1)]
    return out


#: Packed clique-swap counts stay exact in int64 below this bound on max|A| (N + 1) 2^bits.
_PACK_LIMIT = 2 ** 62


@dataclass
class _Swaps:
    """Feasible swaps of distinct anchors: row ``i`` (anchor ``anchors[i]``) lists the
    nodes ``w`` that can enter, with weight ``|A|`` (any member ``v`` may leave,
    ``full``) or 1 (only ``missing`` may leave); ``mass`` is the row total,
    ``csum = [0, cumsum(weight)]`` and ``unit`` marks the rows whose entries all weigh
    1 (an entry is then drawn without a search)."""

    anchors: Tensor
    indptr: np.ndarray
    cols: np.ndarray
    weight: np.ndarray
    full: np.ndarray
    missing: np.ndarray
    mass: np.ndarray
    csum: np.ndarray
    unit: np.ndarray

    def choose(self, rows: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """One entry of each row in ``rows`` with probability weight / mass (rows of
        positive mass): ``indptr + floor(u len)`` on unit rows, :func:`row_choice`
        (inverse CDF) on the others."""
        lo, lens = self.indptr[rows], self.indptr[rows + 1] - self.indptr[rows]
        pos = lo + np.minimum((uniforms * lens).astype(np.int64), lens - 1)
        other = np.flatnonzero(~self.unit[rows])
        if other.size:
            pos[other] = row_choice(self.indptr, self.weight, rows[other], uniforms[other],
                                    self.csum)
        return pos


class CliqueNegativeSampler(_ReusedContext, HyperedgeSampler, name="clique"):
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
    The swap table is built per distinct anchor, by size:

    * :math:`|A| = 2`, :math:`A = \{a, b\}`: the pairs are :math:`(a, w)`,
      :math:`w \in N(b) \setminus \{a\}`, and :math:`(b, w)`,
      :math:`w \in N(a) \setminus \{b\}`, read off the two adjacency rows
      (:func:`_pair_swaps`, no product);
    * :math:`|A| \ge 3`: a node that can enter is a common neighbour of two of the
      three smallest-degree members outside :math:`A`, which three row-wise merges
      test (:func:`_may_swap`; on a sparse hypergraph most anchors fail and get no
      row); the anchors that pass get one sparse product :math:`H_A \mathbf{A}`
      (:func:`_product_swaps`). With :math:`c(w) = |N(w) \cap A|` and the member-id
      sum :math:`\sigma(w) = \sum_{u \in A \cap N(w)} (u + 1)` (members valued
      :math:`(u + 1) 2^b + 1`, so an entry is :math:`\sigma(w) 2^b + c(w)` with
      :math:`2^b > \max |A|`; two products when that could overflow int64), a node
      with :math:`c(w) = |A|` pairs with every :math:`v` (:math:`|A|` pairs) and one
      with :math:`c(w) = |A| - 1` only with the member it misses,
      :math:`\sum_{u \in A} (u + 1) - \sigma(w) - 1`; that is :math:`w` itself
      exactly when :math:`w \in A` (members of a hyperedge are pairwise adjacent),
      so members need no search.

    Pairs are drawn by inverse CDF on the sparse rows; known hyperedges are
    rejected and redrawn until enumerating the pending slots' pairs is expected to
    cost no more lookups than further rounds (:func:`_enumerate_now`), or for
    ``max_rounds`` rounds; the slots still pending are then served by enumerating
    their anchors' pairs once and drawing uniformly among those that are not true
    hyperedges (the same law; counted in ``last_stats.exact_slots``). Hyperedges of
    size 1 are refused (``ValueError``: :math:`A \setminus \{v\}` would be empty);
    anchors with no feasible pair, or whose feasible sets are all true hyperedges,
    are impossible. Cost
    :math:`O(\deg a + \deg b + \deg c)` per anchor of size :math:`\ge 3` for the
    test, :math:`O(\sum_{u \in A} \deg u)` per anchor that passes it, paid once
    while the same unchanged ``hyperedge_index`` comes back with anchors the table
    covers (:class:`_ReusedContext`); later calls only draw and reject.

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

    def _swaps(self, anchors: Tensor, ctx: HyperedgeContext) -> "_Swaps":
        """The feasible swaps ``(v, w)`` of the distinct anchors, as weighted CSR rows:
        pairs read off the two adjacency rows for size 2, one product for the anchors
        of size >= 3 that pass :func:`_may_swap` (an empty row for the others)."""
        uniq = torch.unique(anchors)
        size = ctx.sizes[uniq].numpy()
        adj = ctx.adjacency
        two = np.flatnonzero(size == 2)
        big = np.flatnonzero(size > 2)
        big = big[_may_swap(ctx.incidence, adj, uniq.numpy()[big])]
        parts = [_pair_swaps(ctx.incidence, adj, uniq.numpy()[two]),
                 _product_swaps(ctx, uniq[torch.from_numpy(big)])]
        # rows of the two parts (each laid out row after row) placed among all anchors
        lens = np.zeros(uniq.numel(), dtype=np.int64)
        lens[two], lens[big] = parts[0][0], parts[1][0]
        indptr = np.concatenate([[0], np.cumsum(lens)])
        cols, weight, full, missing = (np.empty(int(indptr[-1]), dtype=d) for d in
                                       (np.int64, np.float64, bool, np.int64))
        unit = np.ones(uniq.numel(), dtype=bool)
        for rows, (plen, pcols, pweight, pfull, pmissing) in zip((two, big), parts):
            r = np.repeat(np.arange(rows.size), plen)
            dest = indptr[rows][r] + np.arange(r.size) - np.repeat(np.cumsum(plen) - plen, plen)
            cols[dest], weight[dest], full[dest], missing[dest] = pcols, pweight, pfull, pmissing
            unit[rows[r[pweight != 1.0]]] = False
        csum = np.concatenate([[0.0], np.cumsum(weight)])
        return _Swaps(uniq, indptr, cols, weight, full, missing,
                      csum[indptr[1:]] - csum[indptr[:-1]], csum, unit)

    def _impossible(self, anchors, ctx):
        t = ctx.anchor_table              # reused while the context is and covers anchors
        if t is not None and t.anchors.numel():
            row = torch.searchsorted(t.anchors, anchors).clamp_(max=t.anchors.numel() - 1)
            if bool((t.anchors[row] == anchors).all()):
                return torch.from_numpy(t.mass == 0)[row]
        ctx.anchor_table = t = self._swaps(anchors, ctx)
        return torch.from_numpy(t.mass == 0)[torch.searchsorted(t.anchors, anchors)]

    def _draw(self, slot_anchor, ctx, stats):
        t: _Swaps = ctx.anchor_table
        rng = numpy_rng(self.generator)
        s = slot_anchor.numel()
        anchor = slot_anchor.numpy()
        # table rows: the anchor ids themselves when the table holds every hyperedge
        covers_all = t.anchors.numel() == ctx.num_hyperedges
        a = anchor if covers_all else np.searchsorted(t.anchors.numpy(), anchor)
        sizes = ctx.sizes[slot_anchor].numpy() if s else np.empty(0, np.int64)
        out_nodes = np.full(int(sizes.sum()), -1, dtype=np.int64)
        starts = np.cumsum(sizes) - sizes
        pending = np.arange(s)
        rounds, before = 0, None
        while pending.size and rounds < self.max_rounds:
            if before is not None and _enumerate_now(t.mass[np.unique(a[pending])].sum(),
                                                     before, pending.size):
                break
            rounds, before = rounds + 1, pending.size
            pos = t.choose(a[pending], rng.random(pending.size))
            v_rank = np.where(t.full[pos], (rng.random(pending.size) * sizes[pending]
                                            ).astype(np.int64), -1)
            mem, rowp, offs, bad = _swapped(anchor[pending], pos, v_rank, t, ctx)
            sel = ~bad[rowp]
            out_nodes[starts[pending[rowp[sel]]] + offs[sel]] = mem[sel]
            stats.rejected += int(bad.sum())
            pending = pending[bad]
        stats.rounds += rounds
        failed = np.zeros(s, dtype=bool)
        if pending.size:                  # the rest by enumerating their anchors' swaps
            stats.exact_slots += pending.size
            failed[_exact_swaps(pending, a, t, ctx, rng, out_nodes, starts)] = True
        row = np.repeat(np.arange(s), sizes)
        keep = ~failed[row]
        return (finish_index(out_nodes[keep], row[keep], ctx.num_nodes), torch.from_numpy(failed),
                None)


def _enumerate_now(pairs: float, before: int, after: int) -> bool:
    r"""Whether to serve the ``after`` slots still pending (of ``before`` at the last
    round's start) by enumerating their anchors' ``pairs`` feasible pairs once rather
    than by more rejection rounds: with the last round's acceptance
    :math:`\hat a = 1 - \text{after} / \text{before}`, the rounds still need about
    :math:`\text{after} / \hat a` lookups, the enumeration ``pairs``; enumerate when
    that is no more (always when nothing was accepted). Either way the law is the
    same (a slot's next draws do not depend on its past rejections)."""
    return pairs * (before - after) <= after * before


def _swapped(anc: np.ndarray, pos: np.ndarray, v_rank: np.ndarray, t: _Swaps,
             ctx: HyperedgeContext):
    r"""The sets :math:`A \setminus \{v\} \cup \{w\}` of swap-table entries ``pos``
    of anchors ``anc``: ``w = t.cols[pos]`` enters, ``v`` is the member of rank
    ``v_rank`` (``-1``: the entry's ``missing`` member) leaves. Returns ``(mem, rowp,
    offs, bad)``: the members laid out set after set, each one's set and rank in it,
    and whether each set is a known hyperedge."""
    h = ctx.incidence
    mem, rowp = csr_rows(h, anc)
    sz = np.diff(h.indptr)[anc]
    offs = np.arange(rowp.size) - np.repeat(np.cumsum(sz) - sz, sz)
    v = np.where(v_rank >= 0, h.indices[h.indptr[anc] + np.maximum(v_rank, 0)], t.missing[pos])
    mem = np.where(mem == v[rowp], t.cols[pos][rowp], mem)
    bad = ctx.known.lookup_rows(mem, sz) >= 0
    return mem, rowp, offs, bad


def _exact_swaps(pending: np.ndarray, a: np.ndarray, t: _Swaps,
                 ctx: HyperedgeContext, rng: np.random.Generator, out_nodes: np.ndarray,
                 starts: np.ndarray) -> np.ndarray:
    r"""Serve slots ``pending`` exactly: every feasible pair :math:`(v, w)` of their
    distinct anchors is formed once (a full entry gives one pair per member), known
    sets are removed, and each slot takes a uniform one of its anchor's remaining
    pairs — the law of the rejection rounds it leaves (uniform over the feasible
    pairs that are not true hyperedges). Writes the members into ``out_nodes`` and
    returns the slots with no such pair."""
    ua, inv = np.unique(a[pending], return_inverse=True)
    lens = t.indptr[ua + 1] - t.indptr[ua]
    erow = np.repeat(np.arange(ua.size), lens)
    epos = t.indptr[ua][erow] + np.arange(erow.size) - np.repeat(np.cumsum(lens) - lens, lens)
    anc_of = t.anchors.numpy()[ua]
    size = ctx.sizes.numpy()[anc_of]
    mult = np.where(t.full[epos], size[erow], (t.weight[epos] > 0).astype(np.int64))
    prow, ppos = np.repeat(erow, mult), np.repeat(epos, mult)
    first = np.repeat(np.cumsum(mult) - mult, mult)
    v_rank = np.where(t.full[ppos], np.arange(prow.size) - first, -1)
    mem, rowp, offs, bad = _swapped(anc_of[prow], ppos, v_rank, t, ctx)
    ok = np.flatnonzero(~bad)                     # pairs, grouped by anchor
    cnt = np.bincount(prow[ok], minlength=ua.size)
    c = cnt[inv]
    has = c > 0
    pick = ok[(np.cumsum(cnt) - cnt)[inv[has]] + (rng.random(int(has.sum())) * c[has]
                                                   ).astype(np.int64)]
    psize = size[prow]
    pstart = np.cumsum(psize) - psize
    slots = pending[has]
    src = np.repeat(pstart[pick], psize[pick]) + np.arange(int(psize[pick].sum())) - \
        np.repeat(np.cumsum(psize[pick]) - psize[pick], psize[pick])
    dst = np.repeat(starts[slots], psize[pick]) + offs[src]
    out_nodes[dst] = mem[src]
    return pending[~has]


def _pair_swaps(h: sp.csr_matrix, adj: sp.csr_matrix, anchors: np.ndarray):
    r"""Swap rows of hyperedges ``anchors`` of size 2, read off the adjacency.

    For :math:`A = \{a, b\}` the feasible pairs are :math:`(a, w)`,
    :math:`w \in N(b) \setminus \{a\}`, and :math:`(b, w)`,
    :math:`w \in N(a) \setminus \{b\}`: one entry of weight 1 per pair (the
    member leaving in ``missing``), :math:`\deg a + \deg b - 2` entries, no product.
    Returns ``(lens, cols, weight, full, missing)`` with rows laid out anchor after
    anchor.
    """
    first = h.indices[h.indptr[anchors]].astype(np.int64)
    second = h.indices[h.indptr[anchors] + 1].astype(np.int64)
    # row of anchor i: N(second) with `first` leaving, then N(first) with `second` leaving
    stay = np.stack([second, first], 1).ravel()
    cols, pos = csr_rows(adj, stay)
    leave = np.stack([first, second], 1).ravel()[pos]
    keep = cols != leave                          # the member that leaves cannot enter
    cols, leave, row = cols[keep], leave[keep], pos[keep] // 2
    lens = np.bincount(row, minlength=anchors.size)
    return lens, cols, np.ones(cols.size), np.zeros(cols.size, dtype=bool), leave


def _may_swap(h: sp.csr_matrix, adj: sp.csr_matrix, anchors: np.ndarray) -> np.ndarray:
    r"""A necessary test for hyperedges ``anchors`` of size :math:`k \ge 3` to have a
    feasible swap, on three members only.

    A node :math:`w \notin A` that can enter misses at most one member, so it is a
    common neighbour of two of any three members :math:`a, b, c`. Every pair of
    members already has the other :math:`k - 2` members as common neighbours, so a
    swap is feasible only if

    .. math::

        \max\big(|N(a) \cap N(b)|, |N(a) \cap N(c)|, |N(b) \cap N(c)|\big) > k - 2.

    The three intersections are row-wise merges of sorted adjacency rows (scipy's
    element-wise product), for the three members of smallest degree: cost
    :math:`O(\deg a + \deg b + \deg c)` per anchor instead of the swap product's
    :math:`O(\sum_{u \in A} \deg u)`.

    Returns
    -------
    ndarray of bool, shape (len(anchors),)
        False where no swap is feasible; True where one may be.
    """
    g = anchors.size
    if g == 0:
        return np.zeros(0, dtype=bool)
    n = adj.shape[0]
    nodes, row = csr_rows(h, anchors)
    deg = np.diff(adj.indptr).astype(np.int64)
    lens = np.diff(h.indptr)[anchors]
    pick = ((np.cumsum(lens) - lens)[:, None] + np.arange(3)).ravel()
    # members sorted by (anchor, degree): one sort of packed int64 keys where they fit
    top = int(deg.max()) + 1
    if g * top * n < _PACK_LIMIT:
        three = (np.sort((row * top + deg[nodes]) * n + nodes)[pick] % n).reshape(g, 3)
    else:
        three = nodes[np.lexsort((deg[nodes], row))][pick].reshape(g, 3)
    # int8 rows: less to copy; the element-wise product of sorted rows is a merge
    small = sp.csr_matrix((np.ones(adj.nnz, dtype=np.int8), adj.indices, adj.indptr),
                          shape=adj.shape)
    rows = [small[three[:, i]] for i in range(3)]
    for r in rows:                        # rows of a canonical matrix: skip scipy's check
        r.has_canonical_format = adj.has_canonical_format
    out = np.zeros(g, dtype=bool)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        out |= np.diff(rows[i].multiply(rows[j]).tocsr().indptr) > lens - 2
    return out


def _product_swaps(ctx: HyperedgeContext, uniq: Tensor):
    r"""Swap rows of the distinct hyperedges ``uniq`` by one product :math:`H_A \mathbf{A}`
    (see :class:`CliqueNegativeSampler`); any size. Returns ``(lens, cols, weight,
    full, missing)`` with rows laid out anchor after anchor."""
    nodes, row = ctx.members(uniq)
    n, m = ctx.num_nodes, uniq.numel()
    size = ctx.sizes[uniq].numpy()
    adj = ctx.adjacency
    # one product H_A A with member values ((u + 1) << bits) + 1: each entry holds
    # (idsum << bits) + c(w), exact in int64 while max|A| (N + 1) 2^bits < 2^62
    bits = int(size.max(initial=1)).bit_length()
    if int(size.max(initial=1)) * (n + 1) << bits < _PACK_LIMIT:
        ha = sp.csr_matrix((((nodes + 1) << bits) + 1, (row, nodes)), shape=(m, n))
        prod = (ha @ adj).tocsr()
        c, idsum, shift = prod.data & ((1 << bits) - 1), prod.data, bits  # shifted when kept
    else:
        ha = sp.csr_matrix((np.ones(nodes.size, dtype=np.int64), (row, nodes)), shape=(m, n))
        prod = (ha @ adj).tocsr()
        idsum = (sp.csr_matrix((nodes + 1, (row, nodes)), shape=(m, n)) @ adj).tocsr()
        idsum.sort_indices()
        prod.sort_indices()                     # the same entries in the same order
        c, idsum, shift = prod.data, idsum.data, 0
    # only nodes adjacent to |A| - 1 or more members can enter: keep those entries
    # (row ids formed after the filter, on the few kept entries)
    sel = c >= np.repeat(size - 1, np.diff(prod.indptr))
    c, idsum, cols = c[sel], idsum[sel] >> shift, prod.indices[sel].astype(np.int64)
    indptr = np.concatenate([[0], np.cumsum(sel)])[prod.indptr]
    r = np.repeat(np.arange(m), np.diff(indptr))
    tot = np.bincount(row, weights=nodes + 1.0, minlength=m).astype(np.int64)
    # the member c(w) = |A| - 1 misses (w itself when w is a member: the members of
    # a hyperedge are pairwise adjacent and never self-adjacent, so no search is needed)
    missing = tot[r] - idsum - 1
    full = c == size[r]
    one = ~full & (missing != cols)
    weight = np.where(full, size[r], one).astype(np.float64)
    return np.diff(indptr), cols, weight, full, missing
