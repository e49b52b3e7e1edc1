r"""ANN hard negatives: top-k by inner product from a FAISS index, refreshed on schedule.

Concepts
--------
With node embeddings :math:`z \in \mathbb{R}^{N \times d}` captured at the last
*refresh*, an index answers, for every anchor :math:`u`, the set
:math:`T(u)` of the :math:`k` nodes with the largest inner product
:math:`s(u, n) = z_u \cdot z_n` — exactly (``IndexFlatIP``) or approximately
(``IndexHNSWFlat``, ``IndexIVFFlat``). The sampler draws among the *valid*
retrieved candidates :math:`T_C(u) = T(u) \cap C(u)` (the anchor and known edges
dropped, :mod:`graphneg.samplers.base`):

.. math::

    q(n \mid u) \propto w(u, n)\, \mathbb{1}[n \in T_C(u)], \qquad
    w(u, n) = 1 \ \text{(uniform)} \quad\text{or}\quad
    w(u, n) = \exp(\tilde s(u, n) / \tau) \ \text{(softmax)},

with :math:`\tilde s` the score the index returned at refresh time. When fewer than
``min_valid`` retrieved candidates are valid (trained embeddings put neighbours
at the top, so :math:`T(u)` can be all known edges), the anchor **falls back** to
uniform over :math:`C(u)`; the number of such anchors is in the stats
(``ann_fallback_anchors``). The table, its validity, the fallback and both
sampling paths are those of :class:`~graphneg.samplers.tables.TableSampler`.

Refresh (ANCE)
--------------
The top-k lists of *all* nodes are mined at refresh time and reused until the
index is ``refresh_every`` optimisation steps old (Xiong et al., ANCE, 2021).
Steps are counted by the sampler: the trainer passes ``step=`` to
:meth:`ANNNegativeSampler.sample` or to :meth:`ANNNegativeSampler.on_epoch_start`;
without it every ``sample`` call counts as one step. With ``auto_refresh=True``
the sampler refreshes itself from the ``z=`` it is given when due; otherwise a
stale or absent index raises. Staleness, refresh count and refresh seconds are
in :class:`~graphneg.samplers.base.SamplerStats` ``extra`` (hence in the trainer's
per-epoch records).

FAISS is an optional dependency (``pip install graphneg[ann]``) imported lazily;
its OpenMP thread count is set to ``num_threads`` (default
``torch.get_num_threads()``) around every FAISS call and restored after.

Cost: a refresh builds the index (flat ``O(N d)``; HNSW ``O(N log N · M d)``;
IVF k-means ``O(iters · N · nlist · d)``) and searches all ``N`` nodes (flat
``O(N^2 d)``, HNSW ``≈ O(N · efSearch · M d)``, IVF ``O(N · nprobe · N/nlist · d)``);
memory ``O(N k)`` for the mined lists. A sampling call costs ``O(S k log E)``
for ``S`` slots (validity of the retrieved lists).
"""
from __future__ import annotations

import contextlib
import time
from numbers import Integral, Real
from typing import Any, Dict, Iterator, Optional, Tuple

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import (
    Boolean, Interval, Options, check_embeddings, check_int, check_option,
)
from graphneg.samplers.base import SamplingContext
from graphneg.samplers.tables import TableSampler

__all__ = [
    "ANNNegativeSampler", "CandidateTableSampler", "import_faiss", "faiss_threads",
    "build_faiss_index", "faiss_topk", "torch_topk", "INDEX_KINDS", "MIPSIndex",
]

#: Index kinds selectable by name.
INDEX_KINDS = ("flat", "hnsw", "hnsw_mips", "ivf")

#: Queries searched per FAISS / matmul block (bounds the ``(B, N)`` score block).
_QUERY_BLOCK = 8192


def import_faiss():
    """Import :mod:`faiss` or raise an ImportError naming the extra to install.

    Examples
    --------
    >>> faiss = import_faiss()
    >>> hasattr(faiss, "IndexFlatIP")
    True
    """
    try:
        import faiss  # noqa: F401
    except ImportError as err:
        raise ImportError(
            "ANN hard-negative mining needs FAISS, an optional dependency of graphneg: "
            "install it with `pip install graphneg[ann]` (or `pip install faiss-cpu`).") from err
    return faiss


@contextlib.contextmanager
def faiss_threads(num_threads: Optional[int] = None) -> Iterator[int]:
    """Run a block with FAISS's OpenMP thread count set, restoring it after.

    Parameters
    ----------
    num_threads : int, optional
        Default ``torch.get_num_threads()`` (which follows ``OMP_NUM_THREADS`` and
        the machine's cores).

    Examples
    --------
    >>> with faiss_threads(1) as n:
    ...     n
    1
    """
    faiss = import_faiss()
    n = torch.get_num_threads() if num_threads is None else check_int(
        num_threads, "num_threads", low=1)
    old = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield n
    finally:
        faiss.omp_set_num_threads(old)


def _as_float32(z: Tensor) -> np.ndarray:
    return np.ascontiguousarray(z.detach().cpu().to(torch.float32).numpy())


class MIPSIndex:
    r"""An L2 index over the MIPS-to-L2 reduction that answers inner-product queries.

    Rows :math:`x_i` are stored as :math:`\tilde x_i = (x_i, \sqrt{M^2 - \|x_i\|^2})`
    with :math:`M = \max_i \|x_i\|`, queries as :math:`\tilde q = (q, 0)`. Then
    :math:`\|\tilde q - \tilde x_i\|^2 = \|q\|^2 + M^2 - 2\, q \cdot x_i`, so the
    L2-nearest rows are the largest inner products and
    :math:`q \cdot x_i = (\|q\|^2 + M^2 - \|\tilde q - \tilde x_i\|^2) / 2`
    (Bachrach et al., RecSys 2014). Graph indexes such as HNSW need a metric: on
    raw inner products their recall stalls; on the reduction it reaches 1.

    Attributes
    ----------
    index : faiss.Index
        The L2 index over the :math:`d + 1` dimensional rows.
    max_norm_sq : float
        :math:`M^2`.
    """

    def __init__(self, index, max_norm_sq: float):
        self.index, self.max_norm_sq = index, float(max_norm_sq)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def hnsw(self):
        return self.index.hnsw

    def search(self, q: np.ndarray, k: int):
        """Inner products (descending) and ids of the ``k`` best rows per query."""
        aug = np.concatenate([q, np.zeros((q.shape[0], 1), dtype=q.dtype)], 1)
        dist, ids = self.index.search(np.ascontiguousarray(aug), k)
        qn = (q.astype(np.float64) ** 2).sum(1, keepdims=True)
        return ((qn + self.max_norm_sq - dist) / 2).astype(np.float32), ids


def _mips_rows(x: np.ndarray) -> Tuple[np.ndarray, float]:
    """``x`` with the extra coordinate of the MIPS-to-L2 reduction, and ``M²``."""
    sq = (x.astype(np.float64) ** 2).sum(1)
    m2 = float(sq.max()) if sq.size else 0.0
    extra = np.sqrt(np.clip(m2 - sq, 0.0, None)).astype(np.float32).reshape(-1, 1)
    return np.ascontiguousarray(np.concatenate([x, extra], 1)), m2


def build_faiss_index(z: Tensor, kind: str = "hnsw", *, hnsw_m: int = 32,
                      ef_construction: int = 40, ef_search: int = 64,
                      nlist: Optional[int] = None, nprobe: int = 8,
                      num_threads: Optional[int] = None):
    r"""Build a FAISS inner-product index over the rows of ``z``.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
        Vectors to index (copied to float32).
    kind : {"flat", "hnsw", "hnsw_mips", "ivf"}
        ``"flat"``: exact ``IndexFlatIP``. ``"hnsw"``: ``IndexHNSWFlat`` (graph
        with ``hnsw_m`` links per node; ``ef_construction`` / ``ef_search`` beam
        widths) on raw inner products. ``"hnsw_mips"``: the same graph in L2 over
        the MIPS-to-L2 reduction (:class:`MIPSIndex`), exact in the limit.
        ``"ivf"``: ``IndexIVFFlat`` with ``nlist`` k-means cells (default
        ``round(sqrt(N))``), searching ``nprobe`` of them.
    num_threads : int, optional
        FAISS threads during the build (see :func:`faiss_threads`).

    Returns
    -------
    faiss.Index or MIPSIndex
        With ``z`` added; searches return inner products.

    Notes
    -----
    HNSW builds with more than one thread may differ run to run (insertion order
    races); pass ``num_threads=1`` for bit-for-bit reproducible graphs.

    References
    ----------
    Johnson, Douze, Jégou, *Billion-scale similarity search with GPUs*, 2019;
    Malkov & Yashunin, *HNSW*, TPAMI 2020.

    Examples
    --------
    >>> z = torch.eye(3)
    >>> build_faiss_index(z, "flat").ntotal
    3
    >>> zz = torch.randn(300, 8, generator=torch.Generator().manual_seed(0)) * torch.rand(
    ...     300, 1, generator=torch.Generator().manual_seed(1)) * 3
    >>> mips = build_faiss_index(zz, "hnsw_mips", hnsw_m=16, ef_construction=100, ef_search=64)
    >>> exact = build_faiss_index(zz, "flat")
    >>> bool((faiss_topk(mips, zz, 5)[1] == faiss_topk(exact, zz, 5)[1]).double().mean() > 0.95)
    True
    """
    owner = "build_faiss_index"
    faiss = import_faiss()
    z = check_embeddings(z, "z", owner=owner)
    kind = check_option(kind, "kind", INDEX_KINDS, owner=owner)
    n, d = z.shape
    x = _as_float32(z)
    with faiss_threads(num_threads):
        if kind == "flat":
            index = faiss.IndexFlatIP(d)
        elif kind in ("hnsw", "hnsw_mips"):
            mips = kind == "hnsw_mips"
            index = faiss.IndexHNSWFlat(d + mips, check_int(hnsw_m, "hnsw_m", low=2,
                                                            owner=owner),
                                        faiss.METRIC_L2 if mips else faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = check_int(ef_construction, "ef_construction", low=1,
                                                  owner=owner)
            index.hnsw.efSearch = check_int(ef_search, "ef_search", low=1, owner=owner)
            if mips:
                rows, m2 = _mips_rows(x)
                index.add(rows)
                return MIPSIndex(index, m2)
        else:
            nlist = max(1, int(round(n ** 0.5))) if nlist is None else check_int(
                nlist, "nlist", low=1, high=max(n, 1), owner=owner)
            quantizer = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
            index.cp.min_points_per_centroid = 1  # small graphs: no under-sampling warning
            index.train(x)
            index.nprobe = check_int(nprobe, "nprobe", low=1, owner=owner)
        index.add(x)
    return index


def faiss_topk(index, queries: Tensor, k: int, *,
               num_threads: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    """Top-``k`` inner-product search of ``queries`` in ``index``, in query blocks.

    Parameters
    ----------
    index : faiss.Index
    queries : FloatTensor, shape (Q, d)
    k : int
    num_threads : int, optional

    Returns
    -------
    scores : DoubleTensor, shape (Q, k)
        Inner products, descending (``-inf`` where fewer than ``k`` were found).
    ids : LongTensor, shape (Q, k)
        Node ids (``-1`` where fewer than ``k`` were found).

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> faiss_topk(build_faiss_index(z, "flat"), z[:1], 2)[1].tolist()
    [[0, 1]]
    """
    q = _as_float32(queries)
    scores = np.empty((q.shape[0], k), dtype=np.float32)
    ids = np.empty((q.shape[0], k), dtype=np.int64)
    with faiss_threads(num_threads):
        for lo in range(0, q.shape[0], _QUERY_BLOCK):
            d_, i_ = index.search(q[lo:lo + _QUERY_BLOCK], k)
            scores[lo:lo + _QUERY_BLOCK], ids[lo:lo + _QUERY_BLOCK] = d_, i_
    s = torch.from_numpy(scores).double()
    i = torch.from_numpy(ids)
    return s.masked_fill(i < 0, float("-inf")), i


def torch_topk(z: Tensor, queries: Tensor, k: int, *,
               block: int = 4096) -> Tuple[Tensor, Tensor]:
    r"""Exact top-``k`` inner products by chunked matmul + :func:`torch.topk`.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
        Database vectors.
    queries : FloatTensor, shape (Q, d)
    k : int
    block : int
        Queries per block; memory ``O(block · N)``.

    Returns
    -------
    scores : Tensor, shape (Q, k) ; ids : LongTensor, shape (Q, k)

    Notes
    -----
    Cost ``O(Q N d + Q N log k)``: the baseline FAISS is measured against in
    ``benchmarks/bench_ann.py``.

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> torch_topk(z, z[2:], 1)[1].tolist()
    [[2]]
    """
    check_int(k, "k", low=1, high=z.size(0), owner="torch_topk")
    out_s, out_i = [], []
    for lo in range(0, queries.size(0), block):
        s, i = torch.topk(queries[lo:lo + block] @ z.T, k, dim=1)
        out_s.append(s)
        out_i.append(i)
    return torch.cat(out_s), torch.cat(out_i)


class CandidateTableSampler(TableSampler):
    r""":class:`~graphneg.samplers.tables.TableSampler` under its older name, with the
    older hook :meth:`_table` (candidate ids ``(U, m)``, ``-1`` = empty, and log
    weights ``(U, m)``) and a fallback for rows with no valid entry
    (``min_valid = 1``). New samplers subclass ``TableSampler`` and write
    ``_candidate_table``.
    """

    min_valid: int = 1
    row_draw = "multinomial"     # the older base's row draw

    def _table(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        raise NotImplementedError

    def _candidate_table(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        return self._table(anchors, ctx)

    def _rows(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor, Tensor]:
        """Candidate ids, log weights masked to ``-inf`` on invalid entries, and the
        fallback mask, for ``anchors`` ``(A,)``."""
        return self._table_rows(anchors, ctx)


class ANNNegativeSampler(TableSampler, name="ann"):
    r"""Hard negatives mined by approximate (or exact) inner-product search.

    .. math::

        q(n \mid u) \propto w(u, n)\, \mathbb{1}[n \in T(u) \cap C(u)],

    ``T(u)`` the index's top-``k`` for ``u`` at the last refresh, ``w = 1`` or
    ``exp(s̃(u, n)/τ)``; uniform over ``C(u)`` when fewer than ``min_valid``
    retrieved candidates are valid (see the module docstring).

    Parameters
    ----------
    num_neg : int, default 1
    k : int, default 32
        Candidates retrieved per anchor (the anchor itself usually among them);
        must be at most ``num_nodes``.
    index : {"flat", "hnsw", "ivf"}, default "hnsw"
        ``"flat"`` is exact (the reference).
    weighting : {"uniform", "softmax"}
    temperature : float > 0, default 1.0
        ``τ`` of the softmax weighting.
    refresh_every : int, default 1
        ``R``: rebuild the index once it is ``R`` optimisation steps old.
    auto_refresh : bool, default True
        Refresh from the ``z=`` given to :meth:`sample` when due; if False, an
        absent or stale index raises ``ValueError``.
    min_valid : int, default 1
        Anchors with fewer valid retrieved candidates fall back to uniform over ``C(u)``.
    hnsw_m, ef_construction, ef_search : int
        HNSW parameters (``M``, ``efConstruction``, ``efSearch``).
    nlist, nprobe : int
        IVF parameters (cells, default ``round(sqrt(N))``; cells searched).
    num_threads : int, optional
        FAISS threads (default ``torch.get_num_threads()``).
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    Trainer protocol (the sampler never touches the trainer):

    * call :meth:`on_epoch_start` with ``z=``, ``epoch=``, ``step=`` (global
      optimisation step) before the epoch — it refreshes when due;
    * pass ``z=`` (and optionally ``step=``) to :meth:`sample` / the transform;
    * read ``last_stats.extra``: ``ann_staleness`` (steps since the refresh),
      ``ann_refreshed`` and ``ann_refresh_s`` (refreshes and seconds spent on them
      since the previous call — in :meth:`on_epoch_start` or in this call — so
      the epoch's refresh cost lands in the epoch's record), ``ann_num_refreshes``,
      ``ann_fallback_anchors``, ``ann_valid_candidates_mean``;
    * checkpoint with :meth:`state_dict` / :meth:`load_state_dict`.

    Costs: see the module docstring. With ``index="hnsw"`` and ``num_threads > 1``
    the graph (and so the negatives) may vary run to run. Inner product is not a
    metric: on trained embeddings with varying norms HNSW's recall saturates well
    below 1 (0.68 at ``efSearch=128``, ``M=8`` on GCN embeddings of a 2000-node BA
    graph, ``graphneg ann``) while IVF reaches 1 as ``nprobe → nlist``; measure it
    with :func:`graphneg.analysis.ann.ann_sweep` before trusting an index.

    References
    ----------
    Xiong et al., *Approximate Nearest Neighbor Negative Contrastive Learning for
    Dense Text Retrieval* (ANCE), ICLR 2021.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 2, 3], [1, 0, 3, 2]])
    >>> z = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    >>> s = ANNNegativeSampler(2, k=4, index="flat", seed=0)
    >>> neg = s.sample(ei, 6, z=z)
    >>> neg.shape, s.last_stats.extra["ann_num_refreshes"]
    (torch.Size([2, 8]), 1)
    """

    weighted = True
    requires = ("z",)
    accepts = ("z", "step")
    #: rows are drawn with torch.multinomial, as before the table base (same seeds,
    #: same negatives)
    row_draw = "multinomial"

    _parameter_constraints = {
        "k": [Interval(Integral, 1, None, closed="left")],
        "index": [Options(INDEX_KINDS)],
        "weighting": [Options(("uniform", "softmax"))],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "refresh_every": [Interval(Integral, 1, None, closed="left")],
        "auto_refresh": [Boolean()],
        "min_valid": [Interval(Integral, 1, None, closed="left")],
        "hnsw_m": [Interval(Integral, 2, None, closed="left")],
        "ef_construction": [Interval(Integral, 1, None, closed="left")],
        "ef_search": [Interval(Integral, 1, None, closed="left")],
        "nlist": [Interval(Integral, 1, None, closed="left"), None],
        "nprobe": [Interval(Integral, 1, None, closed="left")],
        "num_threads": [Interval(Integral, 1, None, closed="left"), None],
    }
    _repr_hidden = TableSampler._repr_hidden | {
        "auto_refresh", "min_valid", "hnsw_m", "ef_construction", "ef_search", "nlist",
        "nprobe", "num_threads"}

    def __init__(self, num_neg: int = 1, *, k: int = 32, index: str = "hnsw",
                 weighting: str = "uniform", temperature: float = 1.0,
                 refresh_every: int = 1, auto_refresh: bool = True, min_valid: int = 1,
                 hnsw_m: int = 32, ef_construction: int = 40, ef_search: int = 64,
                 nlist: Optional[int] = None, nprobe: int = 8,
                 num_threads: Optional[int] = None, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    @property
    def index_kind(self) -> str:
        """The ``index`` parameter (``"flat"``, ``"hnsw"`` or ``"ivf"``)."""
        return self.index

    @property
    def index_params(self) -> Dict[str, Any]:
        """Keyword arguments of :func:`build_faiss_index` from the parameters."""
        return dict(hnsw_m=self.hnsw_m, ef_construction=self.ef_construction,
                    ef_search=self.ef_search, nlist=self.nlist, nprobe=self.nprobe)

    def _setup(self) -> None:
        super()._setup()
        import_faiss()  # fail early with the install hint
        self.faiss_index = None
        self.topk_index: Optional[Tensor] = None
        self.topk_score: Optional[Tensor] = None
        self.num_refreshes = 0
        self.last_refresh_seconds = 0.0
        self._step = 0
        self._refresh_step = 0
        self._pending_refresh_s = 0.0   # refresh time not yet reported in a call's stats
        self._pending_refreshes = 0
        self._call_refresh_s = 0.0
        self._call_refreshes = 0
        self._call_staleness = 0

    # ----------------------------------------------------------- index / schedule
    def refresh(self, z: Tensor) -> float:
        r"""Rebuild the index from ``z`` and mine the top-``k`` list of every node.

        Parameters
        ----------
        z : FloatTensor, shape (N, d)
            Current node embeddings (detached, copied to float32).

        Returns
        -------
        float
            Seconds spent (build + search), also in ``last_refresh_seconds``.
        """
        owner = type(self).__name__
        z = check_embeddings(z, "z", owner=owner)
        if self.k > z.size(0):
            raise ValueError(f"The 'k' parameter of {owner} must be at most num_nodes = "
                             f"{z.size(0)} (candidates retrieved per anchor). Got {self.k} "
                             f"instead.")
        t0 = time.perf_counter()
        self.faiss_index = build_faiss_index(z, self.index, num_threads=self.num_threads,
                                             **self.index_params)
        self.topk_score, self.topk_index = faiss_topk(self.faiss_index, z, self.k,
                                                      num_threads=self.num_threads)
        self.last_refresh_seconds = time.perf_counter() - t0
        self.num_refreshes += 1
        self._refresh_step = self._step
        self._pending_refresh_s += self.last_refresh_seconds
        self._pending_refreshes += 1
        return self.last_refresh_seconds

    def state_dict(self) -> Dict[str, Any]:
        """The generator state, the mined lists and the schedule (for checkpoints; the
        FAISS index itself is not saved — sampling needs only the lists, the next
        refresh rebuilds it)."""
        return {**super().state_dict(),
                "topk_index": self.topk_index, "topk_score": self.topk_score,
                "step": self._step, "refresh_step": self._refresh_step,
                "num_refreshes": self.num_refreshes}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved."""
        super().load_state_dict(state)
        self.topk_index, self.topk_score = state["topk_index"], state["topk_score"]
        self._step, self._refresh_step = int(state["step"]), int(state["refresh_step"])
        self.num_refreshes = int(state["num_refreshes"])
        self.faiss_index = None

    @property
    def staleness(self) -> int:
        """Optimisation steps since the last refresh (``-1`` before the first)."""
        return -1 if self.topk_index is None else self._step - self._refresh_step

    def on_epoch_start(self, *, z: Optional[Tensor] = None, epoch: Optional[int] = None,
                       step: Optional[int] = None) -> bool:
        """Trainer hook: set the step clock and refresh when due.

        Parameters
        ----------
        z : FloatTensor, shape (N, d), optional
            Current embeddings; without them nothing is refreshed.
        epoch : int, optional
            Unused except for validation (kept for a uniform hook signature).
        step : int, optional
            Global optimisation step about to run.

        Returns
        -------
        bool
            Whether the index was rebuilt.
        """
        owner = type(self).__name__
        if epoch is not None:
            check_int(epoch, "epoch", low=0, owner=owner)
        if step is not None:
            self._step = check_int(step, "step", low=0, owner=owner)
        if z is not None and (self.topk_index is None
                              or self._step - self._refresh_step >= self.refresh_every):
            self.refresh(z)
            return True
        return False

    def _check_context(self, ctx: SamplingContext) -> None:
        owner = type(self).__name__
        z = ctx.kwargs.get("z")
        step = ctx.kwargs.get("step")
        if z is not None:
            check_embeddings(z, "z", num_rows=ctx.num_nodes, owner=owner)
        if step is not None:
            self._step = check_int(step, "step", low=0, owner=owner)
        current = self._step
        if self.topk_index is None:
            if z is None:
                raise ValueError(f"{owner} has no index yet: pass the node embeddings "
                                 f"z=<FloatTensor (N, d)> to sample(), or call refresh(z) "
                                 f"first.")
            if not self.auto_refresh:
                raise ValueError(f"{owner} has no index and auto_refresh=False: call "
                                 f"refresh(z) before sampling.")
            self.refresh(z)
        elif self.topk_index.size(0) != ctx.num_nodes:
            raise ValueError(f"{owner}: the index holds {self.topk_index.size(0)} nodes but the "
                             f"graph has {ctx.num_nodes}; call refresh(z) with embeddings of "
                             f"the current graph.")
        elif current - self._refresh_step >= self.refresh_every:
            if not self.auto_refresh or z is None:
                raise ValueError(
                    f"{owner}: the index is stale (built at step {self._refresh_step}, now "
                    f"step {current}, refresh_every={self.refresh_every}); "
                    + ("call refresh(z)." if not self.auto_refresh
                       else "pass z=<FloatTensor (N, d)> so it can refresh."))
            self.refresh(z)
        if step is None:
            self._step = current + 1  # without a trainer clock every call is one step
        # refreshes since the previous call (in on_epoch_start or here) are this call's cost
        self._call_refresh_s = self._pending_refresh_s
        self._call_refreshes = self._pending_refreshes
        self._pending_refresh_s, self._pending_refreshes = 0.0, 0
        self._call_staleness = current - self._refresh_step

    # ----------------------------------------------------------------- the table
    def _candidate_table(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        idx = self.topk_index[anchors]
        if self.weighting == "uniform":
            logw = torch.zeros(idx.shape, dtype=torch.double)
        else:
            logw = self.topk_score[anchors] / self.temperature
        return idx, logw.masked_fill(idx < 0, float("-inf"))

    def _extra_stats(self, ctx: SamplingContext) -> Dict[str, float]:
        out = {"ann_staleness": self._call_staleness,
               "ann_refreshed": self._call_refreshes,
               "ann_refresh_s": self._call_refresh_s,
               "ann_num_refreshes": self.num_refreshes}
        out.update(self._table_stats(ctx, "ann"))
        return out

    def _config(self) -> Dict[str, Any]:
        cfg = super()._config()
        temperature = cfg.pop("temperature")
        if self.weighting == "softmax":
            cfg["temperature"] = temperature
        return cfg
