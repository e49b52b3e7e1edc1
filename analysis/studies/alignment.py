r"""Alignment / uniformity trajectories per sampler (``graphneg alignment``).

A link predictor is trained on a three-block stochastic block model (100 nodes per
block, ``p_in = 0.1``, ``p_out = 0.01``) with each sampler; after every epoch
:class:`~graphneg.analysis.alignment.AlignmentUniformityRecorder` records Wang & Isola's
alignment (over the graph's edges) and uniformity of the embeddings.

Examples
--------
>>> tables = run(samplers=["uniform"], epochs=2, seed=0)  # doctest: +SKIP
>>> list(tables)  # doctest: +SKIP
['alignment_uniform', 'alignment_summary']
"""
from __future__ import annotations

from typing import Dict, Mapping, Sequence

import pandas as pd

from ._progress import Progress
from ..report import markdown_table

__all__ = ["SAMPLERS", "run", "findings"]

#: Samplers compared by default.
SAMPLERS = ("uniform", "degree", "structural")


def run(*, samplers: Sequence[str] = SAMPLERS, epochs: int = 60, seed: int = 0,
        progress: bool = False) -> Dict[str, pd.DataFrame]:
    """Train with each sampler and record alignment and uniformity per epoch.

    Parameters
    ----------
    samplers : sequence of str
        Registered sampler names (``graphneg.samplers``).
    epochs : int
    seed : int
        Seed of the graph, of every trainer and of the recorder.
    progress : bool
        Progress lines on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``alignment_<sampler>``: ``epoch``, ``alignment``, ``uniformity``, ``sampler`` per
        epoch; ``alignment_summary``: one row per sampler (last ``alignment``,
        ``uniformity`` and ``val_auc``).
    """
    from graphneg.analysis.alignment import AlignmentUniformityRecorder
    from graphneg.generators import stochastic_block_model
    from graphneg.samplers import SAMPLERS as REGISTRY
    from graphneg.training import LinkPredictionTrainer

    samplers = list(samplers)
    for name in samplers:  # unknown names fail before any training
        REGISTRY.get(name)
    data = stochastic_block_model([100, 100, 100], [[0.1, 0.01, 0.01], [0.01, 0.1, 0.01],
                                                    [0.01, 0.01, 0.1]], seed=seed)
    report = Progress("alignment", len(samplers), enabled=progress)
    tables, rows = {}, []
    for name in samplers:
        tr = LinkPredictionTrainer(data, sampler=name, num_neg=5, epochs=epochs,
                                   seed=seed, verbose=False, monitor=None)
        rec = AlignmentUniformityRecorder(lambda t: t.embeddings(), data.edge_index, seed=seed)
        h = rec.attach(tr).fit()
        tables[f"alignment_{name}"] = rec.history.assign(sampler=name)
        last = rec.history.iloc[-1]
        rows.append({"sampler": name, "alignment": last["alignment"],
                     "uniformity": last["uniformity"],
                     "val_auc": h["val_auc"].iloc[-1] if "val_auc" in h else float("nan")})
        report.step(f"{name}: alignment {last['alignment']:.4f}, uniformity "
                    f"{last['uniformity']:.4f}")
    tables["alignment_summary"] = pd.DataFrame(rows)
    return tables


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """The summary table with the lowest (best) alignment and uniformity named.

    Examples
    --------
    >>> s = pd.DataFrame({"sampler": ["a", "b"], "alignment": [0.5, 0.4],
    ...                   "uniformity": [-3.0, -2.0], "val_auc": [0.9, 0.8]})
    >>> print(findings({"alignment_summary": s}).splitlines()[0])
    After the last epoch the lowest alignment is b's (0.4) and the lowest uniformity a's (-3); lower is better for both.
    """
    s = tables["alignment_summary"]
    a = s.loc[s["alignment"].idxmin()]
    u = s.loc[s["uniformity"].idxmin()]
    return (f"After the last epoch the lowest alignment is {a['sampler']}'s "
            f"({a['alignment']:.4g}) and the lowest uniformity {u['sampler']}'s "
            f"({u['uniformity']:.4g}); lower is better for both.\n\n" + markdown_table(s))
