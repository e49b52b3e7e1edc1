"""A generated bad-input test over the public functions (scikit-learn's
``check_param_validation`` idea).

Every public function of the probed modules and every registered generator has a
valid call here (``CASES``). From it the test derives, for *each* parameter, values
that break the parameter's kind — a string where a number or tensor goes, a
non-bool where a bool goes, NaN where a finite float goes, a number where an option
string goes, a seed beyond 63 bits — and requires a ``TypeError``/``ValueError``
whose message names that parameter (``'num_nodes'``). ``test_every_public_function_is_probed``
fails when a public function has no case and no exemption, so a new function or
parameter cannot ship without a tested error path. Registered samplers get the same
treatment from their declared rules in ``tests/samplers/test_parameters.py``.
"""
import inspect
import math

import pytest
import torch

import graphneg.datasets.hierarchies as hierarchies
import graphneg.datasets.spikes as spikes
import graphneg.evaluation as evaluation
import graphneg.losses as losses
from graphneg.generators import generator_names, get_generator

MODULES = [losses, evaluation, hierarchies, spikes]

_T = torch.tensor
_ANCHORS = dict(anchor=torch.ones(2, 3), positive=torch.ones(2, 3), negatives=torch.ones(2, 4, 3))

#: name -> valid keyword arguments (every parameter the probe should try is named here,
#: or left at its default when the default is a plain value).
CASES = {
    # losses
    "logistic_ns_loss": dict(pos_score=torch.zeros(3), neg_score=torch.zeros(3, 2)),
    "self_adversarial_ns_loss": dict(pos_score=torch.zeros(3), neg_score=torch.zeros(3, 2),
                                     adversarial_temperature=1.0),
    "softmax_distance_loss": dict(d_pos=torch.zeros(3), d_neg=torch.zeros(3, 2)),
    "logistic_contrastive_loss": dict(_ANCHORS),
    "info_nce": dict(_ANCHORS, temperature=0.1),
    "debiased_contrastive_loss": dict(_ANCHORS, temperature=0.5, tau_plus=0.1),
    "hard_negative_contrastive_loss": dict(_ANCHORS, temperature=0.5, tau_plus=0.1, beta=1.0),
    # evaluation
    "roc_auc": dict(pos=_T([0.9]), neg=_T([0.1, 0.5])),
    "average_precision": dict(pos=_T([0.9]), neg=_T([0.1, 0.5])),
    "positive_ranks": dict(pos=_T([0.9]), neg=_T([0.1, 0.5])),
    "hits_at_k": dict(pos=_T([0.9]), neg=_T([0.1, 0.5]), k=1),
    "mean_reciprocal_rank": dict(pos=_T([0.9]), neg=_T([0.1, 0.5])),
    "ranking_metrics": dict(pos=_T([0.9]), neg=_T([0.1, 0.5]), hits_k=(1,)),
    "reconstruction_metrics": dict(dist=torch.rand(3, 3), edge_index=_T([[0], [1]]),
                                   chunk_size=8),
    # hierarchies
    "load_icd10cm_hierarchy": dict(closure=False),
    "tree_parents": dict(edge_index=_T([[0, 1], [1, 0]]), num_nodes=2, root=0),
    "node_depths": dict(parent=_T([-1, 0])),
    "transitive_closure": dict(parent=_T([-1, 0])),
    # spikes
    "cut_windows": dict(times=_T([0.1, 0.3]), window=0.2, t_start=0.0),
    "grasshopper_windows": dict(recording=1, window=0.1),
    "load_grasshopper_spike_times": dict(recording=1),
    "poisson_spike_trains": dict(num_trains=2, rate=1.0, duration=1.0, seed=0),
    "inhomogeneous_poisson_spike_trains": dict(num_trains=2, rate_fn=lambda t: 0 * t + 1,
                                               rate_max=1.0, duration=1.0, seed=0),
    # generators (by registry name)
    "gen:ba": dict(num_nodes=10, num_edges=2, seed=0),
    "gen:dcsbm": dict(block_sizes=[5, 5], edge_probs=[[0.5, 0.1], [0.1, 0.5]], exponent=2.5,
                      seed=0),
    "gen:er": dict(num_nodes=10, edge_prob=0.2, seed=0),
    "gen:geometric": dict(num_nodes=10, radius=0.3, dim=2, seed=0),
    "gen:hypergraph_configuration": dict(node_degrees=[1, 1, 1, 1], hyperedge_sizes=[2, 2],
                                         max_tries=10, seed=0),
    "gen:planted_hypergraph": dict(num_nodes=12, num_hyperedges=4, num_blocks=2,
                                   size_distribution=3, mixing_prob=0.0, seed=0),
    "gen:planted_partition": dict(num_blocks=2, block_size=5, p_in=0.5, p_out=0.1, seed=0),
    "gen:powerlaw_cluster": dict(num_nodes=10, num_edges=2, triangle_prob=0.5, seed=0),
    "gen:random_hypergraph": dict(num_nodes=10, num_hyperedges=4, size_distribution=3,
                                  mean_size=3.0, exponent=2.5, min_size=2, seed=0),
    "gen:sbm": dict(block_sizes=[5, 5], edge_probs=[[0.5, 0.1], [0.1, 0.5]], seed=0),
    "gen:star": dict(num_nodes=5),
    "gen:tree": dict(branching=2, depth=2),
}

#: Public names not probed here, each with its reason (keep this list short).
EXEMPT = {
    "gen:hypergraph_reshuffle": "takes a HyperGraphData to reshuffle; tested in tests/generators",
    "synonym_auc": "analysis helper on embeddings; its inputs come from the text trainers",
}

#: Extra out-of-range values per (case, parameter): the kind probes cannot guess them.
OUT_OF_RANGE = {
    ("gen:random_hypergraph", "min_size"): [0],
    ("gen:random_hypergraph", "max_size"): [0, 11],  # min_size=5, max_size=3 names min_size
    ("gen:er", "num_nodes"): [-1],
    ("gen:er", "edge_prob"): [1.5],
    ("hits_at_k", "k"): [0],
    ("ranking_metrics", "hits_k"): [10, (0,)],
    ("cut_windows", "window"): [0.0, -1.0],
    ("poisson_spike_trains", "rate"): [0.0],
    ("info_nce", "temperature"): [0.0],
    ("debiased_contrastive_loss", "tau_plus"): [1.0],
    ("reconstruction_metrics", "chunk_size"): [0],
    ("tree_parents", "root"): [5],
}


def _function(name):
    if name.startswith("gen:"):
        return get_generator(name[4:])
    for module in MODULES:
        if name in module.__all__:
            return getattr(module, name)
    raise LookupError(name)


def _public_names():
    names = {f"gen:{n}" for n in generator_names()}
    for module in MODULES:
        names |= {n for n in module.__all__ if inspect.isfunction(getattr(module, n))}
    return names


def _bad_values(value, param):
    """Values of the wrong kind for a parameter whose valid value is ``value``."""
    if param == "seed":
        return [2**64, -1, "0"]
    if isinstance(value, bool):
        return ["yes", 1]
    if isinstance(value, int):
        return ["bogus", 2.5]
    if isinstance(value, float):
        return ["bogus", math.nan]
    if isinstance(value, torch.Tensor):
        return ["bogus"]
    if isinstance(value, str):
        return [3.5, "__not_an_option__"]
    if isinstance(value, (list, tuple)):
        return ["bogus"]
    if callable(value):
        return ["bogus"]
    return []


def _probes():
    for name, kwargs in sorted(CASES.items()):
        fn = _function(name)
        params = inspect.signature(fn).parameters
        full = {p: kwargs.get(p, params[p].default) for p in params
                if p in kwargs or params[p].default is not inspect.Parameter.empty}
        for param, value in full.items():
            bad = _bad_values(value, param) + OUT_OF_RANGE.get((name, param), [])
            for b in bad:
                yield pytest.param(name, param, b, id=f"{name}.{param}={b!r}")


def test_every_public_function_is_probed():
    names = _public_names()
    missing = sorted(names - set(CASES) - set(EXEMPT))
    assert not missing, f"public functions with no bad-input case: {missing}"
    assert not set(CASES) & set(EXEMPT)
    assert not (set(CASES) | set(EXEMPT)) - names, "cases for names that are gone"


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_is_a_valid_call(name):
    _function(name)(**CASES[name])


def test_every_parameter_of_a_case_is_probed():
    for name, kwargs in CASES.items():
        params = inspect.signature(_function(name)).parameters
        unprobed = [p for p in params if p not in kwargs and (
            params[p].default is inspect.Parameter.empty or params[p].default is None)
            and p != "seed"]
        assert not unprobed or name in {"cut_windows", "grasshopper_windows", "gen:random_hypergraph",
                                        "gen:dcsbm"}, (name, unprobed)


@pytest.mark.parametrize("name, param, bad", list(_probes()))
def test_a_bad_value_is_refused_naming_the_parameter(name, param, bad):
    kwargs = {**CASES[name], param: bad}
    with pytest.raises((TypeError, ValueError), match=rf"'{param}'"):
        _function(name)(**kwargs)
