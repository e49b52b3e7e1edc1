"""Bad input gets a clear error or a defined result: no hang, nothing silently wrong.

Each test holds a reproducer of a case that once hung, returned a wrong number or
failed with an unrelated message.
"""
import subprocess
import sys
import textwrap

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
def test_cycles_in_a_parent_vector_are_an_error_not_a_hang():
    """Run in a child with a time limit: an endless pointer walk fails the test."""
    code = textwrap.dedent("""
        import torch
        from graphneg.datasets.hierarchies import node_depths, transitive_closure
        for fn, parent in ((transitive_closure, [1, 2, 0]), (node_depths, [-1, 2, 1])):
            try:
                fn(torch.tensor(parent))
            except ValueError as exc:
                print(exc)
            else:
                print("no error")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout.splitlines()
    assert out == [
        "The 'parent' parameter of transitive_closure must describe a forest (every node "
        "reaches a root -1 by following parents). Got a cycle through node(s) 0, 1, 2 instead.",
        "The 'parent' parameter of node_depths must describe a forest (every node "
        "reaches a root -1 by following parents). Got a cycle through node(s) 1, 2 instead."]


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
