"""Hypergraph generators, converters, incidence helpers and shipped data."""
import itertools
import math

import networkx as nx
import numpy as np
import pytest
import torch
from graphneg.datasets import davis_southern_women, les_miserables
from graphneg.generators import (
    from_bipartite,
    generate,
    generator_names,
    hypergraph_configuration_model,
    planted_hypergraph,
    random_hypergraph,
    reshuffle_hypergraph,
    to_bipartite,
    to_clique_expansion,
)
from graphneg.generators.hypergraphs import uniform_members
from scipy import stats
from support.reference import assert_distribution

from graphneg.hyperedges import (
    HyperedgeSet,
    check_hyperedge_index,
    from_member_lists,
    jaccard_overlap,
    to_member_lists,
)


def test_registered_names():
    assert {"random_hypergraph", "hypergraph_configuration", "planted_hypergraph"} <= \
        set(generator_names())
    h = generate("random_hypergraph", num_nodes=10, num_hyperedges=4, seed=0)
    assert h.edge_index.shape == (2, 12)


@pytest.mark.parametrize("size", [2, 4])  # direct draws, and the complement path (s > N/2)
def test_uniform_members_is_uniform(size):
    n, rows = 5, 6000
    vals = uniform_members(np.random.default_rng(0), n, np.full(rows, size))
    subsets = {c: i for i, c in enumerate(itertools.combinations(range(n), size))}
    sets = vals.reshape(rows, size)
    assert all(len(set(r)) == size for r in sets.tolist())
    got = torch.tensor([subsets[tuple(sorted(r))] for r in sets.tolist()])
    assert_distribution(got, torch.ones(len(subsets)))


def test_random_hypergraph_sizes():
    h = random_hypergraph(50, 20000, size_distribution="poisson", mean_size=4.0, min_size=2,
                          max_size=12, seed=0)
    sizes = torch.bincount(h.edge_index[1])
    support = np.arange(2, 13)
    p = stats.poisson.pmf(support - 2, 2.0)
    assert_distribution(sizes - 2, torch.tensor(p / p.sum()))
    h = random_hypergraph(30, 20000, size_distribution="powerlaw", exponent=2.0, min_size=2,
                          max_size=10, seed=1)
    q = np.arange(2, 11, dtype=float) ** -2.0
    assert_distribution(torch.bincount(h.edge_index[1]) - 2, torch.tensor(q / q.sum()))
    h = random_hypergraph(30, 20000, size_distribution=[2, 2, 5], seed=2)
    assert_distribution(torch.bincount(h.edge_index[1]) - 2,
                        torch.tensor([2 / 3, 0, 0, 1 / 3]))
    h = random_hypergraph(30, 50, size_distribution=4, seed=3)
    assert torch.bincount(h.edge_index[1]).tolist() == [4] * 50
    check_hyperedge_index(h.edge_index, num_nodes=30)  # no repeated member, no empty hyperedge


def test_random_hypergraph_seed_and_errors():
    a = random_hypergraph(20, 10, seed=4).edge_index
    assert torch.equal(a, random_hypergraph(20, 10, seed=4).edge_index)
    assert not torch.equal(a, random_hypergraph(20, 10, seed=5).edge_index)
    with pytest.raises(ValueError, match="'size_distribution' parameter of random_hypergraph "
                                         "must be an int in \\[1, 5\\]"):
        random_hypergraph(5, 3, size_distribution=6)
    with pytest.raises(ValueError, match="sequence of sizes in \\[1, 5\\]"):
        random_hypergraph(5, 3, size_distribution=[0, 2])
    with pytest.raises(ValueError, match="must be an int \\(k-uniform\\), 'poisson'"):
        random_hypergraph(5, 3, size_distribution="zipf")
    with pytest.raises(ValueError, match="'num_hyperedges' parameter"):
        random_hypergraph(5, -1)


def test_configuration_model_preserves_sequences_and_is_uniform():
    deg, sizes = [3, 2, 2, 1, 1, 1], [3, 3, 2, 2]
    h = hypergraph_configuration_model(deg, sizes, seed=0)
    assert torch.bincount(h.edge_index[0]).tolist() == deg
    assert torch.bincount(h.edge_index[1]).tolist() == sizes
    check_hyperedge_index(h.edge_index)
    # degrees (1,1,1,1), sizes (2,2): 6 labelled outcomes, all equally likely
    draws = []
    gen = torch.Generator().manual_seed(0)
    outcomes = {}
    for _ in range(3000):  # 3000 small calls; a test loop, not library code
        m = to_member_lists(hypergraph_configuration_model([1, 1, 1, 1], [2, 2], seed=gen).edge_index)
        key = tuple(m[0])
        draws.append(outcomes.setdefault(key, len(outcomes)))
    assert len(outcomes) == 6
    assert_distribution(torch.tensor(draws), torch.ones(6))


def test_configuration_model_errors():
    with pytest.raises(ValueError, match="equal sums"):
        hypergraph_configuration_model([1, 1, 0], [3])
    with pytest.raises(ValueError, match="sizes in \\[1, 2\\]"):
        hypergraph_configuration_model([2, 1], [3])
    with pytest.raises(ValueError, match="no simple matching"):
        hypergraph_configuration_model([2, 0], [2], max_tries=5, seed=0)
    with pytest.raises(TypeError, match="sequence of ints"):
        hypergraph_configuration_model([1.5], [1])


def test_planted_hypergraph_within_blocks():
    h = planted_hypergraph(60, 200, 3, size_distribution=3, mixing_prob=0.0, seed=0)
    blocks = h.y[h.edge_index[0]].view(-1, 3)
    assert bool((blocks == blocks[:, :1]).all())
    mixed = planted_hypergraph(60, 2000, 3, size_distribution=3, mixing_prob=1.0, seed=0)
    b = mixed.y[mixed.edge_index[0]].view(-1, 3)
    same = float((b == b[:, :1]).all(1).double().mean())
    assert abs(same - 1 / 9) < 0.03  # three uniform members share a block w.p. ~1/9


def test_bipartite_round_trip_and_davis():
    h = random_hypergraph(15, 9, size_distribution=[1, 2, 5], seed=0)
    g = to_bipartite(h)
    back = from_bipartite(g)
    assert torch.equal(back.edge_index, h.edge_index) and back.num_nodes == 15
    nxg = nx.davis_southern_women_graph()
    names = list(nxg.nodes)
    ids = {v: i for i, v in enumerate(names)}
    ei = torch.tensor([[ids[u] for u, v in nxg.edges], [ids[v] for u, v in nxg.edges]])
    mask = torch.tensor([v.startswith("E") and v[1:].isdigit() for v in names])
    from torch_geometric.data import Data
    davis = from_bipartite(Data(edge_index=ei, num_nodes=len(names)), mask)
    ref = davis_southern_women()
    assert torch.equal(davis.edge_index, ref.edge_index)
    assert ref.edge_index.shape == (2, 89) and ref.num_nodes == 18
    assert "Deep South" in ref.provenance and ref.hyperedge_names[0] == "E1"


def test_from_bipartite_errors():
    from torch_geometric.data import Data
    g = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3)
    with pytest.raises(ValueError, match="inside one side"):
        from_bipartite(g, torch.tensor([False, False, True]))
    g = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3)
    with pytest.raises(ValueError, match="hyperedge node 2 has no neighbour"):
        from_bipartite(g, torch.tensor([False, True, True]))
    with pytest.raises(ValueError, match="'hyperedge_mask' parameter"):
        from_bipartite(g, torch.tensor([True]))


def test_clique_expansion_matches_sets():
    h = random_hypergraph(12, 10, size_distribution=[2, 3, 4], seed=3)
    g = to_clique_expansion(h)
    ref = {}
    for m in to_member_lists(h.edge_index):
        for u, v in itertools.permutations(m, 2):
            ref[(u, v)] = ref.get((u, v), 0) + 1
    got = {(int(u), int(v)): float(w) for (u, v), w in zip(g.edge_index.t(), g.edge_weight)}
    assert got == {k: float(v) for k, v in ref.items()}
    assert g.num_nodes == 12
    with pytest.raises(ValueError, match="node ids in \\[0, 3\\)"):
        to_clique_expansion(torch.tensor([[0, 4], [0, 0]]), 3)


def test_overlaps_and_hyperedge_set_match_python_sets():
    a = random_hypergraph(20, 40, size_distribution=[1, 2, 3, 6], seed=4).edge_index
    b = random_hypergraph(20, 60, size_distribution=[2, 3, 4], seed=5).edge_index
    sa = [set(m) for m in to_member_lists(a)]
    sb = [set(m) for m in to_member_lists(b)]
    row, col, o = jaccard_overlap(a, b, 20)
    got = {(int(i), int(j)): float(x) for i, j, x in zip(row, col, o)}
    ref = {(i, j): len(x & y) / len(x | y) for i, x in enumerate(sa) for j, y in enumerate(sb)
           if x & y}
    assert got.keys() == ref.keys()
    assert all(math.isclose(got[k], ref[k]) for k in ref)
    known = HyperedgeSet(a, 20)
    query = torch.cat([b, torch.stack([a[0], a[1] + 60])], 1)
    inside = known.contains(query).tolist()
    frozen = {frozenset(s) for s in sa}
    assert inside == [frozenset(s) in frozen for s in sb + sa]
    assert inside[60:] == [True] * 40


def test_check_hyperedge_index_errors():
    with pytest.raises(TypeError, match="torch.LongTensor of shape \\(2, nnz\\)"):
        check_hyperedge_index([[0], [0]])
    with pytest.raises(ValueError, match="shape \\(2, nnz\\)"):
        check_hyperedge_index(torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="non-negative ids. Got -1"):
        check_hyperedge_index(torch.tensor([[-1], [0]]))
    with pytest.raises(ValueError, match="size >= 2. Got hyperedge 0 of size 1"):
        check_hyperedge_index(torch.tensor([[0], [0]]), min_size=2)
    assert to_member_lists(from_member_lists([[3, 1], [2]])) == [[1, 3], [2]]


def test_les_miserables():
    enc = les_miserables()
    assert enc.num_nodes == 80 and len(enc.node_names) == 80
    assert len(enc.hyperedge_names) == int(enc.edge_index[1].max()) + 1 == 402
    assert "Stanford GraphBase" in enc.provenance
    valjean = enc.node_codes.index("JV")
    assert enc.node_names[valjean] == "Jean Valjean"
    chap = les_miserables("chapter", min_size=2, deduplicate=True)
    sets = [frozenset(m) for m in to_member_lists(chap.edge_index)]
    assert len(sets) == len(set(sets)) and min(len(s) for s in sets) >= 2
    with pytest.raises(ValueError, match="'by' parameter of les_miserables"):
        les_miserables("scene")


def test_reshuffle_preserves_degrees_sizes_and_is_uniform_on_a_pair():
    h = les_miserables("chapter", min_size=2)
    r = reshuffle_hypergraph(h, 50, seed=0)
    assert torch.equal(torch.bincount(r.edge_index[0], minlength=80),
                       torch.bincount(h.edge_index[0], minlength=80))
    assert torch.equal(torch.bincount(r.edge_index[1]), torch.bincount(h.edge_index[1]))
    check_hyperedge_index(r.edge_index)  # still simple
    assert not torch.equal(r.edge_index, h.edge_index)
    # two disjoint pairs {0,1}, {2,3}: one reshuffle is uniform over the 6 splits
    start = from_member_lists([[0, 1], [2, 3]])
    gen = torch.Generator().manual_seed(1)
    outcomes, draws = {}, []
    for _ in range(3000):  # test loop over independent chains
        m = to_member_lists(reshuffle_hypergraph(start, 1, seed=gen).edge_index)
        draws.append(outcomes.setdefault(tuple(m[0]), len(outcomes)))
    assert len(outcomes) == 6
    assert_distribution(torch.tensor(draws), torch.ones(6))
    # shared nodes never move: {0,1,2} and {1,2,3} keep 1 and 2 in both
    r = reshuffle_hypergraph(from_member_lists([[0, 1, 2], [1, 2, 3]]), 5, seed=0)
    assert all({1, 2} <= set(m) for m in to_member_lists(r.edge_index))
