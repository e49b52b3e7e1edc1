r"""Hybrid and phonetic negatives on text and audio–text data (shipped, real).

:func:`run` does four things:

1. skip-gram as link prediction on the Jargon File word–context graph with the
   uniform, degree\ :sup:`0.75` and hybrid samplers (:func:`compare_skipgram_samplers`),
   scored by word similarity on WordNet synonyms;
2. a :math:`(\lambda, \alpha)` sweep of the hybrid sampler
   :math:`q \propto \exp(-\alpha d_\lambda)` at a uniform-trained model
   (:func:`graphneg.analysis.text.hybrid_sweep`): semantic and orthographic distance of
   the negatives, their hardness and :math:`\eta`;
3. the phonetic sampler's exact expected homophone false negatives per word,
   :math:`E[\#FN] = K \sum_{n \in H(u)} q(n \mid u)`, checked by simulation, and the
   most exposed words;
4. audio–text matching with each homophone policy and uniform negatives
   (:func:`compare_homophone_policies`).

It returns tables only; ``graphneg text`` draws and writes them. Needs ``graphneg[text]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import pandas as pd

from ..report import markdown_table
from ..text import expected_false_negatives, hybrid_sweep, most_exposed_words, \
    simulate_false_negatives

__all__ = ["TextStudy", "SKIPGRAM_SAMPLERS", "QUICK", "compare_skipgram_samplers",
           "compare_homophone_policies", "run"]

#: Label -> (registry name, kwargs) of the skip-gram samplers compared.
SKIPGRAM_SAMPLERS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "uniform": ("uniform", {}), "degree^0.75": ("degree", {}),
    "hybrid λ=0 (orthographic)": ("hybrid", {"lam": 0.0, "alpha": 10.0}),
    "hybrid λ=0.5": ("hybrid", {"lam": 0.5, "alpha": 10.0}),
    "hybrid λ=1 (semantic)": ("hybrid", {"lam": 1.0, "alpha": 10.0}),
}

#: Settings of a smoke run (seconds, not minutes): overrides for :func:`run`
#: (``graphneg text --quick`` also keeps only the first seed).
QUICK: Dict[str, Any] = {"max_words": 600, "epochs": 2, "pairs_per_epoch": 5000,
                         "sweep_pairs": 300, "num_words": 300, "fn_rounds": 50,
                         "audio_epochs": 5}


def compare_skipgram_samplers(data, samplers: Dict[str, Tuple[str, Dict[str, Any]]], *,
                              seeds: Iterable[int] = (0,), epochs: int = 10,
                              **trainer_kwargs: Any) -> pd.DataFrame:
    """Train :class:`~graphneg.training.text.SkipGramTrainer` per sampler and seed.

    Parameters
    ----------
    samplers : dict
        ``label -> (registry name, constructor kwargs)``.

    Returns
    -------
    DataFrame
        One row per run: ``sampler, seed, best_syn_auc, final_syn_auc, final_loss,
        neg_score_mean, seconds``.
    """
    from graphneg.training.text import SkipGramTrainer
    rows = []
    for label, (name, kwargs) in samplers.items():
        for seed in seeds:
            t = SkipGramTrainer(data, sampler=name, sampler_kwargs=kwargs, epochs=epochs,
                                seed=seed, verbose=False, **trainer_kwargs)
            h = t.fit()
            rows.append({"sampler": label, "seed": seed,
                         "best_syn_auc": float(h["val_syn_auc"].max()),
                         "final_syn_auc": float(h["val_syn_auc"].iloc[-1]),
                         "final_loss": float(h["loss"].iloc[-1]),
                         "neg_score_mean": float(h["neg_score_mean"].iloc[-1]),
                         "seconds": float(h["elapsed_s"].iloc[-1])})
    return pd.DataFrame(rows)


def compare_homophone_policies(data, *, policies: Sequence[str] = ("keep", "exclude", "positive"),
                               seeds: Iterable[int] = (0,), epochs: int = 30,
                               sampler_kwargs: Optional[Dict[str, Any]] = None,
                               include_uniform: bool = True,
                               **trainer_kwargs: Any) -> pd.DataFrame:
    """Train :class:`~graphneg.training.text.AudioTextTrainer` per homophone policy and seed.

    Returns
    -------
    DataFrame
        One row per run, final epoch: ``sampler, seed, mrr, mrr_homophone, hits1``
        (held-out words), ``train_homophone_mrr`` (training words that have a
        homophone, homophone-tolerant) and ``homophone_neg_ratio`` (mean share of
        drawn negatives that were homophones).
    """
    from graphneg.training.text import AudioTextTrainer
    runs = [(f"phonetic/{p}", "phonetic", {**(sampler_kwargs or {}), "homophones": p})
            for p in policies]
    if include_uniform:
        runs.append(("uniform", "uniform", {}))
    rows = []
    for label, name, kwargs in runs:
        for seed in seeds:
            t = AudioTextTrainer(data, sampler=name, sampler_kwargs=kwargs, epochs=epochs,
                                 seed=seed, verbose=False, **trainer_kwargs)
            t.restore_best = False
            h = t.fit()
            last = h.iloc[-1]
            rows.append({"sampler": label, "seed": seed, "mrr": float(last["val_mrr"]),
                         "mrr_homophone": float(last["val_mrr_homophone"]),
                         "hits1": float(last["val_hits1"]),
                         "train_homophone_mrr": float(last.get("val_train_homophone_mrr",
                                                               float("nan"))),
                         "homophone_neg_ratio": float(h["homophone_neg_ratio"].mean())})
    return pd.DataFrame(rows)


@dataclass
class TextStudy:
    """What :func:`run` returns.

    Attributes
    ----------
    skipgram : DataFrame
        :func:`compare_skipgram_samplers`, one row per sampler and seed.
    sweep : DataFrame
        :func:`graphneg.analysis.text.hybrid_sweep`, one row per (λ, α).
    false_negatives : DataFrame
        Exact and simulated homophone false negatives per spoken word.
    most_exposed : DataFrame
        The words with the largest expected false-negative count.
    policies : DataFrame
        :func:`compare_homophone_policies`, one row per policy and seed.
    num_words, audio_words, audio_skipped : int
        Vocabulary of the skip-gram graph; spoken words of the audio–text graph and the
        words skipped for lack of a CMU pronunciation.
    num_neg : int
        :math:`K` of the false-negative count.
    """

    skipgram: pd.DataFrame
    sweep: pd.DataFrame
    false_negatives: pd.DataFrame
    most_exposed: pd.DataFrame
    policies: pd.DataFrame
    num_words: int
    audio_words: int
    audio_skipped: int
    num_neg: int = 5

    def tables(self) -> Dict[str, pd.DataFrame]:
        """The tables written as CSV (``text_skipgram``, ``text_hybrid_sweep``,
        ``text_false_negatives``, ``text_most_exposed_words``, ``text_homophone_policies``)."""
        return {"text_skipgram": self.skipgram, "text_hybrid_sweep": self.sweep,
                "text_false_negatives": self.false_negatives,
                "text_most_exposed_words": self.most_exposed,
                "text_homophone_policies": self.policies}

    def max_abs_zscore(self) -> float:
        """Largest ``|simulated − exact| / se`` over the words that have a homophone."""
        h = self.false_negatives[self.false_negatives["num_homophones"] > 0]
        z = (h["simulated_fn"] - h["expected_fn"]) / h["simulated_se"].clip(lower=1e-12)
        return float(z.abs().max())

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text: one section per part of the study."""
        sg = self.skipgram.drop(columns="seed").groupby("sampler", sort=False).agg(
            ["mean", "std"])
        pol = self.policies.drop(columns="seed").groupby("sampler", sort=False).mean()
        homophones = int((self.false_negatives["num_homophones"] > 0).sum())
        top = self.most_exposed[["word", "num_homophones", "expected_fn", "simulated_fn"]]
        return [
            ("Skip-gram samplers (mean ± sd over seeds)",
             f"Skip-gram on the Jargon File word–context graph ({self.num_words} words); "
             "WordNet-synonym AUC (0.5 = chance).\n\n"
             + markdown_table(sg, index=True, digits=3)),
            ("Hybrid sampler over (λ, α)",
             "At a uniform-trained model: mean semantic distance 1 − cos, normalised "
             "Levenshtein distance, hardness σ(s(u, n)) and η of the drawn negatives.\n\n"
             + markdown_table(self.sweep)),
            ("Homophone false negatives of the phonetic sampler",
             f"{homophones} of {self.audio_words} spoken words have a homophone "
             f"({self.audio_skipped} words without a CMU pronunciation skipped); exact "
             f"E[#FN] in K = {self.num_neg} draws against simulation: max |z| = "
             f"{self.max_abs_zscore():.2f}. The most exposed words:\n\n"
             + markdown_table(top)),
            ("Homophone policies on audio–text matching (mean over seeds)",
             markdown_table(pol, index=True)),
        ]


def run(*, seeds: Sequence[int] = (0, 1), epochs: int = 10, audio_epochs: int = 120,
        num_words: int = 2000, lams: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
        alphas: Sequence[float] = (0.0, 1.0, 3.0, 10.0, 30.0),
        max_words: Optional[int] = None, pairs_per_epoch: int = 20000,
        sweep_pairs: int = 2000, fn_rounds: int = 400, data: Any = None, audio: Any = None,
        progress: bool = True) -> TextStudy:
    r"""Skip-gram samplers, the hybrid (λ, α) sweep, homophone false negatives, policies.

    Parameters
    ----------
    seeds : sequence of int
        Training seeds; the first also seeds the sweep's model and the samplers.
    epochs : int
        Skip-gram epochs.
    audio_epochs : int
        Audio–text matching epochs.
    num_words : int
        Vocabulary of the audio–text task (ignored when ``audio`` is given).
    lams, alphas : sequences of float
        The hybrid sweep's grid.
    max_words : int, optional
        Vocabulary cap of the skip-gram graph (ignored when ``data`` is given).
    pairs_per_epoch : int
        Skip-gram pairs per epoch.
    sweep_pairs : int
        Positive pairs of the sweep.
    fn_rounds : int
        Rounds of the false-negative simulation.
    data, audio : Data, optional
        The word–context graph (:func:`graphneg.datasets.text.text_graph` with
        embeddings) and the audio–text graph
        (:func:`graphneg.datasets.text.audio_text_graph`); built when None.
    progress : bool
        A progress bar over the four parts.

    Returns
    -------
    TextStudy

    Notes
    -----
    Cost: ``len(seeds) · (5 · epochs + 4 · audio_epochs)`` training epochs, one sampler
    call per sweep cell and ``fn_rounds`` batches of the phonetic sampler.
    """
    from graphneg.datasets.text import audio_text_graph, text_graph
    from graphneg.samplers import PhoneticNegativeSampler
    from graphneg.training.text import SkipGramTrainer
    from tqdm.auto import tqdm

    steps = tqdm(total=4, desc="graphneg text", unit="part", disable=not progress)
    if data is None:
        data = text_graph(embeddings=True, max_words=max_words)
    kw = dict(pairs_per_epoch=pairs_per_epoch, dim=32, lr=0.005)
    sg = compare_skipgram_samplers(data, SKIPGRAM_SAMPLERS, seeds=seeds, epochs=epochs, **kw)
    steps.update(1)

    t = SkipGramTrainer(data, sampler="uniform", epochs=epochs, seed=seeds[0], verbose=False,
                        **kw)
    t.fit()
    sweep = hybrid_sweep(data, t.model["word"].weight, t.model["context"].weight, lams=lams,
                         alphas=alphas, num_pairs=sweep_pairs, seed=seeds[0])
    steps.update(1)

    if audio is None:
        audio = audio_text_graph(num_words)
    sampler = PhoneticNegativeSampler(5, radius=1, homophones="keep", seed=seeds[0])
    exact = expected_false_negatives(sampler, audio, num_neg=5)
    sim = simulate_false_negatives(sampler, audio, num_neg=5, num_rounds=fn_rounds)
    fn = exact.merge(sim, on="anchor")
    top = most_exposed_words(fn[fn["num_homophones"] > 0], 15)
    steps.update(1)

    pol = compare_homophone_policies(audio, seeds=seeds, epochs=audio_epochs,
                                     sampler_kwargs={"radius": None, "alpha": 1.0}, lr=0.01)
    steps.update(1)
    steps.close()
    return TextStudy(sg, sweep, fn, top, pol, int(data.num_words), int(audio.num_words),
                     int(getattr(audio, "num_skipped", 0)), 5)
