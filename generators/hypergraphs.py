r"""Random hypergraphs and hypergraph <-> graph converters.

Every generator returns a :class:`torch_geometric.data.HyperGraphData` whose
``edge_index`` is the incidence index (row 0 node ids, row 1 hyperedge ids
``0 .. M-1``), sorted by ``(hyperedge, node)``, with ``num_nodes`` set; no
hyperedge is empty and no node appears twice in one hyperedge. ``seed`` is an
``int``, a :class:`torch.Generator` or ``None``, turned into one numpy generator
at the boundary.

Registered names: ``"random_hypergraph"``, ``"hypergraph_configuration"``,
``"hypergraph_reshuffle"``, ``"planted_hypergraph"``.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.data.hypergraph_data import HyperGraphData

from graphneg._random import Seed, as_generator, numpy_rng
from graphneg._validation import check_int, check_real
from graphneg.hyperedges import check_hyperedge_index, hyperedge_sizes, incidence_csr

from .registry import register_generator

__all__ = [
    "random_hypergraph", "hypergraph_configuration_model", "planted_hypergraph",
    "reshuffle_hypergraph", "uniform_members", "draw_hyperedge_sizes", "hypergraph_data",
    "from_bipartite", "to_bipartite", "to_clique_expansion",
]


# ----------------------------------------------------------------- assembly
def hypergraph_data(nodes: np.ndarray, edges: np.ndarray, num_nodes: int, **attrs) -> HyperGraphData:
    """Assemble a :class:`HyperGraphData` from incidence pairs, sorted by ``(edge, node)``.

    The caller guarantees contiguous hyperedge ids and no repeated member.

    Examples
    --------
    >>> hypergraph_data(np.array([2, 0]), np.array([0, 0]), 3).edge_index.tolist()
    [[0, 2], [0, 0]]
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    edges = np.asarray(edges, dtype=np.int64)
    key = np.sort(edges * max(int(num_nodes), 1) + nodes)  # one int64 sort beats lexsort
    edge_index = torch.from_numpy(np.stack([key % max(int(num_nodes), 1),
                                            key // max(int(num_nodes), 1)]))
    return HyperGraphData(edge_index=edge_index, num_nodes=int(num_nodes), **attrs)


def _index_of(data_or_index, num_nodes: Optional[int], owner: str):
    if isinstance(data_or_index, Data):
        index = data_or_index.edge_index
        num_nodes = data_or_index.num_nodes if num_nodes is None else num_nodes
    else:
        index = data_or_index
    index = check_hyperedge_index(index, "hyperedge_index", num_nodes=num_nodes, owner=owner)
    if num_nodes is None:
        num_nodes = int(index[0].max()) + 1 if index.numel() else 0
    return index, int(num_nodes)


# -------------------------------------------------------------- random sets
def uniform_members(rng: np.random.Generator, num_nodes: int, sizes: np.ndarray
                    ) -> np.ndarray:
    r"""For every row ``j`` a uniform ``sizes[j]``-subset of ``range(num_nodes)``.

    Parameters
    ----------
    rng : numpy.random.Generator
    num_nodes : int
    sizes : int64 array, shape (M,)
        Each in ``[0, num_nodes]``.

    Returns
    -------
    int64 array, shape (sum(sizes),)
        Members of row 0, then row 1, ... (row ``j`` holds ``sizes[j]`` distinct ids).

    Notes
    -----
    Rows with :math:`s \le N/2` draw :math:`s` ids with replacement and redraw
    only the slots that repeat an id of their row, until none does; rows with
    :math:`s > N/2` draw the :math:`N - s` ids to *leave out* the same way and
    take the complement. The procedure treats node labels symmetrically, so the
    result is invariant under every permutation of the nodes; the only such
    distribution on :math:`s`-subsets is the uniform one — so it is exact.
    Expected rounds are :math:`O(\log s)` since a slot repeats with probability
    at most :math:`1/2`; cost :math:`O(\sum_j \min(s_j, N - s_j) \log)` plus
    :math:`O(N)` per complemented row (whose output is :math:`\ge N/2` anyway).
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    big = sizes * 2 > num_nodes
    draw = np.where(big, num_nodes - sizes, sizes)
    total = int(draw.sum())
    row = np.repeat(np.arange(sizes.size, dtype=np.int64), draw)
    vals = rng.integers(0, max(num_nodes, 1), size=total, dtype=np.int64)
    pending = np.arange(total)
    while pending.size:  # rounds of redraws, not a loop over rows
        keys = row * num_nodes + vals
        order = np.argsort(keys, kind="stable")  # stable: the first occurrence wins
        dup_sorted = np.zeros(total, dtype=bool)
        dup_sorted[1:] = keys[order][1:] == keys[order][:-1]
        pending = order[dup_sorted]
        vals[pending] = rng.integers(0, num_nodes, size=pending.size, dtype=np.int64)
    if not big.any():
        return vals
    # rows drawn directly keep their values; complemented rows become a mask
    small_rows = ~big[row]
    direct = vals[small_rows]
    direct_row = row[small_rows]
    big_ids = np.flatnonzero(big)
    mask = np.ones((big_ids.size, num_nodes), dtype=bool)
    pos = np.searchsorted(big_ids, row[~small_rows])
    mask[pos, vals[~small_rows]] = False
    brow, bcol = np.nonzero(mask)
    all_rows = np.concatenate([direct_row, big_ids[brow]])
    all_vals = np.concatenate([direct, bcol])
    order = np.argsort(all_rows, kind="stable")
    return all_vals[order]


def draw_hyperedge_sizes(rng: np.random.Generator, num_hyperedges: int, num_nodes: int,
                         size_distribution: Union[int, str, Sequence[int]], *,
                         mean_size: float = 3.0, exponent: float = 2.5, min_size: int = 2,
                         max_size: Optional[int] = None, owner: str = "random_hypergraph"
                         ) -> np.ndarray:
    """Hyperedge sizes, int64 array of shape ``(num_hyperedges,)``; see :func:`random_hypergraph`."""
    max_size = num_nodes if max_size is None else check_int(max_size, "max_size", low=1,
                                                            high=num_nodes, owner=owner)
    # every size parameter is checked, whichever distribution reads it (no accepted nonsense)
    min_size = check_int(min_size, "min_size", low=1, high=max_size, owner=owner)
    mean_size = check_real(mean_size, "mean_size", low=0, closed="neither", owner=owner)
    exponent = check_real(exponent, "exponent", low=0.0, owner=owner)
    if isinstance(size_distribution, (int, np.integer)) and not isinstance(size_distribution, bool):
        k = check_int(size_distribution, "size_distribution", low=1, high=num_nodes, owner=owner)
        return np.full(num_hyperedges, k, dtype=np.int64)
    if isinstance(size_distribution, str):
        min_size = check_int(min_size, "min_size", low=1, high=max_size, owner=owner)
        if size_distribution == "poisson":
            mean_size = check_real(mean_size, "mean_size", low=min_size, high=max_size,
                                   owner=owner)
            support = np.arange(min_size, max_size + 1)
            # shifted Poisson conditioned on <= max_size, exact on the finite support
            from scipy.stats import poisson
            probs = poisson.pmf(support - min_size, mean_size - min_size)
        elif size_distribution == "powerlaw":
            exponent = check_real(exponent, "exponent", low=0.0, owner=owner)
            support = np.arange(min_size, max_size + 1)
            probs = support.astype(np.float64) ** -exponent
        else:
            raise ValueError(f"The 'size_distribution' parameter of {owner} must be an int "
                             f"(k-uniform), 'poisson', 'powerlaw' or a sequence of sizes. Got "
                             f"{size_distribution!r} instead.")
        probs = probs / probs.sum()
        return support[rng.choice(support.size, size=num_hyperedges, p=probs)].astype(np.int64)
    if isinstance(size_distribution, Tensor):
        size_distribution = size_distribution.tolist()
    try:
        sizes = np.asarray(list(size_distribution), dtype=np.int64)
    except (TypeError, ValueError):
        raise TypeError(f"The 'size_distribution' parameter of {owner} must be an int, "
                        f"'poisson', 'powerlaw' or a sequence of ints. Got "
                        f"{size_distribution!r} instead.") from None
    if sizes.size == 0 or sizes.min() < 1 or sizes.max() > num_nodes:
        raise ValueError(f"The 'size_distribution' parameter of {owner} must be a non-empty "
                         f"sequence of sizes in [1, {num_nodes}]. Got "
                         f"{sizes.tolist()[:10]} instead.")
    return sizes[rng.integers(0, sizes.size, size=num_hyperedges)]


@register_generator("random_hypergraph")
def random_hypergraph(num_nodes: int, num_hyperedges: int, *,
                      size_distribution: Union[int, str, Sequence[int]] = 3,
                      mean_size: float = 3.0, exponent: float = 2.5, min_size: int = 2,
                      max_size: Optional[int] = None, seed: Seed = None) -> HyperGraphData:
    r"""Random hypergraph: i.i.d. hyperedge sizes, members uniform without repetition.

    Parameters
    ----------
    num_nodes : int
        ``N >= 1``.
    num_hyperedges : int
        ``M >= 0``.
    size_distribution : int, {"poisson", "powerlaw"} or sequence of int
        * ``k`` (int): every hyperedge has ``k`` members (k-uniform);
        * ``"poisson"``: :math:`s = s_{min} + \mathrm{Poisson}(\bar s - s_{min})`
          conditioned on :math:`s \le s_{max}` (mean ``mean_size`` before truncation);
        * ``"powerlaw"``: :math:`P(s) \propto s^{-\gamma}` on
          :math:`[s_{min}, s_{max}]` (``exponent`` :math:`\gamma`);
        * a sequence: an empirical sample, each size drawn uniformly from it
          (so its histogram is the size distribution).
    mean_size, exponent, min_size, max_size
        Parameters of the named distributions; ``max_size`` defaults to ``N``.
    seed : int, torch.Generator or None

    Returns
    -------
    HyperGraphData
        ``edge_index`` LongTensor of shape ``(2, sum of sizes)``, ``num_nodes = N``.

    Notes
    -----
    Sizes are drawn exactly from the stated finite distribution; members by
    :func:`uniform_members`. Hyperedges are independent, so two may coincide
    (a multi-hypergraph, as in the Chung–Lu-style models). Cost
    :math:`O(\sum_j s_j)` expected, plus :math:`O(s_{max})` for the size table.

    Examples
    --------
    >>> h = random_hypergraph(20, 5, size_distribution=3, seed=0)
    >>> h.edge_index.shape, h.num_nodes
    (torch.Size([2, 15]), 20)
    """
    owner = "random_hypergraph"
    num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
    num_hyperedges = check_int(num_hyperedges, "num_hyperedges", low=0, owner=owner)
    rng = numpy_rng(as_generator(seed))
    sizes = draw_hyperedge_sizes(rng, num_hyperedges, num_nodes, size_distribution,
                                 mean_size=mean_size, exponent=exponent, min_size=min_size,
                                 max_size=max_size, owner=owner)
    nodes = uniform_members(rng, num_nodes, sizes)
    edges = np.repeat(np.arange(num_hyperedges, dtype=np.int64), sizes)
    return hypergraph_data(nodes, edges, num_nodes)


@register_generator("planted_hypergraph")
def planted_hypergraph(num_nodes: int, num_hyperedges: int, num_blocks: int, *,
                       size_distribution: Union[int, str, Sequence[int]] = 3,
                       mixing_prob: float = 0.0, seed: Seed = None) -> HyperGraphData:
    r"""Hypergraph with planted communities: most hyperedges lie inside one block.

    Node ``v`` is in block ``v mod B`` (``y`` holds it). Each hyperedge picks a
    block uniformly; with probability ``1 - mixing_prob`` its members are a uniform
    subset of that block, otherwise of all nodes. Sizes as in
    :func:`random_hypergraph` (capped by the smallest block, which must fit them).

    Parameters
    ----------
    num_nodes, num_hyperedges, num_blocks : int
    size_distribution : int, str or sequence of int
    mixing_prob : float in [0, 1]
    seed : int, torch.Generator or None

    Returns
    -------
    HyperGraphData
        With ``y``: LongTensor of shape ``(num_nodes,)``, the block of each node.

    Notes
    -----
    A hyperedge-prediction task with a known answer: a learned model should
    score within-block node sets above random ones. Cost :math:`O(\sum_j s_j)`.

    Examples
    --------
    >>> h = planted_hypergraph(40, 10, 4, seed=0)
    >>> h.y.bincount().tolist()
    [10, 10, 10, 10]
    """
    owner = "planted_hypergraph"
    num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
    num_hyperedges = check_int(num_hyperedges, "num_hyperedges", low=0, owner=owner)
    num_blocks = check_int(num_blocks, "num_blocks", low=1, high=num_nodes, owner=owner)
    mixing_prob = check_real(mixing_prob, "mixing_prob", low=0.0, high=1.0, owner=owner)
    rng = numpy_rng(as_generator(seed))
    block_size = num_nodes // num_blocks
    sizes = draw_hyperedge_sizes(rng, num_hyperedges, block_size, size_distribution, owner=owner,
                                 max_size=block_size, min_size=min(2, block_size))
    mixed = rng.random(num_hyperedges) < mixing_prob
    block = rng.integers(0, num_blocks, size=num_hyperedges)
    nodes = np.empty(int(sizes.sum()), dtype=np.int64)
    owner_row = np.repeat(np.arange(num_hyperedges), sizes)
    for flag, pool in ((False, block_size), (True, num_nodes)):  # two groups, not a row loop
        rows = np.flatnonzero(mixed == flag)
        sel = np.isin(owner_row, rows)
        local = uniform_members(rng, pool, sizes[rows])
        if not flag:  # local index i of block b is node i*B + b (node v is in block v mod B)
            local = local * num_blocks + np.repeat(block[rows], sizes[rows])
        nodes[sel] = local
    y = torch.from_numpy(np.arange(num_nodes, dtype=np.int64) % num_blocks)
    return hypergraph_data(nodes, owner_row, num_nodes, y=y)


@register_generator("hypergraph_configuration")
def hypergraph_configuration_model(node_degrees: Sequence[int], hyperedge_sizes: Sequence[int],
                                   *, max_tries: int = 1000, seed: Seed = None
                                   ) -> HyperGraphData:
    r"""Configuration model: a uniform simple hypergraph with given degrees and sizes.

    Model: **stub matching with rejection**. Node ``v`` gets ``d_v`` stubs,
    hyperedge ``j`` gets ``s_j`` slots; a uniform random permutation fills the
    slots with the stubs. A matching that puts a node twice into one hyperedge
    is rejected *as a whole* and redrawn (no local repair, which would bias the
    result). Every simple hypergraph with the given (labelled) degrees and
    sizes arises from exactly :math:`\prod_v d_v! \prod_j s_j!` matchings, so
    the accepted result is uniform over them — the vertex-labelled model of
    Chodrow (2020), here by rejection rather than by his MCMC.

    Parameters
    ----------
    node_degrees : sequence of int, length N
        Each ``>= 0``.
    hyperedge_sizes : sequence of int, length M
        Each in ``[1, N]``; ``sum(hyperedge_sizes) == sum(node_degrees)``.
    max_tries : int, default 1000
        Matchings drawn before giving up.
    seed : int, torch.Generator or None

    Returns
    -------
    HyperGraphData

    Raises
    ------
    ValueError
        Mismatched sums, bad sizes, or no simple matching within ``max_tries``
        (acceptance falls fast with heavy-tailed degrees and sizes:
        roughly :math:`\exp(-\sum_j \binom{s_j}{2} \langle d(d-1)\rangle / \langle d \rangle^2)`).

    Notes
    -----
    Cost :math:`O(T \cdot nnz \log nnz)` for :math:`T` tries (expected
    ``1 / acceptance``).

    References
    ----------
    P. S. Chodrow, "Configuration models of random hypergraphs",
    Journal of Complex Networks 8(3), 2020.

    Examples
    --------
    >>> h = hypergraph_configuration_model([2, 2, 1, 1], [3, 3], seed=0)
    >>> torch.bincount(h.edge_index[0]).tolist(), torch.bincount(h.edge_index[1]).tolist()
    ([2, 2, 1, 1], [3, 3])
    """
    owner = "hypergraph_configuration_model"
    degrees = _int_array(node_degrees, "node_degrees", owner, low=0)
    sizes = _int_array(hyperedge_sizes, "hyperedge_sizes", owner, low=1)
    num_nodes = degrees.size
    if sizes.size and sizes.max() > num_nodes:
        raise ValueError(f"The 'hyperedge_sizes' parameter of {owner} must hold sizes in "
                         f"[1, {num_nodes}] (a hyperedge has distinct members). Got "
                         f"{int(sizes.max())} instead.")
    if degrees.sum() != sizes.sum():
        raise ValueError(f"The 'node_degrees' and 'hyperedge_sizes' parameters of {owner} must "
                         f"have equal sums (stubs = slots). Got {int(degrees.sum())} and "
                         f"{int(sizes.sum())} instead.")
    max_tries = check_int(max_tries, "max_tries", low=1, owner=owner)
    rng = numpy_rng(as_generator(seed))
    stubs = np.repeat(np.arange(num_nodes, dtype=np.int64), degrees)
    edges = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    for _ in range(max_tries):  # whole-matching rejection rounds
        nodes = rng.permutation(stubs)
        keys = np.sort(edges * max(num_nodes, 1) + nodes)
        if not (keys[1:] == keys[:-1]).any():
            return hypergraph_data(nodes, edges, num_nodes)
    raise ValueError(f"{owner}: no simple matching (no node twice in a hyperedge) found in "
                     f"max_tries={max_tries} tries; the degree/size sequences are too "
                     f"heterogeneous for rejection. Raise max_tries.")


@register_generator("hypergraph_reshuffle")
def reshuffle_hypergraph(hypergraph, num_rounds: int = 100, *, num_nodes: Optional[int] = None,
                         seed: Seed = None) -> HyperGraphData:
    r"""Degree- and size-preserving randomisation by pairwise reshuffles (Chodrow's MCMC).

    Starting from an observed simple hypergraph, each round pairs the
    hyperedges at random (a uniform random matching) and *reshuffles* every
    pair :math:`(E, F)` at once: nodes of :math:`E \cap F` stay in both, the
    :math:`|E 	riangle F|` others are redistributed uniformly so that the sizes
    :math:`|E|, |F|` are kept. Node degrees, hyperedge sizes and simplicity are
    preserved exactly.

    Parameters
    ----------
    hypergraph : HyperGraphData or LongTensor, shape (2, nnz)
        The start state (simple: no node twice in a hyperedge).
    num_rounds : int, default 100
        Rounds; each touches every hyperedge (but one, when ``M`` is odd) once.
    num_nodes : int, optional
    seed : int, torch.Generator or None

    Returns
    -------
    HyperGraphData

    Notes
    -----
    A reshuffle of one pair is a Gibbs update: given all other hyperedges, it
    draws the pair uniformly among the configurations with the same degrees,
    sizes and simplicity. Gibbs updates leave the uniform law invariant, and
    updates on disjoint pairs commute, so a whole round does too; Chodrow
    (2020) shows the pairwise-reshuffle chain is irreducible on the simple
    vertex-labelled configurations, whose uniform law is its stationary law.
    This is the model of :func:`hypergraph_configuration_model` reached by MCMC
    where rejection is hopeless (heavy-tailed degrees). Mixing is not
    certified: use enough rounds (the result is a sample after
    ``num_rounds`` steps, not an exact draw). Cost
    :math:`O(nnz \log nnz)` per round, vectorised over all pairs.

    References
    ----------
    P. S. Chodrow, "Configuration models of random hypergraphs",
    Journal of Complex Networks 8(3), 2020.

    Examples
    --------
    >>> h = random_hypergraph(30, 20, size_distribution=[2, 3, 4], seed=0)
    >>> r = reshuffle_hypergraph(h, 10, seed=0)
    >>> torch.equal(torch.bincount(r.edge_index[0], minlength=30),
    ...             torch.bincount(h.edge_index[0], minlength=30))
    True
    """
    owner = "reshuffle_hypergraph"
    index, n = _index_of(hypergraph, num_nodes, owner)
    num_rounds = check_int(num_rounds, "num_rounds", low=0, owner=owner)
    rng = numpy_rng(as_generator(seed))
    nodes = index[0].numpy().copy()
    edges = index[1].numpy().copy()
    m = int(edges.max()) + 1 if edges.size else 0
    for _ in range(num_rounds):  # rounds of the chain; each round is vectorised over pairs
        perm = rng.permutation(m)
        pair = np.full(m, -1, dtype=np.int64)
        pair[perm[: m // 2 * 2]] = np.arange(m // 2 * 2) // 2
        side = np.zeros(m, dtype=np.int64)
        side[perm[1: m // 2 * 2: 2]] = 1
        p = pair[edges]
        active = p >= 0
        # a node is shared in its pair when it occurs twice there
        key = np.where(active, p * n + nodes, -1)
        order = np.argsort(key, kind="stable")
        ks = key[order]
        dup = np.zeros(ks.size, dtype=bool)
        dup[1:] = (ks[1:] == ks[:-1]) & (ks[1:] >= 0)
        dup[:-1] |= dup[1:]
        shared = np.empty_like(dup)
        shared[order] = dup
        free = np.flatnonzero(active & ~shared)
        if free.size == 0:
            continue
        # slots of each pair (E's free slots, then F's) receive its free nodes in random order
        fp = p[free]
        slot_order = np.lexsort((side[edges[free]], fp))
        node_order = np.lexsort((rng.random(free.size), fp))
        new_nodes = nodes.copy()
        new_nodes[free[slot_order]] = nodes[free[node_order]]
        nodes = new_nodes
    return hypergraph_data(nodes, edges, n)


def _int_array(values, param: str, owner: str, *, low: int) -> np.ndarray:
    if isinstance(values, Tensor):
        values = values.tolist()
    try:
        arr = np.asarray(list(values))
    except TypeError:
        raise TypeError(f"The '{param}' parameter of {owner} must be a sequence of ints. "
                        f"Got {values!r} instead.") from None
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"The '{param}' parameter of {owner} must be a sequence of ints. "
                        f"Got dtype {arr.dtype} instead.")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < low:
        raise ValueError(f"The '{param}' parameter of {owner} must hold ints >= {low}. "
                         f"Got {int(arr.min())} instead.")
    return arr


# --------------------------------------------------------------- converters
def to_bipartite(hypergraph, num_nodes: Optional[int] = None) -> Data:
    r"""Star expansion: the bipartite incidence graph of a hypergraph.

    Nodes ``0 .. N-1`` are the hypergraph's nodes, ``N .. N+M-1`` its hyperedges;
    ``(v, N + j)`` is an edge (both directions) when ``v`` is in hyperedge ``j``.

    Parameters
    ----------
    hypergraph : HyperGraphData or LongTensor, shape (2, nnz)
    num_nodes : int, optional

    Returns
    -------
    Data
        ``edge_index`` (2, 2 nnz), ``num_nodes = N + M`` and ``hyperedge_mask``
        (BoolTensor, shape (N + M,), True on hyperedge nodes). Cost ``O(nnz)``.

    Examples
    --------
    >>> g = to_bipartite(torch.tensor([[0, 1], [0, 0]]), 2)
    >>> g.edge_index.tolist(), g.hyperedge_mask.tolist()
    ([[0, 1, 2, 2], [2, 2, 0, 1]], [False, False, True])
    """
    index, n = _index_of(hypergraph, num_nodes, "to_bipartite")
    m = int(hyperedge_sizes(index).numel())
    u, e = index[0], index[1] + n
    edge_index = torch.cat([torch.stack([u, e]), torch.stack([e, u])], 1)
    mask = torch.zeros(n + m, dtype=torch.bool)
    mask[n:] = True
    return Data(edge_index=edge_index, num_nodes=n + m, hyperedge_mask=mask)


def from_bipartite(data: Data, hyperedge_mask: Optional[Tensor] = None) -> HyperGraphData:
    r"""A hypergraph from a bipartite graph: one side's nodes become hyperedges.

    Parameters
    ----------
    data : Data
        Bipartite graph (edges in one or both directions).
    hyperedge_mask : BoolTensor, shape (num_nodes,), optional
        True for the nodes that become hyperedges; defaults to
        ``data.hyperedge_mask``. Nodes keep their relative order on each side.

    Returns
    -------
    HyperGraphData
        Hyperedge ``j`` holds the neighbours of the ``j``-th masked node; ``x`` of
        the other side is carried over, and ``node_id`` / ``hyperedge_id`` map back
        to ``data``'s node ids.

    Raises
    ------
    ValueError
        An edge joins two nodes of one side, or a hyperedge node has no neighbour
        (it would be an empty hyperedge).

    Notes
    -----
    Inverse of :func:`to_bipartite`. Cost ``O(E log E)``.

    Examples
    --------
    >>> g = to_bipartite(torch.tensor([[0, 1, 1], [0, 0, 1]]), 2)
    >>> from_bipartite(g).edge_index.tolist()
    [[0, 1, 1], [0, 0, 1]]
    """
    owner = "from_bipartite"
    if hyperedge_mask is None:
        hyperedge_mask = getattr(data, "hyperedge_mask", None)
    n_all = int(data.num_nodes)
    if (not isinstance(hyperedge_mask, Tensor) or hyperedge_mask.dtype != torch.bool
            or hyperedge_mask.shape != (n_all,)):
        raise ValueError(f"The 'hyperedge_mask' parameter of {owner} must be a BoolTensor of "
                         f"shape ({n_all},). Got {getattr(hyperedge_mask, 'shape', hyperedge_mask)} "
                         f"instead.")
    ei = data.edge_index
    a, b = ei[0], ei[1]
    side_a, side_b = hyperedge_mask[a], hyperedge_mask[b]
    if bool((side_a == side_b).any()):
        k = int((side_a == side_b).nonzero()[0])
        raise ValueError(f"{owner}: data must be bipartite between masked and unmasked nodes. "
                         f"Got edge ({int(a[k])}, {int(b[k])}) inside one side instead.")
    node = torch.where(side_a, b, a)
    hedge = torch.where(side_a, a, b)
    node_ids = (~hyperedge_mask).nonzero().view(-1)
    edge_ids = hyperedge_mask.nonzero().view(-1)
    new_node = torch.full((n_all,), -1, dtype=torch.long)
    new_node[node_ids] = torch.arange(node_ids.numel())
    new_node[edge_ids] = torch.arange(edge_ids.numel())
    keys = np.unique((new_node[hedge] * max(node_ids.numel(), 1) + new_node[node]).numpy())
    n = node_ids.numel()
    edges, nodes = keys // max(n, 1), keys % max(n, 1)
    counts = np.bincount(edges, minlength=edge_ids.numel())
    if (counts == 0).any():
        j = int(np.flatnonzero(counts == 0)[0])
        raise ValueError(f"{owner}: hyperedge node {int(edge_ids[j])} has no neighbour; it would "
                         f"be an empty hyperedge.")
    attrs = {"node_id": node_ids, "hyperedge_id": edge_ids}
    if getattr(data, "x", None) is not None:
        attrs["x"] = data.x[node_ids]
    return hypergraph_data(nodes, edges, n, **attrs)


def to_clique_expansion(hypergraph, num_nodes: Optional[int] = None) -> Data:
    r"""Clique expansion: ``u ~ v`` when some hyperedge holds both.

    Parameters
    ----------
    hypergraph : HyperGraphData or LongTensor, shape (2, nnz)
    num_nodes : int, optional

    Returns
    -------
    Data
        Undirected (both directions, coalesced, no self-loops) ``edge_index`` and
        ``edge_weight`` (float): the number of hyperedges holding both endpoints.

    Notes
    -----
    :math:`W = H^\top H - \mathrm{diag}(H^\top H)`, one sparse product, cost
    :math:`O(\sum_j s_j^2)`.

    Examples
    --------
    >>> g = to_clique_expansion(torch.tensor([[0, 1, 2, 1, 2], [0, 0, 0, 1, 1]]))
    >>> g.edge_index.tolist(), g.edge_weight.tolist()
    ([[0, 0, 1, 1, 2, 2], [1, 2, 0, 2, 0, 1]], [1.0, 1.0, 1.0, 2.0, 1.0, 2.0])
    """
    index, n = _index_of(hypergraph, num_nodes, "to_clique_expansion")
    h = incidence_csr(index, n)
    w = sp.coo_matrix(h.T @ h)
    off = w.row != w.col
    row, col, val = w.row[off].astype(np.int64), w.col[off].astype(np.int64), w.data[off]
    order = np.lexsort((col, row))
    edge_index = torch.from_numpy(np.stack([row[order], col[order]]))
    return Data(edge_index=edge_index, edge_weight=torch.from_numpy(val[order].astype(np.float32)),
                num_nodes=n)
