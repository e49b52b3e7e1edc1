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

from typing import Dict, Mapping, Optional, Sequence

import pandas as pd
import torch

from graphneg._validation import check_int, checked_params

from ._progress import Progress
from ..report import markdown_table

__all__ = ["HNSW_EF_SEARCH", "SWEEP_METRICS", "run", "sweep_means", "findings"]

#: ``ef_search`` values of the HNSW sweep.
HNSW_EF_SEARCH = (1, 2, 4, 8, 16, 32, 64, 128)


#: Per-setting measures of the sweep summarised over seeds in ``ann_effects``.
SWEEP_METRICS = ("recall", "epsilon_mle", "relative_bias", "implied_relative_bias",
                 "implied_cosine", "refresh_s", "exact_refresh_s")


@checked_params
def run(*, num_nodes: int = 2000, epochs: int = 50, k: int = 32, anchor_step: int = 8,
        seed: int = 0, seeds: Optional[Sequence[int]] = (0, 1, 2, 3, 4),
        ef_search: Sequence[int] = HNSW_EF_SEARCH,
        payoff_sizes: Sequence[int] = (10_000, 100_000), payoff_queries: int = 500,
        progress: bool = False) -> Dict[str, pd.DataFrame]:
    """For every seed train on ``barabasi_albert(num_nodes, 4)`` and sweep the indexes at
    its embeddings, then time exact vs approximate refreshes at larger sizes.

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
        Seed of the graph and of the trainer when ``seeds`` is empty, and of the payoff
        timings.
    seeds : sequence of int, optional
        One graph, one trained model and one sweep per seed.
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
        ``ann_sweep``: one row per seed, index kind and knob value (columns of
        :func:`graphneg.analysis.ann.ann_sweep` and ``seed``); ``ann_effects``: per index
        kind, knob value and :data:`SWEEP_METRICS` entry, the mean and 95% interval over
        seeds; ``ann_payoff``: one row per size and index kind
        (:func:`graphneg.analysis.ann.index_payoff`).
    """
    from graphneg.analysis.ann import ann_sweep, index_payoff
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    from ..statistics import mean_interval

    owner = "ann.run"
    anchor_step = check_int(anchor_step, "anchor_step", low=1, owner=owner)
    seeds = list(seeds) if seeds else [seed]
    report = Progress("ann", 2 * len(seeds) + len(payoff_sizes), enabled=progress)
    parts = []
    for s in seeds:
        data = barabasi_albert(num_nodes, 4, seed=s)
        trainer = LinkPredictionTrainer(data, epochs=epochs, seed=s, verbose=False)
        trainer.fit()
        report.step(f"seed {s}: trained a link predictor on BA(n={num_nodes}, m=4) for "
                    f"{epochs} epochs")
        z = trainer.embeddings()
        n = data.num_nodes
        anchors = torch.arange(0, n, anchor_step)
        nlist = max(1, int(round(n ** 0.5)))
        done = []
        for kind, params in (("hnsw", {"hnsw_m": 8}),
                             ("hnsw_mips", {"hnsw_m": 16, "ef_construction": 100}),
                             ("ivf", {"nlist": nlist})):
            values = list(ef_search) if kind != "ivf" else None
            df = ann_sweep(z, data.edge_index, n, index=kind, values=values, k=k,
                           anchors=anchors, **params).assign(seed=s)
            parts.append(df)
            done.append(f"{kind} {df['recall'].min():.3f} .. {df['recall'].max():.3f}")
        report.step(f"seed {s}: HNSW over ef_search {', '.join(map(str, ef_search))}, IVF "
                    f"(nlist {nlist}) over nprobe; recall " + ", ".join(done))
    sweep = pd.concat(parts, ignore_index=True)
    rows = []
    for (kind, knob, value), grp in sweep.groupby(["index", "knob", "value"], sort=False):
        for metric in [m for m in SWEEP_METRICS if m in grp]:
            mean, low, high = mean_interval(grp[metric].tolist())
            rows.append({"index": kind, "knob": knob, "value": value, "metric": metric,
                         "mean": mean, "ci_low": low, "ci_high": high,
                         "n_seeds": int(grp[metric].notna().sum())})
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
    out = {"ann_sweep": sweep, "ann_effects": pd.DataFrame(rows)}
    if payoff:
        out["ann_payoff"] = pd.concat(payoff, ignore_index=True)
    return out


def sweep_means(sweep: pd.DataFrame) -> pd.DataFrame:
    """One row per index kind and knob value: the mean over seeds of every numeric column.

    Examples
    --------
    >>> df = pd.DataFrame({"index": "ivf", "knob": "nprobe", "value": [1, 1],
    ...                    "seed": [0, 1], "recall": [0.5, 0.7]})
    >>> sweep_means(df).to_dict("records")
    [{'index': 'ivf', 'knob': 'nprobe', 'value': 1, 'recall': 0.6}]
    """
    if "seed" not in sweep:
        return sweep
    return sweep.drop(columns="seed").groupby(["index", "knob", "value"], sort=False).mean(
        numeric_only=True).reset_index()


def findings(tables: Mapping[str, pd.DataFrame], *, recall: float = 0.95) -> str:
    """Per index kind: the smallest knob reaching ``recall``, its bias, ε, the bias the
    fitted mixture implies against the measured one, and when an index pays off.

    Examples
    --------
    >>> df = pd.DataFrame({"index": ["ivf"] * 2, "knob": ["nprobe"] * 2, "value": [1, 4],
    ...     "recall": [0.6, 1.0], "relative_bias": [0.2, 0.0], "epsilon_mle": [0.3, 0.0],
    ...     "refresh_s": [0.01, 0.02], "exact_refresh_s": [0.04, 0.04],
    ...     "implied_relative_bias": [0.1, 0.0], "implied_cosine": [0.5, float("nan")]})
    >>> print(findings({"ann_sweep": df}).splitlines()[0][:58])
    - ivf: mean recall@k >= 0.95 from nprobe = 4 (recall 1, re
    """
    from ..statistics import format_interval

    df = tables["ann_sweep"]
    eff = tables.get("ann_effects")
    lines = []
    if "seed" in df and df["seed"].nunique() > 1:  # the findings read the means over seeds
        lines.append(f"- Means over {df['seed'].nunique()} seeds (one BA graph, one trained "
                     "model and one index build per seed; 95% intervals in brackets).")
    df = sweep_means(df)

    def ci(row, metric):
        """``mean [low, high]`` over seeds of ``metric`` at ``row``'s setting, or the value."""
        r = None if eff is None or eff.empty else eff[
            (eff["index"] == row["index"]) & (eff["value"] == row["value"])
            & (eff["metric"] == metric)]
        if r is None or r.empty:
            return f"{row[metric]:.3g}"
        return format_interval(r["mean"].iloc[0], r["ci_low"].iloc[0], r["ci_high"].iloc[0])

    for (kind, knob), grp in df.groupby(["index", "knob"], sort=False):
        low = grp.iloc[0]
        good = grp[grp["recall"] >= recall]
        if good.empty:
            top = grp.loc[grp["recall"].idxmax()]
            head = (f"- {kind}: mean recall@k stays below {recall:g} (at most "
                    f"{ci(top, 'recall')} at {knob} = {top['value']})")
        else:
            g = good.iloc[0]
            head = (f"- {kind}: mean recall@k >= {recall:g} from {knob} = {g['value']} (recall "
                    f"{ci(g, 'recall')}, relative gradient bias {ci(g, 'relative_bias')}, "
                    f"ε = {g['epsilon_mle']:.3g}, refresh "
                    f"{g['refresh_s'] / g['exact_refresh_s']:.2g}x the exact index's time)")
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
