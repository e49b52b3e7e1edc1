r"""Adversarial negatives (KBGAN / IRGAN): a generator trained by REINFORCE.

Concepts
--------
A **generator** with its own node embeddings :math:`\theta \in \mathbb{R}^{N \times d}`
proposes negatives for an anchor :math:`u` from a candidate set :math:`S(u)`
(``num_candidates`` uniform draws per anchor and call, with replacement, or all
nodes when ``num_candidates=None``):

.. math::

    q_\theta(n \mid u) \propto \sum_{j : S_j(u) = n} \exp(\theta_u \cdot \theta_n / \tau)\,
    \mathbb{1}[n \in C(u)],

restricted to the valid set :math:`C(u)` of :mod:`graphneg.samplers.base` (uniform
over :math:`C(u)` if no candidate of :math:`S(u)` is valid; counted as
``adv_fallback_anchors`` and left out of the generator update). The
**discriminator** is the link-prediction model: its loss on a sampled negative,
:math:`r(u, n) = -\log \sigma(-s_D(u, n))`, is the generator's reward, and the
generator maximises :math:`J(\theta) = E_{n \sim q_\theta}[r(u, n)]` with
REINFORCE (Williams, 1992):

.. math::

    \nabla_\theta J \approx \frac{1}{S} \sum_{i=1}^{S} (r_i - b)\,
    \nabla_\theta \log q_\theta(n_i \mid u_i),

unbiased for any baseline :math:`b` independent of the current draws (here an
exponential moving average of past mean rewards). The generator minimises

.. math::

    \mathcal{L}_G = -\frac{1}{S}\sum_i (r_i - b) \log q_\theta(n_i \mid u_i)
                    + \lambda \|\theta\|_2^2 - \beta\, \bar H,
    \qquad \bar H = \text{mean}_u\, H(q_\theta(\cdot \mid u)),

with penalty :math:`\lambda \ge 0` (``docs/design.md``) and an optional entropy bonus
:math:`\beta \ge 0` against mode collapse.

Trainer protocol
----------------
1. ``neg = sampler.sample(edge_index, N, pos_edge_index=pos)`` (or the transform);
   the sampler remembers this draw (the *episode*).
2. The trainer takes its discriminator step on ``pos`` and ``neg``.
3. ``sampler.update(z=z_disc)`` (reward ``softplus(z_u · z_n)`` of the dot-product
   decoder) or ``sampler.update(reward)`` with the discriminator's per-negative loss,
   shape ``(P * K,)``, in the order of ``neg``. One Adam step on :math:`\theta`;
   the episode is consumed.

A trainer that only calls the generic hook ``on_epoch_start(z=..., epoch=...,
step=...)`` before sampling (as :class:`graphneg.training.LinkPredictionTrainer`
does) gets step 3 automatically (``auto_update=True``): the hook updates the
generator on the *previous* episode with the reward of the current discriminator
embeddings (one step of lag; the dot-product decoder is assumed). An explicit
:meth:`update` consumes the episode first, so nothing is applied twice. The
update's ``generator_loss``, ``reward_mean`` and ``baseline`` appear in the next
call's stats as ``adv_*``.

Per-call mode-collapse indicators are in ``last_stats.extra`` (``adv_entropy``,
``adv_distinct_per_anchor``, ``adv_top_share``); :func:`collapse_stats` computes
the last two for any negatives.

Cost: with ``num_candidates=m`` a call costs ``O(U m d)`` for ``U`` distinct
anchors, plus the base's validity checks ``O(U m log E)``; an update costs the same
again. With ``num_candidates=None`` (all nodes) the proposal is the exact chunked
softmax of :class:`~graphneg.samplers.score_aware.SoftmaxNegativeSampler` with
``z = θ``: blocks of anchors x candidates, the anchor and its known partners masked,
memory ``O(rows x block + N d)``, never a ``(U, N)`` table. Its first pass also
gives, per anchor, :math:`\log Z_u` and the mean logit
:math:`\bar\ell_u = E_q[\theta_u \cdot \theta_n / \tau]`, so
:math:`H_u = \log Z_u - \bar\ell_u`; the update's backward pass recomputes the
blocks once for

.. math::

    \frac{\partial \mathcal{L}_G}{\partial \ell_{un}} \Big|_{\log Z, H}
    = q(n \mid u)\,\Big(\frac{\partial \mathcal{L}_G}{\partial \log Z_u}
      - \frac{\partial \mathcal{L}_G}{\partial H_u}\,(\ell_{un} - \bar\ell_u)\Big),

``O(U N d)`` time for a call and for an update, memory as above.

References
----------
Cai & Wang, *KBGAN: Adversarial Learning for Knowledge Graph Embeddings*, NAACL 2018.
Wang et al., *IRGAN*, SIGIR 2017.
"""
from __future__ import annotations

import copy
import math
from numbers import Integral, Real
from typing import Any, Dict, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Boolean, Interval, check_embeddings, check_int, check_real
from graphneg.samplers.base import SamplingContext
from graphneg.samplers.score_aware import (
    block_shape,
    chunked_softmax_draw,
    masked_block,
    softmax_exclusions,
)
from graphneg.samplers.tables import TableSampler

__all__ = ["AdversarialNegativeSampler", "collapse_stats", "negative_reward"]


def negative_reward(z: Tensor, neg_edge_index: Tensor) -> Tensor:
    r"""The discriminator's loss on each negative, ``-log σ(-z_u · z_n) = softplus(z_u · z_n)``.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
        Discriminator embeddings (detached).
    neg_edge_index : LongTensor, shape (2, M)

    Returns
    -------
    Tensor, shape (M,)

    Examples
    --------
    >>> z = torch.tensor([[1.0], [0.0]])
    >>> round(float(negative_reward(z, torch.tensor([[0], [1]]))[0]), 4)  # log 2
    0.6931
    """
    z = check_embeddings(z, "z", owner="negative_reward").detach()
    return F.softplus((z[neg_edge_index[0]] * z[neg_edge_index[1]]).sum(1))


def collapse_stats(neg_edge_index: Tensor, num_nodes: int, *,
                   top_ratio: float = 0.01) -> Dict[str, float]:
    r"""Mode-collapse indicators of a batch of negatives.

    Parameters
    ----------
    neg_edge_index : LongTensor, shape (2, M)
        ``(anchor, negative)`` pairs.
    num_nodes : int
    top_ratio : float in (0, 1], default 0.01
        The "most frequent" nodes are the ``ceil(top_ratio · N)`` nodes drawn most often.

    Returns
    -------
    dict
        ``distinct_per_anchor``: mean over anchors of the number of distinct
        negatives drawn for it; ``top_share``: share of the ``M`` negatives that are
        among the most frequent nodes.

    Notes
    -----
    Cost ``O(M log M)``. Uniform sampling gives ``top_share ≈ top_ratio``; a
    collapsed generator gives ``top_share → 1``.

    Examples
    --------
    >>> neg = torch.tensor([[0, 0, 1, 1], [2, 2, 2, 3]])
    >>> collapse_stats(neg, 100)
    {'distinct_per_anchor': 1.5, 'top_share': 0.75}
    """
    owner = "collapse_stats"
    num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
    top_ratio = check_real(top_ratio, "top_ratio", low=0, high=1, closed="right", owner=owner)
    if neg_edge_index.numel() == 0:
        return {"distinct_per_anchor": float("nan"), "top_share": float("nan")}
    pairs = torch.unique(neg_edge_index[0] * num_nodes + neg_edge_index[1])
    per_anchor = torch.bincount(torch.div(pairs, num_nodes, rounding_mode="floor"),
                                minlength=num_nodes)
    distinct = float(per_anchor[per_anchor > 0].double().mean())
    counts = torch.bincount(neg_edge_index[1], minlength=num_nodes)
    top = max(1, math.ceil(top_ratio * num_nodes))
    share = float(counts.topk(top).values.sum()) / neg_edge_index.size(1)
    return {"distinct_per_anchor": distinct, "top_share": share}


class AdversarialNegativeSampler(TableSampler, name="adversarial"):
    r"""Negatives from a generator ``q_θ(n|u)`` trained by REINFORCE against the model.

    .. math::

        q_\theta(n \mid u) \propto \exp(\theta_u \cdot \theta_n / \tau)
        \text{ over } S(u) \cap C(u)

    Parameters
    ----------
    num_neg : int, default 1
    embedding_dim : int, default 16
        ``d`` of the generator embeddings ``θ`` (created on the first call,
        ``N(0, init_std²)`` from the sampler's generator).
    num_candidates : int or None, default None
        ``|S(u)|``: uniform candidates per anchor and call; ``None`` = all nodes
        (exact softmax over :math:`C(u)`, chunked: memory ``O(rows x block + N d)``).
    temperature : float > 0, default 1.0
    penalty : float >= 0, default 0.0
        ``λ`` of ``λ‖θ‖²``.
    entropy_bonus : float >= 0, default 0.0
        ``β`` of ``-β H̄``.
    lr : float > 0, default 0.01
        Adam learning rate of the generator.
    baseline_decay : float in [0, 1) or None, default 0.9
        EMA decay of the reward baseline (starts at 0); ``None``: no baseline.
    init_std : float > 0, default 0.1
    auto_update : bool, default True
        Let :meth:`on_epoch_start` update the generator on the previous episode.
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    See the module docstring for the objective, the update and the trainer protocol
    (:meth:`update` after each discriminator step). The sampling distribution is
    exact given ``θ`` and ``S(u)`` (checked by enumeration in the tests).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 2, 3], [1, 0, 3, 2]])
    >>> s = AdversarialNegativeSampler(2, embedding_dim=4, seed=0)
    >>> neg = s.sample(ei, 6)
    >>> info = s.update(torch.rand(neg.size(1), generator=torch.Generator().manual_seed(0)))
    >>> sorted(info)
    ['baseline', 'entropy', 'generator_loss', 'penalty', 'reward_mean']
    """

    weighted = True
    requires = ()
    #: rows with no valid candidate in ``S(u)`` fall back to uniform over ``C(u)``
    min_valid = 1
    #: rows of ``num_candidates`` entries are drawn with torch.multinomial, as before the
    #: table base (same seeds, same negatives); rows over every node
    #: (``num_candidates=None``) on batched graphs (``group``) by one uniform per slot
    #: and an inverse-CDF step, the same law (set per instance); otherwise
    #: ``num_candidates=None`` draws through the chunked softmax, no table
    row_draw = "multinomial"
    #: Trainers call :meth:`update` after each discriminator step.
    trainable = True

    _parameter_constraints = {
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "num_candidates": [Interval(Integral, 1, None, closed="left"), None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "penalty": [Interval(Real, 0, None, closed="left")],
        "entropy_bonus": [Interval(Real, 0, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "baseline_decay": [Interval(Real, 0, 1, closed="left"), None],
        "init_std": [Interval(Real, 0, None, closed="neither")],
        "auto_update": [Boolean()],
    }

    def __init__(self, num_neg: int = 1, *, embedding_dim: int = 16,
                 num_candidates: Optional[int] = None, temperature: float = 1.0,
                 penalty: float = 0.0, entropy_bonus: float = 0.0, lr: float = 0.01,
                 baseline_decay: Optional[float] = 0.9, init_std: float = 0.1,
                 auto_update: bool = True, seed: Seed = None, on_impossible: str = "raise",
                 mode: str = "per_anchor", directed: bool = False, fallback_ratio: float = 0.1,
                 max_rounds: int = 32):
        self._init_params(locals())

    def _setup(self) -> None:
        super()._setup()
        self._last_update: Dict[str, float] = {}
        self.theta: Optional[torch.nn.Parameter] = None
        self.optimizer: Optional[torch.optim.Optimizer] = None
        self.baseline = 0.0
        self.num_updates = 0
        self._ctx: Optional[SamplingContext] = None
        self._episode: Optional[Dict[str, Tensor]] = None
        #: (id, in-place version) of ``theta`` when the episode's log Z and mean logits
        #: were computed: they are reused by the loss while ``theta`` is unchanged
        self._episode_theta: Optional[Tuple[int, int]] = None
        if self.num_candidates is None:  # rows over every node: see ``row_draw``
            self.row_draw = "inverse_cdf"

    # ---------------------------------------------------------------- generator
    def _ensure_theta(self, num_nodes: int) -> None:
        if self.theta is None:
            init = torch.randn(num_nodes, self.embedding_dim, generator=self.generator)
            self.theta = torch.nn.Parameter(init * self.init_std)
            self.optimizer = torch.optim.Adam([self.theta], lr=self.lr)
        elif self.theta.size(0) != num_nodes:
            raise ValueError(f"{type(self).__name__}: the generator was built for "
                             f"{self.theta.size(0)} nodes but the graph has {num_nodes}.")

    def _check_context(self, ctx: SamplingContext) -> None:
        self._ensure_theta(ctx.num_nodes)
        self._ctx = ctx

    def _candidates(self, anchors: Tensor, ctx: SamplingContext) -> Tensor:
        """``S(u)`` for ``anchors`` ``(U,)``: ``(U, m)`` ids, fixed within one call."""
        n = ctx.num_nodes
        pool = ctx.candidates if ctx.candidates is not None else None
        size = n if pool is None else pool.numel()
        if self.num_candidates is None:
            ids = torch.arange(n) if pool is None else pool
            return ids.unsqueeze(0).expand(anchors.numel(), -1)
        c = self.num_candidates
        table = ctx.cached("adversarial:candidates",
                           lambda: torch.full((n, c), -2, dtype=torch.long))
        missing = torch.unique(anchors[table[anchors, 0] == -2])
        if missing.numel():
            draw = torch.randint(size, (missing.numel(), c), generator=self.generator)
            table[missing] = draw if pool is None else pool[draw]
        return table[anchors]

    def _logits(self, anchors: Tensor, idx: Tensor) -> Tensor:
        """``θ_u · θ_c / T`` for every anchor row and candidate column, shape ``(A, C)``.

        A table whose rows are all the same candidates (``num_candidates=None``: an
        expanded view) is one matrix product, ``O(A C d)`` time and ``O(A C)`` memory;
        per-row candidates gather ``(A, C, d)``."""
        th = self.theta
        shared = idx.dim() == 2 and idx.size(0) > 1 and (
            idx.stride(0) == 0 or (self.num_candidates is None
                                   and torch.equal(idx[1:], idx[:1].expand(idx.size(0) - 1, -1))))
        if shared:
            return (th[anchors] @ th[idx[0].clamp_min(0)].T) / self.temperature
        return (th[anchors].unsqueeze(1) * th[idx.clamp_min(0)]).sum(-1) / self.temperature

    def _candidate_table(self, anchors: Tensor, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        idx = self._candidates(anchors, ctx)
        with torch.no_grad():
            return idx, self._logits(anchors, idx).double()

    def _chunked(self, ctx: SamplingContext) -> bool:
        """Whether this call draws through the chunked softmax (every node a
        candidate, one graph) rather than candidate tables."""
        return self.num_candidates is None and ctx.group is None

    def _call_cache(self, ctx: SamplingContext) -> Tuple[Tensor, Tensor]:
        """This call's float64 ``θ`` ``(N, d)`` and per-node ``(log Z_u, mean logit)``
        ``(N, 2)`` (NaN until an anchor's softmax rows were visited)."""
        theta = ctx.cached("adversarial:theta", lambda: self.theta.detach().double())
        moments = ctx.cached("adversarial:moments", lambda: torch.full(
            (ctx.num_nodes, 2), float("nan"), dtype=torch.double))
        return theta, moments

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        if not self._chunked(ctx):
            return super()._propose(anchors, generator, ctx)
        theta, moments = self._call_cache(ctx)

        def keep(a: Tensor, stats: Tensor) -> None:  # log Z and mean logit, per anchor
            moments[a] = _combine_blocks(stats)

        return chunked_softmax_draw(anchors, theta, _Scale(self.temperature), generator, ctx,
                                    reduce=_block_moments, on_rows=keep)

    def _chunked_episode(self, uniq: Tensor, ctx: SamplingContext) -> Dict[str, Tensor]:
        """The episode's softmax rows without a table: the candidate pool, the masked
        pairs and, per anchor, ``log Z_u`` and the mean logit (from the proposal's
        first pass, computed here for anchors it did not see)."""
        ex_row, ex_col = softmax_exclusions(uniq, ctx)
        rows = _SoftmaxRows(uniq, ctx.candidate_pool, torch.from_numpy(ex_row),
                            torch.from_numpy(ex_col), self.temperature)
        theta, moments = self._call_cache(ctx)
        moments = moments[uniq]
        missing = torch.isnan(moments[:, 0])
        if bool(missing.any()):
            moments[missing] = rows.subset(missing).moments(theta)
        self._episode_theta = (id(self.theta), self.theta._version)
        return {"pool": rows.pool, "ex_row": rows.ex_row, "ex_col": rows.ex_col,
                "log_z": moments[:, 0].clone(), "mean_logit": moments[:, 1].clone(),
                "fallback": torch.isneginf(moments[:, 0])}

    # ------------------------------------------------------------------ sampling
    def sample(self, edge_index: Tensor, num_nodes: Optional[int] = None, **kwargs: Any):
        """Draw negatives (see :meth:`NegativeSampler.sample`) and remember the episode
        for :meth:`update`; adds ``adv_*`` collapse indicators to ``last_stats.extra``."""
        out = super().sample(edge_index, num_nodes, **kwargs)
        neg = out[0] if isinstance(out, tuple) else out
        ctx = self._ctx
        self._ctx = None
        if ctx is None:       # the inner call of the bipartite / device face recorded it
            return out
        if neg.size(1) == 0:  # an empty split: no episode to learn from
            self._episode = None
            return out
        uniq, row = torch.unique(neg[0], return_inverse=True)
        extra = self.last_stats.extra
        extra.update({f"adv_{k}": v for k, v in collapse_stats(neg, ctx.num_nodes).items()})
        if self._chunked(ctx):
            chunked = self._chunked_episode(uniq, ctx)
            fallback = chunked["fallback"]
            ent = (chunked["log_z"] - chunked["mean_logit"])[~fallback]
            self._episode = {"anchors": uniq, "row": row, "neg": neg[1].clone(), **chunked}
            table_stats = {"adv_fallback_anchors": ctx.num_fallback_anchors,
                           "adv_valid_candidates_mean":
                               float(ctx.num_valid[uniq].double().mean())}
        else:
            idx, logw, fallback = self._table_rows(uniq, ctx)
            valid = torch.isfinite(logw)
            self._episode = {"anchors": uniq, "row": row, "neg": neg[1].clone(), "idx": idx,
                             "valid": valid, "fallback": fallback}
            ent = _entropy(logw[~fallback]) if bool((~fallback).any()) else torch.zeros(0)
            table_stats = self._table_stats(ctx, "adv")
        extra["adv_entropy"] = float(ent.mean()) if ent.numel() else float("nan")
        extra.update(table_stats)
        for key in ("generator_loss", "reward_mean", "baseline"):  # last update, if any
            extra[f"adv_{key}"] = self._last_update.get(key, float("nan"))
        self._last_update = {}
        return out

    def on_epoch_start(self, *, z: Optional[Tensor] = None, epoch: Optional[int] = None,
                       step: Optional[int] = None) -> bool:
        """Trainer hook: REINFORCE step on the previous episode with reward
        ``softplus(z_u · z_n)`` from the current discriminator embeddings ``z``.

        Returns
        -------
        bool
            Whether the generator was updated (``auto_update``, ``z`` given and an
            unconsumed episode).
        """
        if not self.auto_update or z is None or self._episode is None:
            return False
        self.update(z=z)
        return True

    # -------------------------------------------------------------------- update
    def generator_loss(self, reward: Tensor, *, baseline: Optional[float] = None
                       ) -> Tuple[Tensor, Dict[str, float]]:
        r"""The generator's loss ``L_G`` on the last episode (differentiable in ``θ``).

        Parameters
        ----------
        reward : FloatTensor, shape (S,)
            One reward per negative of the last :meth:`sample` call, in its order.
        baseline : float, optional
            ``b``; default the sampler's running baseline.

        Returns
        -------
        loss : Tensor, scalar
            ``-mean_i (r_i - b) log q_θ(n_i|u_i) + λ‖θ‖² - β H̄`` over the negatives whose
            anchor did not fall back to uniform.
        info : dict
            ``generator_loss``, ``reward_mean``, ``baseline``, ``entropy``, ``penalty``.
        """
        owner = type(self).__name__
        ep = self._episode
        if ep is None:
            raise ValueError(f"{owner}: no episode to learn from; call sample() before "
                             f"update() / generator_loss().")
        if (not isinstance(reward, Tensor) or not reward.is_floating_point()
                or reward.shape != ep["neg"].shape):
            raise ValueError(f"The 'reward' parameter of {owner} must be a float tensor of "
                             f"shape {tuple(ep['neg'].shape)} (one per sampled negative). Got "
                             f"{getattr(reward, 'dtype', type(reward).__name__)} of shape "
                             f"{tuple(getattr(reward, 'shape', ()))} instead.")
        if not bool(torch.isfinite(reward).all()):
            raise ValueError(f"The 'reward' parameter of {owner} must be finite (no NaN or inf).")
        b = self.baseline if baseline is None else check_real(baseline, "baseline", owner=owner)
        anchors, row = ep["anchors"], ep["row"]
        keep = ~ep["fallback"]
        pos = torch.cumsum(keep, 0) - 1
        use = keep[row]
        r_rows = pos[row[use]]
        neg = ep["neg"][use]
        if "pool" in ep:     # chunked softmax rows: log Z and H by a custom backward
            theta = self.theta.double()
            log_z, ent = self._chunked_log_z_entropy(keep)
            logit = (theta[anchors[keep][r_rows]] * theta[neg]).sum(1) / self.temperature
            log_q = logit - log_z[r_rows]
        else:
            idx, valid = ep["idx"], ep["valid"]
            logits = self._logits(anchors, idx).masked_fill(~valid, float("-inf"))
            log_z = torch.logsumexp(logits[keep], 1)
            log_q = (self._log_q(logits[keep], idx[keep], valid[keep], r_rows, neg)
                     - log_z[r_rows])
            ent = _entropy(logits[keep])
        adv = (reward.detach()[use].to(log_q.dtype) - b)
        pg = -(adv * log_q).mean() if use.any() else log_q.sum() * 0.0
        ent_mean = ent.mean() if ent.numel() else torch.zeros(())
        pen = self.theta.pow(2).sum()
        loss = pg + self.penalty * pen - self.entropy_bonus * ent_mean
        info = {"generator_loss": float(loss.detach()), "reward_mean": float(reward.mean()),
                "baseline": float(b), "entropy": float(ent_mean.detach()),
                "penalty": float(pen.detach())}
        return loss, info

    def _chunked_log_z_entropy(self, keep: Tensor) -> Tuple[Tensor, Tensor]:
        """``(log Z_u, H_u)`` of the episode's anchors where ``keep``, differentiable in
        ``θ`` (:class:`_LogPartition`); the values of the sampling pass while ``θ`` is
        unchanged since, recomputed otherwise."""
        ep = self._episode
        rows = _SoftmaxRows(ep["anchors"], ep["pool"], ep["ex_row"], ep["ex_col"],
                            self.temperature).subset(keep)
        if self._episode_theta == (id(self.theta), self.theta._version):
            moments = torch.stack([ep["log_z"][keep], ep["mean_logit"][keep]], 1)
        else:
            moments = rows.moments(self.theta.detach().double())
        return _LogPartition.apply(self.theta, rows, moments)

    @staticmethod
    def _log_q(logits: Tensor, ids: Tensor, valid: Tensor, rows: Tensor, neg: Tensor) -> Tensor:
        """``log Σ_{j: ids[r, j] = n} exp(logits[r, j])`` per draw ``(r, n)``, unnormalised.

        Rows over (nearly) every node whose valid ids are distinct read one entry per
        draw through an ``(R, N)`` column map: ``O(R W + S)``; otherwise (short rows,
        repeated ids) the draws' rows are masked and reduced, ``O(S W)``.
        """
        num_nodes = 1 + max(int(ids.max()), int(neg.max())) if neg.numel() else 0
        fast = 0 < num_nodes <= 2 * ids.size(1)
        if fast:
            key = torch.where(valid, ids, num_nodes + torch.arange(ids.size(1)).view(1, -1))
            srt = key.sort(1).values
            fast = not bool((srt[:, 1:] == srt[:, :-1]).any())
        if fast:
            col = torch.full((ids.size(0), num_nodes + 1), -1, dtype=torch.long)
            col.scatter_(1, key.clamp_max(num_nodes), torch.arange(ids.size(1)).expand_as(ids))
            c = col[rows, neg]
            # a drawn negative is a valid entry of its row (c >= 0); -inf otherwise
            out = logits[rows, c.clamp_min(0)]
            return out.masked_fill(c < 0, float("-inf"))
        match = (ids[rows] == neg.view(-1, 1)) & valid[rows]
        return torch.logsumexp(logits[rows].masked_fill(~match, float("-inf")), 1)

    def update(self, reward: Optional[Tensor] = None, *,
               z: Optional[Tensor] = None) -> Dict[str, float]:
        r"""One REINFORCE step of the generator on the last episode.

        Parameters
        ----------
        reward : FloatTensor, shape (S,), optional
            The discriminator's loss on each sampled negative.
        z : FloatTensor, shape (N, d), optional
            Discriminator embeddings; the reward is then
            :func:`negative_reward` ``= softplus(z_u · z_n)``.

        Returns
        -------
        dict
            See :meth:`generator_loss`.
        """
        owner = type(self).__name__
        if (reward is None) == (z is None):
            raise ValueError(f"{owner}.update needs exactly one of 'reward' (shape (S,)) or "
                             f"'z' (discriminator embeddings).")
        if reward is None:
            if self._episode is None:
                raise ValueError(f"{owner}: no episode to learn from; call sample() before "
                                 f"update().")
            z = check_embeddings(z, "z", num_rows=self.theta.size(0), owner=owner)
            ep = self._episode
            reward = negative_reward(z, torch.stack([ep["anchors"][ep["row"]], ep["neg"]]))
        loss, info = self.generator_loss(reward)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        if self.baseline_decay is not None:
            self.baseline = (self.baseline_decay * self.baseline
                             + (1 - self.baseline_decay) * info["reward_mean"])
        self.num_updates += 1
        self._episode = None  # consumed: a later hook call does not apply it again
        self._last_update = info
        return info

    def state_dict(self) -> Dict[str, Any]:
        """Generator weights, optimiser state, baseline and the pending episode
        (for checkpoints; plain tensors and numbers, ``torch.load(weights_only=True)``-safe)."""
        return {"theta": None if self.theta is None else self.theta.detach().clone(),
                "optimizer": (None if self.optimizer is None
                              else copy.deepcopy(self.optimizer.state_dict())),
                "baseline": self.baseline, "num_updates": self.num_updates,
                "episode": (None if self._episode is None
                            else {k: v.clone() for k, v in self._episode.items()}),
                "last_update": dict(self._last_update)}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved."""
        self.theta, self.optimizer = None, None
        if state["theta"] is not None:
            self.theta = torch.nn.Parameter(state["theta"].clone())
            self.optimizer = torch.optim.Adam([self.theta], lr=self.lr)
            if state["optimizer"] is not None:
                self.optimizer.load_state_dict(state["optimizer"])
        self.baseline, self.num_updates = float(state["baseline"]), int(state["num_updates"])
        episode = state.get("episode")
        self._episode = None if episode is None else {k: v.clone() for k, v in episode.items()}
        # a pending episode was drawn with the saved theta: its log Z stays valid
        self._episode_theta = (None if self.theta is None
                               else (id(self.theta), self.theta._version))
        self._last_update = dict(state.get("last_update") or {})


def _entropy(logits: Tensor) -> Tensor:
    """Entropy of ``softmax(logits)`` per row (``-inf`` logits = excluded)."""
    logp = torch.log_softmax(logits, 1)
    p = logp.exp()
    return -(p * logp.masked_fill(p == 0, 0.0)).sum(1)


class _Scale:
    """Scores to logits ``s / τ``, in place on the fresh block (identity at ``τ = 1``)."""

    def __init__(self, temperature: float):
        self.temperature = temperature

    def __call__(self, scores: Tensor) -> Tensor:
        return scores if self.temperature == 1 else scores.div_(self.temperature)


def _block_moments(logits: Tensor) -> Tensor:
    """Per row of one block of logits ``(R, C)`` (``-inf`` = excluded; overwritten):
    its log-mass ``logsumexp`` and its mean logit under the block's softmax, shape
    ``(R, 2)``, one exponential per entry."""
    top = logits.amax(1, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    shifted = logits.sub_(top).clamp_(min=-1e300)     # excluded: finite, weight exp = 0
    w = torch.exp(shifted)
    mass = w.sum(1)
    r, c = w.shape
    dot = torch.bmm(w.view(r, 1, c), shifted.view(r, c, 1)).view(-1)   # row dot products
    mean = dot / mass.clamp_min(1e-300) + top.view(-1)
    return torch.stack([mass.log() + top.view(-1), mean], 1)


def _combine_blocks(stats: Tensor) -> Tensor:
    r"""Per-block ``(log-mass, mean logit)`` ``(R, B, 2)`` to the row's
    ``(log Z, mean logit)`` ``(R, 2)``: :math:`\log Z = \operatorname{logsumexp}_j
    \lambda_j`, :math:`\bar\ell = \sum_j e^{\lambda_j - \log Z} \bar\ell_j`."""
    log_z = torch.logsumexp(stats[..., 0], 1)
    share = torch.exp(stats[..., 0] - torch.where(torch.isfinite(log_z), log_z,
                                                  torch.zeros_like(log_z)).view(-1, 1))
    return torch.stack([log_z, (share * stats[..., 1]).sum(1)], 1)


class _SoftmaxRows:
    r"""The generator's softmax rows of anchors over the candidate pool less the
    masked pairs, visited in blocks (memory ``O(rows x block)``, never ``(U, N)``).

    Parameters
    ----------
    anchors : LongTensor, shape (U,)
    pool : LongTensor, shape (C,)
        Candidate ids.
    ex_row, ex_col : LongTensor, shape (X,)
        Masked pairs (row in ``anchors``, position in ``pool``), sorted by position
        (:func:`~graphneg.samplers.score_aware.softmax_exclusions`).
    temperature : float
    """

    def __init__(self, anchors: Tensor, pool: Tensor, ex_row: Tensor, ex_col: Tensor,
                 temperature: float):
        self.anchors, self.pool = anchors, pool
        self.ex_row, self.ex_col = ex_row, ex_col
        self.temperature = temperature

    def subset(self, keep: Tensor) -> "_SoftmaxRows":
        """The rows where ``keep`` ``(U,)`` is True."""
        if bool(keep.all()):
            return self
        pos = torch.cumsum(keep, 0) - 1
        sel = keep[self.ex_row]
        return _SoftmaxRows(self.anchors[keep], self.pool, pos[self.ex_row[sel]],
                            self.ex_col[sel], self.temperature)

    def _blocks(self, theta: Tensor):
        """``(lo, rows, c0, ids, logits)`` for every block: rows ``lo:lo + rows`` of the
        anchors x the candidates ``ids`` at pool positions ``c0, ...``, masked logits
        ``(rows, len(ids))`` in float64."""
        num = self.anchors.numel()
        rows, cols = block_shape(num)
        # masked pairs grouped by block of rows, by position inside each: O(X log X) once
        ex_row, ex_col = self.ex_row.numpy(), self.ex_col.numpy()
        group = ex_row // rows
        order = np.lexsort((ex_col, group))
        ex_row, ex_col = ex_row[order], ex_col[order]
        bounds = np.searchsorted(group[order], np.arange(0, num // rows + 2))
        for b, lo in enumerate(range(0, num, rows)):
            i0, i1 = bounds[b], bounds[b + 1]
            ex = (ex_row[i0:i1] - lo, ex_col[i0:i1])
            za = theta[self.anchors[lo:lo + rows]]
            for c0 in range(0, self.pool.numel(), cols):
                ids = self.pool[c0:c0 + cols]
                yield lo, za.size(0), c0, ids, masked_block(_Scale(self.temperature), za,
                                                          theta[ids], c0, ex)

    def moments(self, theta: Tensor) -> Tensor:
        """``(log Z_u, mean logit)`` per row, shape ``(U, 2)``, one pass."""
        out = torch.empty(self.anchors.numel(), 2, dtype=torch.double)
        parts: list = []
        for lo, rows, c0, _, logits in self._blocks(theta):
            if c0 == 0 and parts:
                out[lo - parts[0].size(0):lo] = _combine_blocks(torch.stack(parts, 1))
                parts = []
            parts.append(_block_moments(logits))
        if parts:
            out[out.size(0) - parts[0].size(0):] = _combine_blocks(torch.stack(parts, 1))
        return out

    def grad(self, theta: Tensor, moments: Tensor, g_log_z: Tensor, g_ent: Tensor) -> Tensor:
        r"""Gradient in ``θ`` ``(N, d)`` of :math:`\sum_u a_u \log Z_u + b_u H_u`
        (``a = g_log_z``, ``b = g_ent``): per block
        :math:`g_{un} = q_{un}(a_u - b_u(\ell_{un} - \bar\ell_u))`, then
        :math:`\nabla_{\theta_u} \mathrel{+}= g \theta_n / \tau` and
        :math:`\nabla_{\theta_n} \mathrel{+}= g^\top \theta_u / \tau`; one pass."""
        out = torch.zeros_like(theta)
        with_entropy = bool(g_ent.any())
        for lo, rows, _, ids, logits in self._blocks(theta):
            log_z, mean = moments[lo:lo + rows, 0:1], moments[lo:lo + rows, 1:2]
            log_q = logits.sub_(log_z)
            coef = g_log_z[lo:lo + rows].view(-1, 1)
            if with_entropy:   # l - mean; below -1e30 only where q = 0 (log Z >= mean)
                coef = coef - g_ent[lo:lo + rows].view(-1, 1) * (log_q + (log_z - mean)
                                                                 ).clamp_(min=-1e30)
            g = log_q.exp_().mul_(coef)                          # q, 0 on excluded pairs
            a = self.anchors[lo:lo + rows]
            out.index_add_(0, a, g @ theta[ids] / self.temperature)
            out.index_add_(0, ids, g.t() @ theta[a] / self.temperature)
        return out


class _LogPartition(torch.autograd.Function):
    """``(log Z_u, H_u)`` of :class:`_SoftmaxRows` from precomputed moments, with the
    blockwise backward of :meth:`_SoftmaxRows.grad` (no ``(U, N)`` graph kept)."""

    @staticmethod
    def forward(ctx: Any, theta: Tensor, rows: _SoftmaxRows, moments: Tensor
                ) -> Tuple[Tensor, Tensor]:
        ctx.save_for_backward(theta)
        ctx.rows, ctx.moments = rows, moments
        return moments[:, 0].clone(), moments[:, 0] - moments[:, 1]

    @staticmethod
    def backward(ctx: Any, g_log_z: Tensor, g_ent: Tensor):
        theta, = ctx.saved_tensors
        grad = ctx.rows.grad(theta.detach().double(), ctx.moments,
                             g_log_z.double(), g_ent.double())
        return grad.to(theta.dtype), None, None
