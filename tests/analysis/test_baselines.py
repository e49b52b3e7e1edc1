"""Heuristic baselines on fixed evaluation negatives."""
import pytest
import torch

from graphneg.analysis.baselines import heuristic_baselines, protocol_metrics
from graphneg.evaluation import ranking_metrics
from graphneg.heuristics import link_scores
from graphneg.protocols import chance_levels, heart_eval_negatives, uniform_eval_negatives


def _clustered(n_blocks=6, size=20, seed=0):
    """Dense blocks joined by a few random edges: common neighbours predict edges."""
    g = torch.Generator().manual_seed(seed)
    b = torch.arange(n_blocks * size) // size
    u, v = torch.triu_indices(n_blocks * size, n_blocks * size, 1)
    p = torch.where(b[u] == b[v], 0.5, 0.01)
    keep = torch.rand(u.numel(), generator=g) < p
    one = torch.stack([u[keep], v[keep]])
    return one, n_blocks * size


def _setup(seed=0):
    one, n = _clustered(seed=seed)
    perm = torch.randperm(one.size(1), generator=torch.Generator().manual_seed(seed))
    test, keep = one[:, perm[:60]], one[:, perm[60:]]
    full = torch.cat([one, one.flip(0)], 1)
    train = torch.cat([keep, keep.flip(0)], 1)
    negs = {"uniform": uniform_eval_negatives(full, test, n, num_neg=20, seed=seed),
            "heart": heart_eval_negatives(train, full, test, n, num_neg=20, seed=seed)}
    return train, n, test, negs


def test_protocol_metrics_equal_ranking_metrics_per_protocol():
    train, n, test, negs = _setup()
    def score(p):
        return link_scores(train, p, n, method="ra")
    m = protocol_metrics(score, test, negs)
    ref = ranking_metrics(score(test), score(negs["heart"]).view(-1, 20))
    assert m["heart_mrr"] == ref["mrr"] and m["heart_auc"] == ref["auc"]
    assert set(m) >= {"test_auc", "test_ap", "test_mrr", "test_hits@10", "heart_auc"}


def test_heuristics_beat_random_and_random_sits_at_chance():
    train, n, test, negs = _setup()
    res = heuristic_baselines(train, n, test, negs)
    assert set(res) == {f"heuristic:{h}" for h in ("cn", "aa", "ra", "pa", "random")}
    assert res["heuristic:ra"]["test_auc"] > 0.8
    assert res["heuristic:random"]["test_auc"] == pytest.approx(0.5, abs=0.1)
    chance = chance_levels(20)["mrr"]
    assert res["heuristic:random"]["test_mrr"] == pytest.approx(chance, abs=0.08)
    # the hard protocol is hard for the heuristics it was built from
    assert res["heuristic:ra"]["heart_mrr"] < res["heuristic:ra"]["test_mrr"]
