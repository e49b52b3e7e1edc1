"""Bad input gets a clear error or a defined result: no hang, nothing silently wrong.

Each test holds a reproducer of a case that once hung, returned a wrong number or
failed with an unrelated message.
"""
import signal

import pytest
import torch

from graphneg.analysis.ann import recall_at_k
from graphneg.datasets.hierarchies import (
    load_icd10cm_hierarchy,
    node_depths,
    transitive_closure,
)
from graphneg.datasets.spikes import cut_windows


# ------------------------------------------------------------------ hierarchies
def _within(seconds, fn, *args):
    """``fn(*args)``, failing the test instead of hanging (SIGALRM between torch ops)."""
    def stop(signum, frame):
        raise TimeoutError(f"{fn.__name__} did not return within {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
def test_cycles_in_a_parent_vector_are_an_error_not_a_hang():
    with pytest.raises(ValueError) as info:
        _within(10, transitive_closure, torch.tensor([1, 2, 0]))
    assert str(info.value) == (
        "The 'parent' parameter of transitive_closure must describe a forest (every node "
        "reaches a root -1 by following parents). Got a cycle through node(s) 0, 1, 2 instead.")
    with pytest.raises(ValueError) as info:
        _within(10, node_depths, torch.tensor([-1, 2, 1]))
    assert str(info.value) == (
        "The 'parent' parameter of node_depths must describe a forest (every node "
        "reaches a root -1 by following parents). Got a cycle through node(s) 1, 2 instead.")


@pytest.mark.parametrize("parent, cycle", [
    ([-1, 0, 3, 4, 2, 4], "2, 3, 4"),        # a 3-cycle with node 5 hanging below it
    ([0, -1, 1], "0"),                       # a self-parent is a cycle of length 1
    ([-1, 2, 1, 5, 3, 4], "1, 2, 3, 4, 5"),  # two cycles at once
])
def test_the_error_names_exactly_the_nodes_on_the_cycles(parent, cycle):
    with pytest.raises(ValueError, match=rf"Got a cycle through node\(s\) {cycle} instead"):
        node_depths(torch.tensor(parent))


def test_parent_vectors_out_of_range_or_of_the_wrong_type_are_refused():
    with pytest.raises(ValueError, match=r"ids in \[-1, 3\).*Got 3 at node 1"):
        transitive_closure(torch.tensor([-1, 3, 0]))
    with pytest.raises(TypeError, match="'parent' parameter of node_depths must be a torch.LongTensor"):
        node_depths(torch.tensor([-1.0, 0.0]))
    assert node_depths(torch.tensor([-1, 0, -1, 2, 3])).tolist() == [0, 1, 0, 1, 2]  # a forest


def test_closure_flag_must_be_a_bool():
    with pytest.raises(TypeError, match="'closure' parameter of load_icd10cm_hierarchy must be a bool"):
        load_icd10cm_hierarchy(closure="yes")


# --------------------------------------------------------------------- spikes
def test_cut_windows_refuses_nan_times():
    with pytest.raises(ValueError, match=r"'times' parameter of cut_windows must be finite.*1 non-finite"):
        cut_windows(torch.tensor([0.5, float("nan"), 0.1]), window=0.1)


# ----------------------------------------------------------------------- ANN
def test_recall_at_k_counts_each_distinct_id_once():
    assert recall_at_k(torch.tensor([[1, 1, 1]]), torch.tensor([[1, 2, 3]])).tolist() == [1 / 3]
    assert recall_at_k(torch.tensor([[1, 2, 3]]), torch.tensor([[1, 1, 1]])).tolist() == [1.0]
    assert recall_at_k(torch.tensor([[2, 9, 2, 9]]), torch.tensor([[9, 2, 4, -1]])).tolist() == [2 / 3]
    with pytest.raises(TypeError, match="'approx_ids' parameter of recall_at_k must be an integer"):
        recall_at_k(torch.tensor([[1.0, 2.0]]), torch.tensor([[1, 2]]))
    with pytest.raises(ValueError, match="at least one id >= 0 per row. Got none in row 0"):
        recall_at_k(torch.tensor([[1, 2]]), torch.tensor([[-1, -1]]))


# ------------------------------------------------------------------ trainers
@pytest.mark.parametrize("kwargs, param", [({"dim": 0}, "dim"), ({"hidden": 0}, "hidden"),
                                           ({"lr": float("nan")}, "lr")])
def test_audio_text_trainer_checks_its_sizes(kwargs, param):
    from graphneg.datasets.text import audio_text_graph
    from graphneg.training.text import AudioTextTrainer

    g = audio_text_graph(words=["two", "too", "to", "for", "four", "cat", "cap", "cut"])
    with pytest.raises(ValueError, match=rf"'{param}' parameter of AudioTextTrainer"):
        AudioTextTrainer(g, verbose=False, seed=0, **kwargs)


# ------------------------------------------------- seeds, devices, memory (central)
def test_seeds_beyond_63_bits_name_the_rule():
    from graphneg._random import as_generator
    from graphneg.samplers import get_sampler

    with pytest.raises(ValueError, match=r"'seed' parameter must be an int in \[0, 2\*\*63 - 1\]"):
        as_generator(2**64)
    with pytest.raises(ValueError, match=r"'seed' parameter of UniformNegativeSampler must be "
                                         r"an int in \[0, 2\*\*63 - 1\]"):
        get_sampler("uniform", seed=2**64)
    assert as_generator(2**63 - 1).initial_seed() == 2**63 - 1


def test_tensors_on_another_device_are_named():
    from graphneg.samplers import get_sampler

    ei = torch.tensor([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match=r"'pos_edge_index' parameter of UniformNegativeSampler "
                                         r"must be on the device of 'edge_index' \(cpu\). Got meta"):
        get_sampler("uniform").sample(ei, pos_edge_index=torch.zeros(2, 1, dtype=torch.long,
                                                                     device="meta"))


def test_data_without_a_graph_is_named():
    from torch_geometric.data import Data

    from graphneg.samplers import get_sampler

    with pytest.raises((TypeError, ValueError), match="neither 'edge_index'"):
        get_sampler("uniform")(Data(num_nodes=12))


@pytest.mark.parametrize("call, needs", [
    (lambda: __import__("graphneg.generators", fromlist=["x"]).erdos_renyi(10**6, 0.5),
     "erdos_renyi with num_nodes=1000000, edge_prob=0.5 would need 14.6 TiB"),
    (lambda: __import__("graphneg.generators", fromlist=["x"]).balanced_tree(10, 10),
     "balanced_tree with branching=10, depth=10 would need 496.7 GiB"),
    (lambda: __import__("graphneg.datasets.spikes", fromlist=["x"]).poisson_spike_trains(
        3, rate=1e12, duration=1.0),
     "poisson_spike_trains with num_trains=3, rate=1000000000000.0, duration=1.0 would need"),
    (lambda: __import__("graphneg.samplers", fromlist=["x"]).get_sampler(
        "uniform", num_neg=10**9).sample(torch.tensor([[0, 1], [1, 2]]), 10**6),
     "UniformNegativeSampler with num_neg=1000000000 for 2 positives would need 119.2 GiB"),
])
def test_huge_requests_state_the_memory_they_would_need(call, needs, monkeypatch):
    from graphneg._validation import MemoryRequestError

    monkeypatch.setenv("GRAPHNEG_MEMORY_LIMIT", "16G")  # the same answer on every machine
    with pytest.raises(MemoryRequestError, match=r"the limit is 16.0 GiB") as info:
        call()
    assert str(info.value).startswith(needs)


def test_the_memory_limit_reads_the_environment(monkeypatch):
    from graphneg._validation import check_memory, memory_limit

    monkeypatch.setenv("GRAPHNEG_MEMORY_LIMIT", "512M")
    assert memory_limit() == 512 * 2**20
    check_memory(512 * 2**20, "x", params="n=1")  # at the limit: allowed
    with pytest.raises(ValueError, match=r"would need 1.0 GiB for x; the limit is 512.0 MiB"):
        check_memory(2**30, "x", params="n=2")
    monkeypatch.setenv("GRAPHNEG_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="GRAPHNEG_MEMORY_LIMIT must be a byte count"):
        memory_limit()


# ------------------------------------------------------------ embedding cache
def test_embedding_cache_checks_shape_and_vocabulary_and_runs_no_code(tmp_path):
    pytest.importorskip("sentence_transformers")
    from graphneg.datasets.text import embed_words

    words = ["cat", "kitten", "car"]
    good = embed_words(words, cache_dir=tmp_path)
    (path,) = tmp_path.iterdir()
    entry = torch.load(path, weights_only=True)
    assert len(entry["vocabulary_sha256"]) == 64 and torch.equal(entry["embeddings"], good)
    torch.save(torch.zeros(7, 5), path)                       # wrong shape: recomputed
    assert torch.equal(embed_words(words, cache_dir=tmp_path), good)
    torch.save({**entry, "vocabulary_sha256": "0" * 64}, path)  # another vocabulary
    assert torch.equal(embed_words(words, cache_dir=tmp_path), good)

    class Payload:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))
    torch.save(Payload(), path)                               # a pickle that runs code
    assert torch.equal(embed_words(words, cache_dir=tmp_path), good)
    assert not (tmp_path / "pwned").exists()


def test_random_hypergraph_refuses_size_bounds_that_cross():
    from graphneg.generators import random_hypergraph

    with pytest.raises(ValueError, match=r"'min_size' parameter of random_hypergraph must be an "
                                         r"int in \[1, 3\]. Got 5"):
        random_hypergraph(10, 5, min_size=5, max_size=3)


# -------------------------------------------- the user's names, before any work
@pytest.mark.parametrize("kwargs, error, message", [
    ({"hidden_channels": 0}, ValueError, r"'hidden_channels' parameter of LinkPredictionTrainer"),
    ({"hits_k": 10}, TypeError, r"'hits_k' parameter of LinkPredictionTrainer must be a sequence"),
    ({"val_ratio": 1.5}, ValueError, r"'val_ratio' parameter of LinkPredictionTrainer must be a "
                                     r"finite float in \[0, 1\)"),
    ({"val_ratio": -0.1}, ValueError, r"'val_ratio' parameter"),
    ({"val_ratio": 0.6, "test_ratio": 0.5}, ValueError, r"val_ratio \+ test_ratio < 1"),
    ({"dropout": 1.0}, ValueError, r"'dropout' parameter"),
])
def test_link_prediction_trainer_names_the_users_parameter(kwargs, error, message):
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    with pytest.raises(error, match=message):
        LinkPredictionTrainer(barabasi_albert(30, 2, seed=0), verbose=False, **kwargs)


def test_nan_node_features_are_found_at_construction_not_blamed_on_scores():
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    data = barabasi_albert(30, 2, seed=0)
    data.x = torch.ones(30, 3)
    data.x[4, 1] = float("nan")
    with pytest.raises(ValueError, match=r"finite node features. Got 1 non-finite entries in data.x"):
        LinkPredictionTrainer(data, verbose=False)


@pytest.mark.parametrize("spec, message", [
    ("ba:n=300", r"unknown key\(s\) n. barabasi_albert takes num_nodes, num_edges, initial_graph "
                 r"\(required: num_nodes, num_edges\)"),
    ("ba:num_nodes=300;num_edges=3", r"missing key\(s\) num_edges \(separate key=value pairs "
                                     r"with commas\)"),
])
def test_bad_graph_specs_list_the_valid_keys(spec, message):
    from graphneg.analysis.studies.topology import parse_graph_spec

    with pytest.raises(ValueError, match=message):
        parse_graph_spec(spec)


def test_text_graphs_refuse_nonsense_flags_and_corpora():
    from graphneg.datasets.text import text_graph, word_graph

    with pytest.raises(TypeError, match="'embeddings' parameter of word_graph must be a bool"):
        word_graph(50, embeddings="no")
    with pytest.raises(TypeError, match="'corpus' parameter of text_graph must be a list of token lists"):
        text_graph(corpus="just a string")


def test_fit_mixture_refuses_rows_that_are_not_distributions():
    from graphneg.analysis.ann import fit_mixture

    t, u = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.5, 0.5]])
    with pytest.raises(ValueError, match=r"'q' parameter of fit_mixture must have rows that sum to 1"):
        fit_mixture(torch.tensor([[0.9, 0.9]]), t, u)
    with pytest.raises(ValueError, match=r"'q' parameter of fit_mixture must hold finite"):
        fit_mixture(torch.tensor([[float("nan"), 1.0]]), t, u)


def test_crf_trainer_names_num_labels_and_lr():
    from graphneg.training.crf import CRFTrainer

    data = {"words": torch.zeros(1, 2, dtype=torch.long)}
    kw = dict(num_words=3, num_suffixes=2, verbose=False)
    with pytest.raises(ValueError, match=r"'num_labels' parameter of CRFTrainer must be an int in \[2, inf\)"):
        CRFTrainer(data, data, num_labels=1, **kw)
    with pytest.raises(ValueError, match=r"'lr' parameter of CRFTrainer"):
        CRFTrainer(data, data, num_labels=3, lr=float("nan"), **kw)


def test_huge_hyperedge_requests_state_the_memory(monkeypatch):
    from graphneg._validation import MemoryRequestError
    from graphneg.samplers import HYPEREDGE_SAMPLERS

    monkeypatch.setenv("GRAPHNEG_MEMORY_LIMIT", "1G")
    h = torch.tensor([[0, 1, 2, 2, 3, 4], [0, 0, 0, 1, 1, 1]])
    sampler = HYPEREDGE_SAMPLERS.get("maxent")(num_neg=10**9, seed=0)
    with pytest.raises(MemoryRequestError, match=r"num_neg=1000000000 for 2 anchors would need "
                                                 r"268.2 GiB .* the limit is 1.0 GiB"):
        sampler.sample(h, 5)


@pytest.mark.parametrize("param", ["num_neg", "eval_num_neg"])
def test_link_prediction_trainer_checks_memory_before_any_work(param, monkeypatch):
    from graphneg._validation import MemoryRequestError
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    monkeypatch.setenv("GRAPHNEG_MEMORY_LIMIT", "4G")
    with pytest.raises(MemoryRequestError, match=rf"LinkPredictionTrainer with {param}=1000000000 "
                                                 r"on 114 edges would need 6.6 TiB"):
        LinkPredictionTrainer(barabasi_albert(30, 2, seed=0), verbose=False, **{param: 10**9})


@pytest.mark.parametrize("argv, message", [
    (["geo", "--taus", "-100"], "argument --taus: must be a finite float > 0. Got '-100'."),
    (["compare", "--hidden", "0"], "argument --hidden: must be an int >= 1. Got '0'."),
    (["compare", "--seeds", "-1"], "argument --seeds: must be an int in [0, 2**63 - 1]. Got '-1'."),
    (["train", "--lr", "nan"], "argument --lr: must be a finite float > 0. Got 'nan'."),
])
def test_command_flags_are_checked_by_the_parser_before_any_work(argv, message, capsys):
    from graphneg.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_hyperedge_tensors_on_another_device_are_named():
    from graphneg.samplers import HYPEREDGE_SAMPLERS

    h = torch.tensor([[0, 1, 2, 2, 3, 4], [0, 0, 0, 1, 1, 1]])
    with pytest.raises(ValueError, match=r"'anchors' parameter of \w+ must be on the device of "
                                         r"'hyperedge_index' \(cpu\). Got meta"):
        HYPEREDGE_SAMPLERS.get("maxent")(seed=0).sample(
            h, 5, anchors=torch.zeros(1, dtype=torch.long, device="meta"))


# ------------------------------------------- every command-line flag, a bad value
def _command_parsers():
    import argparse

    from graphneg.cli import build_parser

    def walk(parser, prefix):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    if sub._defaults.get("func") is not None:
                        yield [*prefix, name], sub
                    yield from walk(sub, [*prefix, name])
    yield from walk(build_parser(), [])


def _typed_flags():
    """``(argv, flag)`` for every option that converts or restricts its value."""
    for argv, parser in _command_parsers():
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0:
                continue
            typed = action.type not in (None, str) or action.choices is not None
            if typed:
                yield pytest.param(argv, action.option_strings[-1],
                                   id=" ".join([*argv, action.option_strings[-1]]))


@pytest.mark.parametrize("argv, flag", list(_typed_flags()))
def test_every_flag_with_a_bad_value_exits_2_in_one_line(argv, flag, capsys, tmp_path):
    from graphneg.cli import main

    with pytest.raises(SystemExit) as exc:
        main([*argv, flag, "__bogus__", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and flag in errors[0], err


# ------------------------------------------ the remaining reproducers, one each
def test_word_graph_needs_at_least_one_neighbour():
    from graphneg.datasets.text import word_graph

    with pytest.raises(ValueError, match=r"The 'knn' parameter of word_graph must be an int in "
                                         r"\[1, inf\). Got 0 instead."):
        word_graph(50, knn=0)


@pytest.mark.parametrize("lr", [float("nan"), 0.0, -1.0, float("inf")])
def test_spike_trainer_checks_its_learning_rate(lr):
    from graphneg.datasets.spikes import poisson_spike_trains
    from graphneg.training.spikes import SpikeContrastiveTrainer

    trains = poisson_spike_trains(4, rate=20.0, duration=1.0, seed=0)
    with pytest.raises(ValueError, match=r"The 'lr' parameter of SpikeContrastiveTrainer must be "
                                         r"a finite float in \(0, inf\)"):
        SpikeContrastiveTrainer(trains, tau=0.005, num_points=10, lr=lr, verbose=False)


def test_link_prediction_trainer_names_lr_not_torch():
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    with pytest.raises(ValueError, match=r"The 'lr' parameter of LinkPredictionTrainer must be a "
                                         r"finite float in \(0, inf\). Got nan"):
        LinkPredictionTrainer(barabasi_albert(30, 2, seed=0), lr=float("nan"), verbose=False)


def test_train_hidden_zero_is_named_by_the_parser(tmp_path, capsys):
    from graphneg.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["train", "--hidden", "0", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "argument --hidden: must be an int >= 1. Got '0'." in capsys.readouterr().err


def test_registry_names_are_errors_of_the_users_parameter():
    from graphneg.generators import planted_hypergraph
    from graphneg.training.hypergraph import HyperedgeContrastiveTrainer

    h = planted_hypergraph(24, 30, 3, size_distribution=3, seed=0)
    with pytest.raises(ValueError, match=r"^The 'hard_eval_sampler' parameter of "
                                         r"HyperedgeContrastiveTrainer: Unknown hyperedge sampler "
                                         r"'clqiue'. .* Did you mean 'clique'\?"):
        HyperedgeContrastiveTrainer(h, hard_eval_sampler="clqiue", hidden_channels=4,
                                    out_channels=4, verbose=False)
