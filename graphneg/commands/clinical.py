"""``graphneg clinical``: cross-site negatives on the four-site UCI heart-disease data.

Writes to ``--out``: exact false-negative rates against the own-site share π
(real sites and diagnoses), the domain component of the expected negative
gradient under the generative site model (exact and Monte Carlo), and the
held-out-site experiment (a heterogeneous GNN over the patient–finding graph trained on
three sites, its patient embeddings probed for the diagnosis on the fourth, per π,
against uniform negatives, a raw-feature logistic regression and the untrained GNN):
``clinical_false_negatives.csv``, ``clinical_domain_gradient_simulated.csv``,
``clinical_generalisation.csv``, ``clinical_generalisation_summary.csv``,
``clinical_summary.png`` and ``report.md``. The experiment is
:func:`graphneg.analysis.studies.clinical.run`.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_seeds, positive_int, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "clinical", func=run, description=__doc__,
                    help="cross-site negatives on UCI heart disease")
    p.add_argument("--pis", type=float, nargs="+", default=[0.0, 1.0],
                   help="own-site shares π of the Monte Carlo check and the training runs "
                        "(uniform negatives are always trained too, the reference)")
    add_seeds(p, default=[0, 1, 2, 3, 4])
    p.add_argument("--epochs", type=positive_int, default=40,
                   help="training epochs per run (at most)")
    p.add_argument("--patience", type=positive_int, default=None,
                   help="stop a run after this many epochs without a better validation AUC "
                        "(default: train every epoch; the best validation epoch is kept)")
    p.add_argument("--num-neg", type=int, default=5, help="negatives per positive")
    p.add_argument("--jobs", type=positive_int, default=2,
                   help="processes for the (seed, held-out site) blocks (same results for "
                        "any number; default 2, the two cores of a small machine)")
    p.add_argument("--mc-draws", type=int, default=500,
                   help="negatives per anchor in the Monte Carlo check")


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from graphneg.analysis.clinical import (
        plot_domain_share, plot_false_negatives, plot_held_out_auc,
    )
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import clinical

    res = clinical.run(pis=args.pis, seeds=args.seeds, epochs=args.epochs,
                       patience=args.patience, num_neg=args.num_neg, mc_draws=args.mc_draws,
                       jobs=args.jobs)
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    plot_false_negatives(res.false_negatives, ax=axes[0], site_names=res.site_names)
    mc = res.domain.dropna(subset=["domain_share_mc"])
    plot_domain_share(res.domain, ax=axes[1], label="exact (generative model)",
                      mc=mc[["same_site_prob"]].assign(domain_share=mc["domain_share_mc"]))
    plot_held_out_auc(res.generalisation, ax=axes[2])
    fig.tight_layout()
    figures = {"clinical_summary.png": (fig, "False negatives, domain share of the negative "
                                             "gradient and held-out-site AUC against π.")}
    return write(args, "clinical", StudyReport(
        "Cross-site negatives on UCI heart disease", res.tables(), figures, res.sections(),
        files={"clinical_false_negatives.csv": "exact rates per π and site",
               "clinical_domain_gradient_simulated.csv": "one row per π (exact and _mc)",
               "clinical_generalisation.csv": "one row per held-out site, π and seed",
               "clinical_generalisation_summary.csv": "mean and sd over seeds per held-out "
                                                      "site and trained method",
               "effects.csv": "mean, 95% interval, paired difference vs uniform negatives, "
                              "per held-out site × method × metric"}))
