"""Real graphs shipped offline: sizes, simple undirected structure, provenance."""
import networkx as nx
import numpy as np
import pytest
import torch
from graphneg.datasets import graph_names, load_graph
from graphneg.datasets.graphs import roget_graph, words_graph
from torch_geometric.utils import is_undirected

SIZES = {"karate": (34, 78), "lesmis": (77, 254), "florentine": (15, 20), "davis": (32, 89),
         "roget": (1022, 3648), "words": (5757, 14135)}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_sizes_and_simple_undirected(name):
    data = load_graph(name)
    n, m = SIZES[name]
    ei = data.edge_index
    assert data.num_nodes == n and ei.size(1) == 2 * m and ei.dtype == torch.long
    assert is_undirected(ei, num_nodes=n)
    assert not (ei[0] == ei[1]).any()
    keys = ei[0] * n + ei[1]
    assert keys.unique().numel() == keys.numel()
    assert len(data.node_names) == n and isinstance(data.provenance, str) and data.provenance


def test_registry_lists_every_graph_and_rejects_unknown():
    assert graph_names() == sorted(SIZES)
    with pytest.raises(ValueError, match="Unknown graph 'cora'. Known graphs: 'davis'"):
        load_graph("cora")


def test_words_edges_are_exactly_one_letter_apart():
    data = words_graph()
    words = np.array(data.node_names)
    u, v = data.edge_index
    diff = (words.view("<U1").reshape(-1, 5)[u.numpy()] != words.view("<U1").reshape(-1, 5)[v.numpy()]).sum(1)
    assert (diff == 1).all()
    # completeness on a brute-force subset: every one-letter pair among 400 words is an edge
    sub = np.arange(400)
    letters = words.view("<U1").reshape(-1, 5)[sub]
    close = ((letters[:, None, :] != letters[None, :, :]).sum(2) == 1)
    iu, iv = np.nonzero(close)
    have = set(zip(u.tolist(), v.tolist()))
    assert all((int(a), int(b)) in have for a, b in zip(sub[iu], sub[iv]))


def test_roget_matches_networkx_example_parse():
    data = roget_graph()
    assert data.node_names[:3] == ["existence", "inexistence", "substantiality"]
    nbrs = set(data.edge_index[1, data.edge_index[0] == 0].tolist())
    assert {1, 68, 124, 148} <= nbrs  # "1existence:2 69 125 149 ..." (1-based in the file)


def test_karate_factions_and_davis_bipartition():
    karate = load_graph("karate")
    g = nx.karate_club_graph()
    assert karate.y.tolist() == [int(g.nodes[i]["club"] != "Mr. Hi") for i in range(34)]
    davis = load_graph("davis")
    t = davis.node_type
    assert (t[davis.edge_index[0]] != t[davis.edge_index[1]]).all()
    lesmis = load_graph("lesmis")
    assert lesmis.edge_weight.shape == (508,) and (lesmis.edge_weight >= 1).all()
