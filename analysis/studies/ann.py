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

from graphneg._validation import check_int, checked_params

from ._progress import Progress
from ..report import markdown_table

__all__ = ["HNSW_EF_SEARCH", "run", "findings"]

#: ``ef_search`` values of the HNSW sweep.
HNSW_EF_SEARCH = (1, 2, 4, 8, 16, 32, 64, 128)


@checked_params
def run(*, num_nodes: int = 2000, epochs: int = 50, k: int = 32, anchor_step: int = 4,
        seed: int = 0, ef_search: Sequence[int] = HNSW_EF_SEARCH,
        payoff_sizes: Sequence[int] = (10_000, 100_000), payoff_queries: int = 500,
        progress: bool = False) -> Dict[str, pd.DataFrame]:
    """Train on ``barabasi_albert(num_nodes, 4)``, sweep the indexes at its embeddings,
    then time exact vs approximate refreshes at larger sizes.

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
        HNSW knob values: HNSW on raw inner products (``hnsw_m = 8``,
        ``ef_construction = 40``, as before) and on the MIPS-to-L2 reduction
        (``hnsw_mips``: ``hnsw_m = 16``, ``ef_construction = 100``); IVF uses
        ``nlist = round(sqrt(N))`` and its default ``nprobe`` values.
    payoff_sizes : sequence of int
        Sizes of :func:`graphneg.analysis.ann.index_payoff` (empty: skip).
    payoff_queries : int
        Queries timed per size (the refresh time is projected to N queries).
    progress : bool
        Progress lines (with an ETA) on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``ann_sweep``: one row per index kind and knob value (columns of
        :func:`graphneg.analysis.ann.ann_sweep`); ``ann_payoff``: one row per size and
        index kind (:func:`graphneg.analysis.ann.index_payoff`).
    """
    from graphneg.analysis.ann import ann_sweep, index_payoff
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    owner = "ann.run"
    anchor_step = check_int(anchor_step, "anchor_step", low=1, owner=owner)
    report = Progress("ann", 4 + len(payoff_sizes), enabled=progress)
    data = barabasi_albert(num_nodes, 4, seed=seed)
    trainer = LinkPredictionTrainer(data, epochs=epochs, seed=seed, verbose=False)
    trainer.fit()
    report.step(f"trained a link predictor on BA(n={num_nodes}, m=4) for {epochs} epochs")
    z = trainer.embeddings()
    n = data.num_nodes
    anchors = torch.arange(0, n, anchor_step)
    nlist = max(1, int(round(n ** 0.5)))
    parts = []
    for kind, params in (("hnsw", {"hnsw_m": 8}),
                         ("hnsw_mips", {"hnsw_m": 16, "ef_construction": 100})):
        df = ann_sweep(z, data.edge_index, n, index=kind, values=list(ef_search), k=k,
                       anchors=anchors, **params)
        parts.append(df)
        report.step(f"{kind} over ef_search {', '.join(map(str, ef_search))}: recall "
                    f"{df['recall'].min():.3f} .. {df['recall'].max():.3f}")
    ivf = ann_sweep(z, data.edge_index, n, index="ivf", k=k, nlist=nlist, anchors=anchors)
    parts.append(ivf)
    report.step(f"IVF (nlist {nlist}) over nprobe {', '.join(map(str, ivf['value']))}: recall "
                f"{ivf['recall'].min():.3f} .. {ivf['recall'].max():.3f}")
    payoff = []
    for size in payoff_sizes:
        size_nlist = max(1, int(round(size ** 0.5)))
        p = index_payoff(int(size), k=k, num_queries=payoff_queries, seed=seed, hnsw_m=16,
                         ef_construction=64, ef_search=128, nlist=size_nlist,
                         nprobe=max(1, size_nlist // 8))
        payoff.append(p)
        report.step(f"N = {size}: exact refresh {p['exact_refresh_s'].iloc[0]:.1f} s, "
                    + ", ".join(f"{r.index} {r.refresh_s:.1f} s (recall {r.recall:.2f})"
                                for r in p.itertuples()))
    out = {"ann_sweep": pd.concat(parts, ignore_index=True)}
    if payoff:
        out["ann_payoff"] = pd.concat(payoff, ignore_index=True)
    return out


def findings(tables: Mapping[str, pd.DataFrame], *, recall: float = 0.95) -> str:
    """Per index kind: the smallest knob reaching ``recall``, its bias, ε, the bias the
    fitted mixture implies against the measured one, and when an index pays off.

    Examples
    --------
    >>> df = pd.DataFrame({"index": ["ivf"] * 2, "knob": ["nprobe"] * 2, "value": [1, 4],
    ...     "recall": [0.6, 1.0], "relative_bias": [0.2, 0.0], "epsilon_mle": [0.3, 0.0],
    ...     "refresh_s": [0.01, 0.02], "exact_refresh_s": [0.04, 0.04],
    ...     "implied_relative_bias": [0.1, 0.0], "implied_cosine": [0.5, float("nan")]})
    >>> print(findings({"ann_sweep": df}).splitlines()[0][:60])
    - ivf: recall@k >= 0.95 from nprobe = 4 (relative gradient b
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
    if "implied_relative_bias" in df:
        biased = df[df["relative_bias"] > 0]
        if not biased.empty:
            ratio = biased["implied_relative_bias"] / biased["relative_bias"]
            lines.append(
                f"- The mixture ε explains part of the bias only: over the {len(biased)} "
                "biased settings the bias the fitted mixture implies, ε·(E_unif − E_exact)"
                f"[g⁻], is {ratio.min():.2g}× to {ratio.max():.2g}× the measured relative "
                f"bias (median {ratio.median():.2g}×), and its direction has a mean cosine "
                f"{biased['implied_cosine'].min():.2f} to {biased['implied_cosine'].max():.2f}"
                " with the measured bias: an ANN index does not miss hard negatives at random "
                "(it misses the ones its graph or cells do not reach), so ε is a summary of how "
                "much mass moves, not of where it goes.")
    pay = tables.get("ann_payoff")
    if pay is not None and not pay.empty:
        for size, grp in pay.groupby("num_nodes"):
            ex = float(grp["exact_refresh_s"].iloc[0])
            parts = [f"{r.index} {r.refresh_s:.3g} s (saves {r.saved_s:.3g} s, recall "
                     f"{r.recall:.2f})" for r in grp.itertuples()]
            lines.append(f"- N = {size:,} (synthetic, intrinsic dimension 8): exact refresh "
                         f"{ex:.3g} s; " + "; ".join(parts) + ".")
    cols = [c for c in ("index", "value", "recall", "epsilon_mle", "relative_bias",
                        "implied_relative_bias", "implied_cosine", "refresh_s") if c in df]
    table = df[cols].rename(columns={"epsilon_mle": "ε", "relative_bias": "rel. bias",
                                     "implied_relative_bias": "implied", "implied_cosine":
                                     "cos", "refresh_s": "refresh s"})
    return "\n".join(lines) + "\n\n" + markdown_table(table, digits=3)
