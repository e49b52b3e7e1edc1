"""The LinkNeighborLoader recipe of graphneg.samplers.pyg: graphneg negatives redrawn
every epoch as the loader's labelled seed edges.

PyG's neighbour sampling has no pure-torch path (``NeighborSampler._sample`` calls
pyg-lib or torch-sparse, neither installed here), so the recipe runs twice: through
the real ``LinkNeighborLoader`` with a ``NeighborSampler`` whose neighbour draw is
replaced by a pure-torch one taking every neighbour (the loader, seed-edge handling,
label remapping and ``n_id`` bookkeeping are PyG's own), and, where pyg-lib or
torch-sparse exists, with PyG's own sampler unchanged.
"""
import warnings

import pytest
import torch
import torch_geometric.transforms as T
from torch_geometric.data import Data
from torch_geometric.loader import LinkNeighborLoader
from torch_geometric.sampler import NeighborSampler, SamplerOutput

from graphneg.edges import EdgeSet
from graphneg.samplers import UniformNegativeSampler, held_out_edges, seed_edges
from support.graphs import random_graph


class EveryNeighborSampler(NeighborSampler):
    """``NeighborSampler`` taking every in-neighbour for ``len(num_neighbors)`` hops,
    in pure torch (the stand-in for pyg-lib's draw when ``num_neighbors`` is -1)."""

    def _sample(self, seed, seed_time=None, **kwargs):
        colptr, row = self.colptr, self.row
        where = torch.full((self.num_nodes,), -1, dtype=torch.long)
        where[seed] = torch.arange(seed.numel())
        nodes, frontier, rows, cols, edges = [seed], seed, [], [], []
        for _ in range(self.num_neighbors.num_hops):
            start, count = colptr[frontier], colptr[frontier + 1] - colptr[frontier]
            offset = torch.arange(int(count.sum())) - torch.repeat_interleave(
                torch.cumsum(count, 0) - count, count)
            idx = torch.repeat_interleave(start, count) + offset      # CSC positions
            nbr, tgt = row[idx], torch.repeat_interleave(frontier, count)
            new = torch.unique(nbr[where[nbr] < 0])
            where[new] = torch.arange(new.numel()) + sum(n.numel() for n in nodes)
            nodes.append(new)
            rows.append(where[nbr])
            cols.append(where[tgt])
            edges.append(idx)
            frontier = new
        return SamplerOutput(node=torch.cat(nodes), row=torch.cat(rows), col=torch.cat(cols),
                             edge=torch.cat(edges), batch=None)


def _every_neighbour(train):
    with warnings.catch_warnings():     # PyG's notice that sampling without pyg-lib is deprecated
        warnings.filterwarnings("ignore", message=".*pyg-lib.*")
        return EveryNeighborSampler(train, num_neighbors=[-1, -1])


def _split(seed=3):
    ei, n = random_graph(40, 90, seed=seed), 40
    train, val, test = T.RandomLinkSplit(num_val=0.1, num_test=0.2, is_undirected=True,
                                         add_negative_train_samples=False)(
        Data(edge_index=ei, num_nodes=n))
    return train, val, test


def _run_recipe(train, val, test, neighbours):
    n = train.num_nodes
    pos = train.edge_label_index
    held = held_out_edges(val, test)
    sampler = UniformNegativeSampler(2, seed=0)
    prepared = sampler.prepare(train.edge_index, n, pos_edge_index=pos, exclude_edge_index=held)
    known = EdgeSet([train.edge_index, pos, held], n)
    seen = []
    for _ in range(2):                                          # two epochs
        edge_label_index, edge_label = seed_edges(prepared, pos)
        loader = LinkNeighborLoader(train, num_neighbors=[-1, -1], batch_size=16, shuffle=True,
                                    edge_label_index=edge_label_index, edge_label=edge_label,
                                    neighbor_sampler=neighbours)
        negatives, positives = [], 0
        for batch in loader:
            glob = batch.n_id[batch.edge_label_index]           # back to graph ids
            is_neg = batch.edge_label == 0
            negatives.append(glob[:, is_neg])
            positives += int((~is_neg).sum())
            # the seed edges' endpoints are in the subgraph with their neighbourhoods
            assert batch.edge_index.size(1) > 0
        neg = torch.cat(negatives, 1)
        assert positives == pos.size(1) and neg.size(1) == 2 * pos.size(1)
        assert not bool(known.contains(neg[0], neg[1]).any())   # no edge of any split
        seen.append(torch.sort(neg[0] * n + neg[1]).values)
    assert sampler._index_cache.builds == 1                     # one exclusion index
    assert not torch.equal(seen[0], seen[1])                    # fresh negatives per epoch


def test_link_neighbor_loader_recipe_with_a_pure_torch_neighbour_draw():
    train, val, test = _split()
    neighbours = _every_neighbour(train)
    _run_recipe(train, val, test, neighbours)


def test_every_neighbour_stand_in_takes_the_exact_two_hop_neighbourhood():
    from torch_geometric.utils import k_hop_subgraph
    train, _, _ = _split(seed=5)
    neighbours = _every_neighbour(train)
    seed = torch.tensor([0, 7])
    out = neighbours._sample(seed)
    subset, _, _, _ = k_hop_subgraph(seed, 2, train.edge_index, num_nodes=train.num_nodes)
    assert torch.equal(torch.sort(out.node).values, subset)
    assert torch.equal(out.node[:2], seed)
    # every sampled edge is an edge of the graph (row -> col, CSC positions)
    src, dst = out.node[out.row], out.node[out.col]
    assert bool(EdgeSet([train.edge_index], train.num_nodes, undirected=False)
                .contains(src, dst).all())


def _neighbor_sampling_available():
    import torch_geometric.typing as pyg_typing
    return pyg_typing.WITH_PYG_LIB or pyg_typing.WITH_TORCH_SPARSE


@pytest.mark.skipif(not _neighbor_sampling_available(),
                    reason="PyG's NeighborSampler needs pyg-lib or torch-sparse, not installed "
                           "here (torch-sparse builds from source only; pyg-lib is not on PyPI)")
def test_link_neighbor_loader_recipe_with_pyg_own_neighbour_sampling():
    train, val, test = _split()
    _run_recipe(train, val, test, NeighborSampler(train, num_neighbors=[-1, -1]))
