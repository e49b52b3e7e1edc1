"""Generators by name, so the CLI, trainers and scripts take a string.

Any module in :mod:`graphneg.generators` registers its public generators with
:func:`register_generator`; the short names are what ``graphneg generate`` and
``compare_topologies`` accept.

Examples
--------
>>> from graphneg.generators import generate, generator_names
>>> {"ba", "er", "sbm", "star", "tree"} <= set(generator_names())
True
>>> generate("star", num_nodes=4).edge_index.size(1)
6
"""
from __future__ import annotations

from typing import Any, Callable, List

from torch_geometric.data import Data

from graphneg.registry import Registry

__all__ = ["GENERATORS", "register_generator", "get_generator", "generate", "generator_names"]

#: The generator registry: short name -> function returning a graph; a graph
#: (:class:`~torch_geometric.data.Data`, hypergraphs included) passes through ``make``.
GENERATORS: Registry[Callable[..., Any]] = Registry("generator", base=Data,
                                                    base_name="torch_geometric.data.Data")


def register_generator(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register a generator function under ``name``."""
    return GENERATORS.register(name)


def get_generator(name: str) -> Callable[..., Any]:
    """Return the generator function registered as ``name``.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known ones.

    Examples
    --------
    >>> get_generator("er").__name__
    'erdos_renyi'
    """
    return GENERATORS.get(name)


def generate(name: Any, **kwargs: Any) -> Any:
    """Build a graph with the generator ``name``: ``get_generator(name)(**kwargs)``;
    a graph given instead of a name is returned unchanged (:meth:`Registry.make`).

    Examples
    --------
    >>> g = generate("er", num_nodes=100, edge_prob=0.1, seed=0)
    >>> g.num_nodes
    100
    >>> generate(g) is g
    True
    """
    return GENERATORS.make(name, **kwargs)


def generator_names() -> List[str]:
    """The registered generator names, sorted."""
    return GENERATORS.names()
