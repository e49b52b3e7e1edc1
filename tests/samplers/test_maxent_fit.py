"""Fitted max-entropy exponents: closed form, exact enumeration, an independent optimiser."""
import itertools
import math

import numpy as np
import pytest
import torch
from scipy.optimize import minimize
from support.reference import assert_distribution

from graphneg.generators import random_hypergraph
from graphneg.hyperedges import from_member_lists, to_member_lists
from graphneg.samplers.hyperedge import HyperedgeNegativeSampler, fit_maxent

N = 6
TRUE = [frozenset(s) for s in ([0, 1, 2], [1, 2, 3], [2, 3], [3, 4, 5], [0, 5])]
H = from_member_lists([sorted(s) for s in TRUE])
# every set of 2 or 3 nodes that is not a true hyperedge
POOL = [frozenset(c) for k in (2, 3) for c in itertools.combinations(range(N), k)
        if frozenset(c) not in TRUE]
POOL_INDEX = from_member_lists([sorted(s) for s in POOL])


def features(anchor, sets):
    """(log|E|, log(1 - o(E; A))) of every set not equal to the anchor (Python sets)."""
    out = []
    for e in sets:
        if e == anchor:
            continue
        o = len(e & anchor) / len(e | anchor)
        out.append((math.log(len(e)), math.log1p(-o)))
    return np.array(out)


def brute_target():
    return np.mean([features(a, TRUE).mean(0) for a in TRUE], axis=0)


def brute_law(anchor, alpha, beta):
    f = features(anchor, POOL)
    w = np.exp(f @ np.array([alpha, beta]))
    return f, w / w.sum()


def test_fit_on_the_true_hyperedges_is_uniform_exactly():
    # the target is uniform over the other true hyperedges: on that pool the fit is 0, 0
    h = random_hypergraph(30, 40, size_distribution=[2, 3, 4, 5], seed=3).edge_index
    fit = fit_maxent(h, 30)
    assert fit.converged and abs(fit.alpha) < 1e-12 and abs(fit.beta) < 1e-12
    assert fit.moments == pytest.approx(fit.target, abs=1e-12)


def test_fit_meets_the_moments_by_enumeration_and_is_the_maximum_entropy_law():
    fit = fit_maxent(H, N, candidate_index=POOL_INDEX)
    assert fit.converged
    target = brute_target()
    assert fit.target == pytest.approx(tuple(target), abs=1e-12)
    laws = [brute_law(a, fit.alpha, fit.beta) for a in TRUE]
    moments = np.mean([p @ f for f, p in laws], axis=0)
    assert moments == pytest.approx(target, abs=1e-8)
    # an independent solver: maximise the total entropy over free per-anchor laws
    feats = [f for f, _ in laws]
    sizes = [len(f) for f in feats]
    cuts = np.cumsum([0] + sizes)

    def split(q):
        return [q[cuts[i]:cuts[i + 1]] for i in range(len(sizes))]

    def neg_entropy(q):
        q = np.clip(q, 1e-300, None)
        return float((q * np.log(q)).sum())

    cons = [{"type": "eq", "fun": lambda q, i=i: split(q)[i].sum() - 1} for i in range(len(sizes))]
    cons += [{"type": "eq", "fun": lambda q, j=j: np.mean(
        [p @ f[:, j] for p, f in zip(split(q), feats)]) - target[j]} for j in range(2)]
    q0 = np.concatenate([np.full(s, 1.0 / s) for s in sizes])
    res = minimize(neg_entropy, q0, constraints=cons, bounds=[(0, 1)] * q0.size,
                   method="SLSQP", options={"ftol": 1e-13, "maxiter": 500})
    assert res.success
    ours = np.concatenate([p for _, p in laws])
    assert -neg_entropy(ours) >= -res.fun - 1e-7
    assert np.abs(ours - res.x).max() < 1e-4


def test_fitted_sampler_draws_the_fitted_law():
    fit = fit_maxent(H, N, candidate_index=POOL_INDEX)
    s = HyperedgeNegativeSampler(20000, fit="moments", seed=0)
    out = s.sample(H, N, anchors=torch.tensor([1]), candidate_index=POOL_INDEX)
    assert s.last_fit == fit
    assert s.last_stats.extra["alpha"] == fit.alpha and s.last_stats.extra["beta"] == fit.beta
    _, p = brute_law(TRUE[1], fit.alpha, fit.beta)
    # pool order: POOL, never the anchor (not in POOL), so the law is over every candidate
    assert_distribution(out.candidate, torch.from_numpy(p))
    assert all(frozenset(m) not in TRUE for m in to_member_lists(out.hyperedge_index))


def test_unreachable_target_is_reported_not_met():
    # a pool that never overlaps an anchor cannot match the true hyperedges' overlap
    h = from_member_lists([[0, 1], [1, 2], [0, 2]])
    fit = fit_maxent(h, 5, candidate_index=from_member_lists([[3, 4]]))
    assert not fit.converged and fit.moments[1] == 0.0 and fit.target[1] < 0


def test_fit_errors_name_the_parameter():
    with pytest.raises(ValueError, match="'bound' parameter of fit_maxent"):
        fit_maxent(H, N, bound=0.0)
    with pytest.raises(ValueError, match="'fit' parameter of HyperedgeNegativeSampler"):
        HyperedgeNegativeSampler(fit="validation")
