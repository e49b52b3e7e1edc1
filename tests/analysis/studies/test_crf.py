"""The CRF study: three objectives on one split, summary with the majority baseline."""
from graphneg.analysis.studies import crf


def test_run_three_objectives_and_baseline(capsys):
    tables = crf.run(epochs=1, max_length=8, num_samples=2, seed=0, progress=True)
    assert list(tables) == ["crf_nll_all", "crf_ce_all", "crf_ce_2", "crf_summary"]
    s = tables["crf_summary"]
    assert s["run"].tolist() == ["NLL (forward algorithm)", "CE, all neighbours",
                                 "CE, 2 sampled", crf.MAJORITY]
    assert s["val_acc"].between(0, 1).all()
    assert (s["gap"].dropna() >= -1e-6).all() and s["gap"].isna().tolist()[-1]
    assert tables["crf_ce_2"]["run"].unique().tolist() == ["CE, 2 sampled"]
    assert "crf [3/3] CE, 2 sampled" in capsys.readouterr().err
    assert "majority-tag baseline" in crf.findings(tables)
