"""``graphneg alignment``: alignment / uniformity trajectories per sampler.

Trains a link predictor on a three-block SBM with each sampler and records Wang &
Isola's alignment and uniformity after every epoch. Writes alignment_<sampler>.csv,
alignment_summary.csv, alignment_uniformity.png and report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seeds, add_threads, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "alignment", func=run, description=__doc__,
                    help="alignment / uniformity trajectories per sampler")
    p.add_argument("--epochs", type=int, default=40, metavar="N",
                   help="training epochs per run")
    p.add_argument("--samplers", nargs="+", default=["uniform", "degree", "structural"],
                   metavar="NAME", help="sampler names")
    add_seeds(p, default=[0, 1, 2, 3, 4])
    add_quiet(p)
    add_threads(p)


def run(args) -> int:
    import matplotlib.pyplot as plt

    from graphneg.analysis.alignment import plot_alignment_uniformity
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import alignment

    tables = alignment.run(samplers=args.samplers, epochs=args.epochs, seeds=args.seeds,
                           progress=not args.quiet)
    sections = alignment.build_sections(tables)
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    mean = {s: tables[f"alignment_{s}"].groupby("epoch", as_index=False)[
        ["alignment", "uniformity"]].mean() for s in args.samplers}
    plot_alignment_uniformity(mean, ax=ax)
    ax.set_title(f"Alignment vs uniformity over training, {alignment.GRAPH}", fontsize=10)
    fig.tight_layout()
    figures = {"alignment_uniformity.png": (fig, "Path of (uniformity, alignment) over "
                                            "training per sampler, mean over seeds (o start, "
                                            "* end).")}
    return write(args, "alignment", StudyReport(
        "Alignment, uniformity and repulsion per sampler", tables, figures, sections,
        files={"alignment_summary.csv": "one row per method and seed",
               "alignment_effects.csv": "mean, 95% interval, paired difference against "
                                        "uniform"}))
