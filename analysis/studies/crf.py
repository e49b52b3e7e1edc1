r"""A linear-chain CRF trained by exact NLL vs contrastive estimation (``graphneg crf``).

On the shipped Turkish UPOS sample (shuffled per seed: 3/5 train, 1/5 validation, 1/5 test), a CRF
(:class:`graphneg.training.crf.CRFTrainer`) is trained, for every seed, three ways: exact NLL (forward
algorithm), contrastive estimation over all TRANS1 neighbours of the gold sequence, and
over ``num_samples`` sampled neighbours. Per epoch: token accuracy, the exact NLL, the
CE loss and their gap (:mod:`graphneg.analysis.structured`).

Examples
--------
>>> tables = run(epochs=1, max_length=8, num_samples=2, seed=0)  # doctest: +SKIP
>>> tables["crf_runs"]["run"].tolist()[-1]  # doctest: +SKIP
'majority tag (baseline)'
"""
from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence

import pandas as pd
import torch

from graphneg._validation import checked_params

from ._progress import Progress

__all__ = ["MAJORITY", "run", "findings", "build_sections"]

#: ``run`` label of the majority-tag baseline row of ``crf_summary``.
MAJORITY = "majority tag (baseline)"


@checked_params
def run(*, epochs: int = 8, max_length: int = 25, num_samples: int = 20,
        seeds: Sequence[int] = (0, 1, 2, 3, 4), progress: bool = False,
        seed: Optional[int] = None) -> Dict[str, pd.DataFrame]:
    """Train the three objectives on the same splits, for every seed, and summarise them.

    Parameters
    ----------
    epochs : int
    max_length : int
        Longest sentence kept (tokens).
    num_samples : int
        Neighbours per sentence of the sampled CE run.
    seeds : sequence of int
        One shuffle (3/5 train, 1/5 validation for model selection, 1/5 untouched test;
        held-out sentences with a tag absent from training are left out) and one run per
        objective per seed.
    progress : bool
        Progress lines (with an ETA) on stderr.
    seed : int, optional
        A single seed (overrides ``seeds``).

    Returns
    -------
    dict of str to DataFrame
        ``crf_<objective>_<neighbours>`` per objective (``crf_nll_all``, ``crf_ce_all``,
        ``crf_ce_<num_samples>``): the trainer's history with ``run`` and ``seed``
        columns; ``crf_runs``: one row per run and seed (``test_acc`` with the
        best-validation weights, last-epoch ``val_acc``, ``nll``, ``ce``, ``gap``, mean
        ``s_per_epoch``) and the majority-tag baseline per seed; ``crf_summary``: mean,
        95% interval and the paired difference against exact NLL per run and metric.
    """
    from graphneg.datasets.sequences import encode_sentences, load_turkish_upos_sample
    from graphneg.training.crf import CRFTrainer

    from ..statistics import effects_table

    seeds = [seed] if seed is not None else list(seeds)
    all_sents = load_turkish_upos_sample(max_length=max_length)
    runs = {"NLL (forward algorithm)": dict(objective="nll"),
            "CE, all neighbours": dict(objective="ce"),
            f"CE, {num_samples} sampled": dict(objective="ce", num_samples=num_samples)}
    report = Progress("crf", len(runs) * len(seeds), enabled=progress)
    hist: Dict[str, list] = {}
    rows = []
    for s in seeds:
        perm = torch.randperm(len(all_sents), generator=torch.Generator().manual_seed(s))
        sents = [all_sents[i] for i in perm.tolist()]
        n5 = len(sents) // 5
        test, val, train = sents[:n5], sents[n5:2 * n5], sents[2 * n5:]
        enc, vocab = encode_sentences(train)
        known = set(vocab.labels)  # a tag never seen in training cannot be predicted
        val = [x for x in val if all(tag in known for _, tag in x)]
        test = [x for x in test if all(tag in known for _, tag in x)]
        enc_val, _ = encode_sentences(val, vocab)
        enc_test, _ = encode_sentences(test, vocab)
        if s == seeds[0]:
            report.note(f"{len(train)} train / {len(val)} val / {len(test)} test sentences, "
                        f"{len(vocab.labels)} UPOS tags, {len(vocab.words)} words")
        kw = dict(num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
                  num_labels=len(vocab.labels), epochs=epochs, seed=s, lr=0.05,
                  verbose=False, batch_size=32, test=enc_test)
        for name, cfg in runs.items():
            tr = CRFTrainer(enc, enc_val, **cfg, **kw)
            h = tr.fit()
            key = f"crf_{cfg['objective']}_{cfg.get('num_samples', 'all')}"
            hist.setdefault(key, []).append(h.assign(run=name, seed=s))
            rows.append({"graph": "Turkish UPOS sample", "run": name, "seed": s,
                         "test_acc": tr.test()["acc"], "val_acc": h["val_acc"].iloc[-1],
                         "nll": h["nll"].iloc[-1], "ce": h["ce"].iloc[-1],
                         "gap": h["ce_nll_gap"].iloc[-1], "s_per_epoch": h["wall_time_s"].mean(),
                         "neg_mass": float(h["neg_mass"].median()),
                         "grad_cos": float(h["grad_cos"].median()),
                         "best_epoch": tr.best_epoch})
            report.step(f"{name} × seed {s}: test accuracy {rows[-1]['test_acc']:.4f}")
        majority = float((enc_test["tags"][enc_test["mask"]]
                          == enc["tags"][enc["mask"]].mode().values).double().mean())
        rows.append({"graph": "Turkish UPOS sample", "run": MAJORITY, "seed": s,
                     "test_acc": majority})
    tables = {k: pd.concat(v, ignore_index=True) for k, v in hist.items()}
    runs_df = pd.DataFrame(rows)
    tables["crf_runs"] = runs_df.drop(columns="graph")
    tables["crf_summary"] = effects_table(
        runs_df, ["test_acc", "val_acc", "nll", "ce", "gap", "neg_mass", "grad_cos",
                  "s_per_epoch", "best_epoch"],
        method="run", reference="NLL (forward algorithm)").drop(columns="graph")
    return tables


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """Each objective's test accuracy with its interval, the paired difference against
    exact NLL, the baseline, and the cost per epoch.

    Examples
    --------
    >>> s = pd.DataFrame({"run": ["NLL", "CE", MAJORITY], "metric": "test_acc",
    ...                   "mean": [0.8, 0.7, 0.3], "ci_low": [0.79, 0.69, 0.29],
    ...                   "ci_high": [0.81, 0.71, 0.31], "diff_vs_uniform": [float("nan"),
    ...                   -0.1, -0.5], "diff_ci_low": [float("nan"), -0.12, -0.52],
    ...                   "diff_ci_high": [float("nan"), -0.08, -0.48],
    ...                   "measurable": [False, True, True]})
    >>> print(findings({"crf_summary": s}).splitlines()[0][:51])
    - Test token accuracy: NLL 0.800 [0.790, 0.810]; CE
    """
    from ..statistics import format_interval

    s = tables["crf_summary"]
    acc = s[s["metric"] == "test_acc"]
    runs = acc[acc["run"] != MAJORITY]
    ref = runs.iloc[0]

    def fmt(r, diff=False):
        if diff:
            return format_interval(r["diff_vs_uniform"], r["diff_ci_low"], r["diff_ci_high"])
        return format_interval(r["mean"], r["ci_low"], r["ci_high"])

    parts = [f"{ref['run']} {fmt(ref)}"]
    for _, r in runs.iloc[1:].iterrows():
        verdict = "measurable" if r["measurable"] else "not measurable"
        parts.append(f"{r['run']} {fmt(r)} (paired Δ against {ref['run']} {fmt(r, True)}, "
                     f"{verdict})")
    lines = ["- Test token accuracy: " + "; ".join(parts) + "."]
    base = acc[acc["run"] == MAJORITY]
    if len(base):
        b = base.iloc[0]
        above = int((runs["ci_low"] > b["ci_high"]).sum())
        lines.append(f"- Majority-tag baseline (no learning): {fmt(b)}; {above} of {len(runs)} "
                     "objectives have a test-accuracy interval above it.")
    meas = []
    for metric, label in (("neg_mass", "negative mass 1 − p̃(y)"),
                          ("grad_cos", "cosine of the emission gradient with the exact NLL's")):
        m = s[(s["metric"] == metric) & (s["run"] != MAJORITY)]
        if len(m):
            meas.append(f"{label}: " + ", ".join(f"{r['run']} {fmt(r)}"
                                                 for _, r in m.iterrows()))
    if meas:
        lines.append("- Training measures (medians over epochs; hardness, then sampling "
                     "efficiency): " + "; ".join(meas) + ".")
    cost = s[(s["metric"] == "s_per_epoch") & (s["run"] != MAJORITY)]
    if len(cost):
        lines.append("- Seconds per epoch: " + "; ".join(
            f"{r['run']} {fmt(r)}" for _, r in cost.iterrows()) + ".")
    return "\n".join(lines)


def build_sections(tables: Mapping[str, pd.DataFrame]):
    """Findings and the interval table."""
    from ._effects import interval_table

    s = tables["crf_summary"]
    n = int(s["n_seeds"].max())
    return [("Findings", findings(tables)),
            ("Results (mean [95% interval] over seeds)",
             f"{n} seeds; each seed shuffles the sentences into 3/5 training, 1/5 validation "
             "(the best epoch by validation accuracy is kept) and 1/5 test. Δ: paired "
             "difference against exact NLL (`*`: excludes 0).\n\n"
             + interval_table(s, {"test_acc": "test accuracy", "gap": "NLL − CE gap"},
                              column="run", diff="test_acc",
                              reference="NLL (forward algorithm)")
             + "\n\nTraining measures (medians over epochs, `docs/design.md` section 5.3): "
               "negative mass 1 − p̃(y) (hardness) and the cosine of the objective's emission "
               "gradient with the exact NLL's (sampling efficiency):\n\n"
             + interval_table(s[s.run != MAJORITY], {"neg_mass": "negative mass",
                                                     "grad_cos": "cos(∇L, ∇NLL)"},
                              column="run"))]
