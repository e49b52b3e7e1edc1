r"""graphneg beyond one machine: negatives over a partitioned graph (``torch.distributed``).

A graph too large for one process is split by source node across the ranks of a
``torch.distributed`` group (gloo: the exchanges carry CPU tensors): rank :math:`r`
holds only the edges whose source it owns (:class:`Partition`, contiguous ranges or
any assignment). :class:`PartitionedGraph` gives each rank the known rows of its own nodes and the
global degree vector (one exchange); :class:`PartitionedNegativeSampler` then draws the
single-process laws (uniform and :math:`\deg^\alpha`) exactly, checking every candidate
pair against its anchor's owner through ``all_to_all``, so a negative is never a known
edge anywhere in the graph.

:class:`DataParallelLinkPredictionTrainer` (in :mod:`graphneg.distributed.training`)
trains link prediction data-parallel: positive shards per rank, these negatives, gradients
averaged by ``DistributedDataParallel``, checkpoints from rank 0.

Sweeps of independent runs on a Ray cluster are :mod:`graphneg.analysis.studies._backends`
(``graphneg compare --backend ray``).

Examples
--------
Under ``torchrun --nproc-per-node 2 script.py``, each rank runs::

    dist.init_process_group("gloo")
    part = Partition.contiguous(num_nodes, dist.get_world_size())
    graph = PartitionedGraph(part.edges_of(edge_index, dist.get_rank()), num_nodes, part)
    neg = PartitionedNegativeSampler(5, law="degree", seed=0).sample(graph)
"""
from graphneg.distributed.partition import Partition, PartitionedGraph
from graphneg.distributed.sampler import PartitionedNegativeSampler

__all__ = ["Partition", "PartitionedGraph", "PartitionedNegativeSampler",
           "DataParallelLinkPredictionTrainer"]


def __getattr__(name: str):
    if name == "DataParallelLinkPredictionTrainer":  # the trainer imports the models: lazily
        from graphneg.distributed.training import DataParallelLinkPredictionTrainer
        return DataParallelLinkPredictionTrainer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
