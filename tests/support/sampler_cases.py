"""How the contract test builds each registered graph sampler.

Each area adds its samplers in a module ``tests/support/cases_<area>.py`` defining
``CASES = {"name": SamplerCase(...)}``; :func:`all_cases` collects them so no
shared file needs editing. A registered sampler without a case fails the
meta-test in ``tests/samplers/test_contract.py``.
"""
from __future__ import annotations

import importlib
import pathlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict

import torch


@dataclass
class SamplerCase:
    """``make(num_neg, seed, on_impossible)`` builds the sampler; ``call_kwargs(edge_index,
    num_nodes)`` gives extra keyword arguments for ``sample`` (embeddings ``z`` ...)."""

    make: Callable[..., Any]
    call_kwargs: Callable[[torch.Tensor, int], Dict[str, Any]] = field(
        default=lambda edge_index, num_nodes: {})
    #: Whether the sampler may return repeated identical runs for different seeds
    #: (deterministic samplers, e.g. pure top-k); the contract then skips that check.
    deterministic: bool = False


def all_cases() -> Dict[str, SamplerCase]:
    out: Dict[str, SamplerCase] = {}
    here = pathlib.Path(__file__).parent
    for path in sorted(here.glob("cases_*.py")):
        mod = importlib.import_module(f"support.{path.stem}")
        out.update(mod.CASES)
    return out
