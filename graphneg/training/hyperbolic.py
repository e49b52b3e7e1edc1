r"""Poincaré-ball (or Euclidean control) embeddings trained on the shared loop with any
graphneg sampler (Nickel & Kiela 2017); see :mod:`graphneg.models.poincare`.
"""

from __future__ import annotations

from typing import Any, Dict

import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import (
    check_edge_index,
    check_int,
    check_option,
    check_real,
    check_registered,
)
from graphneg.evaluation import reconstruction_metrics
from graphneg.losses import softmax_distance_loss
from graphneg.models.poincare import (
    PoincareEmbedding, poincare_distance, require_geoopt, softmax_gradient_parts,
)
from graphneg.samplers import SAMPLERS, NegativeSampler, get_sampler
from graphneg.training.loop import Trainer

__all__ = ["PoincareTrainer"]


class PoincareTrainer(Trainer):
    r"""Poincaré (or Euclidean) link-embedding trainer on the shared loop.

    Each epoch draws fresh negatives for every positive with a graphneg sampler
    (``"uniform"`` by default: non-neighbours of the anchor, known edges excluded),
    and runs minibatch Riemannian Adam on :func:`~graphneg.losses.softmax_distance_loss`.
    The first ``burn_in`` epochs use ``lr / 10`` (N&K's burn-in).
    ``val_map``/``val_mean_rank`` are reconstruction metrics
    (:func:`~graphneg.evaluation.reconstruction_metrics`) when ``evaluate_every``
    divides the epoch.

    Per epoch the row also holds a sampling-efficiency and a hardness measure
    (``docs/design.md``, section 5.3), from the parts of :math:`\nabla_u L`
    (:func:`~graphneg.models.poincare.softmax_gradient_parts`) at the weights each
    minibatch step starts from: ``eta`` :math:`= \sum_u \|g^-\|_u / \sum_u \|g^+\|_u`
    (intrinsic norms, over every positive of the epoch; in :math:`[0, 1]`, as
    :math:`\|g^+\|_u = 1 - p_0 \ge \|g^-\|_u`) and ``neg_softmax_weight``
    :math:`= \mathrm{mean}_u (1 - p_0)`, the share of the softmax mass the negatives
    take (0 when they are all far easier than the positive).

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
        Positives, both directions (e.g. the transitive closure of a hierarchy).
    num_nodes : int
    dim : int
    manifold : {"poincare", "euclidean"}
    sampler : str or NegativeSampler
        Registry name or instance (built with ``num_neg`` and the trainer's generator).
    num_neg, batch_size : int
    lr : float
    burn_in : int
    evaluate_every : int
    epochs, seed, **loop_kwargs
        As in :class:`graphneg.training.Trainer`.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 0, 2, 1, 3], [1, 0, 2, 0, 3, 1]])
    >>> tr = PoincareTrainer(ei, 4, dim=2, epochs=2, seed=0, verbose=False, num_neg=2)
    >>> list(tr.fit().columns)[:3]
    ['epoch', 'loss', 'max_norm']
    """

    def __init__(self, edge_index: Tensor, num_nodes: int, *, dim: int = 2,
                 manifold: str = "poincare", sampler: Any = "uniform", num_neg: int = 10,
                 batch_size: int = 512, lr: float = 0.05, burn_in: int = 5,
                 evaluate_every: int = 10, epochs: int = 50, seed: Seed = None,
                 **loop_kwargs: Any):
        super().__init__(epochs=epochs, seed=seed, **loop_kwargs)
        owner = type(self).__name__
        num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
        self.edge_index = check_edge_index(edge_index, num_nodes=num_nodes, owner=owner)
        self.num_nodes = num_nodes
        self.manifold = check_option(manifold, "manifold", ("poincare", "euclidean"),
                                     owner=owner)
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.batch_size = check_int(batch_size, "batch_size", low=1, owner=owner)
        self.burn_in = check_int(burn_in, "burn_in", low=0, owner=owner)
        self.evaluate_every = check_int(evaluate_every, "evaluate_every", low=1, owner=owner)
        self.lr = check_real(lr, "lr", low=0, closed="neither", owner=owner)
        check_registered(sampler, "sampler", SAMPLERS, base=NegativeSampler, owner=owner)
        self.sampler = get_sampler(sampler, num_neg=self.num_neg, seed=self.generator,
                                   on_impossible="drop") if isinstance(sampler, str) else sampler
        with self.rng_scope():
            self.model = PoincareEmbedding(num_nodes, check_int(dim, "dim", low=1, owner=owner),
                                           manifold=self.manifold)
        if self.manifold == "poincare":
            self.optimizer = require_geoopt().optim.RiemannianAdam(self.model.parameters(),
                                                                   lr=self.lr)
        else:
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=self.lr)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr / 10 if epoch <= self.burn_in else self.lr
        neg, keep = self.sampler.sample(self.edge_index, self.num_nodes, return_mask=True)
        pos = self.edge_index[:, keep]
        neg = neg[1].view(-1, self.num_neg)
        order = torch.randperm(pos.size(1), generator=self.generator)
        total, g_pos_sum, g_neg_sum, weight_sum = 0.0, 0.0, 0.0, 0.0
        for lo in range(0, order.numel(), self.batch_size):  # minibatches, vectorised inside
            idx = order[lo:lo + self.batch_size]
            u, v, n = pos[0, idx], pos[1, idx], neg[idx]
            with torch.no_grad():  # at the step's starting weights, in float64: near the
                w = self.model.weight.double()  # origin d(u, n) cancels in float32
                g_pos, g_neg, p = softmax_gradient_parts(w[u], w[v], w[n],
                                                         manifold=self.manifold)
                scale = (1 - (w[u] ** 2).sum(1)) / 2 if self.manifold == "poincare" else 1.0
                g_pos_sum += float((g_pos.norm(dim=1) * scale).sum())
                g_neg_sum += float((g_neg.norm(dim=1) * scale).sum())
                weight_sum += float(p.sum())
            loss = softmax_distance_loss(self.model.distance(u, v),
                                         self.model.distance(u.unsqueeze(1), n)).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += float(loss.detach()) * idx.numel()
        return {"loss": total / max(order.numel(), 1),
                "max_norm": float(self.model.weight.detach().norm(dim=1).max()),
                "eta": g_neg_sum / g_pos_sum if g_pos_sum > 0 else 0.0,
                "neg_softmax_weight": weight_sum / max(order.numel(), 1)}

    @torch.no_grad()
    def distance_matrix(self) -> Tensor:
        """All pairwise distances, ``(N, N)``."""
        w = self.model.weight.detach()
        if self.manifold == "poincare":
            return poincare_distance(w.unsqueeze(1), w.unsqueeze(0))
        return torch.cdist(w, w)

    def evaluate(self, split: str) -> Dict[str, Any]:
        epoch = self._epoch + 1  # the loop calls evaluate before it counts the epoch
        if epoch % self.evaluate_every != 0 and epoch != self.epochs:
            return {}
        return reconstruction_metrics(self.distance_matrix(), self.edge_index)

    def extra_state(self) -> Dict[str, Any]:
        return {"sampler_rng": self.sampler.get_rng_state()}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self.sampler.set_rng_state(state["sampler_rng"])
