"""What a worker process runs around a task: torch's intra-op thread count.

Kept apart from the analysis layer so that a worker (a pool process, a Ray worker)
imports only torch before it imports its task.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

__all__ = ["set_num_threads", "call_with_threads"]


def set_num_threads(num_threads: int) -> None:
    """:func:`torch.set_num_threads` (a picklable pool initializer)."""
    torch.set_num_threads(num_threads)


def call_with_threads(func: Callable[[Any], Any], argument: Any, num_threads: int) -> Any:
    """``func(argument)`` with ``num_threads`` torch threads, restored afterwards.

    Examples
    --------
    >>> call_with_threads(abs, -2, 1)
    2
    """
    old = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        return func(argument)
    finally:
        torch.set_num_threads(old)
