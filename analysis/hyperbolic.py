r"""Hyperbolic utility of hard vs easy negatives (``docs/design.md``).

In the softmax loss over :math:`\{v\} \cup \{n_k\}` (:mod:`graphneg.models.poincare`), a
negative's contribution to the Riemannian gradient at the anchor :math:`u` is
:math:`p_n\,\mathrm{grad}_R\, d(u, n)`. The Riemannian gradient of a distance function
has unit norm in the metric, so

.. math::

    \|g_n\|_{\text{intrinsic}} = p_n, \qquad
    \|g_n\|_{\text{ambient}} = p_n \frac{1 - \|u\|^2}{2},
    \qquad
    \frac{\|g_{\text{hard}}\|}{\|g_{\text{easy}}\|} = e^{\,d(u, n_{\text{easy}}) - d(u, n_{\text{hard}})}

— the *utility ratio* is the same in both norms and depends on the anchor's norm
only through the two distances (:func:`utility_ratio_controlled` checks the closed
form numerically). Two consequences:

* negatives at fixed *hyperbolic* distances have a ratio independent of
  :math:`\|u\|`, while both ambient norms shrink like :math:`(1 - \|u\|^2)/2`
  (updates of deep nodes are small in coordinates);
* negatives at fixed *Euclidean* offsets :math:`\delta` (what a coordinate-space
  hard-negative search such as an ANN index returns) do not keep their hardness:
  :math:`d \approx 2\delta/(1 - \|u\|^2)` for a tangential offset once
  :math:`\delta \gg 1 - \|u\|`, while a negative towards the origin grows only like
  :math:`\log(1/(1 - \|u\|))`, so the ratio first rises and then collapses near the
  boundary (measured: 2.7 at the origin, 3.6 at 0.79, 2.2 at 0.99 for
  :math:`\delta_h = 0.05`, :math:`\delta_e = 0.5`). In Euclidean space the same
  offsets give a constant ratio :math:`e^{\delta_e - \delta_h}`.

:func:`utility_ratio_trained` measures the same ratio on a trained model: for each
anchor, hard = nearest non-neighbour, easy = a uniform non-neighbour.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_edge_index, check_option, checked_params
from graphneg.models.poincare import negative_gradient_norms, poincare_distance

from .plots import _axes

__all__ = ["utility_ratio_controlled", "utility_ratio_matched", "utility_ratio_trained",
           "plot_utility_ratio", "plot_utility_study"]


@checked_params
def utility_ratio_controlled(radii: Sequence[float], *, hard_offset: float = 0.05,
                             easy_offset: float = 0.5, pos_offset: float = 0.02,
                             manifold: str = "poincare") -> pd.DataFrame:
    r"""Utility ratio for controlled points as a function of the anchor norm.

    Anchor :math:`u = r e_1`, positive :math:`u - \delta_+ e_2`, hard negative
    :math:`u + \delta_h e_2`, easy negative :math:`u - \delta_e e_1` (Euclidean offsets).

    Parameters
    ----------
    radii : sequence of float
        Anchor norms :math:`r`, each with every point inside the ball.
    hard_offset, easy_offset, pos_offset : float
        :math:`\delta_h < \delta_e`, :math:`\delta_+`.
    manifold : {"poincare", "euclidean"}

    Returns
    -------
    DataFrame
        Columns ``norm``, ``hard``, ``easy`` (ambient gradient norms), ``ratio`` and
        ``closed_form`` = :math:`e^{d_e - d_h}`.

    Examples
    --------
    >>> df = utility_ratio_controlled([0.0, 0.9])
    >>> bool(df["ratio"].iloc[1] > df["ratio"].iloc[0])
    True
    """
    owner = "utility_ratio_controlled"
    manifold = check_option(manifold, "manifold", ("poincare", "euclidean"), owner=owner)
    r = torch.as_tensor(np.asarray(radii, dtype=np.float64))
    e1, e2 = torch.tensor([1.0, 0.0], dtype=torch.float64), torch.tensor([0.0, 1.0],
                                                                        dtype=torch.float64)
    u = r.view(-1, 1) * e1
    v = u - pos_offset * e2
    negs = torch.stack([u + hard_offset * e2, u - easy_offset * e1], 1)
    g = negative_gradient_norms(u, v, negs, manifold=manifold)
    if manifold == "poincare":
        d = poincare_distance(u.unsqueeze(1), negs)
    else:
        d = (u.unsqueeze(1) - negs).norm(dim=-1)
    return pd.DataFrame({"norm": r.numpy(), "hard": g[:, 0].numpy(), "easy": g[:, 1].numpy(),
                         "ratio": (g[:, 0] / g[:, 1]).numpy(),
                         "closed_form": torch.exp(d[:, 1] - d[:, 0]).numpy()})


@checked_params
def utility_ratio_matched(radii: Sequence[float], *, hard_distance: float = 0.5,
                          easy_distance: float = 2.0, pos_distance: float = 0.2,
                          manifold: str = "poincare") -> pd.DataFrame:
    r"""Utility ratio with the negatives at fixed *intrinsic* distances from the anchor.

    The control that separates geometry from norm: anchor :math:`u = r e_1`; the hard
    negative, the easy negative and the positive lie on the line through the origin and
    :math:`u` at distances :math:`D_h`, :math:`D_e`, :math:`D_+` of the manifold. In the
    Poincaré ball a point on that ray at distance :math:`D` outwards has norm
    :math:`\tanh(\operatorname{artanh} r + D/2)` (distances add along a geodesic through
    the origin, :math:`d(0, x) = 2 \operatorname{artanh}\|x\|`); inwards
    :math:`\tanh(\operatorname{artanh} r - D/2)`. In Euclidean space the offsets are
    the distances themselves. The closed form is :math:`e^{D_e - D_h}` at every
    :math:`r`: a ratio that changes with the norm at matched distances would be a
    geometric effect; none exists.

    Returns
    -------
    DataFrame
        ``norm``, ``ratio``, ``closed_form``, ``gap`` (:math:`d_e - d_h` measured).

    Examples
    --------
    >>> df = utility_ratio_matched([0.0, 0.5, 0.99])
    >>> bool(np.allclose(df["ratio"], np.exp(1.5)))
    True
    """
    owner = "utility_ratio_matched"
    manifold = check_option(manifold, "manifold", ("poincare", "euclidean"), owner=owner)
    r = torch.as_tensor(np.asarray(radii, dtype=np.float64))
    e1 = torch.tensor([1.0, 0.0], dtype=torch.float64)
    if manifold == "poincare":
        a = torch.atanh(r)
        out_h, in_e = torch.tanh(a + hard_distance / 2), torch.tanh(a - easy_distance / 2)
        pos = torch.tanh(a - pos_distance / 2)
    else:
        out_h, in_e, pos = r + hard_distance, r - easy_distance, r - pos_distance
    u = r.view(-1, 1) * e1
    negs = torch.stack([out_h.view(-1, 1) * e1, in_e.view(-1, 1) * e1], 1)
    g = negative_gradient_norms(u, pos.view(-1, 1) * e1, negs, manifold=manifold)
    if manifold == "poincare":
        d = poincare_distance(u.unsqueeze(1), negs)
    else:
        d = (u.unsqueeze(1) - negs).norm(dim=-1)
    return pd.DataFrame({"norm": r.numpy(), "ratio": (g[:, 0] / g[:, 1]).numpy(),
                         "closed_form": float(np.exp(easy_distance - hard_distance)),
                         "gap": (d[:, 1] - d[:, 0]).numpy()})


@torch.no_grad()
@checked_params
def utility_ratio_trained(z: Tensor, edge_index: Tensor, *, manifold: str = "poincare",
                          seed: Seed = None) -> pd.DataFrame:
    r"""Utility ratio on trained embeddings, one row per anchor.

    For each node :math:`u` with at least one neighbour and one non-neighbour:
    positive = a uniform neighbour, hard = the nearest non-neighbour, easy = a uniform
    non-neighbour (other than the hard one when possible); ratio = hard / easy
    ambient gradient norm (:func:`graphneg.models.poincare.negative_gradient_norms`).

    Parameters
    ----------
    z : Tensor, shape (N, d)
        Embeddings (inside the unit ball for ``"poincare"``).
    edge_index : LongTensor, shape (2, E)
        Known edges, both directions.
    manifold : {"poincare", "euclidean"}
    seed : int, torch.Generator or None

    Returns
    -------
    DataFrame with ``node``, ``norm``, ``norm_rank`` (quantile of the norm among the
    anchors, in (0, 1]: comparable across manifolds), ``ratio``, ``d_hard``, ``d_easy``
    (distances of the two negatives; ``ratio`` :math:`= e^{d_e - d_h}` in both manifolds).

    Notes
    -----
    Cost :math:`O(N^2 d)` (dense distances).

    Examples
    --------
    >>> z = torch.tensor([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [-0.5, 0.0]])
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> df = utility_ratio_trained(z, ei, seed=0)
    >>> sorted(df["node"].tolist())
    [0, 1]
    """
    owner = "utility_ratio_trained"
    manifold = check_option(manifold, "manifold", ("poincare", "euclidean"), owner=owner)
    n = z.size(0)
    edge_index = check_edge_index(edge_index, num_nodes=n, owner=owner)
    gen = as_generator(seed)
    z = z.double()
    adj = torch.zeros(n, n, dtype=torch.bool)
    adj[edge_index[0], edge_index[1]] = True
    nonnb = ~adj & ~torch.eye(n, dtype=torch.bool)
    ok = adj.any(1) & nonnb.any(1)
    nodes = ok.nonzero().view(-1)
    if manifold == "poincare":
        dist = poincare_distance(z[nodes].unsqueeze(1), z.unsqueeze(0))
    else:
        dist = torch.cdist(z[nodes], z)
    hard = dist.masked_fill(~nonnb[nodes], float("inf")).argmin(1)
    # uniform picks by Gumbel-max over the allowed sets
    noise = torch.rand(nodes.numel(), n, generator=gen, dtype=torch.float64)
    pos = noise.masked_fill(~adj[nodes], -1).argmax(1)
    easy_ok = nonnb[nodes].clone()
    multi = easy_ok.sum(1) > 1
    easy_ok[multi.nonzero().view(-1), hard[multi]] = False
    easy = torch.rand(nodes.numel(), n, generator=gen, dtype=torch.float64) \
        .masked_fill(~easy_ok, -1).argmax(1)
    g = negative_gradient_norms(z[nodes], z[pos], torch.stack([z[hard], z[easy]], 1),
                                manifold=manifold)
    norm = z[nodes].norm(dim=1)
    rows = torch.arange(nodes.numel())
    return pd.DataFrame({"node": nodes.numpy(), "norm": norm.numpy(),
                         "norm_rank": pd.Series(norm.numpy()).rank(pct=True).to_numpy(),
                         "ratio": (g[:, 0] / g[:, 1]).numpy(),
                         "d_hard": dist[rows, hard].numpy(), "d_easy": dist[rows, easy].numpy()})


def plot_utility_ratio(controlled: Dict[str, pd.DataFrame],
                       trained: Optional[Dict[str, pd.DataFrame]] = None, *,
                       num_bins: int = 8, x: str = "norm", ax=None):
    r"""Utility ratio vs anchor norm: controlled curves (lines) and trained models
    (median per norm-quantile bin, markers). Log y axis.

    Parameters
    ----------
    controlled : dict of str -> DataFrame
        From :func:`utility_ratio_controlled` (label -> frame).
    trained : dict of str -> DataFrame, optional
        From :func:`utility_ratio_trained`.
    num_bins : int
    x : {"norm", "hyperbolic_norm"}
        Euclidean norm :math:`\|u\|`, or the Poincaré distance to the origin
        :math:`2\operatorname{artanh}\|u\|` (spreads trained points crowded near 1).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_utility_ratio({"Poincaré": utility_ratio_controlled([0.1, 0.5, 0.9])})
    >>> ax.get_yscale()
    'log'
    """
    x = check_option(x, "x", ("norm", "hyperbolic_norm"), owner="plot_utility_ratio")

    def xs(norm):
        norm = np.asarray(norm, dtype=np.float64)
        return 2 * np.arctanh(np.minimum(norm, 1 - 1e-15)) if x == "hyperbolic_norm" else norm

    ax = _axes(ax, figsize=(5.5, 4))
    for name, df in controlled.items():
        ax.plot(xs(df["norm"]), df["ratio"], label=f"{name} (controlled)")
    for name, df in (trained or {}).items():
        q = pd.qcut(df["norm"], q=min(num_bins, len(df)), duplicates="drop")
        med = df.groupby(q, observed=True).agg(norm=("norm", "median"), ratio=("ratio", "median"))
        ax.plot(xs(med["norm"]), med["ratio"], "o--", label=f"{name} (trained, median)")
    ax.set_yscale("log")
    ax.set_xlabel("anchor norm ||u||" if x == "norm"
                  else "anchor depth d(0, u) = 2 artanh ||u||")
    ax.set_ylabel("||g_hard|| / ||g_easy||")
    ax.set_title("Utility of a hard vs an easy negative")
    ax.legend(fontsize=8)
    return ax


def plot_utility_study(controlled: pd.DataFrame, trained: pd.DataFrame, *, graph: str,
                       num_bins: int = 10):
    r"""The study's figure: one row of two panels sharing the y axis (ratio, log).

    Left: controlled points against :math:`\|u\|` (columns ``manifold``, ``placement``,
    ``norm``, ``ratio``). Right: trained models against the anchor's norm quantile
    within its model (``norm_rank``; comparable across manifolds), the median ratio per
    quantile bin, mean over seeds (``model``, ``seed``).

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), sharey=True)
    styles = {"Poincaré": "-", "Euclidean": "--"}
    for (man, place), d in controlled.groupby(["manifold", "placement"], sort=False):
        wide = man == "Poincaré" and place == "matched distances"  # visible under its twin
        axes[0].plot(d["norm"], d["ratio"], styles.get(man, "-"), lw=4 if wide else 1.6,
                     alpha=0.5 if wide else 1.0,
                     label=f"{man}, {place}" + (" (= Euclidean)" if wide else ""))
    axes[0].set_xlabel("anchor norm ‖u‖")
    axes[0].set_title("Controlled points")
    bins = np.linspace(0, 1, num_bins + 1)
    for model, d in trained.groupby("model", sort=False):
        b = pd.cut(d["norm_rank"], bins, include_lowest=True)
        med = d.groupby([b, "seed"], observed=True)["ratio"].median().groupby(
            level=0, observed=True).agg(["mean", "min", "max"])
        mid = (bins[:-1] + bins[1:])[: len(med)] / 2
        line, = axes[1].plot(mid, med["mean"], "o-" if "poincare" in model else "s--", ms=4,
                             label=model)
        axes[1].fill_between(mid, med["min"], med["max"], color=line.get_color(), alpha=0.15)
    axes[1].set_xlabel("anchor norm quantile within its model")
    axes[1].set_title(f"Trained on {graph} (median per bin; band: range over seeds)")
    axes[0].set_yscale("log")
    axes[0].set_ylabel("utility ratio ‖g_hard‖ / ‖g_easy‖ = exp(d_easy − d_hard)")
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
