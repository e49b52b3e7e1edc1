r"""A graph partitioned by source node across ``torch.distributed`` ranks.

Every node :math:`a` has one *owner* rank :math:`o(a)`; rank :math:`r` holds the edges
whose source it owns. :class:`PartitionedGraph` turns that into what exact negative
sampling needs, with **one** collective exchange when it is built:

* the *known rows* of the owned nodes: every pair :math:`(a, b)` of the known set
  :math:`\mathcal{K}` (edges, and excluded pairs) is sent to :math:`o(a)` and its
  reverse :math:`(b, a)` to :math:`o(b)` (``all_to_all``), so the owner of :math:`u`
  can decide :math:`n \in C(u)` alone, whichever rank holds the edge;
* the global out-degree :math:`\deg(n)` of every node (one ``all_reduce`` of the
  per-rank counts), which degree-biased proposals read.

Memory per rank: :math:`O(|\mathcal{K}| / R)` keys for :math:`R` ranks (up to twice that
for a directed known set), plus :math:`O(N)` for the degree and owner vectors.
"""
from __future__ import annotations

from typing import List, Optional

import torch
import torch.distributed as dist
from torch import Tensor

from graphneg._validation import check_edge_index, check_int

__all__ = ["Partition", "PartitionedGraph", "Route", "known_partners", "contains", "gather_ids",
           "ranks_agree"]


class Partition:
    r"""Which rank owns each node: contiguous ranges or a given assignment.

    Parameters
    ----------
    owner : LongTensor, shape (N,)
        ``owner[a]`` is the rank holding node ``a``'s edges, in ``[0, world_size)``.
    world_size : int

    Examples
    --------
    >>> part = Partition.contiguous(5, 2)
    >>> part.owner.tolist(), part.nodes_of(1).tolist()
    ([0, 0, 0, 1, 1], [3, 4])
    >>> part.edges_of(torch.tensor([[0, 3, 4], [3, 0, 1]]), 1).tolist()
    [[3, 4], [0, 1]]
    """

    def __init__(self, owner: Tensor, world_size: int):
        world_size = check_int(world_size, "world_size", low=1, owner="Partition")
        if not isinstance(owner, Tensor) or owner.dim() != 1 or owner.dtype != torch.long:
            raise TypeError("The 'owner' parameter of Partition must be a 1-D LongTensor. "
                            f"Got {getattr(owner, 'dtype', type(owner).__name__)} instead.")
        if owner.numel() and (int(owner.min()) < 0 or int(owner.max()) >= world_size):
            raise ValueError("The 'owner' parameter of Partition must hold ranks in "
                             f"[0, {world_size}). Got values in [{int(owner.min())}, "
                             f"{int(owner.max())}] instead.")
        self.owner, self.world_size = owner, world_size

    @classmethod
    def contiguous(cls, num_nodes: int, world_size: int) -> "Partition":
        """Ranges of (nearly) equal size: node ``a`` to rank ``a * R // N``."""
        num_nodes = check_int(num_nodes, "num_nodes", low=1, owner="Partition.contiguous")
        world_size = check_int(world_size, "world_size", low=1, owner="Partition.contiguous")
        return cls(torch.arange(num_nodes) * world_size // num_nodes, world_size)

    @property
    def num_nodes(self) -> int:
        return self.owner.numel()

    def nodes_of(self, rank: int) -> Tensor:
        """The nodes rank ``rank`` owns, ascending."""
        return (self.owner == rank).nonzero().view(-1)

    def edges_of(self, edge_index: Tensor, rank: int) -> Tensor:
        """The columns of ``edge_index`` whose source ``rank`` owns (its partition)."""
        return edge_index[:, self.owner[edge_index[0]] == rank]

    def __repr__(self) -> str:
        sizes = torch.bincount(self.owner, minlength=self.world_size).tolist()
        return f"Partition(num_nodes={self.num_nodes}, world_size={self.world_size}, sizes={sizes})"


class Route:
    """Rows sent to given ranks with ``all_to_all`` and the answers brought back.

    Every rank of ``group`` builds its ``Route`` at the same point (the constructor
    exchanges the counts). :meth:`send` delivers rows, grouped by sending rank in
    rank order and in their original order within a rank; :meth:`reply` returns one
    answer row per received row to its sender, in the sender's original order.

    Parameters
    ----------
    dest : LongTensor, shape (M,)
        Destination rank of each row this rank sends.
    group : ProcessGroup, optional

    Notes
    -----
    Cost: two ``all_to_all`` of ``R`` counts, then one per payload; the rows are
    stably sorted by destination, :math:`O(M \\log M)`.
    """

    def __init__(self, dest: Tensor, group: Optional[dist.ProcessGroup] = None):
        self.group = group
        world = dist.get_world_size(group)
        ordered = dest.numel() < 2 or bool((dest[1:] >= dest[:-1]).all())
        self.order = torch.arange(dest.numel()) if ordered else torch.argsort(dest, stable=True)
        self.send_counts = torch.bincount(dest, minlength=world)
        self.recv_counts = torch.empty_like(self.send_counts)
        dist.all_to_all_single(self.recv_counts, self.send_counts, group=group)
        self.num_received = int(self.recv_counts.sum())
        self.source = torch.repeat_interleave(torch.arange(world), self.recv_counts)

    def _exchange(self, rows: Tensor, out_rows: int, out_counts: Tensor,
                  in_counts: Tensor) -> Tensor:
        dtype = rows.dtype
        rows = rows.long() if dtype == torch.bool else rows
        out = rows.new_empty((out_rows,) + tuple(rows.shape[1:]))
        dist.all_to_all_single(out, rows.contiguous(), output_split_sizes=out_counts.tolist(),
                               input_split_sizes=in_counts.tolist(), group=self.group)
        return out.to(dtype)

    def send(self, rows: Tensor) -> Tensor:
        """Deliver ``rows`` (shape ``(M, ...)``); returns the rows this rank received."""
        return self._exchange(rows[self.order], self.num_received, self.recv_counts,
                              self.send_counts)

    def reply(self, answers: Tensor) -> Tensor:
        """Send one answer per received row back; returns this rank's answers, shape
        ``(M, ...)``, aligned with the rows it sent."""
        back = self._exchange(answers, self.order.numel(), self.send_counts, self.recv_counts)
        out = torch.empty_like(back)
        out[self.order] = back
        return out


def _sorted_keys(src: Tensor, dst: Tensor, num_nodes: int) -> Tensor:
    return torch.unique(src * num_nodes + dst)


class PartitionedGraph:
    r"""This rank's share of a partitioned graph: known rows of its nodes, global degrees.

    A collective: every rank of ``group`` constructs it together with its own
    partition (the edges whose source it owns).

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E_r)
        This rank's edges; every source must be owned by this rank.
    num_nodes : int
        Nodes of the whole graph.
    partition : Partition
        Owners of all nodes (the same on every rank).
    exclude_edge_index : LongTensor, shape (2, X_r), optional
        Further pairs never to return as negatives (validation/test edges); any rank
        may hold any of them.
    group : ProcessGroup, optional
        Default: the world.

    Attributes
    ----------
    edge_index : LongTensor, shape (2, E_r)
        This rank's edges (the default positives of a sampler).
    degree : LongTensor, shape (N,)
        Out-degree in the union of all ranks' ``edge_index`` (one ``all_reduce``).
    keys : LongTensor, shape (K_r,)
        Sorted keys ``a * N + b`` of the known pairs whose first node this rank owns,
        both directions of every known pair included.

    Notes
    -----
    Cost: one ``all_to_all`` of :math:`2(E_r + X_r)` pairs and one ``all_reduce`` of
    :math:`N` counts; :math:`O(K_r \log K_r)` to sort the received keys.
    """

    def __init__(self, edge_index: Tensor, num_nodes: int, partition: Partition, *,
                 exclude_edge_index: Optional[Tensor] = None,
                 group: Optional[dist.ProcessGroup] = None):
        owner = "PartitionedGraph"
        self.num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
        if not isinstance(partition, Partition) or partition.num_nodes != self.num_nodes:
            raise ValueError(f"The 'partition' parameter of {owner} must be a Partition of "
                             f"{self.num_nodes} nodes. Got {partition!r} instead.")
        self.group, self.partition = group, partition
        self.rank, self.world_size = dist.get_rank(group), dist.get_world_size(group)
        if partition.world_size != self.world_size:
            raise ValueError(f"The 'partition' parameter of {owner} must span the group's "
                             f"{self.world_size} ranks. Got world_size={partition.world_size}.")
        edge_index = check_edge_index(edge_index, "edge_index", num_nodes=self.num_nodes,
                                      owner=owner)
        foreign = partition.owner[edge_index[0]] != self.rank
        if bool(foreign.any()):
            node = int(edge_index[0, foreign][0])
            raise ValueError(f"The 'edge_index' parameter of {owner} must hold only edges whose "
                             f"source rank {self.rank} owns. Got source node {node}, owned by "
                             f"rank {int(partition.owner[node])}, instead.")
        parts = [edge_index]
        if exclude_edge_index is not None:
            parts.append(check_edge_index(exclude_edge_index, "exclude_edge_index",
                                          num_nodes=self.num_nodes, owner=owner))
        self.edge_index = edge_index
        self.degree = torch.bincount(edge_index[0], minlength=self.num_nodes)
        dist.all_reduce(self.degree, group=group)
        self.keys = self.route_pairs(torch.cat(parts, 1))

    def route_pairs(self, pairs: Tensor) -> Tensor:
        """Send every pair ``(a, b)`` of ``pairs`` (shape ``(2, M)``) to the owner of ``a``
        and ``(b, a)`` to the owner of ``b``; returns the sorted distinct keys received.
        A collective."""
        both = torch.cat([pairs, pairs.flip(0)], 1)
        got = Route(self.partition.owner[both[0]], self.group).send(both.t())
        return _sorted_keys(got[:, 0], got[:, 1], self.num_nodes)

    def __repr__(self) -> str:
        return (f"PartitionedGraph(num_nodes={self.num_nodes}, rank={self.rank}, "
                f"world_size={self.world_size}, num_keys={self.keys.numel()})")


def known_partners(keys: Tensor, nodes: Tensor, num_nodes: int) -> Tensor:
    """``|{b != a : a * N + b in keys}|`` for every ``a`` in ``nodes`` (``keys`` sorted, distinct).

    Examples
    --------
    >>> known_partners(torch.tensor([1, 3, 4, 5]), torch.tensor([0, 1, 2]), 3).tolist()
    [1, 2, 0]
    """
    src, dst = keys // num_nodes, keys % num_nodes
    per_node = torch.bincount(src[src != dst], minlength=num_nodes)
    return per_node[nodes]


def contains(keys: Tensor, row: Tensor, col: Tensor, num_nodes: int) -> Tensor:
    """Boolean mask: is ``row[i] * N + col[i]`` in the sorted ``keys``?

    Examples
    --------
    >>> contains(torch.tensor([1, 5]), torch.tensor([0, 1, 1]), torch.tensor([1, 2, 0]), 3).tolist()
    [True, True, False]
    """
    q = row * num_nodes + col
    if keys.numel() == 0:
        return torch.zeros_like(q, dtype=torch.bool)
    pos = torch.searchsorted(keys, q).clamp(max=keys.numel() - 1)
    return keys[pos] == q


def gather_ids(ids: Tensor, group: Optional[dist.ProcessGroup] = None) -> Tensor:
    """The sorted distinct union of ``ids`` over the ranks of ``group`` (a collective)."""
    parts: List[Optional[Tensor]] = [None] * dist.get_world_size(group)
    dist.all_gather_object(parts, ids, group=group)
    return torch.unique(torch.cat([p for p in parts if p is not None]))


def ranks_agree(flag: bool, group: Optional[dist.ProcessGroup] = None) -> bool:
    """True on every rank when ``flag`` is true on any rank (a collective)."""
    t = torch.tensor([int(flag)])
    dist.all_reduce(t, op=dist.ReduceOp.MAX, group=group)
    return bool(t.item())

