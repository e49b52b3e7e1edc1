r"""Negative hyperedges compared across hypergraphs, samplers and seeds; (α, β) sweeps.

Design of :func:`run` (paired, as the topology study)
-----------------------------------------------------
For every hypergraph of :data:`HYPERGRAPHS` (role :data:`ROLES`: ``random`` is the
*null model* — no structure to learn, AUC 0.5 is the right answer) and every seed,
:class:`~graphneg.training.hypergraph.HyperedgeContrastiveTrainer` splits the hyperedges
into training, validation (model selection) and test hyperedges and draws the fixed
evaluation negatives of two protocols — ``test_*``: random node sets of the empirical
sizes (SNS), ``hard_*``: the held-out hyperedge with one member swapped for a node
adjacent to all the others (CNS, overlap :math:`(s-1)/(s+1)`) — never a true
hyperedge. The split and these negatives depend on the seed only, so every sampler and
every baseline is scored on the same sets (paired by seed).

Training negatives: the max-entropy sampler
:math:`q(E \mid A) \propto |E|^\alpha (1 - o(E; A))^\beta` draws from an explicit
candidate pool, ``candidates="sized"``: node sets of the empirical sizes generated per
call (never a true hyperedge), so training and evaluation negatives are of the same
kind. ``uniform`` is that sampler at :math:`\alpha = \beta = 0` (uniform over the pool:
the SNS law), the reference of every paired difference; ``maxent (α=1, β=2)`` is the
chapter's setting (large, low-overlap negatives); ``maxent fitted`` solves for
:math:`(\alpha, \beta)` on the training hyperedges every epoch so that the pool law
matches their mean :math:`\log|E|` and mean :math:`\log(1 - o)` with the anchor
(:func:`~graphneg.samplers.hyperedge.fit_maxent`; ``fitted_alpha``, ``fitted_beta``:
means over epochs); MNS and CNS are the Patil et al. baselines. Baselines that need
no learning score the same evaluation sets:
``heuristic:density`` (clique-expansion density :math:`\rho(S)` of the set on the
training hyperedges) and ``heuristic:random``.

Per epoch the trainer records the InfoNCE weights of the negatives
(``neg_weight`` = mean :math:`\sum_k w_k`, the share of the gradient the negatives carry,
and ``neg_weight_top``), which rank samplers by hardness, next to :math:`\eta`.
:func:`run` returns long tables, the effects table
(:func:`graphneg.analysis.statistics.effects_table`) and findings
(:func:`graphneg.analysis.findings.write_findings`). :func:`run_sweep` maps AUC and
hardness over an :math:`(\alpha, \beta)` grid.

Both return tables only; ``graphneg hypergraph`` draws and writes them.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import torch

from graphneg._validation import checked_params
from graphneg.hyperedges import hyperedge_sizes

from ..findings import is_baseline, write_findings
from ..hypergraph import clique_expansion_density, negative_profile
from ..statistics import effects_table, format_interval
from ._progress import Progress

__all__ = ["HYPERGRAPHS", "ROLES", "METRICS", "DEFAULT_HYPEREDGE_SAMPLERS", "HypergraphComparison",
           "load_hypergraph", "compare_hyperedge_samplers", "alpha_beta_sweep", "run",
           "run_sweep", "sweep_effects", "sweep_sections"]

#: Hypergraph sources by name (built lazily by :func:`load_hypergraph`).
HYPERGRAPHS = ("lesmis", "davis", "films", "planted", "random", "configuration")

#: Role of each hypergraph in the findings: ``null`` = no learnable structure.
ROLES = {"lesmis": "learnable", "davis": "learnable", "films": "learnable",
         "planted": "learnable", "random": "null", "configuration": "null"}

#: Display name -> (registry name, keyword arguments) of the samplers compared by default.
DEFAULT_HYPEREDGE_SAMPLERS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "uniform": ("maxent", {"candidates": "sized"}),
    "maxent (α=1, β=2)": ("maxent", {"alpha": 1.0, "beta": 2.0, "candidates": "sized"}),
    "maxent fitted": ("maxent", {"fit": "moments", "candidates": "sized"}),
    "MNS motif": ("motif", {}),
    "CNS clique": ("clique", {}),
}

#: Metrics of the effects table.
METRICS = ("test_auc", "test_mrr", "hard_auc", "hard_mrr", "neg_weight", "neg_weight_top",
           "eta", "mean_overlap", "mean_density", "best_epoch", "fitted_alpha", "fitted_beta")


def _check_hypergraph_name(name: str, who: str) -> None:
    """Refuse a name outside :data:`HYPERGRAPHS`, the message starting with ``who``."""
    from graphneg.registry import did_you_mean

    if name not in HYPERGRAPHS:
        raise ValueError(f"{who}: Unknown hypergraph {name!r}. Known hypergraphs: "
                         f"{', '.join(map(repr, HYPERGRAPHS))}.{did_you_mean(name, HYPERGRAPHS)}")


@checked_params
def load_hypergraph(name: str, seed: int = 0) -> Any:
    """Build one of :data:`HYPERGRAPHS` (shipped data or a generator with fixed sizes).

    Examples
    --------
    >>> h = load_hypergraph("davis")
    >>> int(h.num_nodes), int(h.edge_index[1].max()) + 1
    (18, 14)
    """
    from graphneg import generators
    from graphneg.datasets import davis_southern_women, film_casts, les_miserables

    _check_hypergraph_name(name, "The 'name' parameter of load_hypergraph")
    if name == "lesmis":
        return les_miserables("chapter", min_size=2)
    if name == "davis":
        return davis_southern_women()
    if name == "films":  # co-acting casts, 2005-2014: 3,451 hyperedges (not in the default run)
        return film_casts()
    if name == "planted":
        return generators.planted_hypergraph(120, 400, 6, size_distribution=[3, 4, 5],
                                             mixing_prob=0.2, seed=seed)
    if name == "random":
        return generators.random_hypergraph(150, 400, size_distribution="poisson",
                                            mean_size=3.5, min_size=2, max_size=10, seed=seed)
    # "configuration": Les Misérables' degrees and sizes, randomised by MCMC (rejection
    # sampling of the configuration model fails on its heavy-tailed degrees)
    return generators.reshuffle_hypergraph(les_miserables("chapter", min_size=2), 200, seed=seed)


def _ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import ks_2samp
    return float(ks_2samp(a, b).statistic) if a.size and b.size else float("nan")


@checked_params
def compare_hyperedge_samplers(data: Any, samplers: Optional[Mapping[str, Tuple[str, Dict]]] = None,
                               *, seeds: Sequence[int] = (0,), num_neg: int = 5,
                               epochs: int = 30, train: bool = True,
                               baselines: bool = True,
                               trainer_kwargs: Optional[Dict[str, Any]] = None,
                               progress: Optional[Any] = None
                               ) -> Tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
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
    baselines : bool
        Add the rows of the baselines that need no learning (when trained).
    trainer_kwargs : dict, optional
    progress : Progress or callable, optional
        A :class:`~graphneg.analysis.studies._progress.Progress` (one line per run) or a
        wrapper of the run iterator (e.g. ``tqdm``).

    Returns
    -------
    (runs, profiles, history) : DataFrames
        ``runs``: one row per sampler x seed: ``mean_size``, ``size_ks`` (KS
        distance of negative vs positive sizes), ``mean_overlap``,
        ``mean_density``, ``pos_density``, ``dropped``, ``sample_time_s`` and,
        when trained, ``test_auc, test_ap, test_mrr`` (random-set protocol),
        ``hard_auc, hard_ap, hard_mrr`` (swapped-member protocol), ``eta`` (median over
        epochs), ``neg_weight``, ``neg_weight_top`` (means over epochs), ``best_epoch``,
        ``final_loss``, ``num_test_hyperedges``; when trained, also one row per seed
        for each baseline that needs no learning (``heuristic:density``,
        ``heuristic:random``) on the same test sets. ``profiles``:
        :func:`negative_profile` rows with ``sampler`` and ``seed``. ``history``: every
        epoch of every run.

    Notes
    -----
    Every sampler runs with ``on_impossible="drop"``; the dropped count is
    reported, not hidden. Cost: one sampling call and, if trained, ``epochs``
    epochs per run.

    Examples
    --------
    >>> from graphneg.datasets import davis_southern_women
    >>> runs, prof, _ = compare_hyperedge_samplers(davis_southern_women(), train=False,
    ...                                            num_neg=2)
    >>> len(runs), float(runs.set_index("sampler").loc["CNS clique", "mean_density"])
    (5, 1.0)
    """
    from graphneg.samplers.hyperedge import get_hyperedge_sampler
    from graphneg.training.hypergraph import HyperedgeContrastiveTrainer

    samplers = dict(samplers or DEFAULT_HYPEREDGE_SAMPLERS)
    index, n = data.edge_index, int(data.num_nodes)
    pos_sizes = hyperedge_sizes(index).numpy().astype(float)
    pos_density = clique_expansion_density(index, index, n).numpy()
    jobs = [(name, seed) for seed in seeds for name in samplers]
    runs, profiles, history, baselines_done = [], [], [], set()
    for name, seed in (progress(jobs) if callable(progress) else jobs):
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
                row.update({f"test_{k}" if not k.startswith("hard_") else k: v
                            for k, v in test.items()})
                if "sampler_alpha" in hist:  # fitted per epoch: the mean over epochs
                    row.update({"fitted_alpha": float(hist["sampler_alpha"].mean()),
                                "fitted_beta": float(hist["sampler_beta"].mean())})
                row.update({"eta": float(hist["eta"].median()),
                            "neg_weight": float(hist["neg_weight"].mean()),
                            "neg_weight_top": float(hist["neg_weight_top"].mean()),
                            "best_epoch": tr.best_epoch,
                            "final_loss": float(hist["loss"].iloc[-1])})
                history.append(hist.assign(sampler=name, seed=seed))
                if baselines and seed not in baselines_done:  # the seed's sets: shared by all
                    baselines_done.add(seed)
                    runs.extend(_baseline_rows(tr, seed))
            except ValueError as err:  # e.g. every anchor dropped: a result, not a crash
                row.update({"test_auc": float("nan"), "test_ap": float("nan"),
                            "eta": float("nan"), "final_loss": float("nan"),
                            "error": str(err)[:200]})
        runs.append(row)
        if hasattr(progress, "step"):
            progress.step(f"{name}, seed {seed}: test AUC {row.get('test_auc', math.nan):.3f}")
    hist = pd.concat(history, ignore_index=True) if history else pd.DataFrame()
    return pd.DataFrame(runs), pd.concat(profiles, ignore_index=True), hist


def _baseline_rows(trainer: Any, seed: int) -> List[Dict[str, Any]]:
    """Rows of the baselines that need no learning, on ``trainer``'s test sets."""
    from graphneg.evaluation import ranking_metrics
    n, k = trainer.num_nodes, trainer.eval_num_neg
    gen = torch.Generator().manual_seed(int(seed))
    scorers = {
        "heuristic:density": lambda sets: clique_expansion_density(
            sets, trainer.train_index, n).nan_to_num(0.0),
        "heuristic:random": lambda sets: torch.rand(int(hyperedge_sizes(sets).numel()),
                                                    generator=gen, dtype=torch.double),
    }
    rows = []
    for label, score in scorers.items():
        row: Dict[str, Any] = {"sampler": label, "seed": seed}
        for prefix, (pos, neg) in trainer.evaluation_sets("test").items():
            if neg is None or neg.numel() == 0:
                continue
            sp = score(pos)
            m = ranking_metrics(sp, score(neg).view(sp.numel(), k), ())
            name = prefix or "test_"
            row.update({f"{name}{key}": m[key] for key in ("auc", "ap", "mrr")})
        rows.append(row)
    return rows


@checked_params
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
    runs, _, _ = compare_hyperedge_samplers(data, grid, seeds=seeds, num_neg=num_neg,
                                            epochs=epochs, trainer_kwargs=trainer_kwargs,
                                            baselines=False, progress=progress)
    runs["alpha"] = [grid[s][1]["alpha"] for s in runs["sampler"]]
    runs["beta"] = [grid[s][1]["beta"] for s in runs["sampler"]]
    return runs


#: Columns of :attr:`HypergraphComparison.summary` (mean and sd over seeds).
SUMMARY_METRICS = ["test_auc", "test_ap", "test_mrr", "hard_auc", "hard_mrr", "eta",
                   "neg_weight", "mean_size", "size_ks", "mean_overlap", "mean_density",
                   "dropped"]


@dataclass
class HypergraphComparison:
    """What :func:`run` returns.

    Attributes
    ----------
    runs : DataFrame
        One row per hypergraph x method x seed (:func:`compare_hyperedge_samplers`
        columns, with ``graph`` and ``role`` first; baselines included).
    profiles : DataFrame
        One row per negative hyperedge (:func:`negative_profile`, with ``graph``,
        ``sampler``, ``seed``).
    summary : DataFrame
        Mean and sd over seeds of :data:`SUMMARY_METRICS`, indexed by (graph, sampler).
    effects : DataFrame
        :func:`graphneg.analysis.statistics.effects_table` of ``runs`` over
        :data:`METRICS` (95% intervals, paired differences against ``uniform``).
    history : DataFrame
        Every epoch of every training run (``graph, sampler, seed, epoch, loss, ...``).
    graphs : DataFrame
        One row per hypergraph: ``graph``, ``role``, ``num_nodes``, ``num_hyperedges``.
    positive_sizes : dict of str to ndarray
        Sizes of the true hyperedges of each hypergraph.
    seeds, num_neg, epochs, eval_num_neg :
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
    effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    eval_num_neg: int = 5

    def tables(self) -> Dict[str, pd.DataFrame]:
        """The tables written as CSV: ``summary`` (one row per run: the topology study's
        schema), ``effects``, ``results`` (every epoch), ``profiles``, ``summary_by_sampler``."""
        flat = self.summary.copy()
        flat.columns = [f"{metric}_{stat}" for metric, stat in flat.columns]
        return {"summary": self.runs, "effects": self.effects, "results": self.history,
                "profiles": self.profiles, "summary_by_sampler": flat}

    @property
    def chance(self) -> Dict[str, float]:
        """Chance level of AUC and MRR (``eval_num_neg`` negatives per positive)."""
        k = self.eval_num_neg
        mrr = sum(1.0 / r for r in range(1, k + 2)) / (k + 1)
        return {"test_auc": 0.5, "hard_auc": 0.5, "test_mrr": mrr, "hard_mrr": mrr}

    def findings(self) -> List[str]:
        """Sentences computed from :attr:`effects` (see
        :func:`graphneg.analysis.findings.write_findings`)."""
        if self.effects.empty:
            return ["No training run: nothing to compare."]
        roles = dict(zip(self.graphs["graph"], self.graphs["role"]))
        out = write_findings(self.effects[self.effects["mean"].notna()], roles,
                             protocols={"uniform": "test_auc", "swapped-member": "hard_auc"},
                             chance={"test_auc": 0.5})
        for g in self.graphs.itertuples():
            few = self.runs[(self.runs["graph"] == g.graph)]["num_test_hyperedges"].min() \
                if "num_test_hyperedges" in self.runs else math.nan
            if few == few and few < 20:
                out.append(f"{g.graph} holds only {int(few)} test hyperedges: its intervals are "
                           f"wide by construction.")
        ov = self.effects[(self.effects["metric"] == "mean_overlap")
                          & (self.effects["sampler"] == "uniform")]
        betas = [kw.get("beta", 0.0) for _, (reg, kw) in DEFAULT_HYPEREDGE_SAMPLERS.items()
                 if reg == "maxent" and "fit" not in kw]
        fitted = self.effects[self.effects["metric"].isin(["fitted_alpha", "fitted_beta"])
                              & self.effects["mean"].notna()]
        for g, part in fitted.groupby("graph", sort=False):
            p = part.set_index("metric")
            if {"fitted_alpha", "fitted_beta"} <= set(p.index):
                a, b = p.loc["fitted_alpha"], p.loc["fitted_beta"]
                betas.append(float(b["mean"]))
                kind = ("overlapping (hard) negatives: true hyperedges overlap each other more "
                        "than random sets of their sizes do" if b["ci_high"] < 0 else
                        "non-overlapping (easy) negatives: true hyperedges overlap each other "
                        "less than random sets of their sizes do" if b["ci_low"] > 0 else
                        "no measurable overlap preference")
                out.append(f"Maximum entropy under the true hyperedges' moments (mean log size, "
                           f"mean log(1 − overlap) with the anchor, refitted on the training "
                           f"hyperedges every epoch) gives on {g} α = "
                           f"{format_interval(a['mean'], a['ci_low'], a['ci_high'])}, β = "
                           f"{format_interval(b['mean'], b['ci_low'], b['ci_high'])} (over "
                           f"seeds): {kind}.")
        if len(ov) and betas and max(map(abs, betas)) > 0:
            o = float(ov["mean"].max())
            b = max(map(abs, betas))
            out.append(
                f"Why the max-entropy settings hardly differ from uniform here: on the generated "
                f"pool the mean overlap of a candidate with its anchor is at most {o:.3f} (the "
                f"largest over these hypergraphs, under uniform), so the overlap factor "
                f"(1 − o)^β lies within [{(1 - o) ** b:.3f}, {(1 - o) ** -b:.3f}] for |β| ≤ {b:.3g} "
                f"(the settings compared, fitted ones included), on average: "
                f"β can barely move the law, and α only reweights sizes the pool already "
                f"draws from the empirical distribution. Hard negatives need a pool that holds "
                f"overlapping sets (CNS, MNS), which the weight on the negatives shows.")
        if not self.history.empty and "val_auc" in self.history:
            for g, h in self.history.groupby("graph", sort=False):
                curve = h.groupby("epoch")["val_auc"].mean()
                first, best = float(curve.iloc[0]), float(curve.max())
                last = float(curve.iloc[-1])
                verdict = ("a null model: there is nothing to learn, so the curve is noise "
                           "around 0.5" if roles.get(g) == "null" else
                           "training adds to it" if best > first + 0.01 else
                           "training does not add to what the untrained encoder's smoothing "
                           "already gives (best epochs are often the first)")
                out.append(f"Learning curve on {g} (validation AUC, mean over samplers and "
                           f"seeds): {first:.3f} after epoch 1, best {best:.3f} at epoch "
                           f"{int(curve.idxmax())}, {last:.3f} at the last — {verdict}.")
        nw = self.effects[(self.effects["metric"] == "neg_weight")
                          & ~is_baseline(self.effects["sampler"])]
        for g, part in nw.groupby("graph", sort=False):
            order = part.sort_values("mean", ascending=False)
            out.append(f"On {g}, the InfoNCE weight the negatives carry (mean Σ_k w_k; "
                       f"harder = larger) ranks the samplers " + " > ".join(
                           f"{r.sampler} {format_interval(r.mean, r.ci_low, r.ci_high)}"
                           for r in order.itertuples()) + ".")
        return out

    def _table(self, graph: str) -> str:
        e = self.effects[(self.effects["graph"] == graph)]
        cols = ("test_auc", "test_mrr", "hard_auc", "hard_mrr", "neg_weight", "eta",
                "mean_overlap", "mean_density")
        lines = ["| method | " + " | ".join(cols) + " | Δ test_auc | Δ hard_auc |",
                 "|---" * (len(cols) + 3) + "|"]
        for m, part in e.groupby("sampler", sort=False):
            p = part.set_index("metric")
            cell = [format_interval(p.loc[c, "mean"], p.loc[c, "ci_low"], p.loc[c, "ci_high"])
                    if c in p.index else "–" for c in cols]
            for c in ("test_auc", "hard_auc"):
                if c in p.index and p.loc[c, "diff_vs_uniform"] == p.loc[c, "diff_vs_uniform"]:
                    cell.append(format_interval(p.loc[c, "diff_vs_uniform"],
                                                p.loc[c, "diff_ci_low"], p.loc[c, "diff_ci_high"])
                                + (" *" if p.loc[c, "measurable"] else ""))
                else:
                    cell.append("–")
            lines.append(f"| {m} | " + " | ".join(cell) + " |")
        return "\n".join(lines)

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text: findings, the design, one effects table per hypergraph."""
        c = self.chance
        intro = (f"Seeds {self.seeds}, {self.num_neg} training negatives per anchor, "
                 f"{self.epochs} epochs per run, best epoch on the validation hyperedges. "
                 f"Protocols on the test hyperedges, {self.eval_num_neg} fixed negatives each, "
                 f"shared by every method: test_* = random node sets of the empirical sizes "
                 f"(SNS), hard_* = the hyperedge with one member swapped (CNS). Chance: AUC "
                 f"0.5, MRR {c['test_mrr']:.3f}. Training pool of the max-entropy sampler: "
                 f"generated node sets of the empirical sizes ('sized'); uniform = α = β = 0. "
                 f"Mean [95% interval]; Δ = paired difference against uniform (* = interval "
                 f"excludes 0).")
        body = [intro]
        for g in self.graphs.itertuples():
            label = " — null model (no learnable structure)" if g.role == "null" else ""
            body.append(f"**{g.graph}**{label}: {g.num_nodes} nodes, {g.num_hyperedges} "
                        f"hyperedges.\n\n" + self._table(g.graph))
        return [("Findings", "\n".join(f"- {s}" for s in self.findings())),
                ("Effects (mean and 95% interval over seeds)", "\n\n".join(body))]


@checked_params
def run(graphs: Sequence[str] = ("lesmis", "planted", "random"), *,
        seeds: Sequence[int] = (0, 1, 2, 3, 4), num_neg: int = 5, epochs: int = 15,
        samplers: Optional[Mapping[str, Tuple[str, Dict]]] = None,
        trainer_kwargs: Optional[Dict[str, Any]] = None,
        progress: bool = True) -> HypergraphComparison:
    """Hypergraphs x samplers x seeds, paired: profiles of the negatives, contrastive
    training, baselines, effects and findings (see the module docstring).

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
        Display name -> (registry name, kwargs); default :data:`DEFAULT_HYPEREDGE_SAMPLERS`
        (must hold ``"uniform"``, the reference of the paired differences).
    trainer_kwargs : dict, optional
        Passed to the trainer.
    progress : bool
        One line per finished run on stderr, with an ETA.

    Returns
    -------
    HypergraphComparison

    Notes
    -----
    Cost: ``len(graphs) · len(samplers) · len(seeds)`` sampling calls and training runs.

    Examples
    --------
    >>> res = run(["davis"], seeds=[0, 1], epochs=1, progress=False,
    ...           trainer_kwargs={"hidden_channels": 8, "out_channels": 8})
    >>> res.summary.index.names, len(res.runs), "Findings" == res.sections()[0][0]
    (FrozenList(['graph', 'sampler']), 14, True)
    """
    for graph in graphs:  # every name before the first training
        _check_hypergraph_name(graph, "The 'graphs' parameter of run")
    samplers = dict(samplers or DEFAULT_HYPEREDGE_SAMPLERS)
    bar = Progress("graphneg hypergraph", len(graphs) * len(samplers) * len(seeds),
                   enabled=progress)
    all_runs, all_prof, all_hist, info, sizes = [], [], [], [], {}
    kw = {"hidden_channels": 16, "out_channels": 16, **(trainer_kwargs or {})}
    for graph in graphs:
        data = load_hypergraph(graph)
        bar.note(f"{graph}: {int(data.num_nodes)} nodes, "
                 f"{int(data.edge_index[1].max()) + 1} hyperedges ({ROLES.get(graph, 'learnable')})")
        runs, prof, hist = compare_hyperedge_samplers(
            data, samplers, seeds=seeds, num_neg=num_neg, epochs=epochs, trainer_kwargs=kw,
            progress=bar)
        role = ROLES.get(graph, "learnable")
        for t in (runs, prof, hist):
            if len(t):
                t.insert(0, "graph", graph)
        runs.insert(1, "role", role)
        all_runs.append(runs)
        all_prof.append(prof)
        all_hist.append(hist)
        info.append({"graph": graph, "role": role, "num_nodes": int(data.num_nodes),
                     "num_hyperedges": int(data.edge_index[1].max()) + 1})
        sizes[graph] = hyperedge_sizes(data.edge_index).numpy()
    runs = pd.concat(all_runs, ignore_index=True)
    prof = pd.concat(all_prof, ignore_index=True)
    hist = pd.concat(all_hist, ignore_index=True)
    cols = [c for c in SUMMARY_METRICS if c in runs]
    summary = runs.groupby(["graph", "sampler"], sort=False)[cols].agg(["mean", "std"])
    effects = effects_table(runs, [m for m in METRICS if m in runs])
    eval_k = int((trainer_kwargs or {}).get("eval_num_neg", 5))
    return HypergraphComparison(runs, prof, summary, pd.DataFrame(info), sizes, list(seeds),
                                num_neg, epochs, effects, hist, eval_k)


def sweep_effects(sweep: pd.DataFrame, metrics: Sequence[str] = ("test_auc", "hard_auc",
                                                                  "mean_overlap")
                  ) -> pd.DataFrame:
    r"""Mean and 95% interval over seeds of every :math:`(\alpha, \beta)` cell, and the
    paired difference against the cell :math:`\alpha = \beta = 0` (uniform, same seeds).

    Returns
    -------
    DataFrame
        :func:`~graphneg.analysis.statistics.effects_table` rows with ``alpha`` and
        ``beta`` columns (``diff_vs_uniform``: the paired difference).

    Examples
    --------
    >>> sw = pd.DataFrame({"sampler": ["α=0, β=0", "α=1, β=0"] * 2, "alpha": [0., 1.] * 2,
    ...                    "beta": 0.0, "seed": [0, 0, 1, 1], "test_auc": [.5, .6, .6, .8]})
    >>> e = sweep_effects(sw, ["test_auc"])
    >>> e.loc[e["alpha"] == 1, "diff_vs_uniform"].round(3).tolist()
    [0.15]
    """
    ref = sweep.loc[(sweep["alpha"] == 0) & (sweep["beta"] == 0), "sampler"]
    if ref.empty:
        raise ValueError("The 'sweep' parameter of sweep_effects must hold the cell "
                         "alpha = beta = 0 (uniform), the reference of the paired "
                         "differences. Got none instead.")
    runs = sweep.assign(graph="sweep")
    out = effects_table(runs, [m for m in metrics if m in runs], reference=str(ref.iloc[0]))
    cell = runs.drop_duplicates("sampler").set_index("sampler")
    out["alpha"] = cell.loc[out["sampler"], "alpha"].to_numpy()
    out["beta"] = cell.loc[out["sampler"], "beta"].to_numpy()
    return out.drop(columns="graph")


@checked_params
def run_sweep(graph: str = "lesmis", alphas: Iterable[float] = (-1.0, 0.0, 1.0, 2.0),
              betas: Iterable[float] = (-6.0, -3.0, 0.0, 2.0), *,
              candidates: str = "sized", num_candidates: Optional[int] = None,
              seeds: Sequence[int] = (0, 1, 2, 3, 4), num_neg: int = 5, epochs: int = 15,
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
    >>> sw = run_sweep("davis", [0.0], [0.0], epochs=1, seeds=[0], progress=False,
    ...                trainer_kwargs={"hidden_channels": 8, "out_channels": 8})
    >>> sw[["alpha", "beta"]].values.tolist()
    [[0.0, 0.0]]
    """
    _check_hypergraph_name(graph, "The 'graph' parameter of run_sweep")
    return alpha_beta_sweep(load_hypergraph(graph), alphas, betas, candidates=candidates,
                            num_candidates=num_candidates, seeds=seeds, num_neg=num_neg,
                            epochs=epochs, trainer_kwargs=trainer_kwargs,
                            progress=Progress("graphneg hypergraph sweep",
                                              len(list(alphas)) * len(list(betas)) * len(seeds),
                                              enabled=progress))


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
                        f"(overlapping) negatives; β > 0: easy ones. Each cell: mean over the "
                        f"seeds and the paired difference against α = β = 0 (uniform, same "
                        f"seeds, same evaluation sets) with its 95% interval; '*' marks an "
                        f"interval that excludes 0.")]
