r"""What spatial negative sampling does to learning on a location graph.

For embeddings ``z`` of places with coordinates, the spatial sampler
``q_τ(n|u) ∝ exp(−d(u,n)/τ)`` (:class:`~graphneg.samplers.SpatialNegativeSampler`)
is compared with uniform sampling over the same valid candidates ``C(u)``:

* **gradient bias** ``b_τ(u) = E_{q_τ}[g⁻] − E_unif[g⁻]`` with ``g⁻ = σ(z_u·z_n) z_n``,
  reported as mean ``‖b‖`` and mean / median ``‖b‖ / ‖E_unif g⁻‖`` over anchors;
* **confounding index** ``CI_τ = S_{q_τ} / S_unif``, the same-region share of
  expected negative-gradient mass (``docs/design.md``), for each region labelling given.

Both are exact (every candidate enumerated, chunked) via
:mod:`graphneg.analysis.gradient_bias`; :func:`spatial_bias_curve` sweeps ``τ``.
:func:`compare_route_samplers` (in :mod:`graphneg.analysis.studies.geo`, importable
from here) trains link prediction with several samplers and reports test AUC/AP/MRR
and how similar the embeddings of same-region places become.
Plots take ``ax=None`` and return the Axes.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from graphneg._validation import check_embeddings
from .gradient_bias import confounding_index, gradient_bias, sampler_log_q, uniform_log_q
from .studies import forward_names

__all__ = ["spatial_bias_curve", "spatial_bias_per_anchor", "same_region_similarity",
           "plot_bias_vs_tau", "plot_confounding_vs_tau", "plot_bias_map"]


def _spatial_log_q(data: Any, tau_km: float, k_nearest: Optional[int] = None):
    from graphneg.samplers import SpatialNegativeSampler

    s = SpatialNegativeSampler(tau_km=tau_km, k_nearest=k_nearest)
    return sampler_log_q(s, data.edge_index, data.num_nodes, lat=data.lat, lon=data.lon)


def spatial_bias_per_anchor(data: Any, z: Tensor, tau_km: float, *,
                            chunk_size: int = 4096):
    r"""Exact per-anchor gradient bias of the spatial sampler at ``τ`` vs uniform.

    Parameters
    ----------
    data : Data
        ``edge_index``, ``num_nodes``, ``lat``, ``lon`` (degrees).
    z : FloatTensor, shape (N, d)
    tau_km : float > 0
    chunk_size : int

    Returns
    -------
    GradientBias
        Per-anchor ``bias`` (N, d), ``norm`` (N,), ``relative_norm`` (N,).

    Notes
    -----
    Cost ``O(N² d)`` time, ``O(256 · chunk_size)`` memory.

    Examples
    --------
    >>> from graphneg.datasets import us_airport_routes
    >>> data = us_airport_routes()
    >>> z = torch.randn(data.num_nodes, 8, generator=torch.Generator().manual_seed(0))
    >>> out = spatial_bias_per_anchor(data, z, 1e9)   # τ → ∞ is uniform: no bias
    >>> float(out.norm.max()) < 1e-6
    True
    """
    z = check_embeddings(z, "z", num_rows=data.num_nodes, owner="spatial_bias_per_anchor")
    return gradient_bias(z, _spatial_log_q(data, tau_km), uniform_log_q(data.edge_index,
                                                                        data.num_nodes),
                         chunk_size=chunk_size)


def spatial_bias_curve(data: Any, z: Tensor, taus_km: Sequence[float], *,
                       regions: Optional[Mapping[str, Tensor]] = None,
                       chunk_size: int = 4096) -> pd.DataFrame:
    r"""Gradient bias and confounding index of the spatial sampler as ``τ`` varies.

    Parameters
    ----------
    data : Data
        ``edge_index``, ``num_nodes``, ``lat``, ``lon``.
    z : FloatTensor, shape (N, d)
        Embeddings at which gradients are evaluated (e.g. a trained model's).
    taus_km : sequence of float > 0
    regions : mapping name -> LongTensor (N,), optional
        Region labellings for the confounding index; default
        ``{"region": data.region}`` if present.
    chunk_size : int

    Returns
    -------
    pandas.DataFrame
        One row per ``τ``: ``tau_km``, ``bias_norm_mean``, ``relative_bias_mean``,
        ``relative_bias_median``, ``mean_distance_km`` (expected distance to a
        negative under ``q_τ``), ``uniform_distance_km``, and per labelling ``name``:
        ``confounding_<name>``, ``same_share_<name>``, ``same_share_uniform_<name>``.

    Notes
    -----
    Exact: each ``τ`` costs two ``O(N² d)`` passes per labelling.

    Examples
    --------
    >>> from graphneg.datasets import us_airport_routes
    >>> data = us_airport_routes()
    >>> z = torch.randn(data.num_nodes, 8, generator=torch.Generator().manual_seed(0))
    >>> df = spatial_bias_curve(data, z, [100.0, 1e9])
    >>> bool(df.confounding_region.iloc[0] > 2), round(float(df.confounding_region.iloc[1]), 3)
    (True, 1.0)
    """
    owner = "spatial_bias_curve"
    z = check_embeddings(z, "z", num_rows=data.num_nodes, owner=owner)
    if regions is None:
        regions = {"region": data.region} if getattr(data, "region", None) is not None else {}
    ref = uniform_log_q(data.edge_index, data.num_nodes)
    lat, lon = torch.as_tensor(data.lat).double(), torch.as_tensor(data.lon).double()
    rows = []
    for tau in taus_km:
        log_q = _spatial_log_q(data, tau)
        out = gradient_bias(z, log_q, ref, chunk_size=chunk_size)
        row: Dict[str, Any] = {
            "tau_km": float(tau),
            "bias_norm_mean": float(out.norm.mean()),
            "relative_bias_mean": float(out.relative_norm.mean()),
            "relative_bias_median": float(out.relative_norm.median()),
            "mean_distance_km": _expected_distance(log_q, lat, lon, data.num_nodes),
            "uniform_distance_km": _expected_distance(ref, lat, lon, data.num_nodes),
        }
        for name, lab in regions.items():
            ci = confounding_index(z, log_q, ref, region=lab, chunk_size=chunk_size)
            row[f"confounding_{name}"] = ci.index
            row[f"same_share_{name}"] = ci.share
            row[f"same_share_uniform_{name}"] = ci.share_ref
        rows.append(row)
    return pd.DataFrame(rows)


def _expected_distance(log_q, lat, lon, num_nodes, batch: int = 512) -> float:
    """Mean over anchors of ``E_q[d(u, n)]`` (km), exact, in anchor blocks."""
    from graphneg.samplers import haversine_km

    cand = torch.arange(num_nodes)
    total = 0.0
    for lo in range(0, num_nodes, batch):
        a = torch.arange(lo, min(lo + batch, num_nodes))
        p = torch.softmax(log_q(a, cand), 1)
        d = haversine_km(lat[a].view(-1, 1), lon[a].view(-1, 1), lat.view(1, -1),
                         lon.view(1, -1))
        total += float((p * d).sum())
    return total / num_nodes


def same_region_similarity(z: Tensor, region: Tensor) -> Dict[str, float]:
    r"""Mean cosine similarity of embeddings within and across regions.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    region : LongTensor, shape (N,)

    Returns
    -------
    dict
        ``same_region_cos`` (mean over unordered same-region pairs ``u ≠ n``),
        ``cross_region_cos``, and their difference ``region_cos_gap``.

    Notes
    -----
    ``O(N² d)``; a positive gap means places of one region are embedded alike.

    Examples
    --------
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]])
    >>> out = same_region_similarity(z, torch.tensor([0, 0, 1]))
    >>> round(out["same_region_cos"], 3), round(out["cross_region_cos"], 3)
    (0.995, 0.05)
    """
    z = check_embeddings(z, "z", owner="same_region_similarity").double()
    zn = z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)
    cos = zn @ zn.T
    same = region.view(-1, 1) == region.view(1, -1)
    off = ~torch.eye(z.size(0), dtype=torch.bool)
    s = float(cos[same & off].mean()) if bool((same & off).any()) else float("nan")
    c = float(cos[~same].mean()) if bool((~same).any()) else float("nan")
    return {"same_region_cos": s, "cross_region_cos": c, "region_cos_gap": s - c}


# ---------------------------------------------------------------- plots
def plot_bias_vs_tau(curve: pd.DataFrame, ax=None):
    """Mean and median relative gradient bias ``‖b‖/‖E_unif g⁻‖`` against ``τ`` (log x).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(5, 3.5)).gca()
    ax.plot(curve.tau_km, curve.relative_bias_mean, "o-", label="mean over anchors")
    ax.plot(curve.tau_km, curve.relative_bias_median, "s--", label="median over anchors")
    ax.set_xscale("log")
    ax.set_xlabel("temperature τ (km)")
    ax.set_ylabel("‖b(u)‖ / ‖E_uniform g⁻‖")
    ax.set_title("Gradient bias of spatial negatives vs uniform")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax


def plot_confounding_vs_tau(curve: pd.DataFrame, ax=None):
    """Confounding index (one line per region labelling) against ``τ`` (log-log).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(5, 3.5)).gca()
    for col in [c for c in curve.columns if c.startswith("confounding_")]:
        ax.plot(curve.tau_km, curve[col], "o-", label=col[len("confounding_"):])
    ax.axhline(1.0, color="grey", lw=1, ls=":", label="no confounding")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("temperature τ (km)")
    ax.set_ylabel("confounding index S_q / S_uniform")
    ax.set_title("Same-region share of negative-gradient mass")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="regions")
    return ax


def plot_bias_map(lat: Tensor, lon: Tensor, values: Tensor, ax=None, *,
                  label: str = "relative gradient bias", edge_index: Optional[Tensor] = None,
                  log_scale: bool = True, within: Optional[Tensor] = None):
    """Scatter map (longitude, latitude) coloured by a per-place value (e.g. ``‖b(u)‖``).

    Parameters
    ----------
    lat, lon, values : Tensor, shape (N,)
    ax : Axes, optional
    label : str
        Colour-bar label.
    edge_index : LongTensor, shape (2, E), optional
        Drawn as faint lines underneath.
    log_scale : bool, default True
        Logarithmic colour scale (used only when every value is positive).
    within : BoolTensor, shape (N,), optional
        Draw only these places and the edges between them (a map's view).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> lat, lon = torch.tensor([40.0, 35.0, 10.0]), torch.tensor([-100.0, -90.0, 0.0])
    >>> ax = plot_bias_map(lat, lon, torch.tensor([1.0, 2.0, 3.0]),
    ...                    edge_index=torch.tensor([[0, 1], [2, 0]]), within=lon < -60)
    >>> len(ax.collections[-1].get_offsets())
    2
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(7, 4)).gca()
    if within is not None:
        sub = torch.nonzero(torch.as_tensor(within)).view(-1)
        if edge_index is not None:
            remap = torch.full((len(within),), -1)
            remap[sub] = torch.arange(sub.numel())
            edge_index = remap[torch.as_tensor(edge_index)]
            edge_index = edge_index[:, (edge_index >= 0).all(0)]
        lat, lon, values = (torch.as_tensor(t)[sub] for t in (lat, lon, values))
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if edge_index is not None:
        from matplotlib.collections import LineCollection

        ei = np.asarray(edge_index)
        ei = ei[:, ei[0] < ei[1]]
        segs = np.stack([np.stack([lon[ei[0]], lat[ei[0]]], 1),
                         np.stack([lon[ei[1]], lat[ei[1]]], 1)], 1)
        ax.add_collection(LineCollection(segs, colors="grey", linewidths=0.2, alpha=0.15))
    from matplotlib.colors import LogNorm

    vals = np.asarray(values, dtype=float)
    norm = LogNorm() if log_scale and bool((vals > 0).all()) else None
    sc = ax.scatter(lon, lat, c=vals, s=14, cmap="viridis", edgecolors="none", norm=norm)
    ax.figure.colorbar(sc, ax=ax, label=label)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_aspect("equal", adjustable="datalim")
    return ax



# The training comparison lives in the geo study; importable from here,
# resolved on first use (the study imports this module: a top-level import would be a cycle).
__getattr__ = forward_names("geo", ("compare_route_samplers",), owner=__name__)
