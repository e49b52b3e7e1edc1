"""Contract cases for the adaptive samplers: ANN hard negatives, adversarial."""
from graphneg.samplers.adversarial import AdversarialNegativeSampler
from graphneg.samplers.ann import ANNNegativeSampler
from support.sampler_cases import SamplerCase


CASES = {
    # exact index (bit-for-bit deterministic), built lazily on the first call from the z
    # derived from ``requires``
    "ann": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": ANNNegativeSampler(
            num_neg, k=5, index="flat", seed=seed, on_impossible=on_impossible)),
    # generator embeddings drawn from the seed; exact softmax over all nodes
    "adversarial": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": AdversarialNegativeSampler(
            num_neg, embedding_dim=4, seed=seed, on_impossible=on_impossible)),
}
