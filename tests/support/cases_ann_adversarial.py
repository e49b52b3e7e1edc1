"""Contract cases for the adaptive samplers: ANN hard negatives, adversarial."""
import torch

from graphneg.samplers.adversarial import AdversarialNegativeSampler
from graphneg.samplers.ann import ANNNegativeSampler
from support.sampler_cases import SamplerCase


def _embeddings(edge_index, num_nodes):
    """Fixed embeddings ``z`` of shape (num_nodes, 8) for score-aware samplers."""
    return {"z": torch.randn(num_nodes, 8, generator=torch.Generator().manual_seed(11))}


CASES = {
    # exact index (bit-for-bit deterministic); the index is built lazily on the first call
    "ann": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": ANNNegativeSampler(
            num_neg, k=5, index="flat", seed=seed, on_impossible=on_impossible),
        call_kwargs=_embeddings),
    # generator embeddings drawn from the seed; exact softmax over all nodes
    "adversarial": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": AdversarialNegativeSampler(
            num_neg, embedding_dim=4, seed=seed, on_impossible=on_impossible)),
}
