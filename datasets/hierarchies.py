r"""Hierarchies as graphs, for hyperbolic embeddings: a real taxonomy (shipped) and trees.

:func:`load_icd10cm_hierarchy` reads an excerpt of the ICD-10-CM disease
classification (chapters 3, 5, 6 and 10 — 2,960 codes under an added root, depth
up to 7; US public domain; provenance in ``icd10cm_excerpt.md``), shipped with this
package. No taxonomy ships inside scikit-learn or networkx; WordNet (the usual
mammal subtree) must be downloaded, so it cannot be used here.

:func:`tree_parents` finds parents by breadth-first search from a root
(``scipy.sparse.csgraph``) and :func:`transitive_closure` turns a tree into all
ancestor–descendant pairs — what Nickel & Kiela embed — by pointer jumping over
depth levels (:math:`O(N \cdot h)`).
"""
from __future__ import annotations

import gzip
import os
from typing import List

import numpy as np
import torch
from scipy.sparse.csgraph import breadth_first_order
from torch import Tensor
from torch_geometric.data import Data

from graphneg._validation import check_bool, check_edge_index, check_int
from graphneg.edges import to_scipy_csr

__all__ = ["load_icd10cm_hierarchy", "tree_parents", "transitive_closure", "node_depths"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_icd10cm_hierarchy(*, closure: bool = False) -> Data:
    """The shipped ICD-10-CM excerpt as a tree (or its transitive closure).

    Parameters
    ----------
    closure : bool
        If True, ``edge_index`` holds every ancestor–descendant pair (both
        directions) instead of the parent–child edges.

    Returns
    -------
    Data
        ``num_nodes = 2961``; node 0 is the root; ``parent`` (LongTensor, -1 at the
        root), ``depth`` (LongTensor), ``codes`` and ``descriptions`` (lists of str).

    Examples
    --------
    >>> data = load_icd10cm_hierarchy()
    >>> data.num_nodes, data.edge_index.size(1), int(data.depth.max())
    (2961, 5920, 7)
    """
    closure = check_bool(closure, "closure", owner="load_icd10cm_hierarchy")
    codes: List[str] = []
    parents: List[str] = []
    desc: List[str] = []
    with gzip.open(os.path.join(_HERE, "icd10cm_excerpt.txt.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            c, p, d = line.rstrip("\n").split("\t")
            codes.append(c)
            parents.append(p)
            desc.append(d)
    index = {c: i for i, c in enumerate(codes)}
    parent = torch.tensor([index[p] if p else -1 for p in parents], dtype=torch.long)
    child = torch.arange(len(codes))[parent >= 0]
    tree = torch.stack([parent[parent >= 0], child])
    edge_index = torch.cat([tree, tree.flip(0)], 1)
    data = Data(edge_index=edge_index, num_nodes=len(codes))
    data.parent = parent
    data.depth = node_depths(parent)
    data.codes, data.descriptions = codes, desc
    if closure:
        data.edge_index = transitive_closure(parent)
    return data


def tree_parents(edge_index: Tensor, num_nodes: int, root: int = 0) -> Tensor:
    """Parent of every node in a tree given by undirected ``edge_index`` (-1 at the root).

    Raises ``ValueError`` when the graph is not a connected tree.

    Examples
    --------
    >>> tree_parents(torch.tensor([[0, 1, 0, 2], [1, 0, 2, 0]]), 3).tolist()
    [-1, 0, 0]
    """
    owner = "tree_parents"
    num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
    edge_index = check_edge_index(edge_index, num_nodes=num_nodes, owner=owner)
    root = check_int(root, "root", low=0, high=num_nodes - 1, owner=owner)
    und = torch.cat([edge_index, edge_index.flip(0)], 1)
    num_und = int(torch.unique(und[0] * num_nodes + und[1]).numel()) // 2
    order, pred = breadth_first_order(to_scipy_csr(und, num_nodes), root, directed=True,
                                      return_predecessors=True)
    if order.size != num_nodes or num_und != num_nodes - 1:
        raise ValueError(f"The 'edge_index' parameter of {owner} must be a connected tree on "
                         f"{num_nodes} nodes. Got {num_und} undirected edges and "
                         f"{order.size} nodes reachable from the root instead.")
    pred = np.where(pred < 0, -1, pred)
    return torch.as_tensor(pred, dtype=torch.long)


def _check_parent(parent, owner: str) -> Tensor:
    r"""A parent vector: LongTensor ``(N,)``, ids in ``[-1, N)``, no cycle (a self-parent is one).

    A cycle is found without walking it: the nodes that reach a root (``-1``) are
    marked level by level from the roots down (one vectorised pass per level,
    :math:`O(N \cdot h)`); whatever stays unmarked lies on, or hangs below, a cycle.
    The nodes named in the error are those on a cycle: the image of
    :math:`2^k \ge N` pointer jumps from the unmarked nodes (pointer doubling).
    """
    if not isinstance(parent, Tensor) or parent.dtype != torch.long:
        got = parent.dtype if isinstance(parent, Tensor) else type(parent).__name__
        raise TypeError(f"The 'parent' parameter of {owner} must be a torch.LongTensor of "
                        f"shape (N,). Got {got} instead.")
    if parent.dim() != 1:
        raise ValueError(f"The 'parent' parameter of {owner} must have shape (N,). "
                         f"Got {tuple(parent.shape)} instead.")
    n = parent.numel()
    bad = (parent < -1) | (parent >= n)
    if bool(bad.any()):
        raise ValueError(f"The 'parent' parameter of {owner} must hold ids in [-1, {n}) "
                         f"(-1 = root). Got {int(parent[bad][0])} at node "
                         f"{int(bad.nonzero()[0])} instead.")
    reached = parent < 0                               # the roots
    frontier = reached.clone()
    while bool(frontier.any()):                        # one pass per level
        frontier = ~reached & (parent >= 0) & reached[parent.clamp_min(0)]
        reached |= frontier
    if not bool(reached.all()):
        # Unreached nodes point only at unreached nodes; after 2^k >= n jumps every one of
        # them sits on a cycle, and the image of that map is exactly the cycles' nodes.
        jump = parent.clamp_min(0)
        for _ in range(n.bit_length()):                # pointer doubling, O(N log N)
            jump = jump[jump]
        on_cycle = torch.zeros(n, dtype=torch.bool)
        on_cycle[jump[~reached]] = True
        nodes = on_cycle.nonzero().view(-1).tolist()
        shown = ", ".join(map(str, nodes[:10])) + (", ..." if len(nodes) > 10 else "")
        raise ValueError(f"The 'parent' parameter of {owner} must describe a forest (every "
                         f"node reaches a root -1 by following parents). Got a cycle through "
                         f"node(s) {shown} instead.")
    return parent


def node_depths(parent: Tensor) -> Tensor:
    """Depth of every node (root 0) from a parent vector, by pointer jumping.

    Raises ``ValueError`` naming the nodes of a cycle when ``parent`` is not a
    forest (a walk up from them would never reach a root).

    Examples
    --------
    >>> node_depths(torch.tensor([-1, 0, 1, 1])).tolist()
    [0, 1, 2, 2]
    >>> node_depths(torch.tensor([-1, 2, 1]))
    Traceback (most recent call last):
    ...
    ValueError: The 'parent' parameter of node_depths must describe a forest (every node reaches a root -1 by following parents). Got a cycle through node(s) 1, 2 instead.
    """
    parent = _check_parent(parent, "node_depths")
    depth = torch.zeros_like(parent)
    cur = parent.clone()
    while bool((cur >= 0).any()):  # one pass per level of the tree
        alive = cur >= 0
        depth[alive] += 1
        cur[alive] = parent[cur[alive]]
    return depth


def transitive_closure(parent: Tensor) -> Tensor:
    """All (ancestor, descendant) pairs of a tree, both directions, as ``(2, C)``.

    Examples
    --------
    >>> transitive_closure(torch.tensor([-1, 0, 1])).tolist()
    [[0, 1, 0, 1, 2, 2], [1, 2, 2, 0, 1, 0]]

    A cycle in ``parent`` raises ``ValueError`` naming its nodes (see :func:`node_depths`).
    """
    parent = _check_parent(parent, "transitive_closure")
    nodes = torch.arange(parent.numel())
    anc, desc = [], []
    cur = parent.clone()
    while bool((cur >= 0).any()):  # one pass per level of the tree
        alive = cur >= 0
        anc.append(cur[alive])
        desc.append(nodes[alive])
        cur = torch.where(alive, parent[cur.clamp_min(0)], cur)
    if not anc:
        return torch.zeros(2, 0, dtype=torch.long)
    a, d = torch.cat(anc), torch.cat(desc)
    return torch.cat([torch.stack([a, d]), torch.stack([d, a])], 1)
