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

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from graphneg._validation import check_embeddings, checked_params
from .gradient_bias import confounding_index, gradient_bias, sampler_log_q, uniform_log_q
from .studies import forward_names

__all__ = ["spatial_bias_curve", "spatial_bias_per_anchor", "same_region_similarity",
           "nearby_eval_negatives", "distance_matrix_km", "morans_i", "embedding_morans_i",
           "distance_decay", "geo_baselines", "plot_bias_vs_tau", "plot_confounding_vs_tau",
           "plot_bias_map", "plot_distance_decay", "plot_protocols"]


def _spatial_log_q(data: Any, tau_km: float, k_nearest: Optional[int] = None):
    from graphneg.samplers import SpatialNegativeSampler

    s = SpatialNegativeSampler(tau_km=tau_km, k_nearest=k_nearest)
    return sampler_log_q(s, data.edge_index, data.num_nodes, lat=data.lat, lon=data.lon)


@checked_params
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


@checked_params
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


@checked_params
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


@checked_params
def distance_matrix_km(lat: Tensor, lon: Tensor) -> Tensor:
    r"""Haversine distances between every pair of places, km.

    Parameters
    ----------
    lat, lon : Tensor, shape (N,)
        Degrees.

    Returns
    -------
    DoubleTensor, shape (N, N)

    Examples
    --------
    >>> d = distance_matrix_km(torch.tensor([0.0, 0.0]), torch.tensor([0.0, 1.0]))
    >>> round(float(d[0, 1]), 1)
    111.2
    """
    from graphneg.samplers import haversine_km

    lat, lon = torch.as_tensor(lat).double(), torch.as_tensor(lon).double()
    return haversine_km(lat.view(-1, 1), lon.view(-1, 1), lat.view(1, -1), lon.view(1, -1))


@checked_params
def nearby_eval_negatives(full_edge_index: Tensor, pos_edge_index: Tensor, lat: Tensor,
                          lon: Tensor, *, radius_km: float = 300.0, num_neg: int = 20,
                          seed: int = 0) -> Tuple[Tensor, float]:
    r"""The geographic hard protocol: non-routes of the anchor near the true destination.

    For a held-out route :math:`(u, v)` the candidates are the places :math:`n` with
    :math:`d(v, n) \le R` (``radius_km``) that :math:`u` has no route to in the full graph
    (:math:`n \ne u, v`); ``num_neg`` of them are drawn uniformly without replacement
    (seeded). When fewer than ``num_neg`` exist, the remaining slots take the nearest
    non-routes of :math:`v` beyond :math:`R`, so every positive gets ``num_neg``
    negatives. They are the answers a model that knows only geography gets wrong.

    Parameters
    ----------
    full_edge_index : LongTensor, shape (2, E)
        Every known route (training, validation, test; either direction).
    pos_edge_index : LongTensor, shape (2, P)
        Held-out routes, anchor first.
    lat, lon : Tensor, shape (N,)
    radius_km : float > 0
    num_neg : int
    seed : int

    Returns
    -------
    negatives : LongTensor, shape (2, P * num_neg)
        Negatives of positive ``p`` in columns ``p*K .. p*K+K-1``, anchor ``u`` in row 0.
    within : float
        Share of negatives with :math:`d(v, n) \le R`.

    Notes
    -----
    Cost :math:`O(P N)` time and memory.

    Examples
    --------
    >>> lat = torch.zeros(5); lon = torch.tensor([0.0, 10.0, 10.5, 11.0, 50.0])
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> neg, within = nearby_eval_negatives(ei, ei[:, :1], lat, lon, radius_km=200, num_neg=2)
    >>> sorted(neg[1].tolist()), within
    ([2, 3], 1.0)
    """
    from graphneg._validation import check_int, check_real
    from graphneg.edges import EdgeSet

    owner = "nearby_eval_negatives"
    num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
    check_real(radius_km, "radius_km", low=0, closed="neither", owner=owner)
    n = int(torch.as_tensor(lat).numel())
    if num_neg > n - 2:
        raise ValueError(f"{owner}: 'num_neg' must be at most num_nodes - 2 = {n - 2}. "
                         f"Got {num_neg} instead.")
    u, v = pos_edge_index
    dist = distance_matrix_km(lat, lon)[v]  # (P, N): from the true destination
    known = EdgeSet([full_edge_index, pos_edge_index], n, undirected=True)
    cand = torch.arange(n).expand(u.numel(), n)
    bad = known.contains(u.view(-1, 1).expand_as(cand).reshape(-1), cand.reshape(-1)).view(
        cand.shape) | (cand == u.view(-1, 1)) | (cand == v.view(-1, 1))
    gen = torch.Generator().manual_seed(int(seed))
    # key < 1: a random order inside the radius; 1 + d/max: nearest first beyond it
    key = torch.where(dist <= radius_km, torch.rand(dist.shape, generator=gen,
                                                     dtype=torch.float64),
                      1.0 + dist / dist.max().clamp_min(1e-12))
    key = key.masked_fill(bad, float("inf"))
    short = int(torch.isinf(key).sum(1).max()) > n - num_neg
    if short:
        raise ValueError(f"{owner}: a positive's anchor has fewer than num_neg={num_neg} "
                         "non-routes.")
    pick = key.topk(num_neg, dim=1, largest=False).indices
    within = float((dist.gather(1, pick) <= radius_km).double().mean())
    neg = torch.stack([u.view(-1, 1).expand_as(pick).reshape(-1), pick.reshape(-1)])
    return neg, within


@checked_params
def morans_i(values: Tensor, weights: Tensor) -> Tensor:
    r"""Moran's I of one or several variables on a spatial weight matrix.

    .. math::

        I = \frac{N}{W} \frac{\sum_{i,j} w_{ij} (x_i - \bar x)(x_j - \bar x)}
                             {\sum_i (x_i - \bar x)^2}, \qquad W = \sum_{i,j} w_{ij},

    with :math:`w_{ii} = 0`. Under no spatial autocorrelation
    :math:`E[I] = -1/(N-1)`; positive values mean near places have alike values.

    Parameters
    ----------
    values : Tensor, shape (N,) or (N, d)
        One variable per column.
    weights : Tensor, shape (N, N)
        Non-negative; the diagonal is ignored.

    Returns
    -------
    DoubleTensor, shape () or (d,)

    Examples
    --------
    >>> w = torch.tensor([[0., 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> round(float(morans_i(torch.tensor([1., 2, 3, 4]), w)), 4)  # a path: 1/3
    0.3333
    """
    x = torch.as_tensor(values).double()
    squeeze = x.dim() == 1
    x = x.view(x.size(0), -1)
    w = torch.as_tensor(weights).double().clone()
    w.fill_diagonal_(0.0)
    dev = x - x.mean(0)
    num = (dev * (w @ dev)).sum(0)
    den = (dev ** 2).sum(0).clamp_min(1e-300)
    out = x.size(0) / w.sum().clamp_min(1e-300) * num / den
    return out[0] if squeeze else out


@checked_params
def embedding_morans_i(z: Tensor, lat: Tensor, lon: Tensor, *,
                       radius_km: float = 300.0) -> float:
    r"""Mean over embedding coordinates of Moran's I with neighbours ``d ≤ R``.

    :func:`morans_i` with :math:`w_{ij} = \mathbb 1[d(i, j) \le R]`, averaged over
    the ``d`` columns of ``z``: how strongly the learned embedding varies smoothly
    over space (0 for none; :math:`-1/(N-1)` expected by chance).

    Examples
    --------
    >>> lat = torch.zeros(4); lon = torch.tensor([0.0, 1.0, 20.0, 21.0])
    >>> z = torch.tensor([[1.0], [1.0], [-1.0], [-1.0]])
    >>> embedding_morans_i(z, lat, lon, radius_km=200)
    1.0
    """
    w = (distance_matrix_km(lat, lon) <= radius_km).double()
    return float(morans_i(torch.as_tensor(z), w).mean())


@checked_params
def distance_decay(data: Any, bins_km: Sequence[float], *,
                   z: Optional[Mapping[str, Tensor]] = None) -> pd.DataFrame:
    r"""How the relation and the embeddings decay with distance.

    Per distance bin :math:`[a, b)`: the route density (share of place pairs in the bin
    that have a route: the relation's distance decay) and, for each embedding given,
    the mean cosine similarity of the pairs in the bin.

    Parameters
    ----------
    data : Data
        ``edge_index``, ``num_nodes``, ``lat``, ``lon``.
    bins_km : sequence of float
        Bin edges (km), increasing.
    z : mapping label -> FloatTensor (N, d), optional

    Returns
    -------
    DataFrame
        ``bin_low_km``, ``bin_high_km``, ``pairs``, ``route_density`` and ``cos_<label>``.

    Examples
    --------
    >>> from torch_geometric.data import Data
    >>> d = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3,
    ...          lat=torch.zeros(3), lon=torch.tensor([0.0, 1.0, 30.0]))
    >>> distance_decay(d, [0, 500, 5000]).route_density.tolist()
    [1.0, 0.0]
    """
    n = int(data.num_nodes)
    dist = distance_matrix_km(data.lat, data.lon)
    adj = torch.zeros(n, n, dtype=torch.bool)
    adj[data.edge_index[0], data.edge_index[1]] = True
    adj = adj | adj.T
    iu = torch.triu_indices(n, n, 1)
    d, a = dist[iu[0], iu[1]], adj[iu[0], iu[1]].double()
    cos = {}
    for label, emb in (z or {}).items():
        e = torch.as_tensor(emb).double()
        e = e / e.norm(dim=1, keepdim=True).clamp_min(1e-12)
        cos[label] = (e @ e.T)[iu[0], iu[1]]
    edges = list(bins_km)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (d >= lo) & (d < hi)
        row = {"bin_low_km": float(lo), "bin_high_km": float(hi), "pairs": int(m.sum()),
               "route_density": float(a[m].mean()) if bool(m.any()) else float("nan")}
        for label, c in cos.items():
            row[f"cos_{label}"] = float(c[m].mean()) if bool(m.any()) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


@checked_params
def geo_baselines(train_edge_index: Tensor, lat: Tensor, lon: Tensor,
                  num_nodes: int) -> Dict[str, Any]:
    r"""Scorers that need no learning: nearness and the gravity model.

    ``distance``: :math:`s(u, v) = -d(u, v)` (near places connect, Tobler);
    ``gravity``: :math:`s(u, v) = \log(1 + k_u)(1 + k_v) - \log(1 + d(u, v))`, with
    :math:`k` the degree on the training graph (traffic between two places grows
    with their sizes and falls with distance).

    Returns
    -------
    dict
        ``{"heuristic:distance": score, "heuristic:gravity": score}``, each mapping pairs
        ``(2, M)`` to scores ``(M,)``.

    Examples
    --------
    >>> f = geo_baselines(torch.tensor([[0, 1], [1, 0]]), torch.zeros(3),
    ...                   torch.tensor([0.0, 1.0, 30.0]), 3)
    >>> f["heuristic:distance"](torch.tensor([[0, 0], [1, 2]])).argmax().item()
    0
    """
    from graphneg.edges import degree
    from graphneg.samplers import haversine_km

    lat, lon = torch.as_tensor(lat).double(), torch.as_tensor(lon).double()
    k = degree(train_edge_index, num_nodes).double()

    def dist(p: Tensor) -> Tensor:
        return haversine_km(lat[p[0]], lon[p[0]], lat[p[1]], lon[p[1]])

    return {"heuristic:distance": lambda p: -dist(p),
            "heuristic:gravity": lambda p: torch.log1p(k[p[0]]) + torch.log1p(k[p[1]])
            - torch.log1p(dist(p))}


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


def plot_distance_decay(decay: pd.DataFrame, ax=None, *, graph: str = "US airport routes"):
    """Route density (left axis, log) and embedding cosine per sampler (right axis) by distance.

    Returns
    -------
    matplotlib.axes.Axes
        The left axis.
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(7, 4)).gca()
    mid = (decay.bin_low_km + decay.bin_high_km) / 2
    ax.plot(mid, decay.route_density, "k-o", label="route density (left)")
    ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlabel("distance between the two places (km)")
    ax.set_ylabel("share of pairs with a route")
    right = ax.twinx()
    for col in [c for c in decay.columns if c.startswith("cos_")]:
        right.plot(mid, decay[col], "--", marker=".", label=f"cos, {col[4:]} (right)")
    right.set_ylabel("mean cosine of the embeddings")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15),
              ncol=2)
    ax.set_title(f"Distance decay, {graph}")
    ax.grid(True, which="both", alpha=0.3)
    return ax

def plot_protocols(effects: pd.DataFrame, metrics=(("test_auc", "uniform protocol"),
                                                   ("nearby_auc", "nearby protocol")),
                   ax=None, *, graph: str = "US airport routes", chance: float = 0.5):
    """Mean and 95% interval of each method under each protocol (horizontal bars).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    methods = list(dict.fromkeys(effects["sampler"]))
    ax = ax if ax is not None else plt.figure(figsize=(7, 0.45 * len(methods) + 1.2)).gca()
    y = np.arange(len(methods))
    h = 0.8 / len(metrics)
    for i, (metric, label) in enumerate(metrics):
        part = effects[effects.metric == metric].set_index("sampler").reindex(methods)
        err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
        ax.barh(y + (i - (len(metrics) - 1) / 2) * h, part["mean"], height=h,
                xerr=np.nan_to_num(err), capsize=2, label=label)
    ax.axvline(chance, color="grey", ls=":", lw=1, label="chance")
    ax.set_yticks(y)
    ax.set_yticklabels([m.replace("heuristic:", "") + (" (no learning)" if m.startswith(
        "heuristic:") else "") for m in methods], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("test AUC (mean, 95% interval over seeds)")
    ax.set_title(f"Link prediction under two protocols, {graph}")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3)
    ax.grid(True, axis="x", alpha=0.3)
    return ax


# The training comparison lives in the geo study; importable from here,
# resolved on first use (the study imports this module: a top-level import would be a cycle).
__getattr__ = forward_names("geo", ("compare_route_samplers",), owner=__name__)
