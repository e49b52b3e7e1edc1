"""The spike-train study: distance check, paired runs with baselines, findings."""
import pytest

pytest.importorskip("nitime")

from graphneg.analysis.studies import spikes  # noqa: E402


def test_run_checks_distance_trains_and_scores_baselines(capsys):
    tables = spikes.run(epochs=2, seeds=[0, 1], progress=True,
                        samplers={"uniform": ("uniform", None), "hard": ("hard", None)})
    chk = tables["van_rossum_check"]
    assert ((chk["grid_sq"] - chk["exact_sq"]).abs() <= chk["bound"] + 1e-12).all()
    runs = tables["spikes_runs"]
    assert set(runs.sampler) == {"uniform", "hard", spikes.RAW, spikes.UNTRAINED}
    assert (runs.groupby("sampler").size() == 2).all()  # one row per method and seed
    h = tables["spikes_history"]
    assert {"loss", "temporal_emphasis_ratio", "val_mrr", "eta", "false_negative_share",
            "embedding_norm"} <= set(h.columns)
    eff = tables["spikes_effects"]
    assert {"test_mrr", "hard_mrr"} <= set(eff.metric)
    err = capsys.readouterr().err
    assert "windows of 100 ms" in err and "spikes [4/4] hard × seed 1" in err
    text = spikes.findings(tables)
    assert "all within bound: True" in text and "raw van Rossum embeddings" in text


def test_raw_baseline_is_the_embedding_retrieval():
    # the raw baseline equals retrieval_metrics on the embeddings themselves
    from graphneg.training.spikes import SpikeContrastiveTrainer, retrieval_metrics
    st = spikes.load_windows()
    tr = SpikeContrastiveTrainer(st, tau=0.005, num_points=50, epochs=1, seed=3, verbose=False)
    base = spikes._baselines(tr)
    assert base[spikes.RAW]["mrr"] == retrieval_metrics(tr.emb, tr._eval_emb["test"])["mrr"]
    assert 0 < base[spikes.RAW]["top1_acc"] <= base[spikes.RAW]["mrr"] <= 1


def test_a_sampler_entry_passes_its_trainer_kwargs():
    # lr ~ 0 leaves the encoder as initialised: its test retrieval is the untrained baseline's
    tables = spikes.run(epochs=1, seeds=[0], samplers={"frozen": ("uniform", None,
                                                                  {"lr": 1e-12})})
    runs = tables["spikes_runs"].set_index("sampler")
    assert runs.loc["frozen", "test_mrr"] == pytest.approx(runs.loc[spikes.UNTRAINED,
                                                                    "test_mrr"], abs=1e-9)
