r"""Link prediction on one relation of a ``HeteroData``: :class:`HeteroLinkPredictionTrainer`.

The target relation :math:`r = (s, \rho, t)` of a heterogeneous graph (patients
*has* findings, words *co-occur with* contexts, users *rate* items) is split by
``T.RandomLinkSplit(edge_types=[r], rev_edge_types=[r⁻¹])`` into training,
validation and test positives. A heterogeneous GNN (:class:`graphneg.models.hetero.HeteroSAGE`,
GraphSAGE per relation by ``to_hetero``) embeds every node type from the
message-passing relations; a pair is scored by :math:`s(u, v) = z_u \cdot z_v`
(optionally on the sphere of radius :math:`\gamma`:
:math:`z \leftarrow \gamma z / \lVert z \rVert`), and trained with the logistic negative-sampling loss of ``docs/design.md``,

.. math::

    L = -\frac{1}{P} \sum_{(u, v)} \Big[\log \sigma(s(u, v))
        + \sum_{k=1}^{K} \log \sigma(-s(u, n_k))\Big], \qquad n_k \sim q(\cdot \mid u),

the negatives :math:`n_k` being :math:`t`-nodes drawn every epoch by any registered
sampler through its transform face on the relation
(``sampler(train, edge_types=[r], rev_edge_types=[r⁻¹], exclude_edge_index=...)``):
never a training edge of :math:`r` or of its reverse, and never a validation or test
positive (passed as ``exclude_edge_index``), so no held-out edge is ever a training
negative. Call-time inputs the sampler requires are read from the node stores
(``data["patient"].site``) or, for ``z``, from the current embeddings.

Validation and test positives are scored against **fixed** uniform negatives drawn
once (``eval_num_neg`` per positive, never a known positive of any split or a
message-passing edge); validation selects the model (early stopping on ``monitor``,
best weights restored), the test split is read only by :meth:`Trainer.test`.
The epoch loop (early stopping, checkpoints, resume, RNG scope) is
:class:`graphneg.training.Trainer`.
"""
from __future__ import annotations

import copy
import os
import time
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from graphneg._random import Seed, spawn_seed
from graphneg._validation import check_bool, check_int, check_option, check_real
from graphneg.training.link_prediction import _check_split_ratios
from graphneg.training.loop import Trainer, _check_monitor_key

__all__ = ["HeteroLinkPredictionTrainer"]

#: Keys of every epoch row (``val_hits@k`` per ``hits_k``; ``sampler_*``: the sampler's stats).
_ROW_KEYS = ("epoch", "wall_time_s", "elapsed_s", "loss", "eta", "neg_sigmoid",
             "hard_negative_rate", "dropped_positive_ratio", "sampler_time_s", "sampler_*",
             "val_auc", "val_ap", "val_mrr")

EdgeType = Tuple[str, str, str]


def _edge_type(value: Any, name: str, owner: str) -> EdgeType:
    if not (isinstance(value, (tuple, list)) and len(value) == 3
            and all(isinstance(v, str) for v in value)):
        raise TypeError(f"The '{name}' parameter of {owner} must be a (src, relation, dst) "
                        f"tuple of str. Got {value!r} instead.")
    return tuple(value)


class HeteroLinkPredictionTrainer(Trainer):
    r"""Link prediction on one relation of a ``HeteroData`` with a heterogeneous GNN.

    Parameters
    ----------
    data : HeteroData or (HeteroData, HeteroData, HeteroData)
        A graph (split here with ``T.RandomLinkSplit(num_val=val_ratio,
        num_test=test_ratio, edge_types=[edge_type], rev_edge_types=[rev_edge_type],
        add_negative_train_samples=False)``, undirected when both ends have one node
        type and the relation is symmetric; seeded), or the ``(train, val, test)``
        triple such a split returns. Positives are the ``edge_label_index`` columns
        labelled 1 of ``edge_type``.
    edge_type : (str, str, str)
        The target relation ``(s, ρ, t)``; negatives are ``t`` nodes.
    rev_edge_type : (str, str, str), optional
        Its reverse relation (message passing; its edges are excluded too).
    sampler : str or NegativeSampler, default "uniform"
        A registry name (built with ``num_neg``, ``on_impossible="drop"``, a seed from
        this trainer's generator and ``sampler_kwargs``) or an instance; per anchor.
    num_neg : int, default 1
    sampler_kwargs : dict, optional
    features : dict {node_type: "x" | "embedding" | "constant"}, optional
        Input mode per node type (:class:`graphneg.models.hetero.HeteroSAGE`);
        default ``"x"`` where the node store holds ``x``, else ``"embedding"``.
    hidden_channels, out_channels, num_layers : int
        Encoder shape (64, 64, 2).
    dropout : float, default 0
    scale : float, optional
        ``γ``: embeddings are put on the sphere of radius ``γ`` before scoring (scores
        in ``[-γ², γ²]``; the all-zero saddle of the dot-product loss cannot be
        reached); ``None``: raw embeddings.
    message_passing_target : bool, default True
        Messages also run along ``edge_type`` / ``rev_edge_type`` (the training
        edges: PyG's ``hetero_link_pred.py``). ``False``: the target relation is
        supervision only, messages run along the other relations (patients embedded
        from their findings, never from the pairs they are scored on).
    lr, weight_decay : float
        Adam settings (0.01, 0).
    epochs, patience, monitor, monitor_mode, restore_best, checkpoint_dir, verbose, seed
        See :class:`Trainer`; ``monitor`` defaults to ``"val_auc"``.
    eval_num_neg : int, default 20
        Fixed negatives per validation / test positive.
    hits_k : sequence of int, default (10,)
    val_ratio, test_ratio : float
        Used only when ``data`` is unsplit (0.1 each).

    Notes
    -----
    One epoch = one full-batch step: encode, sample, loss, Adam step, validation.
    Each history row holds ``loss``, ``eta`` (sampling efficiency,
    :func:`graphneg.diagnostics.efficiency_from_scores` on the ``t`` side),
    ``neg_sigmoid`` (mean :math:`\sigma(s(u, n))`: the negatives' hardness for the
    model), ``hard_negative_rate`` (share of negatives with :math:`\sigma(s) \ge 1/2`),
    ``dropped_positive_ratio``, ``sampler_time_s``, the sampler's stats prefixed
    ``sampler_``, and ``val_auc``, ``val_ap``, ``val_mrr``, ``val_hits@k``. Cost per
    epoch: one forward/backward of the encoder plus the sampler's
    :math:`O((E + P) \log (E + P))`.

    Examples
    --------
    >>> from graphneg.datasets import text_graph
    >>> data = text_graph(corpus=[["a", "b", "c", "a", "d", "b", "c", "d"]] * 4,
    ...                   min_count=1, as_hetero=True)
    >>> t = HeteroLinkPredictionTrainer(
    ...     data, ("word", "co_occurs_with", "context"),
    ...     rev_edge_type=("context", "rev_co_occurs_with", "word"), epochs=3,
    ...     hidden_channels=8, out_channels=8, val_ratio=0.2, test_ratio=0.2,
    ...     eval_num_neg=2, seed=0, verbose=False)
    >>> hist = t.fit()
    >>> len(hist), {"loss", "eta", "val_auc"} <= set(hist.columns), sorted(t.test())
    (3, True, ['ap', 'auc', 'hits@10', 'mrr'])
    """

    def __init__(self, data: Any, edge_type: EdgeType, *,
                 rev_edge_type: Optional[EdgeType] = None, sampler: Any = "uniform",
                 num_neg: int = 1, sampler_kwargs: Optional[Dict[str, Any]] = None,
                 features: Optional[Mapping[str, str]] = None, hidden_channels: int = 64,
                 out_channels: int = 64, num_layers: int = 2, dropout: float = 0.0,
                 scale: Optional[float] = None, message_passing_target: bool = True,
                 lr: float = 0.01, weight_decay: float = 0.0, epochs: int = 100,
                 patience: Optional[int] = None, monitor: Optional[str] = "val_auc",
                 monitor_mode: str = "max", restore_best: bool = True, eval_num_neg: int = 20,
                 hits_k: Sequence[int] = (10,), val_ratio: float = 0.1,
                 test_ratio: float = 0.1,
                 checkpoint_dir: Optional[Union[str, os.PathLike]] = None,
                 verbose: bool = True, seed: Seed = None):
        super().__init__(epochs=epochs, monitor=monitor, monitor_mode=monitor_mode,
                         patience=patience, restore_best=restore_best,
                         checkpoint_dir=checkpoint_dir, verbose=verbose, seed=seed)
        from graphneg.models.hetero import HeteroSAGE
        from graphneg.samplers import NegativeSampler, get_sampler
        from graphneg.samplers.pyg import is_hetero

        owner = type(self).__name__
        graph = data[0] if isinstance(data, (tuple, list)) and data else data
        if not is_hetero(graph):
            raise TypeError(f"The 'data' parameter of {owner} must be a HeteroData (or the "
                            f"(train, val, test) triple of one). Got {type(graph).__name__} "
                            f"instead; for a Data use LinkPredictionTrainer.")
        self.edge_type = _edge_type(edge_type, "edge_type", owner)
        self.rev_edge_type = (None if rev_edge_type is None
                              else _edge_type(rev_edge_type, "rev_edge_type", owner))
        for name, et in (("edge_type", self.edge_type), ("rev_edge_type", self.rev_edge_type)):
            if et is not None and et not in graph.edge_types:
                raise ValueError(f"The '{name}' parameter of {owner} must be an edge type of "
                                 f"the HeteroData {graph.edge_types}. Got {et!r} instead.")
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.eval_num_neg = check_int(eval_num_neg, "eval_num_neg", low=1, owner=owner)
        self.hits_k = tuple(check_int(k, "hits_k", low=1, owner=owner) for k in hits_k)
        _check_monitor_key(monitor, (*_ROW_KEYS, *(f"val_hits@{k}" for k in self.hits_k)),
                           owner)  # a wrong monitor fails here, before any epoch
        self.scale = None if scale is None else check_real(scale, "scale", low=0,
                                                           closed="neither", owner=owner)
        self.message_passing_target = check_bool(message_passing_target,
                                                 "message_passing_target", owner=owner)
        check_real(lr, "lr", low=0, closed="neither", owner=owner)
        check_real(weight_decay, "weight_decay", low=0, owner=owner)
        src, _, dst = self.edge_type
        self.undirected = src == dst and self.rev_edge_type is None and _symmetric(
            graph[self.edge_type].edge_index)

        # random draws in this order: split (global RNG) -> sampler seed -> evaluation
        # seed -> weights (global RNG)
        with self.rng_scope():
            train, val, test = self._split(data, val_ratio, test_ratio, owner)
        pos = {name: self._positives(d, name) for name, d in
               (("train", train), ("val", val), ("test", test))}
        if pos["train"].size(1) == 0:
            raise ValueError(f"{owner}: the training split has no positive {self.edge_type} "
                             f"edges; nothing to train on.")
        held = torch.cat([pos["val"], pos["test"]], 1)
        self._exclude = torch.cat([held, held.flip(0)], 1) if self.undirected else held
        self._train = copy.copy(train)
        self._train[self.edge_type].edge_label_index = pos["train"]
        self._train[self.edge_type].edge_label = torch.ones(pos["train"].size(1))
        self._splits = {"train": train, "val": val, "test": test}
        self.sampler = self._resolve_sampler(sampler, sampler_kwargs, self.num_neg, get_sampler,
                                             NegativeSampler,
                                             "a registered name or a NegativeSampler")
        if self.sampler.mode != "per_anchor":
            raise ValueError(f"The 'sampler' parameter of {owner} must sample per anchor "
                             f"(mode='per_anchor'). Got mode={self.sampler.mode!r} instead.")
        self._eval = self._evaluation_negatives(pos)
        relations = [e for e in train.edge_types if self.message_passing_target
                     or e not in (self.edge_type, self.rev_edge_type)]
        features = dict(features or {})
        modes = {t: features.get(t, "x" if "x" in train[t] else "embedding")
                 for t in train.node_types}
        num_nodes = {t: int(train[t].num_nodes) for t in train.node_types}
        with self.rng_scope():
            self.model = HeteroSAGE((train.node_types, relations), num_nodes, modes,
                                    hidden_channels=hidden_channels, out_channels=out_channels,
                                    num_layers=num_layers, dropout=dropout)
            with torch.no_grad():
                self.model(train)  # lazy layer shapes
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr,
                                          weight_decay=weight_decay)
        self._step = 0

    # ------------------------------------------------------------- data prep
    def _split(self, data: Any, val_ratio: float, test_ratio: float, owner: str):
        if isinstance(data, (tuple, list)):
            if len(data) != 3:
                raise ValueError(f"The 'data' parameter of {owner} must be a HeteroData or a "
                                 f"(train, val, test) triple. Got {len(data)} items instead.")
            return tuple(data)
        import torch_geometric.transforms as T
        val_ratio, test_ratio = _check_split_ratios(val_ratio, test_ratio, owner)
        return T.RandomLinkSplit(num_val=val_ratio, num_test=test_ratio,
                                 is_undirected=self.undirected, edge_types=[self.edge_type],
                                 rev_edge_types=None if self.rev_edge_type is None
                                 else [self.rev_edge_type],
                                 add_negative_train_samples=False,
                                 neg_sampling_ratio=0.0)(data)  # our own fixed negatives

    def _positives(self, d: Any, name: str) -> Tensor:
        """The label-1 target pairs of split ``d`` (both directions when undirected)."""
        store = d[self.edge_type]
        if "edge_label_index" not in store:
            raise ValueError(f"{type(self).__name__}: the {name} split has no edge_label_index "
                             f"on {self.edge_type}; pass the output of T.RandomLinkSplit or an "
                             f"unsplit graph.")
        label = store.get("edge_label")
        p = store.edge_label_index if label is None else store.edge_label_index[:, label == 1]
        return torch.cat([p, p.flip(0)], 1) if self.undirected and p.numel() else p

    def _evaluation_negatives(self, pos: Dict[str, Tensor]
                              ) -> Dict[str, Tuple[Tensor, Optional[Tensor]]]:
        """Fixed uniform validation and test negatives, drawn once by the transform face
        on each split (never a message-passing edge or a positive of any split);
        ``{split: (pos (2, P'), neg (2, P' K) or None)}``."""
        from graphneg.samplers import UniformNegativeSampler
        every = torch.cat([pos["train"], pos["val"], pos["test"]], 1)
        every = torch.cat([every, every.flip(0)], 1) if self.undirected else every
        evaluator = UniformNegativeSampler(self.eval_num_neg, seed=spawn_seed(self.generator),
                                           on_impossible="drop")
        out: Dict[str, Tuple[Tensor, Optional[Tensor]]] = {}
        for name in ("val", "test"):
            p = pos[name]
            if p.size(1) == 0:
                out[name] = (p, None)
                continue
            d = copy.copy(self._splits[name])
            d[self.edge_type].edge_label_index = p
            d[self.edge_type].edge_label = torch.ones(p.size(1))
            d = evaluator(d, edge_types=[self.edge_type], rev_edge_types=[self.rev_edge_type],
                          exclude_edge_index={self.edge_type: every},
                          existing_negatives="replace")
            store = d[self.edge_type]
            out[name] = (store.edge_label_index[:, store.edge_label == 1],
                         store.edge_label_index[:, store.edge_label == 0])
        return out

    # ------------------------------------------------------------------ hooks
    def _encode(self, data: Any) -> Dict[str, Tensor]:
        z = self.model(data)
        if self.scale is not None:
            z = {t: self.scale * v / v.norm(dim=1, keepdim=True).clamp_min(1e-12)
                 for t, v in z.items()}
        return z

    def _score(self, z: Dict[str, Tensor], pairs: Tensor) -> Tensor:
        src, _, dst = self.edge_type
        return (z[src][pairs[0]] * z[dst][pairs[1]]).sum(-1)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        from graphneg.diagnostics import efficiency_from_scores
        from graphneg.losses import logistic_ns_loss
        self.model.train()
        self.optimizer.zero_grad()
        z = self._encode(self._train)
        tic = time.perf_counter()
        inputs: Dict[str, Any] = {}
        if "z" in self.sampler.requires:  # {node_type: z}, as the transform face reads it
            inputs["z"] = {t: v.detach() for t, v in z.items()}
        self.sampler.on_epoch_start(z=inputs.get("z"), epoch=epoch, step=self._step)
        out = self.sampler(self._train, edge_types=[self.edge_type],
                           rev_edge_types=[self.rev_edge_type],
                           exclude_edge_index={self.edge_type: self._exclude}, **inputs)
        sampler_time = time.perf_counter() - tic
        store = out[self.edge_type]
        pos = store.edge_label_index[:, store.edge_label == 1]
        neg = store.edge_label_index[:, store.edge_label == 0]
        if pos.size(1) == 0:
            raise ValueError(f"{type(self).__name__}: the sampler dropped every positive (no "
                             f"anchor has a valid negative).")
        ps = self._score(z, pos)
        ns = self._score(z, neg).view(pos.size(1), -1)
        loss = logistic_ns_loss(ps, ns)
        loss.backward()
        self.optimizer.step()
        self._step += 1
        stats = dict(getattr(store, "neg_stats", None) or {})
        sig = torch.sigmoid(ns.detach())
        z_dst = z[self.edge_type[2]].detach()
        # eta reads only the destination norms ||z_v||, ||z_n||: pairs (v, v), (n, n)
        eta = efficiency_from_scores(z_dst, pos[[1, 1]], neg[[1, 1]], ps, ns)
        row: Dict[str, Any] = {
            "loss": float(loss.detach()), "eta": eta, "neg_sigmoid": float(sig.mean()),
            "hard_negative_rate": float((sig >= 0.5).double().mean()),
            "dropped_positive_ratio": stats.get("dropped", 0) / max(
                self._train[self.edge_type].edge_label_index.size(1), 1),
            "sampler_time_s": sampler_time}
        row.update({f"sampler_{k}": v for k, v in stats.items()
                    if isinstance(v, (int, float, bool))})
        return row

    @torch.no_grad()
    def evaluate(self, split: str) -> Dict[str, Any]:
        """AUC, AP, MRR and Hits@K on ``"val"`` or ``"test"`` against the fixed negatives
        (all ``nan`` for a split without positives)."""
        from graphneg.evaluation import _nan_metrics, ranking_metrics
        check_option(split, "split", ("val", "test"), owner=type(self).__name__)
        pos, neg = self._eval[split]
        if neg is None or pos.size(1) == 0:
            return _nan_metrics(self.hits_k)
        was_training = self.model.training
        self.model.eval()
        z = self._encode(self._splits[split])
        self.model.train(was_training)
        return ranking_metrics(self._score(z, pos), self._score(z, neg).view(pos.size(1), -1),
                               self.hits_k)

    def embeddings(self, data: Any = None) -> Dict[str, Tensor]:
        """Embeddings ``{node_type: (N_t, out_channels)}`` (eval mode, detached, on the
        sphere of radius ``scale`` if set) of the training graph, or of ``data`` — a
        ``HeteroData`` with the same node and edge types, e.g. with new nodes of a
        ``"constant"`` or ``"x"`` type (inductive)."""
        self.model.eval()
        with torch.no_grad(), self.rng_scope():
            return self._encode(self._train if data is None else data)

    def extra_state(self) -> Dict[str, Any]:
        return {"step": self._step, "sampler_rng": self.sampler.get_rng_state(),
                "sampler_state": self.sampler.state_dict()}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self._step = int(state["step"])
        self.sampler.set_rng_state(state["sampler_rng"])
        self.sampler.load_state_dict(state["sampler_state"])


def _symmetric(edge_index: Tensor) -> bool:
    from torch_geometric.utils import is_undirected
    return bool(is_undirected(edge_index))
