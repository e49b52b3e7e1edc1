"""Parameter validation with one message format (scikit-learn's).

``The 'num_neg' parameter of UniformNegativeSampler must be an int in [1, inf). Got -1 instead.``

Functions here raise :class:`ValueError` / :class:`TypeError`; they never use
``assert`` (which vanishes under ``python -O``) and never clip silently.
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any, Iterable, Optional

import torch
from torch import Tensor

__all__ = [
    "check_int", "check_real", "check_option", "check_edge_index",
    "check_num_nodes", "check_embeddings", "check_bool",
]


def _who(param: str, owner: Optional[str]) -> str:
    return f"The '{param}' parameter" + (f" of {owner}" if owner else "")


def _interval(low, high, closed: str) -> str:
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    left = "[" if closed in ("both", "left") and low is not None else "("
    right = "]" if closed in ("both", "right") and high is not None else ")"
    return f"{left}{lo}, {hi}{right}"


def check_int(value: Any, param: str, *, low: Optional[int] = None,
              high: Optional[int] = None, owner: Optional[str] = None) -> int:
    """Check that ``value`` is an int in ``[low, high]`` and return it as ``int``.

    Examples
    --------
    >>> check_int(3, "num_neg", low=1)
    3
    """
    rule = f"must be an int in {_interval(low, high, 'both')}"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{_who(param, owner)} {rule}. Got {value!r} instead.")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{_who(param, owner)} {rule}. Got {value} instead.")
    return value


def check_real(value: Any, param: str, *, low: Optional[float] = None,
               high: Optional[float] = None, closed: str = "both",
               owner: Optional[str] = None) -> float:
    """Check that ``value`` is a finite real number in an interval.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"``.

    Examples
    --------
    >>> check_real(0.5, "edge_prob", low=0, high=1)
    0.5
    """
    rule = f"must be a finite float in {_interval(low, high, closed)}"
    if isinstance(value, bool) or not isinstance(value, Real):
        if isinstance(value, Tensor) and value.numel() == 1:
            value = value.item()
        else:
            raise TypeError(f"{_who(param, owner)} {rule}. Got {value!r} instead.")
    value = float(value)
    bad = not math.isfinite(value)
    if low is not None:
        bad |= value < low if closed in ("both", "left") else value <= low
    if high is not None:
        bad |= value > high if closed in ("both", "right") else value >= high
    if bad:
        raise ValueError(f"{_who(param, owner)} {rule}. Got {value} instead.")
    return value


def check_bool(value: Any, param: str, *, owner: Optional[str] = None) -> bool:
    """Check that ``value`` is a bool.

    Examples
    --------
    >>> check_bool(True, "verbose")
    True
    """
    if not isinstance(value, bool):
        raise TypeError(f"{_who(param, owner)} must be a bool. Got {value!r} instead.")
    return value


def check_option(value: Any, param: str, options: Iterable[str], *,
                 owner: Optional[str] = None) -> str:
    """Check that ``value`` is one of ``options``.

    Examples
    --------
    >>> check_option("raise", "on_impossible", ("raise", "drop"))
    'raise'
    """
    options = tuple(options)
    if value not in options:
        raise ValueError(
            f"{_who(param, owner)} must be one of {', '.join(map(repr, options))}. "
            f"Got {value!r} instead.")
    return value


def check_num_nodes(num_nodes: Any, edge_index: Optional[Tensor] = None,
                    param: str = "num_nodes", *, owner: Optional[str] = None) -> int:
    """Return a validated node count, inferring it from ``edge_index`` if None.

    Examples
    --------
    >>> check_num_nodes(None, torch.tensor([[0, 1], [1, 2]]))
    3
    """
    inferred = 0
    if edge_index is not None and edge_index.numel() > 0:
        inferred = int(edge_index.max()) + 1
    if num_nodes is None:
        return inferred
    num_nodes = check_int(num_nodes, param, low=0, owner=owner)
    if num_nodes < inferred:
        raise ValueError(
            f"{_who(param, owner)} must be at least max(edge_index) + 1 = {inferred}. "
            f"Got {num_nodes} instead.")
    return num_nodes


def check_edge_index(edge_index: Any, param: str = "edge_index", *,
                     num_nodes: Optional[int] = None,
                     owner: Optional[str] = None) -> Tensor:
    """Check a COO index: a LongTensor of shape ``(2, E)`` with ids in ``[0, num_nodes)``.

    Examples
    --------
    >>> check_edge_index(torch.tensor([[0, 1], [1, 0]])).shape
    torch.Size([2, 2])
    """
    if not isinstance(edge_index, Tensor):
        raise TypeError(
            f"{_who(param, owner)} must be a torch.LongTensor of shape (2, E). "
            f"Got {type(edge_index).__name__} instead.")
    if edge_index.dtype != torch.long:
        raise TypeError(
            f"{_who(param, owner)} must have dtype torch.long. "
            f"Got {edge_index.dtype} instead.")
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(
            f"{_who(param, owner)} must have shape (2, E). "
            f"Got {tuple(edge_index.shape)} instead.")
    if edge_index.numel() > 0:
        lo = int(edge_index.min())
        if lo < 0:
            raise ValueError(
                f"{_who(param, owner)} must hold non-negative node ids. Got {lo} instead.")
        if num_nodes is not None:
            hi = int(edge_index.max())
            if hi >= num_nodes:
                raise ValueError(
                    f"{_who(param, owner)} must hold node ids in [0, {num_nodes}). "
                    f"Got {hi} instead.")
    return edge_index


def check_embeddings(z: Any, param: str = "z", *, num_rows: Optional[int] = None,
                     owner: Optional[str] = None) -> Tensor:
    """Check a finite floating tensor of shape ``(num_rows, d)``.

    Examples
    --------
    >>> check_embeddings(torch.zeros(3, 2), num_rows=3).shape
    torch.Size([3, 2])
    """
    if not isinstance(z, Tensor) or not z.is_floating_point():
        raise TypeError(f"{_who(param, owner)} must be a floating-point torch.Tensor. "
                        f"Got {type(z).__name__ if not isinstance(z, Tensor) else z.dtype} instead.")
    if z.dim() != 2:
        raise ValueError(f"{_who(param, owner)} must have shape (N, d). "
                         f"Got {tuple(z.shape)} instead.")
    if num_rows is not None and z.size(0) != num_rows:
        raise ValueError(f"{_who(param, owner)} must have {num_rows} rows (one per node). "
                         f"Got {z.size(0)} instead.")
    if not bool(torch.isfinite(z).all()):
        raise ValueError(f"{_who(param, owner)} must be finite (no NaN or inf). "
                         f"Got {int((~torch.isfinite(z)).sum())} non-finite entries instead.")
    return z
