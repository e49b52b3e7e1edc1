"""``graphneg text``: text and audio–text negative sampling on shipped real data.

1. Skip-gram as link prediction on the Jargon File word–context graph with the
   uniform, degree^0.75 and hybrid samplers; model selection on validation WordNet
   synonyms, scores on disjoint test synonyms against random and against
   orthographically hard pairs, beside baselines that need no learning.
2. A (λ, α) sweep of the hybrid sampler at the trained model.
3. Phonetic sampler: exact expected homophone false negatives per word, checked
   by simulation; the most exposed words.
4. Audio–text matching with each homophone policy and uniform negatives (validation
   words for model selection, test words scored once), beside baselines.

Writes ``summary.csv``, ``effects.csv``, ``results.csv`` (every epoch), ``text_*.csv``,
figures and ``report.md`` (findings first) to ``--out``. The experiment is
:func:`graphneg.analysis.studies.text.run`. Needs ``graphneg[text]``.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_seeds, add_threads, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "text", func=run, description=__doc__,
                    help="hybrid and phonetic negatives on text / audio-text")
    add_seeds(p, default=[0, 1, 2, 3, 4])
    p.add_argument("--epochs", type=int, default=6, help="skip-gram epochs")
    p.add_argument("--audio-epochs", type=int, default=250,
                   help="audio-text matching epochs (best epoch chosen on validation words)")
    p.add_argument("--num-words", type=int, default=300,
                   help="vocabulary of the audio-text task (homophone-rich)")
    p.add_argument("--max-words", type=int, default=1000,
                   help="vocabulary of the skip-gram word-context graph")
    p.add_argument("--lams", type=float, nargs="+", default=[0.0, 0.5, 1.0],
                   help="λ grid of the hybrid sweep (0: orthographic, 1: semantic)")
    p.add_argument("--alphas", type=float, nargs="+", default=[0.0, 3.0, 10.0],
                   help="α grid of the hybrid sweep (inverse temperature; 0: uniform)")
    p.add_argument("--quick", action="store_true",
                   help="small settings and the first two seeds only, for a smoke run "
                        "(seconds, not minutes)")
    add_threads(p)


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import text
    from graphneg.analysis.text import (
        plot_false_negative_check, plot_hybrid_sweep, plot_intervals, plot_learning_curves,
    )

    if args.quick:  # resolved on args, so that the report's settings say what ran
        vars(args).update(text.QUICK, seeds=args.seeds[:2])
    keys = ("seeds", "epochs", "audio_epochs", "num_words", "max_words", "lams", "alphas",
            *text.QUICK)
    res = text.run(**{k: getattr(args, k) for k in keys if hasattr(args, k)})
    figures = {}
    ax = plot_intervals(res.effects, "skipgram", ["test_syn_auc", "hard_syn_auc"],
                        ax=plt.subplots(figsize=(8, 4))[1], chance=res.chance,
                        ylabel="synonym AUC (0.5 = chance)")
    ax.set_title(f"Skip-gram ({res.num_words} words): held-out WordNet synonyms vs random "
                 f"and orthographic pairs")
    figures["text_skipgram_samplers.png"] = (ax.figure, "Test synonym AUC per method, both "
                                                        "protocols (mean and 95% interval).")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    plot_learning_curves(res.history, "skipgram", "val_syn_auc", ax=axes[0])
    axes[0].set_title("skip-gram: validation synonym AUC")
    plot_learning_curves(res.history, "audio-text", "val_mrr_homophone", ax=axes[1])
    axes[1].set_title("audio–text: validation MRR (homophone-tolerant)")
    figures["text_learning_curves.png"] = (fig, "Learning curves on the validation split "
                                                "(mean over seeds).")
    ax = plot_intervals(res.effects, "audio-text", ["mrr", "hard_mrr", "train_homophone_mrr"],
                        ax=plt.subplots(figsize=(8, 4))[1], chance=res.chance, ylabel="MRR")
    ax.set_title(f"Audio–text matching ({res.audio_words} words): homophone policies")
    figures["text_homophone_policies.png"] = (ax.figure, "Test MRR (all words, phonetic "
                                                         "neighbours) and training homophone "
                                                         "words' MRR (mean and 95% interval).")
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    for ax, (metric, label) in zip(axes.flat, (
            ("d_sem", "mean semantic distance 1 − cos"),
            ("d_syn", "mean normalised Levenshtein"),
            ("sigmoid_score", "hardness: mean σ(s(u, n)) at the model"),
            ("eta", "sampling efficiency η"))):
        plot_hybrid_sweep(res.sweep, metric, ax=ax, label=label)
    fig.suptitle("Hybrid Gibbs negatives q ∝ exp(−α d_λ) (one seed, descriptive)")
    figures["text_hybrid_sweep.png"] = (fig, "What the hybrid sampler draws over (λ, α).")
    ax = plot_false_negative_check(res.false_negatives, ax=plt.subplots(figsize=(5.5, 5))[1])
    ax.set_title(f"Phonetic sampler (r = 1, homophones kept): E[#FN], K = {res.num_neg}")
    figures["text_false_negatives.png"] = (ax.figure, "Exact expected homophone false "
                                                      "negatives against simulation.")
    for f, _ in figures.values():
        f.tight_layout()
    return write(args, "text", StudyReport(
        "Hybrid and phonetic negatives on text and audio–text", res.tables(), figures,
        res.sections(), files={"summary.csv": "one row per task × method × seed",
                               "effects.csv": "mean, 95% interval, paired difference vs "
                                              "uniform, per task × method × metric",
                               "results.csv": "every epoch of every training run",
                               "text_hybrid_sweep.csv": "one row per (λ, α)",
                               "text_false_negatives.csv": "one row per spoken word",
                               "text_most_exposed_words.csv": "the 15 most exposed words"}))
