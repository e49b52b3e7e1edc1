r"""Real graphs shipped offline, as undirected :class:`~torch_geometric.data.Data`.

================  =====  =====  ==================================  ================================================
name              nodes  edges  what                                source
================  =====  =====  ==================================  ================================================
``"karate"``      34     78     Zachary's karate club               :func:`networkx.karate_club_graph`
``"lesmis"``      77     254    Les Misérables co-appearances       :func:`networkx.les_miserables_graph`
``"florentine"``  15     20     Florentine marriages                :func:`networkx.florentine_families_graph`
``"davis"``       32     89     Davis southern women (bipartite)    :func:`networkx.davis_southern_women_graph`
``"roget"``       1022   3648   Roget's Thesaurus cross-references  ``roget_dat.txt.gz`` (shipped)
``"words"``       5757   14135  five-letter word ladder             ``words_dat.txt.gz`` (shipped)
================  =====  =====  ==================================  ================================================

Every loader returns ``edge_index`` with both directions, no self-loops, no
duplicates, ``num_nodes`` set, ``node_names`` (a list of str) and ``provenance``
(a str); nothing is downloaded. :func:`load_graph` picks one by name.

The user's own graph comes in through :func:`load_user_graph`: a shipped name, an
edge-list file (:func:`read_edge_list`: CSV, TSV or whitespace, header or not), a
``.pt`` file from ``graphneg generate``, a networkx graph, a PyG ``Data`` or a PyG
dataset, all returned in the same simple undirected form, with what was dropped
counted in ``num_dropped_self_loops`` and ``num_dropped_duplicates``.

The two shipped files are copied byte for byte from the ``examples/graph/``
folder of the networkx 3.6.1 source distribution on PyPI
(sha256 ``5e1c6d73…`` and ``9ee665e6…``); their headers say they are distributed
under the GNU LGPL with networkx and come from Knuth's Stanford GraphBase, which
"may be freely copied but please do not change it in any way" — they are shipped
unchanged.
"""
from __future__ import annotations

import copy
import gzip
import io
import os
import re
import warnings
from importlib import resources
from pathlib import Path
from typing import Callable, List, Sequence

import networkx as nx
import numpy as np
import torch
from torch_geometric.data import Data

from graphneg._validation import (
    check_bool,
    check_edge_index,
    check_instance,
    check_int,
    check_num_nodes,
    naming_lookups,
)
from graphneg.registry import Registry, did_you_mean

__all__ = ["GRAPHS", "load_graph", "graph_names", "karate_club_graph", "les_miserables_graph",
           "florentine_families_graph", "davis_southern_women_graph", "roget_graph",
           "words_graph", "read_edge_list", "load_user_graph"]

#: Real-graph loaders by short name.
GRAPHS: Registry[Callable[[], Data]] = Registry("graph")

_SGB = ("Stanford GraphBase (D. E. Knuth, The Stanford GraphBase: A Platform for "
        "Combinatorial Computing, ACM Press 1993), file {file} as shipped in the examples of "
        "the networkx 3.6.1 source distribution (LGPL header; 'may be freely copied but "
        "please do not change it'), copied unchanged into graphneg.datasets.")


def _dedupe(row, col, num_nodes: int, *,
            ordered: bool) -> "tuple[np.ndarray, np.ndarray, int, int]":
    """Drop self-loops and repeated pairs: ``(src, dst, num_self_loops, num_duplicates)``.

    ``ordered=False``: ``(u, v)`` and ``(v, u)`` are one pair, returned once as
    ``(min, max)``; ``ordered=True``: ordered pairs, each once. Sorted by
    ``(src, dst)``; one ``np.unique`` of int64 keys, ``O(E log E)``.
    """
    row, col = np.asarray(row, dtype=np.int64), np.asarray(col, dtype=np.int64)
    keep = row != col
    row, col = row[keep], col[keep]
    if not ordered:
        row, col = np.minimum(row, col), np.maximum(row, col)
    width = max(num_nodes, 1)
    keys = np.sort(row * width + col)
    keys = keys[np.concatenate([keys[:1] == keys[:1], keys[1:] != keys[:-1]])]
    return keys // width, keys % width, int((~keep).sum()), int(row.size - keys.size)


def _both_directions(lo: np.ndarray, hi: np.ndarray, num_nodes: int) -> torch.Tensor:
    """``edge_index`` with both directions of the pairs ``lo < hi``, sorted by (row, col)."""
    width = max(num_nodes, 1)
    keys = np.sort(np.concatenate([lo * width + hi, hi * width + lo]))
    return torch.from_numpy(np.stack([keys // width, keys % width]))


def _undirected(row: np.ndarray, col: np.ndarray, num_nodes: int, names: Sequence[str],
                provenance: str, **attrs) -> Data:
    """Both directions, no self-loops, no duplicates, sorted by (row, col)."""
    lo, hi, _, _ = _dedupe(row, col, num_nodes, ordered=False)
    data = Data(edge_index=_both_directions(lo, hi, num_nodes), num_nodes=num_nodes,
                **attrs)
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
    with naming_lookups("name", owner="load_graph"):
        return GRAPHS.get(name)()


def graph_names() -> List[str]:
    """Names accepted by :func:`load_graph`, sorted.

    Examples
    --------
    >>> graph_names()
    ['davis', 'florentine', 'karate', 'lesmis', 'roget', 'words']
    """
    return GRAPHS.names()


# --------------------------------------------------------------------------------------
# The user's own graph

#: First-line fields that mark a header in a file whose node ids are names.
_HEADER_WORDS = frozenset({
    "source", "target", "src", "dst", "from", "to", "u", "v", "head", "tail", "node1", "node2",
    "node_1", "node_2", "id1", "id2", "source_id", "target_id", "from_id", "to_id",
    "fromnodeid", "tonodeid", "sender", "receiver", "start", "end", "i", "j",
})
_COMMENT = ("#", "%")


def read_edge_list(path, *, num_nodes: "int | None" = None, delimiter: "str | None" = None,
                   header: "bool | None" = None, directed: bool = False,
                   relabel: bool = False) -> Data:
    r"""Read a graph from a CSV, TSV or whitespace-separated edge list.

    One edge per line: the first two fields are the node ids; further columns
    (weights, timestamps, labels, numeric or not) are ignored. Blank lines and
    lines whose first non-blank character is ``#`` or ``%`` are comments.

    Parameters
    ----------
    path : str or os.PathLike
    num_nodes : int, optional
        The node count; by default ``max id + 1`` for integer ids, the number of
        distinct names otherwise. Larger values add isolated nodes.
    delimiter : str, optional
        The field separator. By default ``","`` for ``.csv``, a tab for ``.tsv``,
        and otherwise guessed from the first data line (a comma, else a tab, else
        runs of whitespace). Double-quoted fields may hold the delimiter.
    header : bool, optional
        Whether the first data line names the columns. By default it does when its
        two fields are not numbers while the next line's are non-negative integers,
        or when both are usual column names (``source,target``, ``src dst``,
        ``from to``, ``u v``, ...).
    directed : bool
        ``False`` (default): each line is an undirected edge and ``edge_index``
        holds both directions. ``True``: each line is the arc ``(first, second)``.
    relabel : bool
        Integer ids are node indices as they stand (``0`` is node 0; a 1-based file
        has an isolated node 0). ``True`` relabels them ``0 .. N-1`` in increasing
        order and keeps the original ids, as strings, in ``node_names``.

    Returns
    -------
    Data
        ``edge_index`` LongTensor ``(2, E)`` sorted by ``(row, col)`` (both
        directions unless ``directed``), ``num_nodes``, ``provenance`` (the path),
        ``num_dropped_self_loops`` and ``num_dropped_duplicates`` (int: lines that
        repeated an edge already read, ``u v`` after ``v u`` included unless
        ``directed``), and ``node_names`` (list of str, index ``i`` the name of node
        ``i``) when ids are names or ``relabel`` is set. Ids that are not all
        non-negative integers are names: nodes are numbered in order of first
        appearance, padded with ``""`` up to ``num_nodes``.

    Raises
    ------
    FileNotFoundError
        When ``path`` is not a file.
    ValueError
        For an empty file, a line with fewer than two ids, an integer id not below
        ``num_nodes``; the message names the file and the line.

    Notes
    -----
    Self-loops and repeated edges are dropped (and counted): the result is a
    simple graph. The fields are split by pandas' C parser; cost ``O(file size)``
    plus one sort of the ``E`` edge keys, ``O(E log E)``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "friends.csv"
    >>> _ = path.write_text("source,target,weight\nann,bob,2\nbob,cat,1\nann,ann,5\n")
    >>> data = read_edge_list(path)
    >>> data.node_names, data.edge_index.tolist(), data.num_dropped_self_loops
    (['ann', 'bob', 'cat'], [[0, 1, 1, 2], [1, 0, 2, 1]], 1)
    """
    check_instance(path, "path", (str, os.PathLike), "a path (str or os.PathLike)",
                   owner="read_edge_list")
    import pandas as pd

    owner = "read_edge_list"
    name = os.fspath(path)
    delimiter = _check_delimiter(delimiter, owner)
    for param, value in (("directed", directed), ("relabel", relabel)):
        check_bool(value, param, owner=owner)
    if header is not None:
        check_bool(header, "header", owner=owner)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"No such edge-list file: {name!r}.{_close_files(name)}") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{name}: not a UTF-8 text file ({err.reason} at byte {err.start}); "
                         "an edge list is text, one edge per line.") from None
    body, line_no = _data_lines(text)
    if not line_no:
        what = "the file is empty" if not text.strip() else "it holds only comments"
        raise ValueError(f"{name}: no edges ({what}); expected one edge per line, "
                         "'source,target'.")
    first_lines = body.split("\n", 2)[:2]
    if delimiter is None:
        delimiter = _guess_delimiter(name, first_lines[0])
    if header is None:
        header = _looks_like_header(first_lines, delimiter)
    skip = int(header)
    if len(line_no) == skip:
        raise ValueError(f"{name}: no edges (only a header line); expected one edge per line "
                         "after it.")
    lines = _RowLines(body, line_no, skip)
    frame = _parse_fields(body, delimiter, skip, None, name, lines)
    integer = all(frame[c].dtype == np.int64 for c in (0, 1)) and int(frame.min().min()) >= 0
    if integer:  # the common case, parsed by the C reader straight into int64
        src, dst = frame[0].to_numpy(), frame[1].to_numpy()
    else:  # names; columns the reader turned into numbers are read again as text
        if not all(pd.api.types.is_string_dtype(frame[c]) for c in (0, 1)):
            frame = _parse_fields(body, delimiter, skip, str, name, lines)
        src_ids, dst_ids = frame[0].astype(str).str.strip(), frame[1].astype(str).str.strip()
        missing = ((src_ids == "") | (dst_ids == "")).to_numpy()
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise ValueError(_missing_id_message(name, *lines[row], delimiter))
    names = None
    if integer and relabel:
        ids, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
        src, dst = inverse[:src.size], inverse[src.size:]
        names = [str(i) for i in ids.tolist()]
    elif not integer:
        codes, uniques = pd.factorize(np.stack([src_ids.to_numpy(dtype=object),
                                                dst_ids.to_numpy(dtype=object)], 1).ravel())
        src, dst = codes[0::2].astype(np.int64), codes[1::2].astype(np.int64)
        names = [str(u) for u in uniques]
    needed = int(max(src.max(), dst.max())) + 1
    if num_nodes is None:
        num_nodes = needed
    else:
        num_nodes = check_int(num_nodes, "num_nodes", low=0, owner=owner)
        if num_nodes < needed:
            if names is not None:
                raise ValueError(f"The 'num_nodes' parameter of {owner} must be at least the "
                                 f"number of distinct node ids in {name} ({needed}). Got "
                                 f"{num_nodes} instead.")
            row = int(np.flatnonzero(np.maximum(src, dst) >= num_nodes)[0])
            raise ValueError(f"{name}, line {lines[row][0]}: node id {max(src[row], dst[row])} "
                             f"is not below num_nodes = {num_nodes}.")
    row, col, loops, dups = _dedupe(src, dst, num_nodes, ordered=directed)
    edge_index = (torch.from_numpy(np.stack([row, col])) if directed
                  else _both_directions(row, col, num_nodes))
    data = Data(edge_index=edge_index, num_nodes=num_nodes)
    if names is not None:
        data.node_names = names + [""] * (num_nodes - len(names))
    data.provenance = f"edge list {name}"
    data.num_dropped_self_loops, data.num_dropped_duplicates = loops, dups
    return data


#: A line without data: blank, or a comment (first non-blank character # or %).
_SKIP_LINE = re.compile(r"[ \t\f\v]*(?:[#%].*)?")
_ANY_SKIP_LINE = re.compile(r"^[ \t\f\v]*(?:[#%].*)?$", re.M)


def _data_lines(text: str) -> "tuple[str, Sequence[int]]":
    """The data lines joined by newlines, and their 1-based numbers in the file.

    Line ends are normalised to ``\\n``; a file without blank or comment lines (the
    usual case) is passed through without a Python pass over its lines.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if not _ANY_SKIP_LINE.search(text):
        return text, range(1, text.count("\n") + 2)
    lines = text.split("\n")
    line_no = [i for i, line in enumerate(lines, 1) if not _SKIP_LINE.fullmatch(line)]
    return "\n".join(lines[i - 1] for i in line_no), line_no


class _RowLines:
    """``rows[i]``: ``(line number, text)`` of parsed row ``i``, for error messages only."""

    def __init__(self, body: str, line_no: Sequence[int], skip: int):
        self.body, self.line_no, self.skip = body, line_no, skip

    def __getitem__(self, row: int) -> "tuple[int, str]":
        k = row + self.skip
        return self.line_no[k], self.body.split("\n")[k]


def _parse_fields(body: str, delimiter: "str | None", skip: int, dtype, name: str,
                  lines: _RowLines):
    """The first two columns, by pandas' C reader (``dtype=None`` infers int64)."""
    import pandas as pd

    try:
        return pd.read_csv(io.StringIO(body), sep=r"\s+" if delimiter is None else delimiter,
                           header=None, skiprows=skip, usecols=[0, 1], dtype=dtype,
                           keep_default_na=False, na_filter=False, skipinitialspace=True,
                           engine="c")
    except ValueError as err:  # "Usecols do not match columns": no line has a second field
        if "Usecols" not in str(err):
            raise ValueError(f"{name}: cannot be parsed as an edge list ({err}).") from None
        raise ValueError(_missing_id_message(name, *lines[0], delimiter)) from None


def _fields(line: str, delimiter: "str | None") -> List[str]:
    parts = line.split(delimiter) if delimiter is not None else line.split()
    return [p.strip().strip('"').strip() for p in parts]


def _looks_like_header(first_lines: List[str], delimiter: "str | None") -> bool:
    """Usual column names, or two fields that are not numbers above two integers."""
    top = _fields(first_lines[0], delimiter)
    if len(top) < 2:
        return False
    if {top[0].lower(), top[1].lower()} <= _HEADER_WORDS:
        return True
    below = _fields(first_lines[1], delimiter) if len(first_lines) > 1 else []
    return (not any(re.fullmatch(r"[+-]?[0-9.]+", f) for f in top[:2]) and len(below) >= 2
            and all(re.fullmatch(r"[0-9]+", f) for f in below[:2]))


def _check_delimiter(delimiter, owner: str) -> "str | None":
    if delimiter is None or (isinstance(delimiter, str) and len(delimiter) == 1
                             and delimiter not in "\"\n\r"):
        return delimiter
    raise ValueError(f"The 'delimiter' parameter of {owner} must be one character (not a quote "
                     f"or a newline) or None. Got {delimiter!r} instead.")


def _guess_delimiter(name: str, first_line: str) -> "str | None":
    """``","`` or a tab by extension or by the first data line; ``None`` is whitespace."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv" or (suffix != ".tsv" and "," in first_line):
        return ","
    if suffix == ".tsv" or "\t" in first_line.strip():
        return "\t"
    return None


def _missing_id_message(name: str, line_no: int, line: str, delimiter: "str | None") -> str:
    fields = line.split(delimiter) if delimiter is not None else line.split()
    if len(fields) < 2:
        return (f"{name}, line {line_no}: expected two node ids, got {len(fields)} field "
                f"({line.strip()!r}).")
    column = 1 if not fields[0].strip() else 2
    return (f"{name}, line {line_no}: expected two node ids, got an empty id in column "
            f"{column} ({line.strip()!r}).")


def _close_files(name: str) -> str:
    """`` Did you mean 'x'?`` among the files beside ``name``, else ``""``."""
    folder = Path(name).parent
    try:
        return did_you_mean(Path(name).name, [p.name for p in folder.iterdir() if p.is_file()])
    except OSError:
        return ""


def load_user_graph(source, *, delimiter: "str | None" = None, header: "bool | None" = None,
                    relabel: bool = False) -> Data:
    r"""Any graph a user brings, as an undirected simple :class:`Data`.

    Parameters
    ----------
    source
        One of

        * a shipped graph name (:func:`graph_names`; a name wins over a file of
          the same name in the working folder);
        * the path of an edge list (read by :func:`read_edge_list`);
        * the path of a ``.pt`` file written by ``graphneg generate -o g.pt``
          (``torch.save`` of a :class:`Data`) or holding an ``edge_index``
          LongTensor of shape ``(2, E)``; read with ``torch.load(weights_only=True)``
          and PyG's ``Data`` classes allowed, so no arbitrary pickle is executed;
        * a :class:`networkx.Graph` (also ``DiGraph``, ``MultiGraph``): nodes in
          ``graph.nodes()`` order, names in ``node_names``;
        * a PyG :class:`Data` (node attributes such as ``x``, ``y``, ``pos`` are
          kept; edge attributes are dropped, since edges are merged);
        * a PyG :class:`~torch_geometric.data.Dataset`, or a list or tuple of
          ``Data``: its first graph.
    delimiter, header, relabel
        Passed to :func:`read_edge_list` for edge-list paths.

    Returns
    -------
    Data
        ``edge_index`` LongTensor ``(2, 2M)``: both directions of ``M`` undirected
        edges, sorted by ``(row, col)``, no self-loops, no duplicates;
        ``num_nodes``; ``num_dropped_self_loops`` and ``num_dropped_duplicates``
        (int), what this call dropped from its input (a repeated ordered pair
        ``(u, v)`` for ``Data``, directed and multi-graphs; a repeated unordered
        pair for edge lists and undirected graphs; a missing reverse direction is
        added, not counted); ``provenance`` (str) unless the input had one.

    Raises
    ------
    ValueError
        For an unknown name (with "did you mean" suggestions), an empty dataset,
        a bad edge list (file and line named) or a ``.pt`` file that is not a graph.
    FileNotFoundError
        For a path (a name with a folder or an extension) that does not exist.
    TypeError
        For any other kind of object.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiGraph([("a", "b"), ("b", "a"), ("b", "b"), ("b", "c")])
    >>> data = load_user_graph(g)
    >>> data.edge_index.tolist(), data.num_dropped_duplicates, data.num_dropped_self_loops
    ([[0, 1, 1, 2], [1, 0, 2, 1]], 1, 1)
    >>> load_user_graph("karate").num_nodes
    34
    >>> load_user_graph("karat")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown graph 'karat': not a shipped graph and no file of that name. ... Did you mean 'karate'?
    """
    from torch_geometric.data import Dataset, HeteroData

    if isinstance(source, Data):
        return _simple_from_data(source, "a torch_geometric Data")
    if isinstance(source, HeteroData):
        raise TypeError("load_user_graph reads homogeneous graphs; got a HeteroData. Convert it "
                        "with HeteroData.to_homogeneous() first.")
    if isinstance(source, nx.Graph):
        return _simple_from_networkx(source)
    if isinstance(source, (Dataset, list, tuple)):
        if len(source) == 0:
            raise ValueError(f"The {type(source).__name__} given to load_user_graph holds no "
                             "graph.")
        first = source[0]
        if not isinstance(first, Data):
            raise TypeError(f"The first item of the {type(source).__name__} given to "
                            f"load_user_graph must be a torch_geometric Data. Got "
                            f"{type(first).__name__} instead.")
        return _simple_from_data(first, f"first graph of {type(source).__name__}")
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if isinstance(source, str) and source in GRAPHS:
            data = load_graph(source)
            data.num_dropped_self_loops = data.num_dropped_duplicates = 0
            return data
        path = Path(text)
        if path.is_file():
            if path.suffix.lower() == ".pt":
                return _simple_from_data(_load_pt(text), text)
            return read_edge_list(path, delimiter=delimiter, header=header, relabel=relabel)
        if path.suffix or os.sep in text or "/" in text:
            raise FileNotFoundError(f"No such graph file: {text!r}.{_close_files(text)}")
        known = ", ".join(repr(n) for n in GRAPHS.names())
        raise ValueError(f"Unknown graph {text!r}: not a shipped graph and no file of that name. "
                         f"Known graphs: {known}; or the path of an edge list (.csv, .tsv, "
                         f".txt) or of a .pt file written by graphneg generate."
                         f"{did_you_mean(text, GRAPHS.names())}")
    raise TypeError("The 'source' parameter is not a graph: load_user_graph takes a graph "
                    "name, a path, a networkx graph, a torch_geometric Data or Dataset. Got "
                    f"{type(source).__name__} instead.")


def _load_pt(path: str):
    """``torch.load(weights_only=True)`` with PyG's Data classes allowed."""
    import pickle

    from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
    from torch_geometric.data.storage import GlobalStorage

    try:
        with torch.serialization.safe_globals([Data, DataEdgeAttr, DataTensorAttr, GlobalStorage]):
            obj = torch.load(path, weights_only=True)
    except pickle.UnpicklingError as err:
        reason = str(err).strip().splitlines()[-1][:200]
        raise ValueError(f"{path}: not readable with torch.load(weights_only=True) ({reason}). "
                         "Only a torch_geometric Data (as written by 'graphneg generate -o "
                         "g.pt') or an edge_index tensor is read, never an arbitrary "
                         "pickle.") from None
    except (RuntimeError, EOFError) as err:
        raise ValueError(f"{path}: not a torch.save file ({str(err)[:200]}).") from None
    if isinstance(obj, torch.Tensor):
        edge_index = check_edge_index(obj, "edge_index", owner=path)
        obj = Data(edge_index=edge_index, num_nodes=check_num_nodes(None, edge_index))
    if not isinstance(obj, Data):
        raise ValueError(f"{path} holds a {type(obj).__name__}; expected a torch_geometric Data "
                         "(as written by 'graphneg generate -o g.pt') or an edge_index "
                         "LongTensor of shape (2, E).")
    return obj


def _simple_from_data(data: Data, provenance: str) -> Data:
    """A shallow copy of ``data`` with a simple undirected ``edge_index`` and the counts."""
    edge_index = data.edge_index
    if edge_index is None:
        edge_index = torch.empty(2, 0, dtype=torch.long)
    with warnings.catch_warnings():  # PyG warns when it infers from edge_index: max id + 1
        warnings.simplefilter("ignore", UserWarning)
        num_nodes = data.num_nodes
    edge_index = check_edge_index(edge_index, "edge_index", num_nodes=num_nodes,
                                  owner="load_user_graph")
    num_nodes = check_num_nodes(num_nodes, edge_index, owner="load_user_graph")
    row, col = edge_index.cpu().numpy()
    src, dst, loops, dups = _dedupe(row, col, num_nodes, ordered=True)
    lo, hi, _, _ = _dedupe(src, dst, num_nodes, ordered=False)
    out = copy.copy(data)
    for key in list(out.keys()):
        if key != "edge_index" and out.is_edge_attr(key):
            del out[key]
    out.edge_index = _both_directions(lo, hi, num_nodes)
    out.num_nodes = num_nodes
    out.num_dropped_self_loops, out.num_dropped_duplicates = loops, dups
    if "provenance" not in out:
        out.provenance = provenance
    return out


def _simple_from_networkx(graph: nx.Graph) -> Data:
    """Nodes in ``graph.nodes()`` order; directed and multi-edges counted as in the docs."""
    names = list(graph.nodes())
    index = {n: i for i, n in enumerate(names)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()],
                     dtype=np.int64).reshape(-1, 2)
    n = len(names)
    src, dst, loops, dups = _dedupe(edges[:, 0], edges[:, 1], n, ordered=graph.is_directed())
    lo, hi, _, _ = _dedupe(src, dst, n, ordered=False)
    data = Data(edge_index=_both_directions(lo, hi, n), num_nodes=n)
    data.node_names = [str(v) for v in names]
    data.provenance = f"networkx {type(graph).__name__}"
    data.num_dropped_self_loops, data.num_dropped_duplicates = loops, dups
    return data
