"""The adversarial study: collapse table per setting and epoch, progress, findings."""
import pandas as pd
import pytest

from graphneg.analysis.studies import adversarial


def test_run_tables_progress_and_findings(capsys):
    settings = {"λ=0": {"penalty": 0.0}, "β=0.5": {"entropy_bonus": 0.5}}
    tables = adversarial.run(num_nodes=30, epochs=3, seed=0, settings=settings, progress=True,
                             seeds=None)
    df = tables["adversarial_collapse"]
    assert list(tables) == ["adversarial_collapse"]
    assert list(df.columns) == ["setting", "epoch", "disc_loss", "reward_mean", "entropy",
                                "distinct_per_anchor", "top_share"]
    assert df.groupby("setting", sort=False)["epoch"].apply(list).to_dict() == {
        "λ=0": [1, 2, 3], "β=0.5": [1, 2, 3]}
    err = capsys.readouterr().err
    assert "adversarial [1/2] λ=0" in err and "adversarial [2/2] β=0.5" in err
    # same seed, same numbers; no progress when not asked
    again = adversarial.run(num_nodes=30, epochs=3, seed=0, settings=settings, seeds=None)
    pd.testing.assert_frame_equal(df, again["adversarial_collapse"])
    assert capsys.readouterr().err == ""
    text = adversarial.findings(tables)
    assert "λ=0" in text and "β=0.5" in text and "| setting |" in text
    with pytest.raises(ValueError, match="'num_nodes' parameter of adversarial.run"):
        adversarial.run(num_nodes=1)


def test_downstream_comparison_shares_negatives_and_scores_both_protocols(capsys):
    tables = adversarial.run(epochs=0, seeds=[0, 1], downstream_epochs=2, penalties=[0.0],
                             downstream_graph="planted_partition:num_blocks=2,block_size=15,"
                                              "p_in=0.4,p_out=0.05", progress=True)
    assert "adversarial_collapse" not in tables
    runs = tables["adversarial_runs"]
    assert {"uniform", "dns", "adversarial λ=0", "heuristic:cn"} <= set(runs.sampler)
    trained = runs[runs.kind == "sampler"]
    assert trained[["test_auc", "heart_mrr", "eta"]].notna().all().all()
    assert trained.loc[trained.sampler == "adversarial λ=0", "entropy"].notna().all()
    eff = tables["adversarial_effects"]
    assert set(eff[eff.sampler == "dns"].metric) >= {"test_auc", "heart_mrr"}
    assert "adversarial [6/6]" in capsys.readouterr().err
    text = "\n".join(b for _, b in adversarial.build_sections(tables))
    assert "HeaRT protocol" in text and "| sampler | AUC | MRR |" in text


def test_collapse_experiment_over_seeds_gives_intervals_and_paired_differences():
    settings = {"λ=0": {"penalty": 0.0}, "β=0.5": {"entropy_bonus": 0.5}}
    tables = adversarial.run(num_nodes=30, epochs=3, settings=settings, seeds=[0, 1, 2],
                             downstream_epochs=1, penalties=[])
    df = tables["adversarial_collapse"]
    assert sorted(df.seed.unique()) == [0, 1, 2] and len(df) == 3 * 2 * 3
    one = adversarial.run(num_nodes=30, epochs=3, seed=1, settings=settings, seeds=None)
    pd.testing.assert_frame_equal(  # seed s of the sweep is the single run with seed s
        df[df.seed == 1].drop(columns="seed").reset_index(drop=True),
        one["adversarial_collapse"])
    eff = tables["adversarial_collapse_effects"]
    row = eff[(eff.setting == "β=0.5") & (eff.metric == "entropy")].iloc[0]
    last = df[df.epoch == 3].pivot(index="seed", columns="setting", values="entropy")
    assert row["n_seeds"] == 3 and row["mean"] == pytest.approx(last["β=0.5"].mean())
    assert row["diff_vs_uniform"] == pytest.approx((last["β=0.5"] - last["λ=0"]).mean())
    assert "Over 3 seeds" in adversarial.findings(tables)
