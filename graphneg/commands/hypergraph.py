"""``graphneg hypergraph``: negative hyperedges compared across hypergraphs, samplers and seeds.

``graphneg hypergraph compare`` (the default) draws negatives with every sampler
on every hypergraph (shipped data and generators), profiles them (size,
overlap with the anchor, clique-expansion hardness), trains the hyperedge-
contrastive model with each, and writes ``runs.csv``, ``summary.csv``,
``profiles.csv``, ``profile_<graph>.png``, ``auc.png``, ``eta.png`` and
``report.md`` to ``--out``.

``graphneg hypergraph sweep`` maps test AUC and hardness of the max-entropy
sampler over an (α, β) grid on Les Misérables, five seeds by default:
``sweep.csv`` (one row per cell and seed), ``sweep_effects.csv`` and
``sweep_test_auc_effects.png`` / ``sweep_hard_auc_effects.png`` (paired differences
against α = β = 0 with 95% intervals), ``sweep_auc.png``, ``sweep_hardness.png``,
``sweep_overlap.png``, ``sweep.md``.

The experiments are :func:`graphneg.analysis.studies.hypergraph.run` and
:func:`~graphneg.analysis.studies.hypergraph.run_sweep`.
"""
from __future__ import annotations

from graphneg.analysis.studies.hypergraph import HYPERGRAPHS, load_hypergraph
from graphneg.cli import add_command, add_seeds, add_threads, command_of, settings_of, write

__all__ = ["register", "run_compare", "run_sweep", "HYPERGRAPHS", "load_hypergraph"]


def register(subparsers) -> None:
    p = add_command(subparsers, "hypergraph", func=run_compare, description=__doc__,
                    help="negative hyperedges: compare samplers, sweep (alpha, beta)")
    sub = p.add_subparsers(dest="hypergraph_command")
    c = add_command(sub, "compare", func=run_compare, out="results/hypergraph",
                    help="hypergraphs x samplers x seeds (the default)")
    s = add_command(sub, "sweep", func=run_sweep, out="results/hypergraph",
                    help="max-entropy sampler over an (alpha, beta) grid")
    for q in (p, c):
        q.add_argument("--graphs", nargs="+", default=["lesmis", "planted", "random"],
                       choices=HYPERGRAPHS, metavar="NAME",
                       help=f"hypergraphs, from {' '.join(HYPERGRAPHS)}")
        add_seeds(q, default=[0, 1, 2, 3, 4])
        q.add_argument("--epochs", type=int, default=15, help="training epochs per run")
        q.add_argument("--num-neg", type=int, default=5, help="negatives per anchor hyperedge")
        add_threads(q)
    s.add_argument("--graph", default="lesmis", choices=HYPERGRAPHS, metavar="NAME",
                   help=f"hypergraph, one of {' '.join(HYPERGRAPHS)}")
    s.add_argument("--alphas", type=float, nargs="+", default=[-1.0, 0.0, 1.0, 2.0],
                   help="size exponents α (include 0 with β = 0: the paired reference)")
    s.add_argument("--betas", type=float, nargs="+", default=[-6.0, -3.0, 0.0, 2.0],
                   help="overlap exponents β (< 0: hard, overlapping negatives)")
    s.add_argument("--candidates", default="sized", choices=["hyperedges", "sized", "motif"],
                   help="candidate pool of the max-entropy sampler (sized: generated sets, "
                        "whose hardness varies; true hyperedges all have density 1)")
    s.add_argument("--num-candidates", type=int, default=None,
                   help="size of the candidate pool (unset: the sampler's own default)")
    add_seeds(s, default=[0, 1, 2, 3, 4])
    s.add_argument("--epochs", type=int, default=15, help="training epochs per run")
    s.add_argument("--num-neg", type=int, default=5, help="negatives per anchor hyperedge")
    add_threads(s)


def run_compare(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from graphneg.analysis.hypergraph import (
        plot_by_hypergraph, plot_hardness, plot_overlap_distributions, plot_size_distributions,
    )
    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import hypergraph

    res = hypergraph.run(args.graphs, seeds=args.seeds, num_neg=args.num_neg,
                         epochs=args.epochs)
    figures = {}
    for g in res.graphs.itertuples():
        prof = res.profiles[(res.profiles["graph"] == g.graph)
                            & (res.profiles["seed"] == args.seeds[0])]
        pos_density = float(res.runs.loc[res.runs["graph"] == g.graph, "pos_density"].iloc[0])
        fig, axes = plt.subplots(1, 3, figsize=(18, 5))
        plot_size_distributions(prof, res.positive_sizes[g.graph], ax=axes[0])
        plot_overlap_distributions(prof, ax=axes[1])
        plot_hardness(prof, pos_density, ax=axes[2])
        fig.suptitle(f"{g.graph}: {g.num_nodes} nodes, {g.num_hyperedges} hyperedges "
                     f"(seed {args.seeds[0]})")
        fig.tight_layout()
        figures[f"profile_{g.graph}.png"] = (fig, f"{g.graph}: negative sizes vs positives, "
                                             "overlap with the anchor, and clique-expansion "
                                             "density (dashed: positives).")
    for metric, name, label in (
            ("test_auc", "auc.png", "test AUC, random-set protocol (coherence score)"),
            ("hard_auc", "hard_auc.png", "test AUC, swapped-member protocol"),
            ("neg_weight", "neg_weight.png", "InfoNCE weight on the negatives, mean Σ_k w_k")):
        ax = plot_by_hypergraph(res.runs[res.runs[metric].notna()], metric, label=label,
                                graphs=args.graphs)
        ax.figure.tight_layout()
        figures[name] = (ax.figure, label + " by hypergraph and method (mean ± sd over "
                                            "seeds).")
    fig, axes = plt.subplots(1, len(args.graphs), figsize=(5 * len(args.graphs), 4),
                             squeeze=False)
    for ax, g in zip(axes[0], args.graphs):
        h = res.history[res.history["graph"] == g]
        for sampler, part in h.groupby("sampler", sort=False):
            curve = part.groupby("epoch")["val_auc"].mean()
            ax.plot(curve.index, curve.values, marker=".", label=sampler)
        ax.set_title(f"{g}: validation AUC per epoch")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    figures["learning_curves.png"] = (fig, "Learning curves on the validation hyperedges "
                                           "(mean over seeds).")
    return write(args, "hypergraph", StudyReport(
        "Negative hyperedges: hypergraphs × samplers × seeds", res.tables(), figures,
        res.sections(), files={"summary.csv": "one row per hypergraph, method and seed",
                               "effects.csv": "mean, 95% interval, paired difference vs "
                                              "uniform, per hypergraph × method × metric",
                               "results.csv": "every epoch of every training run",
                               "summary_by_sampler.csv": "mean and sd over seeds",
                               "profiles.csv": "one row per negative hyperedge"}))


def run_sweep(args) -> int:
    import matplotlib

    matplotlib.use("Agg")

    from graphneg.analysis.hypergraph import plot_sweep_effects, plot_sweep_heatmap
    from graphneg.analysis.report import StudyReport, markdown_table, write_study
    from graphneg.analysis.studies import hypergraph

    sweep = hypergraph.run_sweep(args.graph, args.alphas, args.betas,
                                 candidates=args.candidates,
                                 num_candidates=args.num_candidates, seeds=args.seeds,
                                 num_neg=args.num_neg, epochs=args.epochs)
    figures, tables = {}, {"sweep": sweep}
    sections = hypergraph.sweep_sections(candidates=args.candidates, epochs=args.epochs,
                                         num_neg=args.num_neg, seeds=args.seeds)
    if ((sweep["alpha"] == 0) & (sweep["beta"] == 0)).any():
        tables["sweep_effects"] = eff = hypergraph.sweep_effects(sweep)
        for metric in ("test_auc", "hard_auc"):
            ax = plot_sweep_effects(eff, metric)
            ax.figure.tight_layout()
            figures[f"sweep_{metric}_effects.png"] = (
                ax.figure, f"{args.graph}: paired difference of {metric} against α = β = 0 "
                           f"over seeds {args.seeds} (95% intervals).")
        cells = eff[eff["metric"].isin(["test_auc", "hard_auc"])]
        tested = cells[cells["diff_vs_uniform"].notna()]
        count = ", ".join(f"{m}: {int(p['measurable'].sum())} of {len(p)} cells"
                          for m, p in tested.groupby("metric", sort=False))
        sections.append(("Multiple comparisons", (
            f"Cells whose 95% interval excludes 0 — {count}. With no effect anywhere about "
            f"5% of the cells ({0.05 * len(tested) / 2:.2g} per metric) would exclude 0 by "
            f"chance: a lone marked cell is not evidence.")))
        sections.append(("Paired differences against α = β = 0", markdown_table(
            cells[["alpha", "beta", "metric", "mean", "ci_low", "ci_high", "diff_vs_uniform",
                   "diff_ci_low", "diff_ci_high", "measurable"]].round(4))))
    else:
        sections.append(("Paired differences", "The grid holds no α = β = 0 cell: no paired "
                                                "reference, means only."))
    for value, name, cmap in (("test_auc", "sweep_auc.png", "viridis"),
                              ("mean_density", "sweep_hardness.png", "magma"),
                              ("mean_overlap", "sweep_overlap.png", "magma")):
        ax = plot_sweep_heatmap(sweep, value, cmap=cmap)
        ax.set_title(f"{args.graph}: {value} over (α, β), mean of seeds {args.seeds}")
        ax.figure.tight_layout()
        figures[name] = (ax.figure, f"{value} of the max-entropy sampler over the (α, β) grid "
                                    f"(mean over seeds; colour range = the grid's min to max).")
    path = write_study(args.out, StudyReport(
        f"(α, β) sweep of the max-entropy hyperedge sampler on {args.graph}", tables,
        figures, sections, files={"sweep.csv": "one row per (α, β, seed)",
                                  "sweep_effects.csv": "mean, 95% interval and paired "
                                                       "difference vs α = β = 0 per cell"}),
        command=command_of(args, "hypergraph sweep"), report_name="sweep.md",
        settings={k: v for k, v in settings_of(args).items() if k != "graphs"})
    print(f"wrote {path}")
    return 0
