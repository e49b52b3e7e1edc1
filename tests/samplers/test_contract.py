"""The contract every registered graph sampler keeps (``docs/design.md``)."""
import pytest
import torch
from support.graphs import random_graph, star_graph
from support.reference import DRAWS, P_THRESHOLD, chi_square_pvalue
from support.sampler_cases import all_cases

from graphneg.edges import EdgeSet
from graphneg.samplers import NoNegativeCandidatesError, sampler_names

CASES = all_cases()
NAMES = sampler_names()


def test_every_registered_sampler_has_a_contract_case():
    missing = sorted(set(NAMES) - set(CASES))
    assert not missing, f"registered samplers without a contract case: {missing}"


GRAPHS = {
    "sparse": (random_graph(40, 60, seed=3), 40),
    "dense": (random_graph(12, 50, seed=4), 12),
}


@pytest.mark.parametrize("graph", sorted(GRAPHS))
@pytest.mark.parametrize("name", NAMES)
def test_contract(name, graph):
    edge_index, n = GRAPHS[graph]
    case = CASES[name]
    k = 3
    pos = edge_index[:, ::3]
    sampler = case.make(k, 7, on_impossible="drop")
    kw = case.inputs(sampler, edge_index, n)
    neg, keep = sampler.sample(edge_index, n, pos_edge_index=pos, return_mask=True, **kw)
    # dtype, shape, exact count, layout
    assert neg.dtype == torch.long
    assert neg.shape == (2, int(keep.sum()) * k)
    assert torch.equal(neg[0], pos[0, keep].repeat_interleave(k))
    # in range, no self-loop, never a known edge in either direction
    assert int(neg.min()) >= 0 and int(neg.max()) < n
    assert not bool((neg[0] == neg[1]).any())
    known = EdgeSet([edge_index, pos], n)
    assert not bool(known.contains(neg[0], neg[1]).any())
    stats = sampler.last_stats
    assert stats.drawn == neg.size(1)
    # determinism under a seed
    again = case.make(k, 7, on_impossible="drop").sample(edge_index, n, pos_edge_index=pos, **kw)
    assert torch.equal(neg, again)
    if not case.deterministic:
        other = case.make(k, 8, on_impossible="drop").sample(edge_index, n, pos_edge_index=pos,
                                                              **kw)
        assert not torch.equal(neg, other)


@pytest.mark.parametrize("name", NAMES)
def test_contract_impossible_anchor(name):
    n = 6
    edge_index = star_graph(n)
    case = CASES[name]
    kw = case.inputs(case.make(2, 0), edge_index, n)
    with pytest.raises(NoNegativeCandidatesError, match=r"anchor node\(s\) \[0\]") as info:
        case.make(2, 0).sample(edge_index, n, **kw)
    assert info.value.anchors.tolist() == [0]
    sampler = case.make(2, 0, on_impossible="drop")
    neg, keep = sampler.sample(edge_index, n, return_mask=True, **kw)
    assert keep.tolist() == (edge_index[0] != 0).tolist()
    assert sampler.last_stats.dropped == n - 1
    assert neg.shape == (2, 2 * (n - 1))
    assert not bool((neg[1] == 0).any())  # leaves' only neighbour is the hub


#: The two ways the base realises the conditional: proposals + rejection only
#: (no anchor is dense enough for the exact path, rounds never run out), and the
#: exact complement for every slot (every anchor's valid share is below 1).
PATHS = {"rejection": {"fallback_ratio": 0.0, "max_rounds": 10 ** 6},
         "exact": {"fallback_ratio": 1.0}}
LAW_GRAPH = (random_graph(14, 24, seed=5), 14)
LAW_ANCHORS = (0, 3)


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("name", NAMES)
def test_both_sampling_paths_draw_the_public_law(name, path):
    """Each path, sampled at a fixed state, matches ``log_prob`` (chi-square, fixed
    seeds): a sampler whose proposal and pointwise weights disagree fails here."""
    edge_index, n = LAW_GRAPH
    case = CASES[name]
    sampler = case.make(8, 3)
    for attr, value in PATHS[path].items():
        setattr(sampler, attr, value)
    kw = case.inputs(sampler, edge_index, n)
    anchors = torch.tensor(LAW_ANCHORS)
    pos = torch.stack([anchors.repeat_interleave(DRAWS // 8),
                       torch.zeros(anchors.numel() * (DRAWS // 8), dtype=torch.long)])
    pos[1] = torch.where(pos[0] == 0, 1, 0)        # any partner: positives are excluded too
    neg = sampler.sample(edge_index, n, pos_edge_index=pos, **kw)
    stats = sampler.last_stats
    if path == "rejection":
        assert stats.exact_slots == 0
    else:
        assert stats.exact_slots == neg.size(1) and stats.rounds == 0
    prob = sampler.log_prob(edge_index, n, anchors, pos_edge_index=pos, **kw).exp()
    assert torch.allclose(prob.sum(1), torch.ones(anchors.numel(), dtype=torch.double))
    for i, a in enumerate(LAW_ANCHORS):
        p = chi_square_pvalue(neg[1][neg[0] == a], prob[i])
        assert p > P_THRESHOLD, f"{name} ({path} path), anchor {a}: chi-square p = {p:.2e}"
