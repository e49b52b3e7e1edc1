"""The ``as_hetero=True`` loaders: the same graph as the homogeneous form they replace
(same edges, same counts, same node attributes), with the documented node types and
relation names."""
import torch

from graphneg.datasets import audio_text_graph, text_graph, uci_heart_disease

CORPUS = [["a", "b", "a", "c", "d", "b"], ["c", "a", "d", "d", "b"]]


def _pairs(edge_index):
    return sorted(map(tuple, edge_index.t().tolist()))


def test_clinical_hetero_equals_the_masked_graph():
    flat, h = uci_heart_disease(), uci_heart_disease(as_hetero=True)
    p = flat.num_patients
    assert h.node_types == ["patient", "finding"]
    assert h.edge_types == [("patient", "has", "finding"), ("finding", "rev_has", "patient")]
    assert h["patient"].num_nodes == p and h["finding"].num_nodes == flat.num_nodes - p
    has = h["patient", "has", "finding"].edge_index
    # the patient -> finding half of the flat edges, finding ids shifted to local ids
    half = flat.edge_index[:, flat.edge_index[0] < p]
    assert _pairs(has) == _pairs(torch.stack([half[0], half[1] - p]))
    assert torch.equal(h["finding", "rev_has", "patient"].edge_index, has.flip(0))
    assert 2 * has.size(1) == flat.edge_index.size(1)
    assert torch.equal(h["patient"].x, flat.x_patient)
    assert torch.equal(h["finding"].x, torch.eye(h["finding"].num_nodes))
    for key in ("site", "y", "severity"):
        assert torch.equal(h["patient"][key], flat[key][:p])
    assert h["finding"].name == flat.finding_names and h.site_names == flat.site_names
    assert h.num_missing == flat.num_missing


def test_text_hetero_equals_the_word_context_graph():
    flat = text_graph(corpus=CORPUS, window=2, min_count=1)
    h = text_graph(corpus=CORPUS, window=2, min_count=1, as_hetero=True)
    v = flat.num_words
    et, rev = ("word", "co_occurs_with", "context"), ("context", "rev_co_occurs_with", "word")
    assert h.node_types == ["word", "context"] and h.edge_types == [et, rev]
    assert h["word"].num_nodes == h["context"].num_nodes == v == h.num_words
    ei = h[et].edge_index
    assert torch.equal(ei, torch.stack([flat.edge_index[0], flat.edge_index[1] - v]))
    assert torch.equal(h[et].edge_weight, flat.edge_weight)
    assert torch.equal(h[rev].edge_index, ei.flip(0))
    assert torch.equal(h[rev].edge_weight, flat.edge_weight)
    assert h["word"].words == flat.words[:v] and h["context"].words == flat.words[v:]
    assert torch.equal(h["context"].frequency, flat.frequency[v:])
    assert "x" not in h["word"]            # no embedding asked: no features invented


def test_audio_text_hetero_equals_the_matching_graph():
    words = ["two", "too", "cat", "dog", "qzxv"]
    flat = audio_text_graph(words=words)
    h = audio_text_graph(words=words, as_hetero=True)
    v = flat.num_words
    et, rev = ("audio", "matches", "text"), ("text", "rev_matches", "audio")
    assert h.node_types == ["audio", "text"] and h.edge_types == [et, rev]
    assert torch.equal(h[et].edge_index, torch.stack([flat.edge_index[0],
                                                      flat.edge_index[1] - v]))
    assert torch.equal(h[rev].edge_index, h[et].edge_index.flip(0))
    assert h["audio"].phonemes == flat.phonemes[:v] and h["text"].words == flat.words[v:]
    assert h.num_skipped == flat.num_skipped == 1
    # homophones have identical audio features and different text features
    assert torch.equal(h["audio"].x[0], h["audio"].x[1])
    assert not torch.equal(h["text"].x[0], h["text"].x[1])
    assert h["audio"].x.size(0) == h["text"].x.size(0) == v
