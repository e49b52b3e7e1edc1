"""The alignment study: one trajectory per sampler, summary, unknown names before training."""
import pytest

from graphneg.analysis.studies import alignment


def test_run_trajectories_and_summary(capsys):
    tables = alignment.run(samplers=["uniform", "degree"], epochs=2, seed=0, progress=True)
    assert list(tables) == ["alignment_uniform", "alignment_degree", "alignment_summary"]
    h = tables["alignment_degree"]
    assert h["epoch"].tolist() == [1, 2] and set(h["sampler"]) == {"degree"}
    assert (h["alignment"] >= 0).all() and (h["uniformity"] <= 0).all()
    s = tables["alignment_summary"]
    assert s["sampler"].tolist() == ["uniform", "degree"]
    assert s["alignment"].tolist() == [tables["alignment_uniform"]["alignment"].iloc[-1],
                                       h["alignment"].iloc[-1]]
    assert "alignment [2/2] degree" in capsys.readouterr().err
    assert "lower is better" in alignment.findings(tables)
    with pytest.raises(ValueError, match="Did you mean 'uniform'"):
        alignment.run(samplers=["unifrom"])
