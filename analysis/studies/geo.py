r"""Spatial negatives on the US airport route graph: training runs, gradient bias, confounding.

:func:`run` trains link prediction with the uniform sampler and the spatial sampler
:math:`q_\tau(n \mid u) \propto \exp(-d(u, n) / \tau)` at a few temperatures
(:func:`compare_route_samplers`), then, at the embeddings of a uniform-trained model,
measures the exact gradient bias :math:`b_\tau(u) = E_{q_\tau}[g^-] - E_{unif}[g^-]` and
the confounding index against :math:`\tau`
(:func:`graphneg.analysis.geo.spatial_bias_curve`), and checks the exact bias at one
:math:`\tau` against sampled negatives: per anchor and coordinate,
:math:`z = (\bar g_q - \bar g_{unif} - b_\tau(u)) / \mathrm{se}`, with
:math:`\mathrm{se}^2 = (\mathrm{Var}_q + \mathrm{Var}_{unif}) / K` over :math:`K` draws.

It returns tables only; ``graphneg geo`` draws and writes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import pandas as pd
import torch
from torch import Tensor

from ..geo import same_region_similarity, spatial_bias_curve, spatial_bias_per_anchor
from ..report import markdown_table

__all__ = ["GeoStudy", "compare_route_samplers", "monte_carlo_bias_check", "run"]


def compare_route_samplers(data: Any, samplers: Mapping[str, Any], *, seeds: Iterable[int] = (0,),
                           epochs: int = 100, num_neg: int = 5, region_key: str = "region",
                           trainer_kwargs: Optional[Dict[str, Any]] = None,
                           progress: Optional[Any] = None) -> pd.DataFrame:
    r"""Train link prediction with each sampler and report test metrics and embedding geometry.

    Parameters
    ----------
    data : Data
        A location graph with ``lat``, ``lon`` and ``region_key`` attributes.
    samplers : mapping label -> (name, kwargs)
        Each value is a ``(registry name, kwargs)`` pair, e.g.
        ``{"uniform": ("uniform", {}), "spatial τ=200": ("spatial", {"tau_km": 200})}``.
    seeds : iterable of int
        One training run per seed (same split per seed across samplers).
    epochs, num_neg : int
    region_key : str
        Node attribute with region labels for :func:`same_region_similarity`.
    trainer_kwargs : dict, optional
        Passed to :class:`graphneg.training.LinkPredictionTrainer`.
    progress : callable, optional
        Wraps the iterator over seeds (e.g. ``tqdm``).

    Returns
    -------
    pandas.DataFrame
        One row per (sampler, seed): ``sampler``, ``seed``, test ``auc``, ``ap``,
        ``mrr``, ``hits@10``, the :func:`same_region_similarity` columns and
        ``mean_neg_distance_km`` (mean distance of the last epoch's training negatives).

    Notes
    -----
    Coordinates reach the sampler through the training ``Data`` (node attributes
    ``lat``/``lon``), cost: ``epochs`` full-batch steps per run.

    Examples
    --------
    >>> from graphneg.datasets import us_airport_routes
    >>> df = compare_route_samplers(us_airport_routes(), {"uniform": ("uniform", {})}, epochs=1)
    >>> df[["sampler", "seed"]].values.tolist()
    [['uniform', 0]]
    """
    from graphneg.samplers import get_sampler, haversine_km
    from graphneg.training import LinkPredictionTrainer

    rows = []
    region = getattr(data, region_key)
    seeds = list(seeds)
    for seed in (progress(seeds) if progress else seeds):
        for label, spec in samplers.items():
            name, kw = spec
            sampler = get_sampler(name, num_neg=num_neg, seed=seed, on_impossible="drop", **kw)
            trainer = LinkPredictionTrainer(data, sampler=sampler, epochs=epochs, seed=seed,
                                            verbose=False, **(trainer_kwargs or {}))
            trainer.fit()
            test = trainer.test()
            z = trainer.embeddings()
            out = sampler(trainer._train_data, exclude_edge_index=trainer._exclude)
            neg = out.edge_label_index[:, out.edge_label == 0]
            lat, lon = torch.as_tensor(data.lat), torch.as_tensor(data.lon)
            dist = haversine_km(lat[neg[0]], lon[neg[0]], lat[neg[1]], lon[neg[1]])
            rows.append({"sampler": label, "seed": seed, **test,
                         **same_region_similarity(z, region),
                         "mean_neg_distance_km": float(dist.mean())})
    return pd.DataFrame(rows)


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
        :func:`compare_route_samplers`, one row per sampler and seed.
    summary : DataFrame
        Mean and sd over seeds per sampler.
    curve : DataFrame
        :func:`graphneg.analysis.geo.spatial_bias_curve` with the Monte Carlo check's
        ``mc_check_tau_km``, ``mc_max_abs_zscore``, ``mc_share_abs_zscore_gt_3``.
    bias : DataFrame
        One row per airport at the checked ``τ``: ``lat``, ``lon``, ``relative_bias``
        (``‖b(u)‖ / ‖E_unif g⁻‖``).
    check : dict
        :func:`monte_carlo_bias_check`.
    data : Data
        The route graph (for maps).
    """

    training: pd.DataFrame
    summary: pd.DataFrame
    curve: pd.DataFrame
    bias: pd.DataFrame
    check: Dict[str, float] = field(default_factory=dict)
    data: Any = None

    def tables(self) -> Dict[str, pd.DataFrame]:
        """The tables written as CSV (``geo_training``, ``geo_training_summary``,
        ``geo_bias_curve``)."""
        return {"geo_training": self.training, "geo_training_summary": self.summary,
                "geo_bias_curve": self.curve}

    def sections(self) -> List[Tuple[str, str]]:
        """The report's text: training summary, bias curve and the Monte Carlo check."""
        c = self.check
        mc = (f"Monte Carlo check at τ={c['tau_km']:g} km, {c['num_draws']} draws per anchor: "
              f"{c['num_zscores']} (anchor, coordinate) z-scores of b_MC − b_exact, max |z| = "
              f"{c['max_abs_zscore']:.2f}, share |z| > 3 = {c['share_abs_zscore_gt_3']:.4f} "
              f"(normal: 0.0027).")
        curve = self.curve[[col for col in self.curve if not col.startswith("mc_")]]
        return [
            ("Link prediction (mean ± sd over seeds)",
             "Test metrics of link prediction trained with each sampler, and how alike the "
             "embeddings of same-region airports become.\n\n"
             + markdown_table(self.summary, index=True, digits=3)),
            ("Gradient bias and confounding against τ",
             "Exact, at the embeddings of a uniform-trained model: relative bias "
             "‖b(u)‖/‖E_unif g⁻‖ and confounding index S_q / S_uniform per region "
             "labelling.\n\n" + markdown_table(curve) + "\n\n" + mc),
        ]


def run(data: Any = None, *, seeds: Sequence[int] = (0, 1, 2), epochs: int = 100,
        num_neg: int = 5,
        taus: Sequence[float] = (50, 100, 200, 500, 1000, 2000, 5000, 20000),
        train_taus: Sequence[float] = (200, 1000), mc_draws: int = 1000,
        progress: bool = True) -> GeoStudy:
    r"""Training with uniform and spatial negatives, then the exact bias curve and its check.

    Parameters
    ----------
    data : Data, optional
        A location graph with ``lat``, ``lon``, ``state``, ``region``; default
        :func:`graphneg.datasets.us_airport_routes`.
    seeds : sequence of int
        Training seeds; the first also seeds the uniform model whose embeddings the
        gradients are evaluated at.
    epochs, num_neg : int
    taus : sequence of float
        Temperatures (km) of the bias / confounding curve.
    train_taus : sequence of float
        Temperatures of the trained spatial samplers; the first is checked by Monte Carlo.
    mc_draws : int
        Negatives per anchor in the Monte Carlo check.
    progress : bool
        A progress bar over the training seeds.

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
    >>> round(float(res.curve["confounding_state"].iloc[0]), 3), list(res.training.sampler)
    (1.0, ['uniform', 'spatial τ=200 km'])
    """
    from graphneg.datasets import us_airport_routes
    from graphneg.training import LinkPredictionTrainer

    if data is None:
        data = us_airport_routes()
    samplers = {"uniform": ("uniform", {})}
    for tau in train_taus:
        samplers[f"spatial τ={tau:g} km"] = ("spatial", {"tau_km": tau})
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = lambda seeds: tqdm(seeds, desc="geo: training seeds")  # noqa: E731
    train = compare_route_samplers(data, samplers, seeds=seeds, epochs=epochs, num_neg=num_neg,
                                   progress=bar)
    summary = train.drop(columns="seed").groupby("sampler", sort=False).agg(["mean", "std"])

    # embeddings of a uniform-trained model: where gradients are evaluated
    trainer = LinkPredictionTrainer(data, epochs=epochs, seed=seeds[0], verbose=False,
                                    num_neg=num_neg)
    trainer.fit()
    z = trainer.embeddings()
    curve = spatial_bias_curve(data, z, taus, regions={"state": data.state,
                                                       "census_region": data.region})
    tau = train_taus[0]
    exact = spatial_bias_per_anchor(data, z, tau)
    check = monte_carlo_bias_check(data, z, tau, exact.bias, num_draws=mc_draws)
    curve["mc_check_tau_km"] = tau
    curve["mc_max_abs_zscore"] = check["max_abs_zscore"]
    curve["mc_share_abs_zscore_gt_3"] = check["share_abs_zscore_gt_3"]
    bias = pd.DataFrame({"lat": torch.as_tensor(data.lat).numpy(),
                         "lon": torch.as_tensor(data.lon).numpy(),
                         "relative_bias": exact.relative_norm.numpy()})
    return GeoStudy(train, summary, curve, bias, check, data)
