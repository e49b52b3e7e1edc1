"""The text study on a small vocabulary: four parts, their tables and the report's text."""
import pytest

from graphneg.analysis.studies import text
from graphneg.datasets.text import audio_text_graph, text_graph

HOMO = ["two", "too", "to", "for", "four", "fore", "know", "no", "new", "knew", "cat", "cap",
        "right", "write", "rite", "night", "knight", "might", "tool", "tune"]


@pytest.fixture(scope="module")
def small_text(tmp_path_factory):
    return text_graph(max_words=250, embeddings=True,
                      cache_dir=tmp_path_factory.mktemp("embeddings"))


def test_run_four_parts(small_text):
    res = text.run(seeds=[0, 1], epochs=1, audio_epochs=1, lams=[0.0, 1.0], alphas=[0.0, 10.0],
                   pairs_per_epoch=500, sweep_pairs=50, fn_rounds=50, data=small_text,
                   audio=audio_text_graph(words=HOMO), progress=False)
    tables = res.tables()
    assert list(tables) == ["summary", "effects", "results", "text_hybrid_sweep",
                            "text_false_negatives", "text_most_exposed_words"]
    baselines = ["baseline:random", "baseline:levenshtein", "baseline:minilm"]
    assert list(dict.fromkeys(res.skipgram.sampler)) == list(text.SKIPGRAM_SAMPLERS) + baselines
    assert len(res.sweep) == 4
    assert list(dict.fromkeys(res.policies.sampler)) == [
        "phonetic/keep", "phonetic/exclude", "phonetic/positive", "uniform",
        "baseline:random", "baseline:letter-to-sound"]
    assert res.audio_words == len(HOMO) and res.num_words == small_text.num_words
    assert res.most_exposed["expected_fn"].is_monotonic_decreasing
    assert res.max_abs_zscore() < 5
    sections = dict(res.sections())
    body = sections["Homophone false negatives of the phonetic sampler"]
    assert f"of {len(HOMO)} spoken words have a homophone" in body
    assert list(sections)[0] == "Findings" and "protocol (test_syn_auc)" in sections["Findings"]
    # paired: two seeds per method, differences against uniform for every other method
    e = res.effects[res.effects["metric"].isin(["test_syn_auc", "mrr"])]
    assert (e["n_seeds"] == 2).all()
    assert e.loc[e["sampler"] != "uniform", "diff_vs_uniform"].notna().all()
    # expected false negatives: none when homophones are excluded or positives
    pol = res.policies.set_index(["sampler", "seed"])["expected_fn"]
    assert (pol.loc[["phonetic/exclude", "phonetic/positive"]].fillna(0) == 0).all()


def test_orthographic_hard_pairs_are_nearest_spellings_never_synonyms():
    from rapidfuzz.distance import Levenshtein
    import torch
    words = ["cat", "cats", "cap", "car", "dog", "dot", "cot"]
    syn = torch.tensor([[0, 4], [1, 5]])           # cat~cats, dog~dot are synonyms
    pairs = torch.tensor([[0, 4], [2, 6]])
    hard = text.orthographic_hard_pairs(words, pairs, syn)
    assert hard[0].tolist() == [0, 4]
    for a, n in hard.t().tolist():
        assert n != a and (min(a, n), max(a, n)) not in {(0, 1), (4, 5)}
        others = [Levenshtein.normalized_distance(words[a], w) for j, w in enumerate(words)
                  if j != a and (min(a, j), max(a, j)) not in {(0, 1), (4, 5)}]
        assert Levenshtein.normalized_distance(words[a], words[n]) == min(others)


def test_letter_to_sound_baseline_reads_phonemes_as_letters():
    assert text.letter_to_sound(["K", "AE1", "T"]) == "cat"
    assert text.letter_to_sound(["D", "AO1", "G"]) == "dog"


def test_audio_findings_measure_the_curve_and_pair_the_policies_by_seed():
    import numpy as np
    import pandas as pd
    from graphneg.analysis.statistics import format_interval, paired_difference
    hist = pd.DataFrame([{"task": "audio-text", "sampler": m, "seed": s, "epoch": e,
                          "val_mrr_homophone": min(e, 25) / 40} for m in ("uniform", "x")
                         for s in (0, 1, 2) for e in range(1, 41)])
    rng = np.random.default_rng(0)
    summary = pd.DataFrame([{"task": "audio-text", "sampler": f"phonetic/{p}", "seed": s,
                             "homophone_word_mrr": float(rng.random()), "mrr_homophone": 0.5}
                            for p in ("keep", "exclude", "positive") for s in (0, 1, 2)])
    effects = pd.DataFrame([{"task": "audio-text", "sampler": "phonetic/keep",
                             "metric": "expected_fn", "mean": 2.5, "ci_low": 2.4,
                             "ci_high": 2.6}])
    study = text.TextStudy(summary, effects, hist, pd.DataFrame(), pd.DataFrame(),
                           pd.DataFrame(), 10, 10, 0, 5, [0, 1, 2], {})
    curve, word, _ = study.audio_findings()
    assert "0.625 at epoch 40: the last quarter adds +0.000" in curve   # flat after 25
    s = summary.set_index(["sampler", "seed"])["homophone_word_mrr"]
    d, lo, hi, _ = paired_difference(s["phonetic/keep"].to_numpy(),
                                     s["phonetic/exclude"].to_numpy())
    assert f"keep − exclude {format_interval(d, lo, hi)}" in word and "E[#FN] = 2.5" in word
