"""``graphneg hyperbolic``: Poincaré vs Euclidean embeddings of a real hierarchy.

Poincaré (geoopt) vs Euclidean embeddings of the shipped ICD-10-CM hierarchy and a
balanced tree; utility ratio of a hard vs an easy negative against the anchor norm,
controlled and trained. Writes hyperbolic_reconstruction.csv, utility_controlled.csv,
utility_trained.csv, hyperbolic_utility_ratio.png and report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seed, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "hyperbolic", func=run, description=__doc__,
                    help="Poincaré vs Euclidean embeddings of a real hierarchy; hard-vs-easy "
                         "negative utility vs ||u||")
    p.add_argument("--epochs", type=int, default=30, metavar="N", help="training epochs per model")
    p.add_argument("--dim", type=int, default=5, metavar="N", help="embedding dimension")
    add_seed(p)
    add_quiet(p)


def run(args) -> int:
    import matplotlib.pyplot as plt

    from graphneg.analysis.hyperbolic import plot_utility_ratio
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import hyperbolic

    tables = hyperbolic.run(epochs=args.epochs, dim=args.dim, seed=args.seed,
                            progress=not args.quiet)
    text = hyperbolic.findings(tables)
    print(text)
    controlled = dict(tuple(tables["utility_controlled"].groupby("manifold", sort=False)))
    trained = dict(tuple(tables["utility_trained"].groupby("model", sort=False)))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.3))
    for ax, label, prefix, x in ((axes[0], "Poincaré", "poincare", "hyperbolic_norm"),
                                 (axes[1], "Euclidean", "euclidean", "norm")):
        plot_utility_ratio({label: controlled[label]},
                           {k: v for k, v in trained.items() if k.startswith(prefix)},
                           x=x, ax=ax)
    axes[0].set_title("Poincaré ball")
    axes[1].set_title("Euclidean (same loss, d = ||u - n||)")
    fig.tight_layout()
    figures = {"hyperbolic_utility_ratio.png": (fig, "Utility ratio ||g_hard|| / ||g_easy|| "
                                                "against the anchor norm: controlled points "
                                                "(lines) and trained models (markers).")}
    return write(args, "hyperbolic", StudyReport("Hyperbolic utility of hard negatives",
                                                 tables, figures, [("Findings", text)]))
