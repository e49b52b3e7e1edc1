"""Hypergraph analysis: density, profiles, comparison, sweep, plots."""
import itertools

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from graphneg.analysis.hypergraph import (  # noqa: E402
    alpha_beta_sweep,
    clique_expansion_density,
    compare_hyperedge_samplers,
    negative_profile,
    plot_hardness,
    plot_overlap_distributions,
    plot_size_distributions,
    plot_sweep_heatmap,
)
from graphneg.datasets import davis_southern_women  # noqa: E402
from graphneg.generators import random_hypergraph  # noqa: E402

from graphneg.hyperedges import to_member_lists  # noqa: E402
from graphneg.samplers.hyperedge import SizedNegativeSampler  # noqa: E402

H = random_hypergraph(15, 12, size_distribution=[2, 3, 4], seed=2)


def test_clique_expansion_density_matches_brute_force():
    sets = [set(m) for m in to_member_lists(H.edge_index)]
    adj = {(u, v) for s in sets for u, v in itertools.permutations(s, 2)}
    query = random_hypergraph(15, 30, size_distribution=[1, 2, 3, 5], seed=3).edge_index
    got = clique_expansion_density(query, H.edge_index, 15).tolist()
    for m, g in zip(to_member_lists(query), got):
        if len(m) == 1:
            assert np.isnan(g)
            continue
        pairs = list(itertools.combinations(m, 2))
        assert g == pytest.approx(sum((u, v) in adj for u, v in pairs) / len(pairs))
    # every true hyperedge of size >= 2 is a clique of its expansion
    assert clique_expansion_density(H.edge_index, H.edge_index, 15).tolist() == [1.0] * 12


def test_negative_profile_matches_sets():
    neg = SizedNegativeSampler(3, seed=0).sample(H.edge_index, 15)
    prof = negative_profile(H.edge_index, 15, neg)
    sets = [set(m) for m in to_member_lists(H.edge_index)]
    negs = [set(m) for m in to_member_lists(neg.hyperedge_index)]
    for (_, row), s in zip(prof.iterrows(), negs):
        a = sets[int(row["anchor"])]
        assert row["size"] == len(s) and row["anchor_size"] == len(a)
        assert row["overlap"] == pytest.approx(len(a & s) / len(a | s))


def test_compare_without_training_and_plots():
    data = davis_southern_women()
    runs, prof, _ = compare_hyperedge_samplers(data, seeds=[0, 1], train=False, num_neg=3)
    assert len(runs) == 10 and set(prof["seed"]) == {0, 1}
    by = runs.groupby("sampler")["mean_density"].mean()
    # CNS keeps all but one member plus a common neighbour of the rest: density exactly 1;
    # the default max-entropy pool is generated node sets, not true hyperedges
    assert by["CNS clique"] == 1.0
    assert by["uniform"] < 1.0
    pool, _, _ = compare_hyperedge_samplers(
        data, {"maxent on true hyperedges": ("maxent", {})}, seeds=[0], train=False, num_neg=3)
    assert pool["mean_density"].item() == 1.0      # pool negatives are true hyperedges
    assert runs["size_ks"].between(0, 1).all()
    sizes = torch.bincount(data.edge_index[1]).numpy()
    for fn, args in ((plot_size_distributions, (prof, sizes)), (plot_overlap_distributions, (prof,)),
                     (plot_hardness, (prof, 1.0))):
        ax = fn(*args)
        assert ax.get_title()
        matplotlib.pyplot.close(ax.figure)


def test_alpha_beta_sweep_and_heatmap():
    sweep = alpha_beta_sweep(davis_southern_women(), [0.0, 1.0], [-1.0], candidates="sized",
                             epochs=2, trainer_kwargs={"hidden_channels": 8, "out_channels": 8})
    assert sorted(zip(sweep["alpha"], sweep["beta"])) == [(0.0, -1.0), (1.0, -1.0)]
    assert {"test_auc", "mean_density", "eta"} <= set(sweep.columns)
    ax = plot_sweep_heatmap(sweep, "mean_density")
    assert ax.get_ylabel() == "α (size exponent)"
    matplotlib.pyplot.close(ax.figure)
