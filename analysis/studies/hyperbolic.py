r"""Poincaré vs Euclidean embeddings of hierarchies; hard-negative utility (``graphneg hyperbolic``).

A balanced tree (``r = 3``, ``h = 5``; by default) and the shipped ICD-10-CM hierarchy,
both as transitive closures, are embedded, for every seed, in the Poincaré ball and in
Euclidean space
(:class:`graphneg.training.hyperbolic.PoincareTrainer`); reconstruction MAP and mean
rank per graph and manifold. The utility ratio of a hard vs an easy negative against
the anchor norm (:mod:`graphneg.analysis.hyperbolic`) is measured on controlled points
(Euclidean offsets, and the control that separates geometry from norm: negatives at
matched intrinsic distances) and on the trained embeddings of the first graph, where the
ratio is decomposed into the two distances it is the exponential of.

Examples
--------
>>> tables = run(epochs=1, dim=2, seed=0)  # doctest: +SKIP
>>> list(tables)  # doctest: +SKIP
['hyperbolic_reconstruction', 'utility_controlled', 'utility_trained']
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from graphneg._validation import checked_params
from graphneg.registry import did_you_mean

from ._progress import Progress

__all__ = ["MANIFOLDS", "run", "findings", "build_sections"]

#: Manifolds compared, in order.
MANIFOLDS = ("poincare", "euclidean")

#: Hierarchies embedded (transitive closures), in order.
GRAPHS = ("ICD-10-CM", "balanced tree r=3 h=5")


@checked_params
def run(*, epochs: int = 30, dim: int = 5, seeds: Sequence[int] = (0, 1, 2, 3, 4),
        num_radii: int = 60, graphs: Sequence[str] = ("balanced tree r=3 h=5",),
        progress: bool = False, seed: Optional[int] = None) -> Dict[str, pd.DataFrame]:
    """Train every graph × manifold × seed, then measure the utility ratio.

    Parameters
    ----------
    epochs : int
    dim : int
        Embedding dimension.
    seeds : sequence of int
        One run per seed (initialisation, negatives, the utility ratio's picks).
    num_radii : int
        Anchor norms ``linspace(0, 0.995, num_radii)`` of the controlled curves.
    graphs : sequence of str
        Names from :data:`GRAPHS`; the utility ratio is measured on the models of the
        first one.
    progress : bool
        Progress lines (with an ETA) on stderr.
    seed : int, optional
        A single seed (overrides ``seeds``).

    Returns
    -------
    dict of str to DataFrame
        ``hyperbolic_reconstruction``: one row per graph, manifold and seed (``nodes``,
        ``pairs``, ``map``, ``mean_rank``, ``loss``, ``max_norm``, and on the first graph
        ``rho_norm_ratio``, ``rho_norm_d_easy``, ``rho_norm_d_hard``: Spearman
        correlations over anchors, ``identity_error``: max ``|log ratio − (d_e − d_h)|``);
        ``hyperbolic_effects``: mean, 95% interval over seeds and the paired difference
        Poincaré − Euclidean per graph and metric; ``utility_controlled``: controlled
        points, columns ``manifold``, ``placement`` (``Euclidean offsets``, ``matched
        distances``), ``norm``, ``ratio``, ``closed_form``; ``utility_trained``:
        :func:`~graphneg.analysis.hyperbolic.utility_ratio_trained` per anchor, with
        ``model`` and ``seed``.
    """
    from graphneg.analysis.hyperbolic import (
        utility_ratio_controlled, utility_ratio_matched, utility_ratio_trained,
    )
    from graphneg.datasets.hierarchies import (
        load_icd10cm_hierarchy, transitive_closure, tree_parents,
    )
    from graphneg.generators import balanced_tree
    from graphneg.training.hyperbolic import PoincareTrainer

    from ..statistics import effects_table

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
    seeds = [seed] if seed is not None else list(seeds)
    graphs = {name: builders[name]() for name in graphs}
    report = Progress("hyperbolic", len(graphs) * len(MANIFOLDS) * len(seeds),
                      enabled=progress)
    rows, trained = [], []
    for gname, (ei, n) in graphs.items():
        for s in seeds:
            for man in MANIFOLDS:
                tr = PoincareTrainer(ei, n, dim=dim, manifold=man, epochs=epochs,
                                     num_neg=10, lr=0.1, batch_size=1024, seed=s,
                                     evaluate_every=epochs, verbose=False)
                hist = tr.fit()
                last = hist.iloc[-1]
                row = {"graph": gname, "manifold": man, "seed": s, "nodes": n,
                       "pairs": ei.size(1), "map": last["val_map"],
                       "mean_rank": last["val_mean_rank"], "loss": last["loss"],
                       "max_norm": last["max_norm"], "eta": float(hist["eta"].median()),
                       "neg_softmax_weight": float(hist["neg_softmax_weight"].median())}
                if gname == next(iter(graphs)):
                    u = utility_ratio_trained(tr.model.weight.detach(), ei, manifold=man,
                                              seed=s).assign(model=f"{man} ({gname})", seed=s)
                    trained.append(u)
                    log_r = np.log(u["ratio"])
                    row.update(rho_norm_ratio=float(u["norm"].corr(log_r, method="spearman")),
                               rho_norm_d_easy=float(u["norm"].corr(u["d_easy"],
                                                                    method="spearman")),
                               rho_norm_d_hard=float(u["norm"].corr(u["d_hard"],
                                                                    method="spearman")),
                               median_log_ratio=float(log_r.median()),
                               identity_error=float((log_r - (u["d_easy"] - u["d_hard"]))
                                                    .abs().max()))
                rows.append(row)
                report.step(f"{gname}, {man}, seed {s}: MAP {last['val_map']:.4f}")
    radii = np.linspace(0, 0.995, num_radii)
    controlled = [
        utility_ratio_controlled(radii).assign(manifold="Poincaré",
                                               placement="Euclidean offsets"),
        utility_ratio_matched(radii).assign(manifold="Poincaré", placement="matched distances"),
        utility_ratio_controlled(radii, manifold="euclidean").assign(
            manifold="Euclidean", placement="Euclidean offsets"),
        utility_ratio_matched(radii, manifold="euclidean").assign(
            manifold="Euclidean", placement="matched distances"),
    ]
    rec = pd.DataFrame(rows)
    metrics = [m for m in ("map", "mean_rank", "eta", "neg_softmax_weight",
                           "rho_norm_ratio", "rho_norm_d_easy",
                           "rho_norm_d_hard", "median_log_ratio", "identity_error") if m in rec]
    effects = effects_table(rec, metrics, method="manifold", reference="euclidean")
    return {"hyperbolic_reconstruction": rec, "hyperbolic_effects": effects,
            "utility_controlled": pd.concat(controlled, ignore_index=True),
            "utility_trained": pd.concat(trained, ignore_index=True)}


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """Bullets computed from the tables: reconstruction, the exp(gap) identity, what
    drives the ratio in each manifold, and what is specific to hyperbolic geometry.

    Examples
    --------
    >>> ctl = pd.DataFrame({"manifold": "Poincaré", "placement": "matched distances",
    ...                     "norm": [0.0, 0.9], "ratio": [4.48, 4.48]})
    >>> findings({"utility_controlled": ctl}).startswith("- Controlled points")
    True
    """
    from ..statistics import format_interval
    from ._effects import effect_of

    lines: List[str] = []
    eff = tables.get("hyperbolic_effects")
    if eff is not None and not eff.empty:
        n_seeds = int(eff["n_seeds"].max())
        for g in dict.fromkeys(eff["graph"]):
            e = eff[eff.graph == g]
            p, u = effect_of(e, "poincare", "map", column="manifold"), effect_of(
                e, "euclidean", "map", column="manifold")
            if p is None or u is None:
                continue
            verdict = ("higher" if p["diff_vs_uniform"] > 0 else "lower") if p["measurable"] \
                else "not measurably different"
            lines.append(
                f"- {g}, reconstruction MAP over {n_seeds} seeds: Poincaré "
                f"{format_interval(p['mean'], p['ci_low'], p['ci_high'])}, Euclidean "
                f"{format_interval(u['mean'], u['ci_low'], u['ci_high'])}; Poincaré is "
                f"{verdict} (paired Δ "
                f"{format_interval(p['diff_vs_uniform'], p['diff_ci_low'], p['diff_ci_high'])}).")
        ident = eff[eff.metric == "identity_error"]
        if not ident.empty:
            lines.append(f"- In both manifolds the trained utility ratio is exp(d_easy − "
                         f"d_hard) to within {float(ident['mean'].max()):.1e} (max |log ratio − "
                         "gap| over anchors): the geometry acts on the ratio only through the "
                         "two distances it produces.")
        for man in ("poincare", "euclidean"):
            r = {m: effect_of(eff, man, m, column="manifold") for m in
                 ("rho_norm_ratio", "rho_norm_d_easy", "rho_norm_d_hard", "median_log_ratio")}
            if r["rho_norm_ratio"] is None:
                continue
            f = {m: format_interval(v["mean"], v["ci_low"], v["ci_high"]) for m, v in r.items()}
            driver = ("the easy negative's distance grows with the norm" if
                      abs(r["rho_norm_d_easy"]["mean"]) > abs(r["rho_norm_d_hard"]["mean"])
                      else "the hard negative's distance changes with the norm")
            lines.append(
                f"- Trained {man}: Spearman correlation of ‖u‖ with log ratio {f['rho_norm_ratio']}"
                f", with d_easy {f['rho_norm_d_easy']}, with d_hard {f['rho_norm_d_hard']} "
                f"(median log ratio {f['median_log_ratio']}): {driver}.")
        diffs = []
        for m, label in (("rho_norm_ratio", "log ratio"), ("rho_norm_d_easy", "d_easy"),
                         ("rho_norm_d_hard", "d_hard")):
            r = effect_of(eff, "poincare", m, column="manifold")
            if r is not None and r["measurable"]:
                diffs.append(f"ρ(‖u‖, {label}) by " + format_interval(
                    r["diff_vs_uniform"], r["diff_ci_low"], r["diff_ci_high"]))
        if diffs:
            dh = effect_of(eff, "poincare", "rho_norm_d_hard", column="manifold")
            extra = (" In the ball deeper anchors have nearer hardest non-neighbours (nodes "
                     "crowd towards the boundary): the part of the rising ratio that is "
                     "specific to the geometry." if dh is not None and dh["measurable"]
                     and dh["diff_vs_uniform"] < 0 and dh["ci_high"] < 0 else "")
            lines.append("- What differs between the trained geometries (paired Poincaré − "
                         "Euclidean): " + "; ".join(diffs) + "." + extra)
        e_rho = effect_of(eff, "euclidean", "rho_norm_ratio", column="manifold")
        if e_rho is not None and e_rho["ci_low"] > 0:
            lines.append("- The Euclidean control's ratio also rises with ‖u‖, so a rising ratio "
                         "on trained embeddings is not evidence of hyperbolic geometry: nodes "
                         "placed far out (the deep, numerous leaves) are far from a uniformly "
                         "drawn easy negative in either space.")
    ctl = tables.get("utility_controlled")
    if ctl is not None and not ctl.empty:
        parts = []
        for (man, place), d in ctl.groupby(["manifold", "placement"], sort=False):
            lr = np.log(d["ratio"])
            parts.append(f"{man} with {place}: log ratio from {lr.min():.3f} to {lr.max():.3f}")
        lines.insert(0, "- Controlled points (anchor norm 0 to 0.995): " + "; ".join(parts) + ".")
        pm = ctl[(ctl.manifold == "Poincaré") & (ctl.placement == "matched distances")]
        po = ctl[(ctl.manifold == "Poincaré") & (ctl.placement == "Euclidean offsets")]
        if not pm.empty and not po.empty:
            lines.insert(1, "- What is hyperbolic-specific, from these curves: at matched "
                            "intrinsic distances the ratio does not depend on ‖u‖ (spread "
                            f"{np.log(pm['ratio']).max() - np.log(pm['ratio']).min():.1e} in "
                            "log ratio), in the ball as in Euclidean space; only fixed "
                            "coordinate offsets (what a coordinate-space search returns) change "
                            "their hardness with the norm in the ball (spread "
                            f"{np.log(po['ratio']).max() - np.log(po['ratio']).min():.2f}), and "
                            "not in Euclidean space.")
    return "\n".join(lines)


def build_sections(tables: Mapping[str, pd.DataFrame]):
    """Findings, then the reconstruction and utility tables with intervals."""
    from ._effects import interval_table

    eff = tables["hyperbolic_effects"]
    body = []
    for g in dict.fromkeys(eff["graph"]):
        e = eff[eff.graph == g]
        body.append(f"{g}:\n\n" + interval_table(
            e, {"map": "MAP", "mean_rank": "mean rank"}, column="manifold", diff="map",
            reference="euclidean"))
        if "eta" in set(e.metric):
            body.append(interval_table(e, {"eta": "η", "neg_softmax_weight": "negative weight"},
                                       column="manifold", diff="neg_softmax_weight",
                                       reference="euclidean"))
        if "rho_norm_ratio" in set(e.metric):
            body.append(interval_table(e, {"rho_norm_ratio": "ρ(‖u‖, log ratio)",
                                           "rho_norm_d_easy": "ρ(‖u‖, d_easy)",
                                           "rho_norm_d_hard": "ρ(‖u‖, d_hard)"},
                                       column="manifold"))
    return [("Findings", findings(tables)),
            ("Reconstruction and utility (mean [95% interval] over seeds)",
             "Δ: paired difference Poincaré − Euclidean (`*`: excludes 0); η (sampling "
             "efficiency) and negative weight (hardness, the softmax mass the negatives "
             "take): medians over epochs, `docs/design.md` section 5.3; ρ: Spearman "
             "correlation over anchors of the first graph's models.\n\n"
             + "\n\n".join(body))]
