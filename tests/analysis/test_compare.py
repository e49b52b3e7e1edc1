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
    # the training machinery alone (baselines have their own tests below)
    return compare_topologies(["star:num_nodes=25", "ba:num_nodes=30,num_edges=2"],
                              ["uniform", "spatial"], [0, 1], epochs=3, progress=False,
                              baselines=None)


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
    assert star["hard_negative_rate"].min() > 0.5
    assert star["hard_negative_rate"].mean() > ok[ok["graph"] == "ba"]["hard_negative_rate"].mean()


def test_failed_runs_become_rows_not_crashes(results):
    bad = results[results["sampler"] == "spatial"]
    assert len(bad) == 4 and bad["error"].str.contains("coordinates").all()
    runs = summarize_runs(results)
    assert len(runs) == 8 and (runs["error"] != "").sum() == 4


def test_parallel_jobs_give_identical_results(results):
    par = compare_topologies(["star:num_nodes=25", "ba:num_nodes=30,num_edges=2"], ["uniform"],
                             [0, 1], epochs=3, progress=False, jobs=2, baselines=None)
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
    assert list(tables) == ["results", "summary", "effects", "degrees"]
    pd.testing.assert_frame_equal(tables["summary"], summarize_runs(results))
    back = study_tables(pd.read_csv(pd.io.common.StringIO(results.to_csv(index=False))))
    assert list(back) == ["results", "summary", "effects"]
    assert set(back["summary"]["role"].dropna()) == {"trivial", "learnable"}
    assert back["results"]["error"].map(type).eq(str).all()  # NaN read back -> ""
    assert (back["summary"]["error"] != "").sum() == 4


def test_run_returns_the_tables_of_compare_topologies():
    from graphneg.analysis.studies import topology
    tables = topology.run(["star:num_nodes=20", "karate"], ["uniform"], [0], epochs=2,
                          progress=False, baselines=None)
    assert list(tables) == ["results", "summary", "effects", "degrees"]
    direct = compare_topologies(["star:num_nodes=20", "karate"], ["uniform"], [0], epochs=2,
                                progress=False, baselines=None)
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
    assert [h for h, _ in rep.sections] == ["Findings", "Evaluation protocols",
                                            "Summary (mean ± sd over seeds)", "Failed runs"]
    summary = rep.sections[2][1]
    assert "8 runs: 2 topologies (star, ba) × 2 samplers (uniform, spatial)" in summary
    assert "A note." in summary and "| graph | sampler | runs |" in summary
    assert "| star | uniform | 2 |" in summary and "`graph` column" in summary
    assert "spatial" in rep.sections[3][1]
    assert read_settings(rep.tables["settings"]) == ("graphneg compare --seeds 0 1",
                                                    {"seeds": "0 1", "epochs": "3"})
    assert set(rep.files) == {"results.csv", "summary.csv", "effects.csv", "settings.csv"}
    matplotlib.pyplot.close("all")
    bare = build_report(study_tables(results))
    assert "settings" not in bare.tables
    matplotlib.pyplot.close("all")
    with pytest.raises(ValueError, match="columns 'setting' and 'value'"):
        read_settings(pd.DataFrame({"a": [1]}))


@pytest.fixture(scope="module")
def paired_results():
    return compare_topologies(["er:num_nodes=60,edge_prob=0.1", "karate"], ["uniform", "degree"],
                              [0, 1, 2], epochs=3, progress=False)


def test_every_method_is_scored_on_the_same_negatives(paired_results):
    runs = summarize_runs(paired_results)
    assert {"role", "kind", "heart_auc", "heart_mrr", "heart_hits@10", "test_hits@10"} <= set(runs)
    heur = runs[runs["kind"] == "heuristic"]
    assert set(heur["sampler"]) == {f"heuristic:{h}" for h in ("cn", "aa", "ra", "pa", "random")}
    assert len(heur) == 2 * 5 * 3 and (heur["error"] == "").all()
    assert dict(zip(runs["graph"], runs["role"])) == {"er": "null", "karate": "learnable"}
    # same split and negatives per (graph, seed): a heuristic's score does not depend on
    # which sampler ran, and the same seed gives the same baseline numbers again
    again = compare_topologies(["karate"], ["uniform"], [1], epochs=1, progress=False)
    a = runs[(runs["graph"] == "karate") & (runs["seed"] == 1) & (runs["kind"] == "heuristic")]
    b = summarize_runs(again)
    b = b[b["kind"] == "heuristic"]
    assert a.set_index("sampler")["heart_mrr"].to_dict() == b.set_index("sampler")["heart_mrr"].to_dict()


def test_effects_and_findings_from_the_runs(paired_results):
    from graphneg.analysis.studies.topology import build_report, study_tables
    tables = study_tables(paired_results)
    eff = tables["effects"]
    assert {"mean", "ci_low", "ci_high", "n_seeds", "diff_vs_uniform", "diff_ci_low",
            "diff_ci_high"} <= set(eff)
    row = eff[(eff.graph == "karate") & (eff.sampler == "degree") & (eff.metric == "test_auc")]
    assert len(row) == 1 and int(row["n_seeds"].iloc[0]) == 3
    runs = tables["summary"]
    d = (runs[(runs.graph == "karate") & (runs.sampler == "degree")].set_index("seed")["test_auc"]
         - runs[(runs.graph == "karate") & (runs.sampler == "uniform")].set_index("seed")["test_auc"])
    assert float(row["diff_vs_uniform"].iloc[0]) == pytest.approx(float(d.mean()))
    rep = build_report(tables)
    findings = rep.sections[0][1]
    assert rep.sections[0][0] == "Findings" and "er is the null model" in findings
    assert "| karate | learnable |" in findings and "protocols.png" in rep.figures
    matplotlib.pyplot.close("all")


def test_resume_continues_an_interrupted_study(tmp_path):
    import os
    specs, kw = ["star:num_nodes=20", "karate"], dict(epochs=2, progress=False, baselines=None)
    store = tmp_path / "runs"
    full = compare_topologies(specs, ["uniform", "degree"], [0, 1], store=store, **kw)
    files = sorted(os.listdir(store))
    assert len(files) == 2 * 2 * 2  # one file per finished run
    for name in files[:3]:  # an interruption: three runs never finished
        os.remove(store / name)
    resumed = compare_topologies(specs, ["uniform", "degree"], [0, 1], store=store,
                                 resume=True, **kw)
    cols = [c for c in full.columns if not c.endswith("time_s") and c != "elapsed_s"]
    pd.testing.assert_frame_equal(resumed[cols], full[cols], check_dtype=False)
    assert len(os.listdir(store)) == 8
    # without resume the store is emptied and every run trains again
    fresh = compare_topologies(["karate"], ["uniform"], [0], store=store, **kw)
    assert len(os.listdir(store)) == 1 and len(fresh) == 2


def test_untrained_baseline_is_every_runs_starting_point(paired_results):
    import torch
    from graphneg.analysis.studies._paired import prepare_split
    from graphneg.training import LinkPredictionTrainer
    runs = summarize_runs(paired_results)
    un = runs[runs["sampler"] == "baseline:untrained"]
    assert len(un) == 2 * 3 and set(un["kind"]) == {"baseline"} and (un["error"] == "").all()
    assert un["test_auc"].between(0, 1).all() and un["heart_mrr"].between(0, 1).all()
    # the weights it scores are those every sampler's run of the seed starts from
    ps = prepare_split(build_graphs(["karate"])["karate"], 1, num_neg=5, baselines=None)
    a = LinkPredictionTrainer(ps.split, sampler="uniform", seed=1, verbose=False).model
    b = LinkPredictionTrainer(ps.split, sampler="degree", seed=1, verbose=False).model
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                 b.state_dict().values()))
    # val_rise: best validation AUC minus the epoch-1 value of each trained run
    res = paired_results[paired_results["kind"] == "sampler"]
    one = res[(res.graph == "karate") & (res.sampler == "uniform") & (res.seed == 0)]
    assert one["val_rise"].iloc[0] == pytest.approx(one["val_auc"].max() - one["val_auc"].iloc[0])


def test_test_positives_are_oriented_by_a_seeded_coin():
    # RandomLinkSplit returns each undirected edge as (min, max); the uniform protocol keeps
    # the first node, so without the coin the corrupted end is always the larger id (on BA:
    # the young, low-degree node) and degree looks anti-informative.
    from graphneg.analysis.studies._paired import prepare_split
    data = build_graphs(["ba:num_nodes=300,num_edges=3"])["ba"]
    ps = prepare_split(data, 0, num_neg=5, protocols=("uniform",))
    first_smaller = (ps.test_pos[0] < ps.test_pos[1]).float()
    p, n = float(first_smaller.mean()), first_smaller.numel()
    assert abs(p - 0.5) < 4 * (0.25 / n) ** 0.5  # Binomial(n, 1/2): 4 standard deviations
    assert ps.baselines["heuristic:pa"]["test_auc"] > 0.5  # was 0.457 without the coin
    again = prepare_split(data, 0, num_neg=5, protocols=("uniform",))
    assert bool((again.test_pos == ps.test_pos).all())
    # the coin flips columns of the split's positives, never changes the edge set
    keys = lambda ei: set(map(frozenset, ei.t().tolist()))  # noqa: E731
    test = ps.split[2]
    assert keys(ps.test_pos) == keys(test.edge_label_index[:, test.edge_label == 1])
