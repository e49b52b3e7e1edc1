"""The spike-train study: distance check within its bound, one history per sampler."""
import pytest

pytest.importorskip("nitime")

from graphneg.analysis.studies import spikes  # noqa: E402


def test_run_checks_distance_and_trains_both_samplers(capsys):
    tables = spikes.run(epochs=2, seed=0, progress=True)
    assert list(tables) == ["spikes_uniform", "spikes_hard", "van_rossum_check"]
    chk = tables["van_rossum_check"]
    assert ((chk["grid_sq"] - chk["exact_sq"]).abs() <= chk["bound"] + 1e-12).all()
    for s in spikes.SAMPLERS:
        h = tables[f"spikes_{s}"]
        assert h["epoch"].tolist() == [1, 2]
        assert {"loss", "temporal_emphasis_ratio", "val_top1_acc"} <= set(h.columns)
    err = capsys.readouterr().err
    assert "windows of 100 ms" in err and "spikes [2/2] hard negatives" in err
    text = spikes.findings(tables)
    assert "all within bound: True" in text and "- uniform:" in text and "- hard:" in text
