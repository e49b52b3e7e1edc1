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

:func:`compare_hyperedge_samplers` runs samplers x seeds (profiles plus a
contrastive training run each); :func:`alpha_beta_sweep` maps AUC and hardness
over a grid of :math:`(\alpha, \beta)` for the max-entropy sampler. The plot
functions take ``ax=None`` and return the Axes.
"""
from __future__ import annotations

import time
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from torch import Tensor

from graphneg.hyperedges import hyperedge_sizes, incidence_csr, paired_intersections

from .plots import _axes

__all__ = [
    "clique_expansion_density", "negative_profile", "compare_hyperedge_samplers",
    "alpha_beta_sweep", "plot_size_distributions", "plot_overlap_distributions",
    "plot_hardness", "plot_sweep_heatmap", "DEFAULT_HYPEREDGE_SAMPLERS",
]

#: Display name -> (registry name, keyword arguments) of the samplers compared by default.
DEFAULT_HYPEREDGE_SAMPLERS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "maxent uniform (α=0, β=0)": ("maxent", {}),
    "maxent easy (β=2)": ("maxent", {"beta": 2.0}),
    "maxent hard (β=-2)": ("maxent", {"beta": -2.0}),
    "SNS sized": ("sized", {}),
    "MNS motif": ("motif", {}),
    "CNS clique": ("clique", {}),
}


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


def _ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import ks_2samp
    return float(ks_2samp(a, b).statistic) if a.size and b.size else float("nan")


def compare_hyperedge_samplers(data: Any, samplers: Optional[Mapping[str, Tuple[str, Dict]]] = None,
                               *, seeds: Sequence[int] = (0,), num_neg: int = 5,
                               epochs: int = 30, train: bool = True,
                               trainer_kwargs: Optional[Dict[str, Any]] = None,
                               progress: Optional[Any] = None
                               ) -> Tuple[pd.DataFrame, pd.DataFrame]:
    r"""Samplers x seeds on one hypergraph: negative profiles and contrastive training.

    Parameters
    ----------
    data : HyperGraphData
    samplers : mapping display name -> (registry name, kwargs), optional
        Defaults to :data:`DEFAULT_HYPEREDGE_SAMPLERS`.
    seeds : sequence of int
    num_neg : int
    epochs : int
        Epochs of :class:`~graphneg.training.hypergraph.HyperedgeContrastiveTrainer`
        per run (``train=False`` skips training).
    trainer_kwargs : dict, optional
    progress : callable, optional
        Wraps the run iterator (e.g. ``tqdm``).

    Returns
    -------
    (runs, profiles) : DataFrames
        ``runs``: one row per sampler x seed: ``mean_size``, ``size_ks`` (KS
        distance of negative vs positive sizes), ``mean_overlap``,
        ``mean_density``, ``pos_density``, ``dropped``, ``sample_time_s`` and,
        when trained, ``test_auc``, ``test_ap``, ``eta`` (median over epochs),
        ``final_loss``, ``num_test_hyperedges``. ``profiles``: :func:`negative_profile` rows with
        ``sampler`` and ``seed``.

    Notes
    -----
    Every sampler runs with ``on_impossible="drop"``; the dropped count is
    reported, not hidden. Cost: one sampling call and, if trained, ``epochs``
    epochs per run.
    """
    from graphneg.training.hypergraph import HyperedgeContrastiveTrainer
    from graphneg.samplers.hyperedge import get_hyperedge_sampler

    samplers = dict(samplers or DEFAULT_HYPEREDGE_SAMPLERS)
    index, n = data.edge_index, int(data.num_nodes)
    pos_sizes = hyperedge_sizes(index).numpy().astype(float)
    pos_density = clique_expansion_density(index, index, n).numpy()
    jobs = [(name, seed) for seed in seeds for name in samplers]
    runs, profiles = [], []
    for name, seed in (progress(jobs) if progress else jobs):
        reg, kw = samplers[name]
        sampler = get_hyperedge_sampler(reg, num_neg=num_neg, seed=seed, on_impossible="drop",
                                        **kw)
        tic = time.perf_counter()
        neg = sampler.sample(index, n)
        elapsed = time.perf_counter() - tic
        prof = negative_profile(index, n, neg)
        prof["sampler"], prof["seed"] = name, seed
        profiles.append(prof)
        row = {"sampler": name, "seed": seed, "mean_size": prof["size"].mean(),
               "size_ks": _ks_distance(prof["size"].to_numpy(), pos_sizes),
               "mean_overlap": prof["overlap"].mean(), "mean_density": prof["density"].mean(),
               "pos_density": float(np.nanmean(pos_density)),
               "dropped": sampler.last_stats.dropped, "sample_time_s": elapsed}
        if train:
            kw_t = {"verbose": False, "hidden_channels": 32, "out_channels": 32,
                    **(trainer_kwargs or {})}
            tr = HyperedgeContrastiveTrainer(data, sampler=reg, sampler_kwargs=kw,
                                             num_neg=num_neg, epochs=epochs, seed=seed, **kw_t)
            try:
                hist = tr.fit()
                test = tr.test()
                test_index = tr._pos["test"]
                row["num_test_hyperedges"] = (int(test_index[1].max()) + 1
                                              if test_index.numel() else 0)
                row.update({"test_auc": test["auc"], "test_ap": test["ap"],
                            "eta": float(hist["eta"].median()),
                            "final_loss": float(hist["loss"].iloc[-1])})
            except ValueError as err:  # e.g. every anchor dropped: a result, not a crash
                row.update({"test_auc": float("nan"), "test_ap": float("nan"),
                            "eta": float("nan"), "final_loss": float("nan"),
                            "error": str(err)[:200]})
        runs.append(row)
    return pd.DataFrame(runs), pd.concat(profiles, ignore_index=True)


def alpha_beta_sweep(data: Any, alphas: Iterable[float], betas: Iterable[float], *,
                     candidates: str = "hyperedges", num_candidates: Optional[int] = None,
                     seeds: Sequence[int] = (0,), num_neg: int = 5, epochs: int = 20,
                     trainer_kwargs: Optional[Dict[str, Any]] = None,
                     progress: Optional[Any] = None) -> pd.DataFrame:
    r"""Max-entropy sampler over a grid of :math:`(\alpha, \beta)`: AUC and hardness.

    ``candidates`` / ``num_candidates`` choose the sampler's pool (see
    :class:`~graphneg.samplers.hyperedge.HyperedgeNegativeSampler`). With the
    default pool every negative is a true hyperedge, whose clique-expansion
    density is 1, so the hardness map is informative only with a generated
    pool (``"sized"`` or ``"motif"``).

    Returns
    -------
    DataFrame
        One row per ``(alpha, beta, seed)``: ``test_auc``, ``test_ap``,
        ``mean_density`` (hardness), ``mean_overlap``, ``mean_size``, ``eta``.
    """
    pool = {"candidates": candidates, "num_candidates": num_candidates}
    grid = {f"α={a:g}, β={b:g}": ("maxent", {"alpha": float(a), "beta": float(b), **pool})
            for a in alphas for b in betas}
    runs, _ = compare_hyperedge_samplers(data, grid, seeds=seeds, num_neg=num_neg,
                                         epochs=epochs, trainer_kwargs=trainer_kwargs,
                                         progress=progress)
    runs["alpha"] = [grid[s][1]["alpha"] for s in runs["sampler"]]
    runs["beta"] = [grid[s][1]["beta"] for s in runs["sampler"]]
    return runs


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
