"""The command line: discovery, help, the end-to-end tiny compare, report, train, generate."""
import argparse
import json
import os
import re

import pandas as pd
import pytest

from graphneg.cli import build_parser, main


def test_every_subcommand_has_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "compare" in capsys.readouterr().out
    names = build_parser()._subparsers._group_actions[0].choices
    assert {"compare", "report", "train", "generate"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0
        assert f"usage: graphneg {name}" in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: graphneg" in capsys.readouterr().out


def _parsers(parser, prefix="graphneg"):
    """``(command line, parser)`` for every sub-command, nested ones too."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from _parsers(sub, f"{prefix} {name}")


COMMANDS = {cmd: parser for cmd, parser in _parsers(build_parser())
            if parser._defaults.get("func") is not None}


@pytest.mark.parametrize("cmd", sorted(COMMANDS))
def test_every_subcommand_follows_the_convention(cmd):
    """--out/-o, a help text with its default on every option, lists as space-separated
    values, no work-item names."""
    problems = []
    for parser in [COMMANDS[cmd]]:
        flags = {f for a in parser._actions for f in a.option_strings}
        if not {"-o", "--out"} <= flags:
            problems.append(f"{cmd}: no -o/--out")
        text = parser.format_help()
        if re.search(r"issue \d|DESIGN\.md", text, re.IGNORECASE):
            problems.append(f"{cmd}: help names a work item")
        for a in parser._actions:
            if not a.option_strings or a.default is argparse.SUPPRESS:
                continue
            if not a.help:
                problems.append(f"{cmd} {a.option_strings[-1]}: no help text")
            elif a.default not in (None, False) and "default" not in \
                    parser._get_formatter()._get_help_string(a).lower():
                problems.append(f"{cmd} {a.option_strings[-1]}: default not shown")
            if isinstance(a.default, (list, tuple)) and a.nargs not in ("+", "*"):
                problems.append(f"{cmd} {a.option_strings[-1]}: a list not taken as "
                                "space-separated values")
    assert not problems, "\n".join(problems)


def test_unknown_names_get_a_suggestion(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compar"])
    assert exc.value.code == 2
    assert "Did you mean 'compare'?" in capsys.readouterr().err
    assert main(["alignment", "--samplers", "uniform", "unifrom", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Unknown sampler 'unifrom'" in err and "Did you mean 'uniform'?" in err
    assert main(["compare", "--graphs", "kartae", "--out", str(tmp_path)]) == 2
    assert "Did you mean 'karate'?" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing written before the names are checked


def test_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["crf", "--help"])
    out = capsys.readouterr().out
    assert "(default: 8)" in out and "(default: results/crf)" in out


def test_compare_tiny_end_to_end_and_report_redraw(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "--preset", "tiny", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "[4/4]" in err and "report.md" in err
    results = pd.read_csv(out / "results.csv")
    expected = {"graph", "sampler", "seed", "epoch", "loss", "eta", "hard_negative_rate",
                "impossible_anchor_ratio", "val_auc", "test_auc", "test_ap", "test_mrr",
                "run_time_s", "wall_time_s", "num_nodes", "num_edges", "error"}
    assert expected <= set(results.columns)
    assert set(results["graph"]) == {"er", "ba", "star", "karate"}
    trained = results[results["kind"] == "sampler"]
    assert len(trained) == 4 * 3  # 4 topologies × 1 sampler × 1 seed × 3 epochs
    # + 5 heuristic baselines and the untrained model per topology and seed
    assert len(results) == 4 * 3 + 4 * 5 + 4
    assert int((results["sampler"] == "baseline:untrained").sum()) == 4
    assert results["error"].isna().all()
    assert (out / "effects.csv").exists() and "## Findings" in (out / "report.md").read_text()
    pngs = ["protocols.png", "auc.png", "eta.png", "hard_negative_rate.png", "impossible_anchors.png",
            "degrees.png", "learning_curves.png", "eta_curves.png"]
    for png in pngs:
        assert os.path.getsize(out / png) > 5000, png
    report = (out / "report.md").read_text(encoding="utf-8")
    assert all(f"]({png})" in report for png in pngs)
    assert "Command: `graphneg compare --preset tiny" in report
    # redraw from the CSV into another folder
    redraw = tmp_path / "redraw"
    assert main(["report", str(out / "results.csv"), "-o", str(redraw)]) == 0
    assert os.path.getsize(redraw / "degrees.png") > 5000  # degrees.csv found next to results
    assert (redraw / "report.md").read_text(encoding="utf-8").count("![") == len(pngs)


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    assert main(["compare", "--preset", "tiny", "--samplers", "nope", "--out",
                 str(tmp_path)]) == 2
    assert "Unknown sampler 'nope'" in capsys.readouterr().err
    assert main(["compare", "--graphs", "nograph", "--out", str(tmp_path)]) == 2
    assert "Unknown graph 'nograph'" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.csv")]) == 2
    assert "must be an existing file" in capsys.readouterr().err
    assert main(["generate", "ba", "num_nodes"]) == 2
    assert "key=value" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:  # the parser names the flag, before any work
        main(["train", "--epochs", "0", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "argument --epochs: must be an int >= 1. Got '0'." in capsys.readouterr().err


def test_generate_writes_edge_lists(tmp_path, capsys):
    path = tmp_path / "ba.csv"
    assert main(["generate", "ba", "num_nodes=30", "num_edges=2", "--seed", "1",
                 "-o", str(path)]) == 0
    edges = pd.read_csv(path)
    assert list(edges.columns) == ["source", "target"] and len(edges) == 1 + 28 * 2
    assert main(["generate", "karate", "-o", str(tmp_path / "k.txt")]) == 0
    assert len((tmp_path / "k.txt").read_text().splitlines()) == 78
    assert main(["generate", "--list"]) == 0
    assert "real graphs: davis" in capsys.readouterr().out


def test_train_and_resume(tmp_path, capsys):
    args = ["train", "--graph", "karate", "--epochs", "3", "--out", str(tmp_path), "--quiet"]
    assert main(args) == 0
    hist = pd.read_csv(tmp_path / "history.csv")
    test = json.loads((tmp_path / "test.json").read_text())
    assert len(hist) == 3 and {"auc", "ap", "mrr", "best_epoch"} <= set(test)
    assert main(args + ["--resume"]) == 0  # finished: returns the same run
    assert json.loads((tmp_path / "test.json").read_text()) == test


def test_threads_flag_sets_torch_threads_before_the_command_runs(monkeypatch):
    import torch

    import graphneg.commands.hyperbolic as command

    calls, seen = [], []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    monkeypatch.setattr(command, "run", lambda args: seen.append((args.threads, list(calls))))
    assert main(["hyperbolic", "--threads", "3"]) == 0
    assert main(["hyperbolic"]) == 0
    assert seen == [(3, [3]), (1, [3, 1])]  # set before the command; default one thread
