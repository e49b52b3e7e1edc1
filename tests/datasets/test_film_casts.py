"""The film-cast hypergraph read from the shipped movies table, checked against sqlite."""
import sqlite3
from collections import Counter

import pytest

from graphneg.datasets import film_casts
from graphneg.hyperedges import to_member_lists

bokeh_sampledata = pytest.importorskip("bokeh_sampledata")


def test_film_casts_are_the_kept_actors_of_each_film():
    h = film_casts(min_films=5, first_year=2012)
    with sqlite3.connect(bokeh_sampledata.package_path("movies.db")) as db:
        rows = db.execute('SELECT "Title", "Year", "Cast" FROM omdb WHERE "Year" >= 2012 '
                          'ORDER BY "ID"').fetchall()
    casts = {f"{t} ({y})": {a.strip() for a in (c or "").split(",") if a.strip()}
             for t, y, c in rows}
    count = Counter(a for c in casts.values() for a in c)
    kept = {a for a, n in count.items() if n >= 5}
    expected = {name: c & kept for name, c in casts.items() if len(c & kept) >= 2}
    got = {name: {h.node_names[v] for v in m}
           for name, m in zip(h.hyperedge_names, to_member_lists(h.edge_index))}
    assert got == expected
    assert h.num_nodes == len(kept) and "CC0" in h.provenance
    with pytest.raises(ValueError, match="'min_films' parameter of film_casts"):
        film_casts(min_films=10 ** 6)
