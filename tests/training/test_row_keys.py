"""What the epoch rows carry (``Trainer.row_keys``), checked against real rows, and the
node count a hypergraph trainer reads."""
import pytest
import torch
from torch_geometric.data.hypergraph_data import HyperGraphData

from graphneg.datasets.sequences import encode_sentences, hmm_sequences
from graphneg.generators import planted_hypergraph
from graphneg.hyperedges import hypergraph_num_nodes
from graphneg.samplers.hyperedge import get_hyperedge_sampler
from graphneg.training.crf import CRFTrainer
from graphneg.training.hypergraph import HyperedgeContrastiveTrainer
from graphneg.training.loop import MonitorKeyError, Trainer


def _matches(column, keys):
    return any(column == k or (k.endswith("*") and column.startswith(k[:-1])) for k in keys)


def _crf_kwargs():
    sentences, _ = hmm_sequences(8, num_labels=3, vocab_size=10, length=4, seed=0)
    enc, vocab = encode_sentences(sentences)
    return dict(train=enc, val=enc, num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
                num_labels=len(vocab.labels), epochs=1, verbose=False, seed=0)


def _hypergraph():
    # 24 nodes, 30 hyperedges: the 80 % training split has 24 hyperedges, as many as nodes
    return planted_hypergraph(24, 30, 3, size_distribution=3, mixing_prob=0.2, seed=0)


def test_declared_row_keys_are_exactly_the_columns_of_a_crf_run():
    for objective in ("nll", "ce"):
        hist = CRFTrainer(**_crf_kwargs(), objective=objective, num_samples=4).fit()
        assert set(hist.columns) == set(CRFTrainer.epoch_row_keys())


@pytest.mark.parametrize("sampler", ["maxent", "sized"])
def test_declared_row_keys_cover_a_hyperedge_run_and_the_trainer_fits(sampler):
    tr = HyperedgeContrastiveTrainer(_hypergraph(), sampler=sampler, hidden_channels=8,
                                     out_channels=8, eval_num_neg=2, epochs=1, verbose=False,
                                     seed=0)
    hist = tr.fit()  # the sampler used to get num_nodes as a tensor here and fail
    keys = HyperedgeContrastiveTrainer.epoch_row_keys()
    assert all(_matches(c, keys) for c in hist.columns), sorted(hist.columns)
    assert {k for k in keys if not k.endswith("*")} <= set(hist.columns)
    assert any(c.startswith("sampler_") and c != "sampler_time_s" for c in hist.columns)


def test_an_unknown_monitor_fails_at_construction_of_a_declaring_trainer():
    with pytest.raises(MonitorKeyError, match=r"'monitor' parameter of CRFTrainer .*'val_acc'"):
        CRFTrainer(**{**_crf_kwargs(), "monitor": "val_f1"})
    with pytest.raises(ValueError, match="'monitor' parameter of HyperedgeContrastiveTrainer"):
        HyperedgeContrastiveTrainer(_hypergraph(), monitor="val_f1", epochs=1, verbose=False)
    with pytest.raises(ValueError, match="'monitor' parameter of Trainer"):
        Trainer(monitor="val_auc")
    # prefixes and the loop's own keys are accepted
    HyperedgeContrastiveTrainer(_hypergraph(), monitor="sampler_rejected", monitor_mode="min",
                                epochs=1, verbose=False)
    CRFTrainer(**{**_crf_kwargs(), "monitor": "elapsed_s"})


def test_a_subclass_with_its_own_hooks_is_checked_after_its_first_epoch():
    class Tagger(CRFTrainer):
        def evaluate(self, split):
            return {"f1": 0.5}

    assert Tagger.epoch_row_keys() is None
    tr = Tagger(**{**_crf_kwargs(), "monitor": "val_f1"})  # a key CRFTrainer cannot know
    assert tr.fit()["val_f1"].tolist() == [0.5]

    class Declared(Tagger):
        row_keys = ("loss", "val_f1")

    assert Declared.epoch_row_keys() == ("epoch", "wall_time_s", "elapsed_s", "loss", "val_f1")


def test_hypergraph_num_nodes_keeps_a_given_count_equal_to_the_hyperedge_count():
    # 3 nodes (node 2 in no hyperedge), 3 hyperedges: PyG's property says tensor(2)
    data = HyperGraphData(edge_index=torch.tensor([[0, 1, 0, 1], [0, 0, 1, 2]]), num_nodes=3)
    assert hypergraph_num_nodes(data) == 3 and isinstance(hypergraph_num_nodes(data), int)
    out = get_hyperedge_sampler("sized", num_neg=1, seed=0)(data)
    assert int(out.hyperedge_label_index[0].max()) < 3
    assert out.hyperedge_label.tolist().count(1.0) == 3


def test_declared_row_keys_cover_a_hetero_run_and_a_wrong_monitor_fails_at_once():
    from graphneg.datasets import text_graph
    from graphneg.training.hetero import _ROW_KEYS, HeteroLinkPredictionTrainer
    data = text_graph(corpus=[["a", "b", "c", "a", "d", "b", "c", "d"]] * 4, min_count=1,
                      as_hetero=True)
    kw = dict(edge_type=("word", "co_occurs_with", "context"),
              rev_edge_type=("context", "rev_co_occurs_with", "word"), hidden_channels=8,
              out_channels=8, val_ratio=0.2, test_ratio=0.2, eval_num_neg=2, epochs=2,
              verbose=False, seed=0)
    hist = HeteroLinkPredictionTrainer(data, **kw).fit()
    keys = (*_ROW_KEYS, "val_hits@10")
    assert all(_matches(c, keys) for c in hist.columns), set(hist.columns)
    assert all(any(_matches(c, (k,)) for c in hist.columns) for k in keys if "*" not in k)
    with pytest.raises(MonitorKeyError, match="'monitor' parameter"):
        HeteroLinkPredictionTrainer(data, **kw, monitor="val_acc")
