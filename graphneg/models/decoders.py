r"""Decoders: the dot-product score :math:`s(a, b) = z_a \cdot z_b` and the link predictor
(node features -> encoder -> dot product) built on it.
"""

from __future__ import annotations

from typing import Optional

from torch import Tensor, nn

from graphneg.models.encoders import NodeFeatures

__all__ = ["DotProductDecoder", "LinkPredictor"]


class DotProductDecoder(nn.Module):
    r"""``s(a, b) = z_a · z_b`` for every column ``(a, b)`` of ``edge_label_index``.

    Cost ``O(Q d)`` for ``Q`` pairs of ``d``-dimensional embeddings.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> DotProductDecoder()(z, torch.tensor([[0, 0], [1, 0]])).tolist()
    [11.0, 5.0]
    """

    def forward(self, z: Tensor, edge_label_index: Tensor) -> Tensor:
        return (z[edge_label_index[0]] * z[edge_label_index[1]]).sum(-1)


class LinkPredictor(nn.Module):
    r"""Features → encoder → dot-product decoder.

    Parameters
    ----------
    features : NodeFeatures
    encoder : torch.nn.Module
        ``(x, edge_index) -> z``.
    decoder : torch.nn.Module, optional
        ``(z, edge_label_index) -> scores``; :class:`DotProductDecoder` by default.

    Examples
    --------
    >>> import torch
    >>> from graphneg.models import NodeFeatures, build_encoder
    >>> feats = NodeFeatures("onehot", 3)
    >>> model = LinkPredictor(feats, build_encoder("gcn", 3, hidden_channels=4, out_channels=2))
    >>> z = model.encode(torch.tensor([[0, 1], [1, 0]]))
    >>> z.shape, model.decode(z, torch.tensor([[0], [2]])).shape
    (torch.Size([3, 2]), torch.Size([1]))
    """

    def __init__(self, features: NodeFeatures, encoder: nn.Module,
                 decoder: Optional[nn.Module] = None):
        super().__init__()
        self.features = features
        self.encoder = encoder
        self.decoder = decoder if decoder is not None else DotProductDecoder()

    def encode(self, edge_index: Tensor) -> Tensor:
        """Node embeddings ``z``, shape ``(N, d)``."""
        return self.encoder(self.features(), edge_index)

    def decode(self, z: Tensor, edge_label_index: Tensor) -> Tensor:
        """Scores of the pairs, shape ``(Q,)``."""
        return self.decoder(z, edge_label_index)

    def forward(self, edge_index: Tensor, edge_label_index: Tensor) -> Tensor:
        return self.decode(self.encode(edge_index), edge_label_index)
