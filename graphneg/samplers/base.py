r"""The negative-sampler base: everything samplers share, and one hook to write.

Concepts
--------
Given a graph :math:`G = (V, E)` with :math:`N = |V|` nodes and positives
:math:`(u_p, v_p)_{p=1..P}`, a *negative sampler* draws for each positive
:math:`K` negatives :math:`n_{p1}, \dots, n_{pK}` i.i.d. from a proposal
:math:`q(\cdot \mid u_p)` *conditioned on validity*:

.. math::

    \Pr[n \mid u] = \frac{q(n \mid u)\,\mathbb{1}[n \in C(u)]}
                         {\sum_{m \in C(u)} q(m \mid u)},
    \qquad
    C(u) = \{\, n \in V_c : n \ne u,\ (u, n) \notin \mathcal{K},\ (n, u) \notin \mathcal{K} \,\}

where :math:`\mathcal{K}` holds the message-passing edges, the positives and any
extra ``exclude_edge_index`` (split edges), and :math:`V_c \subseteq V` is an
optional candidate set (the other side of a bipartite graph). The base class
realises this conditional *exactly* in two ways:

1. **Rejection.** Propose one candidate per pending slot with the subclass hook
   :meth:`NegativeSampler._propose`, reject invalid ones with one vectorised
   membership test (:class:`graphneg.edges.EdgeSet`), repeat for the rejected
   slots only. Expected rounds are :math:`1 / \Pr_q[C(u)]`.
2. **Exact complement.** Anchors whose valid share :math:`|C(u)| / |V_c|` is below
   ``fallback_ratio`` (dense neighbourhoods), and slots still pending after
   ``max_rounds`` rounds, are drawn from the enumerated candidate set with weights
   ``exp(_log_weights)`` — the same :math:`q` stated pointwise — in row chunks.

Both paths draw from the same conditional, so mixing them keeps the result exact.
If :math:`q` gives no mass at all to :math:`C(u)` the conditional is undefined;
the exact path then draws uniformly over :math:`C(u)` and counts the anchor in
``SamplerStats.extra["zero_mass_anchors"]`` (never a NaN, never silent).
Anchors with :math:`C(u) = \emptyset` (a star's hub) raise
:class:`NoNegativeCandidatesError` naming them, or are dropped with
``on_impossible="drop"`` (counted in :class:`SamplerStats`).

Layout (DESIGN.md §3): negatives of positive :math:`p` occupy columns
``p*K .. p*K+K-1`` of the returned ``(2, P*K)`` tensor, row 0 the anchor.

Writing a sampler
-----------------
Subclass, register by name, and write :meth:`_propose`; override
:meth:`_log_weights` when :math:`q` is not uniform::

    class MySampler(NegativeSampler, name="mine"):
        def _propose(self, anchors, generator, ctx):
            return ...  # LongTensor shaped like anchors, one draw of q(.|u) each

Cost: building the exclusion set is :math:`O((E + P) \log (E + P))`; each
rejection round costs one proposal plus :math:`O(S \log E)` lookups for the
:math:`S` pending slots.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, ClassVar, Dict, Optional, Tuple, Type, Union

import torch
from torch import Tensor
from torch_geometric.transforms import BaseTransform

from graphneg._random import Seed, as_generator
from graphneg._validation import (
    check_bool, check_edge_index, check_int, check_num_nodes, check_option, check_real,
)
from graphneg.edges import EdgeSet, degree
from graphneg.registry import Registry

__all__ = [
    "RegisteredSampler", "NegativeSampler", "NoNegativeCandidatesError", "SamplerStats",
    "SamplingContext", "SAMPLERS", "get_sampler", "sampler_names",
]

SAMPLERS: Registry[Type["NegativeSampler"]] = Registry("sampler")

#: Rows of a dense ``(rows, N)`` block processed at once by the exact path.
_CHUNK_ELEMENTS = 1 << 22


class NoNegativeCandidatesError(ValueError):
    """Raised when an anchor has no valid negative (e.g. a star's hub).

    Attributes
    ----------
    anchors : LongTensor
        The node ids with an empty candidate set.
    """

    def __init__(self, anchors: Tensor, message: str):
        super().__init__(message)
        self.anchors = anchors


@dataclass
class SamplerStats:
    """Bookkeeping of one sampling call; the analysis layer reads it.

    Attributes
    ----------
    requested : int
        Negative slots asked for (``P * num_neg``, or ``num_neg`` in pairs mode).
    drawn : int
        Negatives returned.
    rejected : int
        Proposals rejected (self-loop, known edge, outside the candidate set).
    dropped : int
        Positives dropped because their anchor has no valid candidate.
    impossible_anchors : int
        Distinct anchors with an empty candidate set.
    exact_slots : int
        Slots drawn by the exact complement path.
    rounds : int
        Rejection rounds run.
    extra : dict
        Sampler-specific counts (fallbacks, truncated mass, ...).
    """

    requested: int = 0
    drawn: int = 0
    rejected: int = 0
    dropped: int = 0
    impossible_anchors: int = 0
    exact_slots: int = 0
    rounds: int = 0
    extra: Dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, float]:
        """Flat dict (``extra`` merged in), ready for a DataFrame row."""
        out = asdict(self)
        out.update(out.pop("extra"))
        return out


class SamplingContext:
    """What a hook may read during one call (built by the base, read-only).

    Attributes
    ----------
    num_nodes : int
    edge_index : LongTensor, shape (2, E)
        Message-passing edges.
    known : EdgeSet
        Every excluded pair (edges, positives, ``exclude_edge_index``; both
        directions unless the sampler is directed).
    candidate_mask : BoolTensor, shape (num_nodes,), or None
        Nodes allowed as negatives (``None``: all).
    data : Data or None
        The graph when called as a transform (for ``x`` and other attributes).
    kwargs : dict
        Extra keyword arguments given to :meth:`NegativeSampler.sample`
        (e.g. embeddings ``z`` for score-aware samplers).
    """

    def __init__(self, num_nodes: int, edge_index: Tensor, known: EdgeSet,
                 candidate_mask: Optional[Tensor], data: Any, kwargs: Dict[str, Any]):
        self.num_nodes = num_nodes
        self.edge_index = edge_index
        self.known = known
        self.candidate_mask = candidate_mask
        self.data = data
        self.kwargs = kwargs
        self._cache: Dict[str, Any] = {}

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """Compute ``make()`` once per call and reuse it (degrees, CDFs, CSR...)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def degree(self) -> Tensor:
        """Degree of every node in ``edge_index`` (out-degree), shape ``(N,)``."""
        return self.cached("degree", lambda: degree(self.edge_index, self.num_nodes))

    @property
    def candidates(self) -> Optional[Tensor]:
        """Ids of allowed negatives, or ``None`` when every node is allowed."""
        if self.candidate_mask is None:
            return None
        return self.cached("candidates", lambda: self.candidate_mask.nonzero().view(-1))

    def is_valid(self, anchors: Tensor, cand: Tensor) -> Tensor:
        """Mask of valid ``(anchor, candidate)`` pairs (shapes broadcast)."""
        ok = (cand != anchors) & ~self.known.contains(anchors, cand)
        if self.candidate_mask is not None:
            ok &= self.candidate_mask[cand]
        return ok


class RegisteredSampler(BaseTransform):
    """What every sampler family shares: registration by subclass name, the common
    parameters, one seeded generator, and RNG state for checkpoints.

    A family sets ``registry``; ``class X(Family, name="short")`` registers ``X``.

    Parameters
    ----------
    num_neg : int
        Negatives per anchor (``>= 1``).
    seed : int, torch.Generator or None
        Seeds the sampler's own generator once; every call advances it.
    on_impossible : {"raise", "drop"}
    max_rounds : int
        Rejection rounds before a family's exact path.
    """

    registry: ClassVar[Registry] = SAMPLERS
    name: ClassVar[str] = ""

    def __init_subclass__(cls, name: Optional[str] = None, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if name is not None:
            cls.name = name
            cls.registry.add(name, cls)

    def __init__(self, num_neg: int, *, seed: Seed, on_impossible: str, max_rounds: int):
        owner = type(self).__name__
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.on_impossible = check_option(on_impossible, "on_impossible", ("raise", "drop"),
                                          owner=owner)
        self.max_rounds = check_int(max_rounds, "max_rounds", low=1, owner=owner)
        self.seed = seed if not isinstance(seed, torch.Generator) else "generator"
        self.generator = as_generator(seed)
        self.last_stats = SamplerStats()

    def _raise_impossible(self, bad: Tensor, what: str, why: str,
                          error: Type[NoNegativeCandidatesError]) -> None:
        """Under ``on_impossible="raise"``, raise ``error`` naming (up to ten of) the
        distinct anchors ``bad``; otherwise return so the caller drops them."""
        if self.on_impossible != "raise":
            return
        shown = bad[:10].tolist()
        more = f" and {bad.numel() - 10} more" if bad.numel() > 10 else ""
        raise error(bad, f"{type(self).__name__}: anchor {what} {shown}{more} have no valid "
                         f"{why}. Use on_impossible='drop' to drop them.")

    def get_rng_state(self) -> Tensor:
        """The generator state (for checkpoints)."""
        return self.generator.get_state()

    def set_rng_state(self, state: Tensor) -> None:
        """Restore a state saved by :meth:`get_rng_state`."""
        self.generator.set_state(state)


class NegativeSampler(RegisteredSampler):
    r"""Base class of every negative sampler: a PyG transform with a tensor face.

    Parameters
    ----------
    num_neg : int, default 1
        Negatives per positive (``mode="per_anchor"``) or in total (``mode="pairs"``).
    seed : int, torch.Generator or None
        Seeds the sampler's own generator once; every call advances it.
    on_impossible : {"raise", "drop"}
        What to do with anchors that have no valid negative.
    mode : {"per_anchor", "pairs"}
        ``"per_anchor"``: negatives ``(u_p, n)`` grouped by positive.
        ``"pairs"``: ``num_neg`` pairs with ``u`` uniform over nodes and
        ``n ~ q(·|u)``, jointly conditioned on validity (uniform non-edges for
        the uniform sampler).
    directed : bool, default False
        If False a pair is invalid when it is an edge in *either* direction.
    fallback_ratio : float in [0, 1], default 0.1
        Anchors whose valid share ``|C(u)| / |V_c|`` is below this use the exact
        complement path directly.
    max_rounds : int, default 32
        Rejection rounds before the remaining slots use the exact path.

    Notes
    -----
    Subclasses write :meth:`_propose` (and :meth:`_log_weights` if ``q`` is not
    uniform); see the module docstring for the exact distribution.

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> neg = UniformNegativeSampler(2, seed=0).sample(ei, 4)
    >>> neg.shape
    torch.Size([2, 8])
    """

    #: ``True`` when ``_log_weights`` is not uniform (tests enumerate it).
    weighted: ClassVar[bool] = False
    #: Whether the sampler needs embeddings ``z`` at call time.
    needs_embeddings: ClassVar[bool] = False

    def __init__(self, num_neg: int = 1, *, seed: Seed = None, on_impossible: str = "raise",
                 mode: str = "per_anchor", directed: bool = False,
                 fallback_ratio: float = 0.1, max_rounds: int = 32):
        super().__init__(num_neg, seed=seed, on_impossible=on_impossible, max_rounds=max_rounds)
        owner = type(self).__name__
        self.mode = check_option(mode, "mode", ("per_anchor", "pairs"), owner=owner)
        self.directed = check_bool(directed, "directed", owner=owner)
        self.fallback_ratio = check_real(fallback_ratio, "fallback_ratio", low=0, high=1,
                                         owner=owner)
        self._zero_mass_anchors = 0

    # ------------------------------------------------------------------ hooks
    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        """Draw one candidate ``n ~ q(·|u)`` for every entry ``u`` of ``anchors``.

        Proposals may be invalid (the base rejects them); they must lie in
        ``[0, num_nodes)`` and have the shape of ``anchors``.
        """
        raise NotImplementedError

    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        """``log q(n|u)`` up to a per-anchor constant, shape ``(A, C)`` for
        ``anchors`` ``(A,)`` and ``candidates`` ``(C,)``; uniform by default."""
        return torch.zeros(anchors.numel(), candidates.numel())

    # ------------------------------------------------------------ tensor face
    def sample(self, edge_index: Tensor, num_nodes: Optional[int] = None, *,
               pos_edge_index: Optional[Tensor] = None,
               exclude_edge_index: Optional[Tensor] = None,
               candidate_mask: Optional[Tensor] = None,
               return_mask: bool = False, data: Any = None,
               **kwargs: Any) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        r"""Draw negatives.

        Parameters
        ----------
        edge_index : LongTensor, shape (2, E)
            Message-passing edges (both directions for undirected graphs).
        num_nodes : int, optional
            Defaults to ``max(edge_index) + 1``.
        pos_edge_index : LongTensor, shape (2, P), optional
            Positives whose sources are the anchors; defaults to ``edge_index``.
            They are excluded as negatives too.
        exclude_edge_index : LongTensor, shape (2, X), optional
            Further pairs never to return (validation/test edges).
        candidate_mask : BoolTensor, shape (num_nodes,), optional
            Nodes allowed as negatives (e.g. one side of a bipartite graph).
        return_mask : bool
            Also return the ``(P,)`` mask of positives kept (all True unless
            ``on_impossible="drop"`` dropped some).
        **kwargs
            Passed to the hooks through :class:`SamplingContext` (``z=...``).

        Returns
        -------
        LongTensor, shape (2, P_kept * num_neg) or (2, num_neg) in pairs mode
            Row 0 anchors, row 1 negatives, grouped by positive.
        """
        owner = type(self).__name__
        edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
        num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
        if pos_edge_index is None:
            pos_edge_index = edge_index
        pos_edge_index = check_edge_index(pos_edge_index, "pos_edge_index",
                                          num_nodes=num_nodes, owner=owner)
        if exclude_edge_index is not None:
            exclude_edge_index = check_edge_index(exclude_edge_index, "exclude_edge_index",
                                                  num_nodes=num_nodes, owner=owner)
        if candidate_mask is not None:
            if (not isinstance(candidate_mask, Tensor) or candidate_mask.dtype != torch.bool
                    or candidate_mask.shape != (num_nodes,)):
                raise ValueError(
                    f"The 'candidate_mask' parameter of {owner} must be a BoolTensor of shape "
                    f"({num_nodes},). Got {getattr(candidate_mask, 'shape', candidate_mask)} instead.")
        known = EdgeSet([edge_index, pos_edge_index, exclude_edge_index], num_nodes,
                        undirected=not self.directed)
        ctx = SamplingContext(num_nodes, edge_index, known, candidate_mask, data, kwargs)
        self._check_context(ctx)
        self._zero_mass_anchors = 0
        if self.mode == "pairs":
            neg = self._sample_pairs(ctx)
            keep = torch.ones(pos_edge_index.size(1), dtype=torch.bool)
        else:
            neg, keep = self._sample_per_anchor(pos_edge_index[0], ctx)
        return (neg, keep) if return_mask else neg

    def _check_context(self, ctx: SamplingContext) -> None:
        """Validate call-time inputs (embeddings, attributes); no-op by default."""

    def _num_valid(self, ctx: SamplingContext) -> Tensor:
        """``|C(u)|`` for every node ``u``, shape ``(N,)``."""
        return ctx.cached("num_valid", lambda: self._count_valid(ctx))

    @staticmethod
    def _count_valid(ctx: SamplingContext) -> Tensor:
        n = ctx.num_nodes
        if ctx.candidate_mask is None:
            return n - 1 - ctx.known.num_excluded()
        row = torch.div(ctx.known.keys, n, rounding_mode="floor")
        col = ctx.known.keys - row * n
        off = row != col
        mask = ctx.candidate_mask
        sel = off & mask[col]
        return int(mask.sum()) - mask.long() - torch.bincount(row[sel], minlength=n)

    def _sample_per_anchor(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        k, n = self.num_neg, ctx.num_nodes
        num_valid = self._num_valid(ctx)
        stats = SamplerStats(requested=anchors.numel() * k)
        possible = num_valid[anchors] > 0
        if not bool(possible.all()):
            bad = torch.unique(anchors[~possible])
            stats.impossible_anchors = bad.numel()
            self._raise_impossible(bad, "node(s)", "negative candidate (every other node is a "
                                   "known edge)", NoNegativeCandidatesError)
            stats.dropped = int((~possible).sum())
            anchors = anchors[possible]
        slot_anchor = anchors.repeat_interleave(k)
        out = torch.full_like(slot_anchor, -1)
        pool = (int(ctx.candidate_mask.sum()) if ctx.candidate_mask is not None else n) - 1
        share = num_valid.double() / max(pool, 1)
        direct = share[slot_anchor] < self.fallback_ratio
        pending = (~direct).nonzero().view(-1)
        while pending.numel() > 0 and stats.rounds < self.max_rounds:
            stats.rounds += 1
            a = slot_anchor[pending]
            prop = self._propose(a, self.generator, ctx)
            ok = ctx.is_valid(a, prop)
            out[pending[ok]] = prop[ok]
            stats.rejected += int((~ok).sum())
            pending = pending[~ok]
        exact = torch.cat([direct.nonzero().view(-1), pending])
        if exact.numel() > 0:
            out[exact] = self._draw_exact(slot_anchor[exact], ctx)
            stats.exact_slots = exact.numel()
        stats.drawn = out.numel()
        stats.extra.update(self._extra_stats(ctx))
        if self._zero_mass_anchors:
            stats.extra["zero_mass_anchors"] = self._zero_mass_anchors
        self.last_stats = stats
        return torch.stack([slot_anchor, out]), possible

    def _draw_exact(self, slot_anchor: Tensor, ctx: SamplingContext) -> Tensor:
        """Exact draws from ``q(·|u)`` restricted to ``C(u)``, one per slot, chunked."""
        uniq, inv = torch.unique(slot_anchor, return_inverse=True)
        counts = torch.bincount(inv, minlength=uniq.numel())
        # rank of every slot among the slots of its anchor
        order = torch.argsort(inv, stable=True)
        starts = torch.cumsum(counts, 0) - counts
        rank = torch.empty_like(inv)
        rank[order] = torch.arange(inv.numel()) - starts[inv[order]]
        cand = ctx.candidates if ctx.candidates is not None else torch.arange(ctx.num_nodes)
        out = torch.empty_like(slot_anchor)
        rows = max(1, _CHUNK_ELEMENTS // max(cand.numel(), 1))
        for lo in range(0, uniq.numel(), rows):  # chunks of anchors, not a per-anchor loop
            a = uniq[lo:lo + rows]
            logw = self._log_weights(a, cand, ctx).to(torch.double)
            valid = ctx.is_valid(a.view(-1, 1), cand.view(1, -1))
            logw = logw.masked_fill(~valid, float("-inf"))
            # q gives no mass to any valid candidate of these anchors: draw uniformly
            # over their valid candidates instead, and count it (never a NaN row)
            dead = torch.isneginf(logw).all(1) & valid.any(1)
            if bool(dead.any()):
                logw[dead] = torch.zeros_like(logw[dead]).masked_fill(~valid[dead], float("-inf"))
                self._zero_mass_anchors += int(dead.sum())
            prob = torch.softmax(logw, dim=1)
            m = int(counts[lo:lo + rows].max())
            draws = torch.multinomial(prob, m, replacement=True, generator=self.generator)
            sel = (inv >= lo) & (inv < lo + a.numel())
            out[sel] = cand[draws[inv[sel] - lo, rank[sel]]]
        return out

    def _sample_pairs(self, ctx: SamplingContext) -> Tensor:
        k, n = self.num_neg, ctx.num_nodes
        stats = SamplerStats(requested=k)
        num_valid = self._num_valid(ctx)
        if int(num_valid.sum()) == 0:
            raise NoNegativeCandidatesError(
                torch.arange(n), f"{type(self).__name__}: the graph has no valid negative pair "
                                 f"(it is complete on {n} nodes).")
        out = torch.empty(2, k, dtype=torch.long)
        pending = torch.arange(k)
        share = float(num_valid.sum()) / max(n * (n - 1), 1)
        if share >= self.fallback_ratio:
            while pending.numel() > 0 and stats.rounds < self.max_rounds:
                stats.rounds += 1
                a = torch.randint(n, (pending.numel(),), generator=self.generator)
                prop = self._propose(a, self.generator, ctx)
                ok = ctx.is_valid(a, prop)
                out[0, pending[ok]] = a[ok]
                out[1, pending[ok]] = prop[ok]
                stats.rejected += int((~ok).sum())
                pending = pending[~ok]
        if pending.numel() > 0:
            # exact: anchor u with prob ∝ Σ_{n∈C(u)} q(n|u) / Z_u-normalised mass
            # (uniform anchors), then n from the exact conditional of u.
            anchors_all = torch.arange(n)
            mass = self._valid_mass(anchors_all, ctx)
            a = torch.multinomial(mass, pending.numel(), replacement=True,
                                  generator=self.generator)
            out[0, pending] = a
            out[1, pending] = self._draw_exact(a, ctx)
            stats.exact_slots = pending.numel()
        stats.drawn = k
        stats.extra.update(self._extra_stats(ctx))
        if self._zero_mass_anchors:
            stats.extra["zero_mass_anchors"] = self._zero_mass_anchors
        self.last_stats = stats
        return out

    def _valid_mass(self, anchors: Tensor, ctx: SamplingContext) -> Tensor:
        """``Σ_{n ∈ C(u)} q(n|u)`` for normalised ``q``, per anchor (chunked)."""
        cand = ctx.candidates if ctx.candidates is not None else torch.arange(ctx.num_nodes)
        rows = max(1, _CHUNK_ELEMENTS // max(cand.numel(), 1))
        out = []
        for lo in range(0, anchors.numel(), rows):
            a = anchors[lo:lo + rows]
            logq = torch.log_softmax(self._log_weights(a, cand, ctx).double(), dim=1)
            valid = ctx.is_valid(a.view(-1, 1), cand.view(1, -1))
            out.append(logq.exp().nan_to_num(0.0).masked_fill(~valid, 0).sum(1))
        return torch.cat(out)

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        """Sampler-specific counts for :class:`SamplerStats` ``extra``."""
        return {}

    # --------------------------------------------------------- transform face
    def __call__(self, data: Any, **kwargs: Any) -> Any:
        return self.forward(copy.copy(data), **kwargs)

    def forward(self, data: Any, **kwargs: Any) -> Any:
        """Write ``edge_label_index`` / ``edge_label`` as ``T.RandomLinkSplit`` does.

        Positives are ``data.edge_label_index`` (those labelled 1 when
        ``edge_label`` exists) if present, else ``data.edge_index``. Extra
        keyword arguments (``z=``, ``exclude_edge_index=``) go to :meth:`sample`.
        Writes ``data.neg_stats`` (a dict, see :class:`SamplerStats`).
        """
        if getattr(data, "edge_label_index", None) is not None:
            pos = data.edge_label_index
            label = getattr(data, "edge_label", None)
            if label is not None:
                pos = pos[:, label == 1]
        else:
            pos = data.edge_index
        if pos.numel() == 0 and self.mode == "per_anchor":
            raise ValueError(f"{type(self).__name__}: the data has no positive edges to "
                             f"sample negatives for. Got edge_label_index of shape "
                             f"{tuple(pos.shape)}.")
        neg, keep = self.sample(data.edge_index, data.num_nodes, pos_edge_index=pos,
                                return_mask=True, data=data, **kwargs)
        pos = pos[:, keep]
        label = getattr(data, "edge_label", None)
        dtype = label.dtype if label is not None else torch.float
        data.edge_label_index = torch.cat([pos, neg], 1)
        data.edge_label = torch.cat([torch.ones(pos.size(1), dtype=dtype),
                                     torch.zeros(neg.size(1), dtype=dtype)])
        data.neg_stats = self.last_stats.as_dict()
        return data

    def _config(self) -> Dict[str, Any]:
        """Parameters shown by ``repr``; subclasses add theirs."""
        return {"num_neg": self.num_neg, "mode": self.mode, "on_impossible": self.on_impossible}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"


def get_sampler(sampler: Union[str, NegativeSampler], **kwargs: Any) -> NegativeSampler:
    """Resolve a sampler from a registry name (building it with ``kwargs``) or
    return an instance unchanged.

    Examples
    --------
    >>> get_sampler("uniform", num_neg=3)
    UniformNegativeSampler(num_neg=3, mode='per_anchor', on_impossible='raise')
    """
    if isinstance(sampler, NegativeSampler):
        return sampler
    if isinstance(sampler, str):
        return SAMPLERS.get(sampler)(**kwargs)
    raise TypeError("The 'sampler' parameter must be a registered name or a NegativeSampler. "
                    f"Got {type(sampler).__name__} instead.")


def sampler_names() -> list:
    """Registered sampler names, sorted."""
    return SAMPLERS.names()
