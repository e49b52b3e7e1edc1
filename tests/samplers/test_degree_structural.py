"""Exact-distribution and bad-input tests for the graph sampler family.

Every expected distribution is computed here from first principles (Python
sets, BFS, loops) — never by calling the sampler's own weights. Chi-square
threshold: ``distribution.P_THRESHOLD`` (1e-3) at fixed seeds, with >= 20k draws.
"""

import numpy as np
import pytest
import torch
from support.graphs import random_graph
from support.reference import (
    adjacency_sets,
    assert_distribution,
    chi_square_pvalue,
    draws_for,
    hop_distances,
    k_hop_ring,
    path_plus,
    valid_set,
)

from graphneg.samplers import DegreeNegativeSampler, StructuralNegativeSampler, structural

# ----------------------------------------------------------------- references


# --------------------------------------------------------------------- degree
@pytest.mark.parametrize("alpha", [0.0, 0.75, 1.0, 2.0])
@pytest.mark.parametrize("fallback_ratio", [0.1, 1.0])  # rejection path / exact path
def test_degree_distribution(alpha, fallback_ratio):
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    for anchor in (0, 6):
        partner = min(nbrs[anchor])
        sampler = DegreeNegativeSampler(8, alpha=alpha, seed=1, fallback_ratio=fallback_ratio)
        got = draws_for(sampler, ei, n, anchor, partner)
        probs = torch.zeros(n, dtype=torch.double)
        for m in valid_set(nbrs, anchor, n):
            deg = len(nbrs[m])
            probs[m] = 1.0 if alpha == 0 else deg ** alpha   # 0^0 = 1, 0^α = 0
        assert_distribution(got, probs)


def test_degree_wrong_alpha_is_detected():
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    got = draws_for(DegreeNegativeSampler(8, alpha=0.75, seed=1), ei, n, 0, 1)
    probs = torch.zeros(n, dtype=torch.double)
    for m in valid_set(nbrs, 0, n):
        probs[m] = len(nbrs[m]) ** 1.0
    assert chi_square_pvalue(got, probs) < 1e-3


def test_degree_falls_back_to_uniform_when_only_isolated_candidates():
    # edge 0-1 plus isolated 2, 3: anchor 0's candidates have degree 0
    ei = torch.tensor([[0, 1, 4, 5], [1, 0, 5, 4]])
    n = 6
    sampler = DegreeNegativeSampler(8, alpha=0.75, seed=0)
    # valid candidates of 0: {2, 3, 4, 5}; 4, 5 have degree 1 -> no fallback here
    got = draws_for(sampler, ei, n, 0, 1)
    assert set(got.tolist()) == {4, 5}
    assert sampler.last_stats.extra["fallback_anchors"] == 0
    # exclude 0-4 and 0-5: only isolated nodes remain -> uniform over {2, 3}
    excl = torch.tensor([[0, 0], [4, 5]])
    got = draws_for(sampler, ei, n, 0, 1, exclude_edge_index=excl)
    assert_distribution(got, torch.tensor([0, 0, 1, 1, 0, 0.0]))
    assert sampler.last_stats.extra["fallback_anchors"] == 1


def test_degree_pairs_mode_joint():
    # pairs mode: P(u, n) ∝ q(n|u) 1[(u, n) valid] with q normalised over all nodes
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    neg = DegreeNegativeSampler(30000, alpha=1.0, mode="pairs", seed=2).sample(ei, n)
    total = sum(len(s) for s in nbrs)
    probs = torch.zeros(n * n, dtype=torch.double)
    for u in range(n):
        for m in valid_set(nbrs, u, n):
            probs[u * n + m] = len(nbrs[m]) / total
    assert_distribution(neg[0] * n + neg[1], probs)


def test_degree_candidate_mask():
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    mask = torch.tensor([True, False] * 4 + [True])
    got = draws_for(DegreeNegativeSampler(8, alpha=1.0, seed=3), ei, n, 1, 0,
                    candidate_mask=mask)
    probs = torch.zeros(n, dtype=torch.double)
    for m in valid_set(nbrs, 1, n):
        if mask[m]:
            probs[m] = len(nbrs[m])
    assert_distribution(got, probs)


@pytest.mark.parametrize("alpha,exc,match", [
    (-0.5, ValueError, r"'alpha' parameter of DegreeNegativeSampler must be a finite float "
                       r"in \[0, inf\)\. Got -0.5"),
    (float("nan"), ValueError, "'alpha'.*Got nan"),
    ("0.75", TypeError, "'alpha'"),
])
def test_degree_bad_alpha(alpha, exc, match):
    with pytest.raises(exc, match=match):
        DegreeNegativeSampler(alpha=alpha)


# ----------------------------------------------------------------- structural
def structural_target(nbrs, u, n, num_hops, weight, gamma, eps, extra=()):
    dist = hop_distances(nbrs, u)
    ring = [m for m, d in dist.items() if 2 <= d <= num_hops]
    valid = set(valid_set(nbrs, u, n, extra))
    probs = torch.zeros(n, dtype=torch.double)
    for m in ring:
        if m not in valid:
            continue
        common = nbrs[u] & nbrs[m]
        if weight == "uniform":
            probs[m] = 1.0
        else:
            s = (len(common) if weight == "common_neighbors"
                 else sum(1 / len(nbrs[w]) for w in common))
            probs[m] = (s + eps) ** gamma
    if probs.sum() == 0:       # documented fallback: uniform over C(u)
        for m in valid:
            probs[m] = 1.0
    return probs


@pytest.mark.parametrize("num_hops,weight,gamma,eps", [
    (2, "uniform", 1.0, 1e-3),
    (3, "uniform", 1.0, 1e-3),
    (2, "common_neighbors", 1.0, 1e-3),
    (3, "common_neighbors", 2.0, 0.5),
    (3, "resource_allocation", 1.5, 0.1),
    (4, "common_neighbors", 1.0, 0.0),
    (2, "resource_allocation", 1.0, 1e-3),
    (2, "resource_allocation", 2.5, 0.05),
    (2, "resource_allocation", 0.5, 0.0),
    (2, "common_neighbors", 3.0, 0.0),
    (2, "common_neighbors", 0.0, 0.0),
])
@pytest.mark.parametrize("fallback_ratio", [0.1, 1.0])
def test_structural_distribution(num_hops, weight, gamma, eps, fallback_ratio):
    ei, n = random_graph(14, 18, seed=6), 14
    nbrs = adjacency_sets(ei, n)
    for anchor in (int(ei[0, 0]), int(ei[0, -1])):
        partner = min(nbrs[anchor])
        sampler = StructuralNegativeSampler(8, num_hops=num_hops, weight=weight, gamma=gamma,
                                            eps=eps, seed=4, fallback_ratio=fallback_ratio)
        got = draws_for(sampler, ei, n, anchor, partner)
        assert_distribution(got, structural_target(nbrs, anchor, n, num_hops, weight, gamma, eps))


def test_structural_wrong_weights_are_detected():
    ei, n = random_graph(14, 18, seed=6), 14
    nbrs = adjacency_sets(ei, n)
    anchor = int(ei[0, 0])
    sampler = StructuralNegativeSampler(8, num_hops=3, weight="common_neighbors", eps=0.5, seed=4)
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]))
    wrong = structural_target(nbrs, anchor, n, 3, "uniform", 1.0, 0.5)
    assert chi_square_pvalue(got, wrong) < 1e-3


def uneven_common_neighbours():
    """Ring nodes of 0 with 4, 1, 2, 1, 1 common neighbours (6, 7, 8, 9, 11); 10 is
    three hops away. Undirected, both directions."""
    und = torch.tensor([[0, 0, 0, 0, 0, 6, 6, 6, 6, 7, 8, 8, 9, 9, 9, 11],
                        [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 4, 5, 1, 10, 11, 3]])
    return torch.cat([und, und.flip(0)], 1), 12


@pytest.mark.parametrize("anchor", [0, 6])
def test_structural_uniform_two_hops_ignores_path_counts(anchor):
    # the 2-path proposal lands on n in proportion to CN(u, n); the draw must not
    # inherit that weighting (each ring node exactly 1 / |R(u)|), whichever of the
    # two rows is shorter when the first common neighbour is checked
    ei, n = uneven_common_neighbours()
    nbrs = adjacency_sets(ei, n)
    sampler = StructuralNegativeSampler(8, num_hops=2, seed=11)
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]))
    assert sampler.last_stats.extra["enumerated_slots"] == 0      # all via 2-paths
    assert_distribution(got, structural_target(nbrs, anchor, n, 2, "uniform", 1.0, 0.0))
    by_paths = structural_target(nbrs, anchor, n, 2, "common_neighbors", 1.0, 0.0)
    assert chi_square_pvalue(got, by_paths) < 1e-3


def test_structural_uniform_two_hops_directed():
    # directed 2-paths u -> w -> n: 4 has in-neighbours 1, 2, 3 (three paths from 0)
    # but out-neighbour 0 only; 3 is a neighbour of 0 and also two hops away (excluded)
    ei = torch.tensor([[0, 0, 0, 1, 2, 3, 2, 5, 4, 1, 3, 6],
                       [1, 2, 3, 4, 4, 4, 5, 6, 0, 3, 7, 2]])
    n = 8
    sampler = StructuralNegativeSampler(8, num_hops=2, directed=True, seed=12)
    got = draws_for(sampler, ei, n, 0, 1)
    ring = torch.zeros(n, dtype=torch.double)
    ring[[4, 5, 7]] = 1.0
    assert_distribution(got, ring)
    by_paths = torch.zeros(n, dtype=torch.double)
    by_paths[[4, 5, 7]] = torch.tensor([3.0, 1.0, 1.0], dtype=torch.double)
    assert chi_square_pvalue(got, by_paths) < 1e-3


def test_structural_excluded_ring_nodes_are_rejected_exactly():
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    excl = torch.tensor([[1], [3]])          # 3 is in 1's ring; now excluded
    sampler = StructuralNegativeSampler(8, num_hops=3, weight="common_neighbors", eps=0.2,
                                        seed=5)
    got = draws_for(sampler, ei, n, 1, 0, exclude_edge_index=excl)
    assert_distribution(got, structural_target(nbrs, 1, n, 3, "common_neighbors", 1.0, 0.2,
                                               extra=[3]))


def test_structural_fallback_when_ring_empty():
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    # the ring of 0 at two hops is {2, 5}; excluding both forces the fallback
    excl = torch.tensor([[0, 0], [2, 5]])
    sampler = StructuralNegativeSampler(8, num_hops=2, seed=6)
    got = draws_for(sampler, ei, n, 0, 1, exclude_edge_index=excl)
    assert sampler.last_stats.extra["fallback_anchors"] == 1
    probs = torch.zeros(n, dtype=torch.double)
    probs[valid_set(nbrs, 0, n, extra=[2, 5])] = 1.0
    assert_distribution(got, probs)
    # the isolated node 8 has an empty ring too; one hop is always the fallback
    sampler = StructuralNegativeSampler(2, num_hops=1, seed=6)
    sampler.sample(ei, n)
    assert sampler.last_stats.extra["fallback_anchors"] == len({int(a) for a in ei[0]})


def test_structural_pairs_mode_joint():
    # P(u, n) ∝ q(n|u) 1[valid]: every ring here is valid, so ring anchors carry mass 1;
    # the isolated node 8 falls back to q uniform over all 9 nodes (mass |C(8)| / 9)
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    neg = StructuralNegativeSampler(30000, num_hops=2, weight="common_neighbors", eps=0.5,
                                    mode="pairs", seed=7).sample(ei, n)
    probs = torch.zeros(n * n, dtype=torch.double)
    for u in range(n):
        p = structural_target(nbrs, u, n, 2, "common_neighbors", 1.0, 0.5)
        if u == 8:
            probs[u * n:(u + 1) * n] = p / n
        else:
            probs[u * n:(u + 1) * n] = p / p.sum()
    assert_distribution(neg[0] * n + neg[1], probs)


@pytest.mark.parametrize("kw,exc,match", [
    ({"num_hops": 0}, ValueError, r"'num_hops' parameter of StructuralNegativeSampler must be "
                                  r"an int in \[1, inf\)\. Got 0"),
    ({"num_hops": 2.0}, TypeError, "'num_hops'"),
    ({"gamma": -1.0}, ValueError, "'gamma'.*Got -1.0"),
    ({"gamma": float("nan")}, ValueError, "'gamma'.*Got nan"),
    ({"eps": -0.1}, ValueError, "'eps'"),
    ({"weight": "adamic"}, ValueError, "'weight'.*'uniform', 'common_neighbors'"),
])
def test_structural_bad_input(kw, exc, match):
    with pytest.raises(exc, match=match):
        StructuralNegativeSampler(**kw)


# ------------------------------------- 3-hop proposals, dense rings (cost routes)
@pytest.mark.parametrize("num_hops,directed,flags,cover", [
    (3, False, True, 0.0), (3, True, True, 0.0), (3, False, False, 0.0),
    (3, False, True, 1e9), (3, True, True, 1e9), (3, True, False, 1e9),
    (4, False, True, 0.0), (4, True, False, 0.0), (5, True, True, 0.0)])
def test_structural_k_hops_proposal_is_uniform_on_the_ring(num_hops, directed, flags, cover,
                                                          monkeypatch):
    """k >= 3 hops, uniform: proposals met in the middle (2-ball flags, or sorted keys
    when ``flags`` is False; at three hops uniform over V_c or, with ``cover``, over
    the 3-ball) keep exactly the uniform law on the k-hop ring."""
    if not flags:
        monkeypatch.setattr(structural, "_BITS_MAX", 1)
    monkeypatch.setattr(structural, "_COVER_RATIO", cover)
    g = torch.Generator().manual_seed(3)
    ei = torch.randint(30, (2, 60 if directed else 34), generator=g)
    ei = ei[:, ei[0] != ei[1]]
    if not directed:
        ei = torch.cat([ei, ei.flip(0)], 1)
    n = 30
    nbrs = adjacency_sets(ei, n)
    anchor = int(ei[0, 0])
    sampler = StructuralNegativeSampler(8, num_hops=num_hops, directed=directed, seed=2)
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]))
    assert sampler.last_stats.extra["ball_slots"] > 0               # met in the middle
    target = k_hop_ring(nbrs, anchor, n, num_hops, directed)
    inner = k_hop_ring(nbrs, anchor, n, num_hops - 1, directed)
    assert 0 < inner.sum() < target.sum()                           # the last hop matters
    assert_distribution(got, target)
    assert chi_square_pvalue(got, inner + 0.5 * target) < 1e-3      # a wrong law fails


def _dense_graph(n=300, p=0.9, seed=0):
    g = torch.Generator().manual_seed(seed)
    upper = (torch.rand(n, n, generator=g) < p).triu(1)
    ei = (upper | upper.t()).nonzero().t()
    return ei, n


@pytest.mark.parametrize("weight,gamma", [("uniform", 1.0), ("common_neighbors", 2.0)])
def test_structural_dense_anchor_draws_from_its_enumerated_ring(weight, gamma):
    ei, n = _dense_graph()
    nbrs = adjacency_sets(ei, n)
    anchor = int(ei[0, 0])
    # share |C(u)| / (N - 1) is about 0.1: with fallback_ratio 0.01 the slots go
    # through the rejection proposal, which routes them to the (dense-built) ring
    sampler = StructuralNegativeSampler(8, weight=weight, gamma=gamma, eps=0.0, seed=5,
                                        fallback_ratio=0.01)
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]))
    assert sampler.last_stats.extra["enumerated_slots"] > 0
    assert sampler.last_stats.exact_slots == 0
    probs = k_hop_ring(nbrs, anchor, n, 2, False)
    if weight == "common_neighbors":
        for m in probs.nonzero().view(-1).tolist():
            probs[m] = len(nbrs[anchor] & nbrs[m]) ** gamma
    assert_distribution(got, probs)


@pytest.mark.parametrize("num_hops,weight", [(2, "uniform"), (2, "resource_allocation"),
                                             (3, "common_neighbors")])
def test_structural_dense_build_equals_sparse_build(num_hops, weight, monkeypatch):
    from graphneg.samplers import structural
    from graphneg.samplers.base import SamplingContext
    from graphneg.edges import EdgeSet
    ei, n = _dense_graph(280, 0.5, seed=1)
    pos = ei[:, :40]
    mask = torch.rand(n, generator=torch.Generator().manual_seed(0)) < 0.8
    sampler = StructuralNegativeSampler(1, num_hops=num_hops, weight=weight, gamma=1.5)
    ctx = SamplingContext(n, ei, EdgeSet([ei, pos], n), mask, None, {})
    anchors = torch.unique(pos[0]).numpy()
    dense = sampler._build(anchors, ctx)
    monkeypatch.setattr(structural, "_DENSE_MIN_NODES", 10 ** 9)     # force the sparse build
    sparse = sampler._build(anchors, ctx)
    assert (dense["indptr"] == sparse["indptr"]).all() and (dense["fallback"] ==
                                                             sparse["fallback"]).all()
    row = np.repeat(np.arange(anchors.size), np.diff(dense["indptr"]))
    order = [np.lexsort((t["cols"], row)) for t in (dense, sparse)]   # same rows, as sets
    assert (dense["cols"][order[0]] == sparse["cols"][order[1]]).all()
    assert np.allclose(dense["logw"][order[0]], sparse["logw"][order[1]], rtol=1e-12,
                       atol=1e-12)


@pytest.mark.parametrize("score", ["common_neighbors", "resource_allocation"])
def test_anchor_scores_dense_equals_sparse(score, monkeypatch):
    from graphneg.edges import to_scipy_csr
    from graphneg.samplers import structural
    ei, n = _dense_graph(260, 0.3, seed=2)
    adj = to_scipy_csr(ei, n)
    anchors = np.array([0, 7, 7, 259])
    dense = structural.anchor_scores(adj, anchors, score)
    monkeypatch.setattr(structural, "_DENSE_MIN_NODES", 10 ** 9)
    sparse = structural.anchor_scores(adj, anchors, score)
    assert dense.has_sorted_indices and sparse.has_sorted_indices
    assert (dense.indptr == sparse.indptr).all() and (dense.indices == sparse.indices).all()
    assert np.allclose(dense.data, sparse.data, rtol=1e-12)


def test_degree_guide_bracket_counts_equal_searchsorted():
    # the guide table's bracket bounds are counted per cdf entry instead of searched
    # per bucket: the same integers, ties and zero weights included
    from graphneg.samplers.degree import _count_at_most
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 60))
        cdf = np.cumsum(rng.integers(0, 4, n).astype(float) ** 0.75)
        m = 8 * n
        edges = np.arange(m + 1) * (cdf[-1] / m)
        for bounds in (edges[:-1] * (1 - 1e-9), edges[1:] * (1 + 1e-9), np.sort(rng.random(7))):
            want = np.searchsorted(cdf, bounds, side="right")
            assert np.array_equal(_count_at_most(cdf, bounds), want)
