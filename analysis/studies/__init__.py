"""Studies: each is a function that runs an experiment and returns tidy tables.

A study never writes files and never draws; its command draws figures with
:mod:`graphneg.analysis.plots` and hands tables and figures to
:func:`graphneg.analysis.report.write_study`.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Iterable

__all__ = ["forward_names"]


def forward_names(study: str, names: Iterable[str], *, owner: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` that resolves ``names`` from the study module ``study``.

    An analysis module whose experiment moved into a study keeps the experiment's names
    importable (``from graphneg.analysis.geo import compare_route_samplers``) without a
    top-level import: the study imports the analysis module, so that would be a cycle.

    Parameters
    ----------
    study : str
        Module name inside :mod:`graphneg.analysis.studies` (``"geo"``).
    names : iterable of str
        The names it provides.
    owner : str
        ``__name__`` of the module that assigns the result to its ``__getattr__``.

    Examples
    --------
    >>> get = forward_names("hypergraph", ["HYPERGRAPHS"], owner="demo")
    >>> get("HYPERGRAPHS")[0]
    'lesmis'
    >>> get("nope")
    Traceback (most recent call last):
    ...
    AttributeError: module 'demo' has no attribute 'nope'
    """
    names = frozenset(names)

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(f"{__name__}.{study}"), name)
        raise AttributeError(f"module {owner!r} has no attribute {name!r}")

    return __getattr__
