"""``graphneg alignment``: alignment / uniformity trajectories per sampler.

Trains a link predictor on a three-block SBM with each sampler and records Wang &
Isola's alignment and uniformity after every epoch. Writes alignment_<sampler>.csv,
alignment_summary.csv, alignment_uniformity.png and report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seed, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "alignment", func=run, description=__doc__,
                    help="alignment / uniformity trajectories per sampler")
    p.add_argument("--epochs", type=int, default=60, metavar="N",
                   help="training epochs per sampler")
    p.add_argument("--samplers", nargs="+", default=["uniform", "degree", "structural"],
                   metavar="NAME", help="sampler names")
    add_seed(p)
    add_quiet(p)


def run(args) -> int:
    import matplotlib.pyplot as plt

    from graphneg.analysis.alignment import plot_alignment_uniformity
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import alignment

    tables = alignment.run(samplers=args.samplers, epochs=args.epochs, seed=args.seed,
                           progress=not args.quiet)
    text = alignment.findings(tables)
    print(text)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    plot_alignment_uniformity({s: tables[f"alignment_{s}"] for s in args.samplers}, ax=ax)
    fig.tight_layout()
    figures = {"alignment_uniformity.png": (fig, "Path of (uniformity, alignment) over "
                                            "training per sampler (o start, * end).")}
    return write(args, "alignment", StudyReport("Alignment and uniformity per sampler", tables,
                                                figures, [("Findings", text)]))
