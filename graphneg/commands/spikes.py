"""``graphneg spikes``: spike trains with uniform vs hard negatives.

Real locust spike trains (nitime) cut into windows; van Rossum embeddings checked
against the closed-form distance; a contrastive encoder trained with uniform vs hard
(nearest by van Rossum) negatives; temporal emphasis ratio and retrieval accuracy over
training. Writes spikes_uniform.csv, spikes_hard.csv, van_rossum_check.csv,
spikes_temporal_emphasis.png and report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seed, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "spikes", func=run, description=__doc__,
                    help="spike trains: van Rossum embedding, uniform vs hard negatives, "
                         "temporal emphasis ratio")
    p.add_argument("--epochs", type=int, default=80, metavar="N",
                   help="training epochs per sampler")
    p.add_argument("--tau", type=float, default=0.005, metavar="X",
                   help="van Rossum tau in seconds")
    p.add_argument("--window", type=float, default=0.1, metavar="X",
                   help="window length in seconds")
    p.add_argument("--split-ratio", type=float, default=0.5, metavar="X",
                   help="early / late split of the temporal emphasis ratio")
    add_seed(p)
    add_quiet(p)


def run(args) -> int:
    import matplotlib.pyplot as plt

    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.spikes import plot_retrieval_accuracy, plot_temporal_emphasis
    from graphneg.analysis.studies import spikes

    tables = spikes.run(epochs=args.epochs, tau=args.tau, window=args.window,
                        split_ratio=args.split_ratio, seed=args.seed, progress=not args.quiet)
    text = spikes.findings(tables)
    print(text)
    hists = {s: tables[f"spikes_{s}"] for s in spikes.SAMPLERS}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    plot_temporal_emphasis(hists, ax=axes[0])
    plot_retrieval_accuracy(hists, ax=axes[1])
    fig.tight_layout()
    figures = {"spikes_temporal_emphasis.png": (fig, "Temporal emphasis ratio (left) and top-1 "
                                                "retrieval accuracy (right) per epoch.")}
    return write(args, "spikes", StudyReport("Spike trains: uniform vs hard negatives", tables,
                                             figures, [("Findings", text)]))
