"""``graphneg text``: text and audio–text negative sampling on shipped real data.

1. Skip-gram as link prediction on the Jargon File word–context graph with the
   uniform, degree^0.75 and hybrid samplers; word similarity on WordNet synonyms.
2. A (λ, α) sweep of the hybrid sampler at the trained model: semantic and
   orthographic distance of the negatives, their hardness, and η.
3. Phonetic sampler: exact expected homophone false negatives per word, checked
   by simulation; the most exposed words.
4. Audio–text matching with each homophone policy (and uniform negatives).

Writes CSVs and PNGs to ``--out``. Needs ``graphneg[text]``.
"""
from __future__ import annotations

import argparse
import pathlib

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser("text", help="hybrid and phonetic negatives on text / audio-text",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="results/text", help="output folder (default results/text)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--epochs", type=int, default=10, help="skip-gram epochs")
    p.add_argument("--audio-epochs", type=int, default=120)
    p.add_argument("--num-words", type=int, default=2000,
                   help="vocabulary of the audio-text task")
    p.add_argument("--lams", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0])
    p.add_argument("--alphas", type=float, nargs="+", default=[0.0, 1.0, 3.0, 10.0, 30.0])
    p.add_argument("--quick", action="store_true",
                   help="small settings for a smoke run (seconds, not minutes)")
    p.set_defaults(func=run)


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from tqdm.auto import tqdm

    from graphneg.analysis.text import (
        compare_homophone_policies, compare_skipgram_samplers, expected_false_negatives,
        hybrid_sweep, most_exposed_words, plot_false_negative_check, plot_hybrid_sweep,
        plot_policy_effect, plot_sampler_effect, simulate_false_negatives,
    )
    from graphneg.datasets.text import audio_text_graph, text_graph
    from graphneg.samplers import PhoneticNegativeSampler
    from graphneg.training.text import SkipGramTrainer

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    quick = args.quick
    seeds = args.seeds[:1] if quick else args.seeds
    steps = tqdm(total=4, desc="graphneg text", unit="part")

    # 1. skip-gram with three samplers
    data = text_graph(embeddings=True, max_words=600 if quick else None)
    samplers = {"uniform": ("uniform", {}), "degree^0.75": ("degree", {}),
                "hybrid λ=0 (orthographic)": ("hybrid", {"lam": 0.0, "alpha": 10.0}),
                "hybrid λ=0.5": ("hybrid", {"lam": 0.5, "alpha": 10.0}),
                "hybrid λ=1 (semantic)": ("hybrid", {"lam": 1.0, "alpha": 10.0})}
    kw = dict(pairs_per_epoch=5000 if quick else 20000, dim=32, lr=0.005)
    sg = compare_skipgram_samplers(data, samplers, seeds=seeds,
                                   epochs=2 if quick else args.epochs, **kw)
    sg.to_csv(out / "text_skipgram.csv", index=False)
    summary = sg.drop(columns="seed").groupby("sampler", sort=False).agg(["mean", "std"])
    print(summary.round(3).to_string())
    fig, ax = plt.subplots(figsize=(7, 4))
    plot_sampler_effect(sg, ax=ax)
    ax.set_title(f"Skip-gram on the Jargon File ({data.num_words} words): WordNet synonyms")
    fig.tight_layout()
    fig.savefig(out / "text_skipgram_samplers.png", dpi=130)
    plt.close(fig)
    steps.update(1)

    # 2. (λ, α) sweep at a uniform-trained model
    t = SkipGramTrainer(data, sampler="uniform", epochs=2 if quick else args.epochs,
                        seed=seeds[0], verbose=False, **kw)
    t.fit()
    sweep = hybrid_sweep(data, t.model["word"].weight, t.model["context"].weight,
                         lams=args.lams, alphas=args.alphas,
                         num_pairs=300 if quick else 2000, seed=seeds[0])
    sweep.to_csv(out / "text_hybrid_sweep.csv", index=False)
    print(sweep.round(4).to_string())
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    plot_hybrid_sweep(sweep, "d_sem", ax=axes[0, 0], label="mean semantic distance 1 − cos")
    plot_hybrid_sweep(sweep, "d_syn", ax=axes[0, 1], label="mean normalised Levenshtein")
    plot_hybrid_sweep(sweep, "sigmoid_score", ax=axes[1, 0],
                      label="hardness: mean σ(s(u, n)) at the model")
    plot_hybrid_sweep(sweep, "eta", ax=axes[1, 1], label="sampling efficiency η")
    fig.suptitle("Hybrid Gibbs negatives q ∝ exp(−α d_λ) on the Jargon File word–context graph")
    fig.tight_layout()
    fig.savefig(out / "text_hybrid_sweep.png", dpi=130)
    plt.close(fig)
    steps.update(1)

    # 3. homophone false negatives: exact vs simulation
    audio = audio_text_graph(300 if quick else args.num_words)
    sampler = PhoneticNegativeSampler(5, radius=1, homophones="keep", seed=seeds[0])
    exact = expected_false_negatives(sampler, audio, num_neg=5)
    sim = simulate_false_negatives(sampler, audio, num_neg=5, num_rounds=50 if quick else 400)
    fn = exact.merge(sim, on="anchor")
    fn.to_csv(out / "text_false_negatives.csv", index=False)
    top = most_exposed_words(fn[fn["num_homophones"] > 0], 15)
    top.to_csv(out / "text_most_exposed_words.csv", index=False)
    print(top[["word", "num_homophones", "expected_fn", "simulated_fn"]].to_string())
    h = fn[fn["num_homophones"] > 0]
    z = (h["simulated_fn"] - h["expected_fn"]) / h["simulated_se"].clip(lower=1e-12)
    print(f"{len(h)} of {audio.num_words} spoken words have a homophone "
          f"({audio.num_skipped} words without a CMU pronunciation skipped); "
          f"max |z| exact vs simulated = {float(z.abs().max()):.2f}")
    fig, ax = plt.subplots(figsize=(5.5, 5))
    plot_false_negative_check(fn, ax=ax)
    ax.set_title("Phonetic sampler (r = 1, homophones kept): E[#FN], K = 5")
    fig.tight_layout()
    fig.savefig(out / "text_false_negatives.png", dpi=130)
    plt.close(fig)
    steps.update(1)

    # 4. homophone policies on audio–text matching
    pol = compare_homophone_policies(audio, seeds=seeds,
                                     epochs=5 if quick else args.audio_epochs,
                                     sampler_kwargs={"radius": None, "alpha": 1.0}, lr=0.01)
    pol.to_csv(out / "text_homophone_policies.csv", index=False)
    print(pol.drop(columns="seed").groupby("sampler", sort=False).mean().round(4).to_string())
    fig, ax = plt.subplots(figsize=(7, 4))
    plot_policy_effect(pol, ax=ax)
    ax.set_title(f"Audio–text matching ({audio.num_words} words): homophone policy")
    fig.tight_layout()
    fig.savefig(out / "text_homophone_policies.png", dpi=130)
    plt.close(fig)
    steps.update(1)
    steps.close()
    print(f"wrote CSVs and 4 figures to {out}")
    return 0
