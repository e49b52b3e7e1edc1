r"""Compact interval tables of an effects table.

Input: :func:`~graphneg.analysis.statistics.effects_table`.

A study's report shows, per method, a metric's mean with its 95% interval and the
paired difference against the reference method, in tables that stay within 100
characters: one table per group of at most three metrics.
"""
from __future__ import annotations

import math
from typing import Mapping, Optional

import pandas as pd

from ..statistics import format_interval

__all__ = ["interval_table", "effect_of"]


def effect_of(effects: pd.DataFrame, method: str, metric: str, *,
              column: str = "sampler") -> Optional[pd.Series]:
    """The effects row of ``method`` and ``metric`` (``None`` when absent).

    Examples
    --------
    >>> eff = pd.DataFrame({"sampler": ["a"], "metric": ["auc"], "mean": [0.5]})
    >>> float(effect_of(eff, "a", "auc")["mean"]), effect_of(eff, "b", "auc")
    (0.5, None)
    """
    row = effects[(effects[column] == method) & (effects["metric"] == metric)]
    return None if row.empty else row.iloc[0]


def interval_table(effects: pd.DataFrame, metrics: Mapping[str, str], *,
                   column: str = "sampler", diff: Optional[str] = None,
                   reference: str = "uniform") -> str:
    r"""Markdown table: one row per method, ``mean [low, high]`` per metric.

    Parameters
    ----------
    effects : DataFrame
        :func:`~graphneg.analysis.statistics.effects_table` output.
    metrics : mapping metric -> column heading
    column : str
        The method column.
    diff : str, optional
        A metric whose paired difference against ``reference`` gets its own column
        (``Δ <heading>``, marked ``*`` when its interval excludes 0).

    Methods named ``heuristic:<name>`` (baselines that need no learning) are shown as
    ``*<name>*`` (italics).

    Examples
    --------
    >>> from graphneg.analysis.statistics import effects_table
    >>> runs = pd.DataFrame({"graph": "g", "sampler": ["uniform"] * 3 + ["hard"] * 3,
    ...                      "seed": [0, 1, 2] * 2, "auc": [0.7, 0.71, 0.76, 0.8, 0.82, 0.85]})
    >>> print(interval_table(effects_table(runs, ["auc"]), {"auc": "AUC"}, diff="auc"))
    | sampler | AUC | Δ AUC vs uniform |
    |---|---|---|
    | uniform | 0.723 [0.643, 0.803] | – |
    | hard | 0.823 [0.761, 0.886] | 0.100 [0.075, 0.125] * |
    """
    heads = list(metrics.values())
    if diff:
        heads.append(f"Δ {metrics.get(diff, diff)} vs {reference}")
    lines = [f"| {column} | " + " | ".join(heads) + " |", "|---|" + "---|" * len(heads)]
    for m in dict.fromkeys(effects[column]):
        cells = []
        for metric in metrics:
            r = effect_of(effects, m, metric, column=column)
            cells.append("–" if r is None else
                         format_interval(r["mean"], r["ci_low"], r["ci_high"]))
        if diff:
            r = effect_of(effects, m, diff, column=column)
            if r is None or m == reference or math.isnan(r["diff_vs_uniform"]):
                cells.append("–")
            else:
                cells.append(format_interval(r["diff_vs_uniform"], r["diff_ci_low"],
                                             r["diff_ci_high"])
                             + (" *" if bool(r["measurable"]) else ""))
        name = str(m)
        if name.startswith("heuristic:"):  # baselines in italics: the table stays narrow
            name = f"*{name[len('heuristic:'):]}*"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
