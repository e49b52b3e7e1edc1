r"""Spatial negatives on the US airport route graph: training runs, gradient bias, confounding.

:func:`run` trains link prediction with the uniform sampler and the spatial sampler
:math:`q_\tau(n \mid u) \propto \exp(-d(u, n) / \tau)` at a few temperatures
(:func:`compare_route_samplers`: per seed one split and one set of evaluation negatives
under two protocols, ``uniform`` and the geographic hard ``nearby``, shared by every
sampler and by baselines that need no learning; effects with 95% intervals and paired
differences; Moran's I and distance decay of the embeddings), then, at the embeddings
of a uniform-trained model,
measures the exact gradient bias :math:`b_\tau(u) = E_{q_\tau}[g^-] - E_{unif}[g^-]` and
the confounding index against :math:`\tau`
(:func:`graphneg.analysis.geo.spatial_bias_curve`), and checks the exact bias at one
:math:`\tau` against sampled negatives: per anchor and coordinate,
:math:`z = (\bar g_q - \bar g_{unif} - b_\tau(u)) / \mathrm{se}`, with
:math:`\mathrm{se}^2 = (\mathrm{Var}_q + \mathrm{Var}_{unif}) / K` over :math:`K` draws.

It returns tables only; ``graphneg geo`` draws and writes them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import pandas as pd
import torch
from torch import Tensor

from graphneg._validation import checked_params

from ..geo import same_region_similarity, spatial_bias_curve, spatial_bias_per_anchor
from ..report import markdown_table

__all__ = ["GeoStudy", "METRICS", "compare_route_samplers", "geo_findings",
           "monte_carlo_bias_check", "run"]


#: Metrics of the geo study's effects table and report (protocol prefixes: ``test_``
#: uniform, ``nearby_`` the geographic hard protocol).
METRICS = ("test_auc", "test_mrr", "nearby_auc", "nearby_mrr", "eta", "hard_negative_rate",
           "morans_i", "region_cos_gap", "mean_neg_distance_km", "best_epoch")


@checked_params
def compare_route_samplers(data: Any, samplers: Mapping[str, Any], *, seeds: Iterable[int] = (0,),
                           epochs: int = 100, num_neg: int = 5, region_key: str = "region",
                           radius_km: float = 300.0, eval_num_neg: int = 20,
                           trainer_kwargs: Optional[Dict[str, Any]] = None,
                           progress: Optional[Any] = None) -> pd.DataFrame:
    r"""Train link prediction with each sampler on shared splits; score both protocols.

    Per seed one split (10% validation for model selection, 10% untouched test) and
    one set of evaluation negatives per protocol are drawn and shared by every sampler
    and baseline: ``uniform`` (:func:`graphneg.protocols.uniform_eval_negatives`) and
    ``nearby`` (:func:`graphneg.analysis.geo.nearby_eval_negatives`: non-routes of the
    anchor within ``radius_km`` of the true destination).

    Parameters
    ----------
    data : Data
        A location graph with ``lat``, ``lon`` and ``region_key`` attributes.
    samplers : mapping label -> (name, kwargs)
        Each value is a ``(registry name, kwargs)`` pair, e.g.
        ``{"uniform": ("uniform", {}), "spatial τ=200": ("spatial", {"tau_km": 200})}``.
    seeds : iterable of int
        One split and one training run per seed and sampler.
    epochs, num_neg : int
    region_key : str
        Node attribute with region labels for :func:`same_region_similarity`.
    radius_km : float
        Radius of the nearby protocol and of the Moran's I neighbourhood.
    eval_num_neg : int
        Evaluation negatives per test positive under each protocol.
    trainer_kwargs : dict, optional
        Passed to :class:`graphneg.training.LinkPredictionTrainer`.
    progress : callable, optional
        Called with a short text after each finished run.

    Returns
    -------
    pandas.DataFrame
        One row per (method, seed): ``sampler``, ``kind`` (``sampler`` | ``heuristic``),
        ``seed``, ``test_auc``, ``test_ap``, ``test_mrr``, ``test_hits@10`` (uniform),
        ``nearby_*`` (nearby), and for trained samplers ``eta`` and
        ``hard_negative_rate`` (medians over epochs), ``best_epoch``, ``morans_i``
        (:func:`~graphneg.analysis.geo.embedding_morans_i`), the
        :func:`same_region_similarity` columns, ``mean_neg_distance_km`` and
        ``nearby_within_radius``. ``attrs["history"]`` holds the per-epoch rows and
        ``attrs["embeddings"]`` the embeddings of each sampler's first seed.

    Notes
    -----
    Cost: ``len(seeds) · len(samplers)`` trainings of ``epochs`` full-batch steps.

    Examples
    --------
    >>> from graphneg.datasets import us_airport_routes
    >>> df = compare_route_samplers(us_airport_routes(), {"uniform": ("uniform", {})}, epochs=1)
    >>> df[df.kind == "sampler"][["sampler", "seed"]].values.tolist()
    [['uniform', 0]]
    """
    from graphneg.samplers import get_sampler, haversine_km
    from graphneg.training import LinkPredictionTrainer

    from ..baselines import heuristic_baselines, protocol_metrics
    from ..geo import embedding_morans_i, geo_baselines, nearby_eval_negatives
    from ._paired import prepare_split, score_trained

    owner = "compare_route_samplers"
    n = int(data.num_nodes)
    missing = [k for k in ("lat", "lon") if getattr(data, k, None) is None]
    if missing:
        raise ValueError(f"The 'data' parameter of {owner} must be a location graph with "
                         f"lat and lon node attributes. Got none for {', '.join(missing)}.")
    region = getattr(data, region_key, None)
    if not isinstance(region, torch.Tensor) or region.dim() != 1 or region.numel() != n:
        raise ValueError(f"The 'region_key' parameter of {owner} must name a node attribute "
                         f"of data with one region label per node ({n}). Got {region_key!r} "
                         f"instead; data has {sorted(data.keys())}.")
    rows, history, embeddings = [], [], {}
    lat, lon = torch.as_tensor(data.lat), torch.as_tensor(data.lon)
    for seed in seeds:
        paired = prepare_split(data, seed, num_neg=eval_num_neg, protocols=("uniform",),
                               baselines=None)
        paired.negatives["nearby"], within = nearby_eval_negatives(
            data.edge_index, paired.test_pos, lat, lon, radius_km=radius_km,
            num_neg=eval_num_neg, seed=seed)
        train_ei = paired.split[0].edge_index
        base = heuristic_baselines(train_ei, n, paired.test_pos, paired.negatives, seed=seed)
        for name, score in geo_baselines(train_ei, lat, lon, n).items():
            base[name] = protocol_metrics(score, paired.test_pos, paired.negatives)
        for name, metrics in base.items():
            rows.append({"sampler": name, "kind": "heuristic", "seed": seed, **metrics,
                         "nearby_within_radius": within})
        for label, (name, kw) in samplers.items():
            tic = time.perf_counter()
            sampler = get_sampler(name, num_neg=num_neg, seed=seed, on_impossible="drop", **kw)
            trainer = LinkPredictionTrainer(paired.split, sampler=sampler, epochs=epochs,
                                            seed=seed, verbose=False, **(trainer_kwargs or {}))
            hist = trainer.fit()
            test = score_trained(trainer, paired)
            z = trainer.embeddings()
            embeddings.setdefault(label, z)
            out = sampler(trainer._train_data, exclude_edge_index=trainer._exclude)
            neg = out.edge_label_index[:, out.edge_label == 0]
            dist = haversine_km(lat[neg[0]], lon[neg[0]], lat[neg[1]], lon[neg[1]])
            history += [{"sampler": label, "seed": seed, **r} for r in hist.to_dict("records")]
            rows.append({"sampler": label, "kind": "sampler", "seed": seed, **test,
                         "eta": float(hist["eta"].median()),
                         "hard_negative_rate": float(hist["hard_negative_rate"].median()),
                         "best_epoch": trainer.best_epoch,
                         "morans_i": embedding_morans_i(z, lat, lon, radius_km=radius_km),
                         **same_region_similarity(z, region),
                         "mean_neg_distance_km": float(dist.mean()),
                         "nearby_within_radius": within,
                         "run_time_s": time.perf_counter() - tic})
            if progress:
                progress(f"{label} × seed {seed}: test AUC {test['test_auc']:.3f}, "
                         f"nearby AUC {test['nearby_auc']:.3f}")
    df = pd.DataFrame(rows)
    df.attrs["history"] = pd.DataFrame(history)
    df.attrs["embeddings"] = embeddings
    return df


@checked_params
def monte_carlo_bias_check(data: Any, z: Tensor, tau_km: float, exact_bias: Tensor, *,
                           num_draws: int = 1000) -> Dict[str, float]:
    r"""z-scores of the sampled gradient bias against the exact one, at temperature ``τ``.

    Draws ``num_draws`` spatial (seed 0) and uniform (seed 1) negatives for every node as
    anchor and compares :math:`\bar g_q - \bar g_{unif}` with ``exact_bias`` coordinate by
    coordinate (module docstring).

    Parameters
    ----------
    data : Data
        ``edge_index``, ``num_nodes``, ``lat``, ``lon``.
    z : FloatTensor, shape (N, d)
    tau_km : float
    exact_bias : Tensor, shape (N, d)
        :func:`graphneg.analysis.geo.spatial_bias_per_anchor` ``(...).bias``.
    num_draws : int
        :math:`K`, negatives per anchor and sampler.

    Returns
    -------
    dict
        ``tau_km``, ``num_draws``, ``num_zscores`` (:math:`N d`), ``max_abs_zscore`` and
        ``share_abs_zscore_gt_3`` (0.0027 under a standard normal).

    Notes
    -----
    Cost :math:`O(N K d)` time and memory.
    """
    from graphneg.analysis.gradient_bias import negative_gradient
    from graphneg.samplers import SpatialNegativeSampler, UniformNegativeSampler

    n, k = data.num_nodes, num_draws
    pos = torch.stack([torch.arange(n), torch.arange(n)])
    q = SpatialNegativeSampler(k, tau_km=tau_km, seed=0).sample(
        data.edge_index, n, pos_edge_index=pos, lat=data.lat, lon=data.lon)
    r = UniformNegativeSampler(k, seed=1).sample(data.edge_index, n, pos_edge_index=pos)
    gq = negative_gradient(z, q).double().view(n, k, -1)
    gr = negative_gradient(z, r).double().view(n, k, -1)
    se = ((gq.var(1) + gr.var(1)) / k).sqrt().clamp_min(1e-12)
    zscore = ((gq.mean(1) - gr.mean(1)) - exact_bias) / se
    return {"tau_km": float(tau_km), "num_draws": int(k), "num_zscores": int(zscore.numel()),
            "max_abs_zscore": float(zscore.abs().max()),
            "share_abs_zscore_gt_3": float((zscore.abs() > 3).double().mean())}


@dataclass
class GeoStudy:
    """What :func:`run` returns.

    Attributes
    ----------
    training : DataFrame
        :func:`compare_route_samplers`, one row per method (sampler or baseline) and seed.
    effects : DataFrame
        :func:`graphneg.analysis.statistics.effects_table` of :data:`METRICS`: mean, 95%
        interval and paired difference against uniform per method.
    history : DataFrame
        One row per trained run and epoch (``loss``, ``val_auc``, ``eta``, ...).
    curve : DataFrame
        :func:`graphneg.analysis.geo.spatial_bias_curve` with the Monte Carlo check's
        ``mc_check_tau_km``, ``mc_max_abs_zscore``, ``mc_share_abs_zscore_gt_3``.
    bias : DataFrame
        One row per airport at the checked ``τ``: ``lat``, ``lon``, ``relative_bias``
        (``‖b(u)‖ / ‖E_unif g⁻‖``).
    decay : DataFrame
        :func:`graphneg.analysis.geo.distance_decay` of the routes and of each sampler's
        first-seed embeddings.
    check : dict
        :func:`monte_carlo_bias_check`.
    data : Data
        The route graph (for maps).
    settings : dict
        ``radius_km``, ``eval_num_neg``, ``graph`` (its name).
    """

    training: pd.DataFrame
    effects: pd.DataFrame
    history: pd.DataFrame
    curve: pd.DataFrame
    bias: pd.DataFrame
    decay: pd.DataFrame
    check: Dict[str, float] = field(default_factory=dict)
    data: Any = None
    settings: Dict[str, Any] = field(default_factory=dict)

    def tables(self) -> Dict[str, pd.DataFrame]:
        """The tables written as CSV."""
        return {"geo_training": self.training, "geo_effects": self.effects,
                "geo_history": self.history, "geo_bias_curve": self.curve,
                "geo_distance_decay": self.decay}

    def findings(self) -> List[str]:
        """Sentences computed from the effects (see :func:`geo_findings`)."""
        return geo_findings(self.effects, self.training, self.history, self.settings)

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text: findings, protocols, link prediction, autocorrelation, bias."""
        from ._effects import interval_table

        c, st = self.check, self.settings
        mc = (f"Monte Carlo check at τ={c['tau_km']:g} km, {c['num_draws']} draws per anchor: "
              f"{c['num_zscores']} (anchor, coordinate) z-scores of b_MC − b_exact, max |z| = "
              f"{c['max_abs_zscore']:.2f}, share |z| > 3 = {c['share_abs_zscore_gt_3']:.4f} "
              f"(normal: 0.0027).")
        curve = self.curve[[col for col in self.curve if not col.startswith("mc_")]]
        curve = curve[["tau_km", "relative_bias_mean", "relative_bias_median",
                       "mean_distance_km"] + [col for col in curve
                                              if col.startswith("confounding_")]]
        curve = curve.rename(columns=lambda col: {
            "tau_km": "τ km", "relative_bias_mean": "rel. bias mean",
            "relative_bias_median": "rel. bias median", "mean_distance_km": "E d km"}.get(
                col, col.replace("confounding_", "CI ")))
        seeds = sorted(self.training["seed"].unique().tolist())
        within = float(self.training["nearby_within_radius"].mean())
        protocol = (
            f"Graph: {st.get('graph', 'the route graph')}. Per seed ({len(seeds)} seeds) one "
            "split (80% training, 10% validation: the best-validation epoch is kept, 10% "
            f"test, untouched until the end) and {st.get('eval_num_neg', 20)} evaluation "
            "negatives per test route under each protocol, shared by every sampler and "
            "baseline. **uniform**: the route's first airport with uniformly drawn "
            "airports it has no route to. **nearby**: airports within "
            f"{st.get('radius_km', 300):g} km of the true destination that the first "
            f"airport has no route to ({within:.1%} of them lie within the radius; the "
            "others are the nearest non-routes beyond it). No evaluation negative is a "
            "known route. Baselines with no learning (in italics in the tables, "
            "`heuristic:*` in the CSV files): CN, AA, RA, PA on the training routes, "
            "random, distance (nearer is likelier) and gravity (log degrees minus log "
            "distance). Intervals: 95% Student-t over "
            "seeds; Δ: paired difference against the uniform sampler (`*`: interval "
            "excludes 0).")
        lp = ("Uniform protocol:\n\n"
              + interval_table(self.effects, {"test_auc": "AUC", "test_mrr": "MRR"},
                               diff="test_auc")
              + "\n\nNearby protocol:\n\n"
              + interval_table(self.effects, {"nearby_auc": "AUC", "nearby_mrr": "MRR"},
                               diff="nearby_auc")
              + "\n\nTraining (medians over epochs; η: sampling efficiency, h_k: hard-negative "
                "rate, see `docs/design.md`):\n\n"
              + interval_table(self.effects[self.effects.sampler.isin(
                  self.training.loc[self.training.kind == "sampler", "sampler"])],
                  {"eta": "η", "hard_negative_rate": "h_k",
                   "mean_neg_distance_km": "neg. distance km"}))
        auto = ("Moran's I of the learned embeddings (mean over coordinates, neighbours "
                f"within {st.get('radius_km', 300):g} km; 0 = no spatial autocorrelation) and "
                "the gap between same-region and cross-region cosine similarity:\n\n"
                + interval_table(self.effects[self.effects.sampler.isin(
                    self.training.loc[self.training.kind == "sampler", "sampler"])],
                    {"morans_i": "Moran's I", "region_cos_gap": "region cos gap"},
                    diff="morans_i")
                + "\n\nDistance decay of the relation (share of airport pairs with a route "
                  "per distance bin) and of the first-seed embeddings (mean cosine):\n\n"
                + markdown_table(_decay_display(self.decay), digits=3))
        return [
            ("Findings", "\n".join(f"- {b}" for b in self.findings())),
            ("Evaluation protocols", protocol),
            ("Link prediction (mean [95% interval] over seeds)", lp),
            ("Spatial autocorrelation", auto),
            ("Gradient bias and confounding against τ",
             "Exact, at the embeddings of the first uniform-trained model: relative bias "
             "‖b(u)‖/‖E_unif g⁻‖ and confounding index S_q / S_uniform per region "
             "labelling.\n\n" + markdown_table(curve, digits=3) + "\n\n" + mc),
        ]


def _decay_display(decay: pd.DataFrame) -> pd.DataFrame:
    """The distance-decay table with short headings (the report stays narrow)."""
    out = pd.DataFrame({"km": [f"{lo:.0f}–{hi:.0f}" for lo, hi in
                               zip(decay.bin_low_km, decay.bin_high_km)],
                        "pairs": decay.pairs, "route density": decay.route_density})
    for col in [c for c in decay if c.startswith("cos_")]:
        out["cos " + col[4:].replace("spatial ", "").replace(" km", "")] = decay[col]
    return out


def geo_findings(effects: pd.DataFrame, runs: pd.DataFrame, history: pd.DataFrame,
                 settings: Mapping[str, Any]) -> List[str]:
    r"""Findings of the geo study, each computed from the measured effects.

    A difference is a win or a loss only when its paired 95% interval excludes 0. The
    sentences: whether the model learns (validation AUC of the first and the best
    epoch), the winner per protocol (:func:`graphneg.analysis.findings.write_findings`),
    the protocol reversal when the spatial sampler loses under one protocol and wins
    under the other (with the distance baseline that explains it), and the spatial
    autocorrelation of the embeddings.

    Examples
    --------
    >>> from graphneg.analysis.statistics import effects_table
    >>> runs = pd.DataFrame({"graph": "g", "sampler": ["uniform"] * 2 + ["spatial"] * 2,
    ...                      "kind": "sampler", "seed": [0, 1] * 2,
    ...                      "test_auc": [0.8, 0.81, 0.7, 0.72],
    ...                      "nearby_auc": [0.6, 0.62, 0.7, 0.71]})
    >>> eff = effects_table(runs, ["test_auc", "nearby_auc"])
    >>> any("reverses" in f for f in geo_findings(eff, runs, pd.DataFrame(), {}))
    True
    """
    from ..findings import write_findings
    from ..statistics import format_interval
    from ._effects import effect_of

    def fmt(r, diff=False):
        if diff:
            return format_interval(r["diff_vs_uniform"], r["diff_ci_low"], r["diff_ci_high"])
        return format_interval(r["mean"], r["ci_low"], r["ci_high"])

    out: List[str] = []
    if not history.empty and "val_auc" in history:
        first = history[history.epoch == history.epoch.min()].groupby("sampler")["val_auc"]
        best = history.groupby(["sampler", "seed"])["val_auc"].max().groupby("sampler")
        parts = [f"{m} {first.mean()[m]:.3f} → {best.mean()[m]:.3f}" for m in first.mean().index]
        out.append("Every model learns: mean validation AUC at the first epoch → at the best "
                   "epoch, " + "; ".join(parts) + ".")
    graph = str(effects["graph"].iloc[0]) if "graph" in effects and len(effects) else "g"
    out += write_findings(effects, {graph: "learnable"},
                          protocols={"uniform": "test_auc", "nearby": "nearby_auc"},
                          chance={"test_auc": 0.5, "nearby_auc": 0.5})
    samplers = [m for m in dict.fromkeys(runs.loc[runs.get("kind", "sampler") == "sampler",
                                                  "sampler"]) if m != "uniform"]
    dist = effect_of(effects, "heuristic:distance", "test_auc")
    for m in samplers:
        u, h = effect_of(effects, m, "test_auc"), effect_of(effects, m, "nearby_auc")
        if u is None or h is None or not (u["measurable"] and h["measurable"]):
            continue
        if (u["diff_vs_uniform"] < 0) != (h["diff_vs_uniform"] < 0):
            text = (f"The protocol reverses the verdict on {m}: against uniform negatives it "
                    f"changes AUC by {fmt(u, True)}, against nearby non-routes by "
                    f"{fmt(h, True)}.")
            if dist is not None:
                dn = effect_of(effects, "heuristic:distance", "nearby_auc")
                text += (f" Uniform negatives are mostly far away: distance alone scores AUC "
                         f"{fmt(dist)} on them" + (f" but {fmt(dn)} on nearby ones" if dn is
                                                   not None else "")
                         + ". Near negatives teach what separates a route from a near "
                           "non-route, which only the nearby protocol asks for; the uniform "
                           "protocol rewards the distance signal that uniform training "
                           "negatives teach.")
            out.append(text)
    best_val = (history.groupby(["sampler", "seed"])["val_auc"].max().groupby("sampler").mean()
                if not history.empty and "val_auc" in history else pd.Series(dtype=float))
    for m in samplers:
        u, h = effect_of(effects, m, "test_auc"), effect_of(effects, m, "nearby_auc")
        if u is None or h is None or not (u["measurable"] and h["measurable"]) or \
                u["diff_vs_uniform"] > 0 or h["diff_vs_uniform"] > 0:
            continue
        text = (f"Against the naive expectation, {m} loses under both protocols, the nearby one "
                f"included (Δ AUC {fmt(u, True)} uniform, {fmt(h, True)} nearby).")
        if m in best_val and "uniform" in best_val:
            text += (f" Its model learns less: best validation AUC {best_val[m]:.3f} against "
                     f"{best_val['uniform']:.3f} with uniform negatives.")
        kd, ku = effect_of(effects, m, "mean_neg_distance_km"), effect_of(
            effects, "uniform", "mean_neg_distance_km")
        hk, hu = effect_of(effects, m, "hard_negative_rate"), effect_of(
            effects, "uniform", "hard_negative_rate")
        if kd is not None and hk is not None and ku is not None and hu is not None:
            text += (f" Its negatives are near ({fmt(kd)} km vs {fmt(ku)}) and share a neighbour "
                     f"with the anchor more often (h_k {fmt(hk)} vs {fmt(hu)}): pairs a GCN's "
                     "neighbourhood smoothing already embeds alike, so they teach little that "
                     "generalises.")
        dn = effect_of(effects, "heuristic:distance", "nearby_auc")
        pa = effect_of(effects, "heuristic:pa", "nearby_auc")
        if dn is not None and pa is not None:
            text += (f" Among nearby non-routes distance carries no signal (distance AUC "
                     f"{fmt(dn)}) while airport size does (preferential attachment {fmt(pa)}): "
                     "what wins the hard protocol here is popularity, which uniform negatives "
                     "teach as well.")
        out.append(text)
    for m in samplers:
        r = effect_of(effects, m, "morans_i")
        if r is None:
            continue
        ref = effect_of(effects, "uniform", "morans_i")
        verdict = ("measurably " + ("more" if r["diff_vs_uniform"] > 0 else "less")
                   if r["measurable"] else "not measurably differently")
        out.append(f"Moran's I of the embeddings with {m}: {fmt(r)} (uniform "
                   f"{fmt(ref) if ref is not None else 'n/a'}); spatially autocorrelated "
                   f"{verdict} than with uniform negatives (Δ {fmt(r, True)}).")
    return out


@checked_params
def run(data: Any = None, *, seeds: Sequence[int] = (0, 1, 2, 3, 4), epochs: int = 100,
        num_neg: int = 5,
        taus: Sequence[float] = (50, 100, 200, 500, 1000, 2000, 5000, 20000),
        train_taus: Sequence[float] = (200, 1000), mc_draws: int = 1000,
        radius_km: float = 300.0, eval_num_neg: int = 20,
        decay_bins_km: Sequence[float] = (0, 100, 200, 400, 800, 1600, 3200, 6400, 20100),
        progress: bool = True) -> GeoStudy:
    r"""Training with uniform and spatial negatives, then the exact bias curve and its check.

    Parameters
    ----------
    data : Data, optional
        A location graph with ``lat``, ``lon``, ``state``, ``region``; default
        :func:`graphneg.datasets.us_airport_routes`.
    seeds : sequence of int
        Seeds of the splits and runs; the first seed's uniform model gives the
        embeddings the gradients are evaluated at.
    epochs, num_neg : int
    taus : sequence of float
        Temperatures (km) of the bias / confounding curve.
    train_taus : sequence of float
        Temperatures of the trained spatial samplers; the first is checked by Monte Carlo.
    mc_draws : int
        Negatives per anchor in the Monte Carlo check.
    radius_km : float
        Radius of the nearby protocol and of the Moran's I neighbourhood.
    eval_num_neg : int
        Evaluation negatives per test route and protocol.
    decay_bins_km : sequence of float
        Distance bins of the distance-decay table.
    progress : bool
        One line per finished run on stderr, with an ETA.

    Returns
    -------
    GeoStudy

    Notes
    -----
    Cost: ``len(seeds) · (1 + len(train_taus))`` training runs, two exact
    :math:`O(N^2 d)` passes per ``τ`` and labelling, and :math:`O(N K d)` for the check.

    Examples
    --------
    >>> res = run(seeds=[0], epochs=1, taus=[1e9], train_taus=[200], mc_draws=10,
    ...           progress=False)
    >>> round(float(res.curve["confounding_state"].iloc[0]), 3)
    1.0
    >>> list(res.training[res.training.kind == "sampler"].sampler)
    ['uniform', 'spatial τ=200 km']
    """
    from graphneg.datasets import us_airport_routes

    from ..geo import distance_decay
    from ..statistics import effects_table
    from ._progress import Progress

    if data is None:
        data = us_airport_routes()
    seeds = list(seeds)
    samplers = {"uniform": ("uniform", {})}
    for tau in train_taus:
        samplers[f"spatial τ={tau:g} km"] = ("spatial", {"tau_km": tau})
    bar = Progress("geo", len(seeds) * len(samplers), enabled=progress)
    # h_k on 5000 of the epoch's ~24,000 negatives (standard error <= 0.007 per epoch; the
    # tables report its median over epochs): a tenth of the run time saved
    train = compare_route_samplers(data, samplers, seeds=seeds, epochs=epochs, num_neg=num_neg,
                                   radius_km=radius_km, eval_num_neg=eval_num_neg,
                                   trainer_kwargs={"diagnostics_max_pairs": 5000},
                                   progress=bar.step)
    history, embeddings = train.attrs.pop("history"), train.attrs.pop("embeddings")
    graph = "US airport routes" if getattr(data, "iata", None) is not None else "location graph"
    runs = train.assign(graph=graph)
    effects = effects_table(runs, [m for m in METRICS if m in runs], reference="uniform")

    z = embeddings["uniform"]  # the first seed's uniform model: where gradients are evaluated
    curve = spatial_bias_curve(data, z, taus, regions={"state": data.state,
                                                       "census_region": data.region})
    tau = train_taus[0]
    exact = spatial_bias_per_anchor(data, z, tau)
    check = monte_carlo_bias_check(data, z, tau, exact.bias, num_draws=mc_draws)
    curve["mc_check_tau_km"] = tau
    curve["mc_max_abs_zscore"] = check["max_abs_zscore"]
    curve["mc_share_abs_zscore_gt_3"] = check["share_abs_zscore_gt_3"]
    bar.note(f"bias curve over {len(taus)} temperatures and Monte Carlo check done")
    bias = pd.DataFrame({"lat": torch.as_tensor(data.lat).numpy(),
                         "lon": torch.as_tensor(data.lon).numpy(),
                         "relative_bias": exact.relative_norm.numpy()})
    decay = distance_decay(data, decay_bins_km, z=embeddings)
    return GeoStudy(train, effects, history, curve, bias, decay, check, data,
                    {"radius_km": radius_km, "eval_num_neg": eval_num_neg, "graph": graph})
