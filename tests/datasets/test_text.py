"""Text datasets (shipped CMU / WordNet / Jargon File excerpts, wordfreq, MiniLM) and
the text trainers and analysis."""
import os

import pytest
import torch
from graphneg.datasets.text import (
    audio_text_graph,
    embed_words,
    english_vocabulary,
    load_jargon_corpus,
    load_pronunciations,
    load_synonym_pairs,
    pronounce,
    text_graph,
    word_graph,
)


def test_pronunciations_and_missing_words():
    cmu = load_pronunciations()
    assert len(cmu) == 43407
    assert cmu["two"] == cmu["too"] == cmu["to"] == ("T", "UW1")
    kept, ph, missing = pronounce(["cat", "zzqx", "Dog"])
    assert kept == [0, 2] and missing == 1 and ph[1] == ("D", "AO1", "G")
    with pytest.raises(ValueError, match=r"1 unknown words \(first: \['zzqx'\]\)"):
        pronounce(["cat", "zzqx"], missing="raise")
    with pytest.raises(ValueError, match=r"'missing' parameter of pronounce"):
        pronounce(["cat"], missing="ignore")


def test_synonyms_and_corpus():
    pairs = load_synonym_pairs()
    assert len(pairs) == 27262 and all(a < b for a, b in pairs[:100])
    assert load_synonym_pairs(["big", "large", "small", "little"]) == [
        ("big", "large"), ("little", "small")]
    paras = load_jargon_corpus()
    assert len(paras) == 4105
    assert paras[0] == ["tm"] and paras[1][:3] == ["usenet", "ascii", "rendition"]


def test_vocabulary():
    words, freq = english_vocabulary(300, min_length=3)
    assert len(words) == 300 and len(set(words)) == 300
    assert all(w.isalpha() and len(w) >= 3 for w in words)
    assert bool((freq[:-1] >= freq[1:]).all()) and bool((freq > 0).all())
    with pytest.raises(ValueError, match=r"'num_words' parameter of english_vocabulary"):
        english_vocabulary(0)


def test_text_graph_counts_match_windows():
    corpus = [["a", "b", "c", "a"], ["b", "a"]]
    g = text_graph(corpus=corpus, window=2, min_count=1)
    v = g.num_words
    assert g.words[:v] == ["a", "b", "c"] and g.words[v:] == g.words[:v]
    counts = {}
    for p in corpus:
        for i, w in enumerate(p):
            for j in range(max(0, i - 2), min(len(p), i + 3)):
                if j != i:
                    counts[(w, p[j])] = counts.get((w, p[j]), 0) + 1
    got = {(g.words[a], g.words[b]): c for (a, b), c in
           zip(g.edge_index.t().tolist(), g.edge_weight.tolist())}
    assert got == counts
    assert g.context_mask.tolist() == [False] * v + [True] * v
    with pytest.raises(ValueError, match=r"leaves 0 word"):
        text_graph(corpus=corpus, min_count=10)


def test_real_text_graph():
    g = text_graph(max_words=300)
    assert g.num_words == 300 and g.num_nodes == 600
    assert int(g.edge_index[0].max()) < 300 and int(g.edge_index[1].min()) >= 300
    assert g.words[0] == "the"


def test_audio_text_graph_homophones():
    g = audio_text_graph(words=["two", "too", "cat", "qzxv"])
    assert g.num_words == 3 and g.num_skipped == 1
    assert g.phonemes[0] == g.phonemes[1] == g.phonemes[3]
    g = audio_text_graph(200)
    assert g.num_words + g.num_skipped == 200


def test_embeddings_cache(tmp_path):
    words = ["cat", "kitten", "car", "automobile", "banana"]
    e = embed_words(words, cache_dir=tmp_path)
    files = os.listdir(tmp_path)
    assert e.shape == (5, 384) and len(files) == 1
    assert torch.allclose(e.norm(dim=1), torch.ones(5), atol=1e-5)
    sim = e @ e.T
    assert sim[0, 1] > sim[0, 2] and sim[2, 3] > sim[2, 4]
    # a cache hit returns the stored tensor (no model run): overwrite it to prove it is read
    path = tmp_path / files[0]
    torch.save(torch.zeros(5, 384), path)
    assert torch.equal(embed_words(words, cache_dir=tmp_path), torch.zeros(5, 384))
    os.environ["GRAPHNEG_CACHE_DIR"] = str(tmp_path)
    try:
        assert torch.equal(embed_words(words), torch.zeros(5, 384))
    finally:
        del os.environ["GRAPHNEG_CACHE_DIR"]
    with pytest.raises(ValueError, match="non-empty strings"):
        embed_words(["cat", ""], cache_dir=tmp_path)


def test_word_graph(tmp_path):
    g = word_graph(120, phonemes=True, knn=3, cache_dir=tmp_path)
    assert g.num_nodes == len(g.words) == len(g.phonemes) == g.embedding.size(0)
    assert g.num_nodes + g.num_skipped == 120
    ei = g.edge_index
    assert bool((ei[0] != ei[1]).all())
    # symmetric and every word has at least its 3 nearest words
    key = set(map(tuple, ei.t().tolist()))
    assert all((b, a) in key for a, b in key)
    assert int(torch.bincount(ei[0], minlength=g.num_nodes).min()) >= 3
