"""Graph and hypergraph generators, each returning PyG data, selectable by name.

>>> from graphneg.generators import generate
>>> generate("ba", num_nodes=100, num_edges=2, seed=0).num_nodes
100
"""
from .registry import GENERATORS, generate, generator_names, get_generator, register_generator
from .random_graphs import (
    barabasi_albert, degree_corrected_sbm, erdos_renyi, planted_partition, powerlaw_cluster,
    stochastic_block_model,
)
from .geometric import random_geometric
from .classic import balanced_tree, star
from .hypergraphs import (  # importing registers the hypergraph generators
    from_bipartite, hypergraph_configuration_model, planted_hypergraph, random_hypergraph,
    reshuffle_hypergraph, to_bipartite, to_clique_expansion,
)

__all__ = [
    "GENERATORS", "generate", "generator_names", "get_generator", "register_generator",
    "erdos_renyi", "barabasi_albert", "stochastic_block_model", "star", "balanced_tree",
    "powerlaw_cluster", "degree_corrected_sbm", "random_geometric", "planted_partition",
    "random_hypergraph", "hypergraph_configuration_model", "planted_hypergraph",
    "reshuffle_hypergraph", "from_bipartite", "to_bipartite", "to_clique_expansion",
]
