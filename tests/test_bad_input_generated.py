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
import dataclasses
import functools
import importlib
import inspect
import math
import pkgutil
import signal

import pytest
import torch

import graphneg.evaluation as evaluation
import graphneg.losses as losses
from graphneg.generators import generator_names, get_generator

MODULES = [losses, evaluation]

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

#: Cases that leave a parameter without default (or with default ``None``) unprobed,
#: each with its reason.
UNPROBED = {
    "datasets.spikes.cut_windows": "t_stop=None means the last spike; step=None means window",
    "datasets.spikes.grasshopper_windows": "step=None means window",
    "gen:random_hypergraph": "max_size=None means num_nodes",
    "gen:dcsbm": "theta=None is drawn from the power law",
}

#: Extra out-of-range values per (case, parameter): the kind probes cannot guess them.
OUT_OF_RANGE = {
    ("gen:random_hypergraph", "min_size"): [0],
    ("gen:random_hypergraph", "max_size"): [0, 11],  # min_size=5, max_size=3 names min_size
    ("gen:er", "num_nodes"): [-1],
    ("gen:er", "edge_prob"): [1.5],
    ("hits_at_k", "k"): [0],
    ("ranking_metrics", "hits_k"): [10, (0,)],
    ("datasets.spikes.cut_windows", "window"): [0.0, -1.0],
    ("datasets.spikes.poisson_spike_trains", "rate"): [0.0],
    ("info_nce", "temperature"): [0.0],
    ("debiased_contrastive_loss", "tau_plus"): [1.0],
    ("reconstruction_metrics", "chunk_size"): [0],
    ("datasets.hierarchies.tree_parents", "root"): [5],
}


# ====================================================================================
# Trainers, analysis and dataset loaders: enumerated from the packages themselves.
# ====================================================================================
#: Packages whose public modules (no leading underscore) are enumerated.
PACKAGES = ["graphneg.training", "graphneg.analysis", "graphneg.analysis.studies",
            "graphneg.datasets"]


def _public_modules():
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.name.startswith("_") and not info.ispkg:
                yield importlib.import_module(f"{package}.{info.name}")


@functools.lru_cache(maxsize=None)
def _public_callables():
    """``{"training.text.AudioTextTrainer": obj}`` for every function or class a public
    module of :data:`PACKAGES` defines and lists in its ``__all__``."""
    out = {}
    for module in _public_modules():
        for n in getattr(module, "__all__", ()):
            obj = getattr(module, n)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and \
                    obj.__module__ == module.__name__:
                out[f"{module.__name__.removeprefix('graphneg.')}.{n}"] = obj
    return out


def _exempt_by_rule(name, obj):
    """The reason a public callable needs no probe, or ``None``."""
    short = name.rsplit(".", 1)[1]
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return "an exception type"
    if dataclasses.is_dataclass(obj):
        return "a result record that the library fills in"
    if not [p for p in inspect.signature(obj).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]:
        return "takes no parameter"
    if short.startswith("plot_"):
        return "draws a table that a study produced (covered by the studies' figure tests)"
    if short in STUDY_TABLE_READERS:
        return "reads the tables its own study produced, not user input"
    return None


#: Functions that only read the tables their study wrote (findings, sections, reports).
STUDY_TABLE_READERS = {
    "findings", "build_sections", "downstream_findings", "geo_findings", "text_findings",
    "sweep_sections", "recommendations", "write_findings", "is_baseline", "study_tables",
    "build_report", "write_report", "settings_table", "read_settings", "summarize_runs",
    "degree_table", "effects_table", "markdown_table",
}


def _tiny_graph():
    from graphneg.generators import barabasi_albert
    return barabasi_albert(30, 2, seed=0)


def _tiny_hetero():
    from graphneg.datasets import text_graph
    return text_graph(corpus=[["a", "b", "c", "a", "d", "b", "c", "d"]] * 4, min_count=1,
                      as_hetero=True)


def _tiny_hypergraph():
    from graphneg.generators import planted_hypergraph
    return planted_hypergraph(24, 30, 3, size_distribution=3, mixing_prob=0.2, seed=0)


def _tiny_tree_closure():
    from graphneg.datasets.hierarchies import transitive_closure, tree_parents
    from graphneg.generators import balanced_tree
    tree = balanced_tree(2, 2)
    return transitive_closure(tree_parents(tree.edge_index, tree.num_nodes))


def _tiny_trains():
    from graphneg.datasets.spikes import poisson_spike_trains
    return poisson_spike_trains(6, rate=20.0, duration=1.0, seed=0)


def _tiny_crf():
    from graphneg.datasets.sequences import encode_sentences, hmm_sequences
    sentences, _ = hmm_sequences(8, num_labels=3, vocab_size=10, length=4, seed=0)
    enc, vocab = encode_sentences(sentences)
    return dict(train=enc, val=enc, num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
                num_labels=len(vocab.labels), epochs=1, verbose=False)


def _tiny_text():
    corpus = [["ab", "cd", "ef", "ab", "cd", "gh"], ["cd", "ef", "gh", "ab", "ef"]] * 3
    from graphneg.datasets.text import text_graph
    return text_graph(corpus=corpus, min_count=1)


_WORDS = ["two", "too", "to", "for", "four", "cat", "cap", "cut"]


def _tiny_audio():
    from graphneg.datasets.text import audio_text_graph
    return audio_text_graph(words=_WORDS)


_QUIET = dict(epochs=1, verbose=False, seed=0)

#: name -> a zero-argument function returning valid keyword arguments (built lazily,
#: once: the inputs of trainers and studies cost more than a literal).
LAZY_CASES = {
    # trainers
    "training.loop.Trainer": lambda: dict(_QUIET, monitor="loss", patience=1),
    "training.link_prediction.LinkPredictionTrainer": lambda: dict(
        _QUIET, data=_tiny_graph(), hidden_channels=8, out_channels=8, eval_num_neg=2,
        diagnostics_max_pairs=100, patience=1, embedding_std=0.1, batch_size=16),
    "training.hypergraph.HyperedgeContrastiveTrainer": lambda: dict(
        _QUIET, data=_tiny_hypergraph(), hidden_channels=8, out_channels=8, patience=1,
        eval_num_neg=2),
    "training.crf.CRFTrainer": lambda: dict(_tiny_crf(), num_samples=4, seed=0),
    "training.hetero.HeteroLinkPredictionTrainer": lambda: dict(
        _QUIET, data=_tiny_hetero(), edge_type=("word", "co_occurs_with", "context"),
        rev_edge_type=("context", "rev_co_occurs_with", "word"), hidden_channels=8,
        out_channels=8, val_ratio=0.2, test_ratio=0.2, eval_num_neg=2, epochs=1, seed=0),
    "training.hyperbolic.PoincareTrainer": lambda: dict(
        _QUIET, edge_index=_tiny_tree_closure(), num_nodes=7, num_neg=2),
    "training.spikes.SpikeContrastiveTrainer": lambda: dict(
        _QUIET, trains=_tiny_trains(), tau=0.005, num_points=20, false_negative_margin=1.0),
    "training.text.SkipGramTrainer": lambda: dict(
        _QUIET, data=_tiny_text(), sampler="uniform", num_neg=2, dim=4, pairs_per_epoch=20,
        batch_size=8, num_random_pairs=10, patience=1, synonyms=[("ab", "cd"), ("ef", "gh")]),
    "training.text.AudioTextTrainer": lambda: dict(
        _QUIET, data=_tiny_audio(), num_neg=2, eval_num_neg=2, dim=4, hidden=4, patience=1),
    "training.hypergraph.member_dropout": lambda: dict(
        hyperedge_index=_T([[0, 1, 2, 1, 2], [0, 0, 0, 1, 1]]), drop_prob=0.3,
        generator=torch.Generator().manual_seed(0)),
    "training.hypergraph.negative_softmax_weight": lambda: dict(_ANCHORS, temperature=0.5),
    "training.spikes.spike_contrastive_loss": lambda: dict(
        z_anchor=torch.ones(2, 3), z_pos=torch.ones(2, 3), z_neg=torch.ones(2, 4, 3)),
    "training.spikes.retrieval_metrics": lambda: dict(
        z_query=torch.eye(3), z_key=torch.eye(3), candidates=_T([[1, 2], [0, 2], [0, 1]])),
    # dataset loaders
    "datasets.geo.us_airport_routes": lambda: dict(drop_isolated=True),
    "datasets.graphs.load_graph": lambda: dict(name="karate"),
    "datasets.hierarchies.load_icd10cm_hierarchy": lambda: dict(closure=False),
    "datasets.hierarchies.tree_parents": lambda: dict(edge_index=_T([[0, 1], [1, 0]]),
                                                      num_nodes=2, root=0),
    "datasets.hierarchies.node_depths": lambda: dict(parent=_T([-1, 0])),
    "datasets.hierarchies.transitive_closure": lambda: dict(parent=_T([-1, 0])),
    "datasets.hypergraphs.les_miserables": lambda: dict(by="encounter", min_size=2,
                                                        deduplicate=False),
    "datasets.sequences.load_turkish_upos_sample": lambda: dict(max_length=10),
    "datasets.sequences.hmm_sequences": lambda: dict(num_sequences=3, num_labels=2,
                                                     vocab_size=5, length=3,
                                                     concentration=0.3, seed=0),
    "datasets.sequences.encode_sentences": lambda: dict(sentences=[[("a", "X"), ("b", "Y")]]),
    "datasets.spikes.cut_windows": lambda: dict(times=_T([0.1, 0.3]), window=0.2, t_start=0.0),
    "datasets.spikes.grasshopper_windows": lambda: dict(recording=1, window=0.1),
    "datasets.spikes.load_grasshopper_spike_times": lambda: dict(recording=1),
    "datasets.spikes.poisson_spike_trains": lambda: dict(num_trains=2, rate=1.0, duration=1.0,
                                                         seed=0),
    "datasets.spikes.inhomogeneous_poisson_spike_trains": lambda: dict(
        num_trains=2, rate_fn=lambda t: 0 * t + 1, rate_max=1.0, duration=1.0, seed=0),
    "datasets.text.english_vocabulary": lambda: dict(num_words=20, min_length=2),
    "datasets.text.pronounce": lambda: dict(words=["cat", "qqq"], missing="skip"),
    "datasets.text.load_synonym_pairs": lambda: dict(vocabulary=["cat", "kitten"]),
    "datasets.text.text_graph": lambda: dict(window=2, min_count=1, max_words=5,
                                             corpus=[["ab", "cd", "ab"]], embeddings=False),
    "datasets.text.audio_text_graph": lambda: dict(num_words=20, min_length=2),
}


#: Cases checked by their parameter validation only: a valid call would run a study
#: (their tiny runs are in tests/analysis/studies). A bad value must be refused
#: within :data:`PROBE_SECONDS`, before any training.
VALIDATION_ONLY = set()


def _uniform_sampler():
    from graphneg.samplers import UniformNegativeSampler
    return UniformNegativeSampler(seed=0)


def _tiny_geo():
    from torch_geometric.data import Data
    return Data(edge_index=_T([[0, 1, 2, 3], [1, 0, 3, 2]]), num_nodes=4,
                lat=_T([0.0, 0.0, 10.0, 10.0]), lon=_T([0.0, 1.0, 0.0, 1.0]),
                region=_T([0, 0, 1, 1]))


_Z3 = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
_Q3 = torch.tensor([[0.0, 0.5, 0.5]])
_EI2 = torch.tensor([[0, 1], [1, 0]])

#: analysis functions (tiny inputs; the docstring examples' calls)
LAZY_CASES.update({
    "analysis.alignment.alignment": lambda: dict(z=torch.eye(2), pos_edge_index=_T([[0], [1]]),
                                                 alpha=2.0, normalize=True),
    "analysis.alignment.uniformity": lambda: dict(z=torch.eye(3), t=2.0, normalize=True,
                                                  num_pairs=2, seed=0),
    "analysis.alignment.entropic_ot_cost": lambda: dict(x=_T([[0.0], [1.0]]), y=_T([[1.0], [0.0]]),
                                                        epsilon=0.1, num_iters=10),
    "analysis.alignment.AlignmentUniformityRecorder": lambda: dict(
        embed=lambda tr: tr.z, pos_edge_index=_T([[0], [1]]), t=2.0, alpha=2.0, num_pairs=2,
        seed=0),
    "analysis.ann.recall_at_k": lambda: dict(approx_ids=_T([[1, 2]]), exact_ids=_T([[2, 3]])),
    "analysis.ann.conditional_matrix": lambda: dict(sampler=_uniform_sampler(), edge_index=_EI2,
                                                    num_nodes=4, anchors=_T([0])),
    "analysis.ann.fit_mixture": lambda: dict(q=0.7 * _T([[1.0, 0.0, 0.0]]) + 0.1,
                                             q_target=_T([[1.0, 0.0, 0.0]]),
                                             q_uniform=torch.full((1, 3), 1 / 3), method="mle"),
    "analysis.ann.implied_mixture_bias": lambda: dict(z=_Z3, epsilon=0.5, q_target=_Q3,
                                                      q_uniform=_Q3, anchors=_T([0])),
    "analysis.ann.ann_bias_per_anchor": lambda: dict(z=_Z3, edge_index=_EI2, num_nodes=3,
                                                     sampler=_uniform_sampler(),
                                                     anchors=_T([0])),
    "analysis.baselines.protocol_metrics": lambda: dict(
        score=lambda p: (p[1] < 3).double(), pos_edge_index=_T([[0, 1], [1, 2]]),
        negatives={"uniform": _T([[0, 1], [3, 3]])}, hits_k=(1,)),
    "analysis.baselines.heuristic_baselines": lambda: dict(
        train_edge_index=_T([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]]), num_nodes=4,
        pos_edge_index=_T([[0], [2]]), negatives={"uniform": _T([[0], [3]])},
        methods=("cn",), hits_k=(1,), seed=0),
    "analysis.clinical.simulate_site_embeddings": lambda: dict(
        num_per_site=[3, 2], disease_prob=[0.5, 1.0], dim=4, signal_scale=1.0, site_scale=1.0,
        noise_scale=0.5, seed=0),
    "analysis.clinical.false_negative_rates": lambda: dict(
        site=_T([0, 0, 0, 1, 1]), label=_T([1, 1, 0, 1, 0]), same_site_prob=0.5,
        anchors=_T([0]), batch=8),
    "analysis.clinical.false_negative_curve": lambda: dict(
        site=_T([0, 0, 1, 1]), label=_T([1, 1, 0, 0]), pis=[0.0, 1.0], num_neg=1),
    "analysis.clinical.domain_basis": lambda: dict(z=_T([[1.0, 0.0], [3.0, 0.0], [0.0, 5.0]]),
                                                   site=_T([0, 1, -1])),
    "analysis.clinical.domain_decomposition": lambda: dict(vectors=_T([[3.0, 4.0]]),
                                                           basis=_T([[1.0], [0.0]])),
    "analysis.clinical.domain_gradient_curve": lambda: dict(
        z=torch.randn(8, 2, generator=torch.Generator().manual_seed(0)),
        site=_T([0, 0, 0, 0, 1, 1, 1, 1]), pis=[0.0, 1.0], label=_T([1, 0, 1, 0, 1, 0, 1, 0]),
        anchors=_T([0, 4])),
    "analysis.clinical.same_label_pairs": lambda: dict(
        site=_T([0, 0, 1]), label=_T([1, 1, 1]), members=torch.arange(3), num_pos=1,
        gen=torch.Generator().manual_seed(0)),
    "analysis.clinical.similar_finding_pairs": lambda: dict(
        x=_T([[1, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]]), members=torch.arange(4), num_pos=1),
    "analysis.geo.spatial_bias_per_anchor": lambda: dict(data=_tiny_geo(), z=torch.eye(4)[:, :2],
                                                         tau_km=100.0, chunk_size=8),
    "analysis.geo.spatial_bias_curve": lambda: dict(data=_tiny_geo(), z=torch.eye(4)[:, :2],
                                                    taus_km=[100.0], chunk_size=8),
    "analysis.geo.same_region_similarity": lambda: dict(z=_Z3, region=_T([0, 0, 1])),
    "analysis.geo.distance_matrix_km": lambda: dict(lat=_T([0.0, 0.0]), lon=_T([0.0, 1.0])),
    "analysis.geo.nearby_eval_negatives": lambda: dict(
        full_edge_index=_EI2, pos_edge_index=_EI2[:, :1], lat=torch.zeros(5),
        lon=_T([0.0, 10.0, 10.5, 11.0, 50.0]), radius_km=200.0, num_neg=2, seed=0),
    "analysis.geo.morans_i": lambda: dict(values=_T([1.0, 2.0, 3.0, 4.0]),
                                          weights=_T([[0., 1, 0, 0], [1, 0, 1, 0],
                                                      [0, 1, 0, 1], [0, 0, 1, 0]])),
    "analysis.geo.embedding_morans_i": lambda: dict(z=_T([[1.0], [1.0], [-1.0], [-1.0]]),
                                                    lat=torch.zeros(4),
                                                    lon=_T([0.0, 1.0, 20.0, 21.0]),
                                                    radius_km=200.0),
    "analysis.geo.distance_decay": lambda: dict(data=_tiny_geo(), bins_km=[0, 500, 5000]),
    "analysis.geo.geo_baselines": lambda: dict(train_edge_index=_EI2, lat=torch.zeros(3),
                                               lon=_T([0.0, 1.0, 2.0]), num_nodes=3),
    "analysis.gradient_bias.negative_gradient": lambda: dict(z=_Z3[:2], pairs=_T([[0], [1]])),
    "analysis.gradient_bias.expected_negative_gradient": lambda: dict(
        z=_Z3, q=_Q3, anchors=_T([0]), chunk_size=8, anchor_batch=8),
    "analysis.gradient_bias.gradient_bias": lambda: dict(
        z=_Z3, q=_Q3, q_ref=_Q3, anchors=_T([0]), chunk_size=8, anchor_batch=8),
    "analysis.gradient_bias.monte_carlo_expected_negative_gradient": lambda: dict(
        z=_Z3, neg_edge_index=_T([[0, 0], [1, 2]]), anchors=_T([0])),
    "analysis.gradient_bias.confounding_index": lambda: dict(
        z=torch.ones(3, 1), q=_T([[0.0, 1.0, 0.0]]), q_ref=_Q3, anchors=_T([0]),
        region=_T([0, 0, 1]), chunk_size=8, anchor_batch=8),
    "analysis.gradient_bias.monte_carlo_confounding_index": lambda: dict(
        z=torch.ones(3, 1), neg_edge_index=_T([[0], [1]]), ref_neg_edge_index=_T([[0], [2]]),
        region=_T([0, 0, 1])),
    "analysis.gradient_bias.sampler_log_q": lambda: dict(sampler=_uniform_sampler(),
                                                         edge_index=_EI2, num_nodes=3),
    "analysis.gradient_bias.uniform_log_q": lambda: dict(edge_index=_EI2, num_nodes=3,
                                                         directed=False),
    "analysis.hyperbolic.utility_ratio_controlled": lambda: dict(
        radii=[0.0, 0.9], hard_offset=0.05, easy_offset=0.5, pos_offset=0.02,
        manifold="poincare"),
    "analysis.hyperbolic.utility_ratio_matched": lambda: dict(
        radii=[0.0, 0.5], hard_distance=0.5, easy_distance=2.0, pos_distance=0.2,
        manifold="poincare"),
    "analysis.hyperbolic.utility_ratio_trained": lambda: dict(
        z=_T([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [-0.5, 0.0]]), edge_index=_EI2,
        manifold="poincare", seed=0),
    "analysis.hypergraph.clique_expansion_density": lambda: dict(
        sets_index=_T([[0, 1, 3], [0, 0, 0]]), hyperedge_index=_T([[0, 1, 2, 2, 3],
                                                                    [0, 0, 0, 1, 1]]),
        num_nodes=4),
    "analysis.report.is_complete": lambda: dict(out_dir="."),
    "analysis.statistics.mean_interval": lambda: dict(values=[1.0, 2.0, 3.0], level=0.95),
    "analysis.statistics.paired_difference": lambda: dict(values=[1.0, 2.0, 3.5],
                                                          reference=[1.0, 1.5, 3.0], level=0.95),
    "analysis.statistics.format_interval": lambda: dict(mean=0.5, low=0.4, high=0.6, digits=2),
    "analysis.text.expected_false_negatives": lambda: dict(
        sampler=_phonetic(), data=_tiny_audio(), num_neg=4, chunk=8),
    "analysis.text.simulate_false_negatives": lambda: dict(
        sampler=_phonetic(), data=_tiny_audio(), num_neg=2, num_rounds=2),
    "analysis.text.most_exposed_words": lambda: dict(table=_exposure_table(), top=1),
    "analysis.studies.text.letter_to_sound": lambda: dict(phonemes=["K", "AE1", "T"]),
    "analysis.studies.topology.parse_graph_spec": lambda: dict(spec="star:num_nodes=5"),
    "analysis.studies.topology.build_graphs": lambda: dict(graphs=["star:num_nodes=5"],
                                                           graph_seed=0),
    "analysis.studies.topology.usable_samplers": lambda: dict(names=["uniform"]),
    "analysis.studies.hypergraph.load_hypergraph": lambda: dict(name="lesmis", seed=0),
    "analysis.studies.spikes.load_windows": lambda: dict(window=0.1, recordings=(1,)),
})


def _phonetic():
    from graphneg.samplers import PhoneticNegativeSampler
    return PhoneticNegativeSampler(homophones="keep")


def _exposure_table():
    import pandas as pd
    return pd.DataFrame({"word": ["a", "b"], "expected_fn": [0.1, 2.0], "num_homophones": [1, 2]})


#: study entry points: probed by their parameter validation only (tiny settings)
LAZY_CASES.update({
    "analysis.studies.adversarial.run": lambda: dict(
        num_nodes=20, epochs=1, seed=0, progress=False, seeds=(0,), downstream_epochs=1,
        penalties=(0.0,), downstream_graph="star:num_nodes=10", gen_lr=0.05),
    "analysis.studies.adversarial.collapse_experiment": lambda: dict(
        edge_index=_EI2, num_nodes=3, epochs=1, num_neg=1, dim=2, disc_lr=0.05, gen_lr=0.05,
        seed=0, progress=False),
    "analysis.studies.adversarial.downstream_comparison": lambda: dict(
        data=_tiny_graph(), methods={"uniform": "uniform"}, seeds=(0,), epochs=1, num_neg=1,
        eval_num_neg=2, graph="g", progress=False),
    "analysis.studies.alignment.run": lambda: dict(samplers=("uniform",), epochs=1, seeds=(0,),
                                                   progress=False, seed=0, ot_anchors=4),
    "analysis.studies.ann.run": lambda: dict(num_nodes=20, epochs=1, k=2, anchor_step=5, seed=0,
                                             ef_search=(4,), payoff_sizes=(20,),
                                             payoff_queries=5, progress=False),
    "analysis.studies.clinical.run": lambda: dict(pis=(0.0,), seeds=(0,), epochs=1, num_neg=1,
                                                  mc_draws=2, progress=False),
    "analysis.studies.clinical.cross_site_generalisation": lambda: dict(
        data=_opaque_data(), pis=[0.0], seeds=(0,), epochs=1, num_neg=1, num_pos=1, hidden=2,
        dim=2, lr=0.01, scale=2.0, positives="findings", include_uniform=True, baseline=True),
    "analysis.studies.clinical.monte_carlo_domain_check": lambda: dict(
        z=torch.zeros(4, 2), site=_T([0, 0, 1, 1]), label=_T([1, 0, 1, 0]), pis=[0.0],
        num_draws=2),
    "analysis.studies.crf.run": lambda: dict(epochs=1, max_length=5, num_samples=2, seeds=(0,),
                                             progress=False, seed=0),
    "analysis.studies.geo.run": lambda: dict(seeds=(0,), epochs=1, num_neg=1, taus=(100.0,),
                                             train_taus=(100.0,), mc_draws=2, radius_km=300.0,
                                             eval_num_neg=2, decay_bins_km=(0, 100, 200),
                                             progress=False),
    "analysis.studies.geo.compare_route_samplers": lambda: dict(
        data=_tiny_geo(), samplers={"uniform": "uniform"}, seeds=(0,), epochs=1, num_neg=1,
        region_key="region", radius_km=300.0, eval_num_neg=2),
    "analysis.studies.geo.monte_carlo_bias_check": lambda: dict(
        data=_tiny_geo(), z=torch.zeros(4, 2), tau_km=100.0, exact_bias=torch.zeros(4, 2),
        num_draws=2),
    "analysis.studies.hyperbolic.run": lambda: dict(epochs=1, dim=2, seeds=(0,), num_radii=2,
                                                    graphs=("balanced tree r=3 h=5",),
                                                    progress=False, seed=0),
    "analysis.studies.hypergraph.run": lambda: dict(graphs=("planted",), seeds=(0,), num_neg=1,
                                                    epochs=1, progress=False),
    "analysis.studies.hypergraph.run_sweep": lambda: dict(
        graph="planted", alphas=(0.0,), betas=(0.0,), candidates="sized", num_candidates=4,
        seeds=(0,), num_neg=1, epochs=1, progress=False),
    "analysis.studies.hypergraph.compare_hyperedge_samplers": lambda: dict(
        data=_tiny_hypergraph(), seeds=(0,), num_neg=1, epochs=1, train=True, baselines=True),
    "analysis.studies.hypergraph.alpha_beta_sweep": lambda: dict(
        data=_tiny_hypergraph(), alphas=(0.0,), betas=(0.0,), candidates="hyperedges",
        num_candidates=4, seeds=(0,), num_neg=1, epochs=1),
    "analysis.studies.spikes.run": lambda: dict(
        epochs=1, tau=0.005, window=0.1, split_ratio=0.5, seeds=(0,), num_points=10,
        recordings=(1,), num_neg=1, num_hard=1, eval_num_hard=1, progress=False),
    "analysis.studies.text.run": lambda: dict(
        seeds=(0,), epochs=1, audio_epochs=1, num_words=20, lams=(0.0,), alphas=(0.0,),
        max_words=20, pairs_per_epoch=10, sweep_pairs=10, fn_rounds=2, phonetic_alpha=2.0,
        progress=False),
    "analysis.studies.text.compare_skipgram_samplers": lambda: dict(
        data=_tiny_text(), samplers={"uniform": ("uniform", {})}, seeds=(0,), epochs=1,
        baselines=True),
    "analysis.studies.text.compare_homophone_policies": lambda: dict(
        data=_tiny_audio(), policies=("keep",), seeds=(0,), epochs=1, include_uniform=True,
        baselines=True),
    "analysis.studies.text.orthographic_hard_pairs": lambda: dict(
        words=["ab", "ac", "bd"], pairs=_T([[0], [1]]), synonyms=_T([[0], [2]])),
    "analysis.studies.topology.compare_topologies": lambda: dict(
        graphs=("star:num_nodes=10",), samplers=("uniform",), seeds=(0,), epochs=1, patience=1,
        encoder="gcn", num_neg=1, graph_seed=0, jobs=1, progress=False, num_threads=1,
        eval_num_neg=2, baselines=("cn",), resume=False, backend="process"),
    "analysis.studies.topology.run": lambda: dict(graphs=("star:num_nodes=10",),
                                                  samplers=("uniform",), seeds=(0,),
                                                  graph_seed=0),
})
VALIDATION_ONLY.update(n for n in LAZY_CASES if n.startswith("analysis.studies.") and n not in {
    "analysis.studies.text.letter_to_sound", "analysis.studies.topology.parse_graph_spec",
    "analysis.studies.topology.build_graphs", "analysis.studies.topology.usable_samplers",
    "analysis.studies.hypergraph.load_hypergraph", "analysis.studies.spikes.load_windows",
    "analysis.studies.text.orthographic_hard_pairs",
    "analysis.studies.clinical.monte_carlo_domain_check",
    "analysis.studies.geo.monte_carlo_bias_check"})
VALIDATION_ONLY.add("analysis.text.hybrid_sweep")  # needs a text graph with embeddings


def _opaque_data():
    from graphneg.datasets.clinical import uci_heart_disease
    return uci_heart_disease()


def _ann_sampler():
    from graphneg.samplers import ANNNegativeSampler
    return ANNNegativeSampler(k=2, index="flat")


def _edge_file():
    import tempfile
    path = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
    path.write("0 1\n1 2\n")
    path.close()
    return path.name


def _hyperedge_negatives():
    from graphneg.samplers.hyperedge import HyperedgeNegativeSampler
    h = _T([[0, 1, 1, 2, 3, 4], [0, 0, 1, 1, 2, 2]])
    return HyperedgeNegativeSampler(1, seed=0).sample(h, 5, anchors=_T([0]))


def _crf():
    from graphneg.models.crf import LinearChainCRF
    return LinearChainCRF(3)


_Z30 = torch.randn(30, 4, generator=torch.Generator().manual_seed(0))

LAZY_CASES.update({
    "analysis.ann.ann_bias_per_anchor": lambda: dict(z=_Z30, edge_index=_EI2, num_nodes=30,
                                                     sampler=_ann_sampler(), anchors=_T([0])),
    "analysis.ann.ann_sweep": lambda: dict(z=_Z30, edge_index=_EI2, num_nodes=30, index="ivf",
                                           values=[1], k=3, anchors=_T([0, 1]),
                                           weighting="uniform", temperature=1.0,
                                           num_threads=1, nlist=2),
    "analysis.ann.index_payoff": lambda: dict(num_nodes=60, dim=4, intrinsic_dim=2, k=2,
                                              num_queries=5, kinds=("ivf",), seed=0,
                                              num_threads=1, nlist=2),
    "analysis.hypergraph.negative_profile": lambda: dict(
        hyperedge_index=_T([[0, 1, 1, 2, 3, 4], [0, 0, 1, 1, 2, 2]]), num_nodes=5,
        negatives=_hyperedge_negatives()),
    "analysis.structured.ce_nll_gap": lambda: dict(crf=_crf(), emissions=torch.zeros(1, 1, 3),
                                                   tags=_T([[0]]),
                                                   mask=torch.ones(1, 1, dtype=torch.bool)),
    "analysis.text.hybrid_sweep": lambda: dict(
        data=_tiny_text(), word_emb=torch.randn(4, 3), context_emb=torch.randn(4, 3),
        lams=(0.5,), alphas=(1.0,), num_neg=2, num_pairs=4, top_m=2, seed=0),
    "datasets.clinical.uci_heart_disease": lambda: dict(as_hetero=False),
    "datasets.graphs.read_edge_list": lambda: dict(path=_edge_file(), num_nodes=3, delimiter=" ",
                                                   header=False, directed=False, relabel=False),
    "datasets.graphs.load_user_graph": lambda: dict(source=_edge_file(), delimiter=" ",
                                                    header=False, relabel=False),
    "datasets.text.embed_words": lambda: dict(words=["cat", "dog"], batch_size=2),
    "datasets.text.word_graph": lambda: dict(num_words=20, embeddings=True, phonemes=False, knn=2,
                                             min_length=2),
})
EXEMPT.update({
    "analysis.report.write_study": "the study writer: its report comes from a study; file-system "
                                   "faults are tested in tests/test_bad_input_files.py",
    "analysis.studies.clinical.patient_graph": "a step of the clinical study on its own split",
})
STUDY_TABLE_READERS.update({"sweep_effects", "sweep_means"})
UNPROBED.update({
    "analysis.ann.ann_bias_per_anchor": "reference=None means the exact softmax sampler",
})
#: Parameters taking any text (a path, a title): the option probe does not apply.
FREE_TEXT = {("datasets.graphs.read_edge_list", "path"), ("datasets.graphs.load_user_graph", "source"),
             ("analysis.report.is_complete", "out_dir"), ("datasets.graphs.read_edge_list", "delimiter"),
             ("datasets.graphs.load_user_graph", "delimiter"),
             ("analysis.studies.adversarial.downstream_comparison", "graph")}
OUT_OF_RANGE.update({("datasets.text.word_graph", "knn"): [0]})
#: Float parameters for which NaN is a legal value (an interval of NaN is printed as such).
NAN_OK = {("analysis.statistics.format_interval", p) for p in ("mean", "low", "high")}


def _crf_gradient_case():
    from graphneg.models.crf import LinearChainCRF
    crf = LinearChainCRF(3)
    em = torch.randn(2, 4, 3, generator=torch.Generator().manual_seed(0)).requires_grad_()
    nll = crf.nll(em, torch.zeros(2, 4, dtype=torch.long), torch.ones(2, 4, dtype=torch.bool))
    return dict(loss=nll, nll=nll, emissions=em)


LAZY_CASES.update({
    "analysis.studies.text.homophone_rich_words": lambda: dict(num_words=20, pool_words=100),
    "training.crf.gradient_cosine": _crf_gradient_case,
    "datasets.hypergraphs.film_casts": lambda: dict(min_films=5, first_year=2012),
})
VALIDATION_ONLY.add("datasets.hypergraphs.film_casts")  # reads a 30 s database; its own tests load it


#: Probes the library still fails (its error does not name the parameter, or it accepts
#: the value): gaps to close, each expected to fail (strict: a fixed one must leave).
KNOWN_GAPS = set()

#: Seconds a probe may take before it counts as "accepted the value and went to work".
PROBE_SECONDS = 10


def _function(name):
    if name.startswith("gen:"):
        return get_generator(name[4:])
    if "." in name:
        return _public_callables()[name]
    for module in MODULES:
        if name in module.__all__:
            return getattr(module, name)
    raise LookupError(name)


@functools.lru_cache(maxsize=None)
def _case(name):
    """The valid keyword arguments of ``name`` (lazy cases built once)."""
    return LAZY_CASES[name]() if name in LAZY_CASES else CASES[name]


def _all_cases():
    return sorted(set(CASES) | set(LAZY_CASES))


def _public_names():
    names = {f"gen:{n}" for n in generator_names()}
    for module in MODULES:
        names |= {n for n in module.__all__ if inspect.isfunction(getattr(module, n))}
    names |= set(_public_callables())
    return names


def _exempt(name):
    if name in EXEMPT:
        return EXEMPT[name]
    obj = _public_callables().get(name)
    return None if obj is None else _exempt_by_rule(name, obj)


class _Opaque:
    """A stand-in for an object of the wrong kind (``Data``, ``SpikeTrains``, a sampler)."""

    def __repr__(self):
        return "<opaque>"


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
    if isinstance(value, dict):
        return [3.5]
    if isinstance(value, torch.Generator):
        return [0.5]
    if callable(value):
        return ["bogus"]
    if value is not None:  # a graph, a recording, a model: any other object kind
        return [_Opaque()]
    return []


def _bad_list(name, param):
    p = inspect.signature(_function(name)).parameters[param]
    kwargs = _case(name)
    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or (
            param not in kwargs and p.default is inspect.Parameter.empty):
        return []
    bad = _bad_values(kwargs.get(param, p.default), param)
    if (name, param) in FREE_TEXT:
        bad = [b for b in bad if not isinstance(b, str)]
    if (name, param) in NAN_OK:
        bad = [b for b in bad if not (isinstance(b, float) and math.isnan(b))]
    return bad + OUT_OF_RANGE.get((name, param), [])


def _probes():
    for name in _all_cases():
        for param in inspect.signature(_function(name)).parameters:
            for i, bad in enumerate(_bad_list(name, param)):
                probe = f"{name}.{param}={bad!r}"
                marks = [pytest.mark.xfail(strict=True, reason="a known gap in the library")] \
                    if probe in KNOWN_GAPS else []
                yield pytest.param(name, param, i, id=probe, marks=marks)


def test_known_gaps_name_existing_probes():
    ids = {p.id for p in _probes()}
    assert not KNOWN_GAPS - ids, f"known gaps of probes that are gone: {sorted(KNOWN_GAPS - ids)}"


def _within(seconds, fn, **kwargs):
    """``fn(**kwargs)``, failing instead of running on (SIGALRM between torch ops)."""
    if not hasattr(signal, "setitimer"):
        return fn(**kwargs)

    def stop(signum, frame):
        raise TimeoutError(f"no error within {seconds} s: the value went on to real work")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(**kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_every_public_function_is_probed():
    names = _public_names()
    cases = set(_all_cases())
    missing = sorted(n for n in names - cases if _exempt(n) is None)
    assert not missing, f"public callables with no bad-input case and no exemption: {missing}"
    assert not cases & set(EXEMPT)
    assert not cases - names, f"cases for names that are gone: {sorted(cases - names)}"
    assert not set(EXEMPT) - names, f"exemptions of names that are gone: {sorted(set(EXEMPT) - names)}"
    doubly = {n for n in cases if n in _public_callables()
              and _exempt_by_rule(n, _public_callables()[n])}
    assert not doubly, f"probed names that a rule also exempts: {sorted(doubly)}"


def test_the_meta_test_notices_a_new_public_callable(monkeypatch):
    """A function added to a public module without a case makes the meta-test fail."""
    import graphneg.analysis.statistics as statistics

    def brand_new(count: int = 3):
        return count

    brand_new.__module__ = statistics.__name__
    monkeypatch.setattr(statistics, "brand_new", brand_new, raising=False)
    monkeypatch.setattr(statistics, "__all__", [*statistics.__all__, "brand_new"])
    _public_callables.cache_clear()
    try:
        with pytest.raises(AssertionError, match="analysis.statistics.brand_new"):
            test_every_public_function_is_probed()
    finally:
        monkeypatch.undo()
        _public_callables.cache_clear()


@pytest.mark.parametrize("name", [n for n in _all_cases() if n not in VALIDATION_ONLY])
def test_each_case_is_a_valid_call(name):
    _function(name)(**_case(name))


def test_every_parameter_of_a_case_is_probed():
    for name in _all_cases():
        kwargs = _case(name)
        params = inspect.signature(_function(name)).parameters
        optional = name in CASES  # the first cases also probe their None defaults
        unprobed = [p for p, v in params.items() if p not in kwargs and (
            v.default is inspect.Parameter.empty or (optional and v.default is None))
            and p != "seed" and v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]
        assert not unprobed or name in UNPROBED, (name, unprobed)


@pytest.mark.parametrize("name, param, i", list(_probes()))
def test_a_bad_value_is_refused_naming_the_parameter(name, param, i):
    bad = _bad_list(name, param)[i]
    kwargs = {**_case(name), param: bad}
    with pytest.raises((TypeError, ValueError), match=rf"'{param}(\.\w+)?'") as info:
        _within(PROBE_SECONDS, _function(name), **kwargs)
    assert "Traceback" not in str(info.value)
