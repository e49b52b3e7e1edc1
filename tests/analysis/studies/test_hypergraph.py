"""The hypergraph study: tables, the report's text, the sweep, and the profile/training split."""
import numpy as np
import pytest
import torch

from graphneg.analysis.studies import hypergraph

TINY = {"hidden_channels": 8, "out_channels": 8}


def test_run_tables_and_sections():
    res = hypergraph.run(["davis"], seeds=[0], epochs=1, progress=False, trainer_kwargs=TINY)
    assert list(res.tables()) == ["summary", "effects", "results", "profiles",
                                  "summary_by_sampler"]
    trained = res.runs[~res.runs["sampler"].str.startswith("heuristic:")]
    assert len(trained) == len(hypergraph.DEFAULT_HYPEREDGE_SAMPLERS)
    assert set(res.runs["sampler"]) - set(trained["sampler"]) == {"heuristic:density",
                                                                 "heuristic:random"}
    assert list(res.summary.index.names) == ["graph", "sampler"]
    assert res.graphs.to_dict("records") == [{"graph": "davis", "role": "learnable",
                                              "num_nodes": 18, "num_hyperedges": 14}]
    data = hypergraph.load_hypergraph("davis")
    assert res.positive_sizes["davis"].tolist() == torch.bincount(data.edge_index[1]).tolist()
    # the profiles do not depend on training: the same numbers as an untrained comparison
    runs, _, _ = hypergraph.compare_hyperedge_samplers(data, seeds=[0], train=False)
    assert np.array_equal(runs["mean_density"].to_numpy(), trained["mean_density"].to_numpy())
    (h1, findings), (h2, body) = res.sections()
    assert h1 == "Findings" and h2.startswith("Effects")
    assert "| uniform |" in body and "davis holds only 1 test hyperedges" in findings
    assert set(res.effects["sampler"]) == set(res.runs["sampler"])


def test_run_sweep_grid_and_text():
    sweep = hypergraph.run_sweep("davis", [0.0, 1.0], [-1.0], epochs=1, progress=False,
                                 trainer_kwargs=TINY)
    assert sorted(zip(sweep["alpha"], sweep["beta"])) == [(0.0, -1.0), (1.0, -1.0)]
    assert {"test_auc", "mean_density", "eta"} <= set(sweep.columns)
    text = hypergraph.sweep_sections(candidates="sized", epochs=1, num_neg=5, seeds=[0])[0][1]
    assert "'sized' candidate pool" in text


def test_unknown_hypergraph():
    with pytest.raises(ValueError, match="Unknown hypergraph 'nope'. Known hypergraphs: 'lesmis'"):
        hypergraph.load_hypergraph("nope")


def test_random_hypergraph_is_the_null_model_and_every_method_shares_the_test_sets():
    res = hypergraph.run(["random"], seeds=[0, 1], epochs=1, progress=False,
                         samplers={k: v for k, v in hypergraph.DEFAULT_HYPEREDGE_SAMPLERS.items()
                                   if k in ("uniform", "maxent (α=1, β=2)")},
                         trainer_kwargs=TINY)
    assert res.graphs["role"].tolist() == ["null"]
    assert res.findings()[0].startswith("random is the null model")
    # the chapter's setting is in the default comparison, on an explicit generated pool
    reg, kw = hypergraph.DEFAULT_HYPEREDGE_SAMPLERS["maxent (α=1, β=2)"]
    assert reg == "maxent" and kw["alpha"] > 0 and kw["beta"] > 0 and kw["candidates"] == "sized"
    # paired: a method's test sets depend on the seed only (same count for every method)
    counts = res.runs.groupby("seed")["num_test_hyperedges"].nunique(dropna=True)
    assert (counts == 1).all()
    diff = res.effects[(res.effects["sampler"] == "maxent (α=1, β=2)")
                       & (res.effects["metric"] == "test_auc")]
    assert diff["n_seeds"].item() == 2 and diff["diff_vs_uniform"].notna().all()
