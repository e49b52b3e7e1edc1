r"""Link prediction on the shared loop: :class:`LinkPredictionTrainer`.

A PyG encoder (GCN, GraphSAGE or any module ``(x, edge_index) -> z``), a dot-product
decoder, any registered sampler, BCE or the logistic negative-sampling loss of
``docs/design.md`` (Losses); negatives resampled every epoch; AUC, AP, Hits@K and MRR on
held-out edges; per-epoch efficiency and hard-negative rate. The epoch loop itself
(early stopping, checkpoints, bit-for-bit resume, RNG scope) is
:class:`graphneg.training.Trainer`.

Construction runs six named steps, in this order (it is also the order of the
random draws, so the same seed gives the same run)::

    _split                  data -> (train, val, test)    T.RandomLinkSplit, global RNG
    _prepare_splits         positives (both directions), message-passing edges,
                            held-out exclusions
    _build_sampler          name -> registered sampler (seed from the generator)
    _sampler_input          the sampler's input Data: training positives and the
                            attributes named in sampler.requires (lat/lon, words ...)
    _evaluation_negatives   fixed uniform val/test negatives (seed from the generator)
    _ModelSettings.build    NodeFeatures -> encoder -> dot product, global RNG

One epoch (:meth:`LinkPredictionTrainer.train_step`)::

    z   = encoder(features, train message-passing edges)
    sampler.on_epoch_start(z=z, epoch=, step=)
    neg = sampler(train positives, exclude = val + test positives [, z if required])
    loss(s(u, v), s(u, n_1..K)) ; backward ; Adam step
    row = loss, eta, hard_negative_rate, impossible/dropped ratios, sampler stats

With ``batch_size=B`` an epoch is one pass over the shuffled training positives in
mini-batches of ``B``; the sampler is bound to the training graph once
(``sampler.prepare``: the exclusion index of the message-passing edges, every
training positive and the val + test positives) and each step draws the
negatives of its batch only::

    prepared = sampler.prepare(train edges, pos = all train positives,
                               exclude = val + test positives)       # once
    for batch in shuffled train positives, B at a time:
        z   = encoder(features, train message-passing edges)          # full graph
        neg = prepared.sample(batch [, z if required])
        loss(batch, neg) ; backward ; Adam step
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from graphneg._random import Seed, spawn_seed
from graphneg._validation import (
    check_bool,
    check_int,
    check_memory,
    check_option,
    check_real,
    check_registered,
)
from graphneg.training.loop import Trainer

__all__ = ["LinkPredictionTrainer"]


# --------------------------------------------------------------------------
# Link prediction
# --------------------------------------------------------------------------
def _loss_fn(loss: Union[str, Callable[[Tensor, Tensor], Tensor]], owner: str):
    if callable(loss):
        return loss
    check_option(loss, "loss", ("bce",), owner=owner)
    from graphneg.losses import logistic_ns_loss
    return logistic_ns_loss


@dataclass(frozen=True)
class _ModelSettings:
    """What the trainer's :class:`~graphneg.models.LinkPredictor` is built from.

    ``features`` is checked when the trainer is constructed (before the split);
    the encoder's shape is checked by :func:`~graphneg.models.build_encoder` when
    :meth:`build` runs.
    """

    encoder: Union[str, torch.nn.Module]
    features: str
    hidden_channels: int
    out_channels: int
    num_layers: int
    dropout: float
    embedding_std: Optional[float] = None

    @classmethod
    def checked(cls, owner: str, *, features: str, **settings: Any) -> "_ModelSettings":
        from graphneg.models import ENCODERS, FEATURE_MODES
        check_registered(settings["encoder"], "encoder", ENCODERS, owner=owner)
        if settings.get("embedding_std") is not None:
            check_real(settings["embedding_std"], "embedding_std", low=0, closed="neither",
                       owner=owner)
        return cls(features=check_option(features, "features", FEATURE_MODES, owner=owner),
                   **settings)

    def feature_mode(self, x: Optional[Tensor]) -> str:
        """``"auto"`` resolved: ``"x"`` when the graph has node features, else
        ``"embedding"``."""
        if self.features != "auto":
            return self.features
        return "x" if x is not None else "embedding"

    def build(self, train: Any, num_nodes: int) -> torch.nn.Module:
        """Node features -> encoder -> dot product, on the training graph ``train``
        (weights drawn from the global RNG: call inside :meth:`Trainer.rng_scope`)."""
        from graphneg.models import LinkPredictor, NodeFeatures, build_encoder
        x = getattr(train, "x", None)
        feats = NodeFeatures(self.feature_mode(x), num_nodes, dim=self.hidden_channels,
                             x=x, edge_index=train.edge_index, init_std=self.embedding_std)
        enc = build_encoder(self.encoder, feats.out_channels,
                            hidden_channels=self.hidden_channels,
                            out_channels=self.out_channels, num_layers=self.num_layers,
                            dropout=self.dropout)
        return LinkPredictor(feats, enc)


#: Keys of every epoch row (``val_hits@k`` per ``hits_k``; ``sampler_*`` stats vary by sampler).
_ROW_KEYS = ("epoch", "loss", "eta", "pos_residual", "neg_sigmoid", "hard_negative_rate",
             "impossible_anchor_ratio", "dropped_positive_ratio", "val_auc", "val_ap", "val_mrr",
             "wall_time_s", "elapsed_s")


def _check_monitor(monitor: Optional[str], hits_k: Sequence[int], owner: str) -> None:
    """A ``monitor`` that names no key of the epoch row fails here, before any epoch."""
    from graphneg.training.loop import _check_monitor_key
    _check_monitor_key(monitor, (*_ROW_KEYS, *(f"val_hits@{k}" for k in hits_k), "sampler_*"),
                       owner)


def _check_split_ratios(val_ratio: float, test_ratio: float, owner: str) -> Tuple[float, float]:
    """``(val_ratio, test_ratio)`` of a ``RandomLinkSplit``, each in [0, 1) and together
    leaving training edges (``val_ratio + test_ratio < 1``), or a ``ValueError`` naming them."""
    val_ratio = check_real(val_ratio, "val_ratio", low=0, high=1, closed="left", owner=owner)
    test_ratio = check_real(test_ratio, "test_ratio", low=0, high=1, closed="left", owner=owner)
    if val_ratio + test_ratio >= 1:
        raise ValueError(f"The 'val_ratio' and 'test_ratio' parameters of {owner} must leave "
                         f"training edges (val_ratio + test_ratio < 1). Got {val_ratio} + "
                         f"{test_ratio} instead.")
    return val_ratio, test_ratio


def _split(data: Any, val_ratio: float, test_ratio: float, owner: str) -> Tuple[Any, Any, Any]:
    """``(train, val, test)``: ``data`` itself when it is a triple, else a seeded
    ``T.RandomLinkSplit`` of it (global RNG: call inside :meth:`Trainer.rng_scope`)."""
    if isinstance(data, (tuple, list)):
        if len(data) != 3:
            raise ValueError(f"The 'data' parameter of {owner} must be a Data or a (train, "
                             f"val, test) triple. Got a sequence of length {len(data)} instead.")
        return tuple(data)
    if not hasattr(data, "edge_index") or data.edge_index is None:
        raise TypeError(f"The 'data' parameter of {owner} must be a torch_geometric Data with "
                        f"edge_index or a (train, val, test) triple. Got "
                        f"{type(data).__name__} instead.")
    import torch_geometric.transforms as T
    split = T.RandomLinkSplit(num_val=val_ratio, num_test=test_ratio, is_undirected=True,
                              add_negative_train_samples=False)
    return split(data)


def _sampler_input(train: Any, positives: Tensor, num_nodes: int,
                   requires: Sequence[str]) -> Any:
    """The ``Data`` the training sampler is called on every epoch.

    Message-passing edges of ``train``, the training ``positives`` as
    ``edge_label_index`` (label 1), and the attributes of ``train`` the sampler
    declares in ``requires`` (``lat``/``lon``, ``site``, ``words``, ``x``...), so an
    attribute-driven sampler sees them. ``"z"`` is not an attribute: the training
    step passes the current embeddings as ``z=``.
    """
    from torch_geometric.data import Data
    out = Data(edge_index=train.edge_index, num_nodes=num_nodes, edge_label_index=positives,
               edge_label=torch.ones(positives.size(1), device=positives.device))
    for key in requires:
        if key in ("z", "edge_index", "edge_label_index", "edge_label", "num_nodes"):
            continue
        value = getattr(train, key, None)
        if value is not None:
            out[key] = value
    return out


class LinkPredictionTrainer(Trainer):
    r"""Link prediction with any encoder and any negative sampler.

    A :class:`~graphneg.models.LinkPredictor` (node features → encoder → dot
    product ``s(a, b) = z_a · z_b``) is trained on the training positives of a
    ``T.RandomLinkSplit(add_negative_train_samples=False)`` split; every epoch the
    sampler transform draws fresh training negatives. Validation and test
    positives are scored against **fixed** negatives drawn once at construction
    (uniform, ``eval_num_neg`` per positive, seeded from ``seed``, never a known
    edge of any split); the split's own negatives, if any, are ignored.

    Parameters
    ----------
    data : Data or (Data, Data, Data)
        A graph (split here with ``RandomLinkSplit(num_val=val_ratio,
        num_test=test_ratio, is_undirected=True, add_negative_train_samples=False)``,
        seeded), or the ``(train, val, test)`` triple such a split returns.
        Positives are the ``edge_label_index`` columns labelled 1. For an
        undirected graph every positive is used in both directions by default, so
        both endpoints serve as anchors (on a star, leaves can anchor even though
        the hub cannot).
    encoder : str or torch.nn.Module, default "gcn"
        See :func:`graphneg.models.build_encoder`.
    sampler : str or NegativeSampler, default "uniform"
        A registry name (built with ``num_neg``, ``seed`` drawn from this
        trainer's generator, ``on_impossible="drop"`` and ``sampler_kwargs``) or an
        instance (used as is). Must be in ``mode="per_anchor"``. The trainer follows
        the sampler protocol: ``sampler.on_epoch_start(z=, epoch=, step=)`` every
        epoch before sampling (ANN index refresh, adversarial generator update: a
        no-op for most samplers); ``"z" in sampler.requires``: it receives the
        current embeddings ``z=`` (detached); the other names in ``requires``
        (``lat``, ``site``, ``words``...) are forwarded from the training ``Data``;
        ``sampler.state_dict()`` (its generator and any learnt state) is
        checkpointed.
    num_neg : int, default 1
        Training negatives per positive (for samplers built by name).
    sampler_kwargs : dict, optional
    features : {"auto", "embedding", "onehot", "degree", "x"}, default "auto"
        Encoder input (:class:`graphneg.models.NodeFeatures`): ``"auto"`` uses
        ``data.x`` when present, otherwise a learnable embedding per node.
    hidden_channels, out_channels, num_layers : int
        Encoder shape (64, 64, 2).
    dropout : float, default 0
    embedding_std : float, optional
        Initial scale of the learnable embedding (``features="embedding"``),
        :class:`graphneg.models.NodeFeatures`'s ``init_std``; ``None`` keeps
        :math:`\mathcal N(0, 1)`. The topology study uses :math:`1/\sqrt{d}`: with
        :math:`\mathcal N(0, 1)` entries the initial scores are of order :math:`d`,
        the first steps are spent shrinking them, and validation AUC drops below its
        epoch-1 value before it recovers.
    lr, weight_decay : float
        Adam settings (0.01, 0).
    loss : "bce" or callable, default "bce"
        ``"bce"``: the logistic negative-sampling loss (``docs/design.md``, Losses),
        ``-log σ(s(u,v)) - Σ_k log σ(-s(u,n_k))``, averaged over positives
        (:func:`graphneg.losses.logistic_ns_loss`). A callable gets
        ``(pos_score (P,), neg_score (P, K))`` and returns a scalar.
    epochs, patience, monitor, monitor_mode, restore_best, checkpoint_dir, verbose, seed
        See :class:`Trainer`. ``monitor`` defaults to ``"val_auc"``.
    eval_num_neg : int, default 20
        Fixed negatives per validation/test positive (the ``K`` of MRR / Hits@K).
    hits_k : sequence of int, default (10,)
    min_common : int, default 1
        ``k`` of the hard-negative rate ``h_k``.
    diagnostics : bool, default True
        Record ``eta`` and ``hard_negative_rate`` each epoch (cost ``O(Q d)`` and
        ``O(Σ_q (deg u_q + deg n_q))`` per epoch for ``Q`` negatives).
    diagnostics_max_pairs : int or None, default 20000
        ``h_k`` is computed on all negatives when there are at most this many,
        else on an i.i.d. subsample of this size drawn with the trainer's
        generator (unbiased, standard error ``≤ 0.5/√M`` ≈ 0.0035); ``None``:
        always all. ``eta`` always uses every negative.
    val_ratio, test_ratio : float
        Used only when ``data`` is an unsplit graph (0.1 each).
    both_directions : bool, default True
        Use every undirected positive ``(u, v)`` also as ``(v, u)`` (train,
        validation and test alike). ``False`` keeps the split's single direction,
        as PyG's ``examples/link_pred.py`` does (half the pairs per epoch).
    batch_size : int or None, default None
        ``None``: one full-batch step per epoch. An int ``B >= 1``: one pass per
        epoch over the training positives, shuffled with the trainer's generator,
        in ``ceil(P / B)`` optimiser steps of ``B`` positives (the last one
        smaller). Message passing still runs on the whole training graph at every
        step (mini-batches of *positives*, not of subgraphs; for neighbourhood
        sampling see the ``LinkNeighborLoader`` recipe in
        :mod:`graphneg.samplers.pyg`). Negatives come from
        ``sampler.prepare(...)`` (:class:`~graphneg.samplers.PreparedSampler`),
        bound once to the training graph with every training positive and the
        validation and test positives excluded, so exclusion stays exact and a
        step costs the draws of its batch, not a pass over the graph.

    Notes
    -----
    Device: the model runs on the device of the training ``edge_index`` (move the
    graph with ``data.to(device)`` or ``T.ToDevice``); weights are initialised on
    the CPU and moved, so a seed gives the same initial model on every device. The
    samplers draw on the CPU and return on that device (see
    :meth:`~graphneg.samplers.NegativeSampler.sample`); ranking metrics read the
    scores on the CPU (:mod:`graphneg.evaluation`).

    One epoch = one full-batch step (``batch_size=None``): encode ``z`` on the
    training message-passing edges, sample negatives (``exclude_edge_index`` = validation and test
    positives, so no held-out edge becomes a training negative), loss, backward,
    Adam step, then validation. Each history row holds ``loss``, ``eta``
    (sampling efficiency on the epoch's negatives with the epoch's ``z``,
    :func:`graphneg.diagnostics.sampling_efficiency`), ``hard_negative_rate``
    (:func:`graphneg.diagnostics.hard_negative_rate` on the training graph, via a
    :class:`~graphneg.diagnostics.CommonNeighbors` built once),
    ``impossible_anchor_ratio`` (distinct anchors without a valid negative /
    distinct anchors), ``dropped_positive_ratio`` (training positives dropped
    because their anchor has no valid negative / positives), ``sampler_time_s``,
    the sampler's stats prefixed ``sampler_``, ``val_auc``, ``val_ap``, ``val_mrr``,
    ``val_hits@k``, and the loop's ``epoch``, ``wall_time_s``, ``elapsed_s``. MRR and Hits@K rank each
    positive against the fixed negatives of its own anchor
    (:func:`graphneg.evaluation.positive_ranks`).

    With ``batch_size`` the row describes the whole epoch: ``loss`` is the mean
    over positives of the per-step losses (each step's loss averages its batch),
    ``eta``, ``pos_residual`` and ``neg_sigmoid`` are computed on all the epoch's
    pairs with the scores of the step that drew them, ``hard_negative_rate`` on
    all its negatives, ``impossible_anchor_ratio`` counts distinct anchors over
    the epoch, and the ``sampler_*`` counts are summed over its steps
    (``sampler_steps`` of them).

    Examples
    --------
    >>> from graphneg.generators import stochastic_block_model
    >>> data = stochastic_block_model([20, 20], [[0.5, 0.02], [0.02, 0.5]], seed=0)
    >>> trainer = LinkPredictionTrainer(data, epochs=5, seed=0, verbose=False)
    >>> hist = trainer.fit()
    >>> len(hist), {"loss", "eta", "hard_negative_rate", "val_auc"} <= set(hist.columns)
    (5, True)
    >>> sorted(trainer.test())
    ['ap', 'auc', 'hits@10', 'mrr']
    """

    def __init__(self, data: Any, *, encoder: Union[str, torch.nn.Module] = "gcn",
                 sampler: Any = "uniform", num_neg: int = 1,
                 sampler_kwargs: Optional[Dict[str, Any]] = None, features: str = "auto",
                 hidden_channels: int = 64, out_channels: int = 64, num_layers: int = 2,
                 dropout: float = 0.0, embedding_std: Optional[float] = None,
                 lr: float = 0.01, weight_decay: float = 0.0,
                 loss: Union[str, Callable[[Tensor, Tensor], Tensor]] = "bce",
                 epochs: int = 100, patience: Optional[int] = None,
                 monitor: Optional[str] = "val_auc", monitor_mode: str = "max",
                 restore_best: bool = True, eval_num_neg: int = 20,
                 hits_k: Sequence[int] = (10,), min_common: int = 1,
                 diagnostics: bool = True, diagnostics_max_pairs: Optional[int] = 20_000,
                 val_ratio: float = 0.1, test_ratio: float = 0.1,
                 both_directions: bool = True, batch_size: Optional[int] = None,
                 checkpoint_dir: Optional[Union[str, os.PathLike]] = None,
                 verbose: bool = True, seed: Seed = None):
        super().__init__(epochs=epochs, monitor=monitor, monitor_mode=monitor_mode,
                         patience=patience, restore_best=restore_best,
                         checkpoint_dir=checkpoint_dir, verbose=verbose, seed=seed)
        owner = type(self).__name__
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.eval_num_neg = check_int(eval_num_neg, "eval_num_neg", low=1, owner=owner)
        if isinstance(hits_k, (str, bytes)) or not hasattr(hits_k, "__iter__"):
            raise TypeError(f"The 'hits_k' parameter of {owner} must be a sequence of ints "
                            f">= 1 (e.g. (10,)). Got {hits_k!r} instead.")
        self.hits_k = tuple(check_int(k, "hits_k", low=1, owner=owner) for k in hits_k)
        _check_monitor(monitor, self.hits_k, owner)
        graph = data[0] if isinstance(data, (tuple, list)) and data else data
        num_edges = int(getattr(getattr(graph, "edge_index", None), "shape", (0, 0))[1])
        for name, k in (("num_neg", self.num_neg), ("eval_num_neg", self.eval_num_neg)):
            check_memory(64.0 * num_edges * k, f"{num_edges * k} negatives per epoch",
                         params=f"{name}={k} on {num_edges} edges", owner=owner)
        for name, value in (("hidden_channels", hidden_channels), ("out_channels", out_channels),
                            ("num_layers", num_layers)):
            check_int(value, name, low=1, owner=owner)  # the user's names, not the layers'
        check_real(dropout, "dropout", low=0, high=1, closed="left", owner=owner)
        if not isinstance(data, (tuple, list)):
            val_ratio, test_ratio = _check_split_ratios(val_ratio, test_ratio, owner)
            x = getattr(data, "x", None)
            if isinstance(x, Tensor) and x.is_floating_point() and not bool(torch.isfinite(x).all()):
                raise ValueError(f"The 'data' parameter of {owner} must have finite node "
                                 f"features. Got {int((~torch.isfinite(x)).sum())} non-finite "
                                 f"entries in data.x instead.")
        self.min_common = check_int(min_common, "min_common", low=1, owner=owner)
        self.diagnostics = check_bool(diagnostics, "diagnostics", owner=owner)
        self.diagnostics_max_pairs = None if diagnostics_max_pairs is None else check_int(
            diagnostics_max_pairs, "diagnostics_max_pairs", low=1, owner=owner)
        model_settings = _ModelSettings.checked(
            owner, encoder=encoder, features=features, hidden_channels=hidden_channels,
            out_channels=out_channels, num_layers=num_layers, dropout=dropout,
            embedding_std=embedding_std)
        self.loss_fn = _loss_fn(loss, owner)
        check_real(lr, "lr", low=0, closed="neither", owner=owner)
        check_real(weight_decay, "weight_decay", low=0, owner=owner)
        self.both_directions = check_bool(both_directions, "both_directions", owner=owner)
        self.batch_size = None if batch_size is None else check_int(
            batch_size, "batch_size", low=1, owner=owner)

        # The steps below draw random numbers in this order (the same seed gives the
        # same split, sampler seed, evaluation negatives and initial weights):
        # split (global RNG) -> sampler seed -> evaluation seed -> weights (global RNG).
        with self.rng_scope():
            train, val, test = _split(data, val_ratio, test_ratio, owner)
        pos = self._prepare_splits(train, val, test)
        self.sampler = self._build_sampler(sampler, sampler_kwargs)
        self._train_data = _sampler_input(train, pos["train"], self.num_nodes,
                                          self.sampler.requires)
        self._eval = self._evaluation_negatives(train.edge_index, pos)
        with self.rng_scope():   # weights drawn on the CPU: the same on every device
            self.model = model_settings.build(train, self.num_nodes).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr,
                                          weight_decay=weight_decay)
        self._step = 0
        self._common = None
        self._prepared = None

    # ------------------------------------------------------------- data prep
    def _prepare_splits(self, train: Any, val: Any, test: Any) -> Dict[str, Tensor]:
        """Positives of each split and what the training step reads.

        Sets ``num_nodes``, ``device`` (that of the training edges: the model is
        moved there), ``undirected``, the message-passing edges of each split
        (``_mp``), the edges no training negative may hit (``_exclude`` = validation
        and test positives) and the number of distinct training anchors; returns the
        positives ``{"train", "val", "test"}``, each of shape ``(2, P)``.
        """
        owner = type(self).__name__
        self.num_nodes = int(train.num_nodes)
        self.device = train.edge_index.device
        self.undirected = bool(_is_undirected(train.edge_index, self.num_nodes))
        pos = {name: self._positives(d, name, owner)
               for name, d in (("train", train), ("val", val), ("test", test))}
        if pos["train"].size(1) == 0:
            raise ValueError(f"{owner}: the training split has no positive edges "
                             f"(edge_label_index with edge_label == 1 is empty); nothing to "
                             f"train on.")
        self._mp = {"train": train.edge_index, "val": val.edge_index, "test": test.edge_index}
        self._exclude = torch.cat([pos["val"], pos["test"]], 1)
        self._num_anchors = int(torch.unique(pos["train"][0]).numel())
        return pos

    def _positives(self, d: Any, name: str, owner: str) -> Tensor:
        """The ``edge_label == 1`` columns of split ``d`` (both directions if asked)."""
        eli = getattr(d, "edge_label_index", None)
        if eli is None:
            raise ValueError(f"{owner}: the {name} split has no edge_label_index; pass the output "
                             f"of T.RandomLinkSplit or an unsplit graph.")
        label = getattr(d, "edge_label", None)
        p = eli if label is None else eli[:, label == 1]
        if self.undirected and self.both_directions and p.numel() > 0:
            p = torch.cat([p, p.flip(0)], 1)
        return p

    def _build_sampler(self, sampler: Any, sampler_kwargs: Optional[Dict[str, Any]]) -> Any:
        """The training sampler: a name is built (seed spawned from the generator),
        an instance is used as is; it must sample per anchor."""
        from graphneg.samplers import NegativeSampler, get_sampler
        sampler = self._resolve_sampler(sampler, sampler_kwargs, self.num_neg, get_sampler,
                                        NegativeSampler, "a registered name or a NegativeSampler")
        if sampler.mode != "per_anchor":
            raise ValueError(f"The 'sampler' parameter of {type(self).__name__} must sample "
                             f"per anchor (mode='per_anchor'). Got mode={sampler.mode!r} "
                             f"instead.")
        return sampler

    def _evaluation_negatives(self, edge_index: Tensor, pos: Dict[str, Tensor]
                              ) -> Dict[str, Tuple[Tensor, Optional[Tensor]]]:
        """Fixed validation and test negatives, drawn once.

        ``eval_num_neg`` uniform negatives per positive (seed spawned from the
        generator), never a known edge of any split; a positive whose anchor has no
        valid negative is dropped. Returns ``{split: (pos (2, P'), neg (2, P' K))}``
        (``neg`` is ``None`` for a split without positives).
        """
        from graphneg.samplers import UniformNegativeSampler
        all_pos = torch.cat([pos["train"], pos["val"], pos["test"]], 1)
        evaluator = UniformNegativeSampler(self.eval_num_neg, seed=spawn_seed(self.generator),
                                           on_impossible="drop")
        out: Dict[str, Tuple[Tensor, Optional[Tensor]]] = {}
        for name in ("val", "test"):
            p = pos[name]
            if p.size(1) == 0:
                out[name] = (p, None)
                continue
            neg, keep = evaluator.sample(edge_index, self.num_nodes, pos_edge_index=p,
                                         exclude_edge_index=all_pos, return_mask=True)
            out[name] = (p[:, keep], neg)
        return out

    # ------------------------------------------------------------------ hooks
    def train_step(self, epoch: int) -> Dict[str, Any]:
        if self.batch_size is not None:
            return self._train_mini_batches(epoch)
        from graphneg.diagnostics import efficiency_from_scores
        self.model.train()
        self.optimizer.zero_grad()
        mp = self._mp["train"]
        z = self.model.encode(mp)
        tic = time.perf_counter()
        self.sampler.on_epoch_start(z=z.detach(), epoch=epoch, step=self._step)
        kwargs: Dict[str, Any] = {"exclude_edge_index": self._exclude}
        if "z" in self.sampler.requires:
            kwargs["z"] = z.detach()
        out = self.sampler(self._train_data, **kwargs)
        sampler_time = time.perf_counter() - tic
        label = out.edge_label
        pos = out.edge_label_index[:, label == 1]
        neg = out.edge_label_index[:, label == 0]
        num_pos = pos.size(1)
        if num_pos == 0:
            raise ValueError(f"{type(self).__name__}: the sampler dropped every positive (no "
                             f"anchor has a valid negative).")
        if neg.size(1) % num_pos != 0:
            raise ValueError(f"{type(self).__name__}: the sampler returned {neg.size(1)} "
                             f"negatives for {num_pos} positives; expected a multiple.")
        pos_score = self.model.decode(z, pos)
        neg_score = self.model.decode(z, neg).view(num_pos, -1)
        loss = self.loss_fn(pos_score, neg_score)
        loss.backward()
        self.optimizer.step()
        self._step += 1
        stats = dict(getattr(out, "neg_stats", None) or {})
        row: Dict[str, Any] = {"loss": float(loss.detach())}
        if self.diagnostics:
            row["eta"] = efficiency_from_scores(z.detach(), pos, neg, pos_score, neg_score)
            # the two weights inside eta: g+ = (1 - sigma(s+)) z_v and g- = sigma(s-) z_n
            row["pos_residual"] = float((1 - torch.sigmoid(pos_score.detach())).mean())
            row["neg_sigmoid"] = float(torch.sigmoid(neg_score.detach()).mean())
            row["hard_negative_rate"] = self._hard_negative_rate(neg)
        row["impossible_anchor_ratio"] = stats.get("impossible_anchors", 0) / max(
            self._num_anchors, 1)
        row["dropped_positive_ratio"] = stats.get("dropped", 0) / max(
            self._train_data.edge_label_index.size(1), 1)
        row["sampler_time_s"] = sampler_time
        row.update({f"sampler_{k}": v for k, v in stats.items()})
        return row

    def _hard_negative_rate(self, neg: Tensor) -> float:
        """``h_k`` of the epoch's negatives ``neg`` (2, Q) on the training graph (an
        i.i.d. subsample of ``diagnostics_max_pairs`` of them when there are more)."""
        from graphneg.diagnostics import CommonNeighbors
        if self._common is None:  # the training graph is fixed: build its CSR once
            self._common = CommonNeighbors(self._mp["train"], self.num_nodes)
        probe = neg
        if self.diagnostics_max_pairs is not None and neg.size(1) > self.diagnostics_max_pairs:
            pick = torch.randint(neg.size(1), (self.diagnostics_max_pairs,),
                                 generator=self.generator)
            probe = neg[:, pick]  # i.i.d. subsample: unbiased, s.e. <= 0.5/sqrt(M)
        return self._common.hard_negative_rate(probe, self.min_common)

    def prepared_sampler(self) -> Any:
        """The training sampler bound to the training graph
        (:meth:`~graphneg.samplers.NegativeSampler.prepare`, built on first use and
        kept): message-passing edges, every training positive and the validation
        and test positives excluded. What ``batch_size`` training draws from.

        Examples
        --------
        >>> from graphneg.generators import stochastic_block_model
        >>> data = stochastic_block_model([10, 10], [[0.6, 0.05], [0.05, 0.6]], seed=0)
        >>> trainer = LinkPredictionTrainer(data, epochs=1, seed=0, verbose=False,
        ...                                 batch_size=16, num_neg=2)
        >>> batch = trainer._train_data.edge_label_index[:, :16]
        >>> trainer.prepared_sampler().sample(batch).shape     # 2 negatives per positive
        torch.Size([2, 32])
        """
        if self._prepared is None:
            self._prepared = self.sampler.prepare(
                self._mp["train"], self.num_nodes,
                pos_edge_index=self._train_data.edge_label_index,
                exclude_edge_index=self._exclude, data=self._train_data)
        return self._prepared

    def _train_mini_batches(self, epoch: int) -> Dict[str, Any]:
        """One epoch of ``batch_size`` steps (see the class Notes for the row)."""
        from graphneg.diagnostics import _efficiency
        self.model.train()
        mp, positives = self._mp["train"], self._train_data.edge_label_index
        prepared = self.prepared_sampler()
        order = torch.randperm(positives.size(1), generator=self.generator).to(positives.device)
        parts: Dict[str, list] = {k: [] for k in ("pos", "neg", "pos_score", "neg_score",
                                                  "pos_norm", "neg_norm", "dropped")}
        loss_sum, sampler_time, stats = 0.0, 0.0, {}
        for first in range(0, positives.size(1), self.batch_size):
            batch = positives[:, order[first:first + self.batch_size]]
            self.optimizer.zero_grad()
            z = self.model.encode(mp)
            tic = time.perf_counter()
            if first == 0:
                self.sampler.on_epoch_start(z=z.detach(), epoch=epoch, step=self._step)
            kwargs = {"z": z.detach()} if "z" in self.sampler.requires else {}
            neg, keep = prepared.sample(batch, return_mask=True, **kwargs)
            sampler_time += time.perf_counter() - tic
            for k, v in self.sampler.last_stats.as_dict().items():
                stats[k] = stats.get(k, 0) + v
            parts["dropped"].append(batch[0, ~keep])
            pos = batch[:, keep]
            if pos.size(1) == 0:          # every anchor of this batch has no negative
                continue
            pos_score = self.model.decode(z, pos)
            neg_score = self.model.decode(z, neg).view(pos.size(1), -1)
            loss = self.loss_fn(pos_score, neg_score)
            loss.backward()
            self.optimizer.step()
            self._step += 1
            loss_sum += float(loss.detach()) * pos.size(1)
            norms = z.detach().norm(dim=1)
            for key, value in (("pos", pos), ("neg", neg), ("pos_score", pos_score),
                               ("neg_score", neg_score.reshape(-1)),
                               ("pos_norm", norms[pos[1]]), ("neg_norm", norms[neg[1]])):
                parts[key].append(value.detach())
        if not parts["pos"]:
            raise ValueError(f"{type(self).__name__}: the sampler dropped every positive (no "
                             f"anchor has a valid negative).")
        cat = {k: torch.cat(v, -1) for k, v in parts.items()}
        row: Dict[str, Any] = {"loss": loss_sum / cat["pos"].size(1)}
        if self.diagnostics:
            row["eta"] = _efficiency(cat["pos_score"], cat["neg_score"], cat["pos_norm"],
                                     cat["neg_norm"])
            row["pos_residual"] = float((1 - torch.sigmoid(cat["pos_score"])).mean())
            row["neg_sigmoid"] = float(torch.sigmoid(cat["neg_score"]).mean())
            row["hard_negative_rate"] = self._hard_negative_rate(cat["neg"])
        stats["impossible_anchors"] = int(torch.unique(cat["dropped"]).numel())
        stats["steps"] = len(range(0, positives.size(1), self.batch_size))
        row["impossible_anchor_ratio"] = stats["impossible_anchors"] / max(self._num_anchors, 1)
        row["dropped_positive_ratio"] = stats.get("dropped", 0) / max(positives.size(1), 1)
        row["sampler_time_s"] = sampler_time
        row.update({f"sampler_{k}": v for k, v in stats.items()})
        return row

    @torch.no_grad()
    def evaluate(self, split: str) -> Dict[str, Any]:
        """Ranking metrics on ``"val"`` or ``"test"`` (all ``nan`` if it has no positives)."""
        from graphneg.evaluation import _nan_metrics, ranking_metrics
        check_option(split, "split", ("val", "test"), owner=type(self).__name__)
        pos, neg = self._eval[split]
        if neg is None or pos.size(1) == 0:
            return _nan_metrics(self.hits_k)
        was_training = self.model.training
        self.model.eval()
        z = self.model.encode(self._mp[split])
        pos_score = self.model.decode(z, pos)
        neg_score = self.model.decode(z, neg).view(pos.size(1), -1)
        self.model.train(was_training)
        return ranking_metrics(pos_score, neg_score, self.hits_k)

    def embeddings(self) -> Tensor:
        """Node embeddings ``z`` on the training graph (eval mode, detached)."""
        self.model.eval()
        with torch.no_grad(), self.rng_scope():
            return self.model.encode(self._mp["train"])

    def extra_state(self) -> Dict[str, Any]:
        return {"step": self._step, "sampler_rng": self.sampler.get_rng_state(),
                "sampler_state": self.sampler.state_dict()}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self._step = int(state["step"])
        self.sampler.set_rng_state(state["sampler_rng"])
        if "sampler_state" in state:  # absent in checkpoints of stateless samplers
            self.sampler.load_state_dict(state["sampler_state"])


def _is_undirected(edge_index: Tensor, num_nodes: int) -> bool:
    from torch_geometric.utils import is_undirected
    return bool(is_undirected(edge_index, num_nodes=num_nodes))
