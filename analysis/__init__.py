"""What a negative sampler does to learning: metrics, topology comparison, reports.

Definitions follow ``docs/design.md``: sampling efficiency η, hard-negative rate h_k,
gradient bias and confounding index, expected false negatives, ANN recall and the
mixture ε, mode collapse, alignment / uniformity. ``graphneg.analysis`` may import
everything; core code never imports it.

Domain analyses live in their modules (``graphneg.analysis.geo``, ``.clinical``);
the names below are the shared ones.

>>> from graphneg.analysis import hard_negative_rate, sampling_efficiency
"""
from .metrics import common_neighbor_counts, hard_negative_rate, sampling_efficiency
from .gradient_bias import (
    Confounding, GradientBias, confounding_index, expected_negative_gradient, gradient_bias,
    monte_carlo_confounding_index, monte_carlo_expected_negative_gradient, negative_gradient,
    sampler_log_q, uniform_log_q,
)
from .studies.topology import (
    DEFAULT_GRAPHS, build_graphs, compare_topologies, degree_table, parse_graph_spec,
    summarize_runs, usable_samplers, write_report,
)
from .plots import plot_by_topology, plot_degree_distributions, plot_learning_curves
from .adversarial import DEFAULT_COLLAPSE_SETTINGS, collapse_experiment, plot_collapse
from .ann import (
    ann_bias_per_anchor, ann_sweep, conditional_matrix, fit_mixture, plot_bias_vs_recall,
    plot_refresh_time, recall_at_k,
)
from .hypergraph import (
    DEFAULT_HYPEREDGE_SAMPLERS, alpha_beta_sweep, clique_expansion_density,
    compare_hyperedge_samplers, negative_profile, plot_hardness, plot_overlap_distributions,
    plot_size_distributions, plot_sweep_heatmap,
)
from .text import (
    compare_homophone_policies, compare_skipgram_samplers, expected_false_negatives,
    hybrid_sweep, most_exposed_words, simulate_false_negatives,
)
from .alignment import AlignmentUniformityRecorder, alignment, plot_alignment_uniformity, uniformity
from .spikes import plot_retrieval_accuracy, plot_temporal_emphasis, temporal_emphasis_ratio
from .structured import ce_nll_gap, plot_ce_nll_gap
from .hyperbolic import plot_utility_ratio, utility_ratio_controlled, utility_ratio_trained

__all__ = [
    # core metrics
    "common_neighbor_counts", "hard_negative_rate", "sampling_efficiency",
    # gradient bias / confounding (geo, clinical, ANN)
    "Confounding", "GradientBias", "confounding_index", "expected_negative_gradient",
    "gradient_bias", "monte_carlo_confounding_index", "monte_carlo_expected_negative_gradient",
    "negative_gradient", "sampler_log_q", "uniform_log_q",
    # topology comparison and reports
    "DEFAULT_GRAPHS", "build_graphs", "compare_topologies", "degree_table", "parse_graph_spec",
    "summarize_runs", "usable_samplers", "plot_by_topology", "plot_degree_distributions",
    "plot_learning_curves", "write_report",
    # adaptive samplers
    "DEFAULT_COLLAPSE_SETTINGS", "collapse_experiment", "plot_collapse",
    "ann_bias_per_anchor", "ann_sweep", "conditional_matrix", "fit_mixture",
    "plot_bias_vs_recall", "plot_refresh_time", "recall_at_k",
    # hypergraphs
    "DEFAULT_HYPEREDGE_SAMPLERS", "alpha_beta_sweep", "clique_expansion_density",
    "compare_hyperedge_samplers", "negative_profile", "plot_hardness",
    "plot_overlap_distributions", "plot_size_distributions", "plot_sweep_heatmap",
    # text / audio-text
    "compare_homophone_policies", "compare_skipgram_samplers", "expected_false_negatives",
    "hybrid_sweep", "most_exposed_words", "simulate_false_negatives",
    # beyond flat graphs
    "AlignmentUniformityRecorder", "alignment", "plot_alignment_uniformity", "uniformity",
    "plot_retrieval_accuracy", "plot_temporal_emphasis", "temporal_emphasis_ratio", "ce_nll_gap", "plot_ce_nll_gap",
    "plot_utility_ratio", "utility_ratio_controlled", "utility_ratio_trained",
]
