"""What a negative sampler does to learning: metrics, topology comparison, reports.

>>> from graphneg.analysis import hard_negative_rate, sampling_efficiency
"""
from .metrics import common_neighbor_counts, hard_negative_rate, sampling_efficiency

__all__ = [
    "common_neighbor_counts", "hard_negative_rate", "sampling_efficiency",
]
from .gradient_bias import (  # noqa: E402  (geo / clinical / ANN gradient bias, DESIGN.md §5)
    Confounding, GradientBias, confounding_index, expected_negative_gradient, gradient_bias,
    monte_carlo_confounding_index, monte_carlo_expected_negative_gradient, negative_gradient,
    sampler_log_q, uniform_log_q,
)

__all__ += [
    "Confounding", "GradientBias", "confounding_index", "expected_negative_gradient",
    "gradient_bias", "monte_carlo_confounding_index", "monte_carlo_expected_negative_gradient",
    "negative_gradient", "sampler_log_q", "uniform_log_q",
]
from .adversarial import (  # noqa: E402  (issue 8: mode collapse)
    DEFAULT_COLLAPSE_SETTINGS, collapse_experiment, plot_collapse,
)
from .ann import (  # noqa: E402  (issue 8: ANN recall / mixture / gradient bias)
    ann_bias_per_anchor, ann_sweep, conditional_matrix, fit_mixture, plot_bias_vs_recall,
    plot_refresh_time, recall_at_k,
)

__all__ += [
    "DEFAULT_COLLAPSE_SETTINGS", "collapse_experiment", "plot_collapse",
    "ann_bias_per_anchor", "ann_sweep", "conditional_matrix", "fit_mixture", "plot_bias_vs_recall",
    "plot_refresh_time", "recall_at_k",
]
from .hypergraph import (  # noqa: E402  (issue 5: negative hyperedges)
    DEFAULT_HYPEREDGE_SAMPLERS, alpha_beta_sweep, clique_expansion_density,
    compare_hyperedge_samplers, negative_profile, plot_hardness, plot_overlap_distributions,
    plot_size_distributions, plot_sweep_heatmap,
)

__all__ += [
    "DEFAULT_HYPEREDGE_SAMPLERS", "alpha_beta_sweep", "clique_expansion_density",
    "compare_hyperedge_samplers", "negative_profile", "plot_hardness",
    "plot_overlap_distributions", "plot_size_distributions", "plot_sweep_heatmap",
]
from .text import (  # noqa: E402  (issue 6: text / audio-text)
    compare_homophone_policies, compare_skipgram_samplers, expected_false_negatives,
    hybrid_sweep, most_exposed_words, simulate_false_negatives,
)

__all__ += [
    "compare_homophone_policies", "compare_skipgram_samplers", "expected_false_negatives",
    "hybrid_sweep", "most_exposed_words", "simulate_false_negatives",
]
from .compare import (  # noqa: E402  (topology comparison, report; graphneg compare)
    DEFAULT_GRAPHS, build_graphs, compare_topologies, degree_table, parse_graph_spec,
    summarize_runs, usable_samplers,
)
from .plots import plot_by_topology, plot_degree_distributions, plot_learning_curves  # noqa: E402
from .report import write_report  # noqa: E402

__all__ += [
    "DEFAULT_GRAPHS", "build_graphs", "compare_topologies", "degree_table", "parse_graph_spec",
    "summarize_runs", "usable_samplers", "plot_by_topology", "plot_degree_distributions",
    "plot_learning_curves", "write_report",
]
from .alignment import (  # noqa: E402  (issue 9: OT view, Wang & Isola)
    AlignmentUniformityRecorder, alignment, plot_alignment_uniformity, uniformity,
)
from .spikes import plot_temporal_emphasis, temporal_emphasis_ratio  # noqa: E402  (issue 9)
from .structured import ce_nll_gap, plot_ce_nll_gap  # noqa: E402  (issue 9)
from .hyperbolic import (  # noqa: E402  (issue 9; geoopt imported lazily)
    plot_utility_ratio, utility_ratio_controlled, utility_ratio_trained,
)

__all__ += [
    "AlignmentUniformityRecorder", "alignment", "plot_alignment_uniformity", "uniformity",
    "plot_temporal_emphasis", "temporal_emphasis_ratio", "ce_nll_gap", "plot_ce_nll_gap",
    "plot_utility_ratio", "utility_ratio_controlled", "utility_ratio_trained",
]
