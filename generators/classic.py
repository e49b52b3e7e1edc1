"""Deterministic graphs: the star and the balanced tree.

Both return an undirected :class:`torch_geometric.data.Data` with both directions
in ``edge_index`` (sorted by ``(row, col)``), ``num_nodes`` set, no self-loops and
no duplicate edges.
"""
from __future__ import annotations

import numpy as np
from torch_geometric.data import Data

from graphneg._validation import check_int, check_memory

from ._assemble import undirected_data
from .registry import register_generator

__all__ = ["star", "balanced_tree"]


@register_generator("star")
def star(num_nodes: int) -> Data:
    """Star graph: node 0 is the hub, joined to every leaf ``1 .. num_nodes - 1``.

    Parameters
    ----------
    num_nodes : int
        Total number of nodes, hub included, ``>= 1`` (networkx's ``star_graph(k)``
        has ``k + 1`` nodes; here the argument is the total).

    Returns
    -------
    Data
        ``edge_index`` of shape ``(2, 2 (num_nodes - 1))``.

    Notes
    -----
    The extreme case for negative sampling: the hub has no non-neighbour, and any
    two leaves share exactly one common neighbour (the hub). Cost ``O(n)``.

    Examples
    --------
    >>> star(4).edge_index.tolist()
    [[0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0]]
    """
    num_nodes = check_int(num_nodes, "num_nodes", low=1, owner="star")
    leaves = np.arange(1, num_nodes, dtype=np.int64)
    return undirected_data(np.zeros_like(leaves), leaves, num_nodes)


@register_generator("tree")
def balanced_tree(branching: int, depth: int) -> Data:
    """Perfectly balanced ``branching``-ary tree of height ``depth``, nodes in BFS order.

    Parameters
    ----------
    branching : int
        Children per internal node, ``r >= 1``.
    depth : int
        Height ``h >= 0`` (``0`` is the root alone).

    Returns
    -------
    Data
        ``num_nodes = (r^(h+1) - 1) / (r - 1)`` (``h + 1`` when ``r = 1``); root 0;
        node ``i >= 1`` has parent ``(i - 1) // r``, as in
        :func:`networkx.balanced_tree`. ``edge_index`` holds the ``num_nodes - 1``
        tree edges in both directions.

    Notes
    -----
    A tree's volume grows exponentially with depth, like hyperbolic space; it is
    the standard test graph for Poincaré embeddings (Nickel & Kiela 2017).
    Cost ``O(num_nodes)``.

    Examples
    --------
    >>> data = balanced_tree(2, 2)
    >>> data.num_nodes, data.edge_index.size(1)
    (7, 12)
    """
    branching = check_int(branching, "branching", low=1, owner="balanced_tree")
    depth = check_int(depth, "depth", low=0, owner="balanced_tree")
    num_nodes = depth + 1 if branching == 1 else (branching ** (depth + 1) - 1) // (branching - 1)
    check_memory(48.0 * num_nodes, f"{num_nodes} nodes (edge_index int64, both directions)",
                 params=f"branching={branching}, depth={depth}", owner="balanced_tree")
    child = np.arange(1, num_nodes, dtype=np.int64)
    return undirected_data((child - 1) // branching, child, num_nodes)
