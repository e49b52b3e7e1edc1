r"""A linear-chain CRF trained by exact NLL vs contrastive estimation (``graphneg crf``).

On the shipped Turkish UPOS sample (shuffled with ``seed``, one fifth held out), a CRF
(:class:`graphneg.training.crf.CRFTrainer`) is trained three ways: exact NLL (forward
algorithm), contrastive estimation over all TRANS1 neighbours of the gold sequence, and
over ``num_samples`` sampled neighbours. Per epoch: token accuracy, the exact NLL, the
CE loss and their gap (:mod:`graphneg.analysis.structured`).

Examples
--------
>>> tables = run(epochs=1, max_length=8, num_samples=2, seed=0)  # doctest: +SKIP
>>> tables["crf_summary"]["run"].tolist()[-1]  # doctest: +SKIP
'majority tag (baseline)'
"""
from __future__ import annotations

from typing import Dict, Mapping

import pandas as pd
import torch

from ._progress import Progress
from ..report import markdown_table

__all__ = ["MAJORITY", "run", "findings"]

#: ``run`` label of the majority-tag baseline row of ``crf_summary``.
MAJORITY = "majority tag (baseline)"


def run(*, epochs: int = 8, max_length: int = 25, num_samples: int = 20, seed: int = 0,
        progress: bool = False) -> Dict[str, pd.DataFrame]:
    """Train the three objectives on the same split and summarise them.

    Parameters
    ----------
    epochs : int
    max_length : int
        Longest sentence kept (tokens).
    num_samples : int
        Neighbours per sentence of the sampled CE run.
    seed : int
        Seed of the shuffle and of every trainer.
    progress : bool
        Progress lines on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``crf_<objective>_<neighbours>`` per run (``crf_nll_all``, ``crf_ce_all``,
        ``crf_ce_<num_samples>``): the trainer's history with a ``run`` column;
        ``crf_summary``: one row per run (last-epoch ``val_acc``, ``nll``, ``ce``, ``gap``,
        mean ``s_per_epoch``) and a last row with the majority-tag baseline's accuracy.
    """
    from graphneg.datasets.sequences import encode_sentences, load_turkish_upos_sample
    from graphneg.training.crf import CRFTrainer

    sents = load_turkish_upos_sample(max_length=max_length)
    perm = torch.randperm(len(sents), generator=torch.Generator().manual_seed(seed))
    sents = [sents[i] for i in perm.tolist()]
    n_val = len(sents) // 5
    train, val = sents[n_val:], sents[:n_val]
    enc, vocab = encode_sentences(train)
    enc_val, _ = encode_sentences(val, vocab)
    runs = {"NLL (forward algorithm)": dict(objective="nll"),
            "CE, all neighbours": dict(objective="ce"),
            f"CE, {num_samples} sampled": dict(objective="ce", num_samples=num_samples)}
    report = Progress("crf", len(runs), enabled=progress)
    report.note(f"{len(train)} train / {len(val)} val sentences, {len(vocab.labels)} UPOS tags, "
                f"{len(vocab.words)} words")
    kw = dict(num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
              num_labels=len(vocab.labels), epochs=epochs, seed=seed, lr=0.05,
              verbose=False, batch_size=32, monitor=None)
    tables, rows = {}, []
    for name, cfg in runs.items():
        h = CRFTrainer(enc, enc_val, **cfg, **kw).fit()
        tables[f"crf_{cfg['objective']}_{cfg.get('num_samples', 'all')}"] = h.assign(run=name)
        rows.append({"run": name, "val_acc": h["val_acc"].iloc[-1], "nll": h["nll"].iloc[-1],
                     "ce": h["ce"].iloc[-1], "gap": h["ce_nll_gap"].iloc[-1],
                     "s_per_epoch": h["wall_time_s"].mean()})
        report.step(f"{name}: val accuracy {rows[-1]['val_acc']:.4f}")
    majority = float((enc_val["tags"][enc_val["mask"]] == enc["tags"][enc["mask"]].mode().values)
                     .double().mean())
    rows.append({"run": MAJORITY, "val_acc": majority})
    tables["crf_summary"] = pd.DataFrame(rows)
    return tables


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """The summary table and each run's accuracy against exact NLL and the baseline.

    Examples
    --------
    >>> s = pd.DataFrame({"run": ["NLL", "CE", MAJORITY], "val_acc": [0.8, 0.7, 0.3],
    ...                   "gap": [1.0, 2.0, float("nan")]})
    >>> print(findings({"crf_summary": s}).splitlines()[0])
    Validation token accuracy: NLL 0.8, CE 0.7 (-0.1 against NLL); majority-tag baseline 0.3.
    """
    s = tables["crf_summary"]
    runs = s[s["run"] != MAJORITY]
    ref = runs.iloc[0]
    parts = [f"{ref['run']} {ref['val_acc']:.4g}"]
    parts += [f"{r.run} {r.val_acc:.4g} ({r.val_acc - ref['val_acc']:+.4g} against {ref['run']})"
              for r in runs.iloc[1:].itertuples()]
    base = s.loc[s["run"] == MAJORITY, "val_acc"]
    text = "Validation token accuracy: " + ", ".join(parts)
    if len(base):
        text += f"; majority-tag baseline {float(base.iloc[0]):.4g}"
    return text + ".\n\n" + markdown_table(s)
