r"""Hyperedge-contrastive learning: encoder, pooling, InfoNCE over sampled negative hyperedges.

Model
-----
Node embeddings :math:`z = \mathrm{enc}(x, H)` come from a hypergraph encoder
(a stack of PyG :class:`~torch_geometric.nn.conv.HypergraphConv` layers by
default, or any module ``(x, hyperedge_index) -> z``). A node set :math:`S` is
embedded by pooling its members, :math:`h(S) = \mathrm{pool}_{v \in S} z_v`
(mean by default), then a projection head :math:`g` (two linear layers).

Objective
---------
For an anchor hyperedge :math:`A` the trainer draws two *member-dropout views*
:math:`A', A''` (each member kept with prob. ``1 - member_drop_prob``, at least
one kept) and ``num_neg`` negative hyperedges :math:`N_1..N_K` from a
hyperedge sampler (:mod:`graphneg.samplers.hyperedge`), and minimises InfoNCE
(:func:`graphneg.losses.info_nce`, cosine similarity, temperature :math:`\tau`):

.. math::

    L_A = -\log \frac{e^{s(g h(A'), g h(A''))/\tau}}
                     {e^{s(g h(A'), g h(A''))/\tau} + \sum_k e^{s(g h(A'), g h(N_k))/\tau}}.

The two views of one hyperedge are pulled together and pushed away from the
negatives, so members of a true hyperedge end up with coherent embeddings.

Evaluation (hyperedge prediction)
---------------------------------
A candidate set :math:`S` is scored anchor-free by its *coherence*
:math:`c(S) = \frac{1}{|S|}\sum_{v\in S}\cos(g(z_v), g(h(S)))`; held-out true
hyperedges are ranked against fixed negative candidates (drawn once, seeded,
never equal to any true hyperedge) with AUC, AP and MRR under two protocols:
``eval_sampler`` (random node sets of the empirical sizes, SNS) and
``hard_eval_sampler`` (the held-out hyperedge with one member swapped, CNS).

Sampling
--------
Each epoch the sampler runs as a PyG transform on the training hypergraph
(:class:`~torch_geometric.data.HyperGraphData`): ``sampler(data)`` writes
``hyperedge_label_index`` / ``hyperedge_label`` / ``hyperedge_label_anchor``,
which the step reads back (positives = the kept anchors, then their negatives).
"""

from __future__ import annotations

import os
import time
from typing import Any, Dict, NamedTuple, Optional, Tuple, Union

import numpy as np
import torch
from torch import Tensor, nn
from torch_geometric.data.hypergraph_data import HyperGraphData
from torch_geometric.utils import scatter

from graphneg._random import Seed, spawn_seed
from graphneg._validation import (
    check_instance,
    check_int,
    check_option,
    check_real,
    check_tensor,
    naming_lookups,
)
from graphneg.diagnostics import contrastive_efficiency
from graphneg.hyperedges import (
    check_hyperedge_index,
    hyperedge_sizes,
    hypergraph_num_nodes,
    paired_intersections,
)
from graphneg.models.hypergraph import POOLINGS, HypergraphEncoder, pool_hyperedges
from graphneg.training.loop import Trainer

__all__ = ["member_dropout", "negative_softmax_weight", "HyperedgeContrastiveTrainer"]


def member_dropout(hyperedge_index: Tensor, drop_prob: float, generator: torch.Generator
                   ) -> Tensor:
    r"""A random view of every hyperedge: each member kept with prob. ``1 - drop_prob``.

    A hyperedge that would lose every member keeps the one with the largest
    uniform draw, so no view is empty. Cost :math:`O(nnz)`.

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 2], [0, 0, 0]])
    >>> member_dropout(h, 1.0, torch.Generator().manual_seed(0)).size(1)
    1
    """
    owner = "member_dropout"
    check_tensor(hyperedge_index, "hyperedge_index", kind="int", dim=2, owner=owner)
    drop_prob = check_real(drop_prob, "drop_prob", low=0, high=1, closed="both", owner=owner)
    check_instance(generator, "generator", torch.Generator, "a torch.Generator", owner=owner)
    u = torch.rand(hyperedge_index.size(1), generator=generator)
    keep = u >= drop_prob
    m = int(hyperedge_index[1].max()) + 1 if hyperedge_index.numel() else 0
    kept = torch.bincount(hyperedge_index[1][keep], minlength=m)
    best = scatter(u, hyperedge_index[1], dim=0, dim_size=m, reduce="max")
    rescue = (kept[hyperedge_index[1]] == 0) & (u == best[hyperedge_index[1]])
    return hyperedge_index[:, keep | rescue]


def negative_softmax_weight(anchor: Tensor, positive: Tensor, negatives: Tensor,
                            temperature: float) -> Tuple[float, float]:
    r"""How much of the InfoNCE gradient the negatives carry: the mean softmax weight.

    With logits :math:`\ell_0 = s(a, p)/\tau`, :math:`\ell_k = s(a, n_k)/\tau` (cosine
    :math:`s`) and :math:`w = \mathrm{softmax}(\ell)`, InfoNCE
    :math:`L = -\log w_0` has :math:`\partial L / \partial \ell_k = w_k` for every
    negative and :math:`\partial L/\partial \ell_0 = -(1 - w_0) = -\sum_k w_k`. So

    * ``mass`` :math:`= \mathrm{mean}_a \sum_k w_k` is the share of the loss's
      gradient that the negatives still produce (0: all resolved, 1: all confused
      with the positive); harder negatives raise it;
    * ``top`` :math:`= \mathrm{mean}_a \max_k w_k / \sum_k w_k` says whether one
      negative carries it (1) or all share it (:math:`1/K`).

    Parameters
    ----------
    anchor, positive : Tensor, shape (B, d)
    negatives : Tensor, shape (B, K, d)
    temperature : float

    Returns
    -------
    (mass, top) : tuple of float

    Examples
    --------
    >>> a = torch.tensor([[1.0, 0.0]])
    >>> mass, top = negative_softmax_weight(a, a, torch.tensor([[[0.0, 1.0], [0.0, 1.0]]]), 1.0)
    >>> round(mass, 4), top                         # 2 / (e + 2), two equal negatives
    (0.4239, 0.5)
    """
    owner = "negative_softmax_weight"
    for name, z, dim in (("anchor", anchor, 2), ("positive", positive, 2),
                         ("negatives", negatives, 3)):
        check_tensor(z, name, kind="float", dim=dim, owner=owner)
    temperature = check_real(temperature, "temperature", low=0, closed="neither", owner=owner)
    with torch.no_grad():
        a = nn.functional.normalize(anchor, dim=-1)
        pos = (a * nn.functional.normalize(positive, dim=-1)).sum(-1, keepdim=True)
        neg = torch.einsum("bd,bkd->bk", a, nn.functional.normalize(negatives, dim=-1))
        w = torch.softmax(torch.cat([pos, neg], 1).double() / temperature, 1)[:, 1:]
        mass = w.sum(1)
        return float(mass.mean()), float((w.max(1).values / mass).mean())


def _split_hyperedges(index: Tensor, val_ratio: float, test_ratio: float,
                      generator: torch.Generator, owner: str) -> Tuple[Tensor, Tensor, Tensor]:
    m = int(hyperedge_sizes(index).numel())
    perm = torch.randperm(m, generator=generator)
    num_val, num_test = int(round(val_ratio * m)), int(round(test_ratio * m))
    if m - num_val - num_test < 1:
        raise ValueError(f"{owner}: val_ratio + test_ratio leave no training hyperedge "
                         f"({m} hyperedges).")
    part = torch.empty(m, dtype=torch.long)
    part[perm[:num_val]], part[perm[num_val:num_val + num_test]] = 1, 2
    part[perm[num_val + num_test:]] = 0
    out = []
    for p in range(3):  # three splits
        ids = (part == p).nonzero().view(-1)
        new = torch.full((m,), -1, dtype=torch.long)
        new[ids] = torch.arange(ids.numel())
        sel = part[index[1]] == p
        out.append(torch.stack([index[0, sel], new[index[1, sel]]]))
    return out[0], out[1], out[2]


class HyperedgeContrastiveTrainer(Trainer):
    r"""Hyperedge-contrastive training with any hyperedge negative sampler.

    Parameters
    ----------
    data : HyperGraphData
        ``edge_index`` the incidence index; ``x`` used if present.
    sampler : str or HyperedgeSampler, default "maxent"
        A name of :data:`graphneg.samplers.hyperedge.HYPEREDGE_SAMPLERS` (built with
        ``num_neg``, ``on_impossible="drop"``, a seed drawn from this trainer's
        generator and ``sampler_kwargs``) or an instance.
    num_neg : int, default 8
        Negatives per anchor hyperedge.
    sampler_kwargs : dict, optional
        E.g. ``{"alpha": 0.0, "beta": -1.0}``.
    encoder : "hypergraphconv" or torch.nn.Module
        A module mapping ``(x, hyperedge_index) -> z`` is used as is.
    features : {"auto", "embedding", "onehot", "x"}
        Encoder input (:class:`graphneg.models.NodeFeatures`).
    hidden_channels, out_channels, num_layers, dropout
        Encoder shape (64, 64, 2, 0).
    pool : {"mean", "sum", "max"}, default "mean"
    temperature : float, default 0.2
    member_drop_prob : float in [0, 1), default 0.3
    lr, weight_decay : float
    eval_sampler : str, default "sized"
        Hyperedge sampler for the fixed validation/test negatives. It runs on the
        held-out split's own hyperedges as anchors (their sizes; for ``"motif"`` /
        ``"clique"`` their clique expansion), excluding every true hyperedge of
        every split.
    hard_eval_sampler : str or None, default "clique"
        A second, hard protocol (``hard_*`` metrics): negatives of this sampler
        (``"clique"``: the held-out hyperedge with one member swapped for a node
        adjacent to all others, so its overlap with the positive is
        :math:`(s-1)/(s+1)`; ``"motif"``: connected sets of the clique expansion).
        ``None``: only ``eval_sampler``'s protocol.
    eval_num_neg : int, default 5
    val_ratio, test_ratio : float
        Hyperedges held out (0.1 each); training message passing uses the rest.
    epochs, patience, monitor, monitor_mode, restore_best, checkpoint_dir, verbose, seed
        See :class:`graphneg.training.Trainer`; ``monitor`` defaults to ``"val_auc"``.

    Notes
    -----
    One epoch = one full-batch step over every training hyperedge as anchor:
    encode, sample negatives (validation/test hyperedges excluded as
    negatives), two views, InfoNCE, Adam step, validation. History rows hold
    ``loss``, ``eta`` (:func:`contrastive_efficiency`), ``neg_weight`` and
    ``neg_weight_top`` (:func:`negative_softmax_weight`), ``neg_mean_size``,
    ``pos_mean_size``, ``neg_mean_overlap`` (Jaccard with the anchor),
    ``sampler_time_s``, ``sampler_*`` stats, ``val_auc``, ``val_ap``. Cost per
    epoch :math:`O(L \cdot nnz \cdot d + P K \bar s d)` plus the sampler's.

    Examples
    --------
    >>> from graphneg.generators import planted_hypergraph
    >>> h = planted_hypergraph(60, 120, 4, seed=0)
    >>> tr = HyperedgeContrastiveTrainer(h, epochs=3, seed=0, verbose=False)
    >>> hist = tr.fit()
    >>> len(hist), {"loss", "eta", "val_auc", "val_ap"} <= set(hist.columns)
    (3, True)
    """

    #: The epoch row's keys besides the loop's (a ``monitor`` outside them fails at once;
    #: ``val_hard_*`` only with ``hard_eval_sampler``, ``sampler_*`` the sampler's statistics).
    row_keys = ("loss", "eta", "neg_weight", "neg_weight_top", "pos_mean_size", "neg_mean_size",
                "neg_mean_overlap", "sampler_time_s", "sampler_*", "val_auc", "val_ap", "val_mrr",
                "val_hard_auc", "val_hard_ap", "val_hard_mrr")

    def __init__(self, data: Any, *, sampler: Any = "maxent", num_neg: int = 8,
                 sampler_kwargs: Optional[Dict[str, Any]] = None,
                 encoder: Union[str, nn.Module] = "hypergraphconv", features: str = "auto",
                 hidden_channels: int = 64, out_channels: int = 64, num_layers: int = 2,
                 dropout: float = 0.0, pool: str = "mean", temperature: float = 0.2,
                 member_drop_prob: float = 0.3, lr: float = 0.01, weight_decay: float = 0.0,
                 eval_sampler: str = "sized", hard_eval_sampler: Optional[str] = "clique",
                 eval_num_neg: int = 5,
                 val_ratio: float = 0.1, test_ratio: float = 0.1,
                 epochs: int = 100, patience: Optional[int] = None,
                 monitor: Optional[str] = "val_auc", monitor_mode: str = "max",
                 restore_best: bool = True,
                 checkpoint_dir: Optional[Union[str, os.PathLike]] = None,
                 verbose: bool = True, seed: Seed = None):
        from graphneg.models import NodeFeatures
        from graphneg.samplers.hyperedge import HyperedgeSampler, get_hyperedge_sampler

        owner = type(self).__name__
        super().__init__(epochs=epochs, monitor=monitor, monitor_mode=monitor_mode,
                         patience=patience, restore_best=restore_best,
                         checkpoint_dir=checkpoint_dir, verbose=verbose, seed=seed)
        self.num_nodes = check_int(hypergraph_num_nodes(data), "data.num_nodes", low=1,
                                   owner=owner)
        index = check_hyperedge_index(getattr(data, "edge_index", None), "data.edge_index",
                                      num_nodes=self.num_nodes, owner=owner)
        self.num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
        self.pool = check_option(pool, "pool", POOLINGS, owner=owner)
        self.temperature = check_real(temperature, "temperature", low=0, closed="neither",
                                      owner=owner)
        self.member_drop_prob = check_real(member_drop_prob, "member_drop_prob", low=0, high=1,
                                           closed="left", owner=owner)
        check_real(lr, "lr", low=0, closed="neither", owner=owner)
        check_real(weight_decay, "weight_decay", low=0, owner=owner)
        check_real(val_ratio, "val_ratio", low=0, high=1, closed="left", owner=owner)
        check_real(test_ratio, "test_ratio", low=0, high=1, closed="left", owner=owner)
        features = check_option(features, "features", ("auto", "embedding", "onehot", "x"),
                                owner=owner)
        self.eval_num_neg = check_int(eval_num_neg, "eval_num_neg", low=1, owner=owner)
        for name, value in (("hidden_channels", hidden_channels), ("out_channels", out_channels)):
            check_int(value, name, low=1, owner=owner)  # the user's names, not the layers'
        check_real(dropout, "dropout", low=0, high=1, closed="left", owner=owner)

        self.train_index, val, test = _split_hyperedges(index, val_ratio, test_ratio,
                                                         self.generator, owner)
        self.train_data = HyperGraphData(edge_index=self.train_index, num_nodes=self.num_nodes)
        self._pos = {"val": val, "test": test}
        held = [t for t in (val, test) if t.numel()]
        self._exclude = _concat_hyperedges(held) if held else None

        self.sampler = self._resolve_sampler(
            sampler, sampler_kwargs, self.num_neg, get_hyperedge_sampler, HyperedgeSampler,
            "a registered hyperedge sampler name or a HyperedgeSampler")

        # fixed evaluation negatives, never equal to any true hyperedge of any split
        all_true = _concat_hyperedges([index])
        protocols = {"": eval_sampler}
        if hard_eval_sampler is not None:
            protocols["hard_"] = hard_eval_sampler
        self._eval: Dict[str, Dict[str, Tuple[Tensor, Optional[Tensor]]]] = {}
        for prefix, name_ in protocols.items():
            with naming_lookups(f"{prefix}eval_sampler", owner=owner):
                evaluator = get_hyperedge_sampler(name_, num_neg=self.eval_num_neg,
                                                  seed=spawn_seed(self.generator),
                                                  on_impossible="drop")
            for name, pos in self._pos.items():
                if pos.numel() == 0:
                    self._eval.setdefault(name, {})[prefix] = (pos, None)
                    continue
                out = evaluator.sample(pos, self.num_nodes, exclude_hyperedge_index=all_true)
                self._eval.setdefault(name, {})[prefix] = (
                    _select(pos, out.keep.nonzero().view(-1)), out.hyperedge_index)

        x = getattr(data, "x", None)
        mode = ("x" if x is not None else "embedding") if features == "auto" else features
        with self.rng_scope():
            self.features = NodeFeatures(mode, self.num_nodes, dim=hidden_channels, x=x)
            if isinstance(encoder, nn.Module):
                enc = encoder
            elif encoder == "hypergraphconv":
                enc = HypergraphEncoder(self.features.out_channels, hidden_channels,
                                        out_channels, num_layers=check_int(
                                            num_layers, "num_layers", low=1, owner=owner),
                                        dropout=dropout)
            else:
                raise ValueError(f"The 'encoder' parameter of {owner} must be 'hypergraphconv' "
                                 f"or a torch.nn.Module. Got {encoder!r} instead.")
            head = nn.Sequential(nn.Linear(out_channels, out_channels), nn.ReLU(),
                                 nn.Linear(out_channels, out_channels))
            self.model = nn.ModuleDict({"features": self.features, "encoder": enc, "head": head})
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr,
                                          weight_decay=weight_decay)

    # ------------------------------------------------------------- model
    def encode(self) -> Tensor:
        """Node embeddings on the training hyperedges, shape ``(N, d)``."""
        return self.model["encoder"](self.model["features"](), self.train_index)

    def embed(self, z: Tensor, sets: Tensor) -> Tensor:
        """Projected pooled embeddings of the node sets in ``sets`` (incidence form)."""
        return self.model["head"](pool_hyperedges(z, sets, pool=self.pool))

    def score(self, z: Tensor, sets: Tensor) -> Tensor:
        r"""Coherence :math:`c(S)` of every set (see the module docstring), shape ``(S,)``."""
        head = self.model["head"]
        g_set = nn.functional.normalize(head(pool_hyperedges(z, sets, pool=self.pool)), dim=-1)
        g_node = nn.functional.normalize(head(z), dim=-1)
        cos = (g_node[sets[0]] * g_set[sets[1]]).sum(-1)
        return scatter(cos, sets[1], dim=0, dim_size=g_set.size(0), reduce="mean")

    # ------------------------------------------------------------- hooks
    def train_step(self, epoch: int) -> Dict[str, Any]:
        from graphneg.losses import info_nce
        self.model.train()
        self.optimizer.zero_grad()
        z = self.encode()
        tic = time.perf_counter()
        # the sampler as a PyG transform on the training hypergraph (a shallow copy is
        # labelled): positives = the kept anchors, then their negatives
        labelled = self.sampler(self.train_data, exclude_hyperedge_index=self._exclude)
        sampler_time = time.perf_counter() - tic
        label = labelled.hyperedge_label
        p_kept = int((label == 1).sum())
        if p_kept == 0:
            raise ValueError(f"{type(self).__name__}: the sampler dropped every anchor (no "
                             f"anchor hyperedge has a valid negative).")
        lab = labelled.hyperedge_label_index
        is_pos = lab[1] < p_kept
        anchors = lab[:, is_pos]
        neg_index = torch.stack([lab[0, ~is_pos], lab[1, ~is_pos] - p_kept])
        neg_anchor = labelled.hyperedge_label_anchor[p_kept:]
        kept = labelled.hyperedge_label_anchor[:p_kept]
        neg = _Negatives(neg_index, neg_anchor)
        view1 = member_dropout(anchors, self.member_drop_prob, self.generator)
        view2 = member_dropout(anchors, self.member_drop_prob, self.generator)
        a = self.embed(z, view1)
        p = self.embed(z, view2)
        n = self.embed(z, neg.hyperedge_index).view(kept.numel(), self.num_neg, -1)
        loss = info_nce(a, p, n, self.temperature, similarity="cosine")
        mass, top = negative_softmax_weight(a, p, n, self.temperature)
        loss.backward()
        self.optimizer.step()
        sizes_neg = hyperedge_sizes(neg.hyperedge_index, neg.num_negatives).double()
        sizes_pos = hyperedge_sizes(self.train_index).double()
        inter = paired_intersections(self.train_index, neg.anchor, neg.hyperedge_index,
                                     torch.arange(neg.num_negatives), self.num_nodes).double()
        union = sizes_pos[neg.anchor] + sizes_neg - inter
        row: Dict[str, Any] = {
            "loss": float(loss.detach()),
            "eta": contrastive_efficiency(a, p, n, self.temperature),
            "neg_weight": mass, "neg_weight_top": top,
            "pos_mean_size": float(sizes_pos.mean()),
            "neg_mean_size": float(sizes_neg.mean()),
            "neg_mean_overlap": float((inter / union).mean()),
            "sampler_time_s": sampler_time,
        }
        row.update({f"sampler_{k}": v for k, v in self.sampler.last_stats.as_dict().items()})
        return row

    def evaluation_sets(self, split: str) -> Dict[str, Tuple[Tensor, Optional[Tensor]]]:
        """``prefix -> (positives, negatives)`` of ``split``: incidence of the held-out
        hyperedges (those with negatives) and of their ``eval_num_neg`` fixed
        negatives each, anchor-conditioned (negative ``p*K + k`` belongs to positive
        ``p``); prefix ``""`` is ``eval_sampler``'s protocol, ``"hard_"``
        ``hard_eval_sampler``'s."""
        check_option(split, "split", ("val", "test"), owner=type(self).__name__)
        return self._eval[split]

    @torch.no_grad()
    def evaluate(self, split: str) -> Dict[str, Any]:
        r"""AUC, AP and MRR of held-out true hyperedges vs the fixed sampled candidates,
        under each protocol (``auc``, ``ap``, ``mrr``; ``hard_auc``, ... for the hard one).

        MRR ranks each positive against its own ``eval_num_neg`` negatives, ties as the
        mean of the optimistic and pessimistic rank (chance :math:`H_{K+1}/(K+1)`)."""
        from graphneg.evaluation import ranking_metrics
        was = self.model.training
        self.model.eval()
        z = self.encode()
        out: Dict[str, Any] = {}
        for prefix, (pos, neg) in self.evaluation_sets(split).items():
            if neg is None or neg.numel() == 0:
                out.update({f"{prefix}auc": float("nan"), f"{prefix}ap": float("nan"),
                            f"{prefix}mrr": float("nan")})
                continue
            sp = self.score(z, pos)
            sn = self.score(z, neg).view(sp.numel(), self.eval_num_neg)
            m = ranking_metrics(sp, sn, ())
            out.update({f"{prefix}{k}": m[k] for k in ("auc", "ap", "mrr")})
        self.model.train(was)
        return out

    def embeddings(self) -> Tensor:
        """Node embeddings (eval mode, detached)."""
        self.model.eval()
        with torch.no_grad(), self.rng_scope():
            return self.encode()

    def extra_state(self) -> Dict[str, Any]:
        return {"sampler_rng": self.sampler.get_rng_state()}

    def load_extra_state(self, state: Dict[str, Any]) -> None:
        self.sampler.set_rng_state(state["sampler_rng"])


class _Negatives(NamedTuple):
    """The negatives of one training step, read back from the labelled data."""

    hyperedge_index: Tensor
    anchor: Tensor

    @property
    def num_negatives(self) -> int:
        return int(self.anchor.numel())


def _select(index: Tensor, ids: Tensor) -> Tensor:
    """Incidence of hyperedges ``ids`` renumbered ``0..len(ids)-1`` (in that order)."""
    m = int(hyperedge_sizes(index).numel())
    new = torch.full((m,), -1, dtype=torch.long)
    new[ids] = torch.arange(ids.numel())
    sel = new[index[1]] >= 0
    out = torch.stack([index[0, sel], new[index[1, sel]]])
    order = torch.from_numpy(np.lexsort((out[0].numpy(), out[1].numpy())))
    return out[:, order]


def _concat_hyperedges(parts) -> Tensor:
    out, offset = [], 0
    for p in parts:
        q = p.clone()
        q[1] += offset
        offset += int(hyperedge_sizes(p).numel())
        out.append(q)
    return torch.cat(out, 1)
