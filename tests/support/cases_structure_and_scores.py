"""Contract cases for the graph sampler family : degree, structural, HeaRT,
score-aware (DNS, MCNS, softmax)."""
from graphneg import samplers as S
from support.sampler_cases import SamplerCase


def _case(cls, **params):
    """Call-time inputs (``z`` for the score-aware samplers) come from ``requires``."""
    def make(num_neg, seed, on_impossible="raise"):
        return cls(num_neg, seed=seed, on_impossible=on_impossible, **params)
    return SamplerCase(make=make)


CASES = {
    "degree": _case(S.DegreeNegativeSampler, alpha=0.75),
    "structural": _case(S.StructuralNegativeSampler, num_hops=2, weight="common_neighbors"),
    "dns": _case(S.DynamicNegativeSampler, num_draws=4),
    "mcns": _case(S.MCNSSampler, alpha=0.75),
    "softmax": _case(S.SoftmaxNegativeSampler, temperature=0.5),
    "heart": _case(S.HeuristicHardNegativeSampler, top_k=5),
}
