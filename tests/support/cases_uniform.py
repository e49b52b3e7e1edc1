from graphneg.samplers import UniformNegativeSampler
from support.sampler_cases import SamplerCase

CASES = {
    "uniform": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": UniformNegativeSampler(
            num_neg, seed=seed, on_impossible=on_impossible)),
}
