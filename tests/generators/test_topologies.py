"""Learnable topologies: random geometric, Holme–Kim power-law cluster, degree-corrected SBM.

Exact laws are checked against brute force (geometric), exact enumeration (Holme–Kim,
DC-SBM on a few nodes), closed forms (edge counts) and seeded statistics; every
statistical threshold is p > 1e-4 or |z| < 4.5, far from what a wrong law of the
stated size produces.
"""
from __future__ import annotations

import itertools
import math
from collections import Counter

import networkx as nx
import numpy as np
import pytest
import torch
from graphneg.generators import (
    degree_corrected_sbm,
    generate,
    get_generator,
    powerlaw_cluster,
    random_geometric,
    stochastic_block_model,
)
from scipy import stats
from torch_geometric.utils import is_undirected

CASES = {
    "geometric": dict(num_nodes=300, radius=0.1, seed=0),
    "powerlaw_cluster": dict(num_nodes=300, num_edges=3, triangle_prob=0.5, seed=0),
    "dcsbm": dict(block_sizes=[60, 90], edge_probs=[[0.1, 0.01], [0.01, 0.08]], seed=0),
}
FUNCTIONS = {"geometric": random_geometric, "powerlaw_cluster": powerlaw_cluster,
             "dcsbm": degree_corrected_sbm}


def simple_undirected(data) -> bool:
    ei, n = data.edge_index, data.num_nodes
    keys = ei[0] * n + ei[1]
    return (ei.dtype == torch.long and isinstance(n, int) and not bool((ei[0] == ei[1]).any())
            and bool((keys[1:] > keys[:-1]).all()) and is_undirected(ei, num_nodes=n)
            and (ei.numel() == 0 or (int(ei.min()) >= 0 and int(ei.max()) < n)))


def undirected_pairs(data) -> set:
    u, v = data.edge_index
    keep = u < v
    return set(zip(u[keep].tolist(), v[keep].tolist()))


def merged_chi_square_pvalue(observed: np.ndarray, expected_prob: np.ndarray) -> float:
    """Goodness of fit with the outcomes of expected count < 5 pooled into one bin."""
    expected = expected_prob / expected_prob.sum() * observed.sum()
    rare = expected < 5
    obs = np.append(observed[~rare], observed[rare].sum())
    exp = np.append(expected[~rare], expected[rare].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return float(stats.chisquare(obs, exp).pvalue)


# ----------------------------------------------------------------------------- contract

@pytest.mark.parametrize("name", sorted(CASES))
def test_contract_and_registry(name):
    assert get_generator(name) is FUNCTIONS[name]
    data = generate(name, **CASES[name])
    assert simple_undirected(data)
    assert data.edge_index.size(1) > 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_seeds_reproduce_bit_for_bit_and_differ(name):
    kwargs = dict(CASES[name])
    a, b = generate(name, **kwargs), generate(name, **kwargs)
    for key in a.keys():
        if isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
    kwargs["seed"] = torch.Generator().manual_seed(5)
    c = generate(name, **kwargs)
    kwargs["seed"] = torch.Generator().manual_seed(5)
    assert torch.equal(c.edge_index, generate(name, **kwargs).edge_index)
    kwargs["seed"] = 1
    assert not torch.equal(a.edge_index, generate(name, **kwargs).edge_index)


# ----------------------------------------------------------------------------- geometric

@pytest.mark.parametrize("num_nodes, radius, dim", [(400, 0.07, 2), (300, 0.2, 3), (200, 0.02, 1)])
def test_geometric_edges_are_exactly_the_close_pairs(num_nodes, radius, dim):
    data = random_geometric(num_nodes, radius, dim=dim, seed=3)
    pos = data.pos.double().numpy()
    assert data.pos.shape == (num_nodes, dim) and data.pos.dtype == torch.float32
    assert (pos >= 0).all() and (pos < 1).all()
    dist2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1)  # brute force, O(n^2)
    u, v = np.nonzero(np.triu(dist2 <= radius * radius, k=1))
    assert undirected_pairs(data) == set(zip(u.tolist(), v.tolist()))


def test_geometric_positions_are_uniform_and_edge_count_matches_closed_form():
    coords = random_geometric(4000, 0.03, seed=11).pos.double().numpy().ravel()
    assert stats.kstest(coords, "uniform").pvalue > 1e-4
    # Two uniform points of the unit square are within r <= 1 with probability
    # pi r^2 - 8 r^3 / 3 + r^4 / 2, so E[M] = C(n, 2) times that; z-test over 30 seeds.
    n, r, seeds = 500, 0.05, 30
    counts = np.array([random_geometric(n, r, seed=s).edge_index.size(1) // 2
                       for s in range(seeds)])
    expected = n * (n - 1) / 2 * (math.pi * r ** 2 - 8 * r ** 3 / 3 + r ** 4 / 2)
    z = (counts.mean() - expected) / (counts.std(ddof=1) / math.sqrt(seeds))
    assert abs(z) < 4.5, (counts.mean(), expected)


def test_geometric_edge_cases():
    assert random_geometric(0, 0.5, seed=0).edge_index.shape == (2, 0)
    assert random_geometric(1, 0.5, seed=0).edge_index.shape == (2, 0)
    assert random_geometric(50, 0.0, seed=0).edge_index.shape == (2, 0)
    full = random_geometric(30, math.sqrt(2), seed=0)
    assert full.edge_index.size(1) == 30 * 29 and simple_undirected(full)


# ----------------------------------------------------------------------------- Holme–Kim

def holme_kim_law(n: int, m: int, p: float) -> dict:
    """Exact probability of every final edge set, enumerating the process step by step."""
    def new_node(t, repeated, nbrs):
        """(chosen tuple, prob) for node t: a transcription of the stated law."""
        out = Counter()
        counts = Counter(repeated)

        def pa(linked, prob):  # preferential draw, nodes already linked rejected
            total = sum(c for v, c in counts.items() if v not in linked)
            return [(v, prob * c / total) for v, c in counts.items() if v not in linked]

        def step(linked, target, prob):
            if len(linked) == m:
                out[tuple(linked)] += prob
                return
            free = [v for v in nbrs[target] if v not in linked]
            if free:
                for v in free:
                    step(linked + [v], target, prob * p / len(free))
                pa_prob = prob * (1 - p)
            else:
                pa_prob = prob
            for v, q in pa(linked, pa_prob):
                step(linked + [v], v, q)

        for v, q in pa([], 1.0):
            step([v], v, q)
        return out

    law = Counter()

    def grow(t, repeated, nbrs, edges, prob):
        if t == n:
            law[frozenset(edges)] += prob
            return
        for chosen, q in new_node(t, repeated, nbrs).items():
            new_nbrs = [list(x) for x in nbrs]
            for v in chosen:
                new_nbrs[v].append(t)
                new_nbrs[t].append(v)
            grow(t + 1, repeated + list(chosen) + [t] * m, new_nbrs,
                 edges | {(v, t) for v in chosen}, prob * q)

    grow(m, list(range(m)), [[] for _ in range(n)], frozenset(), 1.0)
    return law


def test_holme_kim_law_by_exact_enumeration():
    n, m, p, draws = 5, 2, 0.6, 3000  # 18 graphs; p off by 0.1 fails with power 0.94
    law = holme_kim_law(n, m, p)
    assert math.isclose(sum(law.values()), 1.0)
    graphs = list(law)
    index = {g: i for i, g in enumerate(graphs)}
    observed = np.zeros(len(graphs))
    for s in range(draws):
        g = frozenset(undirected_pairs(powerlaw_cluster(n, m, p, seed=s)))
        assert g in index, "a graph the law gives probability 0"
        observed[index[g]] += 1
    assert merged_chi_square_pvalue(observed, np.array([law[g] for g in graphs])) > 1e-4


@pytest.mark.parametrize("n, m, p", [(500, 1, 0.0), (500, 3, 0.7), (300, 5, 1.0), (4, 4, 0.5)])
def test_holme_kim_every_new_node_makes_exactly_m_edges(n, m, p):
    data = powerlaw_cluster(n, m, p, seed=2)
    assert simple_undirected(data)
    assert data.edge_index.size(1) == 2 * m * (n - m)  # E = m (n - m), no initial edges
    deg = np.bincount(data.edge_index[0].numpy(), minlength=n)
    assert (deg[m:] >= m).all()
    # each new node t links to exactly m earlier nodes
    u, v = data.edge_index
    later = u > v
    assert np.bincount(u[later].numpy(), minlength=n)[m:].tolist() == [m] * (n - m)


def test_holme_kim_clustering_matches_networkx_over_seeds():
    # Mean average clustering over 30 seeds each; the two means agree within 4.5 standard
    # errors of their difference (networkx's process differs only in rare duplicate edges).
    n, m, p, seeds = 300, 3, 0.6, 30

    def clustering(data):
        g = nx.Graph()
        g.add_nodes_from(range(data.num_nodes))
        g.add_edges_from(undirected_pairs(data))
        return nx.average_clustering(g)

    ours = np.array([clustering(powerlaw_cluster(n, m, p, seed=s)) for s in range(seeds)])
    theirs = np.array([nx.average_clustering(nx.powerlaw_cluster_graph(n, m, p, seed=100 + s))
                       for s in range(seeds)])
    se = math.sqrt(ours.var(ddof=1) / seeds + theirs.var(ddof=1) / seeds)
    assert abs(ours.mean() - theirs.mean()) < 4.5 * se, (ours.mean(), theirs.mean(), se)
    # and the triangle step does what it says: far more clustering than p = 0
    flat = np.array([clustering(powerlaw_cluster(n, m, 0.0, seed=s)) for s in range(5)])
    assert ours.mean() > 3 * flat.mean()


# ----------------------------------------------------------------------------- DC-SBM

def dcsbm_pair_probs(theta: np.ndarray, block: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """p_uv = 1 - (1 - P[b_u, b_v]) ** (theta_u theta_v), brute force over all pairs."""
    base = probs[block[:, None], block[None, :]]
    return 1.0 - (1.0 - base) ** np.outer(theta, theta)


def test_dcsbm_is_exact_on_four_nodes():
    # All 2^6 graphs on 4 nodes: P(G) = prod over pairs of p_uv or 1 - p_uv.
    sizes, probs = [2, 2], np.array([[0.5, 0.2], [0.2, 0.7]])
    weights = np.array([1.0, 3.0, 0.5, 4.0])  # block means 2 and 2.25, normalised to 1
    n, draws = 4, 3000
    pairs = list(itertools.combinations(range(n), 2))
    observed = np.zeros(2 ** len(pairs))
    for s in range(draws):
        data = degree_corrected_sbm(sizes, probs, degree_weights=weights, seed=s)
        have = undirected_pairs(data)
        observed[sum(1 << i for i, pair in enumerate(pairs) if pair in have)] += 1
    theta = data.theta.numpy()
    block = data.block.numpy()
    assert np.allclose([theta[:2].mean(), theta[2:].mean()], [1.0, 1.0])
    assert np.allclose(theta, weights / np.repeat([2.0, 2.25], sizes))
    p = dcsbm_pair_probs(theta, block, probs)
    p_pair = np.array([p[u, v] for u, v in pairs])
    bits = (np.arange(observed.size)[:, None] >> np.arange(len(pairs))[None, :]) & 1
    law = np.prod(np.where(bits == 1, p_pair, 1 - p_pair), axis=1)
    assert merged_chi_square_pvalue(observed, law) > 1e-4


def test_dcsbm_block_pair_edge_counts_match_expected_sum():
    # Given theta, the edges of block pair (r, s) are a sum of independent Bernoulli(p_uv):
    # z = (count - sum p) / sqrt(sum p (1 - p)); sum of z^2 over pairs and seeds ~ chi2.
    sizes = [80, 120, 100]
    probs = np.array([[0.12, 0.01, 0.005], [0.01, 0.08, 0.02], [0.005, 0.02, 0.1]])
    statistic, dof = 0.0, 0
    for s in range(10):
        data = degree_corrected_sbm(sizes, probs, exponent=2.5, seed=s)
        theta, block = data.theta.numpy(), data.block.numpy()
        p = dcsbm_pair_probs(theta, block, probs)
        np.fill_diagonal(p, 0.0)
        iu = np.triu_indices(block.size, 1)
        pair_block = (np.minimum(block[iu[0]], block[iu[1]]),
                      np.maximum(block[iu[0]], block[iu[1]]))
        u, v = data.edge_index[:, data.edge_index[0] < data.edge_index[1]].numpy()
        for r in range(3):
            for t in range(r, 3):
                sel = (pair_block[0] == r) & (pair_block[1] == t)
                mean = p[iu][sel].sum()
                var = (p[iu][sel] * (1 - p[iu][sel])).sum()
                count = int(((np.minimum(block[u], block[v]) == r)
                             & (np.maximum(block[u], block[v]) == t)).sum())
                statistic += (count - mean) ** 2 / var
                dof += 1
    assert stats.chi2.sf(statistic, dof) > 1e-4 and stats.chi2.cdf(statistic, dof) > 1e-4


def test_dcsbm_has_heavy_tailed_degrees_and_unit_weights_give_the_sbm():
    sizes, probs = [500, 500], [[0.02, 0.002], [0.002, 0.02]]
    heavy = degree_corrected_sbm(sizes, probs, exponent=2.2, seed=0)
    plain = stochastic_block_model(sizes, probs, seed=0)
    deg_heavy = np.bincount(heavy.edge_index[0].numpy(), minlength=1000)
    deg_plain = np.bincount(plain.edge_index[0].numpy(), minlength=1000)
    assert deg_heavy.max() > 3 * deg_plain.max()
    assert stats.spearmanr(heavy.theta.numpy(), deg_heavy).statistic > 0.5
    assert heavy.y.tolist() == heavy.block.tolist() == plain.y.tolist()
    # theta = 1: every pair of blocks r, s is Bernoulli(P_rs): edge count ~ Binomial
    flat = degree_corrected_sbm(sizes, probs, degree_weights=np.ones(1000), seed=4)
    count = flat.edge_index.size(1) // 2
    mean = 0.02 * 2 * 500 * 499 / 2 + 0.002 * 500 * 500
    var = 0.02 * 0.98 * 2 * 500 * 499 / 2 + 0.002 * 0.998 * 500 * 500
    assert abs(count - mean) < 4.5 * math.sqrt(var)


def test_dcsbm_probability_one_fills_the_block_pair():
    data = degree_corrected_sbm([4, 3], [[1.0, 0.0], [0.0, 1.0]], seed=0)
    assert undirected_pairs(data) == {(u, v) for u, v in itertools.combinations(range(7), 2)
                                      if (u < 4) == (v < 4)}


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("fn, kwargs, exc, match", [
    (random_geometric, dict(num_nodes=-1, radius=0.1), ValueError,
     r"The 'num_nodes' parameter of random_geometric must be an int in \[0, inf\)\. Got -1"),
    (random_geometric, dict(num_nodes=10, radius=-0.1), ValueError,
     r"The 'radius' parameter of random_geometric must be a finite float in \[0, inf\)"),
    (random_geometric, dict(num_nodes=10, radius=float("inf")), ValueError, r"'radius'.*Got inf"),
    (random_geometric, dict(num_nodes=10, radius=0.1, dim=0), ValueError, r"'dim'.*Got 0"),
    (random_geometric, dict(num_nodes=10.5, radius=0.1), TypeError, r"'num_nodes'.*must be an int"),
    (random_geometric, dict(num_nodes=10, radius="big"), TypeError, r"'radius'"),
    (random_geometric, dict(num_nodes=10, radius=0.1, seed=-1), ValueError, r"'seed'"),
    (powerlaw_cluster, dict(num_nodes=10, num_edges=0, triangle_prob=0.5), ValueError,
     r"The 'num_edges' parameter of powerlaw_cluster must be an int in \[1, inf\)\. Got 0"),
    (powerlaw_cluster, dict(num_nodes=2, num_edges=3, triangle_prob=0.5), ValueError,
     r"The 'num_nodes' parameter of powerlaw_cluster must be an int in \[3, inf\)\. Got 2"),
    (powerlaw_cluster, dict(num_nodes=10, num_edges=2, triangle_prob=1.5), ValueError,
     r"The 'triangle_prob' parameter of powerlaw_cluster must be a finite float in \[0, 1\]"),
    (powerlaw_cluster, dict(num_nodes=10, num_edges=2.0, triangle_prob=0.5), TypeError,
     r"'num_edges'"),
    (degree_corrected_sbm, dict(block_sizes=[5, 5], edge_probs=[[0.5, 0.1], [0.2, 0.5]]),
     ValueError, r"The 'edge_probs' parameter of degree_corrected_sbm must be symmetric"),
    (degree_corrected_sbm, dict(block_sizes=[5, 5], edge_probs=[[0.5]]), ValueError,
     r"'edge_probs'.*shape \(2, 2\)"),
    (degree_corrected_sbm, dict(block_sizes=[5, -1], edge_probs=np.eye(2)), ValueError,
     r"The 'block_sizes\[1\]' parameter of degree_corrected_sbm"),
    (degree_corrected_sbm, dict(block_sizes="55", edge_probs=np.eye(2)), TypeError,
     r"'block_sizes'.*non-empty sequence"),
    (degree_corrected_sbm, dict(block_sizes=[5], edge_probs=[[0.5]], exponent=1.0), ValueError,
     r"The 'exponent' parameter of degree_corrected_sbm must be a finite float in \(1, inf\)"),
    (degree_corrected_sbm, dict(block_sizes=[3], edge_probs=[[0.5]], degree_weights=[1, 2]),
     ValueError, r"'degree_weights'.*shape \(3,\)"),
    (degree_corrected_sbm, dict(block_sizes=[3], edge_probs=[[0.5]], degree_weights=[1, 0, 2]),
     ValueError, r"'degree_weights'.*positive finite.*degree_weights\[1\] = 0\.0"),
    (degree_corrected_sbm, dict(block_sizes=[3], edge_probs=[[0.5]], degree_weights="abc"),
     TypeError, r"'degree_weights'"),
])
def test_bad_input_names_the_parameter(fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(**kwargs)
