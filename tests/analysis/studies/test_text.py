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
    res = text.run(seeds=[0], epochs=1, audio_epochs=1, lams=[0.0, 1.0], alphas=[0.0, 10.0],
                   pairs_per_epoch=500, sweep_pairs=50, fn_rounds=50, data=small_text,
                   audio=audio_text_graph(words=HOMO), progress=False)
    tables = res.tables()
    assert list(tables) == ["text_skipgram", "text_hybrid_sweep", "text_false_negatives",
                            "text_most_exposed_words", "text_homophone_policies"]
    assert list(res.skipgram.sampler) == list(text.SKIPGRAM_SAMPLERS)
    assert len(res.sweep) == 4
    assert list(res.policies.sampler) == ["phonetic/keep", "phonetic/exclude",
                                          "phonetic/positive", "uniform"]
    assert res.audio_words == len(HOMO) and res.num_words == small_text.num_words
    assert res.most_exposed["expected_fn"].is_monotonic_decreasing
    assert res.max_abs_zscore() < 5
    body = dict(res.sections())["Homophone false negatives of the phonetic sampler"]
    assert f"of {len(HOMO)} spoken words have a homophone" in body
