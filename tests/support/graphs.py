"""Small graphs built without the generators under test."""
import torch
from torch_geometric.utils import coalesce, to_undirected


def random_graph(num_nodes: int, num_edges: int, seed: int = 0) -> torch.Tensor:
    """An undirected simple graph (both directions), coalesced, no self-loops."""
    g = torch.Generator().manual_seed(seed)
    ei = torch.randint(num_nodes, (2, num_edges), generator=g)
    ei = ei[:, ei[0] != ei[1]]
    return coalesce(to_undirected(ei, num_nodes=num_nodes), num_nodes=num_nodes)


def star_graph(num_nodes: int) -> torch.Tensor:
    """Star with hub 0, both directions."""
    leaves = torch.arange(1, num_nodes)
    hub = torch.zeros_like(leaves)
    return torch.cat([torch.stack([hub, leaves]), torch.stack([leaves, hub])], 1)
