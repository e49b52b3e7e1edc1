"""``graphneg adversarial``: mode collapse of adversarial negatives.

Trains a discriminator against a REINFORCE generator on an Erdős–Rényi graph with
penalty λ = 0 vs λ > 0 and with an entropy bonus (per-epoch mode-collapse indicators:
entropy, distinct negatives per anchor, share from the top-1% nodes; one graph and one
run per seed, 95% intervals and paired differences at the last epoch), then compares
downstream link prediction (AUC/MRR under the uniform and the HeaRT protocol, 5 seeds,
95% intervals, paired differences) of uniform, DNS and adversarial negatives at several
penalty strengths on a planted-partition graph, beside heuristic baselines. Writes
adversarial_collapse.csv, adversarial_collapse_effects.csv, adversarial_runs.csv,
adversarial_history.csv,
adversarial_effects.csv, adversarial_collapse.png, adversarial_downstream.png and
report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seed, add_seeds, add_threads, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "adversarial", func=run, description=__doc__,
                    help="adversarial negatives: mode collapse with and without penalty / "
                         "entropy bonus")
    p.add_argument("--num-nodes", type=int, default=200, metavar="N",
                   help="nodes of G(n, p = 8 / n)")
    p.add_argument("--epochs", type=int, default=100, metavar="N",
                   help="epochs per setting of the collapse experiment (0: skip it)")
    p.add_argument("--downstream-epochs", type=int, default=40, metavar="N",
                   help="link-prediction epochs per run of the downstream comparison")
    p.add_argument("--penalties", type=float, nargs="+", default=[0.0, 3e-4, 3e-3],
                   metavar="X", help="penalty strengths λ of the adversarial sampler downstream")
    add_seed(p)
    add_seeds(p, default=[0, 1, 2, 3, 4])
    add_quiet(p)
    add_threads(p)


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from graphneg.analysis.adversarial import plot_collapse
    from graphneg.analysis.plots import plot_learning_curves
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import adversarial

    tables = adversarial.run(num_nodes=args.num_nodes, epochs=args.epochs, seed=args.seed,
                             seeds=args.seeds, downstream_epochs=args.downstream_epochs,
                             penalties=args.penalties, progress=not args.quiet)
    sections = adversarial.build_sections(tables)
    figures = {}
    if "adversarial_collapse" in tables:
        fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
        for ax, metric in zip(axes, ["entropy", "distinct_per_anchor", "top_share"]):
            plot_collapse(tables["adversarial_collapse"], metric, ax=ax)
        fig.suptitle(f"Collapse experiment, G(n={args.num_nodes}, p=8/n), mean ± sd over seeds")
        fig.tight_layout()
        figures["adversarial_collapse.png"] = (fig, "Generator entropy, distinct negatives per "
                                                    "anchor and share from the top-1% nodes per "
                                                    "epoch (collapse experiment).")
    if "adversarial_history" in tables:
        hist = tables["adversarial_history"]
        graph = str(hist["graph"].iloc[0])
        fig, axes = plt.subplots(1, 2, figsize=(12, 4))
        plot_learning_curves(hist, graph, "val_auc", ax=axes[0])
        axes[0].set_title(f"Validation AUC per epoch, {graph.split(':')[0]}")
        if "sampler_adv_entropy" in hist:  # every sampler passed: the same colours as left
            plot_learning_curves(hist, graph, "sampler_adv_entropy", ax=axes[1])
            axes[1].set_ylabel("generator entropy (nats)")
            axes[1].set_title(f"Generator entropy per epoch, {graph.split(':')[0]}")
        fig.tight_layout()
        figures["adversarial_downstream.png"] = (fig, "Downstream link prediction: validation "
                                                      "AUC and generator entropy per epoch "
                                                      "(mean ± sd over seeds).")
    return write(args, "adversarial", StudyReport(
        "Adversarial negatives: mode collapse and downstream quality", tables, figures,
        sections, files={"adversarial_collapse.csv": "one row per seed, setting and epoch",
                         "adversarial_collapse_effects.csv": "last epoch per setting: mean, "
                                                             "95% interval over seeds, paired "
                                                             "difference against λ=0",
                         "adversarial_runs.csv": "one row per method and seed",
                         "adversarial_history.csv": "one row per run and epoch",
                         "adversarial_effects.csv": "mean, 95% interval, paired difference "
                                                    "against uniform"}))
