r"""Link-prediction models: node features, an encoder by name, a dot-product decoder.

A link predictor scores a pair ``(a, b)`` as ``s(a, b) = z_a · z_b`` with
``z = encoder(x, edge_index)``, the score of ``docs/design.md`` (Losses), so the
sampling efficiency and the logistic loss defined there apply to it unchanged.

* Encoders resolve by name from :data:`ENCODERS` (``"gcn"``, ``"sage"``: PyG's
  :class:`~torch_geometric.nn.models.GCN` / :class:`~torch_geometric.nn.models.GraphSAGE`),
  or any :class:`torch.nn.Module` with ``forward(x, edge_index) -> z`` is used as is.
* Featureless graphs (every generator's output) get input features from
  :class:`NodeFeatures`: ``"embedding"`` (default; a learnable
  :class:`torch.nn.Embedding`, one free vector per node — transductive),
  whose initial scale ``init_std`` can be set (the default is
  :class:`torch.nn.Embedding`'s :math:`\mathcal N(0, 1)`; :math:`1/\sqrt{d}` keeps the
  initial scores :math:`z_a \cdot z_b` of order one),
  ``"onehot"`` (the identity matrix, ``O(N²)`` memory), ``"degree"``
  (one-hot of the node degree, PyG's ``OneHotDegree``; inductive but blind to
  node identity), or ``"x"`` (``data.x``). ``"auto"`` picks ``"x"`` when the graph
  has features and ``"embedding"`` otherwise.
"""

from __future__ import annotations

from typing import Callable, Optional, Union

import torch
from torch import Tensor, nn
from torch_geometric.nn.models import GCN, GraphSAGE

from graphneg._validation import check_int, check_option, check_real
from graphneg.edges import degree
from graphneg.registry import Registry

__all__ = ["ENCODERS", "FEATURE_MODES", "register_encoder", "encoder_names", "build_encoder",
           "NodeFeatures"]


#: Encoder builders: ``name -> f(in_channels, hidden_channels, out_channels, num_layers, dropout)``.
ENCODERS: Registry[Callable[..., nn.Module]] = Registry("encoder", base=nn.Module,
                                                      base_name="torch.nn.Module")


#: Accepted values of ``features``.
FEATURE_MODES = ("auto", "embedding", "onehot", "degree", "x")


def register_encoder(name: str):
    """Decorator: register an encoder builder under ``name``."""
    return ENCODERS.register(name)


@register_encoder("gcn")
def _gcn(in_channels: int, hidden_channels: int, out_channels: int, num_layers: int,
         dropout: float) -> nn.Module:
    """Kipf & Welling's GCN (ICLR 2017), ReLU between layers, no activation on ``z``."""
    return GCN(in_channels, hidden_channels, num_layers, out_channels=out_channels,
               dropout=dropout)


@register_encoder("sage")
def _sage(in_channels: int, hidden_channels: int, out_channels: int, num_layers: int,
          dropout: float) -> nn.Module:
    """GraphSAGE with mean aggregation (Hamilton et al., NeurIPS 2017)."""
    return GraphSAGE(in_channels, hidden_channels, num_layers, out_channels=out_channels,
                     dropout=dropout)


def encoder_names() -> list:
    """Registered encoder names, sorted."""
    return ENCODERS.names()


def build_encoder(encoder: Union[str, nn.Module], in_channels: int, *,
                  hidden_channels: int = 64, out_channels: int = 64, num_layers: int = 2,
                  dropout: float = 0.0) -> nn.Module:
    """An encoder from a registry name, or ``encoder`` itself if it is a module.

    Parameters
    ----------
    encoder : str or torch.nn.Module
        ``"gcn"``, ``"sage"`` (see :func:`encoder_names`) or a module mapping
        ``(x, edge_index) -> z``.
    in_channels, hidden_channels, out_channels, num_layers : int
    dropout : float in [0, 1)

    Examples
    --------
    >>> build_encoder("gcn", 8, hidden_channels=16, out_channels=4)
    GCN(8, 4, num_layers=2)
    """
    if not isinstance(encoder, str):  # a module passes through, anything else: TypeError
        return ENCODERS.make(encoder)
    owner = "build_encoder"
    return ENCODERS.make(
        encoder,
        in_channels=check_int(in_channels, "in_channels", low=1, owner=owner),
        hidden_channels=check_int(hidden_channels, "hidden_channels", low=1, owner=owner),
        out_channels=check_int(out_channels, "out_channels", low=1, owner=owner),
        num_layers=check_int(num_layers, "num_layers", low=1, owner=owner),
        dropout=check_real(dropout, "dropout", low=0, high=1, closed="left", owner=owner))


class NodeFeatures(nn.Module):
    r"""Input features for the encoder (see the module docstring for the modes).

    Parameters
    ----------
    mode : {"embedding", "onehot", "degree", "x"}
    num_nodes : int
    dim : int
        Width of the learnable embedding (``mode="embedding"``).
    init_std : float, optional
        Standard deviation of the embedding's initial entries (``mode="embedding"``):
        the :math:`\mathcal N(0, 1)` draw of :class:`torch.nn.Embedding` scaled by it
        (the same random numbers, so a seed gives the same directions for any value).
        ``None`` keeps :math:`\mathcal N(0, 1)`.
    x : Tensor, shape (N, F), optional
        Node features (``mode="x"``).
    edge_index : LongTensor, shape (2, E), optional
        Message-passing edges (``mode="degree"``).

    Attributes
    ----------
    out_channels : int

    Examples
    --------
    >>> NodeFeatures("degree", 3, edge_index=torch.tensor([[0, 1], [1, 0]]))().tolist()
    [[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]
    >>> _ = torch.manual_seed(0); a = NodeFeatures("embedding", 4, dim=2)()
    >>> _ = torch.manual_seed(0); b = NodeFeatures("embedding", 4, dim=2, init_std=0.5)()
    >>> torch.allclose(b, 0.5 * a)
    True
    """

    def __init__(self, mode: str, num_nodes: int, *, dim: int = 64, x: Optional[Tensor] = None,
                 edge_index: Optional[Tensor] = None, init_std: Optional[float] = None):
        super().__init__()
        owner = "NodeFeatures"
        self.mode = check_option(mode, "features", FEATURE_MODES[1:], owner=owner)
        self.num_nodes = check_int(num_nodes, "num_nodes", low=1, owner=owner)
        if self.mode == "embedding":
            self.embedding = nn.Embedding(num_nodes, check_int(dim, "dim", low=1, owner=owner))
            if init_std is not None:
                std = check_real(init_std, "init_std", low=0, closed="neither", owner=owner)
                with torch.no_grad():
                    self.embedding.weight.mul_(std)
            self.out_channels = dim
        elif self.mode == "onehot":
            self.register_buffer("x", torch.eye(num_nodes))
            self.out_channels = num_nodes
        elif self.mode == "degree":
            if edge_index is None:
                raise ValueError("NodeFeatures(mode='degree') needs edge_index.")
            deg = degree(edge_index, num_nodes)
            self.register_buffer("x", nn.functional.one_hot(deg, int(deg.max()) + 1).float())
            self.out_channels = int(deg.max()) + 1
        else:
            if x is None:
                raise ValueError("The 'features' parameter is 'x' but the graph has no node "
                                 "features (data.x is None). Use 'embedding', 'onehot' or 'degree'.")
            if x.dim() != 2 or x.size(0) != num_nodes:
                raise ValueError(f"data.x must have shape ({num_nodes}, F). "
                                 f"Got {tuple(x.shape)} instead.")
            self.register_buffer("x", x.float())
            self.out_channels = x.size(1)

    def forward(self) -> Tensor:
        return self.embedding.weight if self.mode == "embedding" else self.x
