r"""Contrastive estimation gap for structured prediction (``docs/design.md``).

For a linear-chain CRF (:mod:`graphneg.models.crf`), the exact loss is
:math:`L_{NLL} = \log Z(x) - s(x, y)` and contrastive estimation replaces
:math:`Z` by the sum over :math:`\{y\} \cup N(y)`:

.. math::

    \text{gap} = L_{NLL} - L_{CE}
      = -\log \frac{\sum_{y' \in \{y\}\cup N(y)} e^{s(x,y')}}{Z(x)}
      = -\log p\big(\{y\} \cup N(y) \mid x\big) \;\ge 0,

the (negative log) probability mass the model keeps inside the neighbourhood. A
small gap means the model's mass is concentrated near the gold sequence, so the
cheap neighbourhood normaliser is a good stand-in for :math:`Z`.

>>> from graphneg.analysis.structured import ce_nll_gap
"""
from __future__ import annotations

from typing import Dict

import pandas as pd
import torch
from torch import Tensor

from graphneg._validation import InstanceOf, checked_params
from graphneg.models.crf import LinearChainCRF

from .plots import _axes

__all__ = ["ce_nll_gap", "plot_ce_nll_gap"]


@torch.no_grad()
@checked_params(crf=InstanceOf(LinearChainCRF, "a LinearChainCRF"))
def ce_nll_gap(crf: LinearChainCRF, emissions: Tensor, tags: Tensor, mask: Tensor) -> Dict[str, float]:
    """Mean exact NLL, full-neighbourhood CE loss and their gap over a batch.

    Parameters
    ----------
    crf : LinearChainCRF
    emissions : Tensor, shape (B, T, L)
    tags : LongTensor, shape (B, T)
    mask : BoolTensor, shape (B, T)

    Returns
    -------
    dict with ``nll``, ``ce``, ``gap`` (``gap >= 0``) and ``neighbourhood_prob``
    = mean of :math:`p(\\{y\\} \\cup N(y) | x) = e^{-\\text{gap}}` per sentence.

    Examples
    --------
    >>> crf = LinearChainCRF(3)
    >>> r = ce_nll_gap(crf, torch.zeros(1, 1, 3), torch.tensor([[0]]), torch.ones(1, 1, dtype=torch.bool))
    >>> round(r["gap"], 12)  # one position: the neighbourhood is every sequence
    0.0
    """
    nll = crf.nll(emissions, tags, mask)
    ce = crf.contrastive_loss_local(emissions, tags, mask)
    gap = nll - ce
    return {"nll": float(nll.mean()), "ce": float(ce.mean()), "gap": float(gap.mean()),
            "neighbourhood_prob": float(torch.exp(-gap).mean())}


def plot_ce_nll_gap(histories: Dict[str, pd.DataFrame], *, ax=None):
    """Exact NLL (solid), CE loss (dashed) and accuracy (right axis) over epochs,
    one colour per training objective (columns of :class:`graphneg.training.crf.CRFTrainer`).

    Examples
    --------
    >>> h = pd.DataFrame({"epoch": [1, 2], "nll": [2.0, 1.0], "ce": [1.5, 0.7], "val_acc": [0.5, 0.7]})
    >>> plot_ce_nll_gap({"ce": h}).get_ylabel()
    'loss per sentence (nats)'
    """
    from matplotlib.lines import Line2D

    ax = _axes(ax, figsize=(6, 4))
    right = ax.twinx()
    for i, (name, h) in enumerate(histories.items()):
        c = f"C{i}"
        if "seed" in h:  # mean over seeds
            h = h.groupby("epoch", as_index=False)[[col for col in ("nll", "ce", "val_acc")
                                                    if col in h]].mean()
        ax.plot(h["epoch"], h["nll"], "-", color=c)
        ax.plot(h["epoch"], h["ce"], "--", color=c)
        if "val_acc" in h:
            right.plot(h["epoch"], h["val_acc"], ":", color=c, marker=".")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss per sentence (nats)")
    ax.set_yscale("log")
    right.set_ylabel("val token accuracy (dotted)")
    ax.set_title("CRF: exact NLL vs contrastive estimation")
    # two short legends: colour = objective, line style = quantity (not one per pair)
    colours = [Line2D([], [], color=f"C{i}", lw=2, label=name)
               for i, name in enumerate(histories)]
    styles = [Line2D([], [], color="k", ls=ls, marker=m, label=lab) for ls, m, lab in
              (("-", "", "exact NLL"), ("--", "", "CE loss"), (":", ".", "val accuracy"))]
    first = ax.legend(handles=colours, title="training objective", fontsize=8,
                      loc="upper left", bbox_to_anchor=(0.0, -0.14))
    ax.add_artist(first)
    ax.legend(handles=styles, title="quantity", fontsize=8, loc="upper right",
              bbox_to_anchor=(1.0, -0.14))
    return ax
