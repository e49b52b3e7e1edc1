"""Randomness at the boundary: one helper turns ``seed`` into one generator.

Every random function in graphneg takes ``seed: int | torch.Generator | None``
and calls :func:`as_generator` exactly once; numpy code derives a
:class:`numpy.random.Generator` from it with :func:`numpy_rng`. No global RNG
state is read or written, so the same seed gives the same bits on CPU.
"""
from __future__ import annotations

from typing import Union

import numpy as np
import torch

Seed = Union[int, torch.Generator, None]

__all__ = ["Seed", "as_generator", "numpy_rng", "spawn_seed"]


def as_generator(seed: Seed = None) -> torch.Generator:
    """Return a CPU :class:`torch.Generator` for ``seed``.

    Parameters
    ----------
    seed : int, torch.Generator or None
        An ``int`` seeds a fresh generator; a generator is returned as is (so
        successive calls advance it); ``None`` draws fresh OS entropy.

    Examples
    --------
    >>> g = as_generator(0)
    >>> torch.randint(10, (3,), generator=g).tolist()
    [4, 9, 3]
    """
    if isinstance(seed, torch.Generator):
        return seed
    if seed is None:
        gen = torch.Generator()
        gen.seed()
        return gen
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            "The 'seed' parameter must be an int, a torch.Generator or None. "
            f"Got {seed!r} of type {type(seed).__name__} instead.")
    if not 0 <= seed <= 2**63 - 1:  # torch and numpy seed from a signed 64-bit int
        raise ValueError(
            f"The 'seed' parameter must be an int in [0, 2**63 - 1]. Got {seed} instead.")
    gen = torch.Generator()
    gen.manual_seed(int(seed))
    return gen


def spawn_seed(generator: torch.Generator) -> int:
    """Draw a 63-bit integer seed from ``generator`` (advances it once).

    Examples
    --------
    >>> spawn_seed(as_generator(0)) == spawn_seed(as_generator(0))
    True
    """
    return int(torch.randint(0, 2**63 - 1, (1,), generator=generator).item())


def numpy_rng(seed: Seed = None) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` derived from ``seed``.

    The numpy generator is seeded from one draw of the torch generator, so a
    torch generator passed in is advanced and the result is reproducible.

    Examples
    --------
    >>> numpy_rng(0).integers(10, size=3).tolist() == numpy_rng(0).integers(10, size=3).tolist()
    True
    """
    return np.random.default_rng(spawn_seed(as_generator(seed)))
