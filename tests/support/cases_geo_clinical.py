"""Contract cases for the geo and clinical samplers (coordinates and sites derived from
``requires``; :func:`random_coords` makes the coordinates)."""
import torch

from graphneg.samplers import CrossSiteNegativeSampler, SpatialNegativeSampler
from support.sampler_cases import SamplerCase


def random_coords(num_nodes: int, seed: int = 0):
    """Distinct places spread over a continent-sized box, deterministic per size."""
    g = torch.Generator().manual_seed(1000 + seed)
    lat = 25 + 25 * torch.rand(num_nodes, generator=g, dtype=torch.double)
    lon = -125 + 55 * torch.rand(num_nodes, generator=g, dtype=torch.double)
    return lat, lon


CASES = {
    "spatial": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": SpatialNegativeSampler(
            num_neg, tau_km=800.0, seed=seed, on_impossible=on_impossible)),
    "cross_site": SamplerCase(
        make=lambda num_neg, seed, on_impossible="raise": CrossSiteNegativeSampler(
            num_neg, same_site_prob=0.3, seed=seed, on_impossible=on_impossible)),
}
