"""``graphneg crf``: a CRF trained by exact NLL vs contrastive estimation.

Linear-chain CRF on the shipped Turkish UPOS sample, trained by exact NLL vs
contrastive estimation (all / sampled TRANS1 neighbours); accuracy and the CE–NLL gap
per epoch. Writes crf_nll_all.csv, crf_ce_all.csv, crf_ce_<n>.csv, crf_summary.csv,
crf_ce_nll_gap.png and report.md to --out.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_quiet, add_seeds, add_threads, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "crf", func=run, description=__doc__,
                    help="CRF: exact NLL vs contrastive estimation on a real POS sample")
    p.add_argument("--epochs", type=int, default=8, metavar="N",
                   help="training epochs per objective")
    p.add_argument("--max-length", type=int, default=25, metavar="N",
                   help="longest sentence kept (tokens)")
    p.add_argument("--num-samples", type=int, default=20, metavar="N",
                   help="neighbours per sentence for the sampled CE run")
    add_seeds(p, default=[0, 1, 2, 3, 4])
    add_quiet(p)
    add_threads(p)


def run(args) -> int:
    import matplotlib.pyplot as plt

    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.structured import plot_ce_nll_gap
    from graphneg.analysis.studies import crf

    tables = crf.run(epochs=args.epochs, max_length=args.max_length,
                     num_samples=args.num_samples, seeds=args.seeds, progress=not args.quiet)
    sections = crf.build_sections(tables)
    hists = {t["run"].iloc[0]: t for stem, t in tables.items()
             if stem not in ("crf_summary", "crf_runs")}
    fig, ax = plt.subplots(figsize=(8, 5.5))
    plot_ce_nll_gap(hists, ax=ax)
    ax.set_title("CRF on the Turkish UPOS sample: exact NLL vs contrastive estimation "
                 "(mean over seeds)", fontsize=10)
    fig.tight_layout()
    figures = {"crf_ce_nll_gap.png": (fig, "Exact NLL (solid), CE loss (dashed) and validation "
                                      "accuracy (dotted) per epoch and objective.")}
    return write(args, "crf", StudyReport(
        "CRF: exact NLL vs contrastive estimation", tables, figures, sections,
        files={"crf_runs.csv": "one row per objective and seed (and the baseline)",
               "crf_summary.csv": "mean, 95% interval, paired difference against exact NLL"}))
