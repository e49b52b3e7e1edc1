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
from typing import Any, Dict, Optional

import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import check_instance, check_int, check_option, check_real, check_tensor
from graphneg.losses import logistic_contrastive_loss
from graphneg.samplers.windows import window_negatives
from graphneg.spike_trains import (
    SpikeTrains,
    _check_tau,
    jitter_spike_trains,
    van_rossum_embedding,
)
from graphneg.training.loop import Trainer

__all__ = ["spike_contrastive_loss", "retrieval_metrics", "SpikeContrastiveTrainer"]


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
    for name, z in (("z_anchor", z_anchor), ("z_pos", z_pos), ("z_neg", z_neg)):
        check_tensor(z, name, kind="float", owner="spike_contrastive_loss")
    return logistic_contrastive_loss(z_anchor, z_pos, z_neg, similarity="dot")


def retrieval_metrics(z_query: Tensor, z_key: Tensor,
                      candidates: Optional[Tensor] = None) -> Dict[str, float]:
    r"""Retrieval of each window's own jittered copy by cosine similarity.

    Query :math:`i` (embedding ``z_query[i]``) ranks keys by cosine similarity; its
    answer is key :math:`i`. Without ``candidates`` the keys are all :math:`W` copies
    (the uniform protocol); with ``candidates`` (``(W, C)`` key ids, never ``i``) only
    key :math:`i` and those :math:`C` compete (a hard protocol when they are the
    windows nearest to :math:`i`). Ties count against the answer (pessimistic rank).

    Returns
    -------
    dict
        ``top1_acc`` (share ranked first) and ``mrr`` (mean reciprocal rank).

    Examples
    --------
    >>> z = torch.eye(3)
    >>> retrieval_metrics(z, z)
    {'top1_acc': 1.0, 'mrr': 1.0}
    >>> retrieval_metrics(z, torch.tensor([[0., 1, 0], [1, 0, 0], [0, 0, 1]]))["top1_acc"]
    0.3333333333333333
    """
    for name, z in (("z_query", z_query), ("z_key", z_key)):
        check_tensor(z, name, kind="float", dim=2, owner="retrieval_metrics")
    if candidates is not None:
        check_tensor(candidates, "candidates", kind="int", dim=2, owner="retrieval_metrics")
    za = torch.nn.functional.normalize(z_query.double(), dim=1)
    zb = torch.nn.functional.normalize(z_key.double(), dim=1)
    sim = za @ zb.T
    own = sim.diagonal().view(-1, 1)
    if candidates is not None:
        sim = sim.gather(1, candidates)
        rank = 1 + (sim >= own).sum(1)
    else:
        rank = (sim >= own).sum(1)
    rank = rank.double()
    return {"top1_acc": float((rank == 1).double().mean()), "mrr": float((1 / rank).mean())}


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

    Per epoch it also records a sampling-efficiency and two hardness measures
    (``docs/design.md``): ``eta`` :math:`= \mathrm{mean}\,\sigma(s^-)\|z_n\| /
    \mathrm{mean}\,(1-\sigma(s^+))\|z_v\|` (the negative and positive terms of
    :math:`\partial L/\partial z_u`), ``neg_pos_distance_ratio`` (mean over drawn
    negatives of :math:`d(u, n) / d(u, u')`, van Rossum grid distance of the raw
    embeddings, :math:`u'` the anchor's jittered positive: below 1 a negative is nearer
    than the positive), ``false_negative_share`` (share of negatives with that ratio
    below 1) and ``embedding_norm`` (mean :math:`\|z\|` over windows).

    Validation and test retrieval (:func:`retrieval_metrics`) use two fixed jittered
    copies of the windows drawn at construction (validation: model selection; test:
    :meth:`test`), under two protocols: among all windows (``top1_acc``, ``mrr``) and
    among the ``eval_num_hard`` windows nearest to the anchor by van Rossum distance
    (``hard_top1_acc``, ``hard_mrr``).

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
    false_negative_margin : float, optional
        ``"hard"`` only: windows nearer to the anchor than ``margin`` times the
        anchor's distance to its own jittered positive are left out of the hard pool
        (:func:`window_negatives` ``min_distance``).
    eval_num_hard : int
        Candidates of the hard retrieval protocol.
    epochs, seed, **loop_kwargs
        Passed to :class:`graphneg.training.Trainer` (``monitor`` defaults to
        ``"val_mrr"``: the best-validation weights are kept).

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
                 lr: float = 0.01, batch_size: int = 32,
                 false_negative_margin: Optional[float] = None, eval_num_hard: int = 10,
                 epochs: int = 50, seed: Seed = None, **loop_kwargs: Any):
        loop_kwargs.setdefault("monitor", "val_mrr")  # model selection on validation
        super().__init__(epochs=epochs, seed=seed, **loop_kwargs)
        owner = type(self).__name__
        self.trains = check_instance(trains, "trains", SpikeTrains, "a SpikeTrains", owner=owner)
        self.tau = _check_tau(tau, owner)
        lr = check_real(lr, "lr", low=0, closed="neither", owner=owner)
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
        self.false_negative_margin = None if false_negative_margin is None else check_real(
            false_negative_margin, "false_negative_margin", low=0, owner=owner)
        eval_num_hard = min(check_int(eval_num_hard, "eval_num_hard", low=1, owner=owner),
                            trains.num_trains - 1)
        # fixed evaluation copies (validation, test) and the hard candidates
        self._eval_emb = {}
        for split in ("val", "test"):
            jit, _ = jitter_spike_trains(trains, sigma=self.sigma, seed=self.generator)
            self._eval_emb[split] = van_rossum_embedding(jit, tau=self.tau,
                                                         num_points=self.num_points).float()
        d = torch.cdist(self.emb, self.emb)
        d.fill_diagonal_(float("inf"))
        self._eval_hard = d.topk(eval_num_hard, dim=1, largest=False).indices

    def encode(self, emb: Tensor) -> Tensor:
        return self.model(emb * self.scale)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        w = self.trains.num_trains
        pos_trains, num_dropped = jitter_spike_trains(self.trains, sigma=self.sigma,
                                                      seed=self.generator)
        emb_pos = van_rossum_embedding(pos_trains, tau=self.tau,
                                       num_points=self.num_points).float()
        d_pos = (self.emb - emb_pos).norm(dim=1).clamp_min(1e-12)
        order = torch.randperm(w, generator=self.generator)
        total, grad_early, grad_late = 0.0, 0.0, 0.0
        g_neg, g_pos, ratios = 0.0, 0.0, []
        for lo in range(0, w, self.batch_size):  # minibatches of anchors, vectorised inside
            anchors = order[lo:lo + self.batch_size]
            min_d = None if self.false_negative_margin is None or self.sampler != "hard" \
                else self.false_negative_margin * d_pos[anchors]
            neg = window_negatives(w, anchors, self.num_neg, mode=self.sampler, emb=self.emb,
                                   num_hard=self.num_hard, min_distance=min_d,
                                   seed=self.generator)
            e = self.emb[anchors].clone().requires_grad_(True)
            za, zp, zn = self.encode(e), self.encode(emb_pos[anchors]), self.encode(self.emb[neg])
            loss = spike_contrastive_loss(za, zp, zn)
            self.optimizer.zero_grad()
            loss.backward()
            s = self._split(e.grad)
            grad_early += float(e.grad[:, :s].abs().sum())
            grad_late += float(e.grad[:, s:].abs().sum())
            self.optimizer.step()
            total += float(loss.detach()) * anchors.numel()
            with torch.no_grad():  # the two terms of dL/dz_u, and the negatives' distances
                g_neg += float((torch.sigmoid((zn @ za.unsqueeze(-1)).squeeze(-1))
                                * zn.norm(dim=-1)).sum()) / self.num_neg
                g_pos += float(((1 - torch.sigmoid((za * zp).sum(1))) * zp.norm(dim=1)).sum())
                ratios.append((self.emb[neg] - self.emb[anchors].unsqueeze(1)).norm(dim=-1)
                              / d_pos[anchors].view(-1, 1))
        ratio = torch.cat(ratios).view(-1)
        with torch.no_grad():
            norm = float(self.encode(self.emb).norm(dim=1).mean())
        return {"loss": total / w, "temporal_emphasis_ratio": grad_early / grad_late,
                "num_dropped": num_dropped, "eta": g_neg / max(g_pos, 1e-300),
                "neg_pos_distance_ratio": float(ratio.mean()),
                "false_negative_share": float((ratio < 1).double().mean()),
                "embedding_norm": norm}

    def _split(self, grad: Tensor) -> int:
        g = grad.size(-1)
        return min(max(int(round(self.split_ratio * g)), 1), g - 1)

    def evaluate(self, split: str) -> Dict[str, Any]:
        """Retrieval of the fixed ``split`` copies (``"val"`` or ``"test"``) under both
        protocols: ``top1_acc``, ``mrr`` (all windows) and ``hard_top1_acc``,
        ``hard_mrr`` (the nearest windows only), see :func:`retrieval_metrics`; and the
        mean cosine of each window with its own copy (``pos_cos``) and with the copies of
        its nearest windows (``neighbour_cos``)."""
        with torch.no_grad():
            za = self.encode(self.emb)
            zb = self.encode(self._eval_emb["test" if split == "test" else "val"])
        out = retrieval_metrics(za, zb)
        out.update({f"hard_{k}": v for k, v in retrieval_metrics(za, zb, self._eval_hard).items()})
        za = torch.nn.functional.normalize(za.double(), dim=1)
        zb = torch.nn.functional.normalize(zb.double(), dim=1)
        out["pos_cos"] = float((za * zb).sum(1).mean())
        out["neighbour_cos"] = float((zb[self._eval_hard] @ za.unsqueeze(-1)).mean())
        return out
