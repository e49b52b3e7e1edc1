import torch
from graphneg.datasets import us_airport_routes, world_airports

from graphneg.samplers import check_coordinates


def test_us_airport_routes_graph():
    data = us_airport_routes()
    n = data.num_nodes
    assert n == 352 and data.is_undirected()
    ei = data.edge_index
    assert not bool((ei[0] == ei[1]).any())
    assert torch.unique(ei[0] * n + ei[1]).numel() == ei.size(1)  # coalesced
    assert bool((torch.bincount(ei[0], minlength=n) > 0).all())    # isolated dropped
    check_coordinates(data.lat, data.lon, n, owner="test")
    code = {c: i for i, c in enumerate(data.iata)}
    pairs = set(map(tuple, ei.t().tolist()))
    assert (code["ATL"], code["LAX"]) in pairs and (code["LAX"], code["ATL"]) in pairs
    assert data.state_names[int(data.state[code["SEA"]])] == "Washington"
    assert data.region_names[int(data.region[code["BOS"]])] == "Northeast"
    assert us_airport_routes(drop_isolated=False).num_nodes == 514


def test_world_airports_points():
    data = world_airports()
    assert data.num_nodes > 25000 and data.edge_index.shape == (2, 0)
    check_coordinates(data.lat, data.lon, data.num_nodes, owner="test")
