r"""Text and phoneme features: bags of n-grams for the audio–text encoders.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import torch
from torch import Tensor

__all__ = ["bag_of_ngrams"]


# ------------------------------------------------------------------ audio–text
def bag_of_ngrams(sequences: Sequence[Sequence[str]], orders: Sequence[int]) -> Tensor:
    """Count vectors of the n-grams (with boundary markers) of each sequence.

    Parameters
    ----------
    sequences : sequence of sequence of str
        Phoneme lists or strings (characters).
    orders : sequence of int
        n-gram lengths, e.g. ``(1, 2)``.

    Returns
    -------
    FloatTensor, shape (len(sequences), F)
        ``log1p`` of the counts; ``F`` distinct n-grams, sorted.

    Examples
    --------
    >>> bag_of_ngrams(["ab", "b"], (1,)).tolist() == [[0.6931471824645996] * 2,
    ...                                              [0.0, 0.6931471824645996]]
    True
    """
    grams = []
    for seq in sequences:
        s = ["<"] + list(seq) + [">"]
        c: Counter = Counter()
        for n in orders:
            for i in range(len(s) - n + 1):
                g = tuple(s[i:i + n])
                if g not in (("<",), (">",)):
                    c[g] += 1
        grams.append(c)
    vocab = sorted({g for c in grams for g in c})
    index = {g: i for i, g in enumerate(vocab)}
    rows = [i for i, c in enumerate(grams) for _ in c]
    cols = [index[g] for c in grams for g in c]
    vals = [v for c in grams for v in c.values()]
    out = torch.zeros(len(sequences), len(vocab))
    out[torch.tensor(rows, dtype=torch.long), torch.tensor(cols, dtype=torch.long)] = \
        torch.tensor(vals, dtype=torch.float)
    return torch.log1p(out)
