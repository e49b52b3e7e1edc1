"""Hyperedge samplers: exact laws against brute-force enumeration, exclusion, errors."""
import itertools
import math

import pytest
import torch
from graphneg.generators import random_hypergraph
from support.reference import assert_distribution
from torch_geometric.data.hypergraph_data import HyperGraphData

from graphneg.hyperedges import from_member_lists, to_member_lists
from graphneg.samplers import SAMPLERS, NoNegativeCandidatesError
from graphneg.samplers.hyperedge import baselines
from graphneg.samplers.hyperedge import (
    HYPEREDGE_SAMPLERS,
    CliqueNegativeSampler,
    HyperedgeNegativeSampler,
    MotifNegativeSampler,
    NoNegativeHyperedgesError,
    SizedNegativeSampler,
    get_hyperedge_sampler,
    maxent_probabilities,
)

DRAWS = 20000
H = random_hypergraph(8, 12, size_distribution=[2, 3, 4], seed=1).edge_index
N = 8
SETS = [frozenset(m) for m in to_member_lists(H)]


def brute_maxent(sets, pool, anchor_set, alpha, beta, known=()):
    """Reference law by Python sets (test only)."""
    w = []
    for e in pool:
        if e == anchor_set or e in known:
            w.append(0.0)
            continue
        o = len(e & anchor_set) / len(e | anchor_set)
        w.append(len(e) ** alpha * (1 - o) ** beta)
    w = torch.tensor(w, dtype=torch.double)
    return w / w.sum()


def test_registry_is_separate_from_graph_samplers():
    assert {"maxent", "sized", "motif", "clique"} <= set(HYPEREDGE_SAMPLERS.names())
    assert not set(HYPEREDGE_SAMPLERS.names()) & set(SAMPLERS.names())
    assert issubclass(NoNegativeHyperedgesError, NoNegativeCandidatesError)
    with pytest.raises(ValueError, match="Unknown hyperedge sampler 'nope'"):
        get_hyperedge_sampler("nope")


@pytest.mark.parametrize("alpha,beta", [(0.0, 0.0), (0.0, 2.0), (1.5, 0.0), (1.0, -2.0),
                                        (-1.0, 1.0)])
def test_maxent_probabilities_match_brute_force(alpha, beta):
    for anchor in range(len(SETS)):
        p = maxent_probabilities(H, N, anchor, alpha=alpha, beta=beta)
        ref = brute_maxent(SETS, SETS, SETS[anchor], alpha, beta)
        torch.testing.assert_close(p, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fallback", [0.0, 1.0])  # rejection + sparse rows / enumerated rows
@pytest.mark.parametrize("alpha,beta", [(0.0, 0.0), (0.0, 3.0), (2.0, 0.0), (1.5, -2.0)])
def test_maxent_sampling_is_exact(alpha, beta, fallback):
    anchors = torch.tensor([0, 5])
    sampler = HyperedgeNegativeSampler(DRAWS, alpha=alpha, beta=beta, seed=3,
                                       fallback_ratio=fallback)
    out = sampler.sample(H, N, anchors=anchors)
    assert out.candidate.shape == (2 * DRAWS,)
    for i, a in enumerate(anchors.tolist()):
        cand = out.candidate[i * DRAWS:(i + 1) * DRAWS]
        assert_distribution(cand, brute_maxent(SETS, SETS, SETS[a], alpha, beta))
    assert sampler.last_stats.drawn == sampler.last_stats.requested == 2 * DRAWS


def test_maxent_beta_positive_gives_full_overlap_zero_mass_and_duplicates_excluded():
    # hyperedge 1 duplicates the anchor 0: o = 1, never drawn, for any beta
    h = from_member_lists([[0, 1, 2], [0, 1, 2], [1, 2, 3], [4, 5]])
    for beta in (0.0, 2.0, -2.0):
        p = maxent_probabilities(h, 6, 0, alpha=0.0, beta=beta)
        assert p[0] == 0 and p[1] == 0
        out = HyperedgeNegativeSampler(500, beta=beta, seed=0).sample(h, 6,
                                                                      anchors=torch.tensor([0]))
        assert not bool(((out.candidate == 0) | (out.candidate == 1)).any())
    # beta < 0 favours the overlapping candidate: o = 2/4, weight 0.5^-2 = 4 vs 1
    p = maxent_probabilities(h, 6, 0, alpha=0.0, beta=-2.0)
    torch.testing.assert_close(p[2:], torch.tensor([0.8, 0.2], dtype=torch.double))


def test_maxent_scale_invariance_in_size():
    # beta = 0: q ∝ |E|^alpha depends on size ratios only: sizes (2, 4) and (3, 6) agree
    a = from_member_lists([[8, 9], [0, 1], [2, 3, 4, 5]])
    b = from_member_lists([[8, 9], [0, 1, 2], [3, 4, 5, 6, 7, 10]])
    pa = maxent_probabilities(a, 11, 0, alpha=1.3, beta=0.0)[1:]
    pb = maxent_probabilities(b, 11, 0, alpha=1.3, beta=0.0)[1:]
    torch.testing.assert_close(pa, pb)
    torch.testing.assert_close(pa[1] / pa[0], torch.tensor(2.0 ** 1.3, dtype=torch.double))


def test_maxent_generated_pool_excludes_true_hyperedges_exactly():
    pool_sets = [frozenset(s) for s in ([0, 1], [0, 1, 2, 3], [4, 5, 6], [1, 2], [5, 7])]
    pool = from_member_lists([sorted(s) for s in pool_sets])
    known = set(SETS)
    sampler = HyperedgeNegativeSampler(DRAWS, alpha=0.5, beta=1.0, seed=0)
    out = sampler.sample(H, N, anchors=torch.tensor([2]), candidate_index=pool)
    ref = brute_maxent(SETS, pool_sets, SETS[2], 0.5, 1.0, known=known)
    assert_distribution(out.candidate, ref)
    got = {frozenset(m) for m in to_member_lists(out.hyperedge_index)}
    assert not got & known


@pytest.mark.parametrize("name", ["sized", "motif"])
def test_maxent_with_generated_candidates(name):
    sampler = HyperedgeNegativeSampler(4, beta=1.0, candidates=name, num_candidates=50, seed=0)
    out = sampler.sample(H, N)
    assert out.anchor.tolist() == torch.arange(12).repeat_interleave(4).tolist()
    assert not {frozenset(m) for m in to_member_lists(out.hyperedge_index)} & set(SETS)
    assert sampler.last_stats.extra["pool_size"] == 50


def test_sized_sampler_is_exact():
    h = from_member_lists([[0, 1], [1, 2], [0, 1, 2], [2, 3, 4]])
    n = 5
    known = {frozenset(m) for m in to_member_lists(h)}
    outcomes = [frozenset(c) for s in (2, 3) for c in itertools.combinations(range(n), s)]
    probs = torch.tensor([0.0 if c in known else 0.5 / math.comb(n, len(c)) for c in outcomes])
    out = SizedNegativeSampler(DRAWS // 4, seed=1).sample(h, n)
    index = {c: i for i, c in enumerate(outcomes)}
    got = torch.tensor([index[frozenset(m)] for m in to_member_lists(out.hyperedge_index)])
    assert got.numel() == DRAWS
    assert_distribution(got, probs)


def brute_clique(sets, anchor_set, known):
    nodes = set().union(*sets)
    adj = {v: set() for v in nodes}
    for e in sets:
        for u in e:
            adj[u] |= e - {u}
    out = []
    for v in anchor_set:
        rest = anchor_set - {v}
        for w in nodes - anchor_set:
            if rest <= adj[w]:
                cand = rest | {w}
                if cand not in known:
                    out.append(frozenset(cand))
    return out


@pytest.mark.parametrize("packed", [True, False])
def test_clique_sampler_is_exact_and_keeps_the_size(packed, monkeypatch):
    if not packed:   # counts and member-id sums from two products instead of one
        monkeypatch.setattr(baselines, "_PACK_LIMIT", 0)
    known = set(SETS)
    anchors = [0, 2, 9]
    out = CliqueNegativeSampler(DRAWS // 4, seed=2, on_impossible="drop").sample(
        H, N, anchors=torch.tensor(anchors))
    got = [frozenset(m) for m in to_member_lists(out.hyperedge_index)]
    kept = [a for a, k in zip(anchors, out.keep.tolist()) if k]
    assert kept, "test case needs a feasible anchor"
    k = DRAWS // 4
    for i, a in enumerate(kept):
        feas = brute_clique(SETS, SETS[a], known)
        index = {c: j for j, c in enumerate(feas)}
        mine = got[i * k:(i + 1) * k]
        assert all(len(c) == len(SETS[a]) for c in mine)
        assert_distribution(torch.tensor([index[c] for c in mine]),
                            torch.ones(len(feas), dtype=torch.double))
    for a, kept_flag in zip(anchors, out.keep.tolist()):
        assert kept_flag == bool(brute_clique(SETS, SETS[a], known))


@pytest.mark.parametrize("cls", [CliqueNegativeSampler, MotifNegativeSampler])
def test_clique_and_motif_reuse_their_tables_only_for_the_same_hypergraph(cls):
    """Calls on one unchanged tensor reuse the context and tables: the draws equal a
    fresh build's (a clone each call); an in-place change or another hypergraph
    rebuilds them, so its negatives are never stale."""
    def draws(sampler, h, calls, clone):
        return [sampler.sample(h.clone() if clone else h, N, anchors=torch.tensor([0, 2, 9])
                               ).hyperedge_index.tolist() for _ in range(calls)]
    reused = cls(3, seed=4, on_impossible="drop")
    assert draws(reused, H, 3, False) == draws(cls(3, seed=4, on_impossible="drop"), H, 3, True)
    first = reused._last_context[3]
    draws(reused, H, 1, False)
    assert reused._last_context[3] is first
    h = H.clone()
    reused.sample(h, N)
    before = reused._last_context[3]
    h[0] = (h[0] + 1) % N                              # in place: another hypergraph
    out = reused.sample(h, N)
    assert reused._last_context[3] is not before
    known = {frozenset(m) for m in to_member_lists(h)}
    assert not known & {frozenset(m) for m in to_member_lists(out.hyperedge_index)}
    if cls is CliqueNegativeSampler:
        sets = [frozenset(m) for m in to_member_lists(h)]
        got = to_member_lists(out.hyperedge_index)
        anchor = out.anchor.tolist()
        assert all(frozenset(m) in brute_clique(sets, sets[a], known) for m, a in zip(got, anchor))


def test_motif_sampler_grows_connected_sets():
    sets = SETS
    adj = {v: set() for v in range(N)}
    for e in sets:
        for u in e:
            adj[u] |= e - {u}
    out = MotifNegativeSampler(200, seed=0).sample(H, N, anchors=torch.tensor([0, 1]))
    got = to_member_lists(out.hyperedge_index)
    assert len(got) == 400
    for m in got:
        assert len(m) in (2, 3, 4) and frozenset(m) not in set(sets)
        seen, todo = {m[0]}, [m[0]]
        while todo:  # connected inside the clique expansion
            u = todo.pop()
            for w in adj[u] & set(m):
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
        assert seen == set(m)
    sizes = torch.tensor([len(m) for m in got])
    # size law = empirical sizes (same seed-independent support, every size seen)
    assert set(sizes.tolist()) == {len(s) for s in sets}


def brute_motif(sets, n):
    """Exact MNS law by enumerating the growth (test only): a size from the histogram,
    a uniform ordered edge of the clique expansion (a uniform node for size 1), then
    uniform frontier nodes; dead growths restart and true hyperedges are redrawn, so
    the law is the process's, conditioned on success and on not being a true set."""
    adj = {v: set() for v in range(n)}
    for e in sets:
        for u in e:
            adj[u] |= e - {u}
    edges = [(u, w) for u in range(n) for w in sorted(adj[u])]
    law = {}

    def grow(members, p, k):
        if len(members) == k:
            law[members] = law.get(members, 0.0) + p
            return
        frontier = set().union(*(adj[v] for v in members)) - members
        for w in frontier:                       # an empty frontier: the mass restarts
            grow(members | {w}, p / len(frontier), k)

    for k in {len(e) for e in sets}:
        pk = sum(len(e) == k for e in sets) / len(sets)
        for u, w in ([(v, None) for v in range(n)] if k == 1 else edges):
            start = frozenset([u] if w is None else [u, w])
            grow(start, pk / (n if k == 1 else len(edges)), k)
    return {m: p for m, p in law.items() if m not in set(sets)}


def test_motif_sampler_is_exact():
    """Seeded chi-square against the enumerated growth law, with a small component
    (growths that die and restart) and sizes 2..4."""
    h = from_member_lists([[0, 1, 2], [2, 3], [3, 4, 5], [1, 4], [6, 7], [0, 2, 3, 5]])
    n = 8
    law = brute_motif([frozenset(m) for m in to_member_lists(h)], n)
    outcomes = sorted(law, key=sorted)
    index = {c: i for i, c in enumerate(outcomes)}
    sampler = MotifNegativeSampler(DRAWS // 6, seed=3)
    out = sampler.sample(h, n)
    got = [index.get(frozenset(m), -1) for m in to_member_lists(out.hyperedge_index)]
    assert len(got) == 6 * (DRAWS // 6) and min(got) >= 0
    assert sampler.last_stats.extra["motif_restarts"] > 0
    probs = torch.tensor([law[c] for c in outcomes])
    assert_distribution(torch.tensor(got), probs)


def test_impossible_anchors_raise_or_drop():
    triangle = from_member_lists([[0, 1], [1, 2], [0, 2]])
    with pytest.raises(NoNegativeHyperedgesError, match=r"anchor hyperedge\(s\) \[0, 1, 2\]"):
        CliqueNegativeSampler(2, seed=0).sample(triangle, 3)
    sampler = CliqueNegativeSampler(2, seed=0, on_impossible="drop")
    out = sampler.sample(triangle, 3)
    assert out.keep.tolist() == [False] * 3 and out.num_negatives == 0
    assert sampler.last_stats.dropped == 3 and sampler.last_stats.impossible_anchors == 3
    same = from_member_lists([[0, 1], [0, 1]])
    with pytest.raises(NoNegativeHyperedgesError, match=r"\[0, 1\]") as info:
        HyperedgeNegativeSampler(1, seed=0).sample(same, 2)
    assert info.value.anchors.tolist() == [0, 1]


def test_transform_writes_labels_in_incidence_form():
    data = HyperGraphData(edge_index=H, num_nodes=N)
    out = HyperedgeNegativeSampler(3, beta=1.0, seed=0)(data)
    m, k = 12, 3
    assert out.hyperedge_label.tolist() == [1.0] * m + [0.0] * (m * k)
    assert out.hyperedge_label_anchor.tolist() == list(range(m)) + \
        torch.arange(m).repeat_interleave(k).tolist()
    lab = to_member_lists(out.hyperedge_label_index)
    assert [frozenset(x) for x in lab[:m]] == SETS
    anchors = out.hyperedge_label_anchor[m:].tolist()
    assert all(frozenset(x) != SETS[a] for x, a in zip(lab[m:], anchors))
    assert out.neg_stats["drawn"] == m * k
    assert not hasattr(data, "hyperedge_label")  # the input is not modified


@pytest.mark.parametrize("name", HYPEREDGE_SAMPLERS.names())
def test_contract_of_every_registered_hyperedge_sampler(name):
    """Layout, exact counts, no negative equal to its anchor, generated ones never a true
    hyperedge, stats consistent (a new registered sampler is checked automatically)."""
    k = 3
    sampler = get_hyperedge_sampler(name, num_neg=k, seed=1, on_impossible="drop")
    out = sampler.sample(H, N)
    kept = out.keep.nonzero().view(-1)
    assert out.anchor.tolist() == kept.repeat_interleave(k).tolist()
    assert out.hyperedge_index.dtype == torch.long
    negs = [frozenset(m) for m in to_member_lists(out.hyperedge_index, out.num_negatives)]
    assert len(negs) == out.num_negatives == k * kept.numel()
    assert all(len(m) > 0 for m in negs)
    assert all(m != SETS[a] for m, a in zip(negs, out.anchor.tolist()))
    if out.candidate is None:  # generated negatives are never true hyperedges
        assert not set(negs) & set(SETS)
    st = sampler.last_stats
    assert st.drawn == out.num_negatives and st.requested == k * 12
    assert st.dropped == int((~out.keep).sum())


@pytest.mark.parametrize("name", HYPEREDGE_SAMPLERS.names())
def test_determinism_under_a_seed(name):
    a = get_hyperedge_sampler(name, num_neg=3, seed=5, on_impossible="drop").sample(H, N)
    b = get_hyperedge_sampler(name, num_neg=3, seed=5, on_impossible="drop").sample(H, N)
    c = get_hyperedge_sampler(name, num_neg=3, seed=6, on_impossible="drop").sample(H, N)
    assert torch.equal(a.hyperedge_index, b.hyperedge_index)
    assert not torch.equal(a.hyperedge_index, c.hyperedge_index)
    assert int(a.hyperedge_index[1].max()) + 1 == a.num_negatives == 3 * int(a.keep.sum())


def test_bad_input():
    with pytest.raises(ValueError, match="'alpha' parameter of HyperedgeNegativeSampler must be a "
                                         "finite float"):
        HyperedgeNegativeSampler(alpha=float("nan"))
    with pytest.raises(ValueError, match="'beta' parameter .* Got nan instead"):
        HyperedgeNegativeSampler(beta=float("nan"))
    sampler = HyperedgeNegativeSampler(seed=0)
    with pytest.raises(ValueError, match="empty hyperedges .* hyperedge 1 with no member"):
        sampler.sample(torch.tensor([[0, 1], [0, 2]]), 3)
    with pytest.raises(ValueError, match=r"node ids in \[0, 3\)\. Got 5"):
        sampler.sample(torch.tensor([[0, 5], [0, 0]]), 3)
    with pytest.raises(ValueError, match="node 1 twice in hyperedge 0"):
        sampler.sample(torch.tensor([[0, 1, 1], [0, 0, 0]]), 3)
    with pytest.raises(ValueError, match="size >= 2. Got hyperedge 1 of size 1"):
        CliqueNegativeSampler(seed=0).sample(torch.tensor([[0, 1, 2], [0, 0, 1]]), 3)
    with pytest.raises(TypeError, match="dtype torch.long"):
        sampler.sample(torch.tensor([[0.0, 1.0], [0.0, 0.0]]), 3)
    with pytest.raises(ValueError, match=r"'anchors' .* ids in \[0, 12\)"):
        sampler.sample(H, N, anchors=torch.tensor([12]))
    with pytest.raises(ValueError, match="'candidates' parameter .* one of"):
        HyperedgeNegativeSampler(candidates="clique")
    with pytest.raises(ValueError, match="'num_neg' parameter"):
        SizedNegativeSampler(0)
    with pytest.raises(ValueError, match=r"'anchor' parameter of maxent_probabilities must be an "
                                         r"int in \[0, 11\]"):
        maxent_probabilities(H, N, 12, alpha=0.0, beta=0.0)


def test_exclude_hyperedge_index_is_never_returned():
    h = from_member_lists([[0, 1], [1, 2, 3]])
    held = from_member_lists([[0, 2], [3, 4], [0, 3]])
    out = SizedNegativeSampler(2000, seed=0).sample(h, 5, exclude_hyperedge_index=held)
    got = {frozenset(m) for m in to_member_lists(out.hyperedge_index)}
    banned = {frozenset(m) for m in ([0, 1], [1, 2, 3], [0, 2], [3, 4], [0, 3])}
    assert not got & banned
    assert len(got) == 10 + 10 - 5  # every other 2- and 3-set of 5 nodes appears
