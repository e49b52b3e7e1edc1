"""Rank bodies of the partitioned-sampler tests (spawned children import them by name)."""
from __future__ import annotations

from typing import Any, Dict

import torch

from graphneg.distributed import Partition, PartitionedGraph, PartitionedNegativeSampler
from graphneg.samplers.base import NoNegativeCandidatesError
from support.graphs import random_graph, star_graph

#: The law-test graph: 14 nodes, undirected, both directions.
NUM_NODES = 14


def law_graph():
    """Edges, the extra excluded pair and the positives of the law test."""
    ei = random_graph(NUM_NODES, 26, seed=3)
    exclude = torch.tensor([[12], [13]])  # both ends owned by the last rank
    return ei, exclude


def draw(rank: int, world: int, law: str, num_neg: int, kw: Dict[str, Any]) -> Dict[str, Any]:
    """Every rank holds its source partition; positives are every world-th column of the
    edge list (anchors owned anywhere); rank 0 alone holds the excluded pair."""
    ei, exclude = law_graph()
    part = Partition.contiguous(NUM_NODES, world)
    graph = PartitionedGraph(part.edges_of(ei, rank), NUM_NODES, part,
                             exclude_edge_index=exclude if rank == 0 else None)
    pos = ei[:, torch.arange(ei.size(1)) % world == rank]
    sampler = PartitionedNegativeSampler(num_neg, law=law, seed=7, **kw)
    neg = sampler.sample(graph, pos)
    again = PartitionedNegativeSampler(num_neg, law=law, seed=7, **kw).sample(graph, pos)
    return {"neg": neg, "pos": pos, "same_again": torch.equal(neg, again),
            "stats": sampler.last_stats, "degree": graph.degree,
            "num_keys": graph.keys.numel(), "num_local": graph.edge_index.size(1)}


def impossible(rank: int, world: int) -> Dict[str, Any]:
    """A star split in two: the hub's positives sit on rank 0 only; rank 1 has leaves."""
    ei = star_graph(6)
    part = Partition.contiguous(6, world)
    graph = PartitionedGraph(part.edges_of(ei, rank), 6, part)
    out: Dict[str, Any] = {}
    try:
        PartitionedNegativeSampler(2, seed=0).sample(graph)
    except NoNegativeCandidatesError as err:
        out["raised"], out["anchors"] = str(err), err.anchors.tolist()
    sampler = PartitionedNegativeSampler(2, seed=0, on_impossible="drop")
    out["neg"], out["keep"] = sampler.sample(graph, return_mask=True)
    out["pos"], out["stats"] = graph.edge_index, sampler.last_stats
    empty = torch.empty(2, 0, dtype=torch.long) if rank == 1 else None  # a rank with none
    out["empty"] = PartitionedNegativeSampler(2, seed=0, on_impossible="drop").sample(
        graph, empty).shape
    return out


def train(rank: int, world: int, checkpoint_dir: str, epochs: int, resume: bool
          ) -> Dict[str, Any]:
    """Data-parallel link prediction on a planted partition (the same data and seed on
    every rank); returns the history, the test metrics and the final weights."""
    from graphneg.distributed.training import DataParallelLinkPredictionTrainer
    from graphneg.generators import planted_partition
    data = planted_partition(4, 30, 0.3, 0.02, seed=0)
    trainer = DataParallelLinkPredictionTrainer(
        data, sampler="degree", epochs=epochs, hidden_channels=16, out_channels=16,
        checkpoint_dir=checkpoint_dir, restore_best=False, verbose=False, seed=0)
    history = trainer.fit(resume=resume)
    return {"history": history, "test": trainer.test(),
            "weights": [p.detach().clone() for p in trainer.model.parameters()]}
