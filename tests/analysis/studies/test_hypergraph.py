"""The hypergraph study: tables, the report's text, the sweep, and the profile/training split."""
import numpy as np
import pytest
import torch

from graphneg.analysis.studies import hypergraph

TINY = {"hidden_channels": 8, "out_channels": 8}


def test_run_tables_and_sections():
    res = hypergraph.run(["davis"], seeds=[0], epochs=1, progress=False, trainer_kwargs=TINY)
    assert list(res.tables()) == ["runs", "summary", "profiles"]
    assert len(res.runs) == len(hypergraph.DEFAULT_HYPEREDGE_SAMPLERS)
    assert list(res.summary.index.names) == ["graph", "sampler"]
    assert res.graphs.to_dict("records") == [{"graph": "davis", "num_nodes": 18,
                                              "num_hyperedges": 14}]
    data = hypergraph.load_hypergraph("davis")
    assert res.positive_sizes["davis"].tolist() == torch.bincount(data.edge_index[1]).tolist()
    # the profiles do not depend on training: the same numbers as an untrained comparison
    runs, _ = hypergraph.compare_hyperedge_samplers(data, seeds=[0], train=False)
    assert np.array_equal(runs["mean_density"].to_numpy(), res.runs["mean_density"].to_numpy())
    (heading, body), = res.sections()
    assert heading.startswith("Summary")
    assert "| davis | SNS sized |" in body and "davis has only 1 held-out" in body


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
