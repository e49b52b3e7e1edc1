"""``graphneg geo``: spatial negatives on the US airport route graph.

Trains link prediction with uniform and spatial samplers, measures the exact
gradient bias and confounding index of the spatial sampler against τ (at the
uniform model's embeddings, checked against Monte Carlo), and writes
``geo_training.csv``, ``geo_training_summary.csv``, ``geo_bias_curve.csv``,
``geo_bias_confounding_vs_tau.png``, ``geo_bias_map.png`` and ``report.md`` to ``--out``.
The experiment is :func:`graphneg.analysis.studies.geo.run`.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_seeds, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "geo", func=run, description=__doc__,
                    help="spatial negative sampling on US airport routes")
    p.add_argument("--epochs", type=int, default=100, help="training epochs per run")
    p.add_argument("--num-neg", type=int, default=5, help="negatives per positive")
    add_seeds(p, default=[0, 1, 2])
    p.add_argument("--taus", type=float, nargs="+",
                   default=[50, 100, 200, 500, 1000, 2000, 5000, 20000],
                   help="temperatures τ (km) of the bias and confounding curve")
    p.add_argument("--train-taus", type=float, nargs="+", default=[200, 1000],
                   help="temperatures τ (km) of the trained spatial samplers; the first is "
                        "checked by Monte Carlo")
    p.add_argument("--mc-draws", type=int, default=1000,
                   help="negatives per anchor in the Monte Carlo check")


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from graphneg.analysis.geo import plot_bias_map, plot_bias_vs_tau, plot_confounding_vs_tau
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import geo

    res = geo.run(seeds=args.seeds, epochs=args.epochs, num_neg=args.num_neg, taus=args.taus,
                  train_taus=args.train_taus, mc_draws=args.mc_draws)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    plot_bias_vs_tau(res.curve, ax=axes[0])
    plot_confounding_vs_tau(res.curve, ax=axes[1])
    fig.tight_layout()
    lat, lon = torch.as_tensor(res.data.lat), torch.as_tensor(res.data.lon)
    ax = plot_bias_map(lat, lon, torch.tensor(res.bias["relative_bias"].to_numpy()),
                       edge_index=res.data.edge_index, within=(lon < -60) & (lon > -130)
                       & (lat > 20), ax=plt.subplots(figsize=(8, 4.2))[1],
                       label=f"‖b(u)‖/‖E_unif g⁻‖, τ={res.check['tau_km']:g} km")
    ax.set_title("Per-airport gradient bias of spatial negatives (contiguous US)")
    ax.figure.tight_layout()
    figures = {
        "geo_bias_confounding_vs_tau.png": (fig, "Relative gradient bias and confounding "
                                                 "index of spatial negatives against τ."),
        "geo_bias_map.png": (ax.figure, "Per-airport relative gradient bias at the checked τ "
                                        "(contiguous US)."),
    }
    return write(args, "geo", StudyReport(
        "Spatial negatives on US airport routes", res.tables(), figures, res.sections(),
        files={"geo_training.csv": "one row per sampler and seed",
               "geo_training_summary.csv": "mean and sd over seeds",
               "geo_bias_curve.csv": "one row per τ"}))
