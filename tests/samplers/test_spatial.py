import math

import pytest
import torch
from support.cases_geo_clinical import random_coords
from support.graphs import random_graph
from support.reference import assert_distribution, chi_square_pvalue
from torch_geometric.data import Data

from graphneg.edges import EdgeSet
from graphneg.samplers import (
    SpatialNegativeSampler,
    get_sampler,
    haversine_km,
    spatial_negatives,
)


def _valid(ei, n, anchor):
    valid = ~EdgeSet([ei], n).contains(torch.full((n,), anchor), torch.arange(n))
    valid[anchor] = False
    return valid


def test_haversine_matches_sklearn_and_closed_forms():
    from sklearn.metrics.pairwise import haversine_distances

    lat, lon = random_coords(20)
    d = haversine_km(lat.view(-1, 1), lon.view(-1, 1), lat.view(1, -1), lon.view(1, -1))
    rad = torch.deg2rad(torch.stack([lat, lon], 1)).numpy()
    ref = torch.from_numpy(haversine_distances(rad)) * 6371.0088
    assert torch.allclose(d, ref, atol=1e-6)
    # a quarter of the equator, and pole to pole
    q = haversine_km(torch.tensor(0.0), torch.tensor(0.0), torch.tensor(0.0), torch.tensor(90.0))
    assert float(q) == pytest.approx(math.pi / 2 * 6371.0088)
    p = haversine_km(torch.tensor(90.0), torch.tensor(0.0), torch.tensor(-90.0), torch.tensor(0.0))
    assert float(p) == pytest.approx(math.pi * 6371.0088)


@pytest.mark.parametrize("tau", [150.0, 1000.0])
def test_gibbs_distribution_is_exact(tau):
    n = 25
    ei = random_graph(n, 40, seed=2)
    lat, lon = random_coords(n)
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]]).repeat(1, 4000)
    neg = SpatialNegativeSampler(5, tau_km=tau, seed=0).sample(ei, n, pos_edge_index=pos,
                                                               lat=lat, lon=lon)
    d = haversine_km(lat[anchor], lon[anchor], lat, lon)
    probs = torch.exp(-d / tau) * _valid(ei, n, anchor)
    assert_distribution(neg[1], probs)
    # the same draws fail against the uniform target (the test has power)
    assert chi_square_pvalue(neg[1], _valid(ei, n, anchor).double()) < 1e-3


def test_pairs_mode_joint_distribution_is_exact():
    # pairs: u uniform, n ~ q(.|u), jointly conditioned on validity
    n, tau = 8, 600.0
    ei = random_graph(n, 10, seed=5)
    lat, lon = random_coords(n, seed=3)
    neg = SpatialNegativeSampler(30000, tau_km=tau, mode="pairs", seed=1).sample(
        ei, n, lat=lat, lon=lon)
    d = haversine_km(lat.view(-1, 1), lon.view(-1, 1), lat.view(1, -1), lon.view(1, -1))
    q = torch.softmax(-d / tau, 1)
    u, v = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    valid = ~EdgeSet([ei], n).contains(u, v) & (u != v)
    assert_distribution(neg[0] * n + neg[1], (q * valid).reshape(-1))


@pytest.mark.parametrize("k", [1, 4])
def test_k_nearest_is_uniform_over_k_nearest_valid(k):
    n = 30
    ei = random_graph(n, 60, seed=1)
    lat, lon = random_coords(n, seed=1)
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]]).repeat(1, 3000)
    valid = _valid(ei, n, anchor)
    d = haversine_km(lat[anchor], lon[anchor], lat, lon).masked_fill(~valid, float("inf"))
    probs = torch.zeros(n, dtype=torch.double)
    probs[torch.topk(d, k, largest=False).indices] = 1
    # BallTree proposals, and the enumerated path (fallback_ratio=1 sends every row there)
    for fallback in (0.1, 1.0):
        s = SpatialNegativeSampler(4, k_nearest=k, seed=0, fallback_ratio=fallback)
        neg = s.sample(ei, n, pos_edge_index=pos, lat=lat, lon=lon)
        assert (s.last_stats.exact_slots > 0) == (fallback == 1.0)
        if k == 1:
            assert bool((neg[1] == int(probs.argmax())).all())
        else:
            assert_distribution(neg[1], probs)


def test_k_nearest_with_candidate_mask_and_dense_rows():
    # bipartite-style: only nodes >= 10 may be negatives; a hub excludes most of them
    n = 20
    hub = torch.stack([torch.zeros(7, dtype=torch.long), torch.arange(10, 17)])
    ei = torch.cat([hub, hub.flip(0)], 1)
    lat, lon = random_coords(n, seed=4)
    mask = torch.arange(n) >= 10
    pos = torch.tensor([[0], [10]]).repeat(1, 3000)
    s = SpatialNegativeSampler(2, k_nearest=2, seed=0)
    neg = s.sample(ei, n, pos_edge_index=pos, candidate_mask=mask, lat=lat, lon=lon)
    probs = torch.zeros(n)
    probs[17:] = 1
    d = haversine_km(lat[0], lon[0], lat, lon)
    d[:17] = float("inf")
    probs = torch.zeros(n, dtype=torch.double)
    probs[torch.topk(d, 2, largest=False).indices] = 1
    assert_distribution(neg[1], probs)


def test_transform_reads_lat_lon_from_data_and_is_deterministic():
    n = 15
    ei = random_graph(n, 20, seed=0)
    lat, lon = random_coords(n)
    data = Data(edge_index=ei, num_nodes=n, lat=lat, lon=lon)
    out = SpatialNegativeSampler(2, tau_km=300.0, seed=3)(data)
    assert out.edge_label.tolist().count(0.0) == 2 * ei.size(1)
    again = spatial_negatives(ei, n, lat=lat, lon=lon, num_neg=2, tau_km=300.0, seed=3)
    assert torch.equal(out.edge_label_index[:, ei.size(1):], again)
    assert "lat" not in vars(SpatialNegativeSampler(1))  # configuration holds no data
    assert repr(get_sampler("spatial", num_neg=2, tau_km=50.0)) == (
        "SpatialNegativeSampler(num_neg=2, mode='per_anchor', on_impossible='raise', tau_km=50.0)")


def test_large_tau_tends_to_uniform_and_small_tau_to_nearest():
    n = 25
    ei = random_graph(n, 40, seed=2)
    lat, lon = random_coords(n)
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]]).repeat(1, 2000)
    valid = _valid(ei, n, anchor)
    neg = SpatialNegativeSampler(5, tau_km=1e9, seed=0).sample(ei, n, pos_edge_index=pos,
                                                               lat=lat, lon=lon)
    assert_distribution(neg[1], valid.double())
    d = haversine_km(lat[anchor], lon[anchor], lat, lon).masked_fill(~valid, float("inf"))
    neg = SpatialNegativeSampler(5, tau_km=1e-3, seed=0).sample(ei, n, pos_edge_index=pos,
                                                                lat=lat, lon=lon)
    assert bool((neg[1] == int(d.argmin())).all())


def test_bad_input():
    ei = torch.tensor([[0, 1], [1, 0]])
    lat, lon = torch.tensor([0.0, 10.0, 20.0]), torch.tensor([0.0, 10.0, 20.0])
    with pytest.raises(ValueError, match=r"'tau_km' parameter of SpatialNegativeSampler must be "
                                         r"a finite float in \(0, inf\)\. Got 0.0"):
        SpatialNegativeSampler(1, tau_km=0.0)
    with pytest.raises(ValueError, match="'tau_km'.*Got -5.0"):
        SpatialNegativeSampler(1, tau_km=-5.0)
    with pytest.raises(ValueError, match="'k_nearest'.*Got 0"):
        SpatialNegativeSampler(1, k_nearest=0)
    s = SpatialNegativeSampler(1, seed=0)
    with pytest.raises(ValueError, match=r"'lat' parameter .* \[-90, 90\] degrees\. Got 91.0 "
                                         r"at node 1"):
        s.sample(ei, 3, lat=torch.tensor([0.0, 91.0, 0.0]), lon=lon)
    with pytest.raises(ValueError, match=r"'lon' parameter .* \[-180, 180\] degrees\. Got "
                                         r"-181.0 at node 2"):
        s.sample(ei, 3, lat=lat, lon=torch.tensor([0.0, 0.0, -181.0]))
    with pytest.raises(ValueError, match=r"'lat' parameter .* finite: 1 missing .* first at "
                                         r"node 0"):
        s.sample(ei, 3, lat=torch.tensor([float("nan"), 0.0, 0.0]), lon=lon)
    with pytest.raises(ValueError, match=r"'lon' parameter .* shape \(3,\)"):
        s.sample(ei, 3, lat=lat, lon=lon[:2])
    with pytest.raises(ValueError, match="needs node coordinates"):
        s.sample(ei, 3)
    with pytest.raises(ValueError, match="needs both 'lat' and 'lon'"):
        s.sample(ei, 3, lat=lat)
    with pytest.raises(ValueError, match=r"'coords' parameter .* shape \(N, 2\)"):
        s.sample(ei, 3, coords=torch.zeros(3, 3))
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        s.sample(ei, 3, lat=lat, lon=lon, z=torch.zeros(3, 2))


def test_sampler_distances_equal_haversine_also_at_small_separations():
    from graphneg.analysis.gradient_bias import sampler_log_q

    lat, lon = random_coords(20)
    lat = torch.cat([lat, lat[:3] + 1e-6, torch.tensor([89.9999, -45.0])])  # ~0.1 m apart, pole
    lon = torch.cat([lon, lon[:3], torch.tensor([179.9999, -179.9999])])
    n = lat.numel()
    log_q = sampler_log_q(SpatialNegativeSampler(tau_km=1.0), torch.empty(2, 0, dtype=torch.long),
                          n, lat=lat, lon=lon)
    got = -log_q(torch.arange(n), torch.arange(n))
    want = haversine_km(lat.view(-1, 1), lon.view(-1, 1), lat.view(1, -1), lon.view(1, -1))
    off = ~torch.eye(n, dtype=torch.bool)
    assert torch.allclose(got[off], want[off], rtol=1e-9, atol=1e-9)


def test_gibbs_with_candidate_mask_is_exact():
    n, tau = 20, 400.0
    hub = torch.stack([torch.zeros(5, dtype=torch.long), torch.arange(10, 15)])
    ei = torch.cat([hub, hub.flip(0)], 1)
    lat, lon = random_coords(n, seed=6)
    mask = torch.arange(n) >= 8
    pos = torch.tensor([[0], [10]]).repeat(1, 4000)
    neg = SpatialNegativeSampler(5, tau_km=tau, seed=0).sample(
        ei, n, pos_edge_index=pos, candidate_mask=mask, lat=lat, lon=lon)
    valid = _valid(ei, n, 0) & mask
    probs = torch.exp(-haversine_km(lat[0], lon[0], lat, lon) / tau) * valid
    assert_distribution(neg[1], probs)
