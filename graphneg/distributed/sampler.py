r"""Exact negatives over a graph partitioned across ``torch.distributed`` ranks.

The law is the single-process one (:mod:`graphneg.samplers.base`): for an anchor
:math:`u`,

.. math::

    \Pr[n \mid u] = \frac{q(n)\,\mathbb{1}[n \in C(u)]}{\sum_{m \in C(u)} q(m)},
    \qquad q(n) = 1 \ (\texttt{law="uniform"}) \ \text{or}\ \deg(n)^\alpha
    \ (\texttt{law="degree"}, 0^0 = 1),

with :math:`C(u)` the nodes other than :math:`u` that form no known pair with
:math:`u` in either direction, *anywhere in the graph*. Only the owner of :math:`u`
holds :math:`u`'s known row (:class:`~graphneg.distributed.partition.PartitionedGraph`),
so every decision about :math:`C(u)` is taken there:

1. **Counts.** Each rank sends its distinct anchors to their owners, which answer
   :math:`|C(u)|` and the number of valid candidates of positive weight.
   An empty :math:`C(u)` on any rank raises :class:`NoNegativeCandidatesError` on
   every rank, naming all such anchors, or drops them (``on_impossible="drop"``).
2. **Rejection.** Each pending slot proposes :math:`n \sim q` locally (:math:`q` needs
   only the global degree vector); the pairs go to the anchors' owners in one
   ``all_to_all``, which answer "valid" or not; rejected slots propose again.
3. **Exact complement.** Slots of anchors whose valid share :math:`|C(u)| / N` is below
   ``fallback_ratio``, anchors whose valid candidates all weigh 0 (drawn uniformly over
   :math:`C(u)` and counted), and slots still pending after ``max_rounds`` are sent to
   the owner, which draws them from its enumerated :math:`C(u)` with the weights
   :math:`q`.

Both paths realise the same conditional, so the result is exact, and every slot is
filled: counts are exact. Each rank draws with its own generator, derived from
``seed`` and its rank, and every exchange keeps rank order, so a seed and a world size
give the same negatives bit for bit.

Communication: per rejection round, two integers out and one back per pending slot
(none for slots whose anchor this rank owns, which still ride the same collective);
:math:`1 / \Pr_q[C(u)]` rounds in expectation.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Dict, Optional, Tuple, Union

import torch
import torch.distributed as dist
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import Interval, Options, ParamsMixin, SeedType, check_edge_index
from graphneg.samplers.base import NoNegativeCandidatesError, SamplerStats

from .partition import PartitionedGraph, Route, contains, gather_ids, known_partners, \
    ranks_agree

__all__ = ["PartitionedNegativeSampler"]

#: Elements of a dense ``(rows, N)`` block the exact path builds at once.
_CHUNK_ELEMENTS = 1 << 22


class PartitionedNegativeSampler(ParamsMixin):
    r"""Uniform or degree-biased negatives for the positives of this rank's shard.

    Parameters
    ----------
    num_neg : int, default 1
        Negatives per positive.
    law : {"uniform", "degree"}
        The proposal :math:`q` (module docstring).
    alpha : float, default 0.75
        Exponent of ``law="degree"``.
    seed : int, torch.Generator or None
        Every rank must pass the same seed; rank ``r`` draws with the ``r``-th of
        ``world_size`` seeds drawn from it.
    on_impossible : {"raise", "drop"}
    fallback_ratio : float in [0, 1], default 0.1
        Anchors with :math:`|C(u)| / N` below it are drawn by their owner's exact path.
    max_rounds : int, default 32
        Rejection rounds before the remaining slots go to the exact path.

    Attributes
    ----------
    last_stats : SamplerStats
        This rank's counts of the last call; ``extra`` holds ``pairs_sent`` (candidate
        pairs this rank sent to another rank) and ``fallback_anchors``.

    Notes
    -----
    :meth:`sample` is a collective: every rank of the graph's group calls it the same
    number of times (with its own positives, possibly none).

    Examples
    --------
    On one rank (a world of one process) it is the single-process sampler:

    >>> import torch.distributed as dist
    >>> from graphneg.distributed import Partition, PartitionedGraph
    >>> dist.init_process_group("gloo", init_method="tcp://127.0.0.1:0", rank=0, world_size=1)
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> graph = PartitionedGraph(ei, 4, Partition.contiguous(4, 1))
    >>> neg = PartitionedNegativeSampler(2, seed=0).sample(graph)
    >>> neg.shape, bool((neg[0] != neg[1]).all())
    (torch.Size([2, 8]), True)
    >>> dist.destroy_process_group()
    """

    _parameter_constraints = {
        "num_neg": [Interval(Integral, 1, None, closed="left")],
        "law": [Options(("uniform", "degree"))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "seed": [SeedType()],
        "on_impossible": [Options(("raise", "drop"))],
        "fallback_ratio": [Interval(Real, 0, 1, closed="both")],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
    }
    _repr_head = ("num_neg", "law")
    _repr_hidden = frozenset({"seed", "fallback_ratio", "max_rounds"})

    def __init__(self, num_neg: int = 1, *, law: str = "uniform", alpha: float = 0.75,
                 seed: Seed = None, on_impossible: str = "raise", fallback_ratio: float = 0.1,
                 max_rounds: int = 32):
        self._init_params(locals())

    def _setup(self) -> None:
        self._root = as_generator(self.seed)
        self._generators: Dict[Tuple[int, int], torch.Generator] = {}
        self.last_stats = SamplerStats()

    def _generator(self, rank: int, world_size: int) -> torch.Generator:
        key = (rank, world_size)
        if key not in self._generators:
            seeds = torch.randint(0, 2 ** 62, (world_size,), generator=self._root)
            gen = torch.Generator()
            gen.manual_seed(int(seeds[rank]))
            self._generators[key] = gen
        return self._generators[key]

    def weights(self, graph: PartitionedGraph) -> Tensor:
        """:math:`q(n)` up to a constant, shape ``(N,)``, float64."""
        if self.law == "uniform" or self.alpha == 0:
            return torch.ones(graph.num_nodes, dtype=torch.double)
        return graph.degree.double().pow(self.alpha)

    def sample(self, graph: PartitionedGraph, pos_edge_index: Optional[Tensor] = None, *,
               return_mask: bool = False) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        r"""Draw ``num_neg`` negatives for every positive of this rank (a collective).

        Parameters
        ----------
        graph : PartitionedGraph
        pos_edge_index : LongTensor, shape (2, P_r), optional
            This rank's positives (any anchors, not only owned ones); excluded as
            negatives everywhere. Default: the graph's local edges.
        return_mask : bool
            Also return the ``(P_r,)`` mask of positives kept.

        Returns
        -------
        LongTensor, shape (2, P_kept * num_neg)
            Row 0 anchors, row 1 negatives, grouped by positive (columns
            ``p*K .. p*K+K-1``).
        """
        owner = type(self).__name__
        n, group = graph.num_nodes, graph.group
        gen = self._generator(graph.rank, graph.world_size)
        pos = graph.edge_index if pos_edge_index is None else check_edge_index(
            pos_edge_index, "pos_edge_index", num_nodes=n, owner=owner)
        keys = graph.keys  # the graph's own edges are known already: route other positives
        if ranks_agree(pos_edge_index is not None, group):
            keys = torch.unique(torch.cat([keys, graph.route_pairs(pos)]))
        w = self.weights(graph)
        # 1. counts of C(u), asked of each anchor's owner
        anchors, pos_row = torch.unique(pos[0], return_inverse=True)
        ask = Route(graph.partition.owner[anchors], group)
        asked = ask.send(anchors)
        positive = w > 0
        src, dst = keys // n, keys % n
        heavy = torch.bincount(src[(src != dst) & positive[dst]], minlength=n)
        num_valid = n - 1 - known_partners(keys, asked, n)
        num_heavy = int(positive.sum()) - positive[asked].long() - heavy[asked]
        counts = ask.reply(torch.stack([num_valid, num_heavy], 1))
        bad = anchors[counts[:, 0] == 0]
        all_bad = gather_ids(bad, group)
        if all_bad.numel() and self.on_impossible == "raise":
            shown = all_bad[:10].tolist()
            more = f" and {all_bad.numel() - 10} more" if all_bad.numel() > 10 else ""
            raise NoNegativeCandidatesError(
                all_bad, f"{owner}: anchor(s) {shown}{more} have no valid negative on any "
                         "rank. Use on_impossible='drop' to drop them.")
        keep = ~torch.isin(pos[0], bad)
        slot_anchor = pos[0, keep].repeat_interleave(self.num_neg)
        row = pos_row[keep].repeat_interleave(self.num_neg)
        valid, heavy_valid = counts[row, 0], counts[row, 1]
        zero_mass = heavy_valid == 0
        exact = (valid.double() / n < self.fallback_ratio) | zero_mass
        out = torch.full_like(slot_anchor, -1)
        stats = SamplerStats(requested=int(keep.sum()) * self.num_neg,
                             dropped=int((~keep).sum()), impossible_anchors=int(bad.numel()))
        stats.extra.update(pairs_sent=0,
                           fallback_anchors=int(torch.unique(slot_anchor[zero_mass]).numel()))
        # 2. rejection: propose here, validate at the owner
        pending = ~exact
        cdf = None if self.law == "uniform" or self.alpha == 0 else torch.cumsum(w, 0)
        rank = graph.rank
        while stats.rounds < self.max_rounds and ranks_agree(bool(pending.any()), group):
            stats.rounds += 1
            idx = pending.nonzero().view(-1)
            cand = self._propose(idx.numel(), n, cdf, gen)
            dest = graph.partition.owner[slot_anchor[idx]]
            stats.extra["pairs_sent"] += int((dest != rank).sum())
            route = Route(dest, group)
            got = route.send(torch.stack([slot_anchor[idx], cand], 1))
            ok = (got[:, 0] != got[:, 1]) & ~contains(keys, got[:, 0], got[:, 1], n)
            ok = route.reply(ok)
            out[idx[ok]] = cand[ok]
            pending[idx[ok]] = False
            stats.rejected += int((~ok).sum())
        # 3. the exact complement, drawn by each anchor's owner
        idx = (pending | exact).nonzero().view(-1)
        stats.exact_slots = idx.numel()
        dest = graph.partition.owner[slot_anchor[idx]]
        stats.extra["pairs_sent"] += int((dest != rank).sum())
        route = Route(dest, group)
        got = route.send(slot_anchor[idx])
        out[idx] = route.reply(self._draw_exact(got, keys, w, n, gen))
        stats.drawn = out.numel()
        self.last_stats = stats
        neg = torch.stack([slot_anchor, out])
        return (neg, keep) if return_mask else neg

    @staticmethod
    def _propose(count: int, n: int, cdf: Optional[Tensor], gen: torch.Generator) -> Tensor:
        """``count`` i.i.d. draws of :math:`q`: uniform ids (``cdf`` None), else by inverse
        CDF, :math:`O(\\log N)` each."""
        if cdf is None:
            return torch.randint(n, (count,), generator=gen)
        u = torch.rand(count, generator=gen, dtype=torch.double) * cdf[-1]
        return torch.searchsorted(cdf, u, right=True).clamp_max(cdf.numel() - 1)

    @staticmethod
    def _draw_exact(slot_anchor: Tensor, keys: Tensor, w: Tensor, n: int,
                    gen: torch.Generator) -> Tensor:
        """One draw of :math:`q` restricted to :math:`C(u)` per slot (uniform over
        :math:`C(u)` where :math:`q` gives it no mass); ``slot_anchor`` owned here."""
        out = torch.empty_like(slot_anchor)
        if slot_anchor.numel() == 0:
            return out
        anchors, row = torch.unique(slot_anchor, return_inverse=True)
        order = torch.argsort(row, stable=True)
        per_anchor = torch.bincount(row, minlength=anchors.numel())
        start = torch.cumsum(per_anchor, 0) - per_anchor
        rank_in_anchor = torch.empty_like(row)
        rank_in_anchor[order] = torch.arange(row.numel()) - start[row[order]]
        src, dst = keys // n, keys % n
        step = max(1, _CHUNK_ELEMENTS // n)
        for lo in range(0, anchors.numel(), step):  # chunks of rows, not a loop over slots
            a = anchors[lo:lo + step]
            valid = torch.ones(a.numel(), n, dtype=torch.bool)
            valid[torch.arange(a.numel()), a] = False
            hit = torch.isin(src, a)
            valid[torch.searchsorted(a, src[hit]), dst[hit]] = False
            block = w.expand(a.numel(), n) * valid
            empty = block.sum(1) == 0
            block[empty] = valid[empty].double()
            draws = torch.multinomial(block, int(per_anchor[lo:lo + step].max()),
                                      replacement=True, generator=gen)
            mine = (row >= lo) & (row < lo + step)
            out[mine] = draws[row[mine] - lo, rank_in_anchor[mine]]
        return out
