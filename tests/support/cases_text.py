"""Contract cases for the text samplers: random words, embeddings and phonemes for any graph."""
import string

import torch

from graphneg.samplers import HybridGibbsSampler, PhoneticNegativeSampler
from support.sampler_cases import SamplerCase

_PHONES = ["AA1", "AE1", "B", "D", "K", "S", "T", "UW1", "IY1", "N"]


def random_words(num_nodes: int, seed: int = 0) -> list:
    """``num_nodes`` lowercase strings of length 2..6 (seeded)."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(2, 7, (num_nodes,), generator=g).tolist()
    letters = torch.randint(26, (sum(lengths),), generator=g).tolist()
    out, at = [], 0
    for n in lengths:
        out.append("".join(string.ascii_lowercase[i] for i in letters[at:at + n]))
        at += n
    return out


def random_phonemes(num_nodes: int, seed: int = 0) -> list:
    """``num_nodes`` phoneme sequences of length 2..5 over a 10-symbol alphabet (seeded)."""
    g = torch.Generator().manual_seed(seed + 1)
    lengths = torch.randint(2, 6, (num_nodes,), generator=g).tolist()
    sym = torch.randint(len(_PHONES), (sum(lengths),), generator=g).tolist()
    out, at = [], 0
    for n in lengths:
        out.append([_PHONES[i] for i in sym[at:at + n]])
        at += n
    return out


CASES = {
    "hybrid": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": HybridGibbsSampler(
            num_neg, lam=0.5, alpha=3.0, top_m=8, seed=seed, on_impossible=on_impossible)),
    "phonetic": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": PhoneticNegativeSampler(
            num_neg, radius=None, alpha=0.5, homophones="exclude", seed=seed,
            on_impossible=on_impossible)),
}
