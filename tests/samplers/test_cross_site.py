import pytest
import torch
from support.graphs import random_graph
from support.reference import assert_distribution, chi_square_pvalue
from torch_geometric.data import Data

from graphneg.edges import EdgeSet
from graphneg.samplers import CrossSiteNegativeSampler, cross_site_negatives


def _target(ei, n, anchor, site, pi, mask=None):
    valid = ~EdgeSet([ei], n).contains(torch.full((n,), anchor), torch.arange(n))
    valid[anchor] = False
    valid &= site >= 0
    if mask is not None:
        valid &= mask
    same = valid & (site == site[anchor]) & (site[anchor] >= 0)
    other = valid & ~same
    if not bool(other.any()):
        pi = 1.0
    if not bool(same.any()):
        pi = 0.0
    return (pi * same / max(int(same.sum()), 1) + (1 - pi) * other / max(int(other.sum()), 1)
            ).double()


@pytest.mark.parametrize("pi", [0.0, 0.2, 0.9, 1.0])
@pytest.mark.parametrize("fallback", [0.1, 1.0])
def test_law_is_exact(pi, fallback):
    n = 24
    ei = random_graph(n, 50, seed=3)
    site = torch.arange(n) % 3
    site[-2:] = -1  # two nodes without a site: never negatives
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]]).repeat(1, 4000)
    s = CrossSiteNegativeSampler(5, same_site_prob=pi, seed=0, fallback_ratio=fallback)
    neg = s.sample(ei, n, pos_edge_index=pos, site=site)
    assert (s.last_stats.exact_slots > 0) == (fallback == 1.0)
    probs = _target(ei, n, anchor, site, pi)
    assert_distribution(neg[1], probs)
    # the share of own-site negatives is pi (whenever both sides are non-empty)
    same = (site[neg[1]] == site[anchor]).double().mean()
    assert float(same) == pytest.approx(pi, abs=0.02)


def test_test_has_power():
    n = 24
    ei = random_graph(n, 50, seed=3)
    site = torch.arange(n) % 3
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]]).repeat(1, 4000)
    neg = CrossSiteNegativeSampler(5, same_site_prob=0.5, seed=0).sample(
        ei, n, pos_edge_index=pos, site=site)
    assert chi_square_pvalue(neg[1], _target(ei, n, anchor, site, 0.45)) < 1e-3


def test_empty_sides_fall_back_to_the_other_side():
    # anchor 0 (site 0): its only same-site node 1 is a neighbour -> S(0) empty
    site = torch.tensor([0, 0, 1, 1, 2, 2])
    ei = torch.tensor([[0, 1], [1, 0]])
    s = CrossSiteNegativeSampler(2000, same_site_prob=0.9, seed=1)
    neg = s.sample(ei, 6, pos_edge_index=ei[:, :1], site=site)
    assert_distribution(neg[1], torch.tensor([0, 0, 1, 1, 1, 1.0]))
    assert s.last_stats.extra["anchors_without_same_site"] == 2
    # anchor 0 joined to every other-site node -> O(0) empty: all from own site even at pi=0
    others = torch.tensor([[0, 0, 0, 0], [2, 3, 4, 5]])
    ei = torch.cat([others, others.flip(0)], 1)
    site = torch.tensor([0, 0, 0, 1, 1, 2])
    neg = CrossSiteNegativeSampler(100, same_site_prob=0.0, seed=1).sample(
        ei, 6, pos_edge_index=ei[:, :1], site=site)
    assert set(neg[1].tolist()) == {1}


def test_siteless_anchor_and_candidate_mask():
    # patients 0..5 with sites, findings 6..8 without: a finding anchor draws patients only
    site = torch.tensor([0, 0, 1, 1, 2, 2, -1, -1, -1])
    ei = torch.tensor([[6, 0], [0, 6]])
    neg = CrossSiteNegativeSampler(3000, same_site_prob=0.7, seed=2).sample(
        ei, 9, pos_edge_index=ei[:, :1], site=site)
    assert_distribution(neg[1], torch.tensor([0, 1, 1, 1, 1, 1, 0, 0, 0.0]))
    mask = torch.tensor([True, True, True, False, True, True, True, True, True])
    neg = cross_site_negatives(ei, 9, site=site, num_neg=3000, same_site_prob=0.7, seed=2,
                               candidate_mask=mask, pos_edge_index=ei[:, 1:])
    assert_distribution(neg[1], _target(ei, 9, 0, site, 0.7, mask))


def test_pairs_mode_joint_law():
    n = 9
    ei = random_graph(n, 12, seed=4)
    site = torch.arange(n) % 2
    pi = 0.8
    neg = CrossSiteNegativeSampler(30000, same_site_prob=pi, mode="pairs", seed=3).sample(
        ei, n, site=site)
    rows = torch.stack([_target(ei, n, u, site, pi) for u in range(n)])
    assert_distribution(neg[0] * n + neg[1], rows.reshape(-1))


def test_transform_reads_site_and_errors():
    n = 12
    ei = random_graph(n, 15, seed=0)
    data = Data(edge_index=ei, num_nodes=n, site=torch.arange(n) % 2)
    out = CrossSiteNegativeSampler(2, seed=0)(data)
    assert out.edge_label_index.size(1) == 3 * ei.size(1)
    with pytest.raises(ValueError, match=r"'same_site_prob' parameter of "
                                         r"CrossSiteNegativeSampler must be a finite float in "
                                         r"\[0, 1\]\. Got 1.5"):
        CrossSiteNegativeSampler(1, same_site_prob=1.5)
    with pytest.raises(ValueError, match=r"'same_site_prob'.*Got -0.1"):
        CrossSiteNegativeSampler(1, same_site_prob=-0.1)
    s = CrossSiteNegativeSampler(1, seed=0)
    with pytest.raises(ValueError, match="needs site labels"):
        s.sample(ei, n)
    with pytest.raises(TypeError, match="'site' parameter .* integer tensor"):
        s.sample(ei, n, site=torch.zeros(n))
    with pytest.raises(ValueError, match=r"'site' parameter .* shape \(12,\)"):
        s.sample(ei, n, site=torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"site ids >= 0 or -1 .* Got -2"):
        s.sample(ei, n, site=torch.full((n,), -2))
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        s.sample(ei, n, site=torch.zeros(n, dtype=torch.long), lat=1)
