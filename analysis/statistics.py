r"""Statistics a reviewer accepts: means with 95% intervals and paired differences.

For one topology, method and metric with values :math:`x_1..x_n` over :math:`n` seeds,
the mean :math:`\bar x` has the Student-t interval

.. math::

    \bar x \pm t_{0.975,\, n-1}\, \frac{s}{\sqrt n}, \qquad
    s^2 = \frac{1}{n-1}\sum_i (x_i - \bar x)^2 .

Methods are compared *paired by seed* (same split, same evaluation negatives): the
difference :math:`d_i = x_i^{(m)} - x_i^{(\text{ref})}` gets the same interval and a
two-sided paired t-test p-value (:func:`scipy.stats.ttest_rel`). A difference is
called *measurable* when its interval excludes 0. With zero spread the interval is the
point itself (and the p-value is 0 for a non-zero difference, 1 for a zero one).
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Iterable, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
from scipy import stats

from graphneg._validation import InstanceOf, Interval, SequenceOf, checked_params

__all__ = ["mean_interval", "paired_difference", "effects_table", "format_interval"]


_LEVEL = Interval(Real, 0, 1, closed="neither")
_NUMBERS = SequenceOf("number")


@checked_params(values=_NUMBERS, level=_LEVEL)
def mean_interval(values: Sequence[float], level: float = 0.95) -> Tuple[float, float, float]:
    r"""Mean and Student-t confidence interval.

    Parameters
    ----------
    values : sequence of float
        One value per seed (NaNs are dropped).
    level : float in (0, 1)

    Returns
    -------
    (mean, low, high) : tuple of float
        NaN for no value; for one value the interval is ``(mean, nan, nan)``.

    Examples
    --------
    >>> m, lo, hi = mean_interval([1.0, 2.0, 3.0])
    >>> m, round(lo, 4), round(hi, 4)
    (2.0, -0.4841, 4.4841)
    """
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size == 1:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half


@checked_params(values=_NUMBERS, reference=_NUMBERS, level=_LEVEL)
def paired_difference(values: Sequence[float], reference: Sequence[float],
                      level: float = 0.95) -> Tuple[float, float, float, float]:
    r"""Paired difference ``values - reference`` (same seeds): mean, interval, p-value.

    Returns
    -------
    (mean, low, high, p_value) : tuple of float

    Examples
    --------
    >>> d, lo, hi, p = paired_difference([0.8, 0.82, 0.85], [0.7, 0.71, 0.76])
    >>> round(d, 4), lo > 0, round(p, 4)
    (0.1, True, 0.0033)
    """
    a = np.asarray(values, dtype=float)
    b = np.asarray(reference, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired_difference: 'values' and 'reference' must hold one value per "
                         f"seed each. Got {a.shape} and {b.shape} instead.")
    ok = ~(np.isnan(a) | np.isnan(b))
    d = a[ok] - b[ok]
    mean, low, high = mean_interval(d, level)
    if d.size < 2:
        return mean, low, high, math.nan
    if float(d.std(ddof=1)) <= 1e-12 * max(1.0, abs(mean)):  # constant up to rounding
        return mean, mean, mean, 0.0 if abs(mean) > 1e-12 else 1.0
    return mean, low, high, float(stats.ttest_rel(a[ok], b[ok]).pvalue)


def effects_table(runs: pd.DataFrame, metrics: Iterable[str], *, group: str = "graph",
                  method: str = "sampler", seed: str = "seed",
                  reference: Optional[str] = "uniform", level: float = 0.95) -> pd.DataFrame:
    r"""One row per ``group`` × ``method`` × metric: mean with interval, and the paired
    difference against ``reference`` (matched on ``seed``).

    Parameters
    ----------
    runs : DataFrame
        One row per run with columns ``group``, ``method``, ``seed`` and the metrics.
    metrics : iterable of str
    reference : str or None
        The method every other is compared with (``None``: no differences).

    Returns
    -------
    DataFrame
        Columns ``graph, sampler, metric, mean, ci_low, ci_high, n_seeds,
        diff_vs_uniform, diff_ci_low, diff_ci_high, diff_p_value, measurable``
        (the group and method columns keep their names; ``measurable`` is True when the
        difference's interval excludes 0).

    Examples
    --------
    >>> runs = pd.DataFrame({"graph": "g", "sampler": ["uniform"] * 3 + ["hard"] * 3,
    ...                      "seed": [0, 1, 2] * 2, "auc": [0.7, 0.71, 0.76, 0.8, 0.82, 0.85]})
    >>> t = effects_table(runs, ["auc"])
    >>> t.loc[t.sampler == "hard", ["mean", "diff_vs_uniform", "measurable"]].round(3).values.tolist()
    [[0.823, 0.1, True]]
    """
    rows = []
    for (g, m), part in runs.groupby([group, method], sort=False):
        ref = None
        if reference is not None:
            ref = runs[(runs[group] == g) & (runs[method] == reference)].set_index(seed)
        for metric in metrics:
            if metric not in part:
                continue
            vals = part.set_index(seed)[metric].astype(float)
            mean, lo, hi = mean_interval(vals.values, level)
            row = {group: g, method: m, "metric": metric, "mean": mean, "ci_low": lo,
                   "ci_high": hi, "n_seeds": int(vals.notna().sum())}
            if ref is not None and metric in ref and m != reference and not ref.empty:
                common = vals.index.intersection(ref.index)
                d, dlo, dhi, p = paired_difference(vals.loc[common].values,
                                                   ref.loc[common, metric].astype(float).values,
                                                   level)
                row.update(diff_vs_uniform=d, diff_ci_low=dlo, diff_ci_high=dhi, diff_p_value=p,
                           measurable=bool(dlo > 0 or dhi < 0) if not math.isnan(dlo) else False)
            else:
                row.update(diff_vs_uniform=math.nan, diff_ci_low=math.nan,
                           diff_ci_high=math.nan, diff_p_value=math.nan, measurable=False)
            rows.append(row)
    return pd.DataFrame(rows)


@checked_params(**dict.fromkeys(("mean", "low", "high"), InstanceOf(Real, "a number")))
def format_interval(mean: float, low: float, high: float, digits: Optional[int] = None) -> str:
    r"""``"0.812 [0.791, 0.833]"`` with a precision fitted to the interval's width.

    The number of decimals is chosen so that the half-width shows two significant
    digits (at most 6 decimals, at least 0); values whose interval is a point are
    printed with 3 significant digits.

    Examples
    --------
    >>> format_interval(0.81234, 0.79111, 0.83357)
    '0.812 [0.791, 0.834]'
    >>> format_interval(1.0, 1.0, 1.0)
    '1'
    >>> format_interval(0.5, float("nan"), float("nan"))
    '0.5'
    """
    if math.isnan(mean):
        return "n/a"
    if digits is None:
        half = (high - low) / 2 if not (math.isnan(low) or math.isnan(high)) else 0.0
        if half > 0:
            digits = int(min(6, max(0, 1 - math.floor(math.log10(half)))))
        else:
            return f"{mean:.3g}"
    body = f"{mean:.{digits}f}"
    if math.isnan(low) or math.isnan(high) or high == low:
        return body
    return f"{body} [{low:.{digits}f}, {high:.{digits}f}]"
