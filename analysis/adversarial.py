r"""Mode collapse of adversarial negative sampling (DESIGN.md §5, "Mode collapse").

A REINFORCE generator :math:`q_\theta(n \mid u)` trained against a discriminator tends
to concentrate on a few nodes that currently fool it (*mode collapse*). Three
indicators, read per epoch from the sampler's stats
(:class:`~graphneg.samplers.AdversarialNegativeSampler`):

* ``entropy`` — mean over anchors of :math:`H(q_\theta(\cdot \mid u))` (nats;
  :math:`\log |C(u)|` for a uniform generator);
* ``distinct_per_anchor`` — distinct negatives drawn per anchor;
* ``top_share`` — share of negatives drawn from the top-1% most frequent nodes.

:func:`collapse_experiment` trains a small link predictor (free node embeddings,
dot-product decoder, logistic loss — the discriminator) against the generator
under several settings (penalty :math:`\lambda`, entropy bonus :math:`\beta`) and
returns one row per setting and epoch; :func:`plot_collapse` draws an indicator
against the epoch.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor

from graphneg._random import Seed, as_generator, spawn_seed
from graphneg._validation import check_edge_index, check_int, check_num_nodes, check_real

from .plots import _axes

__all__ = ["DEFAULT_COLLAPSE_SETTINGS", "collapse_experiment", "plot_collapse"]

#: λ = 0 (collapse-prone) vs λ > 0, without and with an entropy bonus β. λ multiplies
#: the sum of squares of all N·d generator entries, so its useful range shrinks as N grows
#: (these values suit a few hundred nodes, d = 16).
DEFAULT_COLLAPSE_SETTINGS: Dict[str, Dict[str, float]] = {
    "λ=0": {"penalty": 0.0},
    "λ=3e-4": {"penalty": 3e-4},
    "β=0.2": {"entropy_bonus": 0.2},
    "λ=3e-4, β=0.2": {"penalty": 3e-4, "entropy_bonus": 0.2},
}


def collapse_experiment(edge_index: Tensor, num_nodes: Optional[int] = None, *,
                        settings: Optional[Mapping[str, Mapping[str, Any]]] = None,
                        epochs: int = 50, num_neg: int = 4, dim: int = 16,
                        disc_lr: float = 0.05, gen_lr: float = 0.05,
                        seed: Seed = None) -> pd.DataFrame:
    r"""Train a discriminator against an adversarial generator; record collapse per epoch.

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
        Training edges (positives; both directions for undirected graphs).
    num_nodes : int, optional
    settings : mapping name -> sampler kwargs, optional
        Extra :class:`~graphneg.samplers.AdversarialNegativeSampler` arguments per
        run (``penalty``, ``entropy_bonus``, ``num_candidates``...); default
        :data:`DEFAULT_COLLAPSE_SETTINGS`.
    epochs : int
        Full-batch steps (one discriminator step then one generator step each).
    num_neg : int
        Negatives per positive.
    dim : int
        Embedding size of the discriminator and the generator.
    disc_lr, gen_lr : float
        Adam learning rates.
    seed : int, torch.Generator or None
        Every setting starts from the same seed (same initial weights).

    Returns
    -------
    pandas.DataFrame
        Columns ``setting, epoch, disc_loss, reward_mean, entropy,
        distinct_per_anchor, top_share``.

    Notes
    -----
    Discriminator loss ``mean softplus(-s(u,v)) + mean softplus(s(u,n))`` with
    ``s = z_u · z_n``; the generator's reward is ``softplus(s(u, n))``. Cost per
    epoch ``O(E K d)`` plus the sampler's ``O(U m d)``.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    >>> df = collapse_experiment(ei, 8, epochs=2, seed=0)
    >>> df.shape
    (8, 7)
    """
    from graphneg.samplers.adversarial import AdversarialNegativeSampler

    owner = "collapse_experiment"
    edge_index = check_edge_index(edge_index, "edge_index", owner=owner)
    num_nodes = check_num_nodes(num_nodes, edge_index, owner=owner)
    epochs = check_int(epochs, "epochs", low=1, owner=owner)
    num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
    dim = check_int(dim, "dim", low=1, owner=owner)
    disc_lr = check_real(disc_lr, "disc_lr", low=0, closed="neither", owner=owner)
    gen_lr = check_real(gen_lr, "gen_lr", low=0, closed="neither", owner=owner)
    settings = DEFAULT_COLLAPSE_SETTINGS if settings is None else settings
    base_seed = spawn_seed(as_generator(seed))
    rows = []
    for name, kwargs in settings.items():
        gen = as_generator(base_seed)
        z = torch.nn.Parameter(torch.randn(num_nodes, dim, generator=gen) * 0.1)
        opt = torch.optim.Adam([z], lr=disc_lr)
        sampler = AdversarialNegativeSampler(num_neg, embedding_dim=dim, lr=gen_lr,
                                             seed=spawn_seed(gen), **dict(kwargs))
        for epoch in range(1, epochs + 1):
            neg = sampler.sample(edge_index, num_nodes)
            s_pos = (z[edge_index[0]] * z[edge_index[1]]).sum(1)
            s_neg = (z[neg[0]] * z[neg[1]]).sum(1)
            loss = F.softplus(-s_pos).mean() + F.softplus(s_neg).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            extra = sampler.last_stats.extra
            info = sampler.update(z=z.detach())
            rows.append({"setting": name, "epoch": epoch, "disc_loss": float(loss.detach()),
                         "reward_mean": info["reward_mean"], "entropy": extra["adv_entropy"],
                         "distinct_per_anchor": extra["adv_distinct_per_anchor"],
                         "top_share": extra["adv_top_share"]})
    return pd.DataFrame(rows)


def plot_collapse(records: pd.DataFrame, metric: str = "entropy", *, ax=None):
    """Plot a collapse indicator against the epoch, one line per setting.

    Parameters
    ----------
    records : DataFrame
        From :func:`collapse_experiment`.
    metric : {"entropy", "distinct_per_anchor", "top_share", "disc_loss", "reward_mean"}
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"setting": ["a", "a"], "epoch": [1, 2], "entropy": [2.0, 1.5]})
    >>> plot_collapse(df).get_ylabel()
    'generator entropy (nats)'
    """
    labels = {"entropy": "generator entropy (nats)",
              "distinct_per_anchor": "distinct negatives per anchor",
              "top_share": "share from top-1% nodes", "disc_loss": "discriminator loss",
              "reward_mean": "mean reward"}
    if metric not in labels or metric not in records:
        raise ValueError(f"The 'metric' parameter of plot_collapse must be one of "
                         f"{', '.join(repr(m) for m in labels if m in records)}. "
                         f"Got {metric!r} instead.")
    ax = _axes(ax, figsize=(5, 3.5))
    for name, grp in records.groupby("setting", sort=False):
        ax.plot(grp["epoch"], grp[metric], label=str(name))
    ax.set_xlabel("epoch")
    ax.set_ylabel(labels[metric])
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax
