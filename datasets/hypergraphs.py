r"""Real hypergraphs shipped offline, as :class:`~torch_geometric.data.HyperGraphData`.

* :func:`davis_southern_women` — 18 women x 14 social events (Davis, Gardner &
  Gardner 1941), read from :func:`networkx.davis_southern_women_graph`.
* :func:`les_miserables` — characters of Hugo's novel grouped by encounter or
  by chapter (Knuth's Stanford GraphBase ``jean.dat``), shipped here as
  ``lesmis_jean.txt``.

* :func:`film_casts` — films as hyperedges over their actors (Wikidata, CC0), read
  from the ``movies.db`` that the ``bokeh-sampledata`` package ships (the ``geo``
  extra): thousands of hyperedges, the largest real hypergraph available offline here.

Nothing is downloaded. All return node names and provenance in attributes
(``node_names``, ``hyperedge_names``, ``provenance``).
"""
from __future__ import annotations

import re
from importlib import resources
from typing import List, Tuple

import numpy as np
import torch
from torch_geometric.data.hypergraph_data import HyperGraphData

from graphneg._validation import check_bool, check_int, check_option

__all__ = ["davis_southern_women", "les_miserables", "film_casts"]

DAVIS_PROVENANCE = (
    "A. Davis, B. B. Gardner and M. R. Gardner, Deep South, University of Chicago Press, "
    "1941 (participation of 18 women in 14 social events, Natchez, Mississippi, 1930s); "
    "table as shipped by networkx.davis_southern_women_graph (networkx "
    "{version}), cf. L. C. Freeman, 'Finding social groups', 2003.")

LESMIS_PROVENANCE = (
    "D. E. Knuth, The Stanford GraphBase, Addison-Wesley, 1993, data file jean.dat "
    "(encounters of 80 characters in the 356 chapters of V. Hugo's Les Miserables), as "
    "transcribed in HyperNetX 2.4.3 (BSD-3-Clause, Battelle Memorial Institute); shipped "
    "as graphneg/datasets/lesmis_jean.txt.")


def _build(members: List[List[int]], num_nodes: int, **attrs) -> HyperGraphData:
    sizes = np.array([len(m) for m in members], dtype=np.int64)
    nodes = np.fromiter((v for m in members for v in m), dtype=np.int64, count=int(sizes.sum()))
    edges = np.repeat(np.arange(len(members), dtype=np.int64), sizes)
    order = np.lexsort((nodes, edges))
    edge_index = torch.from_numpy(np.stack([nodes[order], edges[order]]))
    return HyperGraphData(edge_index=edge_index, num_nodes=num_nodes, **attrs)


def davis_southern_women() -> HyperGraphData:
    """The Southern Women hypergraph: events are hyperedges over the women who attended.

    Returns
    -------
    HyperGraphData
        ``num_nodes = 18`` (women, networkx's order), 14 hyperedges (events
        E1..E14), 89 incidences; ``node_names``, ``hyperedge_names`` (lists of str)
        and ``provenance`` (str).

    Notes
    -----
    The classic two-mode data set of social network analysis; two overlapping
    cliques of women are known (Freeman 2003), so hyperedge overlap is high.

    References
    ----------
    A. Davis, B. B. Gardner, M. R. Gardner, *Deep South*, 1941.

    Examples
    --------
    >>> h = davis_southern_women()
    >>> h.num_nodes, int(h.edge_index[1].max()) + 1, h.edge_index.size(1)
    (18, 14, 89)
    """
    import networkx as nx

    g = nx.davis_southern_women_graph()
    women, events = g.graph["top"], g.graph["bottom"]
    index = {w: i for i, w in enumerate(women)}
    members = [sorted(index[w] for w in g.neighbors(e)) for e in events]
    return _build(members, len(women), node_names=list(women), hyperedge_names=list(events),
                  provenance=DAVIS_PROVENANCE.format(version=nx.__version__))


def _read_lesmis() -> Tuple[List[Tuple[str, str]], List[Tuple[str, List[List[str]]]]]:
    text = resources.files("graphneg.datasets").joinpath("lesmis_jean.txt").read_text("utf-8")
    section, people, chapters = None, [], []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "characters":
            code, rest = line.split(" ", 1)
            people.append((code, rest.split(",", 1)[0]))
        else:
            chapter, _, body = line.partition(":")
            chapters.append((chapter, [enc.split(",") for enc in body.split(";")] if body else []))
    return people, chapters


def les_miserables(by: str = "encounter", *, min_size: int = 1,
                   deduplicate: bool = False) -> HyperGraphData:
    r"""Les Misérables as a hypergraph of characters.

    Parameters
    ----------
    by : {"encounter", "chapter"}
        ``"encounter"``: each encounter Knuth lists is a hyperedge (the characters
        who meet); ``"chapter"``: all characters met in a chapter form one.
    min_size : int, default 1
        Hyperedges with fewer members are left out (``2`` drops lone appearances).
    deduplicate : bool, default False
        Keep only the first of identical member sets (otherwise a multi-hypergraph).

    Returns
    -------
    HyperGraphData
        ``num_nodes = 80`` characters (Knuth's order), ``node_names`` (full names),
        ``node_codes`` (Knuth's two-letter codes), ``hyperedge_names`` (chapter
        ``"volume.book.chapter"``, with ``"#k"`` for the ``k``-th encounter),
        ``provenance``.

    References
    ----------
    D. E. Knuth, *The Stanford GraphBase*, 1993.

    Examples
    --------
    >>> h = les_miserables("chapter", min_size=2)
    >>> h.num_nodes, h.hyperedge_names[0]
    (80, '1.1.1')
    """
    owner = "les_miserables"
    by = check_option(by, "by", ("encounter", "chapter"), owner=owner)
    min_size = check_int(min_size, "min_size", low=1, owner=owner)
    deduplicate = check_bool(deduplicate, "deduplicate", owner=owner)
    people, chapters = _read_lesmis()
    index = {code: i for i, (code, _) in enumerate(people)}
    members, names, seen = [], [], set()
    for chapter, encounters in chapters:  # 356 chapters of a text file: I/O, not a hot path
        groups = ([(chapter, sum(encounters, []))] if by == "chapter" else
                  [(f"{chapter}#{k}", enc) for k, enc in enumerate(encounters)])
        for name, codes in groups:
            m = sorted({index[c] for c in codes if c})
            key = tuple(m)
            if len(m) < min_size or (deduplicate and key in seen):
                continue
            seen.add(key)
            members.append(m)
            names.append(name)
    full = [re.sub(r"\\[`'^c]\{?(\w)\}?", r"\1", name) for _, name in people]
    return _build(members, len(people), node_names=full, node_codes=[c for c, _ in people],
                  hyperedge_names=names, provenance=LESMIS_PROVENANCE)


FILMS_PROVENANCE = (
    "Casts of the films in the 'omdb' table of movies.db as shipped by bokeh-sampledata "
    "{version} (Wikidata snapshot retrieved 2026-10-18, CC0-1.0; 17,472 films, publication "
    "years 1940-2014); films from {first} on, actors with at least {min_films} of them.")


def film_casts(*, min_films: int = 8, first_year: int = 2005) -> HyperGraphData:
    r"""Films as hyperedges over their casts: a co-acting hypergraph (real, offline).

    Parameters
    ----------
    min_films : int, default 8
        Actors kept: those in at least this many of the selected films (counted within
        them); a film's hyperedge holds its kept actors, films with fewer than two
        are left out.
    first_year : int, default 2005
        Films published in this year or later (the table ends in 2014).

    Returns
    -------
    HyperGraphData
        ``node_names`` (actors, sorted), ``hyperedge_names`` (``"Title (Year)"``),
        ``provenance``. At the defaults: 1,685 actors, 3,451 hyperedges, mean size 5.8.

    Notes
    -----
    Reads the ``movies.db`` SQLite file of ``bokeh_sampledata`` (install ``graphneg[geo]``);
    cost :math:`O(\text{cast entries})`.

    Examples
    --------
    >>> h = film_casts(min_films=5, first_year=2012)
    >>> h.num_nodes, int(h.edge_index[1].max()) + 1, h.hyperedge_names[0]
    (671, 880, 'Skyfall (2012)')
    """
    import importlib
    import sqlite3

    owner = "film_casts"
    min_films = check_int(min_films, "min_films", low=1, owner=owner)
    first_year = check_int(first_year, "first_year", low=1000, high=2014, owner=owner)
    try:
        sample = importlib.import_module("bokeh_sampledata")
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("film_casts needs the 'bokeh-sampledata' package: pip install "
                          "bokeh-sampledata (or graphneg[geo]).") from err
    with sqlite3.connect(f"file:{sample.package_path('movies.db')}?mode=ro", uri=True) as db:
        rows = db.execute('SELECT "Title", "Year", "Cast" FROM omdb WHERE "Year" >= ? '
                          'ORDER BY "ID"', (first_year,)).fetchall()
    casts = [sorted({a.strip() for a in (cast or "").split(",") if a.strip()})
             for _, _, cast in rows]
    names, counts = np.unique(np.array([a for c in casts for a in c], dtype=object),
                              return_counts=True)
    kept = {a: i for i, a in enumerate(names[counts >= min_films])}
    members, titles = [], []
    for (title, year, _), cast in zip(rows, casts):  # one pass over a table read from disk
        m = [kept[a] for a in cast if a in kept]
        if len(m) >= 2:
            members.append(sorted(m))
            titles.append(f"{title} ({year})")
    if not members:
        raise ValueError(f"The 'min_films' parameter of {owner} leaves no film with two kept "
                         f"actors from {first_year} on. Got min_films={min_films} instead.")
    version = getattr(sample, "__version__", "?")
    return _build(members, len(kept), node_names=list(kept), hyperedge_names=titles,
                  provenance=FILMS_PROVENANCE.format(version=version, first=first_year,
                                                     min_films=min_films))
