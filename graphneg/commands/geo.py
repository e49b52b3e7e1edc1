"""``graphneg geo``: spatial negatives on the US airport route graph.

Trains link prediction with uniform and spatial samplers on shared splits (5 seeds),
scores them and baselines that need no learning under two protocols (uniform
negatives; nearby non-routes within ``--radius-km`` of the true destination), reports
means with 95% intervals and paired differences, Moran's I and the distance decay of
the embeddings, and the exact gradient bias and confounding index of the spatial
sampler against τ (checked against Monte Carlo). Writes ``geo_training.csv``,
``geo_effects.csv``, ``geo_history.csv``, ``geo_bias_curve.csv``,
``geo_distance_decay.csv``, the figures and ``report.md`` to ``--out``.
The experiment is :func:`graphneg.analysis.studies.geo.run`.
"""
from __future__ import annotations

from graphneg.cli import (add_command, add_quiet, add_seeds, add_threads, positive_float, positive_int,
                          write)

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "geo", func=run, description=__doc__,
                    help="spatial negative sampling on US airport routes")
    p.add_argument("--epochs", type=positive_int, default=100, help="training epochs per run")
    p.add_argument("--num-neg", type=positive_int, default=5, help="negatives per positive")
    add_seeds(p, default=[0, 1, 2, 3, 4])
    p.add_argument("--taus", type=positive_float, nargs="+",
                   default=[50, 100, 200, 500, 1000, 2000, 5000, 20000],
                   help="temperatures τ (km) of the bias and confounding curve")
    p.add_argument("--train-taus", type=positive_float, nargs="+", default=[200, 1000],
                   help="temperatures τ (km) of the trained spatial samplers; the first is "
                        "checked by Monte Carlo")
    p.add_argument("--mc-draws", type=positive_int, default=1000,
                   help="negatives per anchor in the Monte Carlo check")
    p.add_argument("--radius-km", type=positive_float, default=300.0,
                   help="radius of the nearby protocol and of Moran's I neighbourhood (km)")
    p.add_argument("--eval-num-neg", type=positive_int, default=20,
                   help="evaluation negatives per test route under each protocol")
    add_quiet(p)
    add_threads(p)


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from graphneg.analysis.geo import (plot_bias_map, plot_bias_vs_tau, plot_confounding_vs_tau,
                                       plot_distance_decay, plot_protocols)
    from graphneg.analysis.plots import plot_learning_curves
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import geo

    res = geo.run(seeds=args.seeds, epochs=args.epochs, num_neg=args.num_neg, taus=args.taus,
                  train_taus=args.train_taus, mc_draws=args.mc_draws, radius_km=args.radius_km,
                  eval_num_neg=args.eval_num_neg, progress=not args.quiet)
    graph = res.settings["graph"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    plot_bias_vs_tau(res.curve, ax=axes[0])
    plot_confounding_vs_tau(res.curve, ax=axes[1])
    fig.suptitle(graph)
    fig.tight_layout()
    lat, lon = torch.as_tensor(res.data.lat), torch.as_tensor(res.data.lon)
    ax = plot_bias_map(lat, lon, torch.tensor(res.bias["relative_bias"].to_numpy()),
                       edge_index=res.data.edge_index, within=(lon < -60) & (lon > -130)
                       & (lat > 20), ax=plt.subplots(figsize=(8, 4.2))[1],
                       label=f"‖b(u)‖/‖E_unif g⁻‖, τ={res.check['tau_km']:g} km")
    ax.set_title(f"Per-airport gradient bias of spatial negatives, {graph} (contiguous US)")
    ax.figure.tight_layout()
    methods = res.effects["sampler"].nunique()
    pax = plot_protocols(res.effects, ax=plt.subplots(figsize=(8, 0.5 * methods + 1.5))[1],
                         graph=graph)
    pax.figure.tight_layout()
    dax = plot_distance_decay(res.decay, ax=plt.subplots(figsize=(8, 4.2))[1], graph=graph)
    dax.figure.tight_layout()
    lax = plot_learning_curves(res.history.assign(graph=graph), graph, "val_auc",
                               ax=plt.subplots(figsize=(7, 4))[1])
    lax.set_title(f"Validation AUC per epoch (mean ± sd over seeds), {graph}")
    lax.figure.tight_layout()
    figures = {
        "geo_protocols.png": (pax.figure, "Test AUC of every method under the uniform and the "
                                          "nearby protocol (95% intervals)."),
        "geo_learning_curves.png": (lax.figure, "Validation AUC per epoch of each sampler."),
        "geo_distance_decay.png": (dax.figure, "Route density and embedding similarity "
                                               "against distance."),
        "geo_bias_confounding_vs_tau.png": (fig, "Relative gradient bias and confounding "
                                                 "index of spatial negatives against τ."),
        "geo_bias_map.png": (ax.figure, "Per-airport relative gradient bias at the checked τ "
                                        "(contiguous US)."),
    }
    return write(args, "geo", StudyReport(
        f"Spatial negatives on {graph}", res.tables(), figures, res.sections(),
        files={"geo_training.csv": "one row per method (sampler or baseline) and seed",
               "geo_effects.csv": "per method and metric: mean, 95% interval, paired "
                                  "difference against uniform",
               "geo_history.csv": "one row per trained run and epoch",
               "geo_bias_curve.csv": "one row per τ",
               "geo_distance_decay.csv": "one row per distance bin"}))
