"""Heuristic link scores against networkx (CN, AA, RA, PA, personalised PageRank)."""
import networkx as nx
import numpy as np
import pytest
import torch

from graphneg.heuristics import link_scores, score_rows
from support.graphs import random_graph

N = 40


@pytest.fixture(scope="module")
def graph():
    ei = random_graph(N, 120, seed=3)
    g = nx.Graph()
    g.add_nodes_from(range(N))
    g.add_edges_from(ei.t().tolist())
    pairs = torch.combinations(torch.arange(N), 2).t()
    return ei, g, pairs


def _nx_scores(g, pairs, method):
    ebunch = [tuple(p) for p in pairs.t().tolist()]
    if method == "cn":
        return [len(list(nx.common_neighbors(g, u, v))) for u, v in ebunch]
    fn = {"aa": nx.adamic_adar_index, "ra": nx.resource_allocation_index,
          "pa": nx.preferential_attachment}[method]
    return [s for _, _, s in fn(g, ebunch)]


@pytest.mark.parametrize("method", ["cn", "aa", "ra", "pa"])
def test_link_scores_match_networkx(graph, method):
    ei, g, pairs = graph
    ours = link_scores(ei, pairs, N, method=method).numpy()
    np.testing.assert_allclose(ours, _nx_scores(g, pairs, method), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", ["cn", "aa", "ra", "pa", "ppr"])
def test_score_rows_agree_with_link_scores(graph, method):
    ei, _, _ = graph
    anchors = torch.tensor([0, 5, 17])
    rows = score_rows(ei, anchors, N, method=method)
    pairs = torch.stack([anchors.repeat_interleave(N), torch.arange(N).repeat(3)])
    flat = link_scores(ei, pairs, N, method=method)
    np.testing.assert_allclose(rows.reshape(-1).numpy(), flat.numpy(), rtol=1e-10, atol=1e-12)


def test_ppr_matches_networkx_pagerank(graph):
    ei, g, _ = graph
    alpha = 0.15
    pairs = torch.tensor([[0, 3, 7], [9, 4, 20]])
    ours = link_scores(ei, pairs, N, method="ppr", alpha=alpha, num_iter=200).numpy()
    ref = []
    for u, v in pairs.t().tolist():
        pu = nx.pagerank(g, alpha=1 - alpha, personalization={u: 1}, tol=1e-14, max_iter=1000)
        pv = nx.pagerank(g, alpha=1 - alpha, personalization={v: 1}, tol=1e-14, max_iter=1000)
        ref.append(pu[v] + pv[u])
    np.testing.assert_allclose(ours, ref, rtol=1e-6)


def test_random_scores_are_seeded_and_uniform():
    ei = random_graph(10, 20)
    pairs = torch.zeros(2, 20000, dtype=torch.long)
    a = link_scores(ei, pairs, 10, method="random", seed=1)
    assert torch.equal(a, link_scores(ei, pairs, 10, method="random", seed=1))
    assert abs(float(a.mean()) - 0.5) < 0.01


def test_bad_input_names_the_parameter():
    ei = random_graph(10, 20)
    with pytest.raises(ValueError, match="'method' parameter of link_scores"):
        link_scores(ei, ei, 10, method="katz")
    with pytest.raises(ValueError, match="'pairs' parameter of link_scores"):
        link_scores(ei, torch.tensor([[0], [11]]), 10)
    with pytest.raises(ValueError, match="structural heuristic"):
        score_rows(ei, torch.tensor([0]), 10, method="random")
