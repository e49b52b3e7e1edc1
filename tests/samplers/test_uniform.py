import pytest
import torch
import torch_geometric.transforms as T
from support.graphs import random_graph, star_graph
from support.reference import (
    adjacency_sets, assert_distribution, chi_square_pvalue, valid_set,
)
from torch_geometric.data import Data

from graphneg.edges import EdgeSet
from graphneg.samplers import (
    NoNegativeCandidatesError,
    UniformNegativeSampler,
    get_sampler,
    uniform_negatives,
)


def _anchor_draws():
    """20k uniform negatives of one anchor and the brute-force indicator of its C(u)."""
    ei, n = random_graph(15, 30, seed=2), 15
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]]).repeat(1, 4000)
    neg = UniformNegativeSampler(5, seed=0).sample(ei, n, pos_edge_index=pos)
    valid = torch.zeros(n, dtype=torch.bool)
    valid[valid_set(adjacency_sets(ei, n), anchor, n)] = True
    return neg, valid, n


def test_per_anchor_is_uniform_over_non_neighbours():
    neg, valid, n = _anchor_draws()
    assert_distribution(neg[1], valid.double())


def test_wrong_distribution_is_detected():
    # the same draws tested against a skewed target must fail
    neg, valid, n = _anchor_draws()
    skew = valid.double() * (1 + 0.1 * (torch.arange(n) % 2))
    assert chi_square_pvalue(neg[1], skew) < 1e-3


def test_dense_rows_use_exact_complement_and_stay_uniform():
    # complete graph on 8 nodes minus the edges of node 0 to 5, 6, 7
    n = 8
    full = torch.ones(n, n).triu(1).nonzero().t()
    keep = ~((full[0] == 0) & (full[1] >= 5))
    und = full[:, keep]
    ei = torch.cat([und, und.flip(0)], 1)
    pos = torch.tensor([[0], [1]]).repeat(1, 3000)
    probs = torch.zeros(n)
    probs[5:] = 1
    # node 0's valid share is 3/7: above 0.5 it goes straight to the exact path
    sampler = UniformNegativeSampler(4, seed=1, fallback_ratio=0.5)
    neg = sampler.sample(ei, n, pos_edge_index=pos)
    assert sampler.last_stats.exact_slots == neg.size(1)
    assert sampler.last_stats.rounds == 0
    assert_distribution(neg[1], probs)
    # below, by rejection; and a round cap sends the rest to the exact path
    sampler = UniformNegativeSampler(4, seed=1, fallback_ratio=0.1, max_rounds=1)
    neg = sampler.sample(ei, n, pos_edge_index=pos)
    assert 0 < sampler.last_stats.exact_slots < neg.size(1)
    assert_distribution(neg[1], probs)


def test_pairs_mode_uniform_over_ordered_non_edges():
    ei, n = random_graph(10, 15, seed=5), 10
    neg = UniformNegativeSampler(30000, mode="pairs", seed=3).sample(ei, n)
    assert neg.shape == (2, 30000)
    known = EdgeSet([ei], n)
    u, v = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    valid = (~known.contains(u, v) & (u != v)).reshape(-1).double()
    assert_distribution(neg[0] * n + neg[1], valid)


def test_pairs_mode_dense_graph_exact_path():
    n = 6
    full = torch.ones(n, n).triu(1).nonzero().t()[:, 1:]  # drop edge (0, 1)
    ei = torch.cat([full, full.flip(0)], 1)
    sampler = UniformNegativeSampler(50, mode="pairs", seed=0)
    neg = sampler.sample(ei, n)
    assert sampler.last_stats.exact_slots == 50
    assert set(map(tuple, neg.t().tolist())) == {(0, 1), (1, 0)}


def test_functional_twin_matches_class():
    ei = random_graph(50, 100, seed=0)
    a = uniform_negatives(ei, 50, num_neg=2, seed=11)
    b = UniformNegativeSampler(2, seed=11).sample(ei, 50)
    assert torch.equal(a, b)


def test_transform_face_follows_random_link_split():
    ei = random_graph(60, 200, seed=0)
    data = Data(edge_index=ei, num_nodes=60)
    train, val, test = T.RandomLinkSplit(num_val=0.1, num_test=0.1, is_undirected=True,
                                         add_negative_train_samples=False)(data)
    p = train.edge_label_index.size(1)
    out = UniformNegativeSampler(3, seed=0)(train)
    assert out.edge_label_index.shape == (2, 4 * p)
    assert torch.equal(out.edge_label_index[:, :p], train.edge_label_index)
    assert out.edge_label.tolist() == [1.0] * p + [0.0] * (3 * p)
    assert out.edge_label.dtype == train.edge_label.dtype
    assert out.neg_stats["drawn"] == 3 * p
    assert train.edge_label_index.size(1) == p  # the input was not modified
    # split edges excluded when passed
    excl = torch.cat([val.edge_label_index[:, val.edge_label == 1],
                      test.edge_label_index[:, test.edge_label == 1]], 1)
    out = UniformNegativeSampler(3, seed=0)(train, exclude_edge_index=excl)
    neg = out.edge_label_index[:, p:]
    assert not bool(EdgeSet([excl], 60).contains(neg[0], neg[1]).any())


def test_transform_without_positives_gives_no_negatives():
    # PyG's behaviour for an empty split: an empty (2, 0) output, not an error
    data = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3,
                edge_label_index=torch.empty(2, 0, dtype=torch.long))
    out = UniformNegativeSampler(3)(data)
    assert out.edge_label_index.shape == (2, 0) and out.edge_label.shape == (0,)
    assert out.neg_stats["requested"] == 0 and out.neg_stats["drawn"] == 0


def test_complete_graph_pairs_mode_raises():
    n = 4
    full = torch.ones(n, n).triu(1).nonzero().t()
    ei = torch.cat([full, full.flip(0)], 1)
    with pytest.raises(NoNegativeCandidatesError, match="no valid negative pair"):
        UniformNegativeSampler(mode="pairs").sample(ei, n)


def test_candidate_mask_restricts_negatives_bipartite():
    # users 0..3, items 4..9; negatives must be items
    ei = torch.tensor([[0, 1, 2, 3], [4, 5, 6, 7]])
    ei = torch.cat([ei, ei.flip(0)], 1)
    mask = torch.zeros(10, dtype=torch.bool)
    mask[4:] = True
    pos = ei[:, :4]
    neg = UniformNegativeSampler(2000, seed=0).sample(ei, 10, pos_edge_index=pos[:, :1],
                                                      candidate_mask=mask)
    probs = torch.zeros(10)
    probs[5:] = 1
    assert_distribution(neg[1], probs)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"num_neg": 0}, ValueError, r"'num_neg' parameter of UniformNegativeSampler must be an int in \[1, inf\)\. Got 0"),
    ({"num_neg": 1.5}, TypeError, "'num_neg'"),
    ({"mode": "all"}, ValueError, "'mode' parameter .* must be one of 'per_anchor', 'pairs'. Got 'all'"),
    ({"on_impossible": "skip"}, ValueError, "'on_impossible'"),
    ({"seed": -1}, ValueError, r"'seed' parameter of UniformNegativeSampler must be an int in \[0, 2\*\*63 - 1\], a torch\.Generator or None\. Got -1"),
    ({"seed": "a"}, TypeError, "'seed' parameter"),
])
def test_bad_parameters(kwargs, err, match):
    with pytest.raises(err, match=match):
        UniformNegativeSampler(**kwargs)


@pytest.mark.parametrize("edge_index, num_nodes, err, match", [
    (torch.tensor([[0, 1], [1, 0]], dtype=torch.int32), 3, TypeError, "must have dtype torch.long"),
    (torch.tensor([0, 1]), 3, ValueError, r"must have shape \(2, E\)"),
    ([[0, 1], [1, 0]], 3, TypeError, "must be a torch.LongTensor"),
    (torch.tensor([[0, -1], [1, 0]]), 3, ValueError, "non-negative node ids. Got -1"),
    (torch.tensor([[0, 5], [1, 0]]), 3, ValueError, r"'num_nodes' parameter .* at least max\(edge_index\) \+ 1 = 6. Got 3"),
])
def test_bad_edge_index(edge_index, num_nodes, err, match):
    with pytest.raises(err, match=match):
        UniformNegativeSampler().sample(edge_index, num_nodes)


def test_bad_pos_and_mask():
    ei = torch.tensor([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match=r"'pos_edge_index' .* ids in \[0, 3\). Got 7"):
        UniformNegativeSampler().sample(ei, 3, pos_edge_index=torch.tensor([[0], [7]]))
    with pytest.raises(ValueError, match="'candidate_mask'"):
        UniformNegativeSampler().sample(ei, 3, candidate_mask=torch.ones(2, dtype=torch.bool))


def test_registry_and_repr():
    s = get_sampler("uniform", num_neg=2, seed=0)
    assert isinstance(s, UniformNegativeSampler)
    assert get_sampler(s) is s
    assert repr(s) == "UniformNegativeSampler(num_neg=2, mode='per_anchor', on_impossible='raise')"
    with pytest.raises(ValueError, match="Unknown sampler 'nope'. Known samplers: .*'uniform'"):
        get_sampler("nope")
    with pytest.raises(TypeError, match="'sampler' parameter"):
        get_sampler(3)


def test_rng_state_roundtrip_and_generator_seed():
    ei = random_graph(30, 50, seed=0)
    s = UniformNegativeSampler(2, seed=5)
    state = s.get_rng_state()
    a = s.sample(ei, 30)
    s.set_rng_state(state)
    assert torch.equal(a, s.sample(ei, 30))
    g = torch.Generator().manual_seed(5)
    assert torch.equal(a, UniformNegativeSampler(2, seed=g).sample(ei, 30))


def test_star_hub_error_names_anchor():
    with pytest.raises(NoNegativeCandidatesError, match=r"\[0\]"):
        UniformNegativeSampler().sample(star_graph(5), 5)


class _NeighboursOnly(UniformNegativeSampler):
    """q(n|u) > 0 only on u's neighbours: no mass on any valid candidate."""

    def _log_weights(self, anchors, candidates, ctx):
        nb = ctx.known.contains(anchors.view(-1, 1), candidates.view(1, -1))
        return torch.zeros(nb.shape, dtype=torch.double).masked_fill(~nb, float("-inf"))

    def _propose(self, anchors, generator, ctx):
        return anchors.clone()  # always rejected (self-loop)


def test_zero_mass_on_valid_set_falls_back_to_uniform_and_is_counted():
    ei, n = random_graph(12, 20, seed=1), 12
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]]).repeat(1, 3000)
    sampler = _NeighboursOnly(2, seed=0, max_rounds=2)
    neg = sampler.sample(ei, n, pos_edge_index=pos)
    assert sampler.last_stats.extra["zero_mass_anchors"] == 1
    assert not bool(torch.isnan(neg.double()).any())
    valid = ~EdgeSet([ei], n).contains(torch.full((n,), anchor), torch.arange(n))
    valid[anchor] = False
    assert_distribution(neg[1], valid.double())
    # a normal sampler never reports the key
    plain = UniformNegativeSampler(2, seed=0)
    plain.sample(ei, n, pos_edge_index=pos)
    assert "zero_mass_anchors" not in plain.last_stats.extra
