r"""Spatial (geo) negative sampling: negatives near the anchor on the globe.

Places carry latitude / longitude; the great-circle (haversine) distance on a
sphere of radius :math:`R = 6371.0088` km (the IUGG mean Earth radius) is

.. math::

    d(u, n) = 2R \arcsin \sqrt{\sin^2\frac{\varphi_n - \varphi_u}{2}
              + \cos\varphi_u \cos\varphi_n \sin^2\frac{\lambda_n - \lambda_u}{2}} .

Two distributions over the valid candidates :math:`C(u)` (not ``u``, not a known
edge; see :mod:`graphneg.samplers.base`):

* **Gibbs** (default): :math:`q(n \mid u) \propto \exp(-d(u, n) / \tau)`; ``τ → ∞``
  is uniform, small ``τ`` concentrates on the closest non-neighbours.
* **k nearest** (``k_nearest=k``): uniform over the :math:`\min(k, |C(u)|)`
  members of :math:`C(u)` closest to ``u``.

Coordinates are data, not configuration: they come at call time as
``sample(..., lat=, lon=)`` (degrees, shape ``(N,)``), ``coords=`` (shape ``(N, 2)``,
columns lat, lon), or from ``data.lat`` / ``data.lon`` when the sampler runs as a
transform. Near places are exactly the "same-region" pairs whose gradient the
confounding index of :mod:`graphneg.analysis.gradient_bias` measures.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Optional

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import Interval
from graphneg.samplers.base import _CHUNK_ELEMENTS, NegativeSampler, SamplingContext
from graphneg.samplers.tables import draw_rows

__all__ = ["EARTH_RADIUS_KM", "SpatialNegativeSampler", "haversine_km", "spatial_negatives",
           "check_coordinates"]

#: IUGG mean Earth radius (km).
EARTH_RADIUS_KM = 6371.0088

#: Entries of one ``(anchors, candidates)`` block in the Gibbs proposal (8 MB in float64).
_BLOCK_ELEMENTS = 1 << 20


def unit_vectors(lat: Tensor, lon: Tensor) -> Tensor:
    """Points on the unit sphere, float64 shape ``(N, 3)``, from degrees.

    Examples
    --------
    >>> unit_vectors(torch.tensor([90.0]), torch.tensor([0.0])).round().tolist()
    [[0.0, 0.0, 1.0]]
    """
    phi, lam = torch.deg2rad(lat.double()), torch.deg2rad(lon.double())
    return torch.stack([phi.cos() * lam.cos(), phi.cos() * lam.sin(), phi.sin()], -1)


def haversine_km(lat1: Tensor, lon1: Tensor, lat2: Tensor, lon2: Tensor) -> Tensor:
    r"""Great-circle distance in km between points given in degrees (shapes broadcast).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : Tensor
        Degrees; any broadcastable shapes.

    Returns
    -------
    Tensor, float64, the broadcast shape

    Notes
    -----
    Haversine formula (module docstring), numerically stable for small distances;
    the argument of ``arcsin`` is clamped to ``[0, 1]`` against rounding only.
    Cost ``O(size of the output)``.

    References
    ----------
    R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68(2), 1984.

    Examples
    --------
    >>> round(float(haversine_km(torch.tensor(0.0), torch.tensor(0.0),
    ...                          torch.tensor(0.0), torch.tensor(90.0))), 3)
    10007.557
    """
    p1, p2 = torch.deg2rad(lat1.double()), torch.deg2rad(lat2.double())
    dl = torch.deg2rad(lon2.double() - lon1.double())
    h = torch.sin((p2 - p1) / 2) ** 2 + torch.cos(p1) * torch.cos(p2) * torch.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * torch.asin(h.clamp(0, 1).sqrt())


def check_coordinates(lat: Any, lon: Any, num_nodes: int, *, owner: str) -> Tensor:
    """Validate latitude / longitude in degrees; return them as a float64 ``(N, 2)`` tensor.

    Raises ``ValueError`` for a wrong shape, NaN / inf (naming how many and the first
    node), ``|lat| > 90`` or ``|lon| > 180`` (naming the first offending node).

    Examples
    --------
    >>> check_coordinates([10.0, -20.0], [30.0, 40.0], 2, owner="x").shape
    torch.Size([2, 2])
    """
    out = []
    for name, value, bound in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        t = torch.as_tensor(np.asarray(value, dtype=np.float64) if not isinstance(value, Tensor)
                            else value).double()
        if t.shape != (num_nodes,):
            raise ValueError(f"The '{name}' parameter of {owner} must have shape ({num_nodes},) "
                             f"(one value per node, degrees). Got {tuple(t.shape)} instead.")
        bad = ~torch.isfinite(t)
        if bool(bad.any()):
            raise ValueError(f"The '{name}' parameter of {owner} must be finite: "
                             f"{int(bad.sum())} missing (NaN/inf) value(s), first at node "
                             f"{int(bad.nonzero()[0])}. Drop or impute those places first.")
        out_of = t.abs() > bound
        if bool(out_of.any()):
            i = int(out_of.nonzero()[0])
            raise ValueError(f"The '{name}' parameter of {owner} must lie in [-{bound:g}, "
                             f"{bound:g}] degrees. Got {float(t[i])} at node {i} "
                             f"({int(out_of.sum())} value(s) out of range) instead.")
        out.append(t)
    return torch.stack(out, 1)


class SpatialNegativeSampler(NegativeSampler, name="spatial"):
    r"""Negatives drawn near the anchor: ``q(n|u) ∝ exp(-d(u,n)/τ)`` or the k nearest.

    .. math::

        \Pr[n \mid u] = \frac{e^{-d(u,n)/\tau}\,\mathbb{1}[n \in C(u)]}
                             {\sum_{m \in C(u)} e^{-d(u,m)/\tau}}
        \quad\text{or}\quad
        \Pr[n \mid u] = \frac{\mathbb{1}[n \in N_k(u)]}{|N_k(u)|},

    with :math:`d` the haversine distance (km), :math:`C(u)` the valid candidates
    and :math:`N_k(u)` the ``k`` members of :math:`C(u)` closest to ``u``.

    Parameters
    ----------
    num_neg : int, default 1
    tau_km : float > 0, default 500.0
        Temperature ``τ`` in km (Gibbs mode).
    k_nearest : int >= 1, optional
        If given, sample uniformly among the ``k`` nearest valid candidates
        instead (``tau_km`` is then unused).
    seed, on_impossible, mode, directed, fallback_ratio, max_rounds
        See :class:`~graphneg.samplers.base.NegativeSampler`.

    Call-time data
    --------------
    ``lat=``, ``lon=`` (degrees, shape ``(N,)``) or ``coords=`` (``(N, 2)``) as
    keyword arguments of :meth:`sample`, else ``data.lat`` / ``data.lon``.

    Notes
    -----
    *Gibbs*: each proposal is an exact draw from the conditional over ``C(u)``:
    distances from a block of anchors to every candidate are computed at once
    (haversine via unit-vector chords, ``torch.cdist`` without the matrix-product
    shortcut), block by block, so memory is ``O(block · N)`` with
    ``block · N ≤ 2^20`` — never an ``N × N`` matrix — and time
    ``O(U N + S log(block · N))`` for ``U`` distinct anchors and ``S`` draws, whatever
    ``τ`` (one uniform per draw and an inverse-CDF step,
    :func:`graphneg.samplers.tables.draw_rows`).
    *k nearest*: a :class:`sklearn.neighbors.BallTree` (haversine metric) over the
    candidates is queried for the ``k + 1 + max_u |excluded(u)|`` nearest points
    of each distinct anchor, the invalid ones are removed and the first ``k``
    kept: ``O(U (k + Δ) log N)`` after an ``O(N log N)`` build. Ties at the
    ``k``-th distance (duplicate coordinates) are broken by the tree's order.

    References
    ----------
    W. Tobler, "A computer movie simulating urban growth in the Detroit region",
    Economic Geography 46, 1970 (near things are more related); the temperature
    form follows the Gibbs samplers of ``docs/design.md``.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> lat = torch.tensor([0.0, 0.0, 0.0, 0.0]); lon = torch.tensor([0.0, 1.0, 2.0, 60.0])
    >>> s = SpatialNegativeSampler(4, tau_km=50.0, seed=0)
    >>> s.sample(ei, 4, pos_edge_index=ei[:, :1], lat=lat, lon=lon).tolist()
    [[0, 0, 0, 0], [2, 2, 2, 2]]
    """

    weighted = True
    requires = ("lat", "lon")
    accepts = ("lat", "lon", "coords")

    _parameter_constraints = {
        "tau_km": [Interval(Real, 0, None, closed="neither")],
        "k_nearest": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, num_neg: int = 1, *, tau_km: float = 500.0,
                 k_nearest: Optional[int] = None, seed: Seed = None,
                 on_impossible: str = "raise", mode: str = "per_anchor",
                 directed: bool = False, fallback_ratio: float = 0.1, max_rounds: int = 32):
        self._init_params(locals())

    # ------------------------------------------------------------ call-time data
    def _check_context(self, ctx: SamplingContext) -> None:
        kw, owner = ctx.kwargs, type(self).__name__
        unknown = set(kw) - {"lat", "lon", "coords"}
        if unknown:
            raise TypeError(f"{owner}.sample got unexpected keyword argument(s) "
                            f"{sorted(unknown)}; it takes lat=, lon= or coords=.")
        if "coords" in kw:
            c = torch.as_tensor(kw["coords"])
            if c.dim() != 2 or c.size(1) != 2:
                raise ValueError(f"The 'coords' parameter of {owner} must have shape "
                                 f"(N, 2) (lat, lon in degrees). Got {tuple(c.shape)} instead.")
            lat, lon = c[:, 0], c[:, 1]
        elif "lat" in kw or "lon" in kw:
            lat, lon = kw.get("lat"), kw.get("lon")
            if lat is None or lon is None:
                raise ValueError(f"{owner} needs both 'lat' and 'lon'.")
        elif ctx.data is not None and getattr(ctx.data, "lat", None) is not None:
            lat, lon = ctx.data.lat, getattr(ctx.data, "lon", None)
        else:
            raise ValueError(f"{owner} needs node coordinates: pass lat= and lon= (degrees, "
                             f"shape ({ctx.num_nodes},)) or coords= to sample(), or use it as "
                             f"a transform on a Data with 'lat' and 'lon' attributes.")
        coords = check_coordinates(lat, lon, ctx.num_nodes, owner=owner)
        ctx.inputs["coords"] = coords
        ctx.inputs["xyz"] = unit_vectors(coords[:, 0], coords[:, 1])

    @staticmethod
    def _distances(anchors: Tensor, candidates: Tensor, ctx: SamplingContext) -> Tensor:
        """Great-circle distances (km), shape ``(A, C)``: the haversine formula written with
        unit vectors, ``d = 2R asin(‖x_u − x_n‖ / 2)`` (``‖x_u − x_n‖² / 4`` *is* the
        haversine term), the chord from coordinate differences (no cancellation)."""
        xyz = ctx.inputs["xyz"]
        chord = torch.cdist(xyz[anchors], xyz[candidates],
                            compute_mode="donot_use_mm_for_euclid_dist")
        return (chord * 0.5).clamp_(max=1.0).asin_().mul_(2 * EARTH_RADIUS_KM)

    # ------------------------------------------------------------------ hooks
    def _log_weights(self, anchors: Tensor, candidates: Tensor,
                     ctx: SamplingContext) -> Tensor:
        dist = self._distances(anchors, candidates, ctx)
        if self.k_nearest is None:
            return dist.div_(-self.tau_km)
        # uniform over the k nearest *valid* candidates
        valid = ctx.is_valid(anchors.view(-1, 1), candidates.view(1, -1))
        dist = dist.masked_fill(~valid, float("inf"))
        k = min(self.k_nearest, candidates.numel())
        idx = torch.topk(dist, k, dim=1, largest=False).indices
        keep = torch.zeros_like(valid)
        keep.scatter_(1, idx, True)
        keep &= valid
        return torch.zeros_like(dist).masked_fill(~keep, float("-inf"))

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        if self.k_nearest is None:
            return self._propose_gibbs(anchors, generator, ctx)
        return self._propose_nearest(anchors, generator, ctx)

    def _propose_gibbs(self, anchors: Tensor, generator: torch.Generator,
                       ctx: SamplingContext) -> Tensor:
        """Exact draws of ``q(·|u)``, blocks of anchors × all candidates.

        Per anchor (``mode="per_anchor"``) the draw is already conditioned on
        ``C(u)``, so nothing is rejected; in ``mode="pairs"`` it is the
        unconditioned ``q`` and the base's rejection makes the pair exact.
        """
        conditioned = self.mode == "per_anchor"
        cand = ctx.candidates if ctx.candidates is not None else torch.arange(ctx.num_nodes)
        uniq, inv = torch.unique(anchors, return_inverse=True)
        out = torch.empty_like(anchors)
        rows = max(1, _BLOCK_ELEMENTS // max(cand.numel(), 1))
        for lo in range(0, uniq.numel(), rows):  # blocks of anchors, O(rows x C) memory
            a = uniq[lo:lo + rows]
            logw = self._log_weights(a, cand, ctx)
            if conditioned:  # C(u) from the CSR rows of the excluded pairs, O(sum deg)
                logw.masked_fill_(~ctx.valid_block(a), float("-inf"))
            prob = torch.softmax(logw, dim=1)
            del logw
            sel = (inv >= lo) & (inv < lo + a.numel())
            # one uniform per draw and an inverse-CDF step: O(rows C + S log(rows C)),
            # whatever the number of draws per anchor (a hub needs deg(u) K of them)
            row = inv[sel] - lo
            uniforms = torch.rand(row.numel(), generator=generator, dtype=torch.double)
            out[sel] = cand[draw_rows(prob, row, uniforms)]
        return out

    def _propose_nearest(self, anchors: Tensor, generator: torch.Generator,
                         ctx: SamplingContext) -> Tensor:
        from sklearn.neighbors import BallTree

        cand = ctx.candidates if ctx.candidates is not None else torch.arange(ctx.num_nodes)
        rad = torch.deg2rad(ctx.inputs["coords"]).numpy()
        tree = ctx.cached("spatial:ball_tree", lambda: BallTree(rad[cand.numpy()], metric="haversine"))
        uniq, inv = torch.unique(anchors, return_inverse=True)
        excluded = ctx.known.num_excluded()[uniq]
        out = torch.empty_like(anchors)
        rows = max(1, _CHUNK_ELEMENTS // max(cand.numel(), 1))
        for lo in range(0, uniq.numel(), rows):  # blocks of anchors
            a = uniq[lo:lo + rows]
            kk = min(cand.numel(), self.k_nearest + 1 + int(excluded[lo:lo + rows].max()))
            _, nn = tree.query(rad[a.numpy()], k=kk, sort_results=True)
            nn = cand[torch.from_numpy(nn)]
            valid = ctx.is_valid(a.view(-1, 1), nn)
            rank = valid.long().cumsum(1)
            keep = valid & (rank <= self.k_nearest)
            num = keep.sum(1)  # = min(k, |C(u)|) (zero only for impossible anchors)
            sel = (inv >= lo) & (inv < lo + a.numel())
            r = inv[sel] - lo
            pick = (torch.rand(r.numel(), generator=generator, dtype=torch.double)
                    * num[r]).long().clamp_max((num[r] - 1).clamp_min(0))
            # position of the (pick+1)-th kept entry in each row
            order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)
            out[sel] = nn[r, order[r, pick]]
        return out


def spatial_negatives(edge_index: Tensor, num_nodes: Optional[int] = None, *,
                      lat: Any, lon: Any, num_neg: int = 1, tau_km: float = 500.0,
                      k_nearest: Optional[int] = None,
                      pos_edge_index: Optional[Tensor] = None,
                      exclude_edge_index: Optional[Tensor] = None,
                      seed: Seed = None, on_impossible: str = "raise") -> Tensor:
    r"""Spatial negatives in one call: a :class:`SpatialNegativeSampler` built from the
    arguments draws them (the class's body, so the same seed gives the same draws).

    Parameters
    ----------
    lat, lon : Tensor or array, shape (N,)
        Node coordinates in degrees.
    edge_index, num_nodes, pos_edge_index, exclude_edge_index
        As for :meth:`~graphneg.samplers.base.NegativeSampler.sample`.
    num_neg, tau_km, k_nearest, seed, on_impossible
        As for the class.

    Returns
    -------
    LongTensor, shape (2, P * num_neg)
        Row 0 the anchor of every positive, row 1 negatives near it, grouped by positive.

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])  # nodes on the equator, 111 km apart
    >>> spatial_negatives(ei, 3, lat=[0.0, 0.0, 0.0], lon=[0.0, 1.0, 2.0], seed=0).tolist()
    [[0, 1], [2, 2]]
    """
    sampler = SpatialNegativeSampler(num_neg, tau_km=tau_km, k_nearest=k_nearest, seed=seed,
                                     on_impossible=on_impossible)
    return sampler.sample(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                          exclude_edge_index=exclude_edge_index, lat=lat, lon=lon)
