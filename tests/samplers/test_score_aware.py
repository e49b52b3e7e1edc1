"""Score-aware samplers (softmax, MCNS, DNS): exact distributions from first principles.

Expected probabilities come from Python loops (math.exp, explicit enumeration
of DNS's draw tuples), never from the samplers' own weights. Chi-square
threshold ``distribution.P_THRESHOLD`` (1e-3), fixed seeds, 24k draws.
"""
import itertools
import math

import pytest
import torch
from support.reference import (
    adjacency_sets,
    assert_distribution,
    chi_square_pvalue,
    draws_for,
    path_plus,
    valid_set,
)
from torch_geometric.data import Data

from graphneg.samplers import (
    DynamicNegativeSampler,
    MCNSSampler,
    SoftmaxNegativeSampler,
)


def embeddings(n, d=3, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return scale * torch.randn(n, d, generator=g, dtype=torch.double)


def dot(z, a, b):
    return sum(x * y for x, y in zip(z[a].tolist(), z[b].tolist()))


@pytest.mark.parametrize("temperature", [0.3, 1.0, 5.0])
@pytest.mark.parametrize("fallback_ratio", [0.1, 1.0])
def test_softmax_distribution(temperature, fallback_ratio):
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    z = embeddings(n, seed=1)
    for anchor in (1, 6):
        sampler = SoftmaxNegativeSampler(8, temperature=temperature, seed=2,
                                         fallback_ratio=fallback_ratio)
        got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]), z=z)
        probs = torch.zeros(n, dtype=torch.double)
        for m in valid_set(nbrs, anchor, n):
            probs[m] = math.exp(dot(z, anchor, m) / temperature)
        assert_distribution(got, probs)


def test_softmax_neighbours_scored_highest_are_masked_not_rejected():
    # the anchor's neighbours get huge scores; they are masked out of the proposal, so
    # one round suffices, and the result must still be the softmax over C(u)
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    z = embeddings(n, seed=3, scale=0.3)
    z[2] = z[1] * 12        # node 1's neighbours 0, 2, 5 align with it
    z[0] = z[1] * 12
    z[5] = z[1] * 12
    sampler = SoftmaxNegativeSampler(8, temperature=0.5, seed=3, max_rounds=2)
    got = draws_for(sampler, ei, n, 1, 0, z=z)
    assert sampler.last_stats.rejected == 0 and sampler.last_stats.rounds == 1
    probs = torch.zeros(n, dtype=torch.double)
    for m in valid_set(nbrs, 1, n):
        probs[m] = math.exp(dot(z, 1, m) / 0.5)
    assert_distribution(got, probs)


def test_softmax_chunking_does_not_change_the_law(monkeypatch):
    # blocks of 7 elements: 2 distinct anchors x 3 candidates per block, so several
    # anchor blocks and candidate blocks in both passes
    import graphneg.samplers.score_aware as sa
    monkeypatch.setattr(sa, "_BLOCK_ELEMENTS", 7)
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    z = embeddings(n, seed=4)
    anchors = [3, 1, 6, 0, 7]
    pos = torch.tensor([[a, min(nbrs[a])] for a in anchors]).t().repeat(1, 1200)
    neg = SoftmaxNegativeSampler(4, temperature=0.7, seed=5).sample(ei, n, pos_edge_index=pos,
                                                                    z=z)
    for a in anchors:
        probs = torch.zeros(n, dtype=torch.double)
        for m in valid_set(nbrs, a, n):
            probs[m] = math.exp(dot(z, a, m) / 0.7)
        assert_distribution(neg[1][neg[0] == a], probs)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 3.0])
def test_mcns_distribution(alpha):
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    z = embeddings(n, seed=6, scale=1.5)
    got = draws_for(MCNSSampler(8, alpha=alpha, seed=7), ei, n, 2, 1, z=z)
    probs = torch.zeros(n, dtype=torch.double)
    for m in valid_set(nbrs, 2, n):
        probs[m] = (1 / (1 + math.exp(-dot(z, 2, m)))) ** alpha
    assert_distribution(got, probs)
    if alpha == 3.0:   # the test can fail: softmax with T = 1/α is a different law
        wrong = torch.zeros(n, dtype=torch.double)
        for m in valid_set(nbrs, 2, n):
            wrong[m] = math.exp(alpha * dot(z, 2, m))
        assert chi_square_pvalue(got, wrong) < 1e-3


def dns_target_by_enumeration(scores, x):
    """Enumerate every X-tuple of uniform draws; the chosen one has the highest score
    (ties: smaller node id). ``scores``: {node: score} over the valid candidates."""
    nodes = sorted(scores)
    counts = dict.fromkeys(nodes, 0)
    for tup in itertools.product(nodes, repeat=x):
        best = max(tup, key=lambda m: (scores[m], -m))
        counts[best] += 1
    return counts


@pytest.mark.parametrize("num_draws", [1, 2, 3])
@pytest.mark.parametrize("fallback_ratio", [0.1, 1.0])
def test_dns_distribution_by_enumeration(num_draws, fallback_ratio):
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    z = embeddings(n, seed=8)
    z[7] = z[3]             # a tie between candidates 3 and 7 of anchor 1
    anchor = 1
    cand = valid_set(nbrs, anchor, n)
    counts = dns_target_by_enumeration({m: dot(z, anchor, m) for m in cand}, num_draws)
    probs = torch.zeros(n, dtype=torch.double)
    for m, c in counts.items():
        probs[m] = c
    sampler = DynamicNegativeSampler(8, num_draws=num_draws, seed=9,
                                     fallback_ratio=fallback_ratio)
    got = draws_for(sampler, ei, n, anchor, 0, z=z)
    assert_distribution(got, probs)
    if num_draws > 1:
        assert chi_square_pvalue(got, torch.tensor([float(m in cand) for m in range(n)])) < 1e-3


def test_dns_pairs_mode_is_uniform_anchor_then_dns():
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    z = embeddings(n, seed=10)
    neg = DynamicNegativeSampler(30000, num_draws=2, mode="pairs", seed=11).sample(ei, n, z=z)
    probs = torch.zeros(n * n, dtype=torch.double)
    for u in range(n):
        cand = valid_set(nbrs, u, n)
        counts = dns_target_by_enumeration({m: dot(z, u, m) for m in cand}, 2)
        for m, c in counts.items():
            probs[u * n + m] = c / len(cand) ** 2
    assert_distribution(neg[0] * n + neg[1], probs)


def test_transform_face_passes_z():
    ei, n = path_plus()
    z = embeddings(n, seed=12).float()
    data = Data(edge_index=ei, num_nodes=n)
    for sampler in (SoftmaxNegativeSampler(2, seed=0), MCNSSampler(2, seed=0),
                    DynamicNegativeSampler(2, seed=0)):
        assert sampler.needs_embeddings
        out = sampler(data, z=z)
        assert out.edge_label_index.shape == (2, ei.size(1) * 3)
        assert out.edge_label.sum() == ei.size(1)


@pytest.mark.parametrize("cls", [SoftmaxNegativeSampler, MCNSSampler, DynamicNegativeSampler])
def test_bad_embeddings(cls):
    ei, n = path_plus()
    name = cls.__name__
    with pytest.raises(ValueError, match=f"{name} needs the current node embeddings"):
        cls(1).sample(ei, n)
    with pytest.raises(ValueError, match=f"'z' parameter of {name} must have {n} rows.*Got 4"):
        cls(1).sample(ei, n, z=torch.zeros(4, 2))
    bad = torch.zeros(n, 2)
    bad[3, 1] = float("nan")
    with pytest.raises(ValueError, match="'z'.*finite.*Got 1 non-finite"):
        cls(1).sample(ei, n, z=bad)
    with pytest.raises(TypeError, match="'z'.*floating-point"):
        cls(1).sample(ei, n, z=torch.zeros(n, 2, dtype=torch.long))


@pytest.mark.parametrize("make,exc,match", [
    (lambda: SoftmaxNegativeSampler(temperature=0.0), ValueError,
     r"'temperature' parameter of SoftmaxNegativeSampler must be a finite float in \(0, inf\)"),
    (lambda: SoftmaxNegativeSampler(temperature=-1.0), ValueError, "'temperature'.*Got -1.0"),
    (lambda: SoftmaxNegativeSampler(temperature=float("nan")), ValueError, "'temperature'.*nan"),
    (lambda: MCNSSampler(alpha=-0.1), ValueError, r"'alpha' parameter of MCNSSampler.*\[0, inf\)"),
    (lambda: MCNSSampler(alpha=float("nan")), ValueError, "'alpha'.*nan"),
    (lambda: DynamicNegativeSampler(num_draws=0), ValueError, r"'num_draws'.*\[1, inf\)"),
])
def test_bad_parameters(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("cls", [SoftmaxNegativeSampler, MCNSSampler])
def test_gumbel_samplers_with_candidate_mask_and_excluded_pairs(cls):
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    z = embeddings(n, seed=13)
    mask = torch.tensor([True, True, False, True, True, True, False, True, True])
    excl = torch.tensor([[3, 8], [0, 3]])
    got = draws_for(cls(8, seed=14), ei, n, 3, 2, z=z, candidate_mask=mask,
                    exclude_edge_index=excl)
    probs = torch.zeros(n, dtype=torch.double)
    for m in valid_set(nbrs, 3, n, extra=[0, 8]):
        if mask[m]:
            s = dot(z, 3, m)
            probs[m] = math.exp(s) if cls is SoftmaxNegativeSampler else \
                (1 / (1 + math.exp(-s))) ** 0.75
    assert_distribution(got, probs)
