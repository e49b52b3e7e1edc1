"""The partitioned sampler on 2 and 3 gloo ranks over 127.0.0.1 (spawned processes)."""
import pytest
import torch

from graphneg.distributed import Partition, PartitionedNegativeSampler
from graphneg.samplers import DegreeNegativeSampler, UniformNegativeSampler
from support import partitioned_cases as cases
from support.distributed import run_ranks
from support.reference import adjacency_sets, chi_square_pvalue, P_THRESHOLD, valid_set

NUM_NEG = 1500


def _reference(law, alpha=0.75):
    """Brute-force Pr[n | u] on the whole graph: uniform or deg^alpha over C(u)."""
    ei, exclude = cases.law_graph()
    n = cases.NUM_NODES
    nbrs = adjacency_sets(torch.cat([ei, exclude], 1), n)
    deg = torch.bincount(ei[0], minlength=n).double()
    q = torch.ones(n, dtype=torch.double) if law == "uniform" else deg.pow(alpha)
    probs = torch.zeros(n, n, dtype=torch.double)
    for u in range(n):
        cu = valid_set(nbrs, u, n)
        if cu:
            w = q[cu] if q[cu].sum() > 0 else torch.ones(len(cu), dtype=torch.double)
            probs[u, cu] = w / w.sum()
    return probs


def _check_law(results, law, **single):
    n = cases.NUM_NODES
    ref = _reference(law)
    ei, exclude = cases.law_graph()
    one = (UniformNegativeSampler() if law == "uniform" else DegreeNegativeSampler(alpha=0.75))
    sp = one.log_prob(ei, n, torch.arange(n), torch.arange(n),
                      exclude_edge_index=exclude).exp()  # the single-process law
    assert torch.allclose(sp.double(), ref, atol=1e-6)
    neg = torch.cat([r["neg"] for r in results], 1)
    for r in results:  # exact counts on every rank
        assert r["neg"].size(1) == r["pos"].size(1) * NUM_NEG == r["stats"].drawn
        assert torch.equal(r["neg"][0], r["pos"][0].repeat_interleave(NUM_NEG))
        assert r["same_again"]
    # zero false negatives: never a known pair in either direction, never a self-loop
    assert bool((ref[neg[0], neg[1]] > 0).all())
    # the joint law of (anchor, negative) against count(u) * Pr[n | u]
    anchors = neg[0]
    weight = torch.bincount(anchors, minlength=n).double()[:, None] * ref
    p = chi_square_pvalue(anchors * n + neg[1], weight.view(-1))
    assert p > P_THRESHOLD, f"chi-square p = {p:.2e}"
    return neg


def test_two_ranks_degree_law_exact_counts_no_false_negatives(tmp_path):
    results = run_ranks(cases.draw, 2, tmp_path, "degree", NUM_NEG, {})
    ei, _ = cases.law_graph()
    assert torch.equal(results[0]["degree"], torch.bincount(ei[0], minlength=cases.NUM_NODES))
    assert sum(r["num_local"] for r in results) == ei.size(1)  # each edge on one rank only
    assert sum(r["stats"].extra["pairs_sent"] for r in results) > 0  # owners were asked
    _check_law(results, "degree")


def test_three_ranks_uniform_law_mixing_rejection_and_exact_paths(tmp_path):
    results = run_ranks(cases.draw, 3, tmp_path, "uniform", NUM_NEG,
                        {"fallback_ratio": 0.6, "max_rounds": 2})
    assert sum(r["stats"].exact_slots for r in results) > 0
    assert sum(r["stats"].rejected for r in results) > 0
    _check_law(results, "uniform")


def test_wrong_law_is_detected(tmp_path):
    """The same check fails the degree draws against the uniform law (the test has power)."""
    results = run_ranks(cases.draw, 2, tmp_path, "degree", NUM_NEG, {"alpha": 1.5})
    with pytest.raises(AssertionError, match="chi-square"):
        _check_law(results, "degree")


def test_impossible_anchor_raises_on_every_rank_or_is_dropped(tmp_path):
    results = run_ranks(cases.impossible, 2, tmp_path)
    for r in results:  # the hub 0 is owned by rank 0; both ranks raise, naming it
        assert r["anchors"] == [0] and "on_impossible='drop'" in r["raised"]
    hub, leaves = results
    is_hub = hub["pos"][0] == 0
    assert torch.equal(hub["keep"], ~is_hub) and hub["stats"].dropped == int(is_hub.sum())
    assert hub["stats"].impossible_anchors == 1 and leaves["stats"].impossible_anchors == 0
    assert bool(leaves["keep"].all())
    for r in results:  # exact counts, and a leaf's negatives are the other leaves
        assert r["neg"].size(1) == 2 * int(r["keep"].sum())
        assert bool((r["neg"][1] != 0).all() and (r["neg"][0] != r["neg"][1]).all())
    assert leaves["empty"] == (2, 0)


def test_partition_rules():
    part = Partition(torch.tensor([0, 1, 1]), 2)
    assert part.nodes_of(1).tolist() == [1, 2]
    with pytest.raises(ValueError, match="'owner' parameter of Partition must hold ranks"):
        Partition(torch.tensor([0, 2]), 2)
    with pytest.raises(ValueError, match="'law' parameter of PartitionedNegativeSampler"):
        PartitionedNegativeSampler(law="hard")
