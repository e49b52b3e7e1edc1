"""Intervals and paired differences against scipy on known cases."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from graphneg.analysis.statistics import (
    effects_table, format_interval, mean_interval, paired_difference,
)


def test_mean_interval_matches_scipy_t_interval():
    x = np.array([0.61, 0.65, 0.58, 0.70, 0.66])
    m, lo, hi = mean_interval(x)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert m == pytest.approx(x.mean())
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)


def test_interval_coverage_is_nominal():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(2000):
        _, lo, hi = mean_interval(rng.normal(1.0, 2.0, size=5))
        hits += lo <= 1.0 <= hi
    # binomial(2000, 0.95): sd ≈ 0.0049, so 4 sd either side
    assert abs(hits / 2000 - 0.95) < 0.02


def test_paired_difference_matches_ttest_rel():
    a = np.array([0.80, 0.82, 0.85, 0.79, 0.90])
    b = np.array([0.70, 0.75, 0.76, 0.77, 0.81])
    d, lo, hi, p = paired_difference(a, b)
    diff = a - b
    ref = stats.t.interval(0.95, 4, loc=diff.mean(), scale=stats.sem(diff))
    assert d == pytest.approx(diff.mean())
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    assert p == pytest.approx(stats.ttest_rel(a, b).pvalue, rel=1e-12)


def test_constant_and_missing_values():
    assert paired_difference([1, 1, 1], [1, 1, 1])[3] == 1.0
    assert paired_difference([2, 2, 2], [1, 1, 1])[:3] == (1.0, 1.0, 1.0)
    m, lo, hi = mean_interval([float("nan"), 1.0, 3.0])
    assert m == 2.0 and lo < 2.0 < hi
    assert all(math.isnan(v) for v in mean_interval([]))
    with pytest.raises(ValueError, match="one value per seed"):
        paired_difference([1, 2], [1])


def test_effects_table_pairs_by_seed():
    runs = pd.DataFrame({
        "graph": "g", "sampler": ["uniform"] * 3 + ["hard"] * 3,
        "seed": [0, 1, 2, 2, 1, 0],  # the hard rows in another order: pairing is by seed
        "auc": [0.70, 0.71, 0.76, 0.86, 0.81, 0.80]})
    t = effects_table(runs, ["auc"]).set_index("sampler")
    assert t.loc["hard", "diff_vs_uniform"] == pytest.approx(0.1 / 1 * 1, abs=1e-12)
    assert t.loc["hard", "measurable"]
    assert math.isnan(t.loc["uniform", "diff_vs_uniform"])
    assert t.loc["hard", "n_seeds"] == 3


def test_format_interval_precision():
    assert format_interval(0.00413, 0.00413, 0.00413) == "0.00413"
    assert format_interval(0.8123, 0.80, 0.8246) == "0.812 [0.800, 0.825]"
    assert format_interval(float("nan"), 0, 1) == "n/a"
