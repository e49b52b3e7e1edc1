"""``graphneg hypergraph compare`` and ``sweep`` end to end at their smallest settings."""
import argparse

import pytest

from graphneg.commands import hypergraph as command


def _run(argv):
    parser = argparse.ArgumentParser(prog="graphneg")
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    args.argv = argv
    return args.func(args)


def test_cli_compare_and_sweep(tmp_path):
    out = tmp_path / "hg"
    assert _run(["hypergraph", "compare", "--graphs", "davis", "--seeds", "0", "--epochs", "2",
                 "--out", str(out)]) == 0
    for name in ("summary.csv", "effects.csv", "results.csv", "profiles.csv",
                 "profile_davis.png", "auc.png", "hard_auc.png", "neg_weight.png",
                 "learning_curves.png", "report.md"):
        assert (out / name).exists(), name
    report = (out / "report.md").read_text()
    assert report.index("## Findings") < report.index("## Effects")
    assert "| uniform |" in report and "davis holds only 1 test hyperedges" in report
    assert "Command: `graphneg hypergraph compare --graphs davis" in report
    assert "](profile_davis.png)" in report and not (out / ".incomplete").exists()
    assert _run(["hypergraph", "sweep", "--graph", "davis", "--alphas", "0", "--betas", "0", "1",
                 "--epochs", "1", "-o", str(out)]) == 0
    assert (out / "sweep_auc.png").exists() and (out / "sweep.csv").exists()
    sweep = (out / "sweep.md").read_text()
    assert "'sized' candidate pool" in sweep and "graphs=" not in sweep
    with pytest.raises(ValueError, match="Unknown hypergraph 'nope'"):
        command.load_hypergraph("nope")
