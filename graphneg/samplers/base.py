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

Layout (``docs/design.md``): negatives of positive :math:`p` occupy columns
``p*K .. p*K+K-1`` of the returned ``(2, P*K)`` tensor, row 0 the anchor.

Writing a sampler
-----------------
Subclass, register by name, and write :meth:`_propose`; override
:meth:`_log_weights` when :math:`q` is not uniform::

    class MySampler(NegativeSampler, name="mine"):
        requires = ("z",)            # call-time inputs the sampler reads
        def _propose(self, anchors, generator, ctx):
            return ...  # LongTensor shaped like anchors, one draw of q(.|u) each

A sampler whose ``q`` lives on a per-anchor candidate list subclasses
:class:`graphneg.samplers.tables.TableSampler` and writes only
``_candidate_table`` instead. Hooks read per-call tables from the typed
properties of :class:`SamplingContext` (``ctx.degree``, ``ctx.known_row_ptr``,
``ctx.csr``, ``ctx.num_valid``, ``ctx.valid_block(anchors)``) and record fallbacks
with ``ctx.note_fallback``; the base reports them under ``fallback_stat``.

The protocol callers read
-------------------------
``requires`` (what to pass at call time), :meth:`NegativeSampler.on_epoch_start`
(no-op unless the sampler adapts), ``state_dict`` / ``load_state_dict``
(``{"rng_state": ...}`` plus the sampler's own state), :meth:`NegativeSampler.check_inputs`,
and the public law :meth:`NegativeSampler.log_prob` / :meth:`NegativeSampler.law`:
:math:`\log \Pr[n \mid u]` above, which both sampling paths realise (the contract
test checks each against it).

What a sampler accepts (:attr:`NegativeSampler.accepts`; any other keyword argument
raises ``TypeError`` naming it), and where it runs:

- **PyG inputs** (:mod:`graphneg.samplers.pyg`): ``edge_index`` or ``adj_t``
  (``T.ToSparseTensor``); labelled splits (label 0 = negative, every other class a
  positive; ``existing_negatives="keep" | "replace" | "raise"``); a bipartite
  ``num_nodes=(N_src, N_dst)``; a ``Batch`` (``batch=``: every pair inside one
  member graph, the law of each graph); a ``HeteroData`` (``edge_types=``,
  ``rev_edge_types=``). An empty set of positives gives ``(2, 0)``.
- **Mini-batches**: :meth:`NegativeSampler.prepare` builds the exclusion index of
  the graph and all positives once; :class:`PreparedSampler` then samples any batch
  of those positives from the same law (the same bits as :meth:`NegativeSampler.sample`
  with the same exclusion set).
- **Device**: outputs are on the device of the input ``edge_index``; tensors on
  another device are drawn on the CPU with the sampler's CPU generator (same seed,
  same negatives on every device) and moved back, one copy each way per call.

Cost: building the exclusion set is :math:`O((E + P) \log (E + P))`; each
rejection round costs one proposal plus :math:`O(S \log E)` lookups for the
:math:`S` pending slots.
"""
from __future__ import annotations

import copy
from numbers import Integral, Real
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, ClassVar, Dict, Optional, Tuple, Type, Union

import torch
from torch import Tensor
from torch_geometric.transforms import BaseTransform

from graphneg._random import Seed, as_generator
from graphneg._validation import (
    Boolean, Interval, Options, ParamsMixin, SeedType, check_edge_index, check_memory,
    check_num_nodes, check_same_device,
)
from graphneg.edges import EdgeSet, IndexCache, degree, to_scipy_csr
from graphneg.registry import Registry

__all__ = [
    "RegisteredSampler", "NegativeSampler", "NoNegativeCandidatesError", "SamplerStats",
    "SamplingContext", "SamplerLaw", "PreparedSampler", "SAMPLERS", "get_sampler",
    "sampler_names",
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

    Per-call tables are typed, lazily built properties (each computed at most once
    per call); validated call-time inputs live in :attr:`inputs`; fallback
    bookkeeping goes through :meth:`note_fallback`.

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
    inputs : dict
        Call-time inputs after validation, written by the sampler's input check
        (``ctx.inputs["coords"]``, ``ctx.inputs["site"]``, ...).
    group : LongTensor, shape (num_nodes,), or None
        Member graph of every node when the input is a batch of graphs (PyG's
        ``batch`` vector): a pair is valid only inside one member graph.
    anchor_mask : BoolTensor, shape (num_nodes,), or None
        Nodes that may anchor a pair in ``mode="pairs"`` (``None``: all).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> ctx = SamplingContext(3, ei, EdgeSet([ei], 3), None, None, {})
    >>> ctx.degree.tolist(), ctx.known_row_ptr.tolist(), ctx.num_valid.tolist()
    ([1, 2, 1], [0, 1, 3, 4], [1, 0, 1])
    >>> ctx.note_fallback(torch.tensor([2, 2, 0]), torch.tensor([True, True, False]))
    >>> ctx.num_fallback_anchors
    1
    >>> ctx.add_count("path_slots", 3); ctx.count("path_slots"), ctx.count("other")
    (3, 0)
    """

    def __init__(self, num_nodes: int, edge_index: Tensor, known: EdgeSet,
                 candidate_mask: Optional[Tensor], data: Any, kwargs: Dict[str, Any],
                 *, group: Optional[Tensor] = None, anchor_mask: Optional[Tensor] = None):
        self.num_nodes = num_nodes
        self.edge_index = edge_index
        self.known = known
        self.candidate_mask = candidate_mask
        self.data = data
        self.kwargs = kwargs
        self.group = group
        self.anchor_mask = anchor_mask
        self.inputs: Dict[str, Any] = {}
        self._cache: Dict[str, Any] = {}
        self._fallback: Optional[Tensor] = None
        self._counts: Dict[str, int] = {}

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """Per-call memo for a table only one sampler builds: ``make()`` runs once per
        call. Shared tables have typed properties instead (:attr:`degree`,
        :attr:`known_row_ptr`, :attr:`csr`, :attr:`num_valid`, ...)."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def graph_cached(self, key: str, make: Callable[[], Any]) -> Any:
        """Memo for a table that depends on ``edge_index`` (and the sampler's
        parameters named in ``key``) only: kept on the exclusion index when it was
        built from this ``edge_index`` (:meth:`graphneg.edges.EdgeSet.indexes`), so
        a reused index keeps it across calls; per call otherwise."""
        if self.known.indexes(self.edge_index):
            return self.known.graph_memo(key, make)
        return self.cached("graph:" + key, make)

    def index_cached(self, key: str, make: Callable[[], Any]) -> Any:
        """Memo for a table that depends on the graph, the exclusion set
        :attr:`known` and the sampler's parameters named in ``key`` only (not on
        call-time inputs): kept on :attr:`known` (across calls while it is reused)
        when the call has no ``candidate_mask`` and no ``group``, per call otherwise."""
        if self.candidate_mask is None and self.group is None and \
                self.known.indexes(self.edge_index):
            return self.known.memo(key, make)
        return self.cached("index:" + key, make)

    def input(self, name: str) -> Any:
        """The raw call-time input ``name``: the keyword argument of ``sample`` if
        given, else the same-named attribute of :attr:`data`, else ``None``."""
        if name in self.kwargs:
            return self.kwargs[name]
        return getattr(self.data, name, None) if self.data is not None else None

    # ------------------------------------------------------------ typed tables
    @property
    def degree(self) -> Tensor:
        """Degree of every node in ``edge_index`` (out-degree), shape ``(N,)``."""
        return self.cached("degree", lambda: self.graph_cached(
            "degree", lambda: degree(self.edge_index, self.num_nodes)))

    @property
    def candidates(self) -> Optional[Tensor]:
        """Ids of allowed negatives, or ``None`` when every node is allowed."""
        if self.candidate_mask is None:
            return None
        return self.cached("candidates", lambda: self.candidate_mask.nonzero().view(-1))

    @property
    def candidate_pool(self) -> Tensor:
        """Ids of allowed negatives :math:`V_c` (all nodes when there is no mask), ``(C,)``."""
        cand = self.candidates
        return self.cached("ctx:candidate_pool", lambda: torch.arange(self.num_nodes)) \
            if cand is None else cand

    @property
    def candidate_position(self) -> Tensor:
        """Position of every node in :attr:`candidate_pool`, ``-1`` outside, ``(N,)``."""
        def make() -> Tensor:
            pool = self.candidate_pool
            out = torch.full((self.num_nodes,), -1, dtype=torch.long)
            out[pool] = torch.arange(pool.numel())
            return out
        return self.cached("ctx:candidate_position", make)

    @property
    def known_row_ptr(self) -> Tensor:
        """CSR row pointer of the excluded pairs :attr:`known` (sorted keys
        ``u * N + n``): anchor ``u``'s partners are ``known_columns[ptr[u]:ptr[u+1]]``,
        shape ``(N + 1,)``."""
        return self.cached("ctx:known_row_ptr", self.known.row_ptr)    # memo on the index

    @property
    def known_columns(self) -> Tensor:
        """Partner ``n`` of every excluded pair, in key order, shape ``(K,)``."""
        return self.cached("ctx:known_columns", self.known.columns)

    @property
    def csr(self):
        """0/1 ``scipy.sparse.csr_matrix`` adjacency of ``edge_index``, ``(N, N)``."""
        return self.cached("ctx:csr", lambda: self.graph_cached(
            "csr", lambda: to_scipy_csr(self.edge_index, self.num_nodes)))

    @property
    def num_valid(self) -> Tensor:
        r""":math:`|C(u)|` for every node ``u``, shape ``(N,)``, :math:`O(K)`."""
        def make() -> Tensor:
            n = self.num_nodes
            if self.candidate_mask is None and self.group is None:
                return self.known.memo("num_valid", lambda: n - 1 - self.known.num_excluded())
            row = torch.div(self.known.keys, n, rounding_mode="floor")
            col = self.known.keys - row * n
            mask = self.candidate_mask
            sel = row != col
            if mask is not None:
                sel &= mask[col]
            if self.group is not None:
                sel &= self.group[row] == self.group[col]
            own = torch.ones(n, dtype=torch.long) if mask is None else mask.long()
            return self.pool_size + 1 - own - torch.bincount(row[sel], minlength=n)
        return self.cached("ctx:num_valid", make)

    @property
    def pool_size(self) -> Tensor:
        r""":math:`|V_c \cap G(u)| - 1` for every node ``u``, shape ``(N,)``: the
        candidates of ``u``'s member graph :math:`G(u)` (the whole graph unless
        :attr:`group` is set) less one, the denominator of the valid share."""
        def make() -> Tensor:
            n = self.num_nodes
            count = n if self.candidate_mask is None else int(self.candidate_mask.sum())
            if self.group is None:
                return torch.full((n,), count - 1, dtype=torch.long)
            pool = self.candidate_pool
            per_graph = torch.bincount(self.group[pool], minlength=int(self.group.max()) + 1)
            return per_graph[self.group] - 1
        return self.cached("ctx:pool_size", make)

    @property
    def group_pool(self) -> Tuple[Tensor, Tensor, Tensor]:
        r""":attr:`candidate_pool` sorted by member graph, with every graph's start
        and size in it, shapes ``(C,)``, ``(B,)``, ``(B,)`` (one graph without
        :attr:`group`): node ``pool[start[g] + j]``, ``0 <= j < size[g]``, is
        candidate ``j`` of graph ``g``. :math:`O(C \log C)` once per call."""
        def make() -> Tuple[Tensor, Tensor, Tensor]:
            pool = self.candidate_pool
            if self.group is None:
                return pool, torch.zeros(1, dtype=torch.long), torch.tensor([pool.numel()])
            g = self.group[pool]
            pool = pool[torch.argsort(g, stable=True)]
            size = torch.bincount(g, minlength=int(self.group.max()) + 1)
            return pool, torch.cumsum(size, 0) - size, size
        return self.cached("ctx:group_pool", make)

    @property
    def anchor_pool(self) -> Tensor:
        """Ids of the nodes that may anchor a pair (:attr:`anchor_mask`), ``(A,)``."""
        if self.anchor_mask is None:
            return self.cached("ctx:anchor_pool", lambda: torch.arange(self.num_nodes))
        return self.cached("ctx:anchor_pool", lambda: self.anchor_mask.nonzero().view(-1))

    def draw_in_group(self, anchors: Tensor, generator: torch.Generator) -> Tensor:
        """One node uniform over the candidates of each anchor's member graph (over
        :attr:`candidate_pool` without :attr:`group`), shape of ``anchors``; an
        anchor whose graph has no candidate gets itself (the base rejects it).
        :math:`O(1)` per draw."""
        pool, start, size = self.group_pool
        g = self.group[anchors] if self.group is not None else torch.zeros_like(anchors)
        r = torch.rand(anchors.shape, generator=generator, dtype=torch.double)
        j = start[g] + (r * size[g]).long().clamp_max((size[g] - 1).clamp_min(0))
        return torch.where(size[g] > 0, pool[j.clamp(0, max(pool.numel() - 1, 0))], anchors)

    def known_partners(self, anchors: Tensor) -> Tuple[Tensor, Tensor]:
        """Every excluded pair of ``anchors`` ``(A,)`` read from the CSR rows of
        :attr:`known`: ``(row, partner)``, ``row`` indexing ``anchors``,
        :math:`O(A + \\sum_u |\\mathcal{K}(u)|)` (no search)."""
        ptr = self.known_row_ptr
        start, count = ptr[anchors], ptr[anchors + 1] - ptr[anchors]
        row = torch.repeat_interleave(torch.arange(anchors.numel()), count)
        offset = torch.arange(row.numel()) - (torch.cumsum(count, 0) - count)[row]
        return row, self.known_columns[start[row] + offset]

    def valid_block(self, anchors: Tensor) -> Tensor:
        """:meth:`is_valid` on the ``(A, C)`` grid ``anchors`` x :attr:`candidate_pool`,
        built sparsely (all True, then each anchor's own column and its known partners
        cleared): :math:`O(A C + \\sum_u |\\mathcal{K}(u)|)`, no membership search."""
        pos = self.candidate_position
        out = torch.ones(anchors.numel(), self.candidate_pool.numel(), dtype=torch.bool)
        row, partner = self.known_partners(anchors)
        row = torch.cat([torch.arange(anchors.numel()), row])
        col = pos[torch.cat([anchors, partner])]
        keep = col >= 0
        out[row[keep], col[keep]] = False
        if self.group is not None:
            out &= self.group[anchors].view(-1, 1) == self.group[self.candidate_pool].view(1, -1)
        return out

    def is_valid(self, anchors: Tensor, cand: Tensor) -> Tensor:
        """Mask of valid ``(anchor, candidate)`` pairs (shapes broadcast)."""
        ok = (cand != anchors) & ~self.known.contains(anchors, cand)
        if self.candidate_mask is not None:
            ok &= self.candidate_mask[cand]
        if self.group is not None:
            ok &= self.group[cand] == self.group[anchors]
        return ok

    def fork(self, kwargs: Dict[str, Any], keep: Tuple[str, ...] = ()) -> "SamplingContext":
        r"""A context for another call on the same graph: the same exclusion index,
        masks and groups, fresh call-time ``kwargs``, and the graph-level tables
        already built (typed ``ctx:*`` tables, degrees, and the keys in ``keep``);
        per-call bookkeeping starts empty. :math:`O(\text{number of tables})`."""
        out = SamplingContext(self.num_nodes, self.edge_index, self.known, self.candidate_mask,
                              self.data, kwargs, group=self.group, anchor_mask=self.anchor_mask)
        out._cache = {k: v for k, v in self._cache.items()
                      if k.startswith("ctx:") or k in ("degree", "candidates") or k in keep}
        return out

    # ------------------------------------------------------------- bookkeeping
    def note_fallback(self, anchors: Tensor, mask: Optional[Tensor] = None) -> None:
        """Record that ``anchors`` (those where ``mask`` is True, when given) fell
        back to the sampler's fallback law this call (distinct anchors are counted)."""
        if self._fallback is None:
            self._fallback = torch.zeros(self.num_nodes, dtype=torch.bool)
        self._fallback[anchors if mask is None else anchors[mask]] = True

    @property
    def num_fallback_anchors(self) -> int:
        """Distinct anchors recorded by :meth:`note_fallback` this call."""
        return 0 if self._fallback is None else int(self._fallback.sum())

    def add_count(self, key: str, value: int) -> None:
        """Add ``value`` to this call's count ``key`` (slots drawn one way, padded
        negatives, ...), read back with :meth:`count` for ``SamplerStats.extra``."""
        self._counts[key] = self._counts.get(key, 0) + int(value)

    def count(self, key: str) -> int:
        """This call's count ``key`` (``0`` if never added to)."""
        return self._counts.get(key, 0)


class _DerivedNeedsEmbeddings:
    """``needs_embeddings`` read from ``requires`` (on the class and on instances)."""

    def __get__(self, obj: Any, cls: Any) -> bool:
        return "z" in (cls.requires if obj is None else obj.requires)


class RegisteredSampler(ParamsMixin, BaseTransform):
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
    _parameter_constraints = {
        "num_neg": [Interval(Integral, 1, None, closed="left")],
        "seed": [SeedType()],
        "on_impossible": [Options(("raise", "drop"))],
        "max_rounds": [Interval(Integral, 1, None, closed="left")],
    }

    def __init_subclass__(cls, name: Optional[str] = None, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if name is not None:
            cls.name = name
            cls.registry.add(name, cls)

    def __init__(self, num_neg: int, *, seed: Seed, on_impossible: str, max_rounds: int):
        self._init_params(locals())

    def _setup(self) -> None:
        super()._setup()
        seed, self.seed = self.seed, (self.seed if not isinstance(self.seed, torch.Generator)
                                      else "generator")
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

    def state_dict(self) -> Dict[str, Any]:
        """Everything a checkpoint needs to continue the same draws:
        ``{"rng_state": generator state}``; samplers with more state extend it."""
        return {"rng_state": self.generator.get_state()}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved (a state without ``"rng_state"``
        leaves the generator as it is)."""
        if "rng_state" in state:
            self.generator.set_state(state["rng_state"])


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
    #: Names of the call-time inputs the sampler needs: keyword arguments of
    #: :meth:`sample`, or node-level attributes of the ``Data`` it transforms
    #: (``("z",)`` for score-aware samplers, ``("lat", "lon")``, ``("site",)``...).
    #: Callers read it to know what to pass; an instance may narrow it to its
    #: settings (a hybrid sampler with ``lam=0`` needs no embedding).
    requires: Tuple[str, ...] = ()
    #: Every call-time input the class reads (``requires`` of the class and of its
    #: bases are added automatically): a keyword argument of :meth:`sample` outside
    #: it raises ``TypeError`` naming it, the same way for every sampler.
    accepts: ClassVar[Tuple[str, ...]] = ()
    #: Keys of :meth:`SamplingContext.cached` tables that depend on the graph only
    #: (not on call-time inputs): a :class:`PreparedSampler` keeps them between calls.
    graph_tables: ClassVar[Tuple[str, ...]] = ()
    #: ``True`` when :meth:`_propose` draws uniformly inside the anchor's member graph
    #: on a batch (:meth:`SamplingContext.draw_in_group`); pairs mode then draws the
    #: anchor in proportion to its graph's candidates, so the joint stays the law.
    proposes_in_group: ClassVar[bool] = False
    #: Proposal law served on a non-CPU device without a host copy
    #: (:mod:`graphneg.samplers._device`: ``"uniform"``, ``"degree"``); ``None``: inputs
    #: on another device are drawn on the CPU and moved back.
    device_law: ClassVar[Optional[str]] = None
    #: ``"z" in requires`` (read-only; kept for older callers).
    needs_embeddings = _DerivedNeedsEmbeddings()
    #: Key of ``SamplerStats.extra`` that reports the distinct anchors recorded by
    #: :meth:`SamplingContext.note_fallback` (``None``: the sampler has no fallback).
    fallback_stat: ClassVar[Optional[str]] = None
    _parameter_constraints = {
        "mode": [Options(("per_anchor", "pairs"))],
        "directed": [Boolean()],
        "fallback_ratio": [Interval(Real, 0, 1, closed="both")],
    }
    _repr_head = ("num_neg", "mode", "on_impossible")
    _repr_hidden = frozenset({"seed", "directed", "fallback_ratio", "max_rounds"})

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        # an older subclass stating ``needs_embeddings = True`` gets "z" in ``requires``
        flag = cls.__dict__.get("needs_embeddings")
        if isinstance(flag, bool):
            if flag and "z" not in cls.requires:
                cls.requires = tuple(cls.requires) + ("z",)
            elif not flag:
                cls.requires = tuple(r for r in cls.requires if r != "z")
            cls.needs_embeddings = _DerivedNeedsEmbeddings()
        inherited = tuple(a for base in cls.__mro__[1:] for a in getattr(base, "accepts", ()))
        cls.accepts = tuple(dict.fromkeys(tuple(cls.__dict__.get("accepts", ()))
                                          + tuple(cls.requires) + inherited))

    def __init__(self, num_neg: int = 1, *, seed: Seed = None, on_impossible: str = "raise",
                 mode: str = "per_anchor", directed: bool = False,
                 fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    def _setup(self) -> None:
        super()._setup()
        self._zero_mass_anchors = 0
        #: the last exclusion index built, reused while the graph is unchanged
        self._index_cache = IndexCache()

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

    def on_epoch_start(self, *, z: Optional[Tensor] = None, epoch: int = 0,
                       step: int = 0) -> Any:
        """Trainer hook, called before every epoch with the current embeddings ``z``,
        the epoch and the global optimisation ``step``; a no-op here (adaptive
        samplers refresh an index or update a generator)."""
        return None

    # ------------------------------------------------------------ tensor face
    def sample(self, edge_index: Tensor,
               num_nodes: Union[int, Tuple[int, int], None] = None, *,
               pos_edge_index: Optional[Tensor] = None,
               exclude_edge_index: Optional[Tensor] = None,
               candidate_mask: Optional[Tensor] = None,
               batch: Optional[Tensor] = None,
               anchor_mask: Optional[Tensor] = None,
               return_mask: bool = False, data: Any = None,
               **kwargs: Any) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        r"""Draw negatives.

        Parameters
        ----------
        edge_index : LongTensor, shape (2, E)
            Message-passing edges (both directions for undirected graphs). For a
            bipartite ``num_nodes=(N_src, N_dst)``, row 0 holds source ids and row 1
            destination ids, as in PyG's ``negative_sampling``.
        num_nodes : int or (int, int), optional
            Defaults to ``max(edge_index) + 1``. A pair ``(N_src, N_dst)`` makes the
            graph bipartite: anchors are sources, negatives are destinations
            (ids local to their side), never a source–source or destination pair.
        pos_edge_index : LongTensor, shape (2, P), optional
            Positives whose sources are the anchors; defaults to ``edge_index``.
            They are excluded as negatives too. ``P = 0`` gives ``(2, 0)``.
        exclude_edge_index : LongTensor, shape (2, X), optional
            Further pairs never to return (validation/test edges).
        candidate_mask : BoolTensor, shape (num_nodes,) or (N_dst,), optional
            Nodes allowed as negatives (e.g. one side of a bipartite graph).
        batch : LongTensor, shape (num_nodes,), optional
            Member graph of every node (PyG's ``Batch.batch``; a pair
            ``(batch_src, batch_dst)`` when bipartite): every negative stays in its
            anchor's graph and the law is each member graph's own law, for samplers
            whose :math:`q(n \mid u)` depends on the pair and the graph (a table
            retrieved over every node of the batch, as ``ann``'s top-``k`` or the
            adversarial generator's, is restricted to the anchor's graph instead).
        anchor_mask : BoolTensor, shape (num_nodes,), optional
            ``mode="pairs"`` only: nodes that may anchor a pair. Default: every
            node, or the nodes outside ``candidate_mask`` when one is given (pairs
            across the two sides of a bipartite graph).
        return_mask : bool
            Also return the ``(P,)`` mask of positives kept (all True unless
            ``on_impossible="drop"`` dropped some).
        **kwargs
            Call-time inputs named in :attr:`accepts` (``z=...``); any other name
            raises ``TypeError``. Bipartite: a pair ``(src_value, dst_value)``.

        Returns
        -------
        LongTensor, shape (2, P_kept * num_neg) or (2, num_neg) in pairs mode
            Row 0 anchors, row 1 negatives, grouped by positive, on the device of
            ``edge_index``.

        Notes
        -----
        Device: a sampler with a ``device_law`` (uniform, degree) in
        ``mode="per_anchor"`` without masks, groups or call-time inputs draws on the
        device of ``edge_index`` with no host copy
        (:mod:`graphneg.samplers._device`; a generator on that device seeded from
        the sampler's, so a seed gives the same negatives on one device but not the
        CPU's bits). Any other call on another device is copied to the CPU, drawn
        there with the sampler's CPU generator (the same negatives on every device)
        and returned on the input's device.

        Examples
        --------
        >>> from graphneg.samplers import UniformNegativeSampler
        >>> ei = torch.tensor([[0, 1], [0, 1]])        # users 0, 1 rated items 0, 1
        >>> UniformNegativeSampler(2, seed=0).sample(ei, (2, 3)).tolist()
        [[0, 0, 1, 1], [2, 1, 2, 0]]
        """
        device = edge_index.device if isinstance(edge_index, Tensor) else torch.device("cpu")
        check_same_device(type(self).__name__, "edge_index", edge_index=edge_index,
                          pos_edge_index=pos_edge_index, exclude_edge_index=exclude_edge_index,
                          candidate_mask=candidate_mask, batch=batch, anchor_mask=anchor_mask,
                          **kwargs)
        if device.type != "cpu":
            from graphneg.samplers import _device
            if _device.supports_device(self, num_nodes, candidate_mask, batch, anchor_mask,
                                       kwargs):
                return self._sample_on_device(edge_index, num_nodes, pos_edge_index,
                                              exclude_edge_index, return_mask)
            args = _to_device(dict(pos_edge_index=pos_edge_index,
                                   exclude_edge_index=exclude_edge_index,
                                   candidate_mask=candidate_mask, batch=batch,
                                   anchor_mask=anchor_mask, **kwargs), "cpu")
            if data is not None and hasattr(data, "cpu"):   # attributes the sampler reads
                data = copy.copy(data).cpu()
            out = self.sample(edge_index.cpu(), num_nodes, return_mask=return_mask, data=data,
                              **args)
            return _to_device(out, device)
        if isinstance(num_nodes, (tuple, list)):
            from graphneg.samplers.pyg import sample_bipartite
            return sample_bipartite(self, edge_index, num_nodes, pos_edge_index=pos_edge_index,
                                    exclude_edge_index=exclude_edge_index,
                                    candidate_mask=candidate_mask, batch=batch,
                                    return_mask=return_mask, **kwargs)
        pos_edge_index, ctx = self._context(edge_index, num_nodes, pos_edge_index,
                                            exclude_edge_index, candidate_mask, data, kwargs,
                                            batch=batch, anchor_mask=anchor_mask)
        return self._sample_in(ctx, pos_edge_index, return_mask)

    def _sample_on_device(self, edge_index: Tensor, num_nodes: Optional[int],
                          pos_edge_index: Optional[Tensor],
                          exclude_edge_index: Optional[Tensor],
                          return_mask: bool) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        """:meth:`sample` with every step on ``edge_index.device``
        (:func:`graphneg.samplers._device.device_sample`: samplers with a
        ``device_law``, per anchor, no masks or groups)."""
        from graphneg.samplers._device import device_sample
        owner = type(self).__name__
        edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
        num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
        pos = edge_index if pos_edge_index is None else check_edge_index(
            pos_edge_index, "pos_edge_index", num_nodes=num_nodes, owner=owner)
        if exclude_edge_index is not None:
            exclude_edge_index = check_edge_index(exclude_edge_index, "exclude_edge_index",
                                                  num_nodes=num_nodes, owner=owner)
        check_memory(64.0 * pos.size(1) * self.num_neg, f"{pos.size(1) * self.num_neg} "
                     "negatives (int64 pairs and their working copies)", owner=owner,
                     params=f"num_neg={self.num_neg} for {pos.size(1)} positives")
        if pos.size(1) == 0:
            self.last_stats = SamplerStats()
            neg, keep = pos.new_empty(2, 0), torch.ones(0, dtype=torch.bool, device=pos.device)
        else:
            neg, keep = device_sample(self, edge_index, num_nodes, pos, exclude_edge_index)
        return (neg, keep) if return_mask else neg

    def _sample_in(self, ctx: SamplingContext, pos_edge_index: Tensor,
                   return_mask: bool) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        """Both modes on a prepared context (the body :meth:`sample` and
        :class:`PreparedSampler` share)."""
        self._zero_mass_anchors = 0
        num_pos = 1 if self.mode == "pairs" else pos_edge_index.size(1)
        check_memory(64.0 * num_pos * self.num_neg, f"{num_pos * self.num_neg} negatives "
                     "(int64 pairs and their working copies)", owner=type(self).__name__,
                     params=f"num_neg={self.num_neg}" + (
                         "" if self.mode == "pairs" else f" for {num_pos} positives"))
        if self.mode == "pairs":
            neg = self._sample_pairs(ctx)
            keep = torch.ones(pos_edge_index.size(1), dtype=torch.bool)
        elif pos_edge_index.size(1) == 0:          # an empty split: nothing to draw (as PyG)
            neg, keep = pos_edge_index.new_empty(2, 0), torch.ones(0, dtype=torch.bool)
            self.last_stats = SamplerStats()
        else:
            neg, keep = self._sample_per_anchor(pos_edge_index[0], ctx)
            if ctx.group is not None:     # a batch: member graphs holding an impossible anchor
                bad = pos_edge_index[0][self._num_valid(ctx)[pos_edge_index[0]] == 0]
                self.last_stats.extra["impossible_graphs"] = int(
                    torch.unique(ctx.group[bad]).numel())
        return (neg, keep) if return_mask else neg

    def prepare(self, edge_index: Tensor, num_nodes: Optional[int] = None, *,
                pos_edge_index: Optional[Tensor] = None,
                exclude_edge_index: Optional[Tensor] = None,
                candidate_mask: Optional[Tensor] = None, batch: Optional[Tensor] = None,
                anchor_mask: Optional[Tensor] = None, data: Any = None,
                **inputs: Any) -> "PreparedSampler":
        r"""Bind the sampler to one graph for mini-batch training: the exclusion
        index of the edges, *all* positives and ``exclude_edge_index`` is built once,
        then :meth:`PreparedSampler.sample` draws for any batch of those positives.

        Arguments as for :meth:`sample` (``pos_edge_index``: every positive the
        batches will come from, default ``edge_index``; ``inputs`` that stay fixed,
        e.g. ``site=``; per-batch inputs such as ``z=`` go to each call). A bipartite
        ``num_nodes=(N_src, N_dst)`` gives a
        :class:`~graphneg.samplers.pyg.BipartitePreparedSampler` (batches and
        negatives in ids local to each side).

        Returns
        -------
        PreparedSampler
            Building costs :math:`O((E + P) \log (E + P))` once; each batch of
            :math:`B` positives then costs :math:`O(B K \log (E + P))` for the
            uniform sampler (rejection rounds of membership lookups), with the
            graph-level tables (degrees, candidate counts, CSR rows) reused.

        Examples
        --------
        >>> from graphneg.samplers import UniformNegativeSampler
        >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
        >>> prepared = UniformNegativeSampler(2, seed=0).prepare(ei, 5)
        >>> prepared.sample(ei[:, :2]).shape       # a mini-batch of 2 positives
        torch.Size([2, 4])
        """
        if isinstance(num_nodes, (tuple, list)):   # bipartite: ids local to each side
            from graphneg.samplers.pyg import prepare_bipartite
            return prepare_bipartite(self, edge_index, num_nodes, pos_edge_index=pos_edge_index,
                                     exclude_edge_index=exclude_edge_index,
                                     candidate_mask=candidate_mask, batch=batch, data=data,
                                     **inputs)
        pos_edge_index, ctx = self._context(edge_index, num_nodes, pos_edge_index,
                                            exclude_edge_index, candidate_mask, data, inputs,
                                            batch=batch, anchor_mask=anchor_mask, check=False)
        return PreparedSampler(self, ctx)

    def _context(self, edge_index: Tensor, num_nodes: Optional[int],
                 pos_edge_index: Optional[Tensor], exclude_edge_index: Optional[Tensor],
                 candidate_mask: Optional[Tensor], data: Any,
                 inputs: Dict[str, Any], *, batch: Optional[Tensor] = None,
                 anchor_mask: Optional[Tensor] = None,
                 check: bool = True) -> Tuple[Tensor, SamplingContext]:
        """Validate the graph arguments, build the exclusion set and the
        :class:`SamplingContext`, and run the input check (``check``); returns the
        positives too."""
        owner = type(self).__name__
        unknown = sorted(set(inputs) - set(self.accepts))
        if unknown:
            takes = ", ".join(f"{a}=" for a in self.accepts) or "no call-time input"
            raise TypeError(f"{owner}.sample got unexpected keyword argument(s) {unknown}; "
                            f"it takes {takes} (see {owner}.accepts).")
        undirected, given_nodes = not self.directed, num_nodes
        index = self._index_cache.lookup(edge_index, exclude_edge_index, num_nodes, undirected)
        if index is None:   # a hit: these very tensors were validated when it was built
            edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
            num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
        else:
            num_nodes = index.num_nodes
        if pos_edge_index is None:
            pos_edge_index = edge_index
        if index is None or not index.indexes(pos_edge_index):   # else validated with it
            pos_edge_index = check_edge_index(pos_edge_index, "pos_edge_index",
                                              num_nodes=num_nodes, owner=owner)
        if exclude_edge_index is not None and index is None:
            exclude_edge_index = check_edge_index(exclude_edge_index, "exclude_edge_index",
                                                  num_nodes=num_nodes, owner=owner)
        candidate_mask = _check_node_mask(candidate_mask, "candidate_mask", num_nodes, owner)
        anchor_mask = _check_node_mask(anchor_mask, "anchor_mask", num_nodes, owner)
        if anchor_mask is None and candidate_mask is not None and self.mode == "pairs":
            anchor_mask = ~candidate_mask
            if not bool(anchor_mask.any()):
                raise ValueError(f"{owner} with mode='pairs': every node is in candidate_mask, "
                                 f"so no node is left to anchor a pair; pass anchor_mask= "
                                 f"(BoolTensor of shape ({num_nodes},)).")
        batch = _check_node_mask(batch, "batch", num_nodes, owner, dtype=torch.long,
                                 note=" (the member graph of every node)")
        if batch is not None:
            if batch.numel() and int(batch.min()) < 0:
                raise ValueError(f"The 'batch' parameter of {owner} must hold graph ids >= 0. "
                                 f"Got {int(batch.min())} instead.")
        if index is None:
            index = self._index_cache.build(edge_index, exclude_edge_index, given_nodes,
                                            num_nodes, undirected)
        known = index.union([pos_edge_index])
        ctx = SamplingContext(num_nodes, edge_index, known, candidate_mask, data, inputs,
                              group=batch if batch is not None and batch.numel() else None,
                              anchor_mask=anchor_mask)
        if check:
            self._check_context(ctx)
        return pos_edge_index, ctx

    def check_inputs(self, edge_index: Tensor, num_nodes: Optional[int] = None, *,
                     pos_edge_index: Optional[Tensor] = None,
                     exclude_edge_index: Optional[Tensor] = None,
                     candidate_mask: Optional[Tensor] = None, data: Any = None,
                     batch: Optional[Tensor] = None, **inputs: Any) -> None:
        """Raise the error :meth:`sample` would raise for these arguments (graph,
        masks and the call-time inputs named in :attr:`requires`), without drawing.

        Examples
        --------
        >>> from graphneg.samplers import SoftmaxNegativeSampler
        >>> SoftmaxNegativeSampler().check_inputs(torch.tensor([[0], [1]]), 3)
        Traceback (most recent call last):
        ...
        ValueError: SoftmaxNegativeSampler needs the current node embeddings: call sample(..., z=z) or sampler(data, z=z) with z of shape (3, d).
        """
        self._context(edge_index, num_nodes, pos_edge_index, exclude_edge_index,
                      candidate_mask, data, inputs, batch=batch)

    def law(self, edge_index: Tensor, num_nodes: Optional[int] = None, *,
            pos_edge_index: Optional[Tensor] = None,
            exclude_edge_index: Optional[Tensor] = None,
            candidate_mask: Optional[Tensor] = None, data: Any = None,
            batch: Optional[Tensor] = None, **inputs: Any) -> "SamplerLaw":
        """The exact conditional :meth:`sample` draws from on this graph, as a
        :class:`SamplerLaw` (the exclusion set is built once; evaluate it on any
        blocks of anchors and candidates). Arguments as for :meth:`sample`; a
        bipartite ``num_nodes=(N_src, N_dst)`` gives a
        :class:`~graphneg.samplers.pyg.BipartiteLaw` (source anchors, destination
        candidates, ids local to each side)."""
        if isinstance(num_nodes, (tuple, list)):   # bipartite: ids local to each side
            from graphneg.samplers.pyg import bipartite_law
            return bipartite_law(self, edge_index, num_nodes, pos_edge_index=pos_edge_index,
                                 exclude_edge_index=exclude_edge_index,
                                 candidate_mask=candidate_mask, batch=batch, **inputs)
        _, ctx = self._context(edge_index, num_nodes, pos_edge_index, exclude_edge_index,
                               candidate_mask, data, inputs, batch=batch)
        return SamplerLaw(self, ctx)

    def log_prob(self, edge_index: Tensor, num_nodes: Optional[int] = None,
                 anchors: Optional[Tensor] = None, candidates: Optional[Tensor] = None, *,
                 pos_edge_index: Optional[Tensor] = None,
                 exclude_edge_index: Optional[Tensor] = None,
                 candidate_mask: Optional[Tensor] = None, data: Any = None,
                 batch: Optional[Tensor] = None, **inputs: Any) -> Tensor:
        r""":math:`\log \Pr[n \mid u]` of the conditional :meth:`sample` draws from.

        .. math::

            \log \Pr[n \mid u] = \log q(n \mid u) - \log \sum_{m \in C(u)} q(m \mid u)
            \quad (n \in C(u)), \qquad -\infty \ (n \notin C(u)),

        uniform over :math:`C(u)` where :math:`q` gives :math:`C(u)` no mass (the
        base's zero-mass rule), and ``-inf`` everywhere for an anchor the sampler
        counts no valid candidate for (an impossible anchor, e.g. a phonetic
        support of homophones only: :meth:`sample` raises or drops it).

        Parameters
        ----------
        edge_index, num_nodes, pos_edge_index, exclude_edge_index, candidate_mask, data, batch, **inputs
            As for :meth:`sample`.
        anchors : LongTensor, shape (A,), optional
            Default: every node (bipartite: every source, ids in ``[0, N_src)``).
        candidates : LongTensor, shape (C,), optional
            Default: the candidate set (every node without ``candidate_mask``;
            bipartite: every destination, ids in ``[0, N_dst)``).

        Returns
        -------
        DoubleTensor, shape (A, C)
            Rows sum to 1 over the full candidate set (all ``-inf`` where
            :math:`C(u) = \emptyset`). Cost :math:`O(A |V_c|)` weight evaluations.

        Examples
        --------
        >>> from graphneg.samplers import UniformNegativeSampler
        >>> ei = torch.tensor([[0, 1], [1, 0]])
        >>> UniformNegativeSampler().log_prob(ei, 4, torch.tensor([0])).exp().tolist()
        [[0.0, 0.0, 0.5, 0.5]]
        """
        law = self.law(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                       exclude_edge_index=exclude_edge_index, candidate_mask=candidate_mask,
                       data=data, batch=batch, **inputs)
        return law.log_prob(anchors, candidates)

    def _check_context(self, ctx: SamplingContext) -> None:
        """Hook: validate the call-time inputs (those in :attr:`requires`) and store
        them in ``ctx.inputs``; no-op by default. Outside callers use
        :meth:`check_inputs`."""

    def _num_valid(self, ctx: SamplingContext) -> Tensor:
        """``|C(u)|`` for every node ``u``, shape ``(N,)`` (a sampler whose law has a
        narrower support counts that instead)."""
        return ctx.num_valid

    def _sample_per_anchor(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        k = self.num_neg
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
        # the (2, S) result is written in place: row 0 the anchors repeated k times,
        # row 1 filled by the rounds (every slot is written by a round or the exact path)
        result = torch.empty(2, anchors.numel() * k, dtype=torch.long)
        slot_anchor, out = result[0], result[1]
        slot_anchor.view(-1, k).copy_(anchors.view(-1, 1))
        direct = self._dense_slots(slot_anchor, num_valid, ctx)
        # pending = None: every slot (the first round then needs no gather or scatter)
        pending = (~direct).nonzero().view(-1) if direct is not None else None
        while (pending is None or pending.numel() > 0) and stats.rounds < self.max_rounds:
            stats.rounds += 1
            a = slot_anchor if pending is None else slot_anchor[pending]
            prop = self._propose(a, self.generator, ctx)
            ok = ctx.is_valid(a, prop)
            if pending is None:
                out.copy_(prop)                       # the rejected slots are redrawn
                pending = (~ok).nonzero().view(-1)
            else:
                out[pending[ok]] = prop[ok]
                pending = pending[~ok]
            stats.rejected += pending.numel()
        exact = pending if direct is None else torch.cat([direct.nonzero().view(-1), pending])
        if exact.numel() > 0:
            out[exact] = self._draw_exact(slot_anchor[exact], ctx)
            stats.exact_slots = exact.numel()
        stats.drawn = out.numel()
        stats.extra.update(self._extra_stats(ctx))
        if self._zero_mass_anchors:
            stats.extra["zero_mass_anchors"] = self._zero_mass_anchors
        self.last_stats = stats
        return result, possible

    def _dense_slots(self, slot_anchor: Tensor, num_valid: Tensor,
                     ctx: SamplingContext) -> Optional[Tensor]:
        """Mask of the slots whose anchor's valid share ``|C(u)| / |V_c|`` is below
        ``fallback_ratio`` (drawn by the exact path directly), or ``None`` when there
        is none. Evaluated at the slots' anchors when there are fewer slots than nodes
        (a mini-batch: :math:`O(S)`), per node otherwise; the same values either way."""
        if ctx.candidate_mask is None and ctx.group is None:   # one pool for every anchor
            pool = torch.tensor(max(ctx.num_nodes - 1, 1))
            if slot_anchor.numel() < ctx.num_nodes:
                direct = num_valid[slot_anchor].double() / pool < self.fallback_ratio
                return direct if bool(direct.any()) else None
        pool = ctx.pool_size
        if slot_anchor.numel() < ctx.num_nodes:
            direct = (num_valid[slot_anchor].double()
                      / pool[slot_anchor].clamp_min(1)) < self.fallback_ratio
            return direct if bool(direct.any()) else None
        dense = (num_valid.double() / pool.clamp_min(1)) < self.fallback_ratio
        return dense[slot_anchor] if bool(dense.any()) else None

    def _draw_exact(self, slot_anchor: Tensor, ctx: SamplingContext) -> Tensor:
        """Exact draws from ``q(·|u)`` restricted to ``C(u)``, one per slot, chunked."""
        uniq, inv = torch.unique(slot_anchor, return_inverse=True)
        counts = torch.bincount(inv, minlength=uniq.numel())
        # rank of every slot among the slots of its anchor
        order = torch.argsort(inv, stable=True)
        starts = torch.cumsum(counts, 0) - counts
        rank = torch.empty_like(inv)
        rank[order] = torch.arange(inv.numel()) - starts[inv[order]]
        cand = ctx.candidate_pool
        out = torch.empty_like(slot_anchor)
        rows = max(1, _CHUNK_ELEMENTS // max(cand.numel(), 1))
        for lo in range(0, uniq.numel(), rows):  # chunks of anchors, not a per-anchor loop
            a = uniq[lo:lo + rows]
            logw, num_dead = self._exact_log_weights(a, cand, ctx)
            self._zero_mass_anchors += num_dead
            prob = torch.softmax(logw, dim=1)
            m = int(counts[lo:lo + rows].max())
            draws = torch.multinomial(prob, m, replacement=True, generator=self.generator)
            sel = (inv >= lo) & (inv < lo + a.numel())
            out[sel] = cand[draws[inv[sel] - lo, rank[sel]]]
        return out

    def _exact_log_weights(self, anchors: Tensor, cand: Tensor,
                           ctx: SamplingContext) -> Tuple[Tensor, int]:
        """``log q`` of ``anchors`` x ``cand`` (float64) with invalid pairs at ``-inf``;
        rows where ``q`` gives no valid candidate any mass become uniform over the valid
        ones (never a NaN row; the caller counts them). Returns the weights and the
        number of such rows.

        Anchors the sampler counts no valid candidate for (``_num_valid(ctx) == 0``:
        a law whose support is narrower than :math:`C(u)`, e.g. a phonetic radius)
        are impossible, not zero-mass: their row stays ``-inf`` everywhere, as
        :meth:`sample` raises or drops them."""
        logw = self._log_weights(anchors, cand, ctx).to(torch.double)
        valid = ctx.is_valid(anchors.view(-1, 1), cand.view(1, -1))
        valid &= (self._num_valid(ctx)[anchors] > 0).view(-1, 1)
        logw = logw.masked_fill(~valid, float("-inf"))
        dead = torch.isneginf(logw).all(1) & valid.any(1)
        if bool(dead.any()):
            logw[dead] = torch.zeros_like(logw[dead]).masked_fill(~valid[dead], float("-inf"))
        return logw, int(dead.sum())

    def _sample_pairs(self, ctx: SamplingContext) -> Tensor:
        """``num_neg`` pairs: the anchor uniform over :attr:`SamplingContext.anchor_pool`
        (proposed in proportion to its graph's candidates on a batch when the sampler
        :attr:`proposes_in_group`), the negative from its conditional, jointly
        conditioned on validity."""
        k, n = self.num_neg, ctx.num_nodes
        stats = SamplerStats(requested=k)
        anchors_all = ctx.anchor_pool
        num_valid = self._num_valid(ctx)[anchors_all]
        if int(num_valid.sum()) == 0:
            raise NoNegativeCandidatesError(
                anchors_all, f"{type(self).__name__}: the graph has no valid negative pair "
                             f"(no anchor of the {anchors_all.numel()} allowed has a valid "
                             f"candidate on {n} nodes).")
        out = torch.empty(2, k, dtype=torch.long)
        pending = torch.arange(k)
        share = float(num_valid.sum()) / max(int(ctx.pool_size[anchors_all].sum()), 1)
        if share >= self.fallback_ratio:
            while pending.numel() > 0 and stats.rounds < self.max_rounds:
                stats.rounds += 1
                if ctx.group is not None and self.proposes_in_group:
                    size = ctx.group_pool[2][ctx.group[anchors_all]].double()
                    a = anchors_all[torch.multinomial(size, pending.numel(), replacement=True,
                                                      generator=self.generator)]
                else:
                    a = torch.randint(anchors_all.numel(), (pending.numel(),),
                                      generator=self.generator)
                    if ctx.anchor_mask is not None:
                        a = anchors_all[a]
                prop = self._propose(a, self.generator, ctx)
                ok = ctx.is_valid(a, prop)
                if stats.rounds == 1:   # every slot pending; rejected ones are redrawn
                    out[0], out[1] = a, prop
                else:
                    out[0, pending[ok]] = a[ok]
                    out[1, pending[ok]] = prop[ok]
                pending = pending[~ok]
                stats.rejected += pending.numel() if stats.rounds == 1 else int((~ok).sum())
        if pending.numel() > 0:
            # exact: anchor u with prob ∝ Σ_{n∈C(u)} q(n|u) / Z_u-normalised mass
            # (uniform anchors), then n from the exact conditional of u.
            mass = self._valid_mass(anchors_all, ctx)
            a = anchors_all[torch.multinomial(mass, pending.numel(), replacement=True,
                                              generator=self.generator)]
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
        cand = ctx.candidate_pool
        rows = max(1, _CHUNK_ELEMENTS // max(cand.numel(), 1))
        out = []
        for lo in range(0, anchors.numel(), rows):
            a = anchors[lo:lo + rows]
            logq = torch.log_softmax(self._log_weights(a, cand, ctx).double(), dim=1)
            valid = ctx.is_valid(a.view(-1, 1), cand.view(1, -1))
            out.append(logq.exp().nan_to_num(0.0).masked_fill(~valid, 0).sum(1))
        return torch.cat(out)

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        """Sampler-specific counts for :class:`SamplerStats` ``extra``: here the
        fallback anchors under :attr:`fallback_stat` (when the sampler has one)."""
        if self.fallback_stat is None:
            return {}
        return {self.fallback_stat: ctx.num_fallback_anchors}

    # --------------------------------------------------------- transform face
    def __call__(self, data: Any, **kwargs: Any) -> Any:
        return self.forward(copy.copy(data), **kwargs)

    def forward(self, data: Any, **kwargs: Any) -> Any:
        """Write ``edge_label_index`` / ``edge_label`` as ``T.RandomLinkSplit`` does.

        Positives are the rows of ``data.edge_label_index`` whose ``edge_label`` is
        not 0 (every class: PyG shifts multi-class labels to ``1..C`` and marks
        negatives 0), else ``data.edge_index``; their labels are kept. The graph
        is ``data.edge_index``, or ``data.adj_t`` after ``T.ToSparseTensor`` (a
        torch sparse tensor or a ``SparseTensor``). On a ``Batch`` negatives stay in
        each member graph; on a ``HeteroData`` every edge type with
        ``edge_label_index`` (or those in ``edge_types=``) is sampled
        (:func:`graphneg.samplers.pyg.sample_hetero`). No positive gives no
        negative. Writes ``data.neg_stats`` (a dict, see :class:`SamplerStats`).

        Parameters
        ----------
        data : Data, Batch or HeteroData
        existing_negatives : {"keep", "replace", "raise"}, default "keep"
            Rows already labelled 0 (PyG's own negatives): kept after the new
            negatives, dropped, or a ``ValueError``.
        edge_types, rev_edge_types : list of (str, str, str), optional
            HeteroData only, as in ``T.RandomLinkSplit``.
        **kwargs
            ``exclude_edge_index=``, ``batch=``, call-time inputs (``z=``): passed
            to :meth:`sample`.

        Examples
        --------
        >>> from torch_geometric.data import Data
        >>> from graphneg.samplers import UniformNegativeSampler
        >>> data = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=4,
        ...             edge_label_index=torch.tensor([[0, 2], [1, 3]]),
        ...             edge_label=torch.tensor([1., 0.]))    # one PyG negative (2, 3)
        >>> out = UniformNegativeSampler(1, seed=0)(data)
        >>> out.edge_label.tolist(), out.neg_stats["kept_negatives"]
        ([1.0, 0.0, 0.0], 1)
        """
        from graphneg.samplers import pyg
        existing = kwargs.pop("existing_negatives", "keep")
        hetero = {k: kwargs.pop(k) for k in ("edge_types", "rev_edge_types") if k in kwargs}
        if pyg.is_hetero(data):
            return pyg.sample_hetero(self, data, existing_negatives=existing, **hetero,
                                     **kwargs)
        if hetero:
            raise TypeError(f"{type(self).__name__}: {sorted(hetero)} apply to a HeteroData; "
                            f"got a {type(data).__name__}.")
        if pyg.is_edge_store(data):
            raise TypeError(f"{type(self).__name__} takes the whole HeteroData, not one of its "
                            f"edge stores: call sampler(data, edge_types=[{data._key!r}]).")
        owner = type(self).__name__
        edge_index = pyg.graph_edge_index(data, owner=owner)
        labelled = pyg.labelled_edges(data, edge_index, existing, owner=owner)
        if "batch" not in kwargs and pyg.is_batch(data):
            kwargs["batch"] = data.batch
        neg, keep = self.sample(edge_index, data.num_nodes, pos_edge_index=labelled.positives,
                                return_mask=True, data=data, **kwargs)
        labelled.write(data, neg, keep)
        data.neg_stats = dict(self.last_stats.as_dict(),
                              kept_negatives=labelled.num_kept_negatives)
        return data

    def _config(self) -> Dict[str, Any]:
        """Parameters shown by ``repr``: derived from ``_parameter_constraints``
        (``_repr_head`` first, ``_repr_hidden`` and ``None`` values left out)."""
        return self._repr_params()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"


class SamplerLaw:
    r"""The exact conditional of one sampler on one graph: :math:`\Pr[n \mid u]` of
    :mod:`graphneg.samplers.base` (``q`` restricted to :math:`C(u)` and normalised
    there), with the exclusion set and call-time inputs prepared once.

    Built by :meth:`NegativeSampler.law`; :meth:`NegativeSampler.log_prob` is
    ``law(...).log_prob(anchors, candidates)``.

    Attributes
    ----------
    sampler : NegativeSampler
    context : SamplingContext
        The per-call context the law is evaluated in.

    Examples
    --------
    >>> from graphneg.samplers import DegreeNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> law = DegreeNegativeSampler(alpha=1.0).law(ei, 4)
    >>> law.log_prob(torch.tensor([0])).exp().tolist()
    [[0.0, 0.0, 1.0, 0.0]]
    """

    def __init__(self, sampler: NegativeSampler, context: SamplingContext):
        self.sampler = sampler
        self.context = context

    def log_prob(self, anchors: Optional[Tensor] = None, candidates: Optional[Tensor] = None,
                 *, normalize: bool = True) -> Tensor:
        r"""``log Pr[n | u]``, shape ``(A, C)``, float64, ``-inf`` outside :math:`C(u)`.

        Parameters
        ----------
        anchors : LongTensor, shape (A,), optional
            Default: every node.
        candidates : LongTensor, shape (C,), optional
            Default: the candidate set.
        normalize : bool, default True
            False: :math:`\log q(n \mid u)` up to a per-anchor constant on
            :math:`C(u)` (only the given candidates are evaluated, no zero-mass
            rule): what streaming consumers that normalise themselves need.
        """
        ctx, sampler = self.context, self.sampler
        if anchors is None:
            anchors = torch.arange(ctx.num_nodes)
        anchors = anchors.view(-1)
        if not normalize:
            if candidates is None:
                candidates = ctx.candidate_pool
            logw = sampler._log_weights(anchors, candidates, ctx).double()
            valid = ctx.is_valid(anchors.view(-1, 1), candidates.view(1, -1))
            return logw.masked_fill(~valid, float("-inf"))
        pool = ctx.candidate_pool
        rows = max(1, _CHUNK_ELEMENTS // max(pool.numel(), 1))
        blocks = []
        for lo in range(0, anchors.numel(), rows):  # chunks of anchors
            logw, _ = sampler._exact_log_weights(anchors[lo:lo + rows], pool, ctx)
            empty = torch.isneginf(logw).all(1, keepdim=True)
            blocks.append(torch.log_softmax(logw.masked_fill(empty, 0.0), 1)
                          .masked_fill(empty, float("-inf")))
        out = torch.cat(blocks) if blocks else torch.zeros(0, pool.numel(), dtype=torch.double)
        if candidates is None:
            return out
        where = ctx.candidate_position[candidates.view(-1)]
        return out[:, where.clamp(min=0)].masked_fill((where < 0).view(1, -1), float("-inf"))


SAMPLERS.base = NegativeSampler  # instances pass through SAMPLERS.make unchanged


def get_sampler(sampler: Union[str, NegativeSampler], **kwargs: Any) -> NegativeSampler:
    """Resolve a sampler from a registry name (building it with ``kwargs``) or
    return an instance unchanged.

    Examples
    --------
    >>> get_sampler("uniform", num_neg=3)
    UniformNegativeSampler(num_neg=3, mode='per_anchor', on_impossible='raise')
    """
    return SAMPLERS.make(sampler, **kwargs)


def sampler_names() -> list:
    """Registered sampler names, sorted."""
    return SAMPLERS.names()


class PreparedSampler:
    r"""A sampler bound to one graph (built by :meth:`NegativeSampler.prepare`): the
    exclusion index and the graph-level tables are built once, and every call draws
    negatives for one mini-batch of positives from the same law as
    :meth:`NegativeSampler.sample` on the whole graph.

    Exclusion stays exact: every positive a batch may hold was excluded when the
    index was built; a batch positive that is not in the index raises ``ValueError``
    (prepare with it, or pass it as ``exclude_edge_index`` there).

    Attributes
    ----------
    sampler : NegativeSampler
    context : SamplingContext
        The graph-level context (exclusion index, masks, groups, reusable tables).

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 2, 3], [1, 2, 3, 0]])
    >>> prepared = UniformNegativeSampler(1, seed=0).prepare(ei, 6)
    >>> [prepared.sample(ei[:, i:i + 2]).shape[1] for i in (0, 2)]
    [2, 2]
    """

    def __init__(self, sampler: NegativeSampler, context: SamplingContext):
        self.sampler = sampler
        self.context = context

    def sample(self, pos_edge_index: Tensor, *, return_mask: bool = False,
               **inputs: Any) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        r"""Negatives for the batch ``pos_edge_index`` ``(2, B)``, laid out as
        :meth:`NegativeSampler.sample` lays them out (on the batch's device);
        ``inputs`` are this call's inputs (``z=``), merged over those given to
        ``prepare``. Cost: :math:`O(B \log(E + P))` to check the batch, plus the
        draws."""
        device = pos_edge_index.device if isinstance(pos_edge_index, Tensor) else None
        if device is not None and device.type != "cpu":
            out = self.sample(pos_edge_index.cpu(), return_mask=return_mask,
                              **_to_device(inputs, "cpu"))
            return _to_device(out, device)
        sampler, base = self.sampler, self.context
        owner = type(sampler).__name__
        unknown = sorted(set(inputs) - set(sampler.accepts))
        if unknown:
            raise TypeError(f"{owner}.sample got unexpected keyword argument(s) {unknown}; "
                            f"it takes {', '.join(f'{a}=' for a in sampler.accepts) or 'none'}.")
        pos = check_edge_index(pos_edge_index, "pos_edge_index", num_nodes=base.num_nodes,
                               owner=owner)
        if pos.numel() and not bool(base.known.contains(pos[0], pos[1]).all()):
            raise ValueError(f"{owner}: every positive of a mini-batch must be among the "
                             f"positives (or excluded pairs) given to prepare(), so that it is "
                             f"never drawn as another batch's negative; "
                             f"{int((~base.known.contains(pos[0], pos[1])).sum())} are not.")
        ctx = base.fork(dict(base.kwargs, **inputs), keep=sampler.graph_tables)
        mask = ctx.candidate_mask
        sampler._check_context(ctx)
        if ctx.candidate_mask is not mask:          # the check narrowed the mask again
            same = (mask is not None and ctx.candidate_mask is not None
                    and torch.equal(mask, ctx.candidate_mask))
            if same:
                ctx.candidate_mask = mask
            else:
                base.candidate_mask = ctx.candidate_mask
                ctx._cache = {k: v for k, v in ctx._cache.items()
                              if k in ("ctx:known_row_ptr", "ctx:known_columns", "ctx:csr",
                                       "degree")}
        out = sampler._sample_in(ctx, pos, return_mask)
        base._cache.update({k: v for k, v in ctx._cache.items()
                            if k.startswith("ctx:") or k in ("degree", "candidates")
                            or k in sampler.graph_tables})
        return out


def _check_node_mask(mask: Optional[Tensor], param: str, num_nodes: int, owner: str, *,
                     dtype: torch.dtype = torch.bool, note: str = "") -> Optional[Tensor]:
    """``mask`` as a ``(num_nodes,)`` tensor of ``dtype`` (a BoolTensor by default), or
    ``ValueError`` naming ``param`` (``note`` says what the entries mean)."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor) or mask.dtype != dtype or mask.shape != (num_nodes,):
        kind = "a BoolTensor" if dtype == torch.bool else "a LongTensor"
        raise ValueError(
            f"The '{param}' parameter of {owner} must be {kind} of shape "
            f"({num_nodes},){note}. Got {getattr(mask, 'shape', mask)} instead.")
    return mask


def _to_device(value: Any, device: Any) -> Any:
    """``value`` with every tensor in it (also inside tuples, lists and dicts) moved
    to ``device``; anything else unchanged."""
    if isinstance(value, Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {k: _to_device(v, device) for k, v in value.items()}
    if isinstance(value, (tuple, list)) and any(isinstance(v, Tensor) for v in value):
        return type(value)(_to_device(v, device) for v in value)
    return value

