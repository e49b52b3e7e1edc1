r"""Models: what turns nodes (or sequences) into scores. No data loading, samplers or
training loops live here (those are :mod:`graphneg.datasets`, :mod:`graphneg.samplers`,
:mod:`graphneg.training`); losses and metrics are in :mod:`graphneg.losses` and
:mod:`graphneg.evaluation`.

=================================  =======================================================
module                             holds
=================================  =======================================================
:mod:`graphneg.models.encoders`    :class:`NodeFeatures` (``"embedding"``, ``"onehot"``,
                                   ``"degree"``, ``"x"``), the encoder registry
                                   :data:`ENCODERS` (``"gcn"``, ``"sage"``),
                                   :func:`build_encoder`, :func:`register_encoder`
:mod:`graphneg.models.decoders`    :class:`DotProductDecoder`
                                   :math:`s(a, b) = z_a \cdot z_b`, :class:`LinkPredictor`
:mod:`graphneg.models.hypergraph`  :class:`HypergraphEncoder` (PyG ``HypergraphConv``),
                                   :func:`pool_hyperedges`
:mod:`graphneg.models.text`        :func:`bag_of_ngrams` (audio-text encoder inputs)
:mod:`graphneg.models.crf`         ``LinearChainCRF`` (exact NLL, neighbourhood
                                   contrastive estimation, Viterbi), ``CRFTagger``
:mod:`graphneg.models.poincare`    ``PoincareEmbedding`` and the Poincaré-ball geometry
                                   (distance, its gradient, projection,
                                   ``negative_gradient_norms``); needs geoopt
=================================  =======================================================

Encoders resolve by name from :data:`ENCODERS`; any ``torch.nn.Module`` with
``forward(x, edge_index) -> z`` is used as is. The CRF and Poincaré modules are
imported from their own modules (``from graphneg.models.poincare import ...``), so
importing :mod:`graphneg.models` needs neither geoopt nor the CRF code.
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
