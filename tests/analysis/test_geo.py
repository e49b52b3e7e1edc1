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
    trained = df[df.kind == "sampler"]
    assert list(trained.sampler) == ["uniform", "spatial"]
    assert {"test_auc", "nearby_auc", "region_cos_gap", "mean_neg_distance_km"} <= set(df.columns)
    # spatial negatives are nearer than uniform ones
    assert trained.mean_neg_distance_km.iloc[1] < trained.mean_neg_distance_km.iloc[0]
    # the baselines need no learning and are scored on the same pairs
    assert {"heuristic:cn", "heuristic:distance", "heuristic:gravity"} <= set(df.sampler)
    curve = spatial_bias_curve(data, torch.randn(40, 3, generator=torch.Generator()
                                                 .manual_seed(0)), [100.0, 1000.0])
    for fn in (plot_bias_vs_tau, plot_confounding_vs_tau):
        ax = fn(curve)
        assert ax.get_xscale() == "log"
        plt.close(ax.figure)
    ax = plot_bias_map(data.lat, data.lon, torch.rand(40) + 0.1, edge_index=data.edge_index)
    assert ax.get_xlabel() == "longitude (°)"
    plt.close(ax.figure)


def test_nearby_negatives_are_near_non_routes():
    from graphneg.analysis.geo import distance_matrix_km, nearby_eval_negatives
    from graphneg.edges import EdgeSet
    data = _geo_data(n=40, seed=3)
    pos = data.edge_index[:, data.edge_index[0] < data.edge_index[1]][:, :10]
    neg, within = nearby_eval_negatives(data.edge_index, pos, data.lat, data.lon,
                                        radius_km=800.0, num_neg=5, seed=0)
    assert neg.shape == (2, 50)
    assert bool((neg[0] == pos[0].repeat_interleave(5)).all())
    known = EdgeSet([data.edge_index], 40, undirected=True)
    assert not bool(known.contains(neg[0], neg[1]).any())  # never a known route
    assert not bool((neg[0] == neg[1]).any())
    assert not bool((neg[1] == pos[1].repeat_interleave(5)).any())
    d = distance_matrix_km(data.lat, data.lon)[pos[1].repeat_interleave(5), neg[1]]
    assert within == pytest.approx(float((d <= 800).double().mean()))
    # brute force: inside the radius whenever enough valid candidates lie there
    for p in range(pos.size(1)):
        u, v = int(pos[0, p]), int(pos[1, p])
        ok = [m for m in range(40) if m not in (u, v) and not bool(
            known.contains(torch.tensor(u), torch.tensor(m)))
              and float(distance_matrix_km(data.lat, data.lon)[v, m]) <= 800]
        got = neg[1, 5 * p:5 * p + 5].tolist()
        if len(ok) >= 5:
            assert set(got) <= set(ok)
        else:
            assert set(ok) <= set(got)


def test_morans_i_closed_form_and_brute_force():
    from graphneg.analysis.geo import morans_i
    g = torch.Generator().manual_seed(0)
    x = torch.randn(12, 3, generator=g, dtype=torch.float64)
    w = torch.rand(12, 12, generator=g, dtype=torch.float64)
    got = morans_i(x, w)
    for j in range(3):
        dev = x[:, j] - x[:, j].mean()
        num = sum(float(w[a, b] * dev[a] * dev[b]) for a in range(12) for b in range(12) if a != b)
        wsum = float(w.sum() - w.diagonal().sum())
        assert float(got[j]) == pytest.approx(12 / wsum * num / float((dev ** 2).sum()))
    # alternating values on a path: perfectly negative autocorrelation, I = -1
    path = torch.diag(torch.ones(5), 1) + torch.diag(torch.ones(5), -1)
    assert float(morans_i(torch.tensor([1., -1, 1, -1, 1, -1]), path)) == pytest.approx(-1.0)
