r"""Negative samplers: PyG transforms with a tensor face.

Every sampler subclasses :class:`NegativeSampler` and registers under a short
name; :func:`get_sampler` resolves a name or passes an instance through.
"""
from graphneg.samplers.base import (
    SAMPLERS, NegativeSampler, NoNegativeCandidatesError, SamplerStats, SamplingContext,
    get_sampler, sampler_names,
)
from graphneg.samplers.uniform import UniformNegativeSampler, uniform_negatives

__all__ = [
    "SAMPLERS", "NegativeSampler", "NoNegativeCandidatesError", "SamplerStats",
    "SamplingContext", "get_sampler", "sampler_names",
    "UniformNegativeSampler", "uniform_negatives",
]
from graphneg.samplers.spatial import (  # noqa: E402  (geo)
    SpatialNegativeSampler, check_coordinates, haversine_km, spatial_negatives,
)

__all__ += ["SpatialNegativeSampler", "check_coordinates", "haversine_km", "spatial_negatives"]
from graphneg.samplers.ann import ANNNegativeSampler  # noqa: E402  (issue 8; needs graphneg[ann])
__all__ += ["ANNNegativeSampler"]
from graphneg.samplers.degree import DegreeNegativeSampler  # noqa: E402  (issue 4)
__all__ += ["DegreeNegativeSampler"]
from graphneg.samplers.text import (  # noqa: E402  (text area: hybrid + phonetic)
    HybridGibbsSampler, PhoneticNegativeSampler, homophone_pairs, hybrid_distances,
    hybrid_negatives, phoneme_distances, phonetic_negatives,
)

__all__ += [
    "HybridGibbsSampler", "PhoneticNegativeSampler", "homophone_pairs", "hybrid_distances",
    "hybrid_negatives", "phoneme_distances", "phonetic_negatives",
]
from graphneg.samplers.structural import StructuralNegativeSampler  # noqa: E402  (issue 4)
__all__ += ["StructuralNegativeSampler"]
from graphneg.samplers.hyperedge import (  # noqa: E402  (own registry, not SAMPLERS)
    HYPEREDGE_SAMPLERS, CliqueNegativeSampler, HyperedgeNegatives, HyperedgeNegativeSampler,
    HyperedgeSampler, MotifNegativeSampler, NoNegativeHyperedgesError, SizedNegativeSampler,
    get_hyperedge_sampler, maxent_probabilities,
)
__all__ += [
    "HYPEREDGE_SAMPLERS", "CliqueNegativeSampler", "HyperedgeNegatives", "HyperedgeNegativeSampler",
    "HyperedgeSampler", "MotifNegativeSampler", "NoNegativeHyperedgesError", "SizedNegativeSampler",
    "get_hyperedge_sampler", "maxent_probabilities",
]
from graphneg.samplers.adversarial import (  # noqa: E402  (issue 8)
    AdversarialNegativeSampler, collapse_stats, negative_reward,
)

__all__ += ["AdversarialNegativeSampler", "collapse_stats", "negative_reward"]
from graphneg.samplers.cross_site import (  # noqa: E402  (clinical)
    CrossSiteNegativeSampler, check_sites, cross_site_negatives,
)

__all__ += ["CrossSiteNegativeSampler", "check_sites", "cross_site_negatives"]
from graphneg.samplers.score_aware import DynamicNegativeSampler  # noqa: E402  (issue 4)
__all__ += ["DynamicNegativeSampler"]
from graphneg.samplers.score_aware import MCNSSampler  # noqa: E402  (issue 4)
__all__ += ["MCNSSampler"]
from graphneg.samplers.score_aware import SoftmaxNegativeSampler  # noqa: E402  (issue 4)
__all__ += ["SoftmaxNegativeSampler"]
from graphneg.samplers.heuristic import HeuristicHardNegativeSampler  # noqa: E402  (issue 4)
__all__ += ["HeuristicHardNegativeSampler"]
