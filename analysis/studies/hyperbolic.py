r"""Poincaré vs Euclidean embeddings of hierarchies; hard-negative utility (``graphneg hyperbolic``).

The shipped ICD-10-CM hierarchy and a balanced tree (``r = 3``, ``h = 5``), both as
transitive closures, are embedded in the Poincaré ball and in Euclidean space
(:class:`graphneg.training.hyperbolic.PoincareTrainer`); reconstruction MAP and mean
rank per graph and manifold. The utility ratio of a hard vs an easy negative against
the anchor norm (:mod:`graphneg.analysis.hyperbolic`) is measured on controlled points
and on the trained ICD-10-CM embeddings.

Examples
--------
>>> tables = run(epochs=1, dim=2, seed=0)  # doctest: +SKIP
>>> list(tables)  # doctest: +SKIP
['hyperbolic_reconstruction', 'utility_controlled', 'utility_trained']
"""
from __future__ import annotations

from typing import Dict, Mapping, Sequence

import numpy as np
import pandas as pd

from graphneg.registry import did_you_mean

from ._progress import Progress
from ..report import markdown_table

__all__ = ["MANIFOLDS", "run", "findings"]

#: Manifolds compared, in order.
MANIFOLDS = ("poincare", "euclidean")

#: Hierarchies embedded (transitive closures), in order.
GRAPHS = ("ICD-10-CM", "balanced tree r=3 h=5")


def run(*, epochs: int = 30, dim: int = 5, seed: int = 0, num_radii: int = 60,
        graphs: Sequence[str] = GRAPHS, progress: bool = False) -> Dict[str, pd.DataFrame]:
    """Train every graph × manifold, then measure the utility ratio.

    Parameters
    ----------
    epochs : int
    dim : int
        Embedding dimension.
    seed : int
        Seed of every trainer and of the trained utility ratio's picks.
    num_radii : int
        Anchor norms ``linspace(0, 0.995, num_radii)`` of the controlled curves.
    graphs : sequence of str
        Names from :data:`GRAPHS`; the utility ratio is measured on the models of the
        first one.
    progress : bool
        Progress lines on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``hyperbolic_reconstruction``: one row per graph and manifold (``nodes``, ``pairs``,
        ``map``, ``mean_rank``, ``loss``, ``max_norm``); ``utility_controlled``:
        :func:`~graphneg.analysis.hyperbolic.utility_ratio_controlled` with a ``manifold``
        column (``Poincaré``, ``Euclidean``); ``utility_trained``:
        :func:`~graphneg.analysis.hyperbolic.utility_ratio_trained` per anchor of the
        first graph's models, with a ``model`` column (``poincare (ICD-10-CM)``, ...).
    """
    from graphneg.analysis.hyperbolic import utility_ratio_controlled, utility_ratio_trained
    from graphneg.datasets.hierarchies import (
        load_icd10cm_hierarchy, transitive_closure, tree_parents,
    )
    from graphneg.generators import balanced_tree
    from graphneg.training.hyperbolic import PoincareTrainer

    def icd10cm():
        icd = load_icd10cm_hierarchy(closure=True)
        return icd.edge_index, icd.num_nodes

    def tree():
        t = balanced_tree(3, 5)
        return transitive_closure(tree_parents(t.edge_index, t.num_nodes)), t.num_nodes

    builders = {"ICD-10-CM": icd10cm, "balanced tree r=3 h=5": tree}
    graphs = list(graphs)
    for name in graphs:
        if name not in builders:
            raise ValueError(f"The 'graphs' parameter of hyperbolic.run must list names from "
                             f"{', '.join(map(repr, builders))}. Got {name!r} instead."
                             f"{did_you_mean(name, builders)}")
    graphs = {name: builders[name]() for name in graphs}
    report = Progress("hyperbolic", len(graphs) * len(MANIFOLDS), enabled=progress)
    rows, trained = [], {}
    for gname, (ei, n) in graphs.items():
        for man in MANIFOLDS:
            tr = PoincareTrainer(ei, n, dim=dim, manifold=man, epochs=epochs,
                                 num_neg=10, lr=0.1, batch_size=1024, seed=seed,
                                 evaluate_every=epochs, verbose=False)
            last = tr.fit().iloc[-1]
            rows.append({"graph": gname, "manifold": man, "nodes": n, "pairs": ei.size(1),
                         "map": last["val_map"], "mean_rank": last["val_mean_rank"],
                         "loss": last["loss"], "max_norm": last["max_norm"]})
            if gname == next(iter(graphs)):
                trained[f"{man} ({gname})"] = utility_ratio_trained(
                    tr.model.weight.detach(), ei, manifold=man, seed=seed)
            report.step(f"{gname}, {man}: MAP {last['val_map']:.4f}")
    radii = np.linspace(0, 0.995, num_radii)
    controlled = {"Poincaré": utility_ratio_controlled(radii),
                  "Euclidean": utility_ratio_controlled(radii, manifold="euclidean")}
    return {"hyperbolic_reconstruction": pd.DataFrame(rows),
            "utility_controlled": pd.concat([d.assign(manifold=k)
                                             for k, d in controlled.items()]),
            "utility_trained": pd.concat([d.assign(model=k) for k, d in trained.items()])}


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """The reconstruction table and the trained models' median ratio per norm quartile.

    Examples
    --------
    >>> rec = pd.DataFrame({"graph": ["g"], "manifold": ["poincare"], "map": [0.5]})
    >>> tr = pd.DataFrame({"model": "m", "norm": [0.1, 0.2, 0.3, 0.4], "ratio": [1.0, 2, 3, 4]})
    >>> print(findings({"hyperbolic_reconstruction": rec, "utility_trained": tr}).splitlines()[-1])
    - m: median ratio per norm quartile [1.0, 2.0, 3.0, 4.0]
    """
    lines = [markdown_table(tables["hyperbolic_reconstruction"]), ""]
    for model, d in tables["utility_trained"].groupby("model", sort=False):
        q = pd.qcut(d["norm"], 4, duplicates="drop")
        lines.append(f"- {model}: median ratio per norm quartile "
                     f"{d.groupby(q, observed=True)['ratio'].median().round(3).tolist()}")
    return "\n".join(lines)
