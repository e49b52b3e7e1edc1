"""The CRF study: three objectives per seed, test accuracy with intervals, the baseline."""
from graphneg.analysis.studies import crf


def test_run_three_objectives_and_baseline(capsys):
    tables = crf.run(epochs=1, max_length=8, num_samples=2, seeds=[0, 1], progress=True)
    assert list(tables) == ["crf_nll_all", "crf_ce_all", "crf_ce_2", "crf_runs", "crf_summary"]
    runs = tables["crf_runs"]
    assert runs["run"].unique().tolist() == ["NLL (forward algorithm)", "CE, all neighbours",
                                             "CE, 2 sampled", crf.MAJORITY]
    assert (runs.groupby("run").size() == 2).all()  # one row per run and seed
    assert runs["test_acc"].between(0, 1).all()
    assert (runs["gap"].dropna() >= -1e-6).all()
    s = tables["crf_summary"]
    row = s[(s.run == "CE, 2 sampled") & (s.metric == "test_acc")].iloc[0]
    assert row["n_seeds"] == 2 and row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert tables["crf_ce_2"]["run"].unique().tolist() == ["CE, 2 sampled"]
    assert "crf [6/6] CE, 2 sampled × seed 1" in capsys.readouterr().err
    assert "Majority-tag baseline" in crf.findings(tables)


def test_test_split_is_scored_apart_from_validation():
    import torch
    from graphneg.datasets.sequences import encode_sentences, load_turkish_upos_sample
    from graphneg.training.crf import CRFTrainer
    sents = load_turkish_upos_sample(max_length=8)
    enc, vocab = encode_sentences(sents[:40])
    val, _ = encode_sentences(sents[40:50], vocab)
    test, _ = encode_sentences(sents[50:70], vocab)
    kw = dict(num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
              num_labels=len(vocab.labels), epochs=1, seed=0, verbose=False)
    tr = CRFTrainer(enc, val, test=test, **kw)
    tr.fit()
    pred = tr.model.crf.viterbi(tr._emissions(test).detach(), test["mask"])
    want = float(((pred == test["tags"]) & test["mask"]).sum()) / float(test["mask"].sum())
    assert tr.test()["acc"] == want
    assert torch.equal(tr._emissions(val), tr._emissions(val))  # evaluation is deterministic
