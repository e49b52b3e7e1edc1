r"""Spike-train trainer on the shared loop: :class:`SpikeContrastiveTrainer`.

Spike-train windows (:class:`graphneg.spike_trains.SpikeTrains`) are embedded by
the van Rossum kernel (:func:`graphneg.spike_trains.van_rossum_embedding`); an
affine encoder is trained contrastively with jittered copies as positives and
window negatives (:func:`graphneg.samplers.windows.window_negatives`, uniform or
hard) under the logistic negative-sampling loss
(:func:`graphneg.losses.logistic_contrastive_loss`).
"""

from __future__ import annotations

import math
from typing import Any, Dict

import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import check_int, check_option, check_real
from graphneg.losses import logistic_contrastive_loss
from graphneg.samplers.windows import window_negatives
from graphneg.spike_trains import (
    SpikeTrains,
    _check_tau,
    jitter_spike_trains,
    van_rossum_embedding,
)
from graphneg.training.loop import Trainer

__all__ = ["spike_contrastive_loss", "SpikeContrastiveTrainer"]


def spike_contrastive_loss(z_anchor: Tensor, z_pos: Tensor, z_neg: Tensor) -> Tensor:
    r"""The trainer's loss: :func:`graphneg.losses.logistic_contrastive_loss` with
    dot-product scores, averaged over anchors.

    :math:`L = -\log\sigma(z_u\cdot z_v) - \sum_k \log\sigma(-z_u\cdot z_{n_k})`
    (``docs/design.md``, Losses).

    Parameters
    ----------
    z_anchor, z_pos : Tensor, shape (A, d)
    z_neg : Tensor, shape (A, K, d)

    Returns
    -------
    Tensor
        Scalar.

    Examples
    --------
    >>> l = spike_contrastive_loss(torch.zeros(2, 3), torch.zeros(2, 3), torch.zeros(2, 4, 3))
    >>> round(float(l), 4) == round(5 * math.log(2), 4)
    True
    """
    return logistic_contrastive_loss(z_anchor, z_pos, z_neg, similarity="dot")


class SpikeContrastiveTrainer(Trainer):
    r"""Contrastive spike-train encoder on van Rossum embeddings (shared loop).

    Each epoch: fresh jittered positives, negatives from :func:`window_negatives`
    (``"uniform"`` or ``"hard"``, hard pool recomputed from the raw van Rossum
    embeddings), an affine encoder :math:`z = W e / \sqrt G + b` trained with
    :func:`spike_contrastive_loss` on minibatches of ``batch_size`` anchors. The row
    records the loss and the temporal emphasis ratio of :math:`\partial L/\partial e`
    (early vs late part of the window, split at ``split_ratio``), taken on the anchors'
    embeddings and accumulated over the epoch's minibatches
    (:math:`\sum \|\cdot\|_{1,\text{early}} / \sum \|\cdot\|_{1,\text{late}}`).

    Parameters
    ----------
    trains : SpikeTrains
        The windows (items).
    tau : float
        van Rossum time constant.
    num_points : int
        Grid size.
    sampler : {"uniform", "hard"}
    num_neg, num_hard : int
    sigma : float
        Jitter of the positives.
    dim : int
        Embedding size.
    split_ratio : float in (0, 1)
        Where the grid is split for the temporal emphasis ratio.
    lr : float
    batch_size : int
        Anchors per optimiser step.
    epochs, seed, **loop_kwargs
        Passed to :class:`graphneg.training.Trainer`.

    Examples
    --------
    >>> st = SpikeTrains.from_list([[0.1, 0.2], [0.5], [0.7, 0.9], [0.3]], t_start=0.0, t_stop=1.0)
    >>> tr = SpikeContrastiveTrainer(st, tau=0.05, num_points=50, epochs=2, seed=0, verbose=False)
    >>> list(tr.fit().columns)[:4]
    ['epoch', 'loss', 'temporal_emphasis_ratio', 'num_dropped']
    """

    def __init__(self, trains: SpikeTrains, *, tau: float, num_points: int = 200,
                 sampler: str = "uniform", num_neg: int = 5, num_hard: int = 10,
                 sigma: float = 0.002, dim: int = 16, split_ratio: float = 0.5,
                 lr: float = 0.01, batch_size: int = 32, epochs: int = 50, seed: Seed = None,
                 **loop_kwargs: Any):
        super().__init__(epochs=epochs, seed=seed, **loop_kwargs)
        owner = type(self).__name__
        self.trains = trains
        self.tau = _check_tau(tau, owner)
        self.num_points = check_int(num_points, "num_points", low=2, owner=owner)
        self.batch_size = check_int(batch_size, "batch_size", low=1, owner=owner)
        self.sampler = check_option(sampler, "sampler", ("uniform", "hard"), owner=owner)
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.num_hard = min(check_int(num_hard, "num_hard", low=1, owner=owner),
                            trains.num_trains - 1)
        self.sigma = check_real(sigma, "sigma", low=0, owner=owner)
        self.split_ratio = check_real(split_ratio, "split_ratio", low=0, high=1,
                                      closed="neither", owner=owner)
        self.emb = van_rossum_embedding(trains, tau=self.tau, num_points=self.num_points).float()
        with self.rng_scope():
            self.model = torch.nn.Linear(self.num_points, check_int(dim, "dim", low=1,
                                                                    owner=owner))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.scale = 1.0 / math.sqrt(self.num_points)

    def encode(self, emb: Tensor) -> Tensor:
        return self.model(emb * self.scale)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        w = self.trains.num_trains
        pos_trains, num_dropped = jitter_spike_trains(self.trains, sigma=self.sigma,
                                                      seed=self.generator)
        emb_pos = van_rossum_embedding(pos_trains, tau=self.tau,
                                       num_points=self.num_points).float()
        order = torch.randperm(w, generator=self.generator)
        total, grad_early, grad_late = 0.0, 0.0, 0.0
        for lo in range(0, w, self.batch_size):  # minibatches of anchors, vectorised inside
            anchors = order[lo:lo + self.batch_size]
            neg = window_negatives(w, anchors, self.num_neg, mode=self.sampler, emb=self.emb,
                                   num_hard=self.num_hard, seed=self.generator)
            e = self.emb[anchors].clone().requires_grad_(True)
            loss = spike_contrastive_loss(self.encode(e), self.encode(emb_pos[anchors]),
                                          self.encode(self.emb[neg]))
            self.optimizer.zero_grad()
            loss.backward()
            s = self._split(e.grad)
            grad_early += float(e.grad[:, :s].abs().sum())
            grad_late += float(e.grad[:, s:].abs().sum())
            self.optimizer.step()
            total += float(loss.detach()) * anchors.numel()
        return {"loss": total / w, "temporal_emphasis_ratio": grad_early / grad_late,
                "num_dropped": num_dropped}

    def _split(self, grad: Tensor) -> int:
        g = grad.size(-1)
        return min(max(int(round(self.split_ratio * g)), 1), g - 1)

    def evaluate(self, split: str) -> Dict[str, Any]:
        """``top1_acc``: share of windows whose nearest embedded window (cosine) is
        a fresh jittered copy of itself among all copies (seeded by the trainer)."""
        with torch.no_grad():
            jit, _ = jitter_spike_trains(self.trains, sigma=self.sigma, seed=self.generator)
            za = torch.nn.functional.normalize(self.encode(self.emb), dim=1)
            zb = torch.nn.functional.normalize(self.encode(van_rossum_embedding(
                jit, tau=self.tau, num_points=self.num_points).float()), dim=1)
            hit = (za @ zb.T).argmax(1) == torch.arange(za.size(0))
        return {"top1_acc": float(hit.double().mean())}
