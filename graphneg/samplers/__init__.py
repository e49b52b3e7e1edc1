r"""Negative samplers: PyG transforms with a tensor face.

Every graph sampler subclasses :class:`NegativeSampler` and registers under a
short name; :func:`get_sampler` resolves a name or passes an instance through.
The protocol a caller reads: ``sampler.requires`` (call-time inputs such as
``"z"``), ``on_epoch_start`` / ``state_dict`` / ``load_state_dict``, and the public
law ``sampler.log_prob(edge_index, num_nodes, anchors, candidates)`` (or
``sampler.law(...)`` to evaluate it blockwise). Samplers that draw from a
per-anchor candidate table subclass :class:`TableSampler` and write one hook.
In PyG pipelines every graph sampler takes ``adj_t``, labelled splits, bipartite
graphs, batches of graphs and ``HeteroData`` edge types (:mod:`graphneg.samplers.pyg`,
:class:`NegativeSampling` as a configured transform), and ``sampler.prepare(...)``
gives a :class:`PreparedSampler` for mini-batches of positives.
Hyperedge samplers draw node *sets*, not nodes, and have their own registry
(:data:`HYPEREDGE_SAMPLERS`, :func:`get_hyperedge_sampler`).

===============  =====================================================
name             distribution over candidates n for anchor u
===============  =====================================================
``uniform``      uniform over non-neighbours
``degree``       deg(n)^α
``structural``   uniform, or (CN / RA + ε)^γ, over the k-hop ring
``heart``        uniform over the top-k by CN / RA / feature cosine
``dns``          best of X uniform draws by z_u·z_n
``mcns``         σ(z_u·z_n)^α
``softmax``      exp(z_u·z_n / T)
``ann``          uniform / softmax over FAISS top-k (refreshed every R steps)
``adversarial``  softmax of a REINFORCE-trained generator
``hybrid``       exp(−α·(λ·d_sem + (1−λ)·d_syn))
``phonetic``     phoneme edit distance ≤ r, homophone policy
``spatial``      exp(−haversine/τ), or the k nearest
``cross_site``   own site with prob. π, else another site
===============  =====================================================
"""
from graphneg.samplers.base import (
    SAMPLERS, NegativeSampler, PreparedSampler, RegisteredSampler, NoNegativeCandidatesError,
    SamplerLaw, SamplerStats, SamplingContext, get_sampler, sampler_names,
)
from graphneg.samplers.pyg import NegativeSampling, held_out_edges, seed_edges
from graphneg.samplers.tables import TableSampler
from graphneg.samplers.uniform import UniformNegativeSampler, uniform_negatives
from graphneg.samplers.degree import DegreeNegativeSampler
from graphneg.samplers.structural import StructuralNegativeSampler
from graphneg.samplers.heuristic import HeuristicHardNegativeSampler
from graphneg.samplers.score_aware import (
    DynamicNegativeSampler, MCNSSampler, SoftmaxNegativeSampler,
)
from graphneg.samplers.ann import ANNNegativeSampler  # FAISS is imported lazily: graphneg[ann]
from graphneg.samplers.adversarial import (
    AdversarialNegativeSampler, collapse_stats, negative_reward,
)
from graphneg.samplers.text import (
    HybridGibbsSampler, PhoneticNegativeSampler, homophone_pairs, hybrid_distances,
    hybrid_negatives, phoneme_distances, phonetic_negatives,
)
from graphneg.samplers.spatial import (
    SpatialNegativeSampler, check_coordinates, haversine_km, spatial_negatives,
)
from graphneg.samplers.cross_site import (
    CrossSiteNegativeSampler, check_sites, cross_site_negatives,
)
from graphneg.samplers.hyperedge import (
    HYPEREDGE_SAMPLERS, CliqueNegativeSampler, HyperedgeNegatives, HyperedgeNegativeSampler,
    HyperedgeSampler, MotifNegativeSampler, NoNegativeHyperedgesError, SizedNegativeSampler,
    get_hyperedge_sampler, maxent_probabilities,
)

__all__ = [
    # base
    "SAMPLERS", "RegisteredSampler", "NegativeSampler", "NoNegativeCandidatesError", "SamplerLaw",
    "SamplerStats", "SamplingContext", "TableSampler", "get_sampler", "sampler_names",
    # PyG pipelines and mini-batches
    "NegativeSampling", "PreparedSampler", "held_out_edges", "seed_edges",
    # graph structure
    "UniformNegativeSampler", "uniform_negatives", "DegreeNegativeSampler",
    "StructuralNegativeSampler", "HeuristicHardNegativeSampler",
    # score-aware and adaptive
    "DynamicNegativeSampler", "MCNSSampler", "SoftmaxNegativeSampler", "ANNNegativeSampler",
    "AdversarialNegativeSampler", "collapse_stats", "negative_reward",
    # domains
    "HybridGibbsSampler", "PhoneticNegativeSampler", "homophone_pairs", "hybrid_distances",
    "hybrid_negatives", "phoneme_distances", "phonetic_negatives",
    "SpatialNegativeSampler", "check_coordinates", "haversine_km", "spatial_negatives",
    "CrossSiteNegativeSampler", "check_sites", "cross_site_negatives",
    # hyperedges
    "HYPEREDGE_SAMPLERS", "CliqueNegativeSampler", "HyperedgeNegatives",
    "HyperedgeNegativeSampler", "HyperedgeSampler", "MotifNegativeSampler",
    "NoNegativeHyperedgesError", "SizedNegativeSampler", "get_hyperedge_sampler",
    "maxent_probabilities",
]
