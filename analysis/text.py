r"""Text and audio–text analysis: what the hybrid and phonetic samplers draw, and what
that does to learning.

* :func:`hybrid_sweep` — for a grid of :math:`(\lambda, \alpha)`, the mean semantic
  distance :math:`1 - \cos(e_u, e_n)` and orthographic distance (normalised
  Levenshtein) of the drawn negatives, their hardness (mean score
  :math:`s(u, n)` and :math:`\sigma(s)` under a trained skip-gram model) and the
  sampling efficiency :math:`\eta` (``docs/design.md``).
* :func:`expected_false_negatives` — exactly, for every anchor,
  :math:`\mathbb{E}[\#\mathrm{FN} \text{ in } K \text{ draws}] = K \sum_{n \in H(u)} q(n \mid u)`
  with :math:`H(u)` the homophones of :math:`u`; :func:`simulate_false_negatives`
  checks it by drawing; :func:`most_exposed_words` ranks the anchors.
* :func:`compare_skipgram_samplers`, :func:`compare_homophone_policies` — training
  runs over samplers / policies and seeds, one row per run (in
  :mod:`graphneg.analysis.studies.text`, importable from here).
* Plots take ``ax=None`` and return the Axes.
"""
from __future__ import annotations

import copy
from typing import Optional, Sequence

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from graphneg._random import Seed, as_generator, spawn_seed
from graphneg._validation import InstanceOf, check_instance, check_int, checked_params

from .studies import forward_names

__all__ = ["hybrid_sweep", "expected_false_negatives", "simulate_false_negatives",
           "most_exposed_words", "plot_hybrid_sweep", "plot_false_negative_check",
           "plot_policy_effect", "plot_sampler_effect", "plot_intervals",
           "plot_learning_curves"]


# ------------------------------------------------------------------ hybrid sweep
@checked_params
def hybrid_sweep(data, word_emb: Tensor, context_emb: Tensor, *,
                 lams: Sequence[float] = (0.0, 0.5, 1.0),
                 alphas: Sequence[float] = (0.0, 2.0, 5.0, 10.0, 20.0),
                 num_neg: int = 5, num_pairs: int = 2000, top_m: Optional[int] = None,
                 seed: Seed = 0) -> pd.DataFrame:
    r"""What the hybrid sampler draws on a word–context graph, for each :math:`(\lambda, \alpha)`.

    Parameters
    ----------
    data : Data
        :func:`graphneg.datasets.text.text_graph` with ``embedding``.
    word_emb, context_emb : FloatTensor, shape (V, d)
        A trained skip-gram model (:class:`graphneg.training.text.SkipGramTrainer`);
        the score is :math:`s(w, c) = W_w \cdot C_c`.
    lams, alphas : sequences of float
    num_neg : int
    num_pairs : int
        Positive pairs drawn :math:`\propto` co-occurrence count (same for every cell).
    top_m : int, optional
    seed : int, torch.Generator or None

    Returns
    -------
    DataFrame
        One row per :math:`(\lambda, \alpha)`: ``lam, alpha, d_sem, d_syn, score,
        sigmoid_score, eta, truncated_mass`` (means over drawn negatives).

    Notes
    -----
    :math:`\eta` uses :func:`graphneg.analysis.sampling_efficiency` on
    ``z = cat([W, C])`` so that :math:`z_w \cdot z_{V+c} = s(w, c)`. Cost per cell:
    one sampler call, :math:`O(U V (L^2/64 + d))`.
    """
    from graphneg.analysis.metrics import sampling_efficiency
    from graphneg.samplers import HybridGibbsSampler

    gen = as_generator(seed)
    v = int(data.num_words)
    ei = torch.cat([data.edge_index, data.edge_index.flip(0)], 1)
    idx = torch.multinomial(data.edge_weight.double(), num_pairs, replacement=True,
                            generator=gen)
    pos = data.edge_index[:, idx]
    self_pairs = torch.stack([torch.arange(v), torch.arange(v) + v])
    z = torch.cat([word_emb, context_emb]).detach().float()
    emb = torch.nn.functional.normalize(data.embedding.double(), dim=1)
    from rapidfuzz.distance import Levenshtein
    words = data.words
    rows = []
    for lam in lams:
        for alpha in alphas:
            s = HybridGibbsSampler(num_neg, lam=lam, alpha=alpha, top_m=top_m,
                                   seed=spawn_seed(gen), on_impossible="drop")
            neg, keep = s.sample(ei, data.num_nodes, pos_edge_index=pos,
                                 exclude_edge_index=self_pairs,
                                 candidate_mask=data.context_mask, return_mask=True,
                                 words=words, embedding=emb)
            u, n = neg
            d_sem = (1 - (emb[u] * emb[n]).sum(1)).mean()
            d_syn = np.mean([Levenshtein.normalized_distance(words[a], words[b])
                             for a, b in zip(u[:5000].tolist(), n[:5000].tolist())])
            score = (z[u] * z[n]).sum(1)
            rows.append({
                "lam": lam, "alpha": alpha, "d_sem": float(d_sem), "d_syn": float(d_syn),
                "score": float(score.mean()), "sigmoid_score": float(torch.sigmoid(score).mean()),
                "eta": sampling_efficiency(z, pos[:, keep], neg),
                "truncated_mass": s.last_stats.extra["truncated_mass_mean"]})
    return pd.DataFrame(rows)


def plot_hybrid_sweep(sweep: pd.DataFrame, metric: str, *, ax=None, label: Optional[str] = None):
    """One line per λ of ``metric`` against α (symlog x axis: α = 0 is uniform).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    for lam, grp in sweep.groupby("lam"):
        grp = grp.sort_values("alpha")
        ax.plot(grp["alpha"], grp[metric], marker="o", label=f"λ = {lam:g}")
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlabel("α (inverse temperature; 0 = uniform)")
    ax.set_ylabel(label or metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


# ------------------------------------------------------------- false negatives
def _homophone_mask(data, anchors: Tensor) -> Tensor:
    from graphneg.samplers.text import homophone_pairs
    hp = homophone_pairs(data.phonemes, data.words, anchors,
                         candidate_mask=getattr(data, "text_mask", None))
    pos = torch.full((data.num_nodes,), -1)
    pos[anchors] = torch.arange(anchors.numel())
    mask = torch.zeros(anchors.numel(), data.num_nodes, dtype=torch.bool)
    mask[pos[hp[0]], hp[1]] = True
    return mask


@checked_params
def expected_false_negatives(sampler, data, *, num_neg: int = 5,
                             anchors: Optional[Tensor] = None,
                             candidate_mask: Optional[Tensor] = None,
                             chunk: int = 512) -> pd.DataFrame:
    r"""Exact expected number of homophone false negatives per anchor.

    .. math:: \mathbb{E}[\#\mathrm{FN}(u)] = K \sum_{n \in H(u)} \Pr[n \mid u]

    with :math:`\Pr[n \mid u]` the sampler's exact conditional
    (``sampler.probabilities``), :math:`H(u)` the homophones of :math:`u` among the
    text nodes.

    Parameters
    ----------
    sampler : PhoneticNegativeSampler or HybridGibbsSampler
        Any sampler with a ``probabilities`` method.
    data : Data
        :func:`graphneg.datasets.text.audio_text_graph`.
    num_neg : int
        :math:`K`.
    anchors : LongTensor, optional
        Default: every audio node.
    candidate_mask : BoolTensor, shape (2V,), optional
        The written words the sampler may draw (default ``data.text_mask``; a trainer's
        ``text_mask`` restricts them to its training words).
    chunk : int
        Anchors per block (memory :math:`O(\text{chunk} \cdot N)`).

    Returns
    -------
    DataFrame
        ``anchor, word, num_homophones, homophone_prob, expected_fn, possible``.

    Examples
    --------
    >>> from graphneg.datasets.text import audio_text_graph
    >>> from graphneg.samplers import PhoneticNegativeSampler
    >>> g = audio_text_graph(words=["two", "too", "tool", "cat"])
    >>> t = expected_false_negatives(PhoneticNegativeSampler(homophones="keep"), g, num_neg=4)
    >>> t.loc[0, "word"], int(t.loc[0, "num_homophones"]), float(t.loc[0, "expected_fn"])
    ('two', 1, 2.0)
    """
    if not callable(getattr(sampler, "probabilities", None)):
        raise TypeError("The 'sampler' parameter of expected_false_negatives must be a sampler "
                        "with a probabilities method (PhoneticNegativeSampler, "
                        f"HybridGibbsSampler). Got {type(sampler).__name__} instead.")
    num_neg = check_int(num_neg, "num_neg", low=1, owner="expected_false_negatives")
    v = int(data.num_words)
    anchors = torch.arange(v) if anchors is None else anchors
    out = []
    for lo in range(0, anchors.numel(), chunk):  # anchor blocks
        a = anchors[lo:lo + chunk]
        p = sampler.probabilities(a, data.edge_index, data.num_nodes,
                                  candidate_mask=data.text_mask if candidate_mask is None
                                  else candidate_mask, data=data)
        h = _homophone_mask(data, a)
        out.append(pd.DataFrame({
            "anchor": a.numpy(), "word": [data.words[i] for i in a.tolist()],
            "num_homophones": h.sum(1).numpy(),
            "homophone_prob": (p * h).sum(1).numpy(),
            "possible": (p.sum(1) > 0).numpy()}))
    df = pd.concat(out, ignore_index=True)
    df["expected_fn"] = num_neg * df["homophone_prob"]
    return df


@checked_params
def simulate_false_negatives(sampler, data, *, num_neg: int = 5, num_rounds: int = 200,
                             anchors: Optional[Tensor] = None) -> pd.DataFrame:
    r"""Monte Carlo count of homophone false negatives per anchor (checks the exact value).

    Draws ``num_rounds`` batches of :math:`K` negatives for every possible anchor
    and averages the number of homophones drawn.

    Returns
    -------
    DataFrame
        ``anchor, simulated_fn, simulated_se`` (standard error of the mean).
    """
    from graphneg.samplers import NegativeSampler

    check_instance(sampler, "sampler", NegativeSampler, "a graphneg NegativeSampler",
                   owner="simulate_false_negatives")
    v = int(data.num_words)
    anchors = torch.arange(v) if anchors is None else anchors
    pos = torch.stack([anchors, anchors + v]).repeat(1, num_rounds)
    sampler = copy.copy(sampler)  # the caller's sampler keeps its settings
    sampler.num_neg = check_int(num_neg, "num_neg", low=1, owner="simulate_false_negatives")
    sampler.on_impossible = "drop"
    neg, keep = sampler.sample(data.edge_index, data.num_nodes, pos_edge_index=pos,
                               candidate_mask=data.text_mask, return_mask=True, data=data)
    h = _homophone_mask(data, anchors)
    row = torch.full((data.num_nodes,), -1)
    row[anchors] = torch.arange(anchors.numel())
    hit = h[row[neg[0]], neg[1]].double().view(-1, num_neg).sum(1)   # FN per batch
    who = row[pos[0, keep]]
    count = torch.bincount(who, minlength=anchors.numel()).double()
    mean = torch.zeros(anchors.numel(), dtype=torch.double).index_add_(0, who, hit) / count
    sq = torch.zeros(anchors.numel(), dtype=torch.double).index_add_(0, who, hit ** 2) / count
    se = ((sq - mean ** 2).clamp_min(0) / (count - 1).clamp_min(1)).sqrt()
    return pd.DataFrame({"anchor": anchors.numpy(), "simulated_fn": mean.numpy(),
                         "simulated_se": se.numpy()})


@checked_params(table=InstanceOf(pd.DataFrame, "pandas.DataFrame"))
def most_exposed_words(table: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """The ``top`` anchors with the largest expected false-negative count.

    Parameters
    ----------
    table : DataFrame
        :func:`expected_false_negatives`' table (columns ``word`` and ``expected_fn``).
    top : int
        Rows to keep.

    Examples
    --------
    >>> t = pd.DataFrame({"word": ["a", "b"], "expected_fn": [0.1, 2.0], "num_homophones": [1, 2]})
    >>> most_exposed_words(t, 1)["word"].tolist()
    ['b']
    """
    missing = [c for c in ("expected_fn", "word") if c not in table.columns]
    if missing:
        raise ValueError("The 'table' parameter of most_exposed_words must have the columns "
                         "'expected_fn' and 'word' (expected_false_negatives' table). Got "
                         f"columns {list(table.columns)} instead.")
    return table.sort_values(["expected_fn", "word"], ascending=[False, True]).head(top) \
        .reset_index(drop=True)


def plot_false_negative_check(table: pd.DataFrame, *, ax=None):
    """Exact :math:`E[\\#FN]` against its simulation, anchors with a homophone.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    t = table[table["num_homophones"] > 0]
    ax.errorbar(t["expected_fn"], t["simulated_fn"], yerr=2 * t["simulated_se"], fmt="o",
                ms=3, alpha=0.6, elinewidth=0.6, label="anchors with a homophone (±2 s.e.)")
    hi = float(max(t["expected_fn"].max(), t["simulated_fn"].max(), 1e-3)) * 1.05
    ax.plot([0, hi], [0, hi], "k--", lw=1, label="y = x")
    ax.set_xlabel(r"exact E[#FN in K draws] $= K \sum_{n \in H(u)} q(n \mid u)$")
    ax.set_ylabel("simulated mean #FN")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


# -------------------------------------------------------------------- plots
def _bars(df: pd.DataFrame, metrics: Sequence[str], ax, ylabel: str):
    g = df.groupby("sampler", sort=False)[list(metrics)]
    mean, std = g.mean(), g.std().fillna(0.0)
    x = np.arange(len(mean))
    width = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        ax.bar(x + (i - (len(metrics) - 1) / 2) * width, mean[m], width, yerr=std[m],
               capsize=3, label=m)
    ax.set_xticks(x)
    ax.set_xticklabels(mean.index, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_policy_effect(df: pd.DataFrame, *, ax=None):
    """Bars of held-out strict / homophone-tolerant MRR and the training homophone
    words' MRR per sampler/policy (mean ± sd over seeds).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    cols = [c for c in ("mrr", "mrr_homophone", "train_homophone_mrr") if c in df]
    return _bars(df, cols, ax, "MRR")


def plot_sampler_effect(df: pd.DataFrame, *, ax=None):
    """Bars of the WordNet-synonym AUC per skip-gram sampler (mean ± sd over seeds).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    ax = _bars(df, ["best_syn_auc", "final_syn_auc"], ax, "synonym AUC (0.5 = chance)")
    ax.axhline(0.5, color="k", lw=0.8, ls=":")
    lo = float(min(df["best_syn_auc"].min(), df["final_syn_auc"].min()))
    ax.set_ylim(min(0.45, lo - 0.02), None)
    return ax



def plot_intervals(effects: pd.DataFrame, task: str, metrics: Sequence[str], *, ax=None,
                   chance: Optional[dict] = None, ylabel: str = ""):
    """Bars of each method's mean with its 95% interval (error bar), one group per
    method and one bar per metric, for one ``task`` of an effects table; dotted lines
    at the chance levels given.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    e = effects[(effects["task"] == task) & effects["metric"].isin(metrics)]
    methods = list(dict.fromkeys(e["sampler"]))
    x = np.arange(len(methods))
    width = 0.8 / max(len(metrics), 1)
    for i, m in enumerate(metrics):
        part = e[e["metric"] == m].set_index("sampler").reindex(methods)
        err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
        bars = ax.bar(x + (i - (len(metrics) - 1) / 2) * width, part["mean"], width,
                      yerr=np.nan_to_num(err), capsize=3, label=m)
        if chance and m in chance:
            ax.axhline(chance[m], color=bars.patches[0].get_facecolor(), lw=1, ls=":")
    ax.set_xticks(x)
    ax.set_xticklabels(methods, rotation=25, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_learning_curves(history: pd.DataFrame, task: str, metric: str, *, ax=None):
    """Mean over seeds of ``metric`` per epoch, one line per method of ``task``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.gca()
    h = history[history["task"] == task]
    for method, part in h.groupby("sampler", sort=False):
        curve = part.groupby("epoch")[metric].mean()
        ax.plot(curve.index, curve.values, marker=".", label=method)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


# The training comparisons live in the text study; importable from here,
# resolved on first use (the study imports this module: a top-level import would be a cycle).
__getattr__ = forward_names("text", ("compare_homophone_policies", "compare_skipgram_samplers"),
                            owner=__name__)
