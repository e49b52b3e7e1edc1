"""The topology study: runs, tables, plots and its report."""
import os

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from graphneg.analysis.studies.topology import (
    build_graphs,
    compare_topologies,
    degree_table,
    parse_graph_spec,
    summarize_runs,
    usable_samplers,
    write_report,
)
from graphneg.analysis.plots import (
    plot_by_topology,
    plot_degree_distributions,
    plot_learning_curves,
)


@pytest.fixture(scope="module")
def results():
    return compare_topologies(["star:num_nodes=25", "ba:num_nodes=30,num_edges=2"],
                              ["uniform", "spatial"], [0, 1], epochs=3, progress=False)


def test_results_are_tidy_per_run_and_epoch(results):
    ok = results[results["error"] == ""]
    assert set(ok["graph"]) == {"star", "ba"} and set(ok["sampler"]) == {"uniform"}
    assert len(ok) == 2 * 2 * 3  # graphs × seeds × epochs
    for col in ("test_auc", "test_ap", "test_mrr", "eta", "hard_negative_rate",
                "impossible_anchor_ratio", "val_auc", "run_time_s", "num_nodes", "num_edges"):
        assert col in results, col
    per_run = ok.groupby(["graph", "seed"])["test_auc"].nunique()
    assert (per_run == 1).all()  # run-level values repeated on the run's rows
    star = ok[ok["graph"] == "star"]
    assert (star["impossible_anchor_ratio"] > 0).all()  # the hub has no non-neighbour
    # leaf-leaf negatives share the hub unless a leaf's only edge was held out
    # (then it is isolated in the training graph): h_1 is higher on a star than on BA
    assert star["hard_negative_rate"].min() > 0.6
    assert star["hard_negative_rate"].mean() > ok[ok["graph"] == "ba"]["hard_negative_rate"].mean()


def test_failed_runs_become_rows_not_crashes(results):
    bad = results[results["sampler"] == "spatial"]
    assert len(bad) == 4 and bad["error"].str.contains("coordinates").all()
    runs = summarize_runs(results)
    assert len(runs) == 8 and (runs["error"] != "").sum() == 4


def test_parallel_jobs_give_identical_results(results):
    par = compare_topologies(["star:num_nodes=25", "ba:num_nodes=30,num_edges=2"], ["uniform"],
                             [0, 1], epochs=3, progress=False, jobs=2)
    seq = results[results["sampler"] == "uniform"].reset_index(drop=True)
    cols = [c for c in par.columns if not c.endswith("time_s") and c != "elapsed_s"]
    pd.testing.assert_frame_equal(par[cols].reset_index(drop=True), seq[cols],
                                  check_dtype=False)  # seq had NaN rows (failed runs)


def test_specs_and_errors():
    label, build = parse_graph_spec("er:num_nodes=20,edge_prob=0.5")
    assert label == "er" and build(0).num_nodes == 20
    assert build(0).edge_index.equal(build(0).edge_index)
    assert sorted(build_graphs(["star:num_nodes=4", "star:num_nodes=6"])) == [
        "star:num_nodes=4", "star:num_nodes=6"]
    with pytest.raises(ValueError, match="Unknown graph 'foo' in spec 'foo:n=1'. Known generators"):
        parse_graph_spec("foo:n=1")
    with pytest.raises(ValueError, match="expected key=value"):
        parse_graph_spec("ba:300")
    with pytest.raises(ValueError, match="real graph 'karate' takes no arguments"):
        parse_graph_spec("karate:num_nodes=3")
    with pytest.raises(ValueError, match="Unknown sampler 'nope'"):
        compare_topologies(["karate"], ["nope"], [0], epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"'epochs' parameter of compare_topologies must be an int in \[1, inf\)"):
        compare_topologies(["karate"], ["uniform"], [0], epochs=0, progress=False)
    with pytest.raises(ValueError, match="must hold at least one seed"):
        compare_topologies(["karate"], ["uniform"], [], progress=False)


def test_usable_samplers_read_the_declaration(monkeypatch):
    from graphneg.samplers.base import NegativeSampler

    def no_draw(*args, **kwargs):
        raise AssertionError("usable_samplers must not draw")
    monkeypatch.setattr(NegativeSampler, "sample", no_draw)
    monkeypatch.setattr(NegativeSampler, "__call__", no_draw)
    usable = usable_samplers(["uniform", "dns", "spatial", "cross_site"])
    assert usable["uniform"] == "" and usable["dns"] == ""  # dns requires z: the trainer's
    assert "'lat', 'lon'" in usable["spatial"] and "'site'" in usable["cross_site"]
    assert usable_samplers(["hybrid"])["hybrid"].startswith("needs 'words'")
    with pytest.raises(ValueError, match="Unknown sampler 'nope'"):
        usable_samplers(["nope"])


def test_degree_table_and_plots(results):
    graphs = build_graphs(["star:num_nodes=6", "karate"])
    deg = degree_table(graphs)
    star = deg[deg["graph"] == "star"]
    assert star[["degree", "count"]].values.tolist() == [[1, 5], [5, 1]]
    assert deg.groupby("graph")["count"].sum().to_dict() == {"karate": 34, "star": 6}
    ax = plot_degree_distributions(deg)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.lines[0].get_ydata().tolist() == [1.0, 1 / 6]
    ax = plot_by_topology(summarize_runs(results), "eta_median", log=True)
    assert ax.get_yscale() == "log" and [t.get_text() for t in ax.get_xticklabels()] == ["star", "ba"]
    ax = plot_learning_curves(results, "ba")
    assert ax.get_title() == "ba" and len(ax.lines) == 1  # 'spatial' failed, nothing drawn
    matplotlib.pyplot.close("all")


def test_write_report(tmp_path, results):
    path = write_report(results, tmp_path, degrees=degree_table(
        build_graphs(["star:num_nodes=25", "ba:num_nodes=30,num_edges=2"])))
    text = open(path, encoding="utf-8").read()
    for png in ("auc.png", "eta.png", "hard_negative_rate.png", "impossible_anchors.png",
                "degrees.png", "learning_curves.png", "eta_curves.png"):
        assert os.path.getsize(tmp_path / png) > 5000, png
        assert f"]({png})" in text
    assert "## Failed runs" in text and "spatial" in text
    back = pd.read_csv(tmp_path / "results.csv", keep_default_na=False, na_values=[""])
    assert len(back) == len(results)


def test_old_module_reexports_the_study():
    from graphneg.analysis import compare, studies
    import graphneg.analysis as analysis
    for name in compare.__all__:
        assert getattr(compare, name) is getattr(studies.topology, name), name
    assert analysis.write_report is studies.topology.write_report


def test_study_tables_from_results(results):
    from graphneg.analysis.studies.topology import study_tables
    tables = study_tables(results, degree_table(build_graphs(["star:num_nodes=25"])))
    assert list(tables) == ["results", "summary", "degrees"]
    pd.testing.assert_frame_equal(tables["summary"], summarize_runs(results))
    back = study_tables(pd.read_csv(pd.io.common.StringIO(results.to_csv(index=False))))
    assert list(back) == ["results", "summary"]
    assert back["results"]["error"].map(type).eq(str).all()  # NaN read back -> ""
    assert (back["summary"]["error"] != "").sum() == 4


def test_run_returns_the_tables_of_compare_topologies():
    from graphneg.analysis.studies import topology
    tables = topology.run(["star:num_nodes=20", "karate"], ["uniform"], [0], epochs=2,
                          progress=False)
    assert list(tables) == ["results", "summary", "degrees"]
    direct = compare_topologies(["star:num_nodes=20", "karate"], ["uniform"], [0], epochs=2,
                                progress=False)
    cols = [c for c in direct.columns if not c.endswith("time_s") and c != "elapsed_s"]
    pd.testing.assert_frame_equal(tables["results"][cols], direct[cols], check_dtype=False)
    assert tables["summary"][["graph", "sampler", "seed"]].values.tolist() == [
        ["star", "uniform", 0], ["karate", "uniform", 0]]
    assert tables["degrees"].groupby("graph")["count"].sum().to_dict() == {"karate": 34,
                                                                          "star": 20}


def test_build_report_sections_figures_and_settings(results):
    from graphneg.analysis.studies.topology import (
        FIGURES, build_report, read_settings, study_tables,
    )
    rep = build_report(study_tables(results), command="graphneg compare --seeds 0 1",
                       settings={"seeds": "0 1", "epochs": 3}, notes=["A note."])
    assert list(rep.figures) == [f for f in FIGURES if f != "degrees.png"]  # no degrees given
    assert [h for h, _ in rep.sections] == ["Summary (mean ± sd over seeds)", "Failed runs"]
    summary = rep.sections[0][1]
    assert "8 runs: 2 topologies (star, ba) × 2 samplers (uniform, spatial)" in summary
    assert "A note." in summary and "| graph | sampler | runs |" in summary
    assert "| star | uniform | 2 |" in summary and "`graph` column" in summary
    assert "spatial" in rep.sections[1][1]
    assert read_settings(rep.tables["settings"]) == ("graphneg compare --seeds 0 1",
                                                    {"seeds": "0 1", "epochs": "3"})
    assert set(rep.files) == {"results.csv", "summary.csv", "settings.csv"}
    matplotlib.pyplot.close("all")
    bare = build_report(study_tables(results))
    assert "settings" not in bare.tables
    matplotlib.pyplot.close("all")
    with pytest.raises(ValueError, match="columns 'setting' and 'value'"):
        read_settings(pd.DataFrame({"a": [1]}))
