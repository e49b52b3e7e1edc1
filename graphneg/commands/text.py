"""``graphneg text``: text and audio–text negative sampling on shipped real data.

1. Skip-gram as link prediction on the Jargon File word–context graph with the
   uniform, degree^0.75 and hybrid samplers; word similarity on WordNet synonyms.
2. A (λ, α) sweep of the hybrid sampler at the trained model: semantic and
   orthographic distance of the negatives, their hardness, and η.
3. Phonetic sampler: exact expected homophone false negatives per word, checked
   by simulation; the most exposed words.
4. Audio–text matching with each homophone policy (and uniform negatives).

Writes ``text_*.csv``, four ``text_*.png`` figures and ``report.md`` to ``--out``.
The experiment is :func:`graphneg.analysis.studies.text.run`. Needs ``graphneg[text]``.
"""
from __future__ import annotations

from graphneg.cli import add_command, add_seeds, write

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "text", func=run, description=__doc__,
                    help="hybrid and phonetic negatives on text / audio-text")
    add_seeds(p, default=[0, 1])
    p.add_argument("--epochs", type=int, default=10, help="skip-gram epochs")
    p.add_argument("--audio-epochs", type=int, default=120, help="audio-text matching epochs")
    p.add_argument("--num-words", type=int, default=2000,
                   help="vocabulary of the audio-text task")
    p.add_argument("--lams", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0],
                   help="λ grid of the hybrid sweep (0: orthographic, 1: semantic)")
    p.add_argument("--alphas", type=float, nargs="+", default=[0.0, 1.0, 3.0, 10.0, 30.0],
                   help="α grid of the hybrid sweep (inverse temperature; 0: uniform)")
    p.add_argument("--quick", action="store_true",
                   help="small settings and the first seed only, for a smoke run (seconds, "
                        "not minutes)")


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from graphneg.analysis.report import StudyReport
    from graphneg.analysis.studies import text
    from graphneg.analysis.text import (
        plot_false_negative_check, plot_hybrid_sweep, plot_policy_effect, plot_sampler_effect,
    )

    if args.quick:  # resolved on args, so that the report's settings say what ran
        vars(args).update(text.QUICK, seeds=args.seeds[:1])
    keys = ("seeds", "epochs", "audio_epochs", "num_words", "lams", "alphas", *text.QUICK)
    res = text.run(**{k: getattr(args, k) for k in keys if hasattr(args, k)})
    figures = {}
    ax = plot_sampler_effect(res.skipgram, ax=plt.subplots(figsize=(7, 4))[1])
    ax.set_title(f"Skip-gram on the Jargon File ({res.num_words} words): WordNet synonyms")
    figures["text_skipgram_samplers.png"] = (ax.figure, "WordNet-synonym AUC per skip-gram "
                                                        "sampler (mean ± sd over seeds).")
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    for ax, (metric, label) in zip(axes.flat, (
            ("d_sem", "mean semantic distance 1 − cos"),
            ("d_syn", "mean normalised Levenshtein"),
            ("sigmoid_score", "hardness: mean σ(s(u, n)) at the model"),
            ("eta", "sampling efficiency η"))):
        plot_hybrid_sweep(res.sweep, metric, ax=ax, label=label)
    fig.suptitle("Hybrid Gibbs negatives q ∝ exp(−α d_λ) on the Jargon File word–context "
                 "graph")
    figures["text_hybrid_sweep.png"] = (fig, "What the hybrid sampler draws over (λ, α).")
    ax = plot_false_negative_check(res.false_negatives, ax=plt.subplots(figsize=(5.5, 5))[1])
    ax.set_title(f"Phonetic sampler (r = 1, homophones kept): E[#FN], K = {res.num_neg}")
    figures["text_false_negatives.png"] = (ax.figure, "Exact expected homophone false "
                                                      "negatives against simulation.")
    ax = plot_policy_effect(res.policies, ax=plt.subplots(figsize=(7, 4))[1])
    ax.set_title(f"Audio–text matching ({res.audio_words} words): homophone policy")
    figures["text_homophone_policies.png"] = (ax.figure, "MRR per homophone policy (mean ± "
                                                         "sd over seeds).")
    for f, _ in figures.values():
        f.tight_layout()
    return write(args, "text", StudyReport(
        "Hybrid and phonetic negatives on text and audio–text", res.tables(), figures,
        res.sections(), files={"text_skipgram.csv": "one row per sampler and seed",
                               "text_hybrid_sweep.csv": "one row per (λ, α)",
                               "text_false_negatives.csv": "one row per spoken word",
                               "text_most_exposed_words.csv": "the 15 most exposed words",
                               "text_homophone_policies.csv": "one row per policy and seed"}))
