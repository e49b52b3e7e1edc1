"""``graphneg adversarial``: mode collapse of adversarial negatives.

Trains a discriminator against a REINFORCE generator on an Erdős–Rényi graph with
penalty λ = 0 vs λ > 0 and with an entropy bonus, and writes the per-epoch mode-collapse
indicators (entropy, distinct negatives per anchor, share from the top-1% nodes) as
adversarial_collapse.csv, adversarial_collapse.png and report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seed, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "adversarial", func=run, description=__doc__,
                    help="adversarial negatives: mode collapse with and without penalty / "
                         "entropy bonus")
    p.add_argument("--num-nodes", type=int, default=200, metavar="N",
                   help="nodes of G(n, p = 8 / n)")
    p.add_argument("--epochs", type=int, default=150, metavar="N",
                   help="training epochs per setting")
    add_seed(p)
    add_quiet(p)


def run(args) -> int:
    import matplotlib.pyplot as plt

    from graphneg.analysis.adversarial import plot_collapse
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import adversarial

    tables = adversarial.run(num_nodes=args.num_nodes, epochs=args.epochs, seed=args.seed,
                             progress=not args.quiet)
    text = adversarial.findings(tables)
    print(text)
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    for ax, metric in zip(axes, ["entropy", "distinct_per_anchor", "top_share"]):
        plot_collapse(tables["adversarial_collapse"], metric, ax=ax)
    fig.tight_layout()
    figures = {"adversarial_collapse.png": (fig, "Generator entropy, distinct negatives per "
                                            "anchor and share from the top-1% nodes per epoch.")}
    return write(args, "adversarial", StudyReport("Adversarial negatives: mode collapse",
                                                  tables, figures, [("Findings", text)]))
