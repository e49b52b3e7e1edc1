r"""Data-parallel link prediction: one :class:`LinkPredictionTrainer` per rank, gradients averaged.

Every rank of a ``torch.distributed`` group builds the trainer with the same data and
seed, so the split, the evaluation negatives and the initial weights agree. Then:

* the training positives are sharded: rank :math:`r` of :math:`R` keeps columns
  :math:`p \equiv r \pmod R`;
* each rank's negatives come from :class:`~graphneg.distributed.PartitionedNegativeSampler`
  over the training graph partitioned by source node (validation and test positives
  excluded), so no rank needs the whole exclusion set;
* the encoder and decoder run inside :class:`torch.nn.parallel.DistributedDataParallel`,
  which averages the gradients of the shard losses :math:`L_r` over the ranks:
  :math:`\nabla \frac1R \sum_r L_r`, the full-batch gradient up to the
  :math:`\pm 1` differences in shard sizes; the weights stay equal on every rank, and so do
  the validation metrics and early stopping.

Checkpoints (``checkpoint_dir``) are written by rank 0 only; they hold what a
single-process trainer's do, and the sampler of epoch :math:`t` is seeded from the
trainer's sampler seed and :math:`t` alone, so a run resumes on any world size (and bit
for bit on the same one).

Launch one process per rank, e.g. ``torchrun --nproc-per-node 2 train.py`` with::

    dist.init_process_group("gloo")
    trainer = DataParallelLinkPredictionTrainer(data, sampler="degree", seed=0)
    trainer.fit()
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

import torch
import torch.distributed as dist
from torch import Tensor

from graphneg.training import LinkPredictionTrainer

from .partition import Partition, PartitionedGraph
from .sampler import PartitionedNegativeSampler

__all__ = ["DataParallelLinkPredictionTrainer"]

#: Trainer sampler names and the partitioned law each one is.
_LAWS = {"uniform": "uniform", "degree": "degree"}


class _Scores(torch.nn.Module):
    """``(z, s(pos), s(neg))`` in one ``forward``, the call DDP synchronises."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, edge_index: Tensor, pos: Tensor, neg: Tensor):
        z = self.model.encode(edge_index)
        return z, self.model.decode(z, pos), self.model.decode(z, neg)


class DataParallelLinkPredictionTrainer(LinkPredictionTrainer):
    r""":class:`~graphneg.training.LinkPredictionTrainer` over the ranks of a process group.

    Parameters
    ----------
    data : Data
        The whole graph, the same on every rank.
    sampler : {"uniform", "degree"}
        The training law, drawn by :class:`PartitionedNegativeSampler`
        (``sampler_kwargs`` may set ``alpha``).
    partition : Partition, optional
        Owner of every node; default contiguous ranges.
    group : ProcessGroup, optional
        Default: the world.
    **kwargs
        As for :class:`~graphneg.training.LinkPredictionTrainer` (``seed`` must be the
        same on every rank; the progress bar shows on rank 0 only).

    Notes
    -----
    Per epoch and rank: one encoder pass on the message-passing graph, the shard's
    negatives (the sampler's collectives), one gradient all-reduce of the parameters.
    The per-epoch row holds the mean loss over ranks and this rank's sampler counts;
    η and :math:`h_k` are not computed here.

    Examples
    --------
    >>> import torch.distributed as dist
    >>> from graphneg.generators import barabasi_albert
    >>> dist.init_process_group("gloo", init_method="tcp://127.0.0.1:0", rank=0, world_size=1)
    >>> trainer = DataParallelLinkPredictionTrainer(barabasi_albert(60, 2, seed=0), epochs=2,
    ...                                             verbose=False, seed=0)
    >>> list(trainer.fit()["epoch"])
    [1, 2]
    >>> dist.destroy_process_group()
    """

    def __init__(self, data: Any, *, sampler: str = "uniform",
                 sampler_kwargs: Optional[Dict[str, Any]] = None,
                 partition: Optional[Partition] = None,
                 group: Optional[dist.ProcessGroup] = None, **kwargs: Any):
        owner = type(self).__name__
        if sampler not in _LAWS:
            raise ValueError(f"The 'sampler' parameter of {owner} must be one of "
                             f"{sorted(_LAWS)}. Got {sampler!r} instead.")
        self.group = group
        self.rank, self.world_size = dist.get_rank(group), dist.get_world_size(group)
        if self.rank != 0:
            kwargs["verbose"] = False
        super().__init__(data, sampler=sampler, sampler_kwargs=sampler_kwargs, **kwargs)
        mp = self._mp["train"]
        part = partition or Partition.contiguous(self.num_nodes, self.world_size)
        self.graph = PartitionedGraph(part.edges_of(mp, self.rank), self.num_nodes, part,
                                      exclude_edge_index=self._exclude if self.rank == 0 else None,
                                      group=group)
        positives = self._train_data.edge_label_index
        self._shard = positives[:, torch.arange(positives.size(1)) % self.world_size == self.rank]
        self._law = {"law": _LAWS[sampler], **({"alpha": self.sampler.alpha}
                                               if sampler == "degree" else {})}
        self._sampler_seed = int(torch.randint(0, 2 ** 62, (1,),
                                               generator=self.sampler.generator))
        self._ddp = torch.nn.parallel.DistributedDataParallel(_Scores(self.model),
                                                              process_group=group)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        self._ddp.train()
        self.optimizer.zero_grad()
        tic = time.perf_counter()
        sampler = PartitionedNegativeSampler(self.num_neg, seed=self._sampler_seed + epoch,
                                             on_impossible="drop", **self._law)
        neg, keep = sampler.sample(self.graph, self._shard, return_mask=True)
        sampler_time = time.perf_counter() - tic
        pos = self._shard[:, keep]
        _, pos_score, neg_score = self._ddp(self._mp["train"], pos, neg)
        if pos.size(1):
            loss = self.loss_fn(pos_score, neg_score.view(pos.size(1), -1))
        else:  # an empty shard still joins the gradient all-reduce
            loss = 0.0 * (pos_score.sum() + neg_score.sum())
        loss.backward()
        self.optimizer.step()
        self._step += 1
        mean = loss.detach().clone()
        dist.all_reduce(mean, group=self.group)
        stats = sampler.last_stats
        return {"loss": float(mean) / self.world_size,
                "impossible_anchor_ratio": stats.impossible_anchors / max(self._num_anchors, 1),
                "dropped_positive_ratio": stats.dropped / max(self._shard.size(1), 1),
                "sampler_time_s": sampler_time,
                **{f"sampler_{k}": v for k, v in stats.as_dict().items()}}

    def save_checkpoint(self, path: Any) -> None:
        """Rank 0 writes (the weights are the same on every rank); the others wait."""
        if self.rank == 0:
            super().save_checkpoint(path)
        dist.barrier(group=self.group)
