"""The user's own graph reaches `graphneg train --graph` and `graphneg compare --graphs`."""
import json

import networkx as nx
import pytest

from graphneg.analysis.studies.topology import build_graphs, parse_graph_spec
from graphneg.cli import main


def _edge_list(tmp_path):
    g = nx.karate_club_graph()
    path = tmp_path / "club.tsv"
    path.write_text("src\tdst\tweight\n" + "".join(f"{u}\t{v}\t1\n" for u, v in g.edges()))
    return path


def test_parse_graph_spec_reads_an_edge_list(tmp_path):
    label, build = parse_graph_spec(str(_edge_list(tmp_path)))
    assert label == "club" and build(0).num_nodes == 34 and build(1).edge_index.size(1) == 156


def test_build_graphs_takes_python_objects():
    graphs = build_graphs({"k": nx.karate_club_graph()})
    assert graphs["k"].num_nodes == 34


def test_train_on_a_user_file(tmp_path):
    out = tmp_path / "out"
    rc = main(["train", "--graph", str(_edge_list(tmp_path)), "--epochs", "2", "-o", str(out),
               "--quiet"])
    assert rc == 0
    test = json.loads((out / "test.json").read_text())
    assert 0.0 <= test["auc"] <= 1.0


def test_compare_on_a_user_file(tmp_path):
    out = tmp_path / "cmp"
    rc = main(["compare", "--graphs", str(_edge_list(tmp_path)), "--samplers", "uniform",
               "--seeds", "0", "--epochs", "2", "-o", str(out), "--quiet"])
    assert rc == 0
    assert "club" in (out / "summary.csv").read_text()


def test_a_bad_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("0,1\n2\n")
    with pytest.raises(ValueError, match=r"bad.csv, line 2"):
        parse_graph_spec(str(bad))
