r"""Real graphs shipped offline, as undirected :class:`~torch_geometric.data.Data`.

| name | nodes | edges | what | source |
|---|---|---|---|---|
| ``"karate"`` | 34 | 78 | Zachary's karate club | :func:`networkx.karate_club_graph` |
| ``"lesmis"`` | 77 | 254 | Les Misérables co-appearances | :func:`networkx.les_miserables_graph` |
| ``"florentine"`` | 15 | 20 | Florentine marriages | :func:`networkx.florentine_families_graph` |
| ``"davis"`` | 32 | 89 | Davis southern women (bipartite) | :func:`networkx.davis_southern_women_graph` |
| ``"roget"`` | 1022 | 3648 | Roget's Thesaurus cross-references | ``roget_dat.txt.gz`` (shipped) |
| ``"words"`` | 5757 | 14135 | five-letter word ladder | ``words_dat.txt.gz`` (shipped) |

Every loader returns ``edge_index`` with both directions, no self-loops, no
duplicates, ``num_nodes`` set, ``node_names`` (a list of str) and ``provenance``
(a str); nothing is downloaded. :func:`load_graph` picks one by name.

The two shipped files are copied byte for byte from the ``examples/graph/``
folder of the networkx 3.6.1 source distribution on PyPI
(sha256 ``5e1c6d73…`` and ``9ee665e6…``); their headers say they are distributed
under the GNU LGPL with networkx and come from Knuth's Stanford GraphBase, which
"may be freely copied but please do not change it in any way" — they are shipped
unchanged.
"""
from __future__ import annotations

import gzip
import re
from importlib import resources
from typing import Callable, List, Sequence

import networkx as nx
import numpy as np
import torch
from torch_geometric.data import Data

from graphneg.registry import Registry

__all__ = ["GRAPHS", "load_graph", "graph_names", "karate_club_graph", "les_miserables_graph",
           "florentine_families_graph", "davis_southern_women_graph", "roget_graph",
           "words_graph"]

#: Real-graph loaders by short name.
GRAPHS: Registry[Callable[[], Data]] = Registry("graph")

_SGB = ("Stanford GraphBase (D. E. Knuth, The Stanford GraphBase: A Platform for "
        "Combinatorial Computing, ACM Press 1993), file {file} as shipped in the examples of "
        "the networkx 3.6.1 source distribution (LGPL header; 'may be freely copied but "
        "please do not change it'), copied unchanged into graphneg.datasets.")


def _undirected(row: np.ndarray, col: np.ndarray, num_nodes: int, names: Sequence[str],
                provenance: str, **attrs) -> Data:
    """Both directions, no self-loops, no duplicates, sorted by (row, col)."""
    row, col = np.asarray(row, dtype=np.int64), np.asarray(col, dtype=np.int64)
    keep = row != col
    lo, hi = np.minimum(row[keep], col[keep]), np.maximum(row[keep], col[keep])
    keys = np.unique(lo * num_nodes + hi)
    lo, hi = keys // num_nodes, keys % num_nodes
    both = np.concatenate([np.stack([lo, hi]), np.stack([hi, lo])], 1)
    order = np.lexsort((both[1], both[0]))
    data = Data(edge_index=torch.from_numpy(both[:, order]), num_nodes=num_nodes, **attrs)
    data.node_names = list(names)
    data.provenance = provenance
    return data


def _from_networkx(graph: nx.Graph, provenance: str, **attrs) -> Data:
    names = list(graph.nodes())
    index = {n: i for i, n in enumerate(names)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
    return _undirected(edges[:, 0], edges[:, 1], len(names), [str(n) for n in names],
                       provenance, **attrs)


@GRAPHS.register("karate")
def karate_club_graph() -> Data:
    """Zachary's karate club: 34 members, 78 friendships; ``y`` = faction after the split.

    Returns
    -------
    Data
        ``edge_index`` (2, 156), ``y`` LongTensor (34,) (0 = Mr. Hi, 1 = Officer).

    Notes
    -----
    Provenance: W. W. Zachary, "An information flow model for conflict and fission
    in small groups", J. Anthropological Research 33 (1977) 452–473; read from
    :func:`networkx.karate_club_graph` (installed with networkx).

    Examples
    --------
    >>> data = karate_club_graph()
    >>> data.num_nodes, data.edge_index.size(1), int(data.y.sum())
    (34, 156, 17)
    """
    g = nx.karate_club_graph()
    y = torch.tensor([int(g.nodes[n]["club"] != "Mr. Hi") for n in g.nodes()])
    return _from_networkx(g, "W. W. Zachary, J. Anthropological Research 33 (1977); "
                             f"networkx {nx.__version__} karate_club_graph()", y=y)


@GRAPHS.register("lesmis")
def les_miserables_graph() -> Data:
    """Co-appearance network of the characters of Hugo's *Les Misérables*: 77 nodes, 254 edges.

    ``edge_weight`` (FloatTensor, both directions) counts co-appearances.

    Notes
    -----
    Provenance: D. E. Knuth, The Stanford GraphBase (1993), ``jean.dat``; read from
    :func:`networkx.les_miserables_graph`. The hypergraph version is
    :func:`graphneg.datasets.les_miserables`.

    Examples
    --------
    >>> les_miserables_graph().edge_index.size(1)
    508
    """
    g = nx.les_miserables_graph()
    data = _from_networkx(g, "D. E. Knuth, Stanford GraphBase jean.dat; "
                             f"networkx {nx.__version__} les_miserables_graph()")
    index = {n: i for i, n in enumerate(g.nodes())}
    w = {}
    for u, v, d in g.edges(data=True):
        w[(index[u], index[v])] = w[(index[v], index[u])] = float(d.get("weight", 1.0))
    ei = data.edge_index.tolist()
    data.edge_weight = torch.tensor([w[(a, b)] for a, b in zip(*ei)])
    return data


@GRAPHS.register("florentine")
def florentine_families_graph() -> Data:
    """Marriage ties among 15 Renaissance Florentine families (20 edges).

    Notes
    -----
    Provenance: J. F. Padgett and C. K. Ansell, "Robust action and the rise of the
    Medici, 1400–1434", American J. Sociology 98 (1993); read from
    :func:`networkx.florentine_families_graph` (the Pucci family, isolated, is absent).

    Examples
    --------
    >>> florentine_families_graph().num_nodes
    15
    """
    return _from_networkx(nx.florentine_families_graph(),
                          "Padgett & Ansell, Am. J. Sociology 98 (1993); networkx "
                          f"{nx.__version__} florentine_families_graph()")


@GRAPHS.register("davis")
def davis_southern_women_graph() -> Data:
    """Bipartite attendance graph: 18 women, 14 events, 89 attendances.

    ``node_type`` (LongTensor, (32,)): 0 for a woman, 1 for an event. Negatives
    that respect the bipartition use ``candidate_mask=node_type == 1`` for women
    anchors. The hypergraph version is :func:`graphneg.datasets.davis_southern_women`.

    Notes
    -----
    Provenance: A. Davis, B. B. Gardner and M. R. Gardner, *Deep South*,
    University of Chicago Press 1941; read from
    :func:`networkx.davis_southern_women_graph`.

    Examples
    --------
    >>> d = davis_southern_women_graph()
    >>> d.num_nodes, d.edge_index.size(1) // 2, int(d.node_type.sum())
    (32, 89, 14)
    """
    g = nx.davis_southern_women_graph()
    node_type = torch.tensor([int(g.nodes[n]["bipartite"]) for n in g.nodes()])
    return _from_networkx(g, "Davis, Gardner & Gardner, Deep South (1941); networkx "
                             f"{nx.__version__} davis_southern_women_graph()",
                          node_type=node_type)


def _read_shipped(name: str) -> List[str]:
    with resources.files("graphneg.datasets").joinpath(name).open("rb") as raw:
        with gzip.open(raw, "rt", encoding="utf-8") as fh:
            return [line for line in fh if not line.startswith("*")]


@GRAPHS.register("roget")
def roget_graph() -> Data:
    r"""Roget's Thesaurus (1879): 1022 categories, an edge when one cross-references the other.

    Returns
    -------
    Data
        1022 nodes, 3648 undirected edges (7296 columns); ``node_names`` are the
        category names ("existence", ...).

    Notes
    -----
    The directed cross-references (5075 arcs, one a self-reference) are symmetrised and self-references
    dropped. Provenance: Stanford GraphBase ``roget.dat`` as networkx's
    ``roget_dat.txt.gz`` (shipped unchanged; see the module docstring).
    Parsing is ``O(file size)``.

    Examples
    --------
    >>> g = roget_graph()
    >>> g.num_nodes, g.edge_index.size(1) // 2, g.node_names[0]
    (1022, 3648, 'existence')
    """
    text = "".join(_read_shipped("roget_dat.txt.gz")).replace("\\\n", " ")
    heads, tails, names = [], [], {}
    for m in re.finditer(r"^(\d+)([^:]*):([^\n]*)$", text, flags=re.M):
        head = int(m.group(1)) - 1
        names[head] = m.group(2).strip()
        targets = [int(t) - 1 for t in m.group(3).split()]
        heads += [head] * len(targets)
        tails += targets
    num_nodes = max(names) + 1
    return _undirected(np.array(heads), np.array(tails), num_nodes,
                       [names.get(i, str(i)) for i in range(num_nodes)],
                       _SGB.format(file="roget.dat (roget_dat.txt.gz)"))


@GRAPHS.register("words")
def words_graph() -> Data:
    r"""Knuth's word ladder: 5757 five-letter English words, an edge when two differ in one letter.

    Returns
    -------
    Data
        5757 nodes (sorted words in ``node_names``), 14135 undirected edges.

    Notes
    -----
    For each position ``i`` the words are grouped by the word with letter ``i``
    masked; every pair inside a group is an edge. Vectorised with a sort per
    position and one comparison per offset inside groups (groups hold at most 26
    words): ``O(5 n log n + 5·26·n)``. Provenance: Stanford GraphBase ``words.dat``
    as networkx's ``words_dat.txt.gz`` (shipped unchanged; see the module docstring).

    Examples
    --------
    >>> g = words_graph()
    >>> g.num_nodes, g.edge_index.size(1) // 2
    (5757, 14135)
    """
    words = np.array(sorted({line[:5] for line in _read_shipped("words_dat.txt.gz")}))
    n = words.size
    letters = words.view("<U1").reshape(n, 5)
    rows, cols = [], []
    for i in range(5):  # five positions
        masked = np.delete(letters, i, axis=1).copy().view(f"<U4").ravel()
        order = np.argsort(masked, kind="stable")
        key = masked[order]
        for off in range(1, 26):
            same = key[off:] == key[:-off]
            if not same.any():
                break
            rows.append(order[:-off][same])
            cols.append(order[off:][same])
    return _undirected(np.concatenate(rows), np.concatenate(cols), n, words.tolist(),
                       _SGB.format(file="words.dat (words_dat.txt.gz)"))


def load_graph(name: str) -> Data:
    """Load a shipped real graph by name (see :func:`graph_names`).

    Examples
    --------
    >>> load_graph("karate").num_nodes
    34
    """
    return GRAPHS.get(name)()


def graph_names() -> List[str]:
    """Names accepted by :func:`load_graph`, sorted.

    Examples
    --------
    >>> graph_names()
    ['davis', 'florentine', 'karate', 'lesmis', 'roget', 'words']
    """
    return GRAPHS.names()
