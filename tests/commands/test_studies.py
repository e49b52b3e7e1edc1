"""The study commands end to end at their smallest settings: files, report, progress."""
import functools
import os

import pandas as pd
import pytest

from graphneg.cli import main

CASES = {
    "adversarial": (["--num-nodes", "30", "--epochs", "2", "--seeds", "0", "--downstream-epochs",
                     "1", "--penalties", "0"], None,
                    ["adversarial_collapse.csv"], "adversarial_collapse.png"),
    "ann": (["--num-nodes", "60", "--epochs", "1", "-k", "4", "--anchor-step", "6",
             "--payoff-sizes", "300"], "faiss",
            ["ann_sweep.csv"], "ann_bias_recall_refresh.png"),
    "spikes": (["--epochs", "1", "--seeds", "0", "1"], "nitime",
               ["spikes_runs.csv", "spikes_effects.csv", "van_rossum_check.csv"],
               "spikes_temporal_emphasis.png"),
    "crf": (["--epochs", "1", "--max-length", "8", "--num-samples", "2", "--seeds", "0"], None,
            ["crf_nll_all.csv", "crf_ce_all.csv", "crf_ce_2.csv", "crf_runs.csv",
             "crf_summary.csv"],
            "crf_ce_nll_gap.png"),
    "hyperbolic": (["--epochs", "1", "--dim", "2", "--seeds", "0", "1"], "geoopt",
                   ["hyperbolic_reconstruction.csv", "utility_controlled.csv",
                    "utility_trained.csv"], "hyperbolic_utility_ratio.png"),
    "alignment": (["--epochs", "1", "--samplers", "uniform", "degree", "--seeds", "0"], None,
                  ["alignment_uniform.csv", "alignment_degree.csv", "alignment_summary.csv"],
                  "alignment_uniformity.png"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_study_command_writes_its_report(name, tmp_path, capsys, monkeypatch):
    flags, needs, csvs, png = CASES[name]
    if needs:
        pytest.importorskip(needs)
    if name == "hyperbolic":  # the balanced tree only: ICD-10-CM takes half a minute
        from graphneg.analysis.studies import hyperbolic
        monkeypatch.setattr(hyperbolic, "run", functools.partial(
            hyperbolic.run, graphs=["balanced tree r=3 h=5"]))
    out = tmp_path / name
    assert main([name, *flags, "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"{name} [1/" in captured.err  # progress on stderr
    assert "wrote" in captured.out
    for csv in csvs:
        assert len(pd.read_csv(out / csv)) > 0, csv
    assert os.path.getsize(out / png) > 5000
    assert not (out / ".incomplete").exists()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"Command: `graphneg {name} {' '.join(flags)} -o {out}`" in report
    assert "Settings: " in report and "## Findings" in report and f"]({png})" in report
    assert all(f"`{csv}`" in report for csv in csvs)


def test_quiet_silences_progress(tmp_path, capsys):
    assert main(["adversarial", "--num-nodes", "30", "--epochs", "1", "--quiet", "--seeds", "0",
                 "--downstream-epochs", "1", "--penalties", "0",
                 "-o", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
