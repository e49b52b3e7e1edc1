"""Seeded goodness-of-fit helpers for exact-distribution tests."""
from __future__ import annotations

import numpy as np
import torch
from scipy import stats

#: p-value below which a sampler's empirical frequencies are declared wrong.
#: Seeds are fixed, so a correct sampler passes deterministically; with the
#: draw counts used (>= 20k) a distribution off by a few percent fails.
P_THRESHOLD = 1e-3


def chi_square_pvalue(samples: torch.Tensor, probs: torch.Tensor) -> float:
    """Chi-square goodness of fit of integer ``samples`` in ``[0, len(probs))``
    against ``probs`` (zero-probability outcomes must never occur)."""
    probs = probs.double() / probs.double().sum()
    counts = torch.bincount(samples, minlength=probs.numel()).double()
    if bool((counts[probs == 0] > 0).any()):
        return 0.0
    nz = probs > 0
    expected = (probs[nz] * counts.sum()).numpy()
    return float(stats.chisquare(counts[nz].numpy(), expected).pvalue)


def assert_distribution(samples: torch.Tensor, probs: torch.Tensor) -> None:
    p = chi_square_pvalue(samples, probs)
    assert p > P_THRESHOLD, f"chi-square p = {p:.2e} <= {P_THRESHOLD}"
