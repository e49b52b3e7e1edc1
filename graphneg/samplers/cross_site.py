r"""Cross-site (clinical) negative sampling: control how often negatives share the anchor's site.

In multi-site clinical data every patient belongs to a site (hospital). Negatives
from the anchor's own site share its site effect (scanner, protocol, population),
so the model must separate patients *within* a site; negatives from other sites
can be told apart by the site effect alone (a domain shortcut). The sampler makes
the share explicit.

With :math:`C(u)` the valid candidates (not ``u``, not a known edge, inside the
candidate set, with a site), split them into the anchor's site and the rest:

.. math::

    S(u) = \{ n \in C(u) : \mathrm{site}(n) = \mathrm{site}(u) \}, \qquad
    O(u) = C(u) \setminus S(u),

.. math::

    \Pr[n \mid u] = \frac{\pi_u}{|S(u)|}\,\mathbb{1}[n \in S(u)]
                  + \frac{1 - \pi_u}{|O(u)|}\,\mathbb{1}[n \in O(u)],
    \qquad
    \pi_u = \begin{cases} \pi & S(u) \ne \emptyset,\ O(u) \ne \emptyset \\
                          1 & O(u) = \emptyset \\
                          0 & S(u) = \emptyset \end{cases}

so exactly a share ``π`` of an anchor's negatives come from its own site whenever
both sides have a valid candidate; when one side is empty every negative comes
from the other side (counted in ``last_stats.extra``). Nodes with site ``-1``
(e.g. the finding nodes of a patient–finding graph) are never negatives; an
anchor with site ``-1`` has ``S(u) = ∅``. On a batch of graphs (``batch=``) both
sides are taken inside the anchor's own graph: each member graph's own law.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any, Dict

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Interval
from graphneg.samplers.base import _CHUNK_ELEMENTS, NegativeSampler, SamplingContext

__all__ = ["CrossSiteNegativeSampler", "cross_site_negatives", "check_sites"]


def check_sites(site: Any, num_nodes: int, *, owner: str) -> Tensor:
    """Validate site labels: integers ``>= -1`` of shape ``(num_nodes,)`` (``-1`` = no site).

    Examples
    --------
    >>> check_sites(torch.tensor([0, 1, -1]), 3, owner="x").tolist()
    [0, 1, -1]
    """
    if isinstance(site, np.ndarray):
        site = torch.from_numpy(site)
    if not isinstance(site, Tensor) or site.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"The 'site' parameter of {owner} must be an integer tensor of shape "
                        f"({num_nodes},) (-1 for nodes without a site). Got "
                        f"{getattr(site, 'dtype', type(site).__name__)} instead.")
    if site.shape != (num_nodes,):
        raise ValueError(f"The 'site' parameter of {owner} must have shape ({num_nodes},). "
                         f"Got {tuple(site.shape)} instead.")
    site = site.long()
    if site.numel() and int(site.min()) < -1:
        raise ValueError(f"The 'site' parameter of {owner} must hold site ids >= 0 or -1 "
                         f"(no site). Got {int(site.min())} instead.")
    return site


class CrossSiteNegativeSampler(NegativeSampler, name="cross_site"):
    r"""With probability ``π`` a negative from the anchor's own site, else from another site.

    Parameters
    ----------
    num_neg : int, default 1
    same_site_prob : float in [0, 1], default 0.5
        ``π``; the exact law (and what happens when a side is empty) is in the
        module docstring.
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Call-time data
    --------------
    ``site=`` (LongTensor, shape ``(N,)``, ``-1`` = no site) as a keyword argument
    of :meth:`sample`, else ``data.site``.

    Notes
    -----
    Each slot first draws its side (own site with probability ``π_u``), then a
    node uniformly from that side's pool (nodes sorted by site, so "other sites" is
    the pool minus one contiguous block: ``O(1)`` per draw), rejecting invalid
    ones *within the side*; slots still pending after ``max_rounds`` rounds are
    drawn from the enumerated side. ``|S(u)|``, ``|O(u)|`` come from one pass
    over the excluded pairs, ``O(E + N)``. Expected cost per negative
    ``O(|pool side| / |valid side| · log E)``.

    Examples
    --------
    >>> site = torch.tensor([0, 0, 0, 1, 1, 1])
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> s = CrossSiteNegativeSampler(4, same_site_prob=1.0, seed=0)
    >>> s.sample(ei, 6, pos_edge_index=ei[:, :1], site=site)[1].tolist()  # only node 2 is left
    [2, 2, 2, 2]
    """

    requires = ("site",)
    _parameter_constraints = {"same_site_prob": [Interval(Real, 0, 1, closed="both")]}

    def __init__(self, num_neg: int = 1, *, same_site_prob: float = 0.5, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    # ------------------------------------------------------------ call-time data
    def _check_context(self, ctx: SamplingContext) -> None:
        owner = type(self).__name__
        site = ctx.kwargs.get("site")
        if site is None and ctx.data is not None:
            site = getattr(ctx.data, "site", None)
        if site is None:
            raise ValueError(f"{owner} needs site labels: pass site= (LongTensor of shape "
                             f"({ctx.num_nodes},), -1 = no site) to sample(), or use it as a "
                             f"transform on a Data with a 'site' attribute.")
        site = check_sites(site, ctx.num_nodes, owner=owner)
        has_site = site >= 0
        # nodes without a site are never negatives
        ctx.candidate_mask = has_site if ctx.candidate_mask is None else ctx.candidate_mask & has_site
        if ctx.group is not None and bool(has_site.any()):
            # a batch of graphs: a site is a (graph, site) pair, sorted graph-major
            site = torch.where(has_site, ctx.group * (int(site.max()) + 1) + site, site)
        ctx.inputs["site"] = site

    def _tables(self, ctx: SamplingContext) -> "_SiteTables":
        """Pools sorted by site and the valid side sizes ``|S(u)|``, ``|O(u)|`` (once per call)."""
        def make():
            site, mask, n = ctx.inputs["site"], ctx.candidate_mask, ctx.num_nodes
            num_sites = int(site.max()) + 1 if bool((site >= 0).any()) else 0
            pool_nodes = mask.nonzero().view(-1)
            pool = pool_nodes[torch.argsort(site[pool_nodes], stable=True)]
            size = torch.bincount(site[pool], minlength=num_sites)
            ptr = torch.cumsum(size, 0) - size
            # excluded pairs (u, n != u) with n in the pool, split by side
            row = torch.div(ctx.known.keys, n, rounding_mode="floor")
            col = ctx.known.keys - row * n
            sel = (row != col) & mask[col]
            same_pair = sel & (site[row] == site[col]) & (site[row] >= 0)
            excl_same = torch.bincount(row[same_pair], minlength=n)
            excl_all = torch.bincount(row[sel], minlength=n)
            own = torch.where(site >= 0, size[site.clamp_min(0)] if num_sites else
                              torch.zeros_like(site), torch.zeros_like(site))
            own_pool = own - (mask & (site >= 0)).long()       # pool nodes of u's site, minus u
            num_same = own_pool - excl_same
            if ctx.group is None:
                g_start = torch.zeros(n, dtype=torch.long)
                g_total = torch.full((n,), pool.numel(), dtype=torch.long)
            else:   # the anchor's own graph: a contiguous block of the graph-major pool
                excl_all = torch.bincount(row[sel & (ctx.group[row] == ctx.group[col])],
                                          minlength=n)
                per_graph = torch.bincount(ctx.group[pool], minlength=int(ctx.group.max()) + 1)
                g_total = per_graph[ctx.group]
                g_start = (torch.cumsum(per_graph, 0) - per_graph)[ctx.group]
            num_other = (g_total - own) - (excl_all - excl_same)
            p = torch.full((n,), self.same_site_prob, dtype=torch.double)
            p = torch.where(num_other == 0, torch.ones_like(p), p)
            p = torch.where(num_same == 0, torch.zeros_like(p), p)
            return _SiteTables(pool, size, ptr, own, num_same, num_other, p, g_start, g_total)
        return ctx.cached("cross_site:tables", make)

    # ------------------------------------------------------------------ hooks
    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        t, site = self._tables(ctx), ctx.inputs["site"]
        p = t.p_same[anchors].view(-1, 1)
        same = (site[anchors].view(-1, 1) == site[candidates].view(1, -1)) & (
            site[anchors].view(-1, 1) >= 0)
        w_same = p / t.num_same[anchors].view(-1, 1).clamp_min(1)
        w_other = (1 - p) / t.num_other[anchors].view(-1, 1).clamp_min(1)
        valid = ctx.is_valid(anchors.view(-1, 1), candidates.view(1, -1))
        # normalised over C(u) exactly (so the pairs-mode anchor mass is 1 per possible anchor)
        return torch.where(same, w_same, w_other).log().masked_fill(~valid, float("-inf"))

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        t, site = self._tables(ctx), ctx.inputs["site"]
        possible = (t.num_same[anchors] + t.num_other[anchors]) > 0
        same_side = torch.rand(anchors.numel(), generator=generator,
                               dtype=torch.double) < t.p_same[anchors]
        out = anchors.clone()  # impossible anchors propose themselves (rejected by the base)
        pending = possible.nonzero().view(-1)
        s_u = site[anchors].clamp_min(0)
        for _ in range(self.max_rounds):  # rejection within the chosen side
            if pending.numel() == 0:
                break
            prop = self._draw_side(anchors[pending], same_side[pending], s_u[pending], t,
                                   site, generator)
            ok = ctx.is_valid(anchors[pending], prop)
            out[pending[ok]] = prop[ok]
            pending = pending[~ok]
        if pending.numel() > 0:
            out[pending] = self._draw_side_exact(anchors[pending], same_side[pending], ctx,
                                                 generator)
        return out

    @staticmethod
    def _draw_side(anchors, same_side, s_u, t, site, generator) -> Tensor:
        r = torch.rand(anchors.numel(), generator=generator, dtype=torch.double)
        has_site = site[anchors] >= 0
        own = torch.where(has_site, t.size[s_u] if t.size.numel() else
                          torch.zeros_like(s_u), torch.zeros_like(s_u))
        start = torch.where(has_site, t.ptr[s_u] if t.ptr.numel() else
                            torch.zeros_like(s_u), torch.zeros_like(s_u))
        total, g_start, g_total = t.pool.numel(), t.g_start[anchors], t.g_total[anchors]
        # same side: start + U[0, own); other side: the anchor's graph block (the whole pool
        # outside a batch) g_start + U[0, g_total - own), skipping the own block
        j_same = start + (r * own).long().clamp_max((own - 1).clamp_min(0))
        j_other = g_start + (r * (g_total - own)).long().clamp_max((g_total - own - 1).clamp_min(0))
        j_other = torch.where(j_other >= start, j_other + own, j_other)
        j = torch.where(same_side, j_same, j_other)
        return t.pool[j.clamp(0, max(total - 1, 0))]

    def _draw_side_exact(self, anchors, same_side, ctx, generator) -> Tensor:
        site = ctx.inputs["site"]
        cand = ctx.candidates
        out = torch.empty_like(anchors)
        rows = max(1, _CHUNK_ELEMENTS // max(cand.numel(), 1))
        for lo in range(0, anchors.numel(), rows):  # blocks of slots
            a, side = anchors[lo:lo + rows], same_side[lo:lo + rows]
            same = (site[a].view(-1, 1) == site[cand].view(1, -1)) & (site[a].view(-1, 1) >= 0)
            w = (ctx.is_valid(a.view(-1, 1), cand.view(1, -1)) & (same == side.view(-1, 1)))
            out[lo:lo + rows] = cand[torch.multinomial(w.double(), 1, generator=generator).view(-1)]
        return out

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        t = self._tables(ctx)
        return {"anchors_without_same_site": int((t.num_same == 0).sum()),
                "anchors_without_other_site": int((t.num_other == 0).sum())}



@dataclass
class _SiteTables:
    """Per-call tables of :class:`CrossSiteNegativeSampler`: the candidate ``pool``
    sorted by site, each site's ``size`` and start ``ptr`` in it, every node's
    ``own`` site size, its valid same-side and other-side counts ``num_same``,
    ``num_other`` (shape ``(N,)``), its same-side probability ``p_same``, and the
    start and size of its member graph's block of ``pool`` (``g_start``, ``g_total``;
    the whole pool outside a batch of graphs)."""

    pool: Tensor
    size: Tensor
    ptr: Tensor
    own: Tensor
    num_same: Tensor
    num_other: Tensor
    p_same: Tensor
    g_start: Tensor
    g_total: Tensor


def cross_site_negatives(edge_index: Tensor, num_nodes=None, *, site: Tensor, num_neg: int = 1,
                         same_site_prob: float = 0.5, pos_edge_index=None,
                         exclude_edge_index=None, candidate_mask=None, seed: Seed = None,
                         on_impossible: str = "raise") -> Tensor:
    r"""Functional twin of :class:`CrossSiteNegativeSampler` (same body).

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
    num_nodes : int, optional
    site : LongTensor, shape (N,)
    num_neg, same_site_prob, pos_edge_index, exclude_edge_index, candidate_mask, seed, on_impossible
        As for the class and :meth:`~graphneg.samplers.base.NegativeSampler.sample`.

    Returns
    -------
    LongTensor, shape (2, P * num_neg)
        Row 0 the anchor of every positive, row 1 its negatives: from the anchor's own
        site with probability ``same_site_prob``, else from another site.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])  # site 1 holds node 2 only
    >>> cross_site_negatives(ei, 4, site=torch.tensor([0, 0, 1, 0]), same_site_prob=0.0,
    ...                      seed=0).tolist()
    [[0, 1], [2, 2]]
    """
    sampler = CrossSiteNegativeSampler(num_neg, same_site_prob=same_site_prob, seed=seed,
                                       on_impossible=on_impossible)
    return sampler.sample(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                          exclude_edge_index=exclude_edge_index, candidate_mask=candidate_mask,
                          site=site)
