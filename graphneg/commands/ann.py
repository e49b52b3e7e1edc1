"""``graphneg ann``: what approximate search does to hard-negative mining.

Trains a link predictor (uniform negatives) on a Barabási–Albert graph, then measures
at its embeddings how the approximate FAISS indexes (HNSW over ``ef_search``, IVF over
``nprobe``) change hard-negative mining against the exact index: recall@k, the mixture
ε of q_ANN ≈ (1−ε) q_exact + ε uniform, the exact gradient bias and the refresh time.
One graph, one trained model and one sweep per seed (means and 95% intervals over seeds).
Writes ann_sweep.csv, ann_effects.csv, ann_payoff.csv, ann_bias_recall_refresh.png and
report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seed, add_seeds, add_threads, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "ann", func=run, description=__doc__,
                    help="ANN hard negatives: recall, mixture ε, gradient bias and refresh "
                         "time vs efSearch / nprobe")
    p.add_argument("--num-nodes", type=int, default=2000, metavar="N",
                   help="nodes of the BA graph")
    p.add_argument("--epochs", type=int, default=50, metavar="N",
                   help="link-prediction training epochs")
    p.add_argument("-k", type=int, default=32, help="candidates retrieved per anchor")
    p.add_argument("--anchor-step", type=int, default=8, metavar="N",
                   help="evaluate every n-th node as an anchor")
    p.add_argument("--payoff-sizes", type=int, nargs="*", default=[10_000, 100_000],
                   metavar="N", help="sizes at which exact and approximate refreshes are "
                                     "timed (none: skip)")
    add_seed(p)
    add_seeds(p, default=[0, 1, 2, 3, 4])
    add_quiet(p)
    add_threads(p)


def run(args) -> int:
    import matplotlib.pyplot as plt

    from graphneg.analysis.ann import plot_bias_vs_recall, plot_refresh_time
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import ann

    tables = ann.run(num_nodes=args.num_nodes, epochs=args.epochs, k=args.k,
                     anchor_step=args.anchor_step, seed=args.seed, seeds=args.seeds,
                     payoff_sizes=args.payoff_sizes, progress=not args.quiet)
    text = ann.findings(tables)
    print(text)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    means = ann.sweep_means(tables["ann_sweep"])  # one point per setting: the seed mean
    plot_bias_vs_recall(means, ax=axes[0])
    plot_refresh_time(means, ax=axes[1])
    axes[1].legend(fontsize=8, loc="upper left", frameon=True)  # clear of the curves
    fig.suptitle(f"GCN embeddings of BA(n={args.num_nodes}, m=4), means over seeds")
    fig.tight_layout()
    figures = {"ann_bias_recall_refresh.png": (fig, "Relative gradient bias against recall@k "
                                               "(left) and seconds per index refresh (right).")}
    return write(args, "ann", StudyReport("ANN hard negatives", tables, figures,
                                          [("Findings", text)]))
