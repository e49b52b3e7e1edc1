r"""Temporal emphasis of a spike-train contrastive loss (``docs/design.md``).

For a train embedded on a grid :math:`g_1..g_G` (van Rossum, :mod:`graphneg.spike_trains`),
the *temporal emphasis ratio* is the :math:`\ell_1` norm of :math:`\partial L/\partial e`
on the early part of the grid over that on the late part (split point a parameter).
A ratio above 1 means the loss pushes mostly on early spikes. Because
:math:`e(g)` carries each spike's influence forward in time with decay
:math:`\tau`, late grid points accumulate more of the train's history; the ratio shows
whether a sampler (uniform vs hard) shifts where learning looks.

>>> from graphneg.analysis.spikes import temporal_emphasis_ratio
"""
from __future__ import annotations

from typing import Dict

import pandas as pd

from graphneg.diagnostics import temporal_emphasis_ratio

from .plots import _axes

__all__ = ["temporal_emphasis_ratio", "plot_temporal_emphasis", "plot_retrieval_accuracy"]


def _per_epoch(histories: Dict[str, pd.DataFrame], column: str, *, ax, owner: str,
               ylabel: str, title: str):
    """``column`` against ``epoch`` for each history, one line per sampler."""
    ax = _axes(ax, figsize=(5, 3.5))
    for name, hist in histories.items():
        if column not in hist or "epoch" not in hist:
            raise ValueError(f"The 'histories' parameter of {owner} must hold "
                             f"DataFrames with 'epoch' and {column!r}. Got columns "
                             f"{list(hist.columns)} for {name!r} instead.")
        ax.plot(hist["epoch"], hist[column], label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(title="negatives")
    return ax


def plot_temporal_emphasis(histories: Dict[str, pd.DataFrame], *, ax=None,
                           column: str = "temporal_emphasis_ratio"):
    """Temporal emphasis ratio over epochs, one line per sampler (dashed: ratio 1).

    Parameters
    ----------
    histories : dict of str -> DataFrame
        Sampler name -> trainer history (columns ``epoch`` and ``column``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"epoch": [1, 2], "temporal_emphasis_ratio": [1.0, 1.5]})
    >>> plot_temporal_emphasis({"uniform": h}).get_ylabel()
    'early / late  ||dL/de||_1'
    """
    ax = _per_epoch(histories, column, ax=ax, owner="plot_temporal_emphasis",
                    ylabel="early / late  ||dL/de||_1",
                    title="Temporal emphasis of the contrastive gradient")
    ax.axhline(1.0, color="grey", lw=0.8, ls="--")
    return ax


def plot_retrieval_accuracy(histories: Dict[str, pd.DataFrame], *, ax=None,
                            column: str = "val_top1_acc"):
    """Top-1 retrieval accuracy of a jittered copy over epochs, one line per sampler.

    Parameters
    ----------
    histories : dict of str -> DataFrame
        Sampler name -> trainer history (columns ``epoch`` and ``column``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> h = pd.DataFrame({"epoch": [1, 2], "val_top1_acc": [0.2, 0.4]})
    >>> plot_retrieval_accuracy({"uniform": h}).get_title()
    'Retrieval accuracy'
    """
    return _per_epoch(histories, column, ax=ax, owner="plot_retrieval_accuracy",
                      ylabel="top-1 retrieval of jittered copy", title="Retrieval accuracy")
