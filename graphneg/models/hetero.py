r"""A heterogeneous GNN encoder: GraphSAGE made per relation by PyG's ``to_hetero``.

Every node type :math:`t` gets an input :math:`h^{(0)}_v` by one of three modes,
and :math:`L` layers of relation-wise GraphSAGE summed over the relations that
point at a type (``to_hetero(..., aggr="sum")``):

.. math::

    h^{(l+1)}_v = \sum_{r = (t', \rho, t)} \Big( W^{(l)}_{r,\mathrm{root}} h^{(l)}_v
        + W^{(l)}_{r,\mathrm{nbr}} \frac{1}{|N_r(v)|} \sum_{u \in N_r(v)} h^{(l)}_u \Big),

ReLU (and dropout) between layers, none after the last. Input modes per node type:

* ``"x"`` — the node store's ``x`` (features that ship with the data);
* ``"embedding"`` — a learnable row per node, :math:`\mathcal N(0, 1/d)` at start
  (transductive: the node must be in the training graph);
* ``"constant"`` — a single 1 per node: the node is known only through its
  relations, so a node never seen in training (a patient of a held-out site) is
  embedded from its neighbours (inductive).

Cost per forward pass :math:`O(L \sum_r (|E_r| d + |V_{dst(r)}| d^2))`.
"""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

import torch
from torch import Tensor, nn

__all__ = ["HETERO_FEATURE_MODES", "HeteroSAGE"]

#: Input modes of :class:`HeteroSAGE` per node type.
HETERO_FEATURE_MODES = ("x", "embedding", "constant")


class _SAGEStack(nn.Module):
    """The homogeneous stack that ``to_hetero`` copies per relation."""

    def __init__(self, hidden_channels: int, out_channels: int, num_layers: int,
                 dropout: float):
        from torch_geometric.nn import SAGEConv
        super().__init__()
        sizes = [hidden_channels] * (num_layers - 1) + [out_channels]
        self.convs = nn.ModuleList(SAGEConv((-1, -1), c) for c in sizes)
        self.drops = nn.ModuleList(nn.Dropout(dropout) for _ in sizes[:-1])

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        for conv, drop in zip(self.convs[:-1], self.drops):
            x = drop(conv(x, edge_index).relu())
        return self.convs[-1](x, edge_index)


class HeteroSAGE(nn.Module):
    r"""Node embeddings of every node type of a ``HeteroData`` (module docstring).

    Parameters
    ----------
    metadata : (list of str, list of (str, str, str))
        Node types and the relations messages run along (``data.metadata()``, or a
        subset of its relations); every node type must receive at least one.
    num_nodes : dict {node_type: int}
        Needed for ``"embedding"`` node types.
    features : dict {node_type: "x" | "embedding" | "constant"}
        Input mode per node type.
    hidden_channels, out_channels, num_layers : int
    dropout : float in [0, 1)

    Examples
    --------
    >>> from torch_geometric.data import HeteroData
    >>> data = HeteroData()
    >>> data["user"].num_nodes, data["item"].x = 3, torch.randn(4, 5)
    >>> data["user", "rates", "item"].edge_index = torch.tensor([[0, 1, 2], [0, 1, 3]])
    >>> data["item", "rev_rates", "user"].edge_index = torch.tensor([[0, 1, 3], [0, 1, 2]])
    >>> model = HeteroSAGE(data.metadata(), {"user": 3, "item": 4},
    ...                    {"user": "embedding", "item": "x"}, out_channels=8)
    >>> z = model(data)
    >>> z["user"].shape, z["item"].shape
    (torch.Size([3, 8]), torch.Size([4, 8]))
    """

    def __init__(self, metadata: Tuple[Any, Any], num_nodes: Mapping[str, int],
                 features: Mapping[str, str], *, hidden_channels: int = 64,
                 out_channels: int = 64, num_layers: int = 2, dropout: float = 0.0):
        from torch_geometric.nn import to_hetero

        from graphneg._validation import check_int, check_option, check_real
        super().__init__()
        owner = type(self).__name__
        node_types, edge_types = list(metadata[0]), [tuple(e) for e in metadata[1]]
        for name, value in (("hidden_channels", hidden_channels),
                            ("out_channels", out_channels), ("num_layers", num_layers)):
            check_int(value, name, low=1, owner=owner)
        check_real(dropout, "dropout", low=0, high=1, closed="left", owner=owner)
        deaf = [t for t in node_types if not any(e[2] == t for e in edge_types)]
        if deaf:
            raise ValueError(f"The 'metadata' parameter of {owner} must give every node type an "
                             f"incoming relation. Got none into {deaf} (relations: "
                             f"{edge_types}); add the reverse relations (T.ToUndirected).")
        self.features = {t: check_option(features.get(t, "embedding"), f"features[{t!r}]",
                                         HETERO_FEATURE_MODES, owner=owner)
                         for t in node_types}
        self.embedding = nn.ParameterDict({
            t: nn.Parameter(torch.randn(check_int(num_nodes.get(t), f"num_nodes[{t!r}]",
                                                  low=1, owner=owner), hidden_channels)
                            * hidden_channels ** -0.5)
            for t, mode in self.features.items() if mode == "embedding"})
        self.metadata = (node_types, edge_types)
        self.gnn = to_hetero(_SAGEStack(hidden_channels, out_channels, num_layers, dropout),
                             self.metadata, aggr="sum")

    def inputs(self, data: Any) -> Dict[str, Tensor]:
        """The layer-0 input ``{node_type: (N_t, F_t)}`` of ``data`` (module docstring)."""
        out = {}
        for t, mode in self.features.items():
            store = data[t]
            if mode == "x":
                if "x" not in store:
                    raise ValueError(f"{type(self).__name__}: node type {t!r} has features='x' "
                                     f"but its store holds no x.")
                out[t] = store.x.float()
            elif mode == "embedding":
                if store.num_nodes != self.embedding[t].size(0):
                    raise ValueError(f"{type(self).__name__}: node type {t!r} has learnable "
                                     f"embeddings for {self.embedding[t].size(0)} nodes; the "
                                     f"graph has {store.num_nodes}. Use features='constant' or "
                                     f"'x' to embed unseen nodes.")
                out[t] = self.embedding[t]
            else:
                out[t] = torch.ones(store.num_nodes, 1)
        return out

    def forward(self, data: Any, edge_index_dict: Optional[Dict[Any, Tensor]] = None
                ) -> Dict[str, Tensor]:
        """Embeddings ``{node_type: (N_t, out_channels)}``; messages run along the
        relations of :attr:`metadata` (``edge_index_dict``: default ``data``'s)."""
        edges = data.edge_index_dict if edge_index_dict is None else edge_index_dict
        edges = {e: edges[e] for e in self.metadata[1]}
        return self.gnn(self.inputs(data), edges)
