r"""Hybrid and phonetic negatives on text and audio–text data (shipped, real): a paired study.

Design (what a reviewer checks)
-------------------------------
**Skip-gram** (:func:`compare_skipgram_samplers`). Skip-gram as link prediction on the
Jargon File word–context graph, one run per sampler and seed. The WordNet synonym pairs
are split per seed into *validation* pairs (early stopping and best weights, inside
:class:`~graphneg.training.text.SkipGramTrainer`) and disjoint *test* pairs, scored once
after training. The seed fixes the split and the evaluation negatives, so every sampler
and every baseline is scored on the same pairs (paired by seed). Two protocols:

* ``uniform`` (``test_syn_auc``): test synonyms against random word pairs;
* ``orthographic`` (``hard_syn_auc``): test synonyms ``(a, b)`` against ``(a, n)`` with
  ``n`` the word spelled most like ``a`` (smallest normalised Levenshtein distance) that
  is neither ``a`` nor a known synonym of ``a`` — the negatives a spelling-based model
  confuses.

Baselines that need no learning, on the same pairs: ``baseline:random`` (seeded random
scores), ``baseline:levenshtein`` (:math:`1 - d_\mathrm{syn}`) and
``baseline:minilm`` (cosine of the pretrained MiniLM sentence embeddings the hybrid
sampler uses — not trained here, an upper reference). Per epoch the trainer logs
:math:`\eta`, the hardness of the negatives for the model (``neg_sigmoid``,
``hard_negative_rate``) and ``neg_same_prefix`` (negatives of the word's own
morphological family), the measurement that explains the orthographic sampler.

**Audio–text** (:func:`compare_homophone_policies`). Spoken words (CMU phoneme strings —
there is no recorded audio: homophones have identical inputs) matched to written words;
the words are split per seed into training, validation (model selection) and test words.
The phonetic sampler runs as a Gibbs law over the whole vocabulary,
:math:`q(n \mid u) \propto e^{-\alpha d_\mathrm{phon}(u, n)}`, with :math:`\alpha` large
enough (2 by default) that a word with a homophone draws it often; each policy
(``keep``: homophones stay negatives, ``exclude``, ``positive``) against uniform
negatives. Protocols: ``mrr`` (the true spelling against every written word),
``hard_mrr`` (against the 20 nearest phonetic neighbours, homophones excluded).
``train_homophone_mrr`` is the homophone-tolerant MRR of the *training* words that have a
homophone — where a false negative acts — and ``expected_fn`` the exact
:math:`E[\#FN] = K \sum_{n \in H(u)} q(n \mid u)` of the sampler over those words.
Baselines: ``baseline:random`` and ``baseline:letter-to-sound`` (the phoneme string read
as letters, scored by :math:`1 - d_\mathrm{syn}` against each spelling).

Every table is long-form (one row per task × method × seed); :func:`run` adds the
effects table (:func:`graphneg.analysis.statistics.effects_table`, paired differences
against ``uniform``) and findings computed from it (:func:`text_findings`).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import torch

from graphneg._validation import checked_params

from ..findings import recommendations
from ..report import markdown_table
from ..statistics import effects_table, format_interval
from ..text import expected_false_negatives, hybrid_sweep, most_exposed_words, \
    simulate_false_negatives
from ._progress import Progress

__all__ = ["TextStudy", "SKIPGRAM_SAMPLERS", "HOMOPHONE_POLICIES", "QUICK", "SKIPGRAM_METRICS",
           "AUDIO_METRICS", "AUDIO_TRAINER", "homophone_rich_words", "compare_skipgram_samplers", "compare_homophone_policies",
           "orthographic_hard_pairs", "letter_to_sound", "text_findings", "run"]

#: Label -> (registry name, kwargs) of the skip-gram samplers compared.
SKIPGRAM_SAMPLERS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "uniform": ("uniform", {}), "degree^0.75": ("degree", {}),
    "hybrid λ=0 (orthographic)": ("hybrid", {"lam": 0.0, "alpha": 10.0}),
    "hybrid λ=1 (semantic)": ("hybrid", {"lam": 1.0, "alpha": 10.0}),
}

#: Homophone policies of the phonetic sampler compared on audio–text matching.
HOMOPHONE_POLICIES = ("keep", "exclude", "positive")

#: Metrics of the effects table, per task.
SKIPGRAM_METRICS = ("test_syn_auc", "hard_syn_auc", "val_syn_auc", "eta", "neg_sigmoid",
                    "hard_negative_rate", "neg_same_prefix", "best_epoch")
AUDIO_METRICS = ("mrr", "hard_mrr", "mrr_homophone", "homophone_word_mrr", "hits1",
                 "train_homophone_mrr", "homophone_neg_ratio", "expected_fn", "eta",
                 "neg_sigmoid", "hard_negative_rate", "best_epoch")

#: Settings of the audio–text trainer in :func:`run`: evaluation words rich in homophones
#: whose partner is trained on, every written word a candidate negative, a small encoder.
AUDIO_TRAINER: Dict[str, Any] = {"homophone_holdout": True, "candidates": "all",
                                 "hidden": 64, "dim": 32, "lr": 0.01}

#: Settings of a smoke run (seconds, not minutes): overrides for :func:`run`
#: (``graphneg text --quick`` also keeps only the first two seeds).
QUICK: Dict[str, Any] = {"max_words": 400, "epochs": 2, "pairs_per_epoch": 3000,
                         "sweep_pairs": 300, "num_words": 150, "fn_rounds": 50,
                         "audio_epochs": 5}


# ------------------------------------------------------------------ skip-gram
@checked_params
def orthographic_hard_pairs(words: Sequence[str], pairs: torch.Tensor,
                            synonyms: torch.Tensor) -> torch.Tensor:
    r"""For every pair ``(a, b)``, the pair ``(a, n)`` with ``n`` the word nearest to ``a``
    in normalised Levenshtein distance, ``n != a`` and ``(a, n)`` not a known synonym pair.

    Parameters
    ----------
    words : sequence of str, length V
    pairs : LongTensor, shape (2, P)
    synonyms : LongTensor, shape (2, S)
        Every known synonym pair (both directions are excluded).

    Returns
    -------
    LongTensor, shape (2, P)
        Ties go to the smallest word id. Cost :math:`O(P V L^2/64)` (rapidfuzz ``cdist``).

    Examples
    --------
    >>> w = ["cat", "cap", "cut", "dog"]
    >>> orthographic_hard_pairs(w, torch.tensor([[0], [3]]), torch.tensor([[0], [1]])).tolist()
    [[0], [2]]
    """
    from rapidfuzz import distance, process
    a = pairs[0]
    d = torch.from_numpy(process.cdist([words[i] for i in a.tolist()], list(words),
                                       scorer=distance.Levenshtein.normalized_distance,
                                       dtype=np.float64))
    d[torch.arange(a.numel()), a] = math.inf
    v = len(words)
    syn = torch.cat([synonyms, synonyms.flip(0)], 1)
    d[torch.isin(a.view(-1, 1) * v + torch.arange(v), syn[0] * v + syn[1])] = math.inf
    return torch.stack([a, d.argmin(1)])


def _pair_auc(score, pos: torch.Tensor, neg: torch.Tensor) -> float:
    from graphneg.evaluation import roc_auc
    return roc_auc(score(pos), score(neg))


@checked_params
def compare_skipgram_samplers(data, samplers: Dict[str, Tuple[str, Dict[str, Any]]], *,
                              seeds: Iterable[int] = (0,), epochs: int = 10,
                              baselines: bool = True, progress: Optional[Progress] = None,
                              **trainer_kwargs: Any) -> Tuple[pd.DataFrame, pd.DataFrame, Any]:
    r"""Train :class:`~graphneg.training.text.SkipGramTrainer` per sampler and seed, score
    each on the seed's test synonyms under both protocols, beside the baselines.

    Parameters
    ----------
    samplers : dict
        ``label -> (registry name, constructor kwargs)``; must hold ``"uniform"`` for
        the paired differences.
    baselines : bool
        Add the rows of the baselines (``baseline:*``).

    Returns
    -------
    (runs, history, uniform_trainer)
        ``runs``: one row per method and seed, ``task="skipgram"``, the metrics of
        :data:`SKIPGRAM_METRICS` (training logs: mean over epochs); ``history``: every
        epoch of every run; the fitted uniform trainer of the first seed (for the sweep).

    Examples
    --------
    >>> from graphneg.datasets.text import text_graph
    >>> data = text_graph(corpus=[["a", "b", "c", "a", "d", "b", "e", "c"]] * 3, min_count=1)
    >>> runs, hist, _ = compare_skipgram_samplers(
    ...     data, {"uniform": ("uniform", {})}, epochs=1, baselines=False, num_neg=1, dim=4,
    ...     pairs_per_epoch=20, synonyms=[("a", "b"), ("c", "d"), ("a", "e")],
    ...     num_random_pairs=6)
    >>> runs[["task", "sampler"]].values.tolist()
    [['skipgram', 'uniform']]
    """
    from graphneg.training.text import SkipGramTrainer
    from rapidfuzz import distance, process
    rows, hists, first = [], [], None
    words = list(data.words[:int(data.num_words)])
    for seed in seeds:
        hard = None
        for label, (name, kwargs) in samplers.items():
            tic = time.perf_counter()
            t = SkipGramTrainer(data, sampler=name, sampler_kwargs=kwargs, epochs=epochs,
                                seed=seed, verbose=False, **trainer_kwargs)
            if hard is None:  # the seed's evaluation pairs: the same for every method
                all_syn = torch.cat([t.syn_pairs["val"], t.syn_pairs["test"]], 1)
                pos, rnd = t.syn_pairs["test"], t.random_pairs["test"]
                hard = orthographic_hard_pairs(words, pos, all_syn)
            h = t.fit()
            emb = torch.nn.functional.normalize(t.word_embeddings.double(), dim=1)
            cos = lambda p, e=emb: (e[p[0]] * e[p[1]]).sum(1)  # noqa: E731
            hists.append(h.assign(task="skipgram", sampler=label, seed=seed))
            rows.append({"task": "skipgram", "sampler": label, "seed": seed,
                         "test_syn_auc": _pair_auc(cos, pos, rnd),
                         "hard_syn_auc": _pair_auc(cos, pos, hard),
                         "val_syn_auc": float(h["val_syn_auc"].max()),
                         "best_epoch": t.best_epoch,
                         **{k: float(h[k].mean()) for k in ("eta", "neg_sigmoid",
                                                            "hard_negative_rate",
                                                            "neg_same_prefix")},
                         "seconds": time.perf_counter() - tic})
            if label == "uniform" and first is None:
                first = t
            if progress is not None:
                progress.step(f"skip-gram {label}, seed {seed}: test synonym AUC "
                              f"{rows[-1]['test_syn_auc']:.3f}")
        if baselines:
            g = torch.Generator().manual_seed(int(seed))
            lev = lambda p: torch.from_numpy(1 - np.asarray([  # noqa: E731
                distance.Levenshtein.normalized_distance(words[a], words[b])
                for a, b in p.t().tolist()]))
            scorers = {"baseline:random": lambda p: torch.rand(p.size(1), generator=g,
                                                               dtype=torch.double),
                       "baseline:levenshtein": lev}
            if getattr(data, "embedding", None) is not None:
                e = torch.nn.functional.normalize(data.embedding[:len(words)].double(), dim=1)
                scorers["baseline:minilm"] = lambda p: (e[p[0]] * e[p[1]]).sum(1)
            for label, score in scorers.items():
                rows.append({"task": "skipgram", "sampler": label, "seed": seed,
                             "test_syn_auc": _pair_auc(score, pos, rnd),
                             "hard_syn_auc": _pair_auc(score, pos, hard)})
    del process
    return pd.DataFrame(rows), pd.concat(hists, ignore_index=True), first


# ----------------------------------------------------------------- audio–text
#: First letter of each ARPAbet symbol's usual spelling (vowels by their stress-free name).
_LETTER = {"AA": "o", "AE": "a", "AH": "u", "AO": "o", "AW": "ow", "AY": "i", "B": "b",
           "CH": "ch", "D": "d", "DH": "th", "EH": "e", "ER": "er", "EY": "a", "F": "f",
           "G": "g", "HH": "h", "IH": "i", "IY": "ee", "JH": "j", "K": "c", "L": "l", "M": "m",
           "N": "n", "NG": "ng", "OW": "o", "OY": "oy", "P": "p", "R": "r", "S": "s",
           "SH": "sh", "T": "t", "TH": "th", "UH": "oo", "UW": "oo", "V": "v", "W": "w",
           "Y": "y", "Z": "z", "ZH": "s"}


@checked_params
def letter_to_sound(phonemes: Sequence[str]) -> str:
    """A phoneme string read as letters (a fixed table, no learning): the spelling
    baseline of audio–text matching.

    Examples
    --------
    >>> letter_to_sound(["K", "AE1", "T"]), letter_to_sound(["SH", "IY1", "P"])
    ('cat', 'sheep')
    """
    return "".join(_LETTER.get(p.rstrip("012"), "") for p in phonemes)


@checked_params
def homophone_rich_words(num_words: int, *, pool_words: int = 3000) -> List[str]:
    """A vocabulary where homophones matter: every word of the ``pool_words`` most frequent
    English words (with a CMU pronunciation) that has a homophone among them, then the
    most frequent other words up to ``num_words``.

    Examples
    --------
    >>> w = homophone_rich_words(60, pool_words=300)
    >>> len(w), "two" in w and "too" in w
    (60, True)
    """
    from graphneg.datasets.text import english_vocabulary, pronounce
    words, _ = english_vocabulary(pool_words, min_length=2)
    kept, phonemes, _ = pronounce(words)
    words = [words[i] for i in kept]
    groups: Dict[Tuple[str, ...], List[str]] = {}
    for w, p in zip(words, phonemes):  # a few thousand dictionary entries, once per study
        groups.setdefault(tuple(p), []).append(w)
    rich = [w for w, p in zip(words, phonemes) if len(groups[tuple(p)]) > 1]
    taken = set(rich[:num_words])
    return rich[:num_words] + [w for w in words if w not in taken][:num_words - len(taken)]


@checked_params
def compare_homophone_policies(data, *, policies: Sequence[str] = HOMOPHONE_POLICIES,
                               seeds: Iterable[int] = (0,), epochs: int = 30,
                               sampler_kwargs: Optional[Dict[str, Any]] = None,
                               include_uniform: bool = True, baselines: bool = True,
                               progress: Optional[Progress] = None,
                               **trainer_kwargs: Any) -> Tuple[pd.DataFrame, pd.DataFrame]:
    """Train :class:`~graphneg.training.text.AudioTextTrainer` per homophone policy and seed;
    select on the validation words, score the test words once.

    Returns
    -------
    (runs, history)
        ``runs``: one row per method and seed, ``task="audio-text"``, the metrics of
        :data:`AUDIO_METRICS` (``homophone_neg_ratio``: mean over epochs; ``expected_fn``:
        exact, mean over the training words that have a homophone); ``history``: every
        epoch of every run.
    """
    from graphneg.training.text import AudioTextTrainer
    from rapidfuzz import distance, process
    runs = [(f"phonetic/{p}", "phonetic", {**(sampler_kwargs or {}), "homophones": p})
            for p in policies]
    if include_uniform:
        runs.append(("uniform", "uniform", {}))
    v = int(data.num_words)
    spelled = [letter_to_sound(p) for p in data.phonemes[:v]]
    rows, hists = [], []
    for seed in seeds:
        for label, name, kwargs in runs:
            t = AudioTextTrainer(data, sampler=name, sampler_kwargs=kwargs, epochs=epochs,
                                 seed=seed, verbose=False,
                                 **{"eval_num_neg": min(20, v - 2), **trainer_kwargs})
            h = t.fit()
            test = t.test()
            hq = torch.unique(t.train_homophones[0])
            fn = float("nan")
            if hq.numel() and name == "phonetic":
                table = expected_false_negatives(t.sampler, data, num_neg=t.num_neg,
                                                 anchors=hq, candidate_mask=t.text_mask)
                fn = float(table["expected_fn"].mean())
            elif hq.numel():
                fn = t.num_neg * float(t.train_homophones.size(1)) / hq.numel() / max(
                    int(t.text_mask.sum()) - 1, 1)
            hists.append(h.assign(task="audio-text", sampler=label, seed=seed))
            rows.append({"task": "audio-text", "sampler": label, "seed": seed,
                         **{k: test[k] for k in ("mrr", "hard_mrr", "mrr_homophone",
                                                 "homophone_word_mrr", "hits1")},
                         "train_homophone_mrr": test.get("train_homophone_mrr", math.nan),
                         "homophone_neg_ratio": float(h["homophone_neg_ratio"].mean()),
                         **{k: float(h[k].mean()) for k in ("eta", "neg_sigmoid",
                                                            "hard_negative_rate")},
                         "expected_fn": fn, "best_epoch": t.best_epoch})
            if progress is not None:
                progress.step(f"audio-text {label}, seed {seed}: test MRR {test['mrr']:.3f}")
        if baselines:
            q = t.split_words("test")
            g = torch.Generator().manual_seed(int(seed))
            sim = torch.from_numpy(1 - process.cdist(
                [spelled[i] for i in q.tolist()], list(data.words[v:]),
                scorer=distance.Levenshtein.normalized_distance, dtype=np.float64))
            for label, scores in (("baseline:random", torch.rand(q.numel(), v, generator=g,
                                                                 dtype=torch.double)),
                                  ("baseline:letter-to-sound", sim)):
                m = t.split_metrics("test", scores)
                rows.append({"task": "audio-text", "sampler": label, "seed": seed,
                             **{k: m[k] for k in ("mrr", "hard_mrr", "mrr_homophone",
                                                  "homophone_word_mrr", "hits1")}})
    return pd.DataFrame(rows), pd.concat(hists, ignore_index=True)


# ------------------------------------------------------------------- findings
#: Headline metric of each protocol, per task.
PROTOCOLS = {"skipgram": {"uniform": "test_syn_auc", "orthographic": "hard_syn_auc"},
             "audio-text": {"all words": "mrr", "phonetic neighbours": "hard_mrr"}}


def _row(effects: pd.DataFrame, task: str, method: str, metric: str):
    part = effects[(effects["task"] == task) & (effects["sampler"] == method)
                   & (effects["metric"] == metric)]
    return None if part.empty else part.iloc[0]


def _iv(row) -> str:
    return format_interval(row["mean"], row["ci_low"], row["ci_high"])


def _div(row) -> str:
    return format_interval(row["diff_vs_uniform"], row["diff_ci_low"], row["diff_ci_high"])


def text_findings(effects: pd.DataFrame, *, chance: Optional[Dict[str, float]] = None
                  ) -> List[str]:
    r"""Sentences computed from the effects table (95% intervals, paired by seed).

    Per task and protocol: the recommendation of
    :func:`graphneg.analysis.findings.recommendations` (a sampler only when its paired
    difference against uniform is measurable and positive), the measurably worse
    samplers and the best baseline; then the measurements that explain the orthographic
    sampler (hardness for the model and same-prefix share) and the homophone policies
    (:math:`E[\#FN]` next to the training homophone words' MRR).

    Examples
    --------
    >>> eff = pd.DataFrame({"task": "skipgram", "sampler": ["uniform", "x"],
    ...     "metric": "test_syn_auc", "mean": [0.6, 0.7], "ci_low": [0.58, 0.68],
    ...     "ci_high": [0.62, 0.72], "diff_vs_uniform": [float("nan"), 0.1],
    ...     "diff_ci_low": [float("nan"), 0.08], "diff_ci_high": [float("nan"), 0.12],
    ...     "measurable": [False, True]})
    >>> text_findings(eff)[0][:58]
    'skipgram, uniform protocol (test_syn_auc): x beats uniform'
    """
    chance = dict(chance or {})
    out: List[str] = []
    for task, protocols in PROTOCOLS.items():
        part = effects[effects["task"] == task]
        if part.empty:
            continue
        part = part.assign(sampler=part["sampler"].str.replace("baseline:", "heuristic:",
                                                               regex=False))
        rec = recommendations(part, protocols=protocols, graph="task")
        for r in rec.itertuples(index=False):
            c = f" (chance {chance[r.metric]:.3g})" if r.metric in chance else ""
            if r.difference:
                s = (f"{task}, {r.protocol} protocol ({r.metric}): {r.recommendation} beats "
                     f"uniform by {r.difference.split(' vs ')[0]}.")
            else:
                s = (f"{task}, {r.protocol} protocol ({r.metric}): no sampler beats uniform "
                     f"measurably.")
            uni = _row(effects, task, "uniform", r.metric)
            if uni is not None:
                s += f" Uniform: {_iv(uni)}{c}."
            worse = part[(part["metric"] == r.metric) & part["measurable"].astype(bool)
                         & (part["diff_vs_uniform"] < 0)
                         & ~part["sampler"].str.startswith("heuristic:")]
            if not worse.empty:
                s += " Measurably worse: " + ", ".join(
                    f"{w['sampler']} {_div(w)}" for _, w in worse.iterrows()) + "."
            if r.best_baseline:
                s += f" Best baseline (no learning): {r.best_baseline}."
                trained = part[(part["metric"] == r.metric)
                               & ~part["sampler"].str.startswith("heuristic:")]
                base = part[(part["metric"] == r.metric)
                            & part["sampler"].str.startswith("heuristic:")]
                if len(trained) and len(base) and \
                        float(base["ci_low"].max()) > float(trained["ci_high"].max()):
                    s += (" That baseline beats every trained model (its interval lies above "
                          "theirs).")
            out.append(s)
    lam0 = "hybrid λ=0 (orthographic)"
    rows = {m: _row(effects, "skipgram", lam0, m) for m in
            ("test_syn_auc", "neg_same_prefix", "neg_sigmoid", "hard_negative_rate")}
    uni = {m: _row(effects, "skipgram", "uniform", m) for m in rows}
    if all(r is not None for r in rows.values()) and all(r is not None for r in uni.values()):
        hard = rows["hard_negative_rate"]
        moved = ("measurably higher" if hard["measurable"] and hard["diff_vs_uniform"] > 0 else
                 "measurably lower" if hard["measurable"] else "not measurably different")
        out.append(
            f"Orthographic negatives (λ = 0), synonym AUC {_iv(rows['test_syn_auc'])} against "
            f"uniform's {_iv(uni['test_syn_auc'])}: {_iv(rows['neg_same_prefix'])} of them "
            f"share the word's first four letters (uniform {_iv(uni['neg_same_prefix'])}), i.e. "
            f"inflections and derivations of the word itself — semantically close words pushed "
            f"apart as negatives. Their hardness for the model is {moved} (share with "
            f"σ(s) ≥ ½: {_iv(hard)} vs {_iv(uni['hard_negative_rate'])}; mean σ(s) "
            f"{_iv(rows['neg_sigmoid'])} vs {_iv(uni['neg_sigmoid'])}): what makes them "
            f"hard is that they belong with the word — spelling similarity is a source of "
            f"false negatives here, not of useful hardness.")
    out.extend(_audio_findings(effects))
    return out


def _audio_findings(effects: pd.DataFrame) -> List[str]:
    """The audio–text sentences: all-words vs phonetic-neighbour protocol, and the
    homophone policies' false negatives beside the MRR of the words they act on."""
    out = []
    pol = [f"phonetic/{p}" for p in HOMOPHONE_POLICIES]
    full = [_row(effects, "audio-text", m, "mrr") for m in pol]
    hard = [_row(effects, "audio-text", m, "hard_mrr") for m in pol]
    if all(r is not None for r in full + hard):
        lose = all(r["measurable"] and r["diff_vs_uniform"] < 0 for r in full)
        gain = [r for r in hard if r["diff_vs_uniform"] > 0]
        if lose and gain:
            out.append(
                "Phonetic negatives trade global for local ranking: against every written word "
                "all three policies lose to uniform (" + ", ".join(
                    f"{r['sampler']} {_div(r)}" for r in full) + "), while against the "
                "nearest phonetic neighbours their differences are " + ", ".join(
                    f"{r['sampler']} {_div(r)}" for r in hard) + ". A model trained only on "
                "near neighbours never sees the easy negatives that fix the global ranking.")
    keep, pos, exc = (_row(effects, "audio-text", f"phonetic/{p}", "train_homophone_mrr")
                      for p in ("keep", "positive", "exclude"))
    fn = _row(effects, "audio-text", "phonetic/keep", "expected_fn")
    ratio = _row(effects, "audio-text", "phonetic/keep", "homophone_neg_ratio")
    if keep is not None and pos is not None and exc is not None and fn is not None:
        out.append(
            f"Homophones as false negatives: with homophones kept as negatives a training word "
            f"that has a homophone draws E[#FN] = {_iv(fn)} of its homophones among K = 5 "
            f"negatives (exact; {_iv(ratio)} of all drawn negatives), and those words' "
            f"homophone-tolerant MRR is {_iv(keep)}, against {_iv(exc)} with homophones "
            f"excluded and {_iv(pos)} with homophones as positives (intervals over seeds). "
            f"The held-out homophones' spellings are candidates, so these are the very "
            f"spellings a kept homophone pushes away.")
    return out


# ---------------------------------------------------------------------- study
@dataclass
class TextStudy:
    """What :func:`run` returns.

    Attributes
    ----------
    summary : DataFrame
        One row per task × method × seed (skip-gram and audio–text, baselines included).
    effects : DataFrame
        :func:`graphneg.analysis.statistics.effects_table` of ``summary`` (group ``task``,
        reference ``uniform``).
    history : DataFrame
        Every epoch of every training run (learning curves).
    sweep : DataFrame
        :func:`graphneg.analysis.text.hybrid_sweep` at the first seed's uniform model.
    false_negatives, most_exposed : DataFrame
        Exact and simulated homophone false negatives per spoken word; the most exposed.
    num_words, audio_words, audio_skipped, num_neg : int
    seeds : list of int
    chance : dict
        Chance level of each headline metric.
    """

    summary: pd.DataFrame
    effects: pd.DataFrame
    history: pd.DataFrame
    sweep: pd.DataFrame
    false_negatives: pd.DataFrame
    most_exposed: pd.DataFrame
    num_words: int
    audio_words: int
    audio_skipped: int
    num_neg: int = 5
    seeds: List[int] = field(default_factory=list)
    chance: Dict[str, float] = field(default_factory=dict)

    @property
    def skipgram(self) -> pd.DataFrame:
        """The skip-gram rows of :attr:`summary`."""
        return self.summary[self.summary["task"] == "skipgram"].dropna(axis=1, how="all")

    @property
    def policies(self) -> pd.DataFrame:
        """The audio–text rows of :attr:`summary`."""
        return self.summary[self.summary["task"] == "audio-text"].dropna(axis=1, how="all")

    def tables(self) -> Dict[str, pd.DataFrame]:
        """The tables written as CSV."""
        return {"summary": self.summary, "effects": self.effects, "results": self.history,
                "text_hybrid_sweep": self.sweep, "text_false_negatives": self.false_negatives,
                "text_most_exposed_words": self.most_exposed}

    def max_abs_zscore(self) -> float:
        """Largest ``|simulated − exact| / se`` over the words that have a homophone."""
        h = self.false_negatives[self.false_negatives["num_homophones"] > 0]
        z = (h["simulated_fn"] - h["expected_fn"]) / h["simulated_se"].clip(lower=1e-12)
        return float(z.abs().max())

    def _table(self, task: str, metrics: Sequence[str]) -> str:
        e = self.effects[(self.effects["task"] == task) & self.effects["metric"].isin(metrics)]
        cells: Dict[str, Dict[str, str]] = {}
        for _, r in e.iterrows():
            c = cells.setdefault(r["sampler"], {"method": r["sampler"]})
            c[r["metric"]] = _iv(r)
            if r["sampler"] != "uniform" and not math.isnan(r["diff_vs_uniform"]):
                c[f"Δ {r['metric']}"] = _div(r) + (" *" if r["measurable"] else "")
        cols = ["method"] + [m for m in metrics if m in set(e["metric"])]
        cols += [f"Δ {m}" for m in metrics[:2] if m in set(e["metric"])]
        return markdown_table(pd.DataFrame([{k: c.get(k, "–") for k in cols}
                                            for c in cells.values()]))

    def audio_findings(self) -> List[str]:
        r"""The audio–text learning curve (has it flattened?) and the homophone policies
        against each other where a false negative acts: paired differences (same seeds)
        of ``keep`` and ``positive`` against ``exclude`` on the test words that have a
        homophone, next to the exact :math:`E[\#\mathrm{FN}]` of ``keep``."""
        from ..statistics import paired_difference
        out: List[str] = []
        h = self.history[self.history["task"] == "audio-text"]
        if not h.empty and "val_mrr_homophone" in h and int(h["epoch"].max()) >= 4:
            curve = h.groupby("epoch")["val_mrr_homophone"].mean()
            last = int(curve.index.max())
            q = max(1, last // 4)
            smooth = curve.rolling(max(1, last // 20), min_periods=1).mean()
            runs_ = h.groupby(["sampler", "seed"])
            stop = runs_["epoch"].max()
            best = h.loc[runs_["val_mrr_homophone"].idxmax(), "epoch"].to_numpy()
            by = h.groupby(["sampler", "epoch"])["val_mrr_homophone"].mean().unstack(0)
            by = by.rolling(max(1, last // 20), min_periods=1).mean()
            gains = (by.iloc[-1] - by.loc[:last - q].iloc[-1]).round(3)
            out.append(
                f"Audio–text learning curve (validation MRR, homophone-tolerant, mean over "
                f"the runs still training, moving means): {float(smooth.loc[:q].iloc[-1]):.3f} "
                f"at epoch {q}, {float(smooth.loc[:2 * q].iloc[-1]):.3f} at epoch {2 * q}, "
                f"{float(smooth.loc[:last - q].iloc[-1]):.3f} at epoch {last - q}, "
                f"{float(smooth.iloc[-1]):.3f} at epoch {last}: the last quarter adds "
                f"{float(smooth.iloc[-1] - smooth.loc[:last - q].iloc[-1]):+.3f}; per method "
                f"(mean over seeds) it adds " + ", ".join(
                    f"{m} {g:+.3f}" for m, g in gains.items())
                + f". {int((stop < last).sum())} of {len(stop)} runs stopped early; best "
                f"epochs median {int(np.median(best))}, range {int(best.min())}–"
                f"{int(best.max())} of {last}.")
        runs = self.summary[self.summary["task"] == "audio-text"].set_index(["sampler", "seed"])
        fn = _row(self.effects, "audio-text", "phonetic/keep", "expected_fn")
        ref = "phonetic/exclude"
        for metric, what in (("homophone_word_mrr", "exact-spelling MRR of the test words "
                                                    "that have a homophone"),
                             ("mrr_homophone", "homophone-tolerant MRR of the test words")):
            if metric not in runs or ref not in runs.index.get_level_values(0):
                continue
            parts = []
            for other in ("phonetic/keep", "phonetic/positive"):
                if other not in runs.index.get_level_values(0):
                    continue
                a = runs.loc[other, metric]
                b = runs.loc[ref, metric].reindex(a.index)
                d, lo, hi, _ = paired_difference(a.to_numpy(), b.to_numpy())
                parts.append(f"{other.split('/')[1]} − exclude {format_interval(d, lo, hi)}"
                             + (" *" if lo > 0 or hi < 0 else ""))
            if parts and fn is not None:
                out.append(f"Where homophones matter ({what}; evaluation words are homophones "
                           f"whose partner is trained on, and every spelling can be drawn): "
                           f"with homophones kept as negatives a training word that has one "
                           f"draws E[#FN] = {_iv(fn)} of them among K = {self.num_neg}; paired "
                           f"differences over seeds: " + ", ".join(parts) + ".")
        return out

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text, findings first."""
        homophones = int((self.false_negatives["num_homophones"] > 0).sum())
        top = self.most_exposed[["word", "num_homophones", "expected_fn", "simulated_fn"]]
        n = len(self.seeds)
        return [
            ("Findings", "\n".join(f"- {s}" for s in text_findings(self.effects,
                                                                      chance=self.chance)
                                    + self.audio_findings())),
            ("Skip-gram: word similarity on held-out WordNet synonyms",
             f"Jargon File word–context graph ({self.num_words} words), {n} seeds; model "
             f"selection on validation synonyms, scores on disjoint test synonyms. Mean "
             f"[95% interval]; Δ = paired difference against uniform (* = interval excludes "
             f"0). Training logs (η, σ(s⁻), h = share σ ≥ ½, same-prefix share) are means over "
             f"epochs.\n\n" + self._table("skipgram", SKIPGRAM_METRICS)),
            ("Audio–text matching: homophone policies",
             f"{self.audio_words} words, homophone-rich ({self.audio_skipped} without a CMU "
             f"pronunciation skipped). There is no recorded audio: the dictionary phoneme "
             f"string stands in for it, so homophones have identical inputs. One member of "
             f"each homophone group is trained on, the others are held out (test and "
             f"validation words); every written word is a candidate negative. {n} seeds; validation words for model selection, test words "
             f"scored once. Chance: MRR {self.chance.get('mrr', math.nan):.4f}, hard MRR "
             f"{self.chance.get('hard_mrr', math.nan):.3f}.\n\n"
             + self._table("audio-text", AUDIO_METRICS)),
            ("Hybrid sampler over (λ, α)",
             "At the first seed's uniform-trained model: mean semantic distance 1 − cos, "
             "normalised Levenshtein distance, hardness σ(s(u, n)) and η of the drawn "
             "negatives (one seed: descriptive, no interval).\n\n"
             + markdown_table(self.sweep)),
            ("Homophone false negatives of the phonetic sampler",
             f"{homophones} of {self.audio_words} spoken words have a homophone; exact "
             f"E[#FN] in K = {self.num_neg} draws (radius 1, homophones kept) against "
             f"simulation: max |z| = {self.max_abs_zscore():.2f}. The most exposed words:\n\n"
             + markdown_table(top)),
        ]


@checked_params
def run(*, seeds: Sequence[int] = (0, 1, 2, 3, 4), epochs: int = 6, audio_epochs: int = 250,
        num_words: int = 300, lams: Sequence[float] = (0.0, 0.5, 1.0),
        alphas: Sequence[float] = (0.0, 3.0, 10.0), max_words: Optional[int] = 1000,
        pairs_per_epoch: int = 10000, sweep_pairs: int = 1000, fn_rounds: int = 200,
        phonetic_alpha: float = 2.0, data: Any = None, audio: Any = None,
        progress: bool = True) -> TextStudy:
    r"""Skip-gram samplers and homophone policies (paired, with baselines), the hybrid
    sweep and the homophone false-negative check.

    Parameters
    ----------
    seeds : sequence of int
        One split, one set of evaluation pairs and one training run per method per seed.
    epochs, audio_epochs : int
        Skip-gram and audio–text epochs (best epoch chosen on validation). No early
        stopping for audio–text: its validation curve sits on a plateau for the first
        50–80 epochs before it rises, where a patience rule would stop it.
    num_words : int
        Vocabulary of the audio–text task (:func:`homophone_rich_words`; ignored when
        ``audio`` is given).
    lams, alphas : sequences of float
        The hybrid sweep's grid.
    max_words : int, optional
        Vocabulary cap of the skip-gram graph (ignored when ``data`` is given).
    pairs_per_epoch, sweep_pairs, fn_rounds : int
    phonetic_alpha : float
        :math:`\alpha` of the phonetic Gibbs law of the policy comparison.
    data, audio : Data, optional
        The word–context graph (with embeddings) and the audio–text graph.
    progress : bool
        One line per finished run on stderr, with an ETA per part (skip-gram, then
        audio–text: their runs differ in cost, so each part estimates its own).

    Returns
    -------
    TextStudy

    Notes
    -----
    Cost: ``len(seeds) · (4 · epochs + 4 · audio_epochs)`` training epochs, one sampler
    call per sweep cell and ``fn_rounds`` batches of the phonetic sampler.
    """
    from graphneg.datasets.text import audio_text_graph, text_graph
    from graphneg.samplers import PhoneticNegativeSampler

    seeds = list(seeds)
    # one progress line per run, one ETA per part (a part's runs cost about the same)
    bar = Progress("graphneg text (part 1/2: skip-gram)",
                   len(seeds) * len(SKIPGRAM_SAMPLERS) + 2, enabled=progress)
    if data is None:
        data = text_graph(embeddings=True, max_words=max_words)
    kw = dict(pairs_per_epoch=pairs_per_epoch, dim=32, lr=0.005)
    sg, sg_hist, uniform = compare_skipgram_samplers(data, SKIPGRAM_SAMPLERS, seeds=seeds,
                                                     epochs=epochs, progress=bar, **kw)
    sweep = hybrid_sweep(data, uniform.model["word"].weight, uniform.model["context"].weight,
                         lams=lams, alphas=alphas, num_pairs=sweep_pairs, seed=seeds[0])
    bar.step("hybrid (λ, α) sweep")

    if audio is None:
        audio = audio_text_graph(words=homophone_rich_words(num_words))
    sampler = PhoneticNegativeSampler(5, radius=1, homophones="keep", seed=seeds[0])
    exact = expected_false_negatives(sampler, audio, num_neg=5)
    sim = simulate_false_negatives(sampler, audio, num_neg=5, num_rounds=fn_rounds)
    fn = exact.merge(sim, on="anchor")
    top = most_exposed_words(fn[fn["num_homophones"] > 0], 15)
    bar.step(f"homophone false negatives (exact vs simulated, {fn_rounds} rounds)")

    bar = Progress("graphneg text (part 2/2: audio-text)",
                   len(seeds) * (len(HOMOPHONE_POLICIES) + 1), enabled=progress)
    pol, pol_hist = compare_homophone_policies(
        audio, seeds=seeds, epochs=audio_epochs,
        sampler_kwargs={"radius": None, "alpha": phonetic_alpha, "max_rounds": 4},
        progress=bar, **AUDIO_TRAINER)
    summary = pd.concat([sg, pol], ignore_index=True)
    effects = pd.concat([effects_table(sg, SKIPGRAM_METRICS, group="task", method="sampler"),
                         effects_table(pol, AUDIO_METRICS, group="task", method="sampler")],
                        ignore_index=True)
    effects = effects[effects["n_seeds"] > 0].reset_index(drop=True)
    v = int(audio.num_words)
    k = min(20, v - 2)
    chance = {"test_syn_auc": 0.5, "hard_syn_auc": 0.5,
              "mrr": float(sum(1.0 / r for r in range(1, v + 1)) / v),
              "hard_mrr": float(sum(1.0 / r for r in range(1, k + 2)) / (k + 1))}
    history = pd.concat([sg_hist, pol_hist], ignore_index=True)
    return TextStudy(summary, effects, history, sweep, fn, top, int(data.num_words), v,
                     int(getattr(audio, "num_skipped", 0)), 5, seeds, chance)
