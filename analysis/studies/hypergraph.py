r"""Negative hyperedges compared across hypergraphs, samplers and seeds; (α, β) sweeps.

:func:`run` draws negatives with every sampler of :data:`DEFAULT_HYPEREDGE_SAMPLERS`
on every hypergraph of :data:`HYPERGRAPHS` (shipped data and generators), profiles
them with :func:`graphneg.analysis.hypergraph.negative_profile` (size, overlap
:math:`o(S; A)` with the anchor, clique-expansion density :math:`\rho(S)`) and trains
the hyperedge-contrastive model with each (test AUC/AP, efficiency :math:`\eta`).
:func:`run_sweep` maps AUC and hardness of the max-entropy sampler
:math:`q(E) \propto |E|^\alpha (1 - o(E; A))^\beta` over an :math:`(\alpha, \beta)` grid.

Both return tables only; ``graphneg hypergraph`` draws and writes them.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from graphneg.hyperedges import hyperedge_sizes

from ..hypergraph import clique_expansion_density, negative_profile

__all__ = ["HYPERGRAPHS", "DEFAULT_HYPEREDGE_SAMPLERS", "HypergraphComparison",
           "load_hypergraph", "compare_hyperedge_samplers", "alpha_beta_sweep", "run",
           "run_sweep", "sweep_sections"]

#: Hypergraph sources by name (built lazily by :func:`load_hypergraph`).
HYPERGRAPHS = ("lesmis", "davis", "planted", "random", "configuration")

#: Display name -> (registry name, keyword arguments) of the samplers compared by default.
DEFAULT_HYPEREDGE_SAMPLERS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "maxent uniform (α=0, β=0)": ("maxent", {}),
    "maxent easy (β=2)": ("maxent", {"beta": 2.0}),
    "maxent hard (β=-2)": ("maxent", {"beta": -2.0}),
    "SNS sized": ("sized", {}),
    "MNS motif": ("motif", {}),
    "CNS clique": ("clique", {}),
}


def load_hypergraph(name: str, seed: int = 0) -> Any:
    """Build one of :data:`HYPERGRAPHS` (shipped data or a generator with fixed sizes).

    Examples
    --------
    >>> h = load_hypergraph("davis")
    >>> int(h.num_nodes), int(h.edge_index[1].max()) + 1
    (18, 14)
    """
    from graphneg import generators
    from graphneg.datasets import davis_southern_women, les_miserables

    if name == "lesmis":
        return les_miserables("chapter", min_size=2)
    if name == "davis":
        return davis_southern_women()
    if name == "planted":
        return generators.planted_hypergraph(120, 400, 6, size_distribution=[3, 4, 5],
                                             mixing_prob=0.2, seed=seed)
    if name == "random":
        return generators.random_hypergraph(150, 400, size_distribution="poisson",
                                            mean_size=3.5, min_size=2, max_size=10, seed=seed)
    if name == "configuration":  # Les Misérables' degrees and sizes, randomised by MCMC
        # (rejection sampling of the configuration model fails on its heavy-tailed degrees)
        return generators.reshuffle_hypergraph(les_miserables("chapter", min_size=2), 200,
                                               seed=seed)
    raise ValueError(f"Unknown hypergraph {name!r}. Known hypergraphs: "
                     f"{', '.join(map(repr, HYPERGRAPHS))}.")


def _ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import ks_2samp
    return float(ks_2samp(a, b).statistic) if a.size and b.size else float("nan")


def compare_hyperedge_samplers(data: Any, samplers: Optional[Mapping[str, Tuple[str, Dict]]] = None,
                               *, seeds: Sequence[int] = (0,), num_neg: int = 5,
                               epochs: int = 30, train: bool = True,
                               trainer_kwargs: Optional[Dict[str, Any]] = None,
                               progress: Optional[Any] = None
                               ) -> Tuple[pd.DataFrame, pd.DataFrame]:
    r"""Samplers x seeds on one hypergraph: negative profiles and contrastive training.

    Parameters
    ----------
    data : HyperGraphData
    samplers : mapping display name -> (registry name, kwargs), optional
        Defaults to :data:`DEFAULT_HYPEREDGE_SAMPLERS`.
    seeds : sequence of int
    num_neg : int
    epochs : int
        Epochs of :class:`~graphneg.training.hypergraph.HyperedgeContrastiveTrainer`
        per run (``train=False`` skips training).
    trainer_kwargs : dict, optional
    progress : callable, optional
        Wraps the run iterator (e.g. ``tqdm``).

    Returns
    -------
    (runs, profiles) : DataFrames
        ``runs``: one row per sampler x seed: ``mean_size``, ``size_ks`` (KS
        distance of negative vs positive sizes), ``mean_overlap``,
        ``mean_density``, ``pos_density``, ``dropped``, ``sample_time_s`` and,
        when trained, ``test_auc``, ``test_ap``, ``eta`` (median over epochs),
        ``final_loss``, ``num_test_hyperedges``. ``profiles``: :func:`negative_profile` rows with
        ``sampler`` and ``seed``.

    Notes
    -----
    Every sampler runs with ``on_impossible="drop"``; the dropped count is
    reported, not hidden. Cost: one sampling call and, if trained, ``epochs``
    epochs per run.

    Examples
    --------
    >>> from graphneg.datasets import davis_southern_women
    >>> runs, prof = compare_hyperedge_samplers(davis_southern_women(), train=False, num_neg=2)
    >>> len(runs), float(runs.set_index("sampler").loc["CNS clique", "mean_density"])
    (6, 1.0)
    """
    from graphneg.samplers.hyperedge import get_hyperedge_sampler
    from graphneg.training.hypergraph import HyperedgeContrastiveTrainer

    samplers = dict(samplers or DEFAULT_HYPEREDGE_SAMPLERS)
    index, n = data.edge_index, int(data.num_nodes)
    pos_sizes = hyperedge_sizes(index).numpy().astype(float)
    pos_density = clique_expansion_density(index, index, n).numpy()
    jobs = [(name, seed) for seed in seeds for name in samplers]
    runs, profiles = [], []
    for name, seed in (progress(jobs) if progress else jobs):
        reg, kw = samplers[name]
        sampler = get_hyperedge_sampler(reg, num_neg=num_neg, seed=seed, on_impossible="drop",
                                        **kw)
        tic = time.perf_counter()
        neg = sampler.sample(index, n)
        elapsed = time.perf_counter() - tic
        prof = negative_profile(index, n, neg)
        prof["sampler"], prof["seed"] = name, seed
        profiles.append(prof)
        row = {"sampler": name, "seed": seed, "mean_size": prof["size"].mean(),
               "size_ks": _ks_distance(prof["size"].to_numpy(), pos_sizes),
               "mean_overlap": prof["overlap"].mean(), "mean_density": prof["density"].mean(),
               "pos_density": float(np.nanmean(pos_density)),
               "dropped": sampler.last_stats.dropped, "sample_time_s": elapsed}
        if train:
            kw_t = {"verbose": False, "hidden_channels": 32, "out_channels": 32,
                    **(trainer_kwargs or {})}
            tr = HyperedgeContrastiveTrainer(data, sampler=reg, sampler_kwargs=kw,
                                             num_neg=num_neg, epochs=epochs, seed=seed, **kw_t)
            try:
                hist = tr.fit()
                test = tr.test()
                test_index = tr._pos["test"]
                row["num_test_hyperedges"] = (int(test_index[1].max()) + 1
                                              if test_index.numel() else 0)
                row.update({"test_auc": test["auc"], "test_ap": test["ap"],
                            "eta": float(hist["eta"].median()),
                            "final_loss": float(hist["loss"].iloc[-1])})
            except ValueError as err:  # e.g. every anchor dropped: a result, not a crash
                row.update({"test_auc": float("nan"), "test_ap": float("nan"),
                            "eta": float("nan"), "final_loss": float("nan"),
                            "error": str(err)[:200]})
        runs.append(row)
    return pd.DataFrame(runs), pd.concat(profiles, ignore_index=True)


def alpha_beta_sweep(data: Any, alphas: Iterable[float], betas: Iterable[float], *,
                     candidates: str = "hyperedges", num_candidates: Optional[int] = None,
                     seeds: Sequence[int] = (0,), num_neg: int = 5, epochs: int = 20,
                     trainer_kwargs: Optional[Dict[str, Any]] = None,
                     progress: Optional[Any] = None) -> pd.DataFrame:
    r"""Max-entropy sampler over a grid of :math:`(\alpha, \beta)`: AUC and hardness.

    ``candidates`` / ``num_candidates`` choose the sampler's pool (see
    :class:`~graphneg.samplers.hyperedge.HyperedgeNegativeSampler`). With the
    default pool every negative is a true hyperedge, whose clique-expansion
    density is 1, so the hardness map is informative only with a generated
    pool (``"sized"`` or ``"motif"``).

    Returns
    -------
    DataFrame
        One row per ``(alpha, beta, seed)``: ``test_auc``, ``test_ap``,
        ``mean_density`` (hardness), ``mean_overlap``, ``mean_size``, ``eta``.
    """
    pool = {"candidates": candidates, "num_candidates": num_candidates}
    grid = {f"α={a:g}, β={b:g}": ("maxent", {"alpha": float(a), "beta": float(b), **pool})
            for a in alphas for b in betas}
    runs, _ = compare_hyperedge_samplers(data, grid, seeds=seeds, num_neg=num_neg,
                                         epochs=epochs, trainer_kwargs=trainer_kwargs,
                                         progress=progress)
    runs["alpha"] = [grid[s][1]["alpha"] for s in runs["sampler"]]
    runs["beta"] = [grid[s][1]["beta"] for s in runs["sampler"]]
    return runs


#: Columns of :attr:`HypergraphComparison.summary` (mean and sd over seeds).
SUMMARY_METRICS = ["test_auc", "test_ap", "eta", "mean_size", "size_ks", "mean_overlap",
                   "mean_density", "dropped"]


@dataclass
class HypergraphComparison:
    """What :func:`run` returns.

    Attributes
    ----------
    runs : DataFrame
        One row per hypergraph x sampler x seed (:func:`compare_hyperedge_samplers`
        columns, with ``graph`` first).
    profiles : DataFrame
        One row per negative hyperedge (:func:`negative_profile`, with ``graph``,
        ``sampler``, ``seed``).
    summary : DataFrame
        Mean and sd over seeds of :data:`SUMMARY_METRICS`, indexed by (graph, sampler).
    graphs : DataFrame
        One row per hypergraph: ``graph``, ``num_nodes``, ``num_hyperedges``.
    positive_sizes : dict of str to ndarray
        Sizes of the true hyperedges of each hypergraph.
    seeds, num_neg, epochs :
        The settings of the run.
    """

    runs: pd.DataFrame
    profiles: pd.DataFrame
    summary: pd.DataFrame
    graphs: pd.DataFrame
    positive_sizes: Dict[str, np.ndarray] = field(default_factory=dict)
    seeds: List[int] = field(default_factory=list)
    num_neg: int = 5
    epochs: int = 30

    def tables(self) -> Dict[str, pd.DataFrame]:
        """The tables written as CSV: ``runs``, ``summary``, ``profiles``."""
        return {"runs": self.runs, "summary": self.summary, "profiles": self.profiles}

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text: settings, the summary table and notes on small test sets."""
        intro = (f"Seeds {self.seeds}, {self.num_neg} negatives per anchor, {self.epochs} "
                 f"epochs of hyperedge-contrastive training per run. AUC/AP: held-out "
                 f"hyperedges vs 5 fixed SNS candidates each (random scorer: AUC 0.5). "
                 f"Hardness: clique-expansion density of the negatives. Every sampler ran "
                 f"with on_impossible='drop' (column dropped).")
        lines = ["| graph | sampler | test AUC | test AP | η | size KS | overlap | hardness | "
                 "dropped |", "|---|---|---|---|---|---|---|---|---|"]
        for (graph, sampler), row in self.summary.iterrows():
            cells = [_fmt(row[(k, "mean")], row[(k, "std")]) for k in
                     ("test_auc", "test_ap", "eta", "size_ks", "mean_overlap", "mean_density",
                      "dropped")]
            lines.append(f"| {graph} | {sampler} | " + " | ".join(cells) + " |")
        notes = []
        if "num_test_hyperedges" in self.runs:
            few = self.runs.groupby("graph", sort=False)["num_test_hyperedges"].min()
            notes = [f"Note: {graph} has only {int(count)} held-out test hyperedge(s); its "
                     f"AUC/AP are not informative." for graph, count in few[few < 10].items()]
        body = "\n\n".join([intro, "\n".join(lines), *notes])
        return [("Summary (mean ± sd over seeds)", body)]


def _fmt(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "—"
    return f"{mean:.3f}" if math.isnan(std) else f"{mean:.3f} ± {std:.3f}"


def _bar(desc: str):
    from tqdm.auto import tqdm
    return lambda jobs: tqdm(jobs, desc=desc)


def run(graphs: Sequence[str] = ("lesmis", "davis", "planted", "random"), *,
        seeds: Sequence[int] = (0, 1), num_neg: int = 5, epochs: int = 30,
        samplers: Optional[Mapping[str, Tuple[str, Dict]]] = None,
        trainer_kwargs: Optional[Dict[str, Any]] = None,
        progress: bool = True) -> HypergraphComparison:
    """Hypergraphs x samplers x seeds: profiles of the negatives and contrastive training.

    Parameters
    ----------
    graphs : sequence of str
        Names from :data:`HYPERGRAPHS`.
    seeds : sequence of int
    num_neg : int
        Negatives per anchor hyperedge.
    epochs : int
        Training epochs per run.
    samplers : mapping, optional
        Display name -> (registry name, kwargs); default :data:`DEFAULT_HYPEREDGE_SAMPLERS`.
    trainer_kwargs : dict, optional
        Passed to the trainer.
    progress : bool
        A progress bar per hypergraph.

    Returns
    -------
    HypergraphComparison

    Notes
    -----
    Cost: ``len(graphs) · len(samplers) · len(seeds)`` sampling calls and training runs.

    Examples
    --------
    >>> res = run(["davis"], seeds=[0], epochs=1, progress=False,
    ...           trainer_kwargs={"hidden_channels": 8, "out_channels": 8})
    >>> res.summary.index.names, len(res.runs)
    (FrozenList(['graph', 'sampler']), 6)
    """
    all_runs, all_prof, info, sizes = [], [], [], {}
    for graph in graphs:
        data = load_hypergraph(graph)
        runs, prof = compare_hyperedge_samplers(
            data, samplers, seeds=seeds, num_neg=num_neg, epochs=epochs,
            trainer_kwargs=trainer_kwargs,
            progress=_bar(f"hypergraph {graph}") if progress else None)
        runs.insert(0, "graph", graph)
        prof.insert(0, "graph", graph)
        all_runs.append(runs)
        all_prof.append(prof)
        info.append({"graph": graph, "num_nodes": int(data.num_nodes),
                     "num_hyperedges": int(data.edge_index[1].max()) + 1})
        sizes[graph] = hyperedge_sizes(data.edge_index).numpy()
    runs = pd.concat(all_runs, ignore_index=True)
    prof = pd.concat(all_prof, ignore_index=True)
    summary = runs.groupby(["graph", "sampler"], sort=False)[SUMMARY_METRICS].agg(["mean", "std"])
    return HypergraphComparison(runs, prof, summary, pd.DataFrame(info), sizes, list(seeds),
                                num_neg, epochs)


def run_sweep(graph: str = "planted", alphas: Iterable[float] = (-1.0, 0.0, 1.0, 2.0),
              betas: Iterable[float] = (-2.0, -1.0, 0.0, 1.0, 2.0), *,
              candidates: str = "sized", num_candidates: Optional[int] = None,
              seeds: Sequence[int] = (0,), num_neg: int = 5, epochs: int = 20,
              trainer_kwargs: Optional[Dict[str, Any]] = None,
              progress: bool = True) -> pd.DataFrame:
    r"""The (α, β) sweep of :func:`alpha_beta_sweep` on the hypergraph named ``graph``.

    Parameters
    ----------
    graph : str
        A name from :data:`HYPERGRAPHS`.
    alphas, betas : iterables of float
        Size and overlap exponents of :math:`q(E) \propto |E|^\alpha (1 - o(E; A))^\beta`.
    candidates : {"hyperedges", "sized", "motif"}
        The sampler's candidate pool (generated sets, whose hardness varies, by default).
    num_candidates, seeds, num_neg, epochs, trainer_kwargs :
        As for :func:`alpha_beta_sweep`.
    progress : bool

    Returns
    -------
    DataFrame
        One row per ``(alpha, beta, seed)``.

    Examples
    --------
    >>> sw = run_sweep("davis", [0.0], [0.0], epochs=1, progress=False,
    ...                trainer_kwargs={"hidden_channels": 8, "out_channels": 8})
    >>> sw[["alpha", "beta"]].values.tolist()
    [[0.0, 0.0]]
    """
    return alpha_beta_sweep(load_hypergraph(graph), alphas, betas, candidates=candidates,
                            num_candidates=num_candidates, seeds=seeds, num_neg=num_neg,
                            epochs=epochs, trainer_kwargs=trainer_kwargs,
                            progress=_bar("(alpha, beta) sweep") if progress else None)


def sweep_sections(*, candidates: str, epochs: int, num_neg: int,
                   seeds: Sequence[int]) -> List[Tuple[str, str]]:
    """The text of the sweep's report: the sampler and the settings.

    Examples
    --------
    >>> sweep_sections(candidates="sized", epochs=1, num_neg=5, seeds=[0])[0][0]
    'Sampler'
    """
    return [("Sampler", f"q(E) ∝ |E|^α (1 − o(E; A))^β over a '{candidates}' candidate pool; "
                        f"{epochs} epochs, {num_neg} negatives, seeds {list(seeds)}. β < 0: hard "
                        f"(overlapping) negatives; β > 0: easy ones.")]
