"""Evaluation protocols: never a known edge, HeaRT harder than uniform, chance levels."""
import numpy as np
import pytest
import torch

from graphneg.edges import EdgeSet
from graphneg.evaluation import ranking_metrics
from graphneg.heuristics import link_scores
from graphneg.protocols import (
    chance_levels, evaluation_negatives, heart_eval_negatives, uniform_eval_negatives,
)
from support.graphs import random_graph, star_graph


def _split(n=60, e=240, seed=0):
    full = random_graph(n, e, seed=seed)
    one_way = full[:, full[0] < full[1]]
    perm = torch.randperm(one_way.size(1), generator=torch.Generator().manual_seed(seed))
    test = one_way[:, perm[:20]]
    keep = one_way[:, perm[20:]]
    train = torch.cat([keep, keep.flip(0)], 1)
    return full, train, test, n


@pytest.mark.parametrize("protocol", ["uniform", "heart"])
def test_no_negative_is_a_known_edge_or_self_loop(protocol):
    full, train, test, n = _split()
    neg = evaluation_negatives(protocol, train_edge_index=train, full_edge_index=full,
                               pos_edge_index=test, num_nodes=n, num_neg=15, seed=0)
    assert neg.shape == (2, test.size(1) * 15)
    known = EdgeSet([full], n, undirected=True)
    assert not bool(known.contains(neg[0], neg[1]).any())
    assert not bool((neg[0] == neg[1]).any())


@pytest.mark.parametrize("protocol", ["uniform", "heart"])
def test_negatives_corrupt_one_endpoint_of_their_positive(protocol):
    full, train, test, n = _split()
    k = 10
    neg = evaluation_negatives(protocol, train_edge_index=train, full_edge_index=full,
                               pos_edge_index=test, num_nodes=n, num_neg=k, seed=1)
    u = test[0].repeat_interleave(k)
    v = test[1].repeat_interleave(k)
    assert bool(((neg[0] == u) | (neg[1] == v)).all())


def test_fixed_by_seed():
    full, train, test, n = _split()
    for protocol in ("uniform", "heart"):
        kw = dict(train_edge_index=train, full_edge_index=full, pos_edge_index=test,
                  num_nodes=n, num_neg=5)
        assert torch.equal(evaluation_negatives(protocol, seed=3, **kw),
                           evaluation_negatives(protocol, seed=3, **kw))


def test_heart_negatives_are_harder_by_the_heuristics_own_score():
    full, train, test, n = _split(n=120, e=600, seed=2)
    kw = dict(num_nodes=n, num_neg=10, seed=0)
    hard = heart_eval_negatives(train, full, test, **kw)
    easy = uniform_eval_negatives(full, test, **kw)
    for method in ("ra", "cn"):
        s_hard = link_scores(train, hard, n, method=method).mean()
        s_easy = link_scores(train, easy, n, method=method).mean()
        assert float(s_hard) > 2 * float(s_easy)
    # so a heuristic scorer does worse against them than against uniform negatives
    pos = link_scores(train, test, n, method="ra")
    m_hard = ranking_metrics(pos, link_scores(train, hard, n, method="ra").view(-1, 10))
    m_easy = ranking_metrics(pos, link_scores(train, easy, n, method="ra").view(-1, 10))
    assert m_hard["mrr"] < m_easy["mrr"]


def test_heart_takes_the_best_mean_rank_exactly():
    # path 0-1-2-3 plus an isolated node 4: for positive (0, 1) the corruptions with a
    # common neighbour are (0, 2) and (3, 1); everything else scores 0 on every heuristic
    ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])
    neg = heart_eval_negatives(ei, ei, torch.tensor([[0], [1]]), 5, num_neg=2,
                               heuristics=("cn",), seed=0)
    assert sorted(map(tuple, neg.t().tolist())) == [(0, 2), (3, 1)]


def test_uniform_corrupts_the_other_endpoint_of_a_star_hub():
    star = star_graph(8)
    test = torch.tensor([[0, 0], [1, 2]])  # hub first: the hub has no non-neighbour
    neg = uniform_eval_negatives(star, test, 8, num_neg=4, seed=0)
    assert bool((neg[1] != 0).all()) and bool((neg[0] != 0).all())
    assert bool((neg[1] == test[1].repeat_interleave(4)).all())


def test_chance_levels_match_a_random_scorer():
    k, p = 20, 20000
    g = torch.Generator().manual_seed(0)
    m = ranking_metrics(torch.rand(p, generator=g), torch.rand(p, k, generator=g))
    c = chance_levels(k)
    assert m["mrr"] == pytest.approx(c["mrr"], abs=0.005)
    assert m["hits@10"] == pytest.approx(c["hits@10"], abs=0.01)
    assert m["auc"] == pytest.approx(0.5, abs=0.01)
    assert c["mrr"] == pytest.approx(np.mean(1 / np.arange(1, k + 2)))


def test_bad_input():
    full, train, test, n = _split()
    with pytest.raises(ValueError, match="'protocol' parameter"):
        evaluation_negatives("hard", train_edge_index=train, full_edge_index=full,
                             pos_edge_index=test, num_nodes=n)
    with pytest.raises(ValueError, match="'num_neg' parameter"):
        uniform_eval_negatives(full, test, n, num_neg=0)
    with pytest.raises(ValueError, match="too large"):
        heart_eval_negatives(train, full, test, n, num_neg=10_000)


def test_heart_repeats_in_rank_order_when_a_positive_is_short():
    ei = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])  # path on 4 nodes
    pos = torch.tensor([[0], [1]])
    neg = heart_eval_negatives(ei, ei, pos, 4, num_neg=6, heuristics=("cn",), seed=0,
                               on_short="repeat")
    pairs = list(map(tuple, neg.t().tolist()))
    # valid corruptions of (0, 1): (0, 2), (0, 3), (2, 1)? no, (2, 1) is an edge; (3, 1)
    assert set(pairs) == {(0, 2), (0, 3), (3, 1)} and len(pairs) == 6
    assert pairs[:3] == pairs[3:]  # cycled in rank order
    with pytest.raises(ValueError, match="valid corruptions"):
        heart_eval_negatives(ei, ei, pos, 4, num_neg=6, seed=0)
