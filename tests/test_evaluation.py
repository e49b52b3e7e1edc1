"""Ranking metrics against scikit-learn and brute-force definitions."""
import math

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from support.reference import reconstruction_brute_force

from graphneg.evaluation import (
    average_precision,
    hits_at_k,
    mean_reciprocal_rank,
    positive_ranks,
    ranking_metrics,
    roc_auc,
    reconstruction_metrics,
)


def _scores(seed, p=60, q=90, ties=False):
    g = torch.Generator().manual_seed(seed)
    if ties:  # few distinct values: many ties inside and across classes
        return (torch.randint(0, 6, (p,), generator=g).double(),
                torch.randint(0, 6, (q,), generator=g).double())
    return torch.randn(p, generator=g) + 0.5, torch.randn(q, generator=g)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ties", [False, True])
def test_auc_and_ap_match_sklearn(seed, ties):
    pos, neg = _scores(seed, ties=ties)
    y = np.r_[np.ones(pos.numel()), np.zeros(neg.numel())]
    s = torch.cat([pos, neg]).numpy()
    assert roc_auc(pos, neg) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert average_precision(pos, neg) == pytest.approx(average_precision_score(y, s), abs=1e-12)


def test_auc_is_layout_independent():
    pos, neg = _scores(0, p=10, q=30)
    assert roc_auc(pos, neg.view(10, 3)) == roc_auc(pos, neg)


@pytest.mark.parametrize("seed", range(4))
def test_ranks_match_brute_force_per_anchor_and_pool(seed):
    g = torch.Generator().manual_seed(seed)
    pos = torch.randint(0, 5, (20,), generator=g).double()
    neg = torch.randint(0, 5, (20, 7), generator=g).double()
    # brute force: rank = 1 + #greater + #ties / 2 (mean of optimistic and pessimistic)
    expected = [1 + sum(float(n > p) for n in row) + 0.5 * sum(float(n == p) for n in row)
                for p, row in zip(pos.tolist(), neg.tolist())]
    assert positive_ranks(pos, neg).tolist() == expected
    pool = neg.view(-1)
    expected_pool = [1 + float((pool > p).sum()) + 0.5 * float((pool == p).sum())
                     for p in pos.tolist()]
    assert positive_ranks(pos, pool).tolist() == expected_pool
    assert mean_reciprocal_rank(pos, neg) == pytest.approx(np.mean(1 / np.array(expected)))
    for k in (1, 3, 10):
        assert hits_at_k(pos, neg, k) == pytest.approx(np.mean(np.array(expected) <= k))


def test_perfect_and_worst_scorers():
    pos, neg = torch.tensor([3.0, 4.0]), torch.tensor([[0.0, 1.0], [2.0, 0.5]])
    m = ranking_metrics(pos, neg, (1,))
    assert m == {"auc": 1.0, "ap": 1.0, "mrr": 1.0, "hits@1": 1.0}
    m = ranking_metrics(-pos, neg, (1,))
    assert m["auc"] == 0.0 and m["mrr"] == pytest.approx(1 / 3) and m["hits@1"] == 0.0


def test_bad_inputs():
    pos, neg = torch.rand(3), torch.rand(3, 2)
    with pytest.raises(ValueError, match="'pos' parameter of roc_auc must have shape"):
        roc_auc(pos.view(3, 1), neg)
    with pytest.raises(ValueError, match=r"'neg' parameter of positive_ranks must have shape \(Q,\) or \(P, K\)"):
        positive_ranks(pos, torch.rand(4, 2))
    with pytest.raises(ValueError, match="at least one positive and one negative"):
        average_precision(torch.zeros(0), torch.rand(2))
    with pytest.raises(ValueError, match="must be finite"):
        roc_auc(torch.tensor([math.nan]), neg.view(-1))
    with pytest.raises(TypeError, match="real-valued torch.Tensor"):
        roc_auc([0.1], neg)
    with pytest.raises(ValueError, match=r"'k' parameter of hits_at_k must be an int in \[1, inf\)"):
        hits_at_k(pos, neg, 0)


def test_integer_scores_beyond_2_53_are_compared_exactly():
    big = 2**53
    pos, neg = torch.tensor([big + 1]), torch.tensor([big])
    assert float(pos.double()) == float(neg.double())  # what a float64 cast would merge
    assert roc_auc(pos, neg) == 1.0 == roc_auc_score([1, 0], [1, 0])
    assert average_precision(pos, neg) == 1.0
    assert positive_ranks(pos, torch.tensor([[big, big + 1, big + 2]])).tolist() == [2.5]
    g = torch.Generator().manual_seed(0)
    p = big + torch.randint(0, 6, (30,), generator=g)
    q = big + torch.randint(0, 6, (40,), generator=g)
    brute = ((p.view(-1, 1) > q).double() + 0.5 * (p.view(-1, 1) == q).double()).mean()
    assert roc_auc(p, q) == pytest.approx(float(brute), abs=1e-12)


def test_reconstruction_ties_are_the_mean_of_optimistic_and_pessimistic():
    n = 6
    ei = torch.tensor([[0, 1, 0, 2, 3, 4], [1, 0, 2, 0, 4, 3]])
    equal = reconstruction_metrics(torch.ones(n, n), ei)  # no information: chance, not perfect
    # rank = 1 + (N - 1 - deg u) / 2 per edge (u, v): node 0 has degree 2, the others 1
    assert equal["mean_rank"] == pytest.approx(np.mean([2.5, 3, 2.5, 3, 3, 3]))
    assert equal["map"] < 1
    g = torch.Generator().manual_seed(0)
    dist = torch.randint(0, 3, (n, n), generator=g).double()  # many ties
    got = reconstruction_metrics(dist, ei, chunk_size=4)
    rank, ap = reconstruction_brute_force(dist, ei)
    assert got["mean_rank"] == pytest.approx(rank) and got["map"] == pytest.approx(ap)


def test_reconstruction_refuses_nan_and_bad_shapes():
    dist = torch.rand(3, 3)
    dist[0, 2] = float("nan")
    with pytest.raises(ValueError, match=r"'dist' parameter of reconstruction_metrics must hold no NaN"):
        reconstruction_metrics(dist, torch.tensor([[0], [1]]))
    with pytest.raises(ValueError, match=r"'dist' .* shape \(N, N\)"):
        reconstruction_metrics(torch.rand(3, 2), torch.tensor([[0], [1]]))
    with pytest.raises(ValueError, match="'chunk_size'"):
        reconstruction_metrics(torch.rand(3, 3), torch.tensor([[0], [1]]), chunk_size=0)
