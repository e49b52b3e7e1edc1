import pandas as pd

from graphneg.cli import main


def test_geo_command_writes_results(tmp_path):
    rc = main(["geo", "--out", str(tmp_path), "--epochs", "2", "--seeds", "0", "--taus", "100",
               "1e9", "--train-taus", "200", "--num-neg", "2", "--mc-draws", "100", "--quiet"])
    assert rc == 0
    curve = pd.read_csv(tmp_path / "geo_bias_curve.csv")
    assert curve.confounding_state.iloc[0] > 1.5
    assert abs(curve.confounding_state.iloc[1] - 1) < 1e-3
    train = pd.read_csv(tmp_path / "geo_training.csv")
    assert list(train[train.kind == "sampler"].sampler) == ["uniform", "spatial τ=200 km"]
    assert {"test_auc", "nearby_auc", "morans_i"} <= set(train.columns)
    effects = pd.read_csv(tmp_path / "geo_effects.csv")
    assert {"heuristic:distance", "heuristic:gravity"} <= set(effects.sampler)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Findings" in report
    assert max(len(line) for line in report.splitlines() if line.startswith("|")) <= 100
    assert (tmp_path / "geo_bias_map.png").stat().st_size > 0
    assert (tmp_path / "geo_bias_confounding_vs_tau.png").stat().st_size > 0
