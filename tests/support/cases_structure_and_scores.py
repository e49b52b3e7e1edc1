"""Contract cases for the graph sampler family : degree, structural, HeaRT,
score-aware (DNS, MCNS, softmax)."""
import torch

from graphneg import samplers as S
from support.sampler_cases import SamplerCase


def _embeddings(edge_index, num_nodes):
    """Fixed embeddings ``z`` of shape (num_nodes, 8) for score-aware samplers."""
    return {"z": torch.randn(num_nodes, 8, generator=torch.Generator().manual_seed(5))}


def _case(cls, call_kwargs=None, **params):
    def make(num_neg, seed, on_impossible="raise"):
        return cls(num_neg, seed=seed, on_impossible=on_impossible, **params)
    if call_kwargs is None:
        return SamplerCase(make=make)
    return SamplerCase(make=make, call_kwargs=call_kwargs)


CASES = {
    "degree": _case(S.DegreeNegativeSampler, alpha=0.75),
    "structural": _case(S.StructuralNegativeSampler, num_hops=2, weight="common_neighbors"),
    "dns": _case(S.DynamicNegativeSampler, _embeddings, num_draws=4),
    "mcns": _case(S.MCNSSampler, _embeddings, alpha=0.75),
    "softmax": _case(S.SoftmaxNegativeSampler, _embeddings, temperature=0.5),
    "heart": _case(S.HeuristicHardNegativeSampler, top_k=5),
}
