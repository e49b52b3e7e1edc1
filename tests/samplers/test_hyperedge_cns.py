"""CNS swap tables and draws against brute force: every path of the table (size-2 rows
read off the adjacency, the three-member pre-test, the swap product) and of the draw
(rejection rounds, enumeration of the pending slots); the clique expansion and the
laid-out hyperedge lookup they rely on."""
import numpy as np
import pytest
import torch
from graphneg.generators import random_hypergraph
from support.reference import assert_distribution

from graphneg.hyperedges import HyperedgeSet, from_member_lists, to_member_lists
from graphneg.samplers.hyperedge import CliqueNegativeSampler, baselines
from graphneg.samplers.hyperedge import base as hyperedge_base
from graphneg.samplers.hyperedge.base import HyperedgeContext

#: Small hypergraphs (N nodes, M hyperedges, sizes): anchors of size >= 3 that can swap,
#: that the pre-test drops, and that it passes but cannot swap (the product decides);
#: the last one with isolated nodes (num_nodes above the ids).
CASES = [(random_hypergraph(n, m, size_distribution=d, seed=s).edge_index, n + extra)
         for n, m, d, s, extra in [(20, 14, [2, 3, 4], 1, 0), (14, 12, [2, 3, 4], 0, 0),
                                   (18, 10, [3, 4, 5], 2, 0), (20, 14, [2, 3, 4], 5, 3)]]


def brute_pairs(sets, a):
    """Feasible swaps (v, w) of anchor ``sets[a]``: w outside it, adjacent in the clique
    expansion to every member but v (known hyperedges not removed)."""
    adj = {}
    for e in sets:
        for u in e:
            adj.setdefault(u, set()).update(e - {u})
    anchor = sets[a]
    return {(v, w) for v in anchor for w in set(adj) - anchor if anchor - {v} <= adj[w]}


def table_pairs(t, row, members):
    """The pairs (v, w) of row ``row`` of a swap table, with their weights."""
    out = {}
    for p in range(t.indptr[row], t.indptr[row + 1]):
        w = int(t.cols[p])
        if t.full[p]:
            assert t.weight[p] == len(members)
            out.update({(v, w): 1.0 for v in members})
        elif t.weight[p] > 0:
            assert t.weight[p] == 1.0 and (int(t.missing[p]), w) not in out
            out[(int(t.missing[p]), w)] = 1.0
    return out


@pytest.mark.parametrize("packed", [True, False])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_swap_table_equals_brute_force_on_every_path(case, packed, monkeypatch):
    """The table lists exactly the feasible pairs of every anchor, each once with
    weight 1 (per pair); the pre-test never drops an anchor with a feasible pair."""
    if not packed:   # two products, and a lexsort for the pre-test's member order
        monkeypatch.setattr(baselines, "_PACK_LIMIT", 0)
    h, n = CASES[case]
    sets = [frozenset(m) for m in to_member_lists(h)]
    sampler = CliqueNegativeSampler(1, seed=0)
    ctx = sampler._context(h, n, None, {})
    anchors = torch.arange(len(sets))
    t = sampler._swaps(anchors, ctx)
    sizes = ctx.sizes.numpy()
    big = np.flatnonzero(sizes > 2)
    passed = baselines._may_swap(ctx.incidence, ctx.adjacency, big)
    for a in range(len(sets)):
        brute = brute_pairs(sets, a)
        assert set(table_pairs(t, a, sets[a])) == brute, a
        assert (t.mass[a] > 0) == bool(brute) and t.mass[a] == len(brute)
    feasible = np.array([bool(brute_pairs(sets, a)) for a in big])
    assert not (feasible & ~passed).any()          # necessary: never drops a feasible anchor
    # the case reaches every outcome of the pre-test
    assert feasible.any() and (~passed).any() and (passed & ~feasible).any()


def brute_law(sets, a, known):
    """Valid negatives of anchor ``sets[a]``: one per feasible pair, true hyperedges removed."""
    anchor = sets[a]
    return sorted({tuple(sorted(anchor - {v} | {w})) for v, w in brute_pairs(sets, a)}
                  - {tuple(sorted(e)) for e in known}), len(brute_pairs(sets, a))


@pytest.mark.parametrize("enumerate_all", [False, True])
def test_draws_are_uniform_over_valid_swaps_by_rejection_and_by_enumeration(enumerate_all):
    """Anchors of sizes 2..4 on one hypergraph; ``enumerate_all`` serves every slot by
    the enumeration path (no rejection round: ``max_rounds`` set to 0 past its
    validation). Each anchor's draws are uniform over its valid swaps."""
    h, n = CASES[1]
    sets = [frozenset(m) for m in to_member_lists(h)]
    k = 1500
    sampler = CliqueNegativeSampler(k, seed=5, on_impossible="drop")
    if enumerate_all:
        sampler.max_rounds = 0
    out = sampler.sample(h, n)
    got = [tuple(m) for m in to_member_lists(out.hyperedge_index)]
    kept = out.keep.nonzero().view(-1).tolist()
    sizes = {len(sets[a]) for a in kept}
    assert {2, 3} <= sizes, "case needs kept anchors of sizes 2 and 3"
    if enumerate_all:     # every anchor with a feasible swap is drawn by enumeration
        swappable = sum(bool(brute_pairs(sets, a)) for a in range(len(sets)))
        assert sampler.last_stats.exact_slots == swappable * k > len(kept) * k
    for i, a in enumerate(kept):
        law, _ = brute_law(sets, a, sets)
        index = {c: j for j, c in enumerate(law)}
        mine = torch.tensor([index[c] for c in got[i * k:(i + 1) * k]])
        if len(law) == 1:                                 # no test statistic for one outcome
            assert (mine == 0).all()
        else:
            assert_distribution(mine, torch.ones(len(law), dtype=torch.double))
    for a in set(range(len(sets))) - set(kept):
        assert not brute_law(sets, a, sets)[0]


def test_an_anchor_whose_swaps_are_mostly_true_hyperedges_reaches_enumeration():
    """Anchor {0, 1}: six feasible swaps, four of them true hyperedges; slots still
    rejected after the rounds are served by enumeration, and the law stays uniform over
    the two valid sets {0, 4} and {0, 5}."""
    h = from_member_lists([[0, 1], [1, 2], [1, 3], [0, 2], [0, 3], [0, 4, 5]])
    sets = [frozenset(m) for m in to_member_lists(h)]
    assert brute_law(sets, 0, sets) == ([(0, 4), (0, 5)], 6)
    sampler = CliqueNegativeSampler(4000, seed=1, on_impossible="drop")
    out = sampler.sample(h, 6, anchors=torch.tensor([0]))
    assert sampler.last_stats.exact_slots > 0 and sampler.last_stats.rejected > 0
    got = [tuple(m) for m in to_member_lists(out.hyperedge_index)]
    index = {(0, 4): 0, (0, 5): 1}
    assert_distribution(torch.tensor([index[c] for c in got]),
                        torch.tensor([0.5, 0.5], dtype=torch.double))


@pytest.mark.parametrize("pairs", [True, False])
@pytest.mark.parametrize("case", range(len(CASES) + 1))
def test_clique_expansion_equals_brute_force(case, pairs, monkeypatch):
    """Sorted 0/1 rows, no diagonal, from member pairs and from the boolean product
    (taken for large hyperedges); the extra case has a pair in three hyperedges, a
    hyperedge of size 1 and a node in none."""
    if not pairs:
        monkeypatch.setattr(hyperedge_base, "_PAIR_SIZE_LIMIT", 1)
    h, n = CASES[case] if case < len(CASES) else (
        from_member_lists([[0, 1], [1, 0], [2, 1, 0], [3]]), 5)
    dense = np.zeros((n, n), dtype=np.int64)
    for m in to_member_lists(h):
        for u in m:
            for w in m:
                dense[u, w] = u != w
    adj = HyperedgeContext(h, n, None, {}).adjacency
    assert adj.dtype == np.int64 and adj.has_sorted_indices
    assert np.array_equal(adj.toarray(), dense)
    assert all((np.diff(adj.indices[adj.indptr[i]:adj.indptr[i + 1]]) > 0).all()
               for i in range(n))


def test_lookup_rows_matches_lookup_for_sets_in_any_order():
    h, n = CASES[0]
    known = HyperedgeSet(h, n)
    members = to_member_lists(h)
    rng = np.random.default_rng(0)
    queries = [list(rng.permutation(m)) for m in members]            # known, shuffled
    queries += [list(rng.choice(n, size=s, replace=False)) for s in (2, 3, 3, 4) * 5]
    sizes = np.array([len(q) for q in queries])
    got = known.lookup_rows(np.concatenate(queries), sizes)
    want = known.lookup(from_member_lists([sorted(q) for q in queries])).numpy()
    assert np.array_equal(got, want)
    assert (got[:len(members)] >= 0).all() and (got[len(members):] == -1).any()
    assert HyperedgeSet.from_incidence(HyperedgeContext(h, n, None, {}).incidence).lookup(
        from_member_lists([sorted(q) for q in queries])).tolist() == want.tolist()
