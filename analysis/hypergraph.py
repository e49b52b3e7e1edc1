r"""What a hyperedge sampler does: sizes, overlaps, hardness, learning; (α, β) sweeps.

Per negative hyperedge :math:`S` drawn for anchor :math:`A`:

* **size** :math:`|S|` against the positives' sizes (a sampler whose sizes
  differ from the positives' lets a model cheat on size alone);
* **overlap** :math:`o(S; A) = |S \cap A| / |S \cup A|` (Jaccard);
* **hardness** as clique-expansion density (Patil et al., PAKDD 2020):
  :math:`\rho(S) = |\{\{u, v\} \subseteq S : u \sim v\}| / \binom{|S|}{2}`, the
  share of member pairs that co-occur in some true hyperedge (1 for a true
  hyperedge of size :math:`\ge 2`; ``nan`` for :math:`|S| = 1`);
* **efficiency** :math:`\eta` of the contrastive loss on hyperedge embeddings
  (:func:`graphneg.diagnostics.contrastive_efficiency`), recorded per
  epoch by the trainer.

:mod:`graphneg.analysis.studies.hypergraph` runs the experiments (samplers x seeds
with profiles and contrastive training, the :math:`(\alpha, \beta)` sweep); its
:func:`compare_hyperedge_samplers` and :func:`alpha_beta_sweep` are importable
from here too. The plot functions take ``ax=None`` and return the Axes.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from graphneg._validation import check_instance, checked_params
from graphneg.hyperedges import hyperedge_sizes, incidence_csr, paired_intersections

from .plots import _axes, plot_by_topology
from .studies import forward_names

__all__ = ["clique_expansion_density", "negative_profile", "plot_size_distributions",
           "plot_overlap_distributions", "plot_hardness", "plot_sweep_heatmap",
           "plot_sweep_effects", "plot_by_hypergraph"]

@checked_params
def clique_expansion_density(sets_index: Tensor, hyperedge_index: Tensor, num_nodes: int
                             ) -> Tensor:
    r"""Clique-expansion density :math:`\rho(S)` of every node set (hardness).

    Parameters
    ----------
    sets_index : LongTensor, shape (2, nnz_s)
        The sets scored, in incidence form.
    hyperedge_index : LongTensor, shape (2, nnz)
        True hyperedges defining the clique expansion.
    num_nodes : int

    Returns
    -------
    DoubleTensor, shape (S,)
        ``nan`` for sets of size 1.

    Notes
    -----
    With :math:`\mathbf{A}` the 0/1 clique-expansion adjacency and :math:`H_S` the
    sets' incidence, the pairs inside set :math:`i` that are edges number
    :math:`\frac12 (H_S \mathbf{A} \odot H_S)\mathbf{1}`; cost
    :math:`O(\sum_j s_j^2 + \sum_{v \in S} \deg v)`.

    Examples
    --------
    >>> h = torch.tensor([[0, 1, 2, 2, 3], [0, 0, 0, 1, 1]])
    >>> clique_expansion_density(torch.tensor([[0, 1, 3], [0, 0, 0]]), h, 4).tolist()
    [0.3333333333333333]
    """
    h = incidence_csr(hyperedge_index, num_nodes).astype(np.int64)
    adj = (h.T @ h).tocsr()
    adj.setdiag(0)
    adj.eliminate_zeros()
    adj.data[:] = 1
    hs = incidence_csr(sets_index, num_nodes).astype(np.int64)
    inside = np.asarray((hs @ adj).multiply(hs).sum(1)).ravel() / 2.0
    s = np.diff(hs.indptr).astype(np.float64)
    pairs = s * (s - 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return torch.from_numpy(np.where(pairs > 0, inside / pairs, np.nan))


@checked_params
def negative_profile(hyperedge_index: Tensor, num_nodes: int, negatives) -> pd.DataFrame:
    """One row per negative: ``anchor``, ``size``, ``anchor_size``, ``overlap``, ``density``.

    Parameters
    ----------
    hyperedge_index : LongTensor, shape (2, nnz)
    num_nodes : int
    negatives : HyperedgeNegatives
        What a hyperedge sampler's ``sample`` returned for these hyperedges.

    Examples
    --------
    >>> from graphneg.samplers.hyperedge import HyperedgeNegativeSampler
    >>> h = torch.tensor([[0, 1, 1, 2, 3, 4], [0, 0, 1, 1, 2, 2]])
    >>> neg = HyperedgeNegativeSampler(1, seed=0).sample(h, 5, anchors=torch.tensor([0]))
    >>> list(negative_profile(h, 5, neg).columns)
    ['anchor', 'size', 'anchor_size', 'overlap', 'density']
    """
    from graphneg.samplers.hyperedge import HyperedgeNegatives

    check_instance(negatives, "negatives", HyperedgeNegatives,
                   "a HyperedgeNegatives (what a hyperedge sampler's sample returns)",
                   owner="negative_profile")
    s = negatives.num_negatives
    sizes = hyperedge_sizes(negatives.hyperedge_index, s).double()
    a_sizes = hyperedge_sizes(hyperedge_index).double()[negatives.anchor]
    inter = paired_intersections(hyperedge_index, negatives.anchor, negatives.hyperedge_index,
                                 torch.arange(s), num_nodes).double()
    return pd.DataFrame({
        "anchor": negatives.anchor.numpy(),
        "size": sizes.numpy(),
        "anchor_size": a_sizes.numpy(),
        "overlap": (inter / (sizes + a_sizes - inter)).numpy(),
        "density": clique_expansion_density(negatives.hyperedge_index, hyperedge_index,
                                            num_nodes).numpy(),
    })


# ------------------------------------------------------------------ plots
_FIGSIZE = (7, 4)


def plot_size_distributions(profiles: pd.DataFrame, positive_sizes: Sequence[int], *, ax=None):
    """Share of negatives of each size per sampler, against the positives (black line).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"sampler": ["a", "a"], "size": [2, 3]})
    >>> plot_size_distributions(df, [2, 2, 3]).get_xlabel()
    'hyperedge size |E|'
    """
    ax = _axes(ax, figsize=_FIGSIZE)
    pos = np.asarray(positive_sizes)
    top = int(max(pos.max(), profiles["size"].max()))
    bins = np.arange(1, top + 2)
    names = list(dict.fromkeys(profiles["sampler"]))
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        s = profiles.loc[profiles["sampler"] == name, "size"].to_numpy()
        share = np.bincount(s.astype(int), minlength=top + 1)[1:] / max(s.size, 1)
        ax.bar(bins[:-1] + (i - len(names) / 2 + 0.5) * width, share, width=width, label=name)
    share = np.bincount(pos.astype(int), minlength=top + 1)[1:] / max(pos.size, 1)
    ax.step(bins[:-1], share, where="mid", color="black", lw=2, label="positives")
    ax.set_xlabel("hyperedge size |E|")
    ax.set_ylabel("share of hyperedges")
    ax.legend(fontsize=7, ncol=2)
    ax.set_title("Negative vs positive hyperedge sizes")
    return ax


def _box(profiles: pd.DataFrame, column: str, ax, ylabel: str, title: str, ref=None):
    names = list(dict.fromkeys(profiles["sampler"]))
    vals = [profiles.loc[profiles["sampler"] == n, column].dropna().to_numpy() for n in names]
    ax.boxplot(vals, showmeans=True)
    ax.set_xticks(range(1, len(names) + 1))
    ax.set_xticklabels(names, rotation=25, ha="right", fontsize=8)
    if ref is not None:
        ax.axhline(ref, color="black", ls="--", lw=1, label="positives (mean)")
        ax.legend(fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return ax


def plot_overlap_distributions(profiles: pd.DataFrame, *, ax=None):
    """Box plot of the Jaccard overlap of each negative with its anchor, per sampler."""
    return _box(profiles, "overlap", _axes(ax, figsize=_FIGSIZE), "Jaccard overlap o(E; A)",
                "Overlap of negatives with their anchor")


def plot_hardness(profiles: pd.DataFrame, positive_density: Optional[float] = None, *, ax=None):
    """Box plot of clique-expansion density (hardness) per sampler; dashed: positives."""
    return _box(profiles, "density", _axes(ax, figsize=_FIGSIZE), "clique-expansion density ρ(E)",
                "Hardness of negatives (Patil et al.)", ref=positive_density)


def plot_by_hypergraph(runs: pd.DataFrame, metric: str = "test_auc", *, ax=None,
                       label: Optional[str] = None, graphs: Optional[Sequence[str]] = None):
    """Grouped bars of ``metric`` per hypergraph and sampler (mean ± sd over seeds).

    :func:`graphneg.analysis.plots.plot_by_topology` on hyperedge runs; for
    ``test_auc`` a dashed line marks the random scorer (0.5).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> runs = pd.DataFrame({"graph": ["g", "g"], "sampler": ["a", "b"], "eta": [1.0, 2.0]})
    >>> plot_by_hypergraph(runs, "eta", label="η").get_title()
    'η by hypergraph and sampler (mean ± sd over seeds)'
    """
    ax = plot_by_topology(runs, metric, ax=_axes(ax, figsize=(11, 5.5)), ylabel=label,
                          graphs=graphs, reference=0.5 if metric == "test_auc" else None)
    ax.set_xlabel("hypergraph")
    if metric == "test_auc":
        ax.set_ylim(0.3, 1.0)
    ax.set_title(f"{label or metric} by hypergraph and sampler (mean ± sd over seeds)")
    return ax


def plot_sweep_heatmap(sweep: pd.DataFrame, value: str = "test_auc", *, ax=None,
                       cmap: str = "viridis"):
    """Heat map of ``value`` (mean over seeds) over the (α, β) grid, cells annotated.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> df = pd.DataFrame({"alpha": [0, 0, 1, 1], "beta": [0, 1, 0, 1], "test_auc": [.5, .6, .7, .8]})
    >>> plot_sweep_heatmap(df).get_xlabel()
    'β (overlap exponent)'
    """
    ax = _axes(ax, figsize=_FIGSIZE)
    table = sweep.groupby(["alpha", "beta"])[value].mean().unstack("beta")
    im = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([f"{b:g}" for b in table.columns])
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels([f"{a:g}" for a in table.index])
    ax.set_xlabel("β (overlap exponent)")
    ax.set_ylabel("α (size exponent)")
    vals = table.to_numpy()
    lo, hi = np.nanmin(vals), np.nanmax(vals)
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            dark = (vals[i, j] - lo) < 0.5 * (hi - lo) if hi > lo else True
            ax.text(j, i, f"{vals[i, j]:.3f}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    ax.figure.colorbar(im, ax=ax, label=value)
    ax.set_title(f"{value} over (α, β)")
    return ax



def plot_sweep_effects(effects: pd.DataFrame, metric: str = "test_auc", *, ax=None):
    r"""Paired difference of ``metric`` against :math:`\alpha = \beta = 0` over the grid.

    One cell per :math:`(\alpha, \beta)` of
    :func:`~graphneg.analysis.studies.hypergraph.sweep_effects`: colour = mean paired
    difference on a diverging scale symmetric about 0 (its range is printed in the
    title), text = the difference with its 95% interval and the cell's mean; ``*`` marks
    an interval that excludes 0.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> e = pd.DataFrame({"metric": "test_auc", "alpha": [0., 1.], "beta": 0.0,
    ...                   "mean": [.8, .82], "diff_vs_uniform": [float("nan"), .02],
    ...                   "diff_ci_low": [float("nan"), .01], "diff_ci_high": [float("nan"), .03],
    ...                   "measurable": [False, True]})
    >>> plot_sweep_effects(e).get_title()
    'Δ test_auc against α = β = 0 (paired over seeds); colour range ±0.02'
    """
    from .statistics import format_interval
    ax = _axes(ax, figsize=(9, 5.5))
    e = effects[effects["metric"] == metric]
    alphas, betas = sorted(e["alpha"].unique()), sorted(e["beta"].unique())
    diff = np.full((len(alphas), len(betas)), np.nan)
    for r in e.itertuples():
        diff[alphas.index(r.alpha), betas.index(r.beta)] = (
            0.0 if r.alpha == 0 and r.beta == 0 else r.diff_vs_uniform)
    span = float(np.nanmax(np.abs(diff))) if np.isfinite(diff).any() else 0.0
    span = span if span > 0 else 1e-3
    im = ax.imshow(diff, origin="lower", aspect="auto", cmap="RdBu", vmin=-span, vmax=span)
    for r in e.itertuples():
        i, j = alphas.index(r.alpha), betas.index(r.beta)
        if r.alpha == 0 and r.beta == 0:
            text = f"uniform\nmean {r.mean:.3f}"
        else:
            text = (format_interval(r.diff_vs_uniform, r.diff_ci_low, r.diff_ci_high)
                    .replace(" [", "\n[") + (" *" if r.measurable else "")
                    + f"\nmean {r.mean:.3f}")
        dark = abs(diff[i, j]) > 0.6 * span if np.isfinite(diff[i, j]) else False
        ax.text(j, i, text, ha="center", va="center", fontsize=7,
                color="white" if dark else "black")
    ax.set_xticks(range(len(betas)))
    ax.set_xticklabels([f"{b:g}" for b in betas])
    ax.set_yticks(range(len(alphas)))
    ax.set_yticklabels([f"{a:g}" for a in alphas])
    ax.set_xlabel("β (overlap exponent; < 0: hard)")
    ax.set_ylabel("α (size exponent)")
    ax.figure.colorbar(im, ax=ax, label=f"Δ {metric} vs α = β = 0")
    ax.set_title(f"Δ {metric} against α = β = 0 (paired over seeds); colour range ±{span:.2g}")
    return ax


# The experiments live in the hypergraph study; importable from here,
# resolved on first use (the study imports this module: a top-level import would be a cycle).
__getattr__ = forward_names("hypergraph", ("DEFAULT_HYPEREDGE_SAMPLERS", "alpha_beta_sweep",
                                           "compare_hyperedge_samplers"), owner=__name__)
