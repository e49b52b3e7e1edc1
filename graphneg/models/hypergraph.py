r"""Hypergraph encoder (stacked PyG ``HypergraphConv``) and pooling of member embeddings
into hyperedge embeddings, :math:`h(S) = \mathrm{pool}_{v \in S} z_v`.
"""

from __future__ import annotations

from typing import Optional

from torch import Tensor, nn
from torch_geometric.nn import HypergraphConv
from torch_geometric.utils import scatter

from graphneg._validation import check_option

__all__ = ["POOLINGS", "pool_hyperedges", "HypergraphEncoder"]


POOLINGS = ("mean", "sum", "max")


def pool_hyperedges(z: Tensor, hyperedge_index: Tensor, num_hyperedges: Optional[int] = None,
                    pool: str = "mean") -> Tensor:
    r"""Hyperedge embeddings by pooling member embeddings.

    Parameters
    ----------
    z : FloatTensor, shape (N, d)
    hyperedge_index : LongTensor, shape (2, nnz)
    num_hyperedges : int, optional
    pool : {"mean", "sum", "max"}

    Returns
    -------
    FloatTensor, shape (M, d)
        :math:`h(E) = \mathrm{pool}_{v\in E} z_v`; one scatter, :math:`O(nnz\, d)`.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> pool_hyperedges(z, torch.tensor([[0, 1, 2], [0, 0, 1]])).tolist()
    [[0.5, 0.5], [1.0, 1.0]]
    """
    check_option(pool, "pool", POOLINGS, owner="pool_hyperedges")
    m = num_hyperedges if num_hyperedges is not None else int(hyperedge_index[1].max()) + 1
    return scatter(z[hyperedge_index[0]], hyperedge_index[1], dim=0, dim_size=m, reduce=pool)


class HypergraphEncoder(nn.Module):
    """A stack of :class:`~torch_geometric.nn.conv.HypergraphConv` layers with ReLU between.

    Examples
    --------
    >>> import torch
    >>> enc = HypergraphEncoder(4, 8, 2, num_layers=2)
    >>> enc(torch.ones(3, 4), torch.tensor([[0, 1, 2], [0, 0, 0]])).shape
    torch.Size([3, 2])
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, *,
                 num_layers: int = 2, dropout: float = 0.0):
        super().__init__()
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = nn.ModuleList(HypergraphConv(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.dropout = dropout

    def forward(self, x: Tensor, hyperedge_index: Tensor) -> Tensor:
        m = int(hyperedge_index[1].max()) + 1 if hyperedge_index.numel() else 0
        for i, conv in enumerate(self.convs):
            x = conv(x, hyperedge_index, num_edges=m)
            if i < len(self.convs) - 1:
                x = nn.functional.dropout(x.relu(), self.dropout, self.training)
        return x
