"""k-hop structural rings (k >= 3): the hub certificate, the exact reach test it
prunes, and the uniform law on the ring, checked against BFS distances.

References are computed here from Python sets and BFS (``support.reference``),
never from the sampler's own tables. Chi-square threshold as in
``test_degree_structural.py`` (1e-3 at fixed seeds, 24k draws).
"""

import numpy as np
import pytest
import torch
from support.reference import (
    adjacency_sets,
    assert_distribution,
    chi_square_pvalue,
    draws_for,
    hop_distances,
    k_hop_ring,
)

from graphneg.edges import EdgeSet
from graphneg.samplers import StructuralNegativeSampler, structural
from graphneg.samplers.base import SamplingContext


def _graph(n, m, directed, seed):
    g = torch.Generator().manual_seed(seed)
    ei = torch.randint(n, (2, m), generator=g)
    ei = ei[:, ei[0] != ei[1]]
    return ei if directed else torch.cat([ei, ei.flip(0)], 1)


def _distances(nbrs, n):
    """``d[u][v]`` along out-edges (``n + 99`` when unreachable), by BFS."""
    out = np.full((n, n), n + 99)
    for u in range(n):
        for v, d in hop_distances(nbrs, u).items():
            out[u, v] = d
    return out


def _setup(num_hops, directed, num_hubs, monkeypatch, n=40, m=70, seed=5):
    monkeypatch.setattr(structural, "_NUM_HUBS", num_hubs)
    ei = _graph(n, m, directed, seed)
    sampler = StructuralNegativeSampler(1, num_hops=num_hops, directed=directed)
    ctx = SamplingContext(n, ei, EdgeSet([ei], n), None, None, {})
    t = sampler._graph_tables(ctx)
    return sampler, ctx, t, _distances(adjacency_sets(ei, n), n), n


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("num_hops", [3, 4, 5, 7])
def test_hub_masks_are_bfs_balls(num_hops, directed, monkeypatch):
    """Bit j of to_hub[a][u] is d(u, h_j) <= a and of from_hub[b][v] is d(h_j, v) <= b,
    h_j the j-th node by in- plus out-degree (ties by id)."""
    sampler, ctx, t, dist, n = _setup(num_hops, directed, 5, monkeypatch)
    hub = sampler._hub_reach(t, ctx)
    degree = np.zeros(n, dtype=np.int64)
    for u in range(n):
        degree[u] = int((dist[u] == 1).sum() + (dist[:, u] == 1).sum())
    hubs = sorted(range(n), key=lambda v: (-degree[v], v))[:5]
    assert hub["is_hub"].nonzero()[0].tolist() == sorted(hubs)
    levels = min(num_hops - 1, 3)
    assert hub["levels"] == levels
    combos = [(a, min(num_hops - a, levels))
              for a in range(min(max(0, num_hops - levels), levels), levels + 1)]
    assert len(hub["pairs"]) == len(combos)
    for (a, b), (to_hub, from_hub) in zip(combos, hub["pairs"]):
        for j, h in enumerate(hubs):
            bit = np.uint64(1) << np.uint64(j)
            assert ((to_hub & bit) != 0).tolist() == (dist[:, h] <= a).tolist()
            assert ((from_hub & bit) != 0).tolist() == (dist[h] <= b).tolist()


def _all_pairs_reach(sampler, ctx, t, n, dense, hub=None, certified=None):
    """_reach over every (anchor, node) pair from 2-balls of all nodes (flags or
    sorted keys); with ``certified`` only the pairs it leaves undecided."""
    anchors = np.arange(n)
    buffer = np.zeros(n * n, dtype=bool) if dense else None
    ball, _ = sampler._ball(anchors, t, n, buffer)
    row, cand = np.repeat(anchors, n), np.tile(anchors, n)
    if certified is not None:
        keep = ~certified
        row, cand = row[keep], cand[keep]
    return row, cand, sampler._reach(ball, dense, row, cand, t, n, hub)


@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("num_hops", [3, 4, 5, 6, 7])
def test_reach_is_exact_with_and_without_hub_pruning(num_hops, directed, dense, monkeypatch):
    """d(u, v) <= k decided exactly for every pair: by the meet in the middle alone, and
    by the certificate (never a false positive) plus the hub-pruned test on the rest."""
    sampler, ctx, t, dist, n = _setup(num_hops, directed, 4, monkeypatch)
    row, cand, got = _all_pairs_reach(sampler, ctx, t, n, dense)
    assert got.tolist() == (dist[row, cand] <= num_hops).tolist()
    hub = sampler._hub_reach(t, ctx)
    near = [(to_hub[np.arange(n)], from_hub) for to_hub, from_hub in hub["pairs"]]
    sure = sampler._near_hubs(near, np.repeat(np.arange(n), n), np.tile(np.arange(n), n))
    truth = (dist <= num_hops).reshape(-1)
    assert truth[sure].all() and sure.any()
    assert (truth & ~sure).any()                      # the exact test has work to do
    row, cand, got = _all_pairs_reach(sampler, ctx, t, n, dense, hub, sure)
    assert got.tolist() == (dist[row, cand] <= num_hops).tolist()


@pytest.mark.parametrize("num_hops,directed,cover", [
    (3, False, 0.0), (3, True, 1e9), (4, False, 0.0), (4, True, 0.0), (5, False, 0.0),
    (5, True, 0.0)])
@pytest.mark.parametrize("num_hubs", [0, 2])
def test_k_hop_ring_law_with_few_hubs(num_hops, directed, cover, num_hubs, monkeypatch):
    """Uniform on the BFS ring with no hub (exact test only) and with two hubs (certified
    and hub-pruned pairs mixed), on a graph where the last hop matters."""
    monkeypatch.setattr(structural, "_NUM_HUBS", num_hubs)
    monkeypatch.setattr(structural, "_COVER_RATIO", cover)
    calls = {"reach": 0, "sure": 0}
    reach, near = StructuralNegativeSampler._reach, StructuralNegativeSampler._near_hubs

    def counted_reach(self, *args):
        calls["reach"] += 1
        return reach(self, *args)

    def counted_near(*args):
        sure = near(*args)
        calls["sure"] += int(sure.sum())
        return sure

    monkeypatch.setattr(StructuralNegativeSampler, "_reach", counted_reach)
    monkeypatch.setattr(StructuralNegativeSampler, "_near_hubs", staticmethod(counted_near))
    n = 40
    ei = _graph(n, 90 if directed else 48, directed, seed=7)
    nbrs = adjacency_sets(ei, n)
    anchor = int(ei[0, 0])
    target = k_hop_ring(nbrs, anchor, n, num_hops, directed)
    inner = k_hop_ring(nbrs, anchor, n, num_hops - 1, directed)
    assert 0 < inner.sum() < target.sum()                           # the last hop matters
    sampler = StructuralNegativeSampler(8, num_hops=num_hops, directed=directed, seed=3)
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]))
    assert sampler.last_stats.extra["ball_slots"] > 0
    if cover == 0.0:
        assert calls["reach"] > 0                                   # exact test ran
        assert (calls["sure"] > 0) == (num_hubs > 0 and num_hops >= 4)   # 3: no hubs
    assert_distribution(got, target)
    assert chi_square_pvalue(got, inner + 0.5 * target) < 1e-3      # a wrong law fails


@pytest.mark.parametrize("dense", [True, False])
def test_cover_table_members_are_the_2_balls(dense, monkeypatch):
    """The covering table lists B_2(u) (BFS) of the covered rows in id order, with
    ``csum`` the running sum of 1 + deg x (2-balls as flags or as sorted keys)."""
    sampler, _, t, dist, n = _setup(3, True, 4, monkeypatch)
    anchors = np.arange(n)
    buffer = np.zeros(n * n, dtype=bool) if dense else None
    ball, walks = sampler._ball(anchors, t, n, buffer)
    covered = anchors % 3 != 0
    x, csum, starts = sampler._cover_table(ball, dense, walks, covered, t, n)
    out_deg = (dist == 1).sum(1)
    for u in range(n):
        members = x[starts[u]:starts[u + 1]].tolist()
        assert members == (np.flatnonzero(dist[u] <= 2).tolist() if covered[u] else [])
    assert csum.tolist() == [0] + np.cumsum(1 + out_deg[x]).tolist()


@pytest.mark.parametrize("num_hubs", [0, 2, 64])
def test_k_hop_ring_law_with_candidate_mask_and_exclusions(num_hubs, monkeypatch):
    """Four hops with a candidate mask and an excluded ring node: uniform on the BFS
    ring restricted to the mask, minus the excluded pair, whichever pairs the hub
    certificate decides."""
    monkeypatch.setattr(structural, "_NUM_HUBS", num_hubs)
    n = 40
    ei = _graph(n, 48, False, seed=7)
    nbrs = adjacency_sets(ei, n)
    anchor = int(ei[0, 0])
    target = k_hop_ring(nbrs, anchor, n, 4, False)
    mask = torch.ones(n, dtype=torch.bool)
    mask[torch.arange(0, n, 3)] = False
    ring = target.nonzero().view(-1).tolist()
    kept = [m for m in ring if mask[m]]
    excluded = kept[0]
    expected = target * mask
    expected[excluded] = 0.0
    assert 0 < expected.sum() < target.sum() - 1
    sampler = StructuralNegativeSampler(8, num_hops=4, seed=4)
    got = draws_for(sampler, ei, n, anchor, min(nbrs[anchor]), candidate_mask=mask,
                    exclude_edge_index=torch.tensor([[anchor], [excluded]]))
    assert sampler.last_stats.extra["ball_slots"] > 0
    assert_distribution(got, expected)
