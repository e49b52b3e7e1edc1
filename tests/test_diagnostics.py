"""Tests for graphneg.diagnostics (re-exported as graphneg.analysis.metrics): exact enumeration, closed forms, autograd, errors."""
from __future__ import annotations

import math

import pytest
import torch
from graphneg.analysis import (
    common_neighbor_counts,
    hard_negative_rate,
    sampling_efficiency,
)
from graphneg.generators import barabasi_albert, erdos_renyi, star
from scipy import stats

import graphneg.diagnostics as metrics  # implementations moved to core (re-exported by analysis.metrics)


def dense_common_neighbors(edge_index, pairs, num_nodes):
    adj = torch.zeros(num_nodes, num_nodes, dtype=torch.long)
    adj[edge_index[0], edge_index[1]] = 1
    adj = (adj + adj.t()).clamp(max=1)
    adj.fill_diagonal_(0)
    return (adj[pairs[0]] * adj[pairs[1]]).sum(1)


def uniform_non_edges(edge_index, num_nodes, num_pairs, seed):
    """Uniform ordered non-edge pairs: the package's sampler if available, else rejection."""
    try:
        from graphneg.samplers import uniform_negatives
    except ImportError:
        uniform_negatives = None
    if uniform_negatives is not None:
        return uniform_negatives(edge_index, num_nodes, num_neg=num_pairs, mode="pairs", seed=seed)
    gen = torch.Generator().manual_seed(seed)
    keys = torch.unique(edge_index[0] * num_nodes + edge_index[1])
    out = torch.empty(2, 0, dtype=torch.long)
    while out.size(1) < num_pairs:
        cand = torch.randint(num_nodes, (2, 2 * num_pairs), generator=gen)
        q = cand[0] * num_nodes + cand[1]
        pos = torch.searchsorted(keys, q).clamp(max=keys.numel() - 1)
        ok = (keys[pos] != q) & (cand[0] != cand[1])
        out = torch.cat([out, cand[:, ok]], 1)
    return out[:, :num_pairs]


# ----------------------------------------------------------------------------- common neighbours

@pytest.mark.parametrize("graph", ["er", "ba", "star"])
def test_common_neighbor_counts_match_dense_enumeration(graph, monkeypatch):
    monkeypatch.setattr(metrics, "_CHUNK_NNZ", 64)  # many chunks
    n = 60
    data = {"er": erdos_renyi(n, 0.15, seed=1), "ba": barabasi_albert(n, 3, seed=1),
            "star": star(n)}[graph]
    # every ordered pair, self-pairs and edges included
    pairs = torch.cartesian_prod(torch.arange(n), torch.arange(n)).t().contiguous()
    got = common_neighbor_counts(data.edge_index, pairs, n)
    assert got.dtype == torch.long and got.shape == (n * n,)
    assert torch.equal(got, dense_common_neighbors(data.edge_index, pairs, n))


def test_common_neighbor_counts_treat_graph_as_undirected_simple():
    # one direction only, a duplicate and a self-loop: same as the clean undirected graph
    ei = torch.tensor([[0, 0, 0, 1, 2, 3], [1, 1, 2, 3, 3, 3]])
    clean = torch.tensor([[0, 1, 0, 2, 1, 3, 2, 3], [1, 0, 2, 0, 3, 1, 3, 2]])
    pairs = torch.tensor([[0, 1, 2, 3], [3, 2, 1, 0]])
    assert torch.equal(common_neighbor_counts(ei, pairs), common_neighbor_counts(clean, pairs))
    assert common_neighbor_counts(ei, pairs).tolist() == [2, 2, 2, 2]


def test_common_neighbor_counts_empty_and_isolated():
    ei = torch.tensor([[0, 1], [1, 0]])
    assert common_neighbor_counts(ei, torch.empty(2, 0, dtype=torch.long)).shape == (0,)
    assert common_neighbor_counts(ei, torch.tensor([[5], [7]]), 10).tolist() == [0]
    empty = torch.empty(2, 0, dtype=torch.long)
    assert common_neighbor_counts(empty, torch.tensor([[0], [1]])).tolist() == [0]


# ----------------------------------------------------------------------------- hard-negative rate

def test_hard_negative_rate_on_gnp_matches_binomial_closed_form():
    # A uniform non-edge of G(n, p) has Binomial(n - 2, p^2) common neighbours, so
    # h_k = 1 - P(Binomial(n - 2, p^2) < k). Q pairs share nodes (each node is in ~10),
    # which correlates the indicators (corr ~ p/(1+p)); we allow a variance inflation of 2
    # and a 5-sigma band: |h_hat - h_k| < 5 sqrt(2 h (1 - h) / Q), for k = 1..6.
    n, p, num_pairs = 4000, 0.025, 20000
    data = erdos_renyi(n, p, seed=11)
    neg = uniform_non_edges(data.edge_index, n, num_pairs, seed=5)
    assert neg.shape == (2, num_pairs)
    _, counts = hard_negative_rate(data.edge_index, neg, n, return_counts=True)
    for k in range(1, 7):
        expected = float(stats.binom.sf(k - 1, n - 2, p * p))
        got = hard_negative_rate(data.edge_index, neg, n, min_common=k)
        assert got == float((counts >= k).double().mean())
        tol = 5 * math.sqrt(2 * expected * (1 - expected) / num_pairs)
        assert abs(got - expected) < tol, (k, got, expected, tol)
    # and the whole count distribution: mean (n-2)p^2 within 5 inflated standard errors
    mean, var = (n - 2) * p * p, (n - 2) * p * p * (1 - p * p)
    assert abs(counts.double().mean().item() - mean) < 5 * math.sqrt(2 * var / num_pairs)


def test_hard_negative_rate_on_star_leaves():
    data = star(30)
    leaves = torch.arange(1, 30)
    pairs = torch.cartesian_prod(leaves, leaves).t()
    pairs = pairs[:, pairs[0] != pairs[1]]
    rate, counts = hard_negative_rate(data.edge_index, pairs, return_counts=True)
    assert rate == 1.0 and bool((counts == 1).all())
    assert hard_negative_rate(data.edge_index, pairs, min_common=2) == 0.0


def test_hard_negative_rate_mixed_and_empty():
    # path 0-1-2-3: (0,2) and (1,3) share one neighbour, (0,3) none
    ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    neg = torch.tensor([[0, 1, 0], [2, 3, 3]])
    assert hard_negative_rate(ei, neg) == pytest.approx(2 / 3)
    assert math.isnan(hard_negative_rate(ei, torch.empty(2, 0, dtype=torch.long)))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(min_common=0), ValueError,
     r"The 'min_common' parameter of hard_negative_rate must be an int in \[1, inf\)\. Got 0"),
    (dict(min_common=1.5), TypeError, r"'min_common'.*must be an int"),
    (dict(return_counts=1), TypeError, r"'return_counts'.*must be a bool"),
    (dict(num_nodes=3), ValueError,
     r"The 'edge_index' parameter of hard_negative_rate must hold node ids in \[0, 3\)\. Got 4"),
    (dict(num_nodes=-1), ValueError, r"'num_nodes' parameter of hard_negative_rate.*Got -1"),
    (dict(neg_edge_index=torch.tensor([[0.0], [1.0]])), TypeError,
     r"The 'neg_edge_index' parameter of hard_negative_rate must have dtype torch\.long"),
    (dict(neg_edge_index=torch.tensor([0, 1])), ValueError,
     r"'neg_edge_index' parameter of hard_negative_rate must have shape \(2, E\)\. Got \(2,\)"),
    (dict(neg_edge_index=torch.tensor([[-1], [2]])), ValueError,
     r"'neg_edge_index'.*non-negative node ids\. Got -1"),
    (dict(edge_index=[[0, 1], [1, 0]]), TypeError, r"'edge_index'.*must be a torch\.LongTensor"),
])
def test_hard_negative_rate_bad_input(kwargs, exc, match):
    args = dict(edge_index=torch.tensor([[0, 4], [4, 0]]), neg_edge_index=torch.tensor([[0], [2]]))
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        hard_negative_rate(**args)


def test_common_neighbor_counts_bad_input():
    with pytest.raises(ValueError, match=r"'pairs' parameter of common_neighbor_counts must hold "
                                         r"node ids in \[0, 2\)\. Got 5"):
        common_neighbor_counts(torch.tensor([[0], [1]]), torch.tensor([[0], [5]]), 2)


# ----------------------------------------------------------------------------- efficiency

def autograd_efficiency(z, pos, neg):
    """η from torch.autograd: each pair's anchor is its own leaf copy of z_u, so the
    gradient of the summed loss w.r.t. that copy is exactly that pair's g⁺ or g⁻."""
    z = z.detach()
    anchor_pos = z[pos[0]].clone().requires_grad_(True)
    anchor_neg = z[neg[0]].clone().requires_grad_(True)
    loss = (-torch.nn.functional.logsigmoid((anchor_pos * z[pos[1]]).sum(1)).sum()
            - torch.nn.functional.logsigmoid(-(anchor_neg * z[neg[1]]).sum(1)).sum())
    g_pos, g_neg = torch.autograd.grad(loss, [anchor_pos, anchor_neg])
    return (g_neg.norm(dim=1).mean() / g_pos.norm(dim=1).mean()).item()


@pytest.mark.parametrize("scale", [0.1, 1.0, 4.0])
def test_sampling_efficiency_equals_autograd(scale):
    gen = torch.Generator().manual_seed(int(scale * 10))
    n, d = 40, 8
    z = scale * torch.randn(n, d, generator=gen, dtype=torch.float64)
    pos = torch.randint(n, (2, 25), generator=gen)
    neg = torch.stack([pos[0].repeat_interleave(3), torch.randint(n, (75,), generator=gen)])
    expected = autograd_efficiency(z, pos, neg)
    assert sampling_efficiency(z, pos, neg) == pytest.approx(expected, rel=1e-6, abs=1e-6)
    # float32 input: same value to float32 precision; z with requires_grad is fine
    z32 = z.float().requires_grad_(True)
    assert sampling_efficiency(z32, pos, neg) == pytest.approx(expected, rel=1e-5)


def test_sampling_efficiency_closed_form_and_degenerate_cases():
    # z_u = (1,0), z_v = (2,0): s = 2, ‖g⁺‖ = σ(-2)·2; z_n = (0,3): s = 0, ‖g⁻‖ = 3/2
    z = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0]], dtype=torch.float64)
    pos, neg = torch.tensor([[0], [1]]), torch.tensor([[0], [2]])
    expected = 1.5 / (2 * torch.sigmoid(torch.tensor(-2.0, dtype=torch.float64)).item())
    assert sampling_efficiency(z, pos, neg) == pytest.approx(expected, rel=1e-12)
    empty = torch.empty(2, 0, dtype=torch.long)
    assert math.isnan(sampling_efficiency(z, empty, neg))
    assert math.isnan(sampling_efficiency(z, pos, empty))
    zero_v = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 3.0]])
    assert sampling_efficiency(zero_v, pos, neg) == math.inf


@pytest.mark.parametrize("z, pos, exc, match", [
    (torch.tensor([[float("nan"), 0.0], [1.0, 1.0]]), None, ValueError,
     r"The 'z' parameter of sampling_efficiency must be finite"),
    (torch.zeros(2, dtype=torch.float32), None, ValueError, r"'z'.*must have shape \(N, d\)"),
    (torch.zeros(2, 2, dtype=torch.long), None, TypeError, r"'z'.*floating-point"),
    (torch.zeros(2, 2), torch.tensor([[0], [2]]), ValueError,
     r"'pos_edge_index' parameter of sampling_efficiency must hold node ids in \[0, 2\)\. Got 2"),
    (torch.zeros(2, 2), torch.tensor([[0, 1]]), ValueError, r"'pos_edge_index'.*shape \(2, E\)"),
])
def test_sampling_efficiency_bad_input(z, pos, exc, match):
    pos = torch.tensor([[0], [1]]) if pos is None else pos
    with pytest.raises(exc, match=match):
        sampling_efficiency(z, pos, torch.tensor([[0], [1]]))
    if pos.shape == (2, 1) and z.dim() == 2 and z.is_floating_point() and z.isfinite().all():
        with pytest.raises(exc, match=match.replace("pos_edge_index", "neg_edge_index")):
            sampling_efficiency(z, torch.tensor([[0], [1]]), pos)
