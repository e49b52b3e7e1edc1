r"""Mode collapse of adversarial negative sampling (``docs/design.md``, "Mode collapse").

A REINFORCE generator :math:`q_\theta(n \mid u)` trained against a discriminator tends
to concentrate on a few nodes that currently fool it (*mode collapse*). Three
indicators, read per epoch from the sampler's stats
(:class:`~graphneg.samplers.AdversarialNegativeSampler`):

* ``entropy`` — mean over anchors of :math:`H(q_\theta(\cdot \mid u))` (nats;
  :math:`\log |C(u)|` for a uniform generator);
* ``distinct_per_anchor`` — distinct negatives drawn per anchor;
* ``top_share`` — share of negatives drawn from the top-1% most frequent nodes.

:func:`~graphneg.analysis.studies.adversarial.collapse_experiment` (re-exported
here) trains a small link predictor (free node embeddings, dot-product decoder,
logistic loss — the discriminator) against the generator under several settings
(penalty :math:`\lambda`, entropy bonus :math:`\beta`) and returns one row per
setting and epoch; :func:`plot_collapse` draws an indicator against the epoch.
"""
from __future__ import annotations

from typing import Dict

import pandas as pd

from .plots import _axes
from .studies.adversarial import DEFAULT_COLLAPSE_SETTINGS, collapse_experiment

__all__ = ["DEFAULT_COLLAPSE_SETTINGS", "collapse_experiment", "plot_collapse",
           "COLLAPSE_LABELS"]

#: Axis label of each collapse indicator (and of the discriminator's loss and reward).
COLLAPSE_LABELS: Dict[str, str] = {
    "entropy": "generator entropy (nats)",
    "distinct_per_anchor": "distinct negatives per anchor",
    "top_share": "share from top-1% nodes", "disc_loss": "discriminator loss",
    "reward_mean": "mean reward",
}


def plot_collapse(records: pd.DataFrame, metric: str = "entropy", *, ax=None):
    """Plot a collapse indicator against the epoch, one line per setting (the mean over
    seeds, with a ± sd band when ``records`` has several seeds).

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
    labels = COLLAPSE_LABELS
    if metric not in labels or metric not in records:
        raise ValueError(f"The 'metric' parameter of plot_collapse must be one of "
                         f"{', '.join(repr(m) for m in labels if m in records)}. "
                         f"Got {metric!r} instead.")
    ax = _axes(ax, figsize=(5, 3.5))
    for name, grp in records.groupby("setting", sort=False):
        per_epoch = grp.groupby("epoch")[metric]  # over seeds when there are several
        mean, sd = per_epoch.mean(), per_epoch.std().fillna(0.0)
        line, = ax.plot(mean.index, mean.values, label=str(name))
        if grp.get("seed", pd.Series([0])).nunique() > 1:
            ax.fill_between(mean.index, mean - sd, mean + sd, color=line.get_color(),
                            alpha=0.2, linewidth=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel(labels[metric])
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return ax
