"""HeaRT-style heuristic sampler: exact law from first principles (sets, sorting)."""
import math

import numpy as np
import pytest
import torch
from support.graphs import random_graph
from support.reference import (
    adjacency_sets,
    assert_distribution,
    chi_square_pvalue,
    draws_for,
    path_plus,
    valid_set,
)
from torch_geometric.data import Data

from graphneg.samplers import HeuristicHardNegativeSampler
from graphneg.samplers.heuristic import _top_k_superset


def heuristic_scores(nbrs, u, cand, heuristic, x=None):
    out = {}
    for m in cand:
        common = nbrs[u] & nbrs[m]
        if heuristic == "common_neighbors":
            s = float(len(common))
        elif heuristic == "resource_allocation":
            s = sum(1.0 / len(nbrs[w]) for w in common)
        else:
            a, b = x[u].tolist(), x[m].tolist()
            s = sum(p * q for p, q in zip(a, b)) / math.sqrt(sum(p * p for p in a) *
                                                            sum(q * q for q in b))
        if heuristic == "feature_cosine" or s > 0:
            out[m] = s
    return out


def heart_target(nbrs, u, n, k, heuristic, x=None, extra=()):
    """(probabilities over nodes, top-k set) by the documented law."""
    cand = valid_set(nbrs, u, n, extra)
    scored = heuristic_scores(nbrs, u, cand, heuristic, x)
    ranked = sorted(scored, key=lambda m: (-round(scored[m], 12), m))
    top = ranked[:k]
    if len(ranked) > k:   # the boundary must not sit inside a tie (keeps the test exact)
        assert round(scored[ranked[k - 1]], 12) != round(scored[ranked[k]], 12) or \
            ranked[k - 1] < ranked[k]
    zero = [m for m in cand if m not in scored]
    probs = torch.zeros(n, dtype=torch.double)
    for m in top:
        probs[m] = 1.0 / k
    if zero and len(top) < k:
        for m in zero:
            probs[m] = (k - len(top)) / (k * len(zero))
    return probs, set(top)


GRAPH = random_graph(16, 30, seed=9), 16


@pytest.mark.parametrize("heuristic,k", [("common_neighbors", 3), ("common_neighbors", 6),
                                         ("resource_allocation", 2),
                                         ("resource_allocation", 5)])
@pytest.mark.parametrize("fallback_ratio", [0.1, 1.0])
def test_heart_distribution(heuristic, k, fallback_ratio):
    ei, n = GRAPH
    nbrs = adjacency_sets(ei, n)
    for anchor in (0, 7, 11):
        if not nbrs[anchor]:
            continue
        sampler = HeuristicHardNegativeSampler(8, top_k=k, heuristic=heuristic, seed=3,
                                               fallback_ratio=fallback_ratio)
        got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]))
        probs, top = heart_target(nbrs, anchor, n, k, heuristic)
        assert_distribution(got, probs)
        padded = sum(1 for m in got.tolist() if m not in top)
        assert sampler.last_stats.extra["padded_negatives"] == padded
        assert sampler.last_stats.extra["short_anchors"] == int(len(top) < k)


def test_heart_padding_and_wrong_law_detected():
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    # anchor 0: scored {2, 5} (CN 1 each) -> with k = 4 half the mass pads over Z(0)
    sampler = HeuristicHardNegativeSampler(8, top_k=4, heuristic="common_neighbors", seed=1)
    got = draws_for(sampler, ei, n, 0, 1)
    probs, top = heart_target(nbrs, 0, n, 4, "common_neighbors")
    assert top == {2, 5} and probs[2] == 0.25
    assert_distribution(got, probs)
    assert sampler.last_stats.extra["short_anchors"] == 1
    # uniform over C(0) is a different law and must be rejected by the test
    uniform = torch.tensor([float(m in valid_set(nbrs, 0, n)) for m in range(n)])
    assert chi_square_pvalue(got, uniform) < 1e-3


def test_heart_routes_by_the_proposal_acceptance():
    # a 0.9-density graph: every row's valid share is ~0.1, yet its top-k list (always
    # valid) is full, so the proposal is always accepted and no slot needs the exact path
    from graphneg.generators import erdos_renyi
    n = 40
    ei = erdos_renyi(n, 0.9, seed=0).edge_index
    nbrs = adjacency_sets(ei, n)
    anchor = next(u for u in range(n) if 3 <= len(valid_set(nbrs, u, n)) <= 0.1 * (n - 1))
    sampler = HeuristicHardNegativeSampler(8, top_k=3, heuristic="common_neighbors", seed=0)
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]))
    assert sampler.last_stats.exact_slots == 0 and sampler.last_stats.rejected == 0
    probs, top = heart_target(nbrs, anchor, n, 3, "common_neighbors")
    assert_distribution(got, probs)
    # a short list whose padding mostly lands on excluded nodes goes to the exact path
    ei, n = path_plus()
    sampler = HeuristicHardNegativeSampler(8, top_k=4, heuristic="common_neighbors", seed=1,
                                           fallback_ratio=0.99)
    got = draws_for(sampler, ei, n, 0, 1)
    assert sampler.last_stats.exact_slots == got.numel() and sampler.last_stats.rounds == 0
    assert_distribution(got, heart_target(adjacency_sets(ei, n), 0, n, 4,
                                          "common_neighbors")[0])


def test_heart_excluded_scored_nodes_leave_the_list():
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    excl = torch.tensor([[1], [3]])  # 3 is scored for anchor 1 (common neighbour 2)
    sampler = HeuristicHardNegativeSampler(8, top_k=2, heuristic="resource_allocation",
                                           seed=2)
    got = draws_for(sampler, ei, n, 1, 0, exclude_edge_index=excl)
    probs, _ = heart_target(nbrs, 1, n, 2, "resource_allocation", extra=[3])
    assert probs[3] == 0
    assert_distribution(got, probs)


@pytest.mark.parametrize("fallback_ratio", [0.1, 1.0])
def test_heart_feature_cosine(fallback_ratio):
    ei, n = GRAPH
    nbrs = adjacency_sets(ei, n)
    x = torch.randn(n, 4, generator=torch.Generator().manual_seed(2), dtype=torch.double)
    sampler = HeuristicHardNegativeSampler(8, top_k=4, heuristic="feature_cosine", seed=4,
                                           fallback_ratio=fallback_ratio)
    anchor = 3
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]), x=x)
    probs, _ = heart_target(nbrs, anchor, n, 4, "feature_cosine", x=x)
    assert_distribution(got, probs)
    # read from data.x through the transform face
    out = sampler(Data(edge_index=ei, x=x.float(), num_nodes=n))
    assert out.edge_label.numel() == ei.size(1) * 9


def test_heart_pairs_mode_joint():
    # P(u, n) ∝ q(n|u) 1[valid], q normalised over all nodes: T entries 1/k, V \ S(u) pad
    ei, n = path_plus()
    nbrs = adjacency_sets(ei, n)
    k = 2
    neg = HeuristicHardNegativeSampler(30000, top_k=k, heuristic="common_neighbors",
                                       mode="pairs", seed=5).sample(ei, n)
    probs = torch.zeros(n * n, dtype=torch.double)
    for u in range(n):
        p, top = heart_target(nbrs, u, n, k, "common_neighbors")
        scored = heuristic_scores(nbrs, u, valid_set(nbrs, u, n), "common_neighbors")
        zero = [m for m in valid_set(nbrs, u, n) if m not in scored]
        pad = (k - len(top)) / (k * len(zero)) if zero else 0.0
        total = len(top) / k + (n - len(scored)) * pad
        if total > 0:
            probs[u * n:(u + 1) * n] = p / total
    assert_distribution(neg[0] * n + neg[1], probs)


@pytest.mark.parametrize("k", [1, 3, 20])
def test_top_k_superset_holds_every_row_top_k(k):
    # scores with many ties and magnitudes over many octaves; each row's top k by
    # (-score, column) must survive the bin prefilter, whatever the bin width
    rng = np.random.default_rng(k)
    num_rows = 40
    counts = rng.integers(0, 60, num_rows)
    r = np.repeat(np.arange(num_rows), counts)
    s = np.where(rng.random(r.size) < 0.5, rng.integers(1, 5, r.size).astype(float),
                 2.0 ** rng.uniform(-30, 30, r.size))
    kept = set(_top_k_superset(r, s, num_rows, k).tolist())
    starts = np.cumsum(counts) - counts
    for row in range(num_rows):
        idx = list(range(starts[row], starts[row] + counts[row]))
        top = sorted(idx, key=lambda i: (-s[i], i))[:k]
        assert set(top) <= kept
    assert len(kept) < r.size               # it does filter


@pytest.mark.parametrize("make,call,exc,match", [
    (lambda: HeuristicHardNegativeSampler(top_k=0), None, ValueError,
     r"'top_k' parameter of HeuristicHardNegativeSampler must be an int in \[1, inf\)"),
    (lambda: HeuristicHardNegativeSampler(heuristic="katz"), None, ValueError,
     "'heuristic'.*'resource_allocation'"),
    (lambda: HeuristicHardNegativeSampler(heuristic="feature_cosine"), {}, ValueError,
     "needs node features"),
    (lambda: HeuristicHardNegativeSampler(heuristic="feature_cosine"),
     {"x": torch.zeros(3, 2)}, ValueError, "'x'.*9 rows"),
    (lambda: HeuristicHardNegativeSampler(heuristic="feature_cosine"),
     {"x": torch.full((9, 2), float("nan"))}, ValueError, "'x'.*finite"),
])
def test_heart_bad_input(make, call, exc, match):
    ei, n = path_plus()
    with pytest.raises(exc, match=match):
        make().sample(ei, n, **call) if call is not None else make()


@pytest.mark.parametrize("heuristic", ["common_neighbors", "resource_allocation"])
def test_heart_tables_equal_across_dense_sparse_and_chunked_builds(heuristic, monkeypatch):
    # a dense graph (>= 256 nodes) takes the dense-block path; the sparse product, in one
    # chunk or one anchor per chunk, must build the same tables; the scored sets and the
    # short rows' entries are checked against Python sets
    from graphneg.edges import EdgeSet
    from graphneg.samplers import heuristic as module, structural
    from graphneg.samplers.base import SamplingContext
    g = torch.Generator().manual_seed(1)
    n = 280
    upper = (torch.rand(n, n, generator=g) < 0.5).triu(1)
    upper[:, 270:] = False                                           # sparse tail: short rows
    upper[3, 275] = True
    ei = (upper | upper.t()).nonzero().t()
    adj = (upper | upper.t()).double()
    cn = adj @ adj
    cn[adj.bool()] = -1
    cn.fill_diagonal_(-1)
    best = int(cn[17].argmax())                                       # 17's top-scored partner
    held_out = torch.tensor([[0, 5, 9, 17], [200, 7, 100, best]])    # known, not edges
    mask = torch.rand(n, generator=g) < 0.8
    mask[best] = True
    ctx = SamplingContext(n, ei, EdgeSet([ei, held_out], n), mask, None, {})
    anchors = np.array([0, 5, 9, 17, 271, 275, 279])
    sampler = HeuristicHardNegativeSampler(1, top_k=30, heuristic=heuristic)
    assert structural._dense_enough(ctx.csr)
    dense = sampler._build(anchors, ctx)
    monkeypatch.setattr(structural, "_DENSE_MIN_NODES", 10 ** 9)     # the sparse product
    sparse = sampler._build(anchors, ctx)
    monkeypatch.setattr(module, "_SCORE_CHUNK", 1)                   # one anchor per chunk
    chunked = sampler._build(anchors, ctx)
    for other in (sparse, chunked):
        assert dense.keys() == other.keys()
        for key in dense:                     # |V \ S(u)| is only read for rows that pad
            rows = dense["short"] if key == "complement" else slice(None)
            assert np.array_equal(dense[key][rows], other[key][rows]), key
    nbrs = adjacency_sets(ei, n)
    known = {(int(a), int(b)) for a, b in held_out.t().tolist()}
    known |= {(b, a) for a, b in known}
    t = dense
    assert t["short"].any() and not t["short"].all()
    for i, u in enumerate(anchors.tolist()):
        want = {m for m in range(n) if m != u and m not in nbrs[u] and bool(mask[m])
                and (u, m) not in known and len(nbrs[u] & nbrs[m]) > 0}
        top = t["t_cols"][t["t_indptr"][i]:t["t_indptr"][i + 1]].tolist()
        assert len(top) == min(30, len(want)) and set(top) <= want
        if heuristic == "common_neighbors":                      # integer scores: exact
            ranked = sorted(want, key=lambda m: (-len(nbrs[u] & nbrs[m]), m))
            assert set(top) == set(ranked[:30])
        assert t["short"][i] == (len(want) < 30)
        stored = t["s_cols"][t["s_indptr"][i]:t["s_indptr"][i + 1]].tolist()
        assert stored == (sorted(want) if len(want) < 30 else [])
        if len(want) < 30:                                           # |Z(u)| = |C(u)| - |S(u)|
            assert t["complement"][i] == n - len(want)
