"""The exclusion index (graphneg.edges.EdgeSet) against brute-force Python sets, and
its reuse by samplers and the trainer (built once while the graph is unchanged)."""
import copy
import pickle

import numpy as np
import pytest
import torch
from graphneg import edges
from graphneg.edges import EdgeSet, IndexCache, sorted_pair_keys
from graphneg.generators import barabasi_albert
from graphneg.samplers import DegreeNegativeSampler, UniformNegativeSampler
from graphneg.training import LinkPredictionTrainer


def _pairs(edge_index, undirected):
    out = {(int(u), int(v)) for u, v in edge_index.t().tolist()}
    return out | {(v, u) for u, v in out} if undirected else out


def _graphs():
    g = torch.Generator().manual_seed(0)
    n = 30
    raw = torch.randint(n, (2, 120), generator=g)                    # unsorted, repeats, loops
    coalesced = torch.unique(raw[0] * n + raw[1])                    # sorted, no repeats
    sorted_ei = torch.stack([coalesced // n, coalesced % n])
    sym = torch.cat([sorted_ei, sorted_ei.flip(0)], 1)
    sym = torch.unique(sym[0] * n + sym[1])
    sym = torch.stack([sym // n, sym % n])                           # sorted and symmetric
    return n, {"unsorted": raw, "sorted": sorted_ei, "symmetric": sym,
               "empty": torch.zeros(2, 0, dtype=torch.long)}


@pytest.mark.parametrize("undirected", [True, False])
@pytest.mark.parametrize("kind", ["unsorted", "sorted", "symmetric", "empty"])
def test_keys_and_lookups_match_python_sets(kind, undirected, monkeypatch):
    n, graphs = _graphs()
    ei = graphs[kind]
    extra = torch.tensor([[3, 29], [7, 0]])
    index = EdgeSet([ei, extra], n, undirected=undirected)
    truth = _pairs(ei, undirected) | _pairs(extra, undirected)
    assert index.keys.tolist() == sorted(u * n + v for u, v in truth)
    # every pair of the grid: one batch large enough for the bit filter, then small ones
    row, col = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    want = torch.tensor([[(u, v) in truth for v in range(n)] for u in range(n)])
    small = EdgeSet([ei, extra], n, undirected=undirected)
    direct = EdgeSet([ei, extra], n, undirected=undirected)
    monkeypatch.setattr(edges, "_FILTER_MIN_KEYS", 0)               # the N x N flag table
    assert torch.equal(direct.contains(row, col), want)
    assert (direct._direct_table(direct.keys.numpy()) is not None) == (len(truth) > 0)
    outside = torch.tensor([-1, n * n, 3 * n + 7])                 # never keys, then a key
    assert direct._contains_keys(outside.numpy()).tolist() == [False, False, True]
    monkeypatch.setattr(edges, "_DIRECT_MAX_CELLS", 0)              # no flag table from here
    monkeypatch.setattr(edges, "_FILTER_MIN_KEYS", 0)               # bit filter, then search
    monkeypatch.setattr(edges, "_SORT_QUERIES", 8)                  # in sorted order
    assert torch.equal(index.contains(row, col), want)
    assert index._filter is not None
    monkeypatch.setattr(edges, "_FILTER_MIN_KEYS", 10 ** 9)         # plain binary search
    monkeypatch.setattr(edges, "_SORT_QUERIES", 10 ** 9)
    assert torch.equal(small.contains(row, col), want)
    assert small._filter is None
    rows = EdgeSet([ei, extra], n, undirected=undirected)
    monkeypatch.setattr(edges, "_FILTER_MIN_KEYS", 0)               # bit filter, then
    assert torch.equal(rows.contains(row, col), want)               # searches in CSR rows
    assert torch.equal(rows.contains(row[:3, :5], col[:3, :5]), want[:3, :5])
    excluded = [len({v for (a, v) in truth if a == u and v != u}) for u in range(n)]
    assert index.num_excluded().tolist() == excluded
    counts = [sum(1 for (a, _) in truth if a == u) for u in range(n)]
    assert index.row_ptr().diff().tolist() == counts
    assert index.columns().tolist() == [k % n for k in index.keys.tolist()]


@pytest.mark.parametrize("grid", [True, False])
def test_sorted_pair_keys_fast_path_equals_sorting(grid, monkeypatch):
    if not grid:                                  # the sorted runs, not the N x N flag grid
        monkeypatch.setattr(edges, "_DIRECT_MAX_CELLS", 0)
    data = barabasi_albert(300, 3, seed=1)
    ei = data.edge_index.numpy()
    n = 300
    shuffled = ei[:, np.random.default_rng(0).permutation(ei.shape[1])]
    half = ei[:, ei[0] < ei[1]]                                      # sorted, not symmetric
    for undirected in (True, False):
        want = np.unique(np.concatenate([ei[0] * n + ei[1]] + ([ei[1] * n + ei[0]]
                                                               if undirected else [])))
        for part in (ei, shuffled):
            assert np.array_equal(sorted_pair_keys([part], n, undirected), want)
    both = np.unique(np.concatenate([half[0] * n + half[1], half[1] * n + half[0]]))
    assert np.array_equal(sorted_pair_keys([half], n, True), both)
    two = sorted_pair_keys([half, ei[:, :7]], n, False)                # two parts, overlapping
    assert np.array_equal(two, np.unique(np.concatenate([half[0] * n + half[1],
                                                         ei[0, :7] * n + ei[1, :7]])))


def test_union_returns_self_or_an_exact_overlay():
    n, graphs = _graphs()
    base = EdgeSet.for_graph(graphs["sorted"], n)
    assert base.union([graphs["sorted"]]) is base                   # a source: no lookup
    assert base.union([graphs["sorted"][:, :5].clone()]) is base     # already held
    new = torch.tensor([[0, 1], [29, 28]])
    over = base.union([graphs["sorted"][:, :5], new])
    fresh = EdgeSet([graphs["sorted"], new], n)
    assert over is not base and len(over) == len(fresh)
    assert torch.equal(over.keys, fresh.keys)
    assert torch.equal(over.num_excluded(), fresh.num_excluded())
    assert torch.equal(over.row_ptr(), fresh.row_ptr())
    row, col = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    assert torch.equal(over.contains(row, col), fresh.contains(row, col))
    assert over.union([new]) is over
    again = base.union([new.clone()])
    assert again is not over and again.same_as(over) and over.same_as(again)
    assert base.same_as(base) and not base.same_as(over) and not over.same_as(base)
    assert not base.union([torch.tensor([[2], [5]])]).same_as(over)


def test_built_from_sees_identity_and_in_place_changes():
    ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    held = torch.tensor([[0], [3]])
    index = EdgeSet.for_graph(ei, 5, exclude_edge_index=held)
    assert index.built_from(ei, held)
    assert not index.built_from(ei)                                  # exclude missing
    assert not index.built_from(ei.clone(), held)
    held[1, 0] = 4                                                   # in place: version bumps
    assert not index.built_from(ei, held)
    with pytest.raises(ValueError, match="'num_nodes' parameter of EdgeSet.for_graph"):
        EdgeSet.for_graph(ei, 2)


def test_sampler_reuses_its_index_and_never_serves_a_stale_one():
    data = barabasi_albert(200, 3, seed=0)
    ei = data.edge_index.clone()
    cached = UniformNegativeSampler(2, seed=3)
    fresh_draws = []
    for _ in range(3):
        fresh = UniformNegativeSampler(2, seed=3)
        fresh.set_rng_state(cached.get_rng_state())
        fresh_draws.append(fresh.sample(ei, 200))
        assert torch.equal(cached.sample(ei, 200), fresh_draws[-1])  # same bits as unreused
    assert (cached._index_cache.builds, cached._index_cache.hits) == (1, 2)
    # add the edge (5, 6) in place (overwrite a column): the next call must see it
    ei[:, 0] = torch.tensor([5, 6])
    neg = UniformNegativeSampler(1, seed=0).sample(ei, 200, pos_edge_index=torch.tensor(
        [[5] * 2000, [7] * 2000]))
    assert not bool((neg[1] == 6).any())
    neg = cached.sample(ei, 200, pos_edge_index=torch.tensor([[5] * 2000, [7] * 2000]))
    assert cached._index_cache.builds == 2 and not bool((neg[1] == 6).any())
    # another num_nodes or direction is another index
    cached.sample(ei, 201)
    assert cached._index_cache.builds == 3


def test_degree_tables_follow_the_index():
    data = barabasi_albert(100, 2, seed=0)
    sampler = DegreeNegativeSampler(1, alpha=1.0, seed=0)
    a = sampler.sample(data.edge_index, 100)
    b = DegreeNegativeSampler(1, alpha=1.0, seed=0)
    b.sample(data.edge_index.clone(), 100)
    assert torch.equal(sampler.sample(data.edge_index, 100), b.sample(data.edge_index, 100))
    assert a.shape == (2, data.edge_index.size(1))


def test_copies_and_pickles_start_with_an_empty_cache():
    sampler = UniformNegativeSampler(1, seed=0)
    ei = torch.tensor([[0, 1], [1, 0]])
    sampler.sample(ei, 4)
    for other in (copy.deepcopy(sampler), pickle.loads(pickle.dumps(sampler))):
        assert isinstance(other._index_cache, IndexCache)
        assert other._index_cache.builds == 0
        assert torch.equal(other.sample(ei, 4), copy.deepcopy(sampler).sample(ei, 4))


def test_trainer_builds_the_training_index_once():
    data = barabasi_albert(60, 3, seed=0)
    trainer = LinkPredictionTrainer(data, epochs=3, seed=0, verbose=False, diagnostics=False)
    trainer.fit()
    cache = trainer.sampler._index_cache
    assert (cache.builds, cache.hits) == (1, 2)


def test_unique_sorted_equals_numpy_unique():
    from graphneg.edges import unique_sorted
    rng = np.random.default_rng(0)
    for size, high in ((0, 3), (1, 3), (50, 5), (500, 10 ** 12)):
        values = rng.integers(0, high, size)
        assert np.array_equal(unique_sorted(values), np.unique(values))


def test_to_scipy_csr_same_matrix_for_coalesced_shuffled_and_repeated_input():
    from graphneg.edges import to_scipy_csr
    ei = barabasi_albert(200, 3, seed=2).edge_index
    n = 203                                                           # trailing isolated nodes
    shuffled = ei[:, torch.randperm(ei.size(1), generator=torch.Generator().manual_seed(0))]
    repeated = torch.cat([ei, ei[:, :40]], 1)
    want = np.zeros((n, n))
    want[ei[0].numpy(), ei[1].numpy()] = 1.0
    for edge_index in (ei, shuffled, repeated, ei[:, :0]):
        mat = to_scipy_csr(edge_index, n)
        assert mat.shape == (n, n) and mat.has_sorted_indices
        expected = want if edge_index.size(1) else np.zeros((n, n))
        assert np.array_equal(mat.toarray(), expected)
        assert np.array_equal(mat.indptr, np.concatenate([[0], np.cumsum(expected.sum(1))]))
