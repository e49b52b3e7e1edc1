"""The hypergraph study: tables, the report's text, the sweep, and the profile/training split."""
import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

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
                                 seeds=[0], trainer_kwargs=TINY)
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


def test_sweep_effects_are_paired_differences_against_the_uniform_cell():
    rng = np.random.default_rng(0)
    rows = [{"sampler": f"α={a:g}, β={b:g}", "alpha": a, "beta": b, "seed": k,
             "test_auc": float(rng.random())} for a in (0.0, 1.0) for b in (0.0, -2.0)
            for k in range(5)]
    sweep = pd.DataFrame(rows)
    eff = hypergraph.sweep_effects(sweep, ["test_auc"])
    ref = sweep[(sweep["alpha"] == 0) & (sweep["beta"] == 0)]["test_auc"].to_numpy()
    cell = sweep[(sweep["alpha"] == 1) & (sweep["beta"] == -2)]["test_auc"].to_numpy()
    row = eff[(eff["alpha"] == 1) & (eff["beta"] == -2)].iloc[0]
    d = cell - ref
    half = stats.t.ppf(0.975, 4) * d.std(ddof=1) / np.sqrt(5)
    assert row["diff_vs_uniform"] == pytest.approx(d.mean())
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((d.mean() - half,
                                                                       d.mean() + half))
    assert np.isnan(eff[(eff["alpha"] == 0) & (eff["beta"] == 0)]["diff_vs_uniform"]).all()
    with pytest.raises(ValueError, match="'sweep' parameter of sweep_effects must hold"):
        hypergraph.sweep_effects(sweep[sweep["alpha"] == 1], ["test_auc"])
