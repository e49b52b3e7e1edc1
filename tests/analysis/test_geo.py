import matplotlib.pyplot as plt
import pytest
import torch
from graphneg.analysis.geo import (
    compare_route_samplers,
    plot_bias_map,
    plot_bias_vs_tau,
    plot_confounding_vs_tau,
    same_region_similarity,
    spatial_bias_curve,
    spatial_bias_per_anchor,
)
from graphneg.analysis.gradient_bias import negative_gradient
from support.cases_geo_clinical import random_coords
from support.graphs import random_graph
from torch_geometric.data import Data

from graphneg.samplers import SpatialNegativeSampler, UniformNegativeSampler


def _geo_data(n=30, seed=0):
    lat, lon = random_coords(n, seed)
    region = (lon > -97).long() + 2 * (lat > 37).long()  # four quadrants
    return Data(edge_index=random_graph(n, 50, seed=seed), num_nodes=n, lat=lat, lon=lon,
                region=region)


def test_exact_spatial_bias_matches_monte_carlo():
    # z-scores of (sample-mean bias - exact bias): all |z| < 5 at 20k draws per anchor
    data = _geo_data()
    n = data.num_nodes
    z = torch.randn(n, 4, generator=torch.Generator().manual_seed(0), dtype=torch.double)
    exact = spatial_bias_per_anchor(data, z, 300.0)
    k = 20000
    anchors = torch.tensor([0, 7, 19])
    pos = torch.stack([anchors, anchors])
    q = SpatialNegativeSampler(k, tau_km=300.0, seed=0).sample(
        data.edge_index, n, pos_edge_index=pos, lat=data.lat, lon=data.lon)
    r = UniformNegativeSampler(k, seed=1).sample(data.edge_index, n, pos_edge_index=pos)
    gq = negative_gradient(z, q).view(3, k, -1)
    gr = negative_gradient(z, r).view(3, k, -1)
    se = ((gq.var(1) + gr.var(1)) / k).sqrt()
    zscore = (gq.mean(1) - gr.mean(1) - exact.bias[anchors]) / se
    assert float(zscore.abs().max()) < 5
    # and the bias is real: far larger than the Monte Carlo error
    assert float(exact.norm[anchors].min()) > 20 * float(se.norm(dim=1).max())


def test_bias_curve_limits_and_monotone_confounding():
    data = _geo_data()
    z = torch.randn(data.num_nodes, 4, generator=torch.Generator().manual_seed(1))
    curve = spatial_bias_curve(data, z, [100.0, 1000.0, 1e9])
    # τ → ∞ is uniform: no bias, confounding index 1
    assert curve.bias_norm_mean.iloc[-1] < 1e-5
    assert curve.confounding_region.iloc[-1] == pytest.approx(1.0, abs=1e-4)
    assert curve.mean_distance_km.iloc[-1] == pytest.approx(curve.uniform_distance_km.iloc[-1],
                                                            rel=1e-4)
    # smaller τ: nearer negatives, more same-region gradient mass
    assert curve.confounding_region.is_monotonic_decreasing
    assert curve.mean_distance_km.is_monotonic_increasing
    assert curve.confounding_region.iloc[0] > 1.5


def test_same_region_similarity_closed_form():
    z = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [0.0, -3.0]])
    out = same_region_similarity(z, torch.tensor([0, 0, 1, 1]))
    # same: cos(0,1)=1, cos(2,3)=-1 -> 0; cross: four orthogonal pairs -> 0
    assert out["same_region_cos"] == pytest.approx(0.0)
    assert out["cross_region_cos"] == pytest.approx(0.0)
    out = same_region_similarity(z, torch.tensor([0, 0, 1, 2]))
    assert out["same_region_cos"] == pytest.approx(1.0)


def test_compare_route_samplers_and_plots():
    data = _geo_data(n=40, seed=2)
    df = compare_route_samplers(data, {"uniform": ("uniform", {}),
                                       "spatial": ("spatial", {"tau_km": 100.0})},
                                epochs=3, num_neg=2,
                                trainer_kwargs={"hidden_channels": 8, "out_channels": 8})
    assert list(df.sampler) == ["uniform", "spatial"]
    assert {"auc", "region_cos_gap", "mean_neg_distance_km"} <= set(df.columns)
    # spatial negatives are nearer than uniform ones
    assert df.mean_neg_distance_km.iloc[1] < df.mean_neg_distance_km.iloc[0]
    curve = spatial_bias_curve(data, torch.randn(40, 3, generator=torch.Generator()
                                                 .manual_seed(0)), [100.0, 1000.0])
    for fn in (plot_bias_vs_tau, plot_confounding_vs_tau):
        ax = fn(curve)
        assert ax.get_xscale() == "log"
        plt.close(ax.figure)
    ax = plot_bias_map(data.lat, data.lon, torch.rand(40) + 0.1, edge_index=data.edge_index)
    assert ax.get_xlabel() == "longitude (°)"
    plt.close(ax.figure)
