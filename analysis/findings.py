r"""Findings written from measured effects: sentences and a recommendation table.

Input is the effects table of :func:`graphneg.analysis.statistics.effects_table`
(one row per graph × method × metric with the mean, its 95% interval and the paired
difference against the reference sampler). Every sentence is computed from those
rows: a difference is reported as a win or a loss only when its paired 95% interval
excludes zero, and as "no measurable difference" otherwise. Nothing is hard-coded
about any topology except what its declared ``role`` means:

* ``null`` — no learnable structure (Erdős–Rényi): AUC near 0.5 is the right answer;
* ``trivial`` — a degenerate case (the star: its hub has no valid negative);
* ``learnable`` — structure a model or a heuristic can use.
"""
from __future__ import annotations

import math
from typing import List, Mapping, Optional

import pandas as pd

from graphneg.analysis.statistics import format_interval

__all__ = ["recommendations", "write_findings", "is_baseline", "PROTOCOL_METRICS",
           "BASELINE_PREFIXES"]

#: The headline metric of each evaluation protocol.
PROTOCOL_METRICS = {"uniform": "test_auc", "heart": "heart_mrr"}

#: Method names of baselines that need no learning (``heuristic:ra``,
#: ``baseline:untrained``): reported beside the samplers, never recommended.
BASELINE_PREFIXES = ("heuristic:", "baseline:")


def is_baseline(names: pd.Series) -> pd.Series:
    """Which method names are baselines (:data:`BASELINE_PREFIXES`), elementwise.

    Examples
    --------
    >>> is_baseline(pd.Series(["uniform", "heuristic:ra", "baseline:untrained"])).tolist()
    [False, True, True]
    """
    return names.astype(str).str.startswith(BASELINE_PREFIXES)


def _fmt(row) -> str:
    return format_interval(row["mean"], row["ci_low"], row["ci_high"])


def _fmt_diff(row) -> str:
    return format_interval(row["diff_vs_uniform"], row["diff_ci_low"], row["diff_ci_high"])


def recommendations(effects: pd.DataFrame, *, reference: str = "uniform",
                    protocols: Mapping[str, str] = PROTOCOL_METRICS,
                    graph: str = "graph", method: str = "sampler") -> pd.DataFrame:
    r"""Per graph and protocol: the best sampler, or "no measurable difference".

    The best sampler is the one with the largest mean of the protocol's metric among
    samplers whose paired difference against ``reference`` is measurable and positive;
    when none is, the recommendation is the reference with "no measurable difference".
    Baselines (methods named ``heuristic:*`` or ``baseline:*``, :func:`is_baseline`) are
    never recommended as samplers but the best of them is shown beside.

    Returns
    -------
    DataFrame
        Columns ``graph, protocol, metric, recommendation, difference, best_baseline``.

    Examples
    --------
    >>> eff = pd.DataFrame({"graph": "g", "sampler": ["uniform", "hard"], "metric": "test_auc",
    ...                     "mean": [0.7, 0.8], "ci_low": [0.68, 0.78], "ci_high": [0.72, 0.82],
    ...                     "diff_vs_uniform": [float("nan"), 0.1], "diff_ci_low": [float("nan"), 0.05],
    ...                     "diff_ci_high": [float("nan"), 0.15], "measurable": [False, True]})
    >>> recommendations(eff, protocols={"uniform": "test_auc"}).recommendation.tolist()
    ['hard']
    """
    rows = []
    for g in dict.fromkeys(effects[graph]):
        for protocol, metric in protocols.items():
            part = effects[(effects[graph] == g) & (effects["metric"] == metric)]
            if part.empty:
                continue
            samplers = part[~is_baseline(part[method])]
            heur = part[is_baseline(part[method])]
            better = samplers[samplers["measurable"].astype(bool)
                              & (samplers["diff_vs_uniform"] > 0)]
            if not better.empty:
                best = better.loc[better["mean"].idxmax()]
                rec, diff = str(best[method]), f"{_fmt_diff(best)} vs {reference}"
            else:
                rec, diff = f"{reference} (no measurable difference)", ""
                worse = samplers[samplers["measurable"].astype(bool)
                                 & (samplers["diff_vs_uniform"] < 0)]
                if not worse.empty and len(worse) == len(samplers) - 1:
                    rec = f"{reference} (every other sampler is measurably worse)"
            base = ""
            if not heur.empty:
                hb = heur.loc[heur["mean"].idxmax()]
                base = f"{str(hb[method]).split(':', 1)[1]} {_fmt(hb)}"
            rows.append({graph: g, "protocol": protocol, "metric": metric,
                         "recommendation": rec, "difference": diff, "best_baseline": base})
    return pd.DataFrame(rows)


def _range_sentence(effects: pd.DataFrame, metric: str, sampler: str, label: str,
                    graph: str, method: str) -> Optional[str]:
    part = effects[(effects["metric"] == metric) & (effects[method] == sampler)]
    part = part[part["mean"].notna()]
    if part.empty:
        return None
    lo, hi = part.loc[part["mean"].idxmin()], part.loc[part["mean"].idxmax()]
    if lo[graph] == hi[graph]:
        return f"{label} of the {sampler} sampler: {_fmt(lo)} on {lo[graph]}."
    return (f"{label} of the {sampler} sampler depends on the topology: from {_fmt(lo)} on "
            f"{lo[graph]} to {_fmt(hi)} on {hi[graph]}.")


def _eta_reason(effects: pd.DataFrame, g, m, reference: str, graph: str, method: str) -> str:
    r"""Why η moved, from its two measured weights: η = mean σ(s⁻)‖z_n‖ / mean
    (1 − σ(s⁺))‖z_v‖, so a sampler changes η through the negatives' weight σ(s⁻) or the
    positives' residual 1 − σ(s⁺) (columns ``neg_sigmoid``, ``pos_residual``)."""
    def mean(metric, who):
        row = effects[(effects[graph] == g) & (effects[method] == who)
                      & (effects["metric"] == metric)]
        return float(row["mean"].iloc[0]) if len(row) else float("nan")
    neg = mean("neg_sigmoid", m) / mean("neg_sigmoid", reference)
    pos = mean("pos_residual", m) / mean("pos_residual", reference)
    if not (neg == neg and pos == pos):  # NaN: weights not recorded
        return ""
    by_pos = abs(math.log(pos)) > abs(math.log(neg))
    text = (f" Measured reason: the negatives' weight mean σ(s⁻) is ×{neg:.2f} and the "
            f"positives' residual mean 1 − σ(s⁺) ×{pos:.2f} that of {reference}, so η moves "
            f"mostly through the {'positives' if by_pos else 'negatives'}.")
    if by_pos and pos > 1 and neg >= 1:
        text += (" Its negatives weigh at least as much, but the positives stay less resolved "
                 "(larger ‖g⁺‖), which lowers η.")
    return text


def _hardness_reason(effects: pd.DataFrame, g, losers, reference: str, graph: str,
                     method: str) -> str:
    """Why samplers lose to ``reference``, when their negatives are measurably harder
    by the hard-negative rate h_k (shared neighbours with the anchor)."""
    h = effects[(effects[graph] == g) & (effects["metric"] == "hard_negative_rate")]
    h = h.set_index(method)["mean"]
    if reference not in h or not all(m in h for m in losers):
        return ""
    ref = float(h[reference])
    hard = [m for m in losers if float(h[m]) > 2 * ref]
    if not hard:
        return ""
    return (f" {', '.join(hard)} draw{'s' if len(hard) == 1 else ''} negatives that share "
            f"neighbours with their anchor (h_k {min(float(h[m]) for m in hard):.2f}–"
            f"{max(float(h[m]) for m in hard):.2f} vs {ref:.2f} for {reference}): on this "
            "graph such pairs are the ones most like held-out edges (latent positives), so "
            "training pushes apart the very pairs the test asks to bring together.")


def _learning_sentences(effects: pd.DataFrame, roles: Mapping[str, str], headline: str,
                        reference: str, graph: str, method: str) -> List[str]:
    """Does the model learn on each learnable graph (``val_rise``), and how far is the best
    sampler from the best heuristic; where it does not learn, what the untrained model gets."""
    def rows(g, metric):
        return effects[(effects[graph] == g) & (effects["metric"] == metric)
                       & effects["mean"].notna()]
    learns, flat, gaps = [], [], []
    for g, role in roles.items():
        if role != "learnable":
            continue
        rise = rows(g, "val_rise")
        rise = rise[rise[method] == reference]
        if not rise.empty:
            r = rise.iloc[0]
            (learns if r["ci_low"] > 0 else flat).append((g, r))
        head = rows(g, headline)
        samplers = head[~is_baseline(head[method])]
        heur = head[head[method].astype(str).str.startswith("heuristic:")]
        if not samplers.empty and not heur.empty:
            best, hb = samplers.loc[samplers["mean"].idxmax()], heur.loc[heur["mean"].idxmax()]
            gaps.append(f"{g} {best['mean'] - hb['mean']:+.3f} ({best[method]} vs "
                        f"{str(hb[method]).split(':', 1)[1]})")
    out = []
    if learns:
        out.append("The model learns: the validation AUC of the " + reference + " sampler's "
                   "runs rises above its epoch-1 value on " + ", ".join(
                       f"{g} (by {_fmt(r)})" for g, r in learns) + ".")
    for g, r in flat:
        s = (f"On {g} the validation AUC does not rise measurably above its epoch-1 value "
             f"(by {_fmt(r)}): the best epoch is the first.")
        un = rows(g, headline)
        un = un[un[method] == "baseline:untrained"]
        if not un.empty:
            s += (f" The untrained model already scores {headline} {_fmt(un.iloc[0])}, so "
                  "what the data offers is reached before training: the architecture gives it "
                  "for free (random embeddings propagated over the graph carry the degree and "
                  "neighbourhood overlap), and training adds nothing the validation edges reward.")
        out.append(s)
    if gaps:
        out.append(f"Best sampler minus best heuristic ({headline}, means): " + "; ".join(gaps)
                   + ".")
    return out


def write_findings(effects: pd.DataFrame, roles: Mapping[str, str], *,
                   reference: str = "uniform", protocols: Mapping[str, str] = PROTOCOL_METRICS,
                   chance: Optional[Mapping[str, float]] = None,
                   graph: str = "graph", method: str = "sampler") -> List[str]:
    r"""Markdown bullet sentences computed from the effects table.

    Parameters
    ----------
    effects : DataFrame
        :func:`graphneg.analysis.statistics.effects_table` output (intervals are 95%).
    roles : mapping of str to str
        ``graph -> "null" | "trivial" | "learnable"``.
    chance : mapping of str to float, optional
        Chance level of each metric (``"test_auc": 0.5``, ``"heart_mrr": ...``).

    Returns
    -------
    list of str
        One sentence per bullet, in reading order: what each role shows, what the
        topology does to η, h_k and impossible anchors, then per learnable graph and
        protocol the winner (or that no difference is measurable) and the best baseline.

    Examples
    --------
    >>> eff = pd.DataFrame({"graph": "er", "sampler": ["uniform"], "metric": "test_auc",
    ...                     "mean": [0.51], "ci_low": [0.49], "ci_high": [0.53],
    ...                     "diff_vs_uniform": [float("nan")], "diff_ci_low": [float("nan")],
    ...                     "diff_ci_high": [float("nan")], "measurable": [False]})
    >>> write_findings(eff, {"er": "null"}, protocols={"uniform": "test_auc"})[0][:40]
    'er is the null model (no learnable struc'
    """
    chance = dict(chance or {})
    out: List[str] = []
    headline = protocols.get("uniform", next(iter(protocols.values())))
    for g, role in roles.items():
        part = effects[(effects[graph] == g) & (effects["metric"] == headline)]
        part = part[part["mean"].notna()]
        if part.empty:
            continue
        best = part.loc[part["mean"].idxmax()]
        if role == "null":
            c = chance.get(headline, 0.5)
            inside = part[(part["ci_low"] <= c) & (part["ci_high"] >= c)]
            out.append(
                f"{g} is the null model (no learnable structure): {len(inside)} of {len(part)} "
                f"methods have a {headline} interval that includes chance ({c:g}); the highest "
                f"mean is {best[method]}'s {_fmt(best)}"
                + ("." if len(inside) == len(part) else
                   " — with this many methods at 95% each, a few intervals excluding chance "
                   "are expected without any structure."))
        elif role == "trivial":
            drop = effects[(effects[graph] == g) & (effects["metric"] == "dropped_positive_ratio")]
            share = "" if drop.empty else (
                f"; a share {float(drop['mean'].mean()):.3g} of its training positives have no "
                "valid negative and are dropped")
            out.append(f"{g} is a degenerate case: {headline} {_fmt(best)} ({best[method]})"
                       f"{share}.")
    out += _learning_sentences(effects, roles, headline, reference, graph, method)
    for metric, label in (("eta", "Sampling efficiency η"),
                          ("hard_negative_rate", "The hard-negative rate h_k"),
                          ("impossible_anchor_ratio", "The share of impossible anchors")):
        s = _range_sentence(effects, metric, reference, label, graph, method)
        if s:
            out.append(s)
    # which samplers change eta / h_k measurably, on each graph
    for metric, label in (("eta", "η"), ("hard_negative_rate", "h_k")):
        part = effects[(effects["metric"] == metric) & effects["measurable"].astype(bool)]
        if part.empty:
            continue
        top = part.loc[part["diff_vs_uniform"].abs().idxmax()]
        sentence = (f"The largest change of {label} against {reference} is {top[method]} on "
                    f"{top[graph]}: {_fmt_diff(top)}.")
        if metric == "eta":
            sentence += _eta_reason(effects, top[graph], top[method], reference, graph, method)
        out.append(sentence)
    hard = protocols.get("heart")
    if hard and hard in chance:
        c = chance[hard]
        part = effects[(effects["metric"] == hard) & (effects[method] != "baseline:untrained")
                       & ~is_baseline(effects[method])]
        below = sorted({str(r[graph]) for _, r in part.iterrows()
                        if r["ci_high"] < c and roles.get(r[graph]) != "trivial"})
        if below:
            out.append(
                f"Under the HeaRT protocol trained models score below chance ({hard} < {c:.3f}) "
                f"on {', '.join(below)}: its negatives are the corruptions that resource "
                "allocation, common neighbours and PageRank find most plausible, i.e. pairs "
                "the graph's local structure makes as likely as the held-out edge; a model that "
                "has learned that structure ranks them with or above it, while the random "
                "scorer stays at chance. Only information beyond local structure can win there.")
    rec = recommendations(effects, reference=reference, protocols=protocols, graph=graph,
                          method=method)
    for r in rec.itertuples(index=False):
        role = roles.get(getattr(r, graph), "learnable")
        if role != "learnable":
            continue
        g = getattr(r, graph)
        if r.difference:
            s = (f"On {g} under the {r.protocol} protocol ({r.metric}), {r.recommendation} "
                 f"beats {reference} by {r.difference.split(' vs ')[0]} (paired, 95% interval).")
        else:
            s = (f"On {g} under the {r.protocol} protocol ({r.metric}), no sampler beats "
                 f"{reference} measurably.")
        worse = effects[(effects[graph] == g) & (effects["metric"] == r.metric)
                        & effects["measurable"].astype(bool) & (effects["diff_vs_uniform"] < 0)
                        & ~is_baseline(effects[method])]
        if not worse.empty:
            s += " Measurably worse than " + reference + ": " + ", ".join(
                f"{w[method]} {_fmt_diff(w)}" for _, w in worse.iterrows()) + "."
            s += _hardness_reason(effects, g, list(worse[method]), reference, graph, method)
        if r.best_baseline:
            s += f" Best baseline: {r.best_baseline}."
        out.append(s)
    return out
