r"""PyG inputs for every graph sampler: sparse adjacency, labelled splits, batches of
graphs, bipartite relations and ``HeteroData`` edge types.

Every graph sampler (:class:`~graphneg.samplers.base.NegativeSampler`) reads its PyG
input through this module, so one rule holds for all of them:

- **Graph.** ``edge_index``, or the adjacency ``adj_t`` written by
  ``T.ToSparseTensor`` (a torch sparse tensor, or torch-sparse's ``SparseTensor``
  where it is installed); ``adj_t[v, u] = 1`` is the edge ``u -> v``.
- **Labels.** In ``edge_label_index`` a row labelled 0 is a negative (PyG's
  convention; ``T.RandomLinkSplit`` shifts multi-class labels to ``1..C`` when it
  adds negatives), every other row is a positive of its class. Positives keep their
  labels; existing negatives are kept, replaced or refused (``existing_negatives``).
  A split made with ``split_labels=True`` (``pos_edge_label_index`` /
  ``neg_edge_label_index``) is read and written in that form. User labels that use
  0 for a class of real edges must be shifted first (as ``T.RandomLinkSplit`` does
  when it samples negatives): a 0 is read as a negative.
- **Bipartite.** ``num_nodes=(N_src, N_dst)`` puts destination ``j`` at id
  ``N_src + j`` of one graph with both directions of every edge, anchors on the
  source side and candidates on the destination side, so the sampler's own law runs
  unchanged on the relation and no source–source or destination pair is drawn.
- **HeteroData.** Negatives of ``(src, rel, dst)`` are ``dst`` nodes, exclude that
  relation's edges and those of its reverse ``rev_edge_types`` entry, and land on
  that edge store with its own ``neg_stats``.
- **Batches.** On a ``Batch`` every pair stays inside one member graph (the
  ``batch`` vector; for a bipartite or heterogeneous batch, one vector per side).

Recipe: neighbour-sampled mini-batches (``LinkNeighborLoader``)
---------------------------------------------------------------
PyG's ``LinkNeighborLoader`` takes labelled seed edges (``edge_label_index``,
``edge_label``) and samples a subgraph around each mini-batch of them. graphneg
supplies the negatives, redrawn every epoch, from a sampler prepared once on the
training graph (exclusion index of the edges, every training positive and the
held-out positives), while the loader's neighbour sampler is built once too::

    from torch_geometric.loader import LinkNeighborLoader
    from torch_geometric.sampler import NeighborSampler

    pos = train.edge_label_index                               # (2, P) positives
    prepared = get_sampler("uniform", num_neg=1, seed=0).prepare(
        train.edge_index, train.num_nodes, pos_edge_index=pos,
        exclude_edge_index=held_out_edges(val, test))
    neighbours = NeighborSampler(train, num_neighbors=[10, 10])  # CSC built once
    for epoch in range(epochs):
        edge_label_index, edge_label = seed_edges(prepared, pos)   # fresh negatives
        loader = LinkNeighborLoader(train, num_neighbors=[10, 10], batch_size=256,
                                    shuffle=True, edge_label_index=edge_label_index,
                                    edge_label=edge_label, neighbor_sampler=neighbours)
        for batch in loader:          # batch.edge_label_index: local ids, n_id maps back
            ...

Leave the loader's own ``neg_sampling`` unset (it draws without exclusion). The
neighbour sampler needs ``pyg-lib`` or ``torch-sparse`` (PyG has no pure-torch
neighbour sampling); the graphneg part is pure torch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import Tensor
from torch_geometric.transforms import BaseTransform

__all__ = ["graph_edge_index", "labelled_edges", "LabelledEdges", "sample_bipartite",
           "sample_hetero", "NegativeSampling", "held_out_edges", "seed_edges", "is_hetero",
           "is_batch"]

EdgeType = Tuple[str, str, str]
_EXISTING = ("keep", "replace", "raise")


def is_hetero(data: Any) -> bool:
    """Whether ``data`` is a ``HeteroData`` (or a batch of them)."""
    from torch_geometric.data import HeteroData
    return isinstance(data, HeteroData)


def is_edge_store(data: Any) -> bool:
    """Whether ``data`` is one edge store of a ``HeteroData`` (``data[edge_type]``)."""
    from torch_geometric.data.storage import EdgeStorage
    return isinstance(data, EdgeStorage)


def is_batch(data: Any) -> bool:
    """Whether ``data`` is a PyG ``Batch`` of graphs (with a node ``batch`` vector)."""
    from torch_geometric.data import Batch
    return isinstance(data, Batch) and getattr(data, "batch", None) is not None


def graph_edge_index(store: Any, *, owner: str = "sampler") -> Tensor:
    """The message-passing ``edge_index`` of a ``Data`` or an edge store.

    Parameters
    ----------
    store : Data, Batch or EdgeStorage
        With ``edge_index``, or with ``adj_t`` (after ``T.ToSparseTensor``) or
        ``adj``: a torch sparse tensor (COO / CSR / CSC) or a ``SparseTensor``.

    Returns
    -------
    LongTensor, shape (2, E)
        ``adj_t`` is the transposed adjacency, so its ``(row, col)`` are flipped.

    Examples
    --------
    >>> import torch_geometric.transforms as T
    >>> from torch_geometric.data import Data
    >>> data = T.ToSparseTensor()(Data(edge_index=torch.tensor([[0, 0], [1, 2]]), num_nodes=3))
    >>> graph_edge_index(data).tolist()
    [[0, 0], [1, 2]]
    """
    keys = set(store.keys()) if hasattr(store, "keys") else set()
    if "edge_index" in keys and store["edge_index"] is not None:
        return store["edge_index"]
    for key, flip in (("adj_t", True), ("adj", False)):
        if key in keys and store[key] is not None:
            from torch_geometric.utils import to_edge_index
            index, _ = to_edge_index(store[key])
            return (index.flip(0) if flip else index).long().contiguous()
    raise TypeError(f"{owner}: the graph has neither 'edge_index' nor a sparse 'adj_t' / 'adj' "
                    f"(T.ToSparseTensor). Got the attributes {sorted(keys)}.")


@dataclass
class LabelledEdges:
    """The labelled pairs of one ``Data`` or edge store, split by PyG's convention.

    Attributes
    ----------
    positives : LongTensor, shape (2, P)
        Rows whose label is not 0 (or ``edge_index`` when nothing is labelled).
    labels : Tensor, shape (P,), or None
        Their labels (``None``: no ``edge_label``; written as ones).
    negatives : LongTensor, shape (2, M)
        Existing rows labelled 0 that are kept (``M = 0`` unless ``"keep"``).
    label_dtype : torch.dtype
        Dtype of the written ``edge_label`` (the input's, float without one).
    split : bool
        The store holds ``pos_edge_label_index`` / ``neg_edge_label_index``
        (``T.RandomLinkSplit(split_labels=True)``) and is written back that way.
    """

    positives: Tensor
    labels: Optional[Tensor]
    negatives: Tensor
    label_dtype: torch.dtype
    split: bool = False

    @property
    def num_kept_negatives(self) -> int:
        """Existing negatives written back after the new ones."""
        return int(self.negatives.size(1))

    def write(self, store: Any, neg: Tensor, keep: Tensor) -> None:
        """Write ``edge_label_index = [kept positives | neg | existing negatives]`` and
        ``edge_label = [their labels | 0 ... 0]`` onto ``store`` (in place); ``keep``
        ``(P,)`` marks the positives the sampler kept."""
        pos = self.positives[:, keep]
        dev, dtype = pos.device, self.label_dtype
        label = (torch.ones(pos.size(1), dtype=dtype, device=dev) if self.labels is None
                 else self.labels[keep].to(dtype))
        negatives = torch.cat([neg.to(dev), self.negatives], 1)
        zeros = torch.zeros(negatives.size(1), dtype=dtype, device=dev)
        if self.split:
            store.pos_edge_label_index, store.pos_edge_label = pos, label
            store.neg_edge_label_index, store.neg_edge_label = negatives, zeros
            return
        store.edge_label_index = torch.cat([pos, negatives], 1)
        store.edge_label = torch.cat([label, zeros])


def labelled_edges(store: Any, edge_index: Tensor, existing_negatives: str = "keep", *,
                   owner: str = "sampler") -> LabelledEdges:
    """Split a store's ``edge_label_index`` / ``edge_label`` into positives (label not 0)
    and existing negatives (label 0), applying ``existing_negatives``.

    Parameters
    ----------
    store : Data or EdgeStorage
    edge_index : LongTensor, shape (2, E)
        The positives when the store has no ``edge_label_index``.
    existing_negatives : {"keep", "replace", "raise"}

    Examples
    --------
    >>> from torch_geometric.data import Data
    >>> d = Data(edge_label_index=torch.tensor([[0, 1, 2], [1, 2, 3]]),
    ...          edge_label=torch.tensor([2, 0, 1]))
    >>> out = labelled_edges(d, None)
    >>> out.positives.tolist(), out.labels.tolist(), out.negatives.tolist()
    ([[0, 2], [1, 3]], [2, 1], [[1], [2]])
    """
    if existing_negatives not in _EXISTING:
        raise ValueError(f"The 'existing_negatives' parameter of {owner} must be one of "
                         f"{list(_EXISTING)}. Got {existing_negatives!r} instead.")
    keys = set(store.keys()) if hasattr(store, "keys") else set()
    if "edge_label_index" not in keys and "pos_edge_label_index" in keys:
        return _split_labelled(store, keys, existing_negatives, owner)
    index = store["edge_label_index"] if "edge_label_index" in keys else None
    label = store["edge_label"] if "edge_label" in keys else None
    dtype = label.dtype if label is not None else torch.float
    if index is None:
        empty = edge_index.new_empty(2, 0)
        return LabelledEdges(edge_index, None, empty, dtype)
    if label is None:
        return LabelledEdges(index, None, index.new_empty(2, 0), dtype)
    if label.shape != (index.size(1),):
        raise ValueError(f"{owner}: edge_label must have shape ({index.size(1)},), one label "
                         f"per column of edge_label_index. Got {tuple(label.shape)} instead.")
    is_neg = label == 0
    if existing_negatives == "raise" and bool(is_neg.any()):
        raise ValueError(f"{owner}: the data already holds {int(is_neg.sum())} negatives "
                         f"(edge_label 0), e.g. from RandomLinkSplit(add_negative_train_samples"
                         f"=True). Pass existing_negatives='keep' or 'replace', or split with "
                         f"add_negative_train_samples=False.")
    old = index[:, is_neg] if existing_negatives == "keep" else index.new_empty(2, 0)
    return LabelledEdges(index[:, ~is_neg], label[~is_neg], old, dtype)


def _split_labelled(store: Any, keys: set, existing_negatives: str,
                    owner: str) -> LabelledEdges:
    """:func:`labelled_edges` of a ``split_labels=True`` store (``pos_edge_label_index``,
    ``pos_edge_label``, optionally ``neg_edge_label_index``)."""
    pos = store["pos_edge_label_index"]
    label = store["pos_edge_label"] if "pos_edge_label" in keys else None
    old = store["neg_edge_label_index"] if "neg_edge_label_index" in keys else pos.new_empty(2, 0)
    if existing_negatives == "raise" and old.size(1) > 0:
        raise ValueError(f"{owner}: the data already holds {old.size(1)} negatives "
                         f"(neg_edge_label_index). Pass existing_negatives='keep' or 'replace'.")
    if existing_negatives == "replace":
        old = pos.new_empty(2, 0)
    dtype = label.dtype if label is not None else torch.float
    return LabelledEdges(pos, label, old, dtype, split=True)


def held_out_edges(*splits: Any) -> Union[Tensor, Dict[EdgeType, Tensor]]:
    """The positives of held-out splits (``val``, ``test`` of ``T.RandomLinkSplit``), to
    pass as ``exclude_edge_index`` so that no held-out edge becomes a training negative.

    Parameters
    ----------
    *splits : Data or HeteroData
        Splits whose ``edge_label_index`` rows with a label other than 0 are collected
        (their negatives are not edges and are left out).

    Returns
    -------
    LongTensor, shape (2, X), or dict {edge_type: LongTensor (2, X)} for HeteroData

    Examples
    --------
    >>> import torch_geometric.transforms as T
    >>> from torch_geometric.data import Data
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3, 3, 0], [1, 0, 2, 1, 3, 2, 0, 3]])
    >>> train, val, test = T.RandomLinkSplit(num_val=0.25, num_test=0.25, is_undirected=True,
    ...                                      add_negative_train_samples=False)(
    ...     Data(edge_index=ei, num_nodes=5))
    >>> held_out_edges(val, test).shape            # one val and one test positive
    torch.Size([2, 2])
    >>> out = UniformNegativeSampler(2, seed=0)(train, exclude_edge_index=held_out_edges(val, test))
    """
    if splits and all(is_hetero(s) for s in splits):
        out: Dict[EdgeType, List[Tensor]] = {}
        for split in splits:
            for et in split.edge_types:
                if {"edge_label_index", "pos_edge_label_index"} & set(split[et].keys()):
                    pos = labelled_edges(split[et], None, "replace").positives
                    out.setdefault(et, []).append(pos)
        return {et: torch.cat(parts, 1) for et, parts in out.items()}
    if any(is_hetero(s) for s in splits):
        raise TypeError("held_out_edges takes splits of one kind: all Data or all HeteroData.")
    parts = [labelled_edges(s, None, "replace").positives for s in splits
             if {"edge_label_index", "pos_edge_label_index"} & set(s.keys())]
    return torch.cat(parts, 1) if parts else torch.empty(2, 0, dtype=torch.long)


def seed_edges(prepared: Any, pos_edge_index: Tensor, **inputs: Any) -> Tuple[Tensor, Tensor]:
    r"""Positives and freshly drawn negatives as labelled seed edges, the
    ``edge_label_index`` / ``edge_label`` that PyG's ``LinkNeighborLoader`` (or
    ``LinkLoader``) takes (the recipe in the module docstring).

    .. math::

        \text{edge\_label\_index} = [\,\text{pos}_{kept} \mid \text{neg}\,], \qquad
        \text{edge\_label} = [\,1 \dots 1 \mid 0 \dots 0\,]

    Positives whose anchor has no valid negative (dropped under
    ``on_impossible="drop"``) are left out with their negatives, so every kept
    positive has its ``num_neg`` negatives in the same epoch.

    Parameters
    ----------
    prepared : PreparedSampler
        From ``sampler.prepare(edge_index, num_nodes, pos_edge_index=pos, ...)``.
    pos_edge_index : LongTensor, shape (2, P)
        Positives (among those ``prepared`` was built with).
    **inputs
        Call-time inputs of this draw (``z=``).

    Returns
    -------
    edge_label_index : LongTensor, shape (2, P' (1 + K))
    edge_label : FloatTensor, shape (P' (1 + K),)

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> prepared = UniformNegativeSampler(2, seed=0).prepare(ei, 5)
    >>> index, label = seed_edges(prepared, ei[:, :2])
    >>> index.shape, label.tolist()
    (torch.Size([2, 6]), [1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    """
    neg, keep = prepared.sample(pos_edge_index, return_mask=True, **inputs)
    pos = pos_edge_index[:, keep.to(pos_edge_index.device)]
    label = torch.cat([torch.ones(pos.size(1), device=pos.device),
                       torch.zeros(neg.size(1), device=pos.device)])
    return torch.cat([pos, neg.to(pos.device)], 1), label


# ----------------------------------------------------------------- bipartite
def _join(src: Any, dst: Any) -> Any:
    """One value for the joined node ids: source rows first, then destination rows."""
    if isinstance(src, Tensor):
        return torch.cat([src, torch.as_tensor(dst, device=src.device)], 0)
    if isinstance(src, np.ndarray):
        return np.concatenate([src, np.asarray(dst)], 0)
    return list(src) + list(dst)


def _bipartite_index(index: Optional[Tensor], n_src: int, n_dst: int, param: str,
                     owner: str) -> Optional[Tensor]:
    """Check a ``(2, E)`` source→destination index and shift destinations by ``n_src``."""
    if index is None:
        return None
    from graphneg._validation import check_edge_index
    index = check_edge_index(index, param, owner=owner)
    if index.numel():
        for row, n, side in ((0, n_src, "source"), (1, n_dst, "destination")):
            hi = int(index[row].max())
            if hi >= n:
                raise ValueError(f"The '{param}' parameter of {owner} must hold {side} ids "
                                 f"in [0, {n}) in row {row} (num_nodes=({n_src}, {n_dst})). "
                                 f"Got {hi} instead.")
    return torch.stack([index[0], index[1] + n_src])


@dataclass
class _Bipartite:
    """A bipartite call on the joined graph: destination ``j`` is node ``n_src + j``."""

    n_src: int
    n_dst: int
    graph: Tensor
    pos: Tensor
    exclude: Optional[Tensor]
    dst_side: Tensor
    src_side: Tensor
    batch: Any
    inputs: Dict[str, Any]

    @property
    def num_nodes(self) -> int:
        return self.n_src + self.n_dst

    def local(self, neg: Tensor) -> Tensor:
        """Joined ``(2, M)`` source-destination pairs back to ids local to each side."""
        return torch.stack([neg[0], neg[1] - self.n_src])


def _bipartite(sampler: Any, edge_index: Tensor, num_nodes: Sequence[int],
               pos_edge_index: Optional[Tensor], exclude_edge_index: Optional[Tensor],
               candidate_mask: Optional[Tensor], batch: Any,
               inputs: Dict[str, Any]) -> _Bipartite:
    """Check a bipartite call and join both sides into one graph (both directions of
    every edge; sources anchor, masked destinations are the candidates)."""
    owner = type(sampler).__name__
    if len(num_nodes) != 2:
        raise ValueError(f"The 'num_nodes' parameter of {owner} must be an int or a pair "
                         f"(N_src, N_dst). Got {tuple(num_nodes)} instead.")
    n_src, n_dst = (int(v) for v in num_nodes)
    if n_src < 0 or n_dst < 0:
        raise ValueError(f"The 'num_nodes' parameter of {owner} must hold sizes >= 0. Got "
                         f"{(n_src, n_dst)} instead.")
    ei = _bipartite_index(edge_index, n_src, n_dst, "edge_index", owner)
    pos = _bipartite_index(pos_edge_index, n_src, n_dst, "pos_edge_index", owner)
    excl = _bipartite_index(exclude_edge_index, n_src, n_dst, "exclude_edge_index", owner)
    dst_side = torch.zeros(n_src + n_dst, dtype=torch.bool)
    if candidate_mask is not None:
        from graphneg.samplers.base import _check_node_mask
        dst_side[n_src:] = _check_node_mask(candidate_mask, "candidate_mask", n_dst, owner,
                                            note=" (destination nodes of a bipartite graph)")
    else:
        dst_side[n_src:] = True
    src_side = torch.zeros(n_src + n_dst, dtype=torch.bool)
    src_side[:n_src] = True
    if isinstance(batch, (tuple, list)):
        batch = _join(*batch)
    joined = {k: _join(*v) if isinstance(v, tuple) and len(v) == 2 else v
              for k, v in inputs.items()}
    return _Bipartite(n_src, n_dst, torch.cat([ei, ei.flip(0)], 1),
                      ei if pos is None else pos, excl, dst_side, src_side, batch, joined)


def sample_bipartite(sampler: Any, edge_index: Tensor, num_nodes: Sequence[int], *,
                     pos_edge_index: Optional[Tensor] = None,
                     exclude_edge_index: Optional[Tensor] = None,
                     candidate_mask: Optional[Tensor] = None,
                     batch: Any = None, return_mask: bool = False,
                     **inputs: Any) -> Union[Tensor, Tuple[Tensor, Tensor]]:
    r"""``sampler.sample`` on a bipartite graph ``num_nodes=(N_src, N_dst)``.

    Destination ``j`` becomes node ``N_src + j`` of one graph holding both
    directions of every edge; anchors are sources and candidates destinations
    (``candidate_mask`` ``(N_dst,)`` narrows them), so

    .. math::

        C(u) = \{\, j \in V_{dst} : (u, j) \notin \mathcal{K} \,\},

    and every sampler draws its own law restricted to it. Call-time inputs given as
    a pair ``(src_value, dst_value)`` are joined (sources first); others must already
    cover ``N_src + N_dst`` rows. Cost: that of the sampler on ``N_src + N_dst``
    nodes and ``2E`` edges.

    Returns
    -------
    LongTensor, shape (2, P * num_neg) or (2, num_neg)
        Row 0 source ids, row 1 destination ids (both local to their side).

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1], [0, 0, 1]])
    >>> neg = sample_bipartite(UniformNegativeSampler(3, seed=0), ei, (2, 3))
    >>> bool((neg[1] < 3).all()), neg[:, :3].tolist()   # user 0 rated item 0 only
    (True, [[0, 0, 0], [2, 2, 2]])
    """
    bi = _bipartite(sampler, edge_index, num_nodes, pos_edge_index, exclude_edge_index,
                    candidate_mask, batch, inputs)
    neg, keep = sampler.sample(bi.graph, bi.num_nodes, pos_edge_index=bi.pos,
                               exclude_edge_index=bi.exclude, candidate_mask=bi.dst_side,
                               anchor_mask=bi.src_side, batch=bi.batch, return_mask=True,
                               **bi.inputs)
    return (bi.local(neg), keep) if return_mask else bi.local(neg)


class BipartiteLaw:
    r"""The law of a sampler on a bipartite graph (``sampler.law(edge_index, (N_src,
    N_dst))``): :math:`\Pr[j \mid u]` over destinations ``j`` for source anchors
    ``u``, ids local to each side.

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1], [0, 0, 1]])
    >>> UniformNegativeSampler().law(ei, (2, 3)).log_prob(torch.tensor([0])).exp().tolist()
    [[0.0, 0.5, 0.5]]
    """

    def __init__(self, law: Any, n_src: int, n_dst: int):
        self.law, self.n_src, self.n_dst = law, n_src, n_dst

    def log_prob(self, anchors: Optional[Tensor] = None, candidates: Optional[Tensor] = None,
                 *, normalize: bool = True) -> Tensor:
        r"""``log Pr[j | u]``, shape ``(A, C)``, float64, ``-inf`` outside :math:`C(u)`.

        Parameters
        ----------
        anchors : LongTensor, shape (A,), optional
            Source ids in ``[0, N_src)`` (default: every source).
        candidates : LongTensor, shape (C,), optional
            Destination ids in ``[0, N_dst)`` (default: every destination).
        normalize : bool, default True
            As for :meth:`graphneg.samplers.base.SamplerLaw.log_prob`.
        """
        owner = type(self.law.sampler).__name__
        anchors = torch.arange(self.n_src) if anchors is None else anchors.view(-1)
        candidates = torch.arange(self.n_dst) if candidates is None else candidates.view(-1)
        for name, ids, n in (("anchors", anchors, self.n_src), ("candidates", candidates,
                                                                 self.n_dst)):
            if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= n):
                raise ValueError(f"The '{name}' parameter of {owner}.log_prob must hold ids in "
                                 f"[0, {n}) on a bipartite graph ({self.n_src}, {self.n_dst}). "
                                 f"Got values in [{int(ids.min())}, {int(ids.max())}] instead.")
        return self.law.log_prob(anchors, candidates + self.n_src, normalize=normalize)


def bipartite_law(sampler: Any, edge_index: Tensor, num_nodes: Sequence[int], *,
                  pos_edge_index: Optional[Tensor] = None,
                  exclude_edge_index: Optional[Tensor] = None,
                  candidate_mask: Optional[Tensor] = None, batch: Any = None,
                  **inputs: Any) -> BipartiteLaw:
    """``sampler.law`` on a bipartite graph: the law :func:`sample_bipartite` draws.

    Examples
    --------
    >>> from graphneg.samplers import DegreeNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1], [0, 0, 1]])        # item 2 is unrated: degree 0
    >>> law = bipartite_law(DegreeNegativeSampler(alpha=1.0), ei, (2, 3))
    >>> law.log_prob().exp().tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    bi = _bipartite(sampler, edge_index, num_nodes, pos_edge_index, exclude_edge_index,
                    candidate_mask, batch, inputs)
    law = sampler.law(bi.graph, bi.num_nodes, pos_edge_index=bi.pos,
                      exclude_edge_index=bi.exclude, candidate_mask=bi.dst_side,
                      batch=bi.batch, **bi.inputs)
    return BipartiteLaw(law, bi.n_src, bi.n_dst)


class BipartitePreparedSampler:
    r"""A sampler prepared on a bipartite graph (``sampler.prepare(edge_index,
    (N_src, N_dst))``): batches of source–destination positives in, negatives out,
    ids local to each side, from the law of :func:`sample_bipartite`.

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1], [0, 0, 1]])
    >>> prepared = UniformNegativeSampler(2, seed=0).prepare(ei, (2, 3))
    >>> prepared.sample(ei[:, :1]).tolist()          # user 0 rated item 0 only
    [[0, 0], [2, 2]]
    """

    def __init__(self, prepared: Any, bi: _Bipartite):
        self.prepared, self._bi = prepared, bi
        self.sampler = prepared.sampler

    def sample(self, pos_edge_index: Tensor, *, return_mask: bool = False,
               **inputs: Any) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        """Negatives for the batch ``pos_edge_index`` ``(2, B)`` (source, destination
        ids); ``inputs`` as pairs ``(src_value, dst_value)`` or joined."""
        bi = self._bi
        owner = type(self.sampler).__name__
        pos = _bipartite_index(pos_edge_index, bi.n_src, bi.n_dst, "pos_edge_index", owner)
        joined = {k: _join(*v) if isinstance(v, tuple) and len(v) == 2 else v
                  for k, v in inputs.items()}
        neg, keep = self.prepared.sample(pos, return_mask=True, **joined)
        return (bi.local(neg), keep) if return_mask else bi.local(neg)


def prepare_bipartite(sampler: Any, edge_index: Tensor, num_nodes: Sequence[int], *,
                      pos_edge_index: Optional[Tensor] = None,
                      exclude_edge_index: Optional[Tensor] = None,
                      candidate_mask: Optional[Tensor] = None, batch: Any = None,
                      data: Any = None, **inputs: Any) -> BipartitePreparedSampler:
    """``sampler.prepare`` on a bipartite graph (the index of the joined graph, all
    positives and ``exclude_edge_index`` built once).

    Examples
    --------
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> ei = torch.tensor([[0, 1, 1], [0, 0, 1]])
    >>> prepared = prepare_bipartite(UniformNegativeSampler(3, seed=0), ei, (2, 3))
    >>> prepared.sample(ei[:, 1:2])[1].tolist()          # user 1 rated items 0 and 1
    [2, 2, 2]
    """
    bi = _bipartite(sampler, edge_index, num_nodes, pos_edge_index, exclude_edge_index,
                    candidate_mask, batch, inputs)
    prepared = sampler.prepare(bi.graph, bi.num_nodes, pos_edge_index=bi.pos,
                               exclude_edge_index=bi.exclude, candidate_mask=bi.dst_side,
                               anchor_mask=bi.src_side, batch=bi.batch, data=data, **bi.inputs)
    return BipartitePreparedSampler(prepared, bi)


# ---------------------------------------------------------------- HeteroData
def _node_input(data: Any, name: str, node_type: str) -> Any:
    store = data[node_type]
    return store[name] if name in store.keys() else None


def sample_hetero(sampler: Any, data: Any, *, edge_types: Optional[Sequence[EdgeType]] = None,
                  rev_edge_types: Optional[Sequence[Optional[EdgeType]]] = None,
                  existing_negatives: str = "keep",
                  exclude_edge_index: Union[Tensor, Dict[EdgeType, Tensor], None] = None,
                  **inputs: Any) -> Any:
    r"""The transform face of ``sampler`` on a ``HeteroData`` (in place on ``data``).

    For every edge type ``(src, rel, dst)`` in ``edge_types`` (default: every edge
    type whose store holds ``edge_label_index``, as after ``T.RandomLinkSplit``):
    positives are that store's labelled rows (label not 0), the graph is the
    relation's ``edge_index`` (or ``adj_t``) plus the flipped edges of its reverse
    type, negatives are ``dst`` nodes (:func:`sample_bipartite`; the same node type
    on both ends samples the relation as a homogeneous graph), and
    ``edge_label_index`` / ``edge_label`` / ``neg_stats`` land on that store.

    Parameters
    ----------
    sampler : NegativeSampler
    data : HeteroData
    edge_types : list of (str, str, str), optional
    rev_edge_types : list of (str, str, str) or None, optional
        The reverse type of each entry of ``edge_types`` (``None``: none), as in
        ``T.RandomLinkSplit``; its edges are excluded too.
    existing_negatives : {"keep", "replace", "raise"}
        See :meth:`~graphneg.samplers.base.NegativeSampler.forward`.
    exclude_edge_index : LongTensor or dict, optional
        Pairs never to return: a dict ``{edge_type: (2, X)}``, or one tensor when
        one edge type is sampled.
    **inputs
        Call-time inputs (``z=``) as dicts ``{node_type: value}``; missing ones are
        read from the node stores (``data[node_type].x``...).

    Returns
    -------
    HeteroData
        ``data`` with every sampled edge store labelled.

    Examples
    --------
    >>> from torch_geometric.data import HeteroData
    >>> from graphneg.samplers import UniformNegativeSampler
    >>> data = HeteroData()
    >>> data["user"].num_nodes, data["item"].num_nodes = 2, 3
    >>> data["user", "rates", "item"].edge_index = torch.tensor([[0, 1], [0, 2]])
    >>> data["user", "rates", "item"].edge_label_index = torch.tensor([[0, 1], [0, 2]])
    >>> out = sample_hetero(UniformNegativeSampler(1, seed=0), data)
    >>> out["user", "rates", "item"].edge_label_index.tolist()
    [[0, 1, 0, 1], [0, 2, 2, 0]]
    """
    owner = type(sampler).__name__
    if edge_types is None:
        if rev_edge_types is not None:
            raise ValueError(f"{owner}: rev_edge_types needs edge_types (one reverse type per "
                             f"edge type).")
        edge_types = [et for et in data.edge_types
                      if {"edge_label_index", "pos_edge_label_index"} & set(data[et].keys())]
        if not edge_types:
            raise ValueError(f"{owner}: no edge type of the HeteroData holds edge_label_index "
                             f"(split it with T.RandomLinkSplit(edge_types=...)) and no "
                             f"edge_types= was given. Edge types: {data.edge_types}.")
    edge_types = [tuple(et) for et in ([edge_types] if isinstance(edge_types[0], str)
                                       else edge_types)]
    if rev_edge_types is None:
        rev_edge_types = [None] * len(edge_types)
    elif isinstance(rev_edge_types[0], str):
        rev_edge_types = [rev_edge_types]
    if len(rev_edge_types) != len(edge_types):
        raise ValueError(f"{owner}: rev_edge_types must give one entry per edge type "
                         f"({len(edge_types)}). Got {len(rev_edge_types)} instead.")
    unknown = [et for et in edge_types if et not in data.edge_types]
    if unknown:
        raise ValueError(f"{owner}: edge_types {unknown} are not in the HeteroData, whose "
                         f"edge types are {data.edge_types}.")
    if isinstance(exclude_edge_index, Tensor) and len(edge_types) > 1:
        raise ValueError(f"{owner}: with {len(edge_types)} edge types, exclude_edge_index must "
                         f"be a dict {{edge_type: (2, X) LongTensor}}.")
    for et, rev in zip(edge_types, rev_edge_types):
        src, _, dst = et
        store = data[et]
        name = f"{owner} on {et}"
        edge_index = graph_edge_index(store, owner=name)
        if rev is not None:
            edge_index = torch.cat([edge_index, graph_edge_index(data[tuple(rev)], owner=name)
                                    .flip(0).to(edge_index.device)], 1)
            edge_index = torch.unique(edge_index, dim=1)
        labelled = labelled_edges(store, edge_index, existing_negatives, owner=name)
        excl = (exclude_edge_index.get(et) if isinstance(exclude_edge_index, dict)
                else exclude_edge_index)
        call: Dict[str, Any] = {}
        for key in sampler.accepts:
            if key in inputs:
                value = inputs[key]
                if not isinstance(value, dict):
                    raise TypeError(f"{name}: on a HeteroData the input '{key}' must be a dict "
                                    f"{{node_type: value}}. Got {type(value).__name__}.")
                pair = (value.get(src), value.get(dst))
            else:
                pair = (_node_input(data, key, src), _node_input(data, key, dst))
            if pair[0] is not None and pair[1] is not None:
                call[key] = pair[0] if src == dst else pair
        extra = sorted(set(inputs) - set(sampler.accepts))
        if extra:
            call.update({k: inputs[k] for k in extra})  # the sampler names them in its error
        if src == dst:
            batch = _node_input(data, "batch", src)
            neg, keep = sampler.sample(edge_index, data[src].num_nodes,
                                       pos_edge_index=labelled.positives,
                                       exclude_edge_index=excl, batch=batch, return_mask=True,
                                       **call)
        else:
            b_src, b_dst = _node_input(data, "batch", src), _node_input(data, "batch", dst)
            batch = (b_src, b_dst) if b_src is not None and b_dst is not None else None
            neg, keep = sample_bipartite(sampler, edge_index,
                                         (data[src].num_nodes, data[dst].num_nodes),
                                         pos_edge_index=labelled.positives,
                                         exclude_edge_index=excl, batch=batch,
                                         return_mask=True, **call)
        labelled.write(store, neg, keep)
        store.neg_stats = dict(sampler.last_stats.as_dict(),
                               kept_negatives=labelled.num_kept_negatives)
    return data


class NegativeSampling(BaseTransform):
    r"""A sampler as a configured PyG transform (for ``T.Compose`` and data loaders):
    ``NegativeSampling(sampler, **options)(data)`` is ``sampler(data, **options)``.

    Parameters
    ----------
    sampler : str or NegativeSampler
        A registered name (built with ``sampler_kwargs``) or an instance.
    edge_types, rev_edge_types : list of (str, str, str), optional
        HeteroData edge types to sample and their reverse types (as in
        ``T.RandomLinkSplit``); default: every edge type with ``edge_label_index``.
    existing_negatives : {"keep", "replace", "raise"}, default "keep"
    exclude_edge_index : LongTensor or dict, optional
        Pairs never to return on every call, e.g. ``held_out_edges(val, test)``.
    **sampler_kwargs
        Passed to :func:`~graphneg.samplers.get_sampler` with a name.

    Examples
    --------
    >>> import torch_geometric.transforms as T
    >>> from torch_geometric.data import HeteroData
    >>> data = HeteroData()
    >>> data["user"].num_nodes, data["item"].num_nodes = 3, 4
    >>> data["user", "rates", "item"].edge_index = torch.tensor([[0, 1, 2, 2], [0, 1, 2, 3]])
    >>> data = T.ToUndirected()(data)
    >>> split = T.RandomLinkSplit(num_val=0.25, num_test=0.0, add_negative_train_samples=False,
    ...                           edge_types=[("user", "rates", "item")],
    ...                           rev_edge_types=[("item", "rev_rates", "user")])
    >>> train, _, _ = split(data)
    >>> t = NegativeSampling("uniform", num_neg=1, seed=0, edge_types=[("user", "rates", "item")],
    ...                      rev_edge_types=[("item", "rev_rates", "user")])
    >>> t
    NegativeSampling(UniformNegativeSampler(num_neg=1, mode='per_anchor', on_impossible='raise'), edge_types=[('user', 'rates', 'item')], existing_negatives='keep')
    >>> t(train)["user", "rates", "item"].edge_label.tolist()
    [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    """

    def __init__(self, sampler: Any = "uniform", *,
                 edge_types: Optional[List[EdgeType]] = None,
                 rev_edge_types: Optional[List[Optional[EdgeType]]] = None,
                 existing_negatives: str = "keep",
                 exclude_edge_index: Union[Tensor, Dict[EdgeType, Tensor], None] = None,
                 **sampler_kwargs: Any):
        from graphneg.samplers.base import get_sampler
        if existing_negatives not in _EXISTING:
            raise ValueError(f"The 'existing_negatives' parameter of NegativeSampling must be "
                             f"one of {list(_EXISTING)}. Got {existing_negatives!r} instead.")
        self.sampler = get_sampler(sampler, **sampler_kwargs)
        self.edge_types = edge_types
        self.rev_edge_types = rev_edge_types
        self.existing_negatives = existing_negatives
        self.exclude_edge_index = exclude_edge_index

    def forward(self, data: Any) -> Any:
        options: Dict[str, Any] = {"existing_negatives": self.existing_negatives}
        if self.edge_types is not None:
            options.update(edge_types=self.edge_types, rev_edge_types=self.rev_edge_types)
        if self.exclude_edge_index is not None:
            options["exclude_edge_index"] = self.exclude_edge_index
        return self.sampler(data, **options)

    def __repr__(self) -> str:
        shown = "" if self.edge_types is None else f", edge_types={self.edge_types}"
        return (f"{type(self).__name__}({self.sampler!r}{shown}, "
                f"existing_negatives={self.existing_negatives!r})")
