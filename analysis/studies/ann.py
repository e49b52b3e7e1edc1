r"""What approximate search does to hard-negative mining (``graphneg ann``).

A link predictor is trained with uniform negatives on a Barabási–Albert graph; at its
embeddings, :func:`graphneg.analysis.ann.ann_sweep` measures how the approximate FAISS
indexes (HNSW over ``ef_search``, IVF over ``nprobe``) change hard-negative mining against
the exact index: recall@k, the mixture :math:`\varepsilon` of
:math:`q_{\mathrm{ANN}} \approx (1-\varepsilon) q_{\mathrm{exact}} + \varepsilon\,
\mathrm{Unif}`, the exact gradient bias and the refresh time.

Examples
--------
>>> tables = run(num_nodes=60, epochs=1, k=4, anchor_step=6, seed=0)  # doctest: +SKIP
>>> sorted(set(tables["ann_sweep"]["index"]))  # doctest: +SKIP
['hnsw', 'ivf']
"""
from __future__ import annotations

from typing import Dict, Mapping, Sequence

import pandas as pd
import torch

from graphneg._validation import check_int

from ._progress import Progress
from ..report import markdown_table

__all__ = ["HNSW_EF_SEARCH", "run", "findings"]

#: ``ef_search`` values of the HNSW sweep.
HNSW_EF_SEARCH = (1, 2, 4, 8, 16, 32, 64, 128)


def run(*, num_nodes: int = 2000, epochs: int = 50, k: int = 32, anchor_step: int = 4,
        seed: int = 0, ef_search: Sequence[int] = HNSW_EF_SEARCH,
        progress: bool = False) -> Dict[str, pd.DataFrame]:
    """Train on ``barabasi_albert(num_nodes, 4)``, then sweep HNSW and IVF at its embeddings.

    Parameters
    ----------
    num_nodes : int
    epochs : int
        Link-prediction training epochs (uniform negatives).
    k : int
        Candidates retrieved per anchor.
    anchor_step : int
        Every ``anchor_step``-th node is an anchor of the sweep.
    seed : int
        Seed of the graph and of the trainer.
    ef_search : sequence of int
        HNSW knob values (``hnsw_m = 8``); IVF uses ``nlist = round(sqrt(N))`` and its
        default ``nprobe`` values.
    progress : bool
        Progress lines on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``ann_sweep``: one row per index kind and knob value (columns of
        :func:`graphneg.analysis.ann.ann_sweep`).
    """
    from graphneg.analysis.ann import ann_sweep
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    owner = "ann.run"
    anchor_step = check_int(anchor_step, "anchor_step", low=1, owner=owner)
    report = Progress("ann", 3, enabled=progress)
    data = barabasi_albert(num_nodes, 4, seed=seed)
    trainer = LinkPredictionTrainer(data, epochs=epochs, seed=seed, verbose=False)
    trainer.fit()
    report.step(f"trained a link predictor on BA(n={num_nodes}, m=4) for {epochs} epochs")
    z = trainer.embeddings()
    n = data.num_nodes
    anchors = torch.arange(0, n, anchor_step)
    nlist = max(1, int(round(n ** 0.5)))
    hnsw = ann_sweep(z, data.edge_index, n, index="hnsw", values=list(ef_search), k=k,
                     hnsw_m=8, anchors=anchors)
    report.step(f"HNSW over ef_search {', '.join(map(str, ef_search))}: recall "
                f"{hnsw['recall'].min():.3f} .. {hnsw['recall'].max():.3f}")
    ivf = ann_sweep(z, data.edge_index, n, index="ivf", k=k, nlist=nlist, anchors=anchors)
    report.step(f"IVF (nlist {nlist}) over nprobe {', '.join(map(str, ivf['value']))}: recall "
                f"{ivf['recall'].min():.3f} .. {ivf['recall'].max():.3f}")
    return {"ann_sweep": pd.concat([hnsw, ivf], ignore_index=True)}


def findings(tables: Mapping[str, pd.DataFrame], *, recall: float = 0.95) -> str:
    """Per index kind: the smallest knob reaching ``recall``, its bias, ε and refresh time.

    Examples
    --------
    >>> df = pd.DataFrame({"index": ["ivf"] * 2, "knob": ["nprobe"] * 2, "value": [1, 4],
    ...     "recall": [0.6, 1.0], "relative_bias": [0.2, 0.0], "epsilon_mle": [0.3, 0.0],
    ...     "refresh_s": [0.01, 0.02], "exact_refresh_s": [0.04, 0.04]})
    >>> print(findings({"ann_sweep": df}).splitlines()[0])
    - ivf: recall@k >= 0.95 from nprobe = 4 (relative gradient bias 0, ε = 0, refresh 0.5x the exact index's time); at nprobe = 1: recall 0.6, relative bias 0.2.
    """
    df = tables["ann_sweep"]
    lines = []
    for (kind, knob), grp in df.groupby(["index", "knob"], sort=False):
        low = grp.iloc[0]
        good = grp[grp["recall"] >= recall]
        if good.empty:
            head = f"- {kind}: recall@k stays below {recall:g} (at most {grp['recall'].max():.3g})"
        else:
            g = good.iloc[0]
            head = (f"- {kind}: recall@k >= {recall:g} from {knob} = {g['value']} (relative "
                    f"gradient bias {g['relative_bias']:.3g}, ε = {g['epsilon_mle']:.3g}, "
                    f"refresh {g['refresh_s'] / g['exact_refresh_s']:.2g}x the exact index's "
                    "time)")
        lines.append(head + f"; at {knob} = {low['value']}: recall {low['recall']:.3g}, "
                            f"relative bias {low['relative_bias']:.3g}.")
    cols = [c for c in ("index", "value", "recall", "tv_distance", "epsilon_mle",
                        "relative_bias", "fallback_anchors", "refresh_s") if c in df]
    return "\n".join(lines) + "\n\n" + markdown_table(df[cols])
