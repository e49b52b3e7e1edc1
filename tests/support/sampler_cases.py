"""How the contract test builds each registered graph sampler.

Each area adds its samplers in a module ``tests/support/cases_<area>.py`` defining
``CASES = {"name": SamplerCase(...)}``; :func:`all_cases` collects them so no
shared file needs editing. A registered sampler without a case fails the
meta-test in ``tests/samplers/test_contract.py``.
"""
from __future__ import annotations

import importlib
import pathlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

import torch


@dataclass
class SamplerCase:
    """``make(num_neg, seed, on_impossible)`` builds the sampler; ``call_kwargs(edge_index,
    num_nodes)`` gives extra keyword arguments for ``sample``. Without ``call_kwargs``
    they are derived from the sampler's ``requires`` (:func:`derived_inputs`)."""

    make: Callable[..., Any]
    call_kwargs: Optional[Callable[[torch.Tensor, int], Dict[str, Any]]] = None
    #: Whether the sampler may return repeated identical runs for different seeds
    #: (deterministic samplers, e.g. pure top-k); the contract then skips that check.
    deterministic: bool = False

    def inputs(self, sampler: Any, edge_index: torch.Tensor, num_nodes: int) -> Dict[str, Any]:
        """Call-time keyword arguments for ``sampler`` on this graph."""
        if self.call_kwargs is not None:
            return self.call_kwargs(edge_index, num_nodes)
        return derived_inputs(sampler.requires, num_nodes)


def derived_inputs(requires: Tuple[str, ...], num_nodes: int, seed: int = 0) -> Dict[str, Any]:
    """One seeded value per name in ``requires``: embeddings ``z`` / ``x`` /
    ``embedding`` ``(N, 8)``, coordinates ``lat`` / ``lon``, ``site`` labels, ``words``
    and ``phonemes``. An unknown name fails loudly (add it here)."""
    from support.cases_geo_clinical import random_coords
    from support.cases_text import random_phonemes, random_words

    g = torch.Generator().manual_seed(11 + seed)
    lat, lon = random_coords(num_nodes, seed)
    makers = {
        "z": lambda: torch.randn(num_nodes, 8, generator=g),
        "x": lambda: torch.randn(num_nodes, 8, generator=g),
        "embedding": lambda: torch.randn(num_nodes, 8, generator=g),
        "lat": lambda: lat,
        "lon": lambda: lon,
        "site": lambda: torch.arange(num_nodes) % 3,
        "words": lambda: random_words(num_nodes, 5 + seed),
        "phonemes": lambda: random_phonemes(num_nodes, 5 + seed),
    }
    unknown = sorted(set(requires) - set(makers))
    if unknown:
        raise KeyError(f"no generator for the call-time inputs {unknown}: add one to "
                       f"support.sampler_cases.derived_inputs")
    return {name: makers[name]() for name in requires}


def all_cases() -> Dict[str, SamplerCase]:
    out: Dict[str, SamplerCase] = {}
    here = pathlib.Path(__file__).parent
    for path in sorted(here.glob("cases_*.py")):
        mod = importlib.import_module(f"support.{path.stem}")
        out.update(mod.CASES)
    return out
