"""The contract every registered graph sampler keeps (``docs/design.md``)."""
import pytest
import torch
from support.graphs import random_graph, star_graph
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
    kw = case.call_kwargs(edge_index, n)
    sampler = case.make(k, 7, on_impossible="drop")
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
    kw = case.call_kwargs(edge_index, n)
    with pytest.raises(NoNegativeCandidatesError, match=r"anchor node\(s\) \[0\]") as info:
        case.make(2, 0).sample(edge_index, n, **kw)
    assert info.value.anchors.tolist() == [0]
    sampler = case.make(2, 0, on_impossible="drop")
    neg, keep = sampler.sample(edge_index, n, return_mask=True, **kw)
    assert keep.tolist() == (edge_index[0] != 0).tolist()
    assert sampler.last_stats.dropped == n - 1
    assert neg.shape == (2, 2 * (n - 1))
    assert not bool((neg[1] == 0).any())  # leaves' only neighbour is the hub
