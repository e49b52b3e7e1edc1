"""``graphneg report``: a redrawn report keeps the study's Command and Settings lines."""
import re

import pandas as pd
import pytest

from graphneg.cli import main


def _lines(text):
    return [ln for ln in text.splitlines() if re.match(r"(Command|Settings): ", ln)]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    assert main(["compare", "--preset", "tiny", "--graphs", "star:num_nodes=20", "karate",
                 "--epochs", "2", "--quiet", "-o", str(out)]) == 0
    return out


def test_compare_writes_settings_next_to_results(study):
    settings = pd.read_csv(study / "settings.csv", dtype=str, keep_default_na=False)
    table = dict(zip(settings["setting"], settings["value"]))
    assert table["command"].startswith("graphneg compare --preset tiny --graphs")
    assert table["graphs"] == "star:num_nodes=20 karate" and table["epochs"] == "2"
    assert table["samplers"] == "uniform" and table["seeds"] == "0"
    report = (study / "report.md").read_text(encoding="utf-8")
    assert "Settings: preset=tiny, graphs=star:num_nodes=20 karate," in report
    summary = pd.read_csv(study / "summary.csv")
    trained = summary[summary["kind"] == "sampler"]
    assert trained["graph"].tolist() == ["star", "karate"]


def test_redraw_keeps_command_and_settings(study, tmp_path):
    original = _lines((study / "report.md").read_text(encoding="utf-8"))
    assert len(original) == 2
    assert main(["report", str(study / "results.csv"), "-o", str(tmp_path)]) == 0
    redrawn = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert _lines(redrawn) == original
    assert "Redrawn from `" in redrawn and "by `graphneg report " in redrawn
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "summary.csv"),
                                  pd.read_csv(study / "summary.csv"))
    # a redraw of the redraw still has them (settings.csv travels along)
    again = tmp_path / "again"
    assert main(["report", str(tmp_path / "results.csv"), "-o", str(again)]) == 0
    assert _lines((again / "report.md").read_text(encoding="utf-8")) == original


def test_redraw_of_an_older_folder_reads_report_md(study, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    (old / "results.csv").write_bytes((study / "results.csv").read_bytes())
    (old / "report.md").write_text("# Topology comparison\n\nCommand: `graphneg compare`\n\n"
                                   "Settings: preset default; encoder gcn.\n", encoding="utf-8")
    assert main(["report", str(old / "results.csv")]) == 0  # into the same folder
    text = (old / "report.md").read_text(encoding="utf-8")
    assert "Command: `graphneg compare`" in text
    assert "Settings: preset default; encoder gcn." in text


def test_report_rejects_a_file_without_the_run_keys(tmp_path, capsys):
    bad = tmp_path / "results.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["report", str(bad)]) == 2
    assert "missing column(s) ['epoch', 'graph', 'sampler', 'seed']" in capsys.readouterr().err
