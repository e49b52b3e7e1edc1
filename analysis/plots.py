"""Figures of a topology comparison (every function takes ``ax=None`` and returns the Axes).

All functions read the tidy results of
:func:`graphneg.analysis.studies.topology.compare_topologies` (or the ``results.csv`` it is
saved as) and never call ``plt.show()``; :mod:`graphneg.analysis.report` saves them.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
import pandas as pd

__all__ = ["plot_by_topology", "plot_degree_distributions", "plot_learning_curves",
           "METRIC_LABELS"]

#: Axis labels of the metrics the report draws.
METRIC_LABELS = {
    "test_auc": "test AUC",
    "test_ap": "test AP",
    "test_mrr": "test MRR",
    "eta_median": "sampling efficiency η (median over epochs)",
    "eta_mean": "sampling efficiency η (mean over epochs)",
    "eta": "sampling efficiency η",
    "hard_negative_rate": "hard-negative rate $h_k$",
    "impossible_anchor_ratio": "share of anchors without a valid negative",
    "dropped_positive_ratio": "share of training positives dropped\n(anchor has no valid negative)",
    "val_auc": "validation AUC",
    "loss": "training loss",
    "run_time_s": "run time [s]",
}


def _axes(ax, figsize=(8, 4.5)):
    """``ax``, or the Axes of a new ``figsize`` figure when ``ax`` is None.

    Every plotting function of the analysis layer starts with it.
    """
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _colors(n: int):
    import matplotlib.pyplot as plt
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def _log_y(ax) -> None:
    """Log y axis with plain-number tick labels ("2", "0.5"): ticks at 1, 2, 5 × 10^k
    when the data span less than three decades, at powers of ten otherwise."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    if lo > 0 and hi / lo < 1000:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_by_topology(runs: pd.DataFrame, metric: str = "test_auc", *, ax=None,
                     log: bool = False, ylabel: Optional[str] = None,
                     samplers: Optional[Sequence[str]] = None,
                     graphs: Optional[Sequence[str]] = None, reference: Optional[float] = None):
    """Grouped bars: one group per topology, one bar per sampler, mean ± sd over seeds.

    Parameters
    ----------
    runs : DataFrame
        One row per run (:func:`graphneg.analysis.studies.topology.summarize_runs`) with
        ``graph``, ``sampler`` and ``metric`` columns.
    metric : str
    log : bool
        Log-scale y axis (η spans decades across topologies).
    reference : float, optional
        A dashed horizontal line (e.g. 0.5 for a random scorer's AUC).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> runs = pd.DataFrame({"graph": ["a", "a", "b"], "sampler": ["u", "u", "u"],
    ...                      "test_auc": [0.7, 0.8, 0.6]})
    >>> plot_by_topology(runs).get_ylabel()
    'test AUC'
    """
    ax = _axes(ax)
    df = runs.dropna(subset=[metric]) if metric in runs else runs.iloc[:0]
    graphs = list(dict.fromkeys(runs["graph"])) if graphs is None else list(graphs)
    if samplers is None:  # methods without the metric at all (baselines have no η) are left out
        has = df.groupby("sampler", sort=False)[metric].apply(lambda v: v.notna().any())
        samplers = [s for s in dict.fromkeys(runs["sampler"]) if has.get(s, False)]
    samplers = list(samplers)
    stats = df.groupby(["graph", "sampler"])[metric].agg(["mean", "std", "count"])
    width = 0.8 / max(len(samplers), 1)
    x = np.arange(len(graphs))
    for i, (s, color) in enumerate(zip(samplers, _colors(len(samplers)))):
        mean = [stats["mean"].get((g, s), math.nan) for g in graphs]
        std = [stats["std"].get((g, s), math.nan) for g in graphs]
        std = [0.0 if not np.isfinite(v) else v for v in std]
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(pos, mean, width, yerr=std, label=s, color=color, capsize=2,
               error_kw={"elinewidth": 0.8, "ecolor": "0.2"})
        for p, m in zip(pos, mean):  # mark missing runs (errors) explicitly
            if not np.isfinite(m):
                ax.text(p, 0, "×", ha="center", va="bottom", color=color, fontsize=9)
    if reference is not None:
        ax.axhline(reference, color="0.4", ls="--", lw=1)
    ax.set_xticks(x)
    ax.set_xticklabels(graphs, rotation=20 if len(graphs) > 4 else 0,
                       ha="right" if len(graphs) > 4 else "center")
    ax.set_xlabel("topology")
    ax.set_ylabel(ylabel or METRIC_LABELS.get(metric, metric))
    if log:
        _log_y(ax)
    ax.grid(axis="y", alpha=0.3, which="both")
    ax.legend(title="sampler", fontsize=8, title_fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax


def plot_degree_distributions(degrees: pd.DataFrame, *, ax=None):
    """Complementary cumulative degree distribution ``P(K ≥ k)`` of each topology, log-log.

    The CCDF is used rather than the histogram because it stays readable for
    heavy tails (BA) and two-point distributions (a star: ``P(K ≥ 1) = 1``,
    ``P(K ≥ n-1) = 1/n``), and a power law ``P(k) ∝ k^{-γ}`` shows as a line of
    slope ``1 - γ``.

    Parameters
    ----------
    degrees : DataFrame
        Columns ``graph``, ``degree``, ``count``
        (:func:`graphneg.analysis.studies.topology.degree_table`). Degree 0 cannot be
        drawn on a log axis; its share is given in the legend instead.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> deg = pd.DataFrame({"graph": ["s", "s"], "degree": [1, 3], "count": [3, 1]})
    >>> ax = plot_degree_distributions(deg)
    >>> ax.get_xscale(), ax.lines[0].get_ydata().tolist()
    ('log', [1.0, 0.25])
    """
    ax = _axes(ax)
    graphs = list(dict.fromkeys(degrees["graph"]))
    markers = "osD^v<>ph*"
    for i, (g, color) in enumerate(zip(graphs, _colors(len(graphs)))):
        d = degrees[degrees["graph"] == g].sort_values("degree")
        total = float(d["count"].sum())
        ccdf = d["count"][::-1].cumsum()[::-1] / total   # P(K >= k)
        pos = (d["degree"] > 0).to_numpy()
        label = g
        if (~pos).any():
            share = float(d["count"][~pos].sum()) / total
            label += f" ({share:.0%} isolated)" if share >= 0.01 else f" ({share:.2%} isolated)"
        ax.plot(d["degree"].to_numpy()[pos], ccdf.to_numpy()[pos], drawstyle="steps-post",
                marker=markers[i % len(markers)], ms=3.5, lw=1.1, color=color, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("degree $k$")
    ax.set_ylabel("share of nodes with degree ≥ $k$")
    ax.grid(alpha=0.3, which="both")
    ax.legend(title="topology", fontsize=8, title_fontsize=9)
    return ax


def plot_learning_curves(results: pd.DataFrame, graph: str, metric: str = "val_auc", *,
                         ax=None, log: bool = False, legend: bool = True):
    """``metric`` per epoch for each sampler on one topology (mean over seeds, band = ±sd
    clipped to the range the seeds span, so it stays positive on log axes).

    The mean is drawn up to the last epoch that every seed of the sampler reached
    (runs stopped early would otherwise make the mean jump where a seed drops out).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> res = pd.DataFrame({"graph": "g", "sampler": "u", "seed": [0, 0], "epoch": [1, 2],
    ...                     "val_auc": [0.5, 0.6]})
    >>> plot_learning_curves(res, "g").get_title()
    'g'
    """
    ax = _axes(ax)
    df = results[(results["graph"] == graph)]
    if metric in df:
        df = df.dropna(subset=[metric])
    samplers = list(dict.fromkeys(results["sampler"]))
    for s, color in zip(samplers, _colors(len(samplers))):
        d = df[df["sampler"] == s]
        if d.empty:
            continue
        stats = d.groupby("epoch")[metric].agg(["mean", "std", "count", "min", "max"])
        full = stats[stats["count"] == stats["count"].max()]
        full = full[full.index <= int(d.groupby("seed")["epoch"].max().min())]
        stats = full
        ax.plot(stats.index, stats["mean"], color=color, lw=1.2, label=s)
        sd = stats["std"].fillna(0)  # band: ±sd, kept inside the observed range (log axes)
        ax.fill_between(stats.index, (stats["mean"] - sd).clip(lower=stats["min"]),
                        (stats["mean"] + sd).clip(upper=stats["max"]), color=color, alpha=0.12,
                        lw=0)
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(graph)
    ax.set_xlabel("epoch")
    ax.set_ylabel(METRIC_LABELS.get(metric, metric))
    if log:
        _log_y(ax)
    ax.grid(alpha=0.3, which="both")
    if legend:
        ax.legend(title="sampler", fontsize=7, title_fontsize=8)
    return ax
