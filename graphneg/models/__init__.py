"""Models: node features and encoders, decoders, and the domain models (CRF, Poincaré
ball, hypergraph encoder, n-gram features).

Encoders resolve by name from :data:`ENCODERS` (``"gcn"``, ``"sage"``); any
``torch.nn.Module`` with ``forward(x, edge_index) -> z`` is used as is.
"""
from graphneg.models.decoders import DotProductDecoder, LinkPredictor
from graphneg.models.encoders import (
    ENCODERS,
    FEATURE_MODES,
    NodeFeatures,
    build_encoder,
    encoder_names,
    register_encoder,
)
from graphneg.models.hypergraph import POOLINGS, HypergraphEncoder, pool_hyperedges
from graphneg.models.text import bag_of_ngrams

__all__ = [
    "ENCODERS", "FEATURE_MODES", "NodeFeatures", "build_encoder", "encoder_names",
    "register_encoder", "DotProductDecoder", "LinkPredictor", "POOLINGS", "HypergraphEncoder",
    "pool_hyperedges", "bag_of_ngrams",
]
