"""Every registered sampler in PyG's pipelines: empty splits, ``adj_t``, labelled splits,
bipartite graphs, batches of graphs, mini-batches and devices. PyG's own assertions for
``negative_sampling`` / ``batched_negative_sampling`` are ported where they mean something
for graphneg (exact counts instead of "at most")."""
import pytest
import torch
import torch_geometric.transforms as T
from support.graphs import random_graph
from support.reference import adjacency_sets, assert_distribution, chi_square_pvalue, valid_set
from support.sampler_cases import all_cases
from torch_geometric.data import Batch, Data
from torch_geometric.utils import batched_negative_sampling

from graphneg.edges import EdgeSet
from graphneg.samplers import (
    DegreeNegativeSampler, TableSampler, UniformNegativeSampler, get_sampler, sampler_names,
    uniform_negatives,
)

CASES = all_cases()
NAMES = sampler_names()


def _make(name, k=2, seed=7):
    case = CASES[name]
    return case, case.make(k, seed, on_impossible="drop")


# ------------------------------------------------------------------ edge cases
@pytest.mark.parametrize("name", NAMES)
def test_no_positives_give_no_negatives_on_both_faces(name):
    ei, n = random_graph(12, 20, seed=1), 12
    case, sampler = _make(name)
    kw = case.inputs(sampler, ei, n)
    neg = sampler.sample(ei, n, pos_edge_index=ei[:, :0], **kw)
    assert neg.shape == (2, 0) and neg.dtype == torch.long
    data = Data(edge_index=ei, num_nodes=n, edge_label_index=ei[:, :0],
                edge_label=torch.zeros(0))
    out = sampler(data, **kw)
    assert out.edge_label_index.shape == (2, 0) and out.edge_label.shape == (0,)


@pytest.mark.parametrize("name", NAMES)
def test_adj_t_input_gives_the_negatives_of_edge_index(name):
    ei, n = random_graph(14, 25, seed=2), 14
    data = Data(edge_index=ei, num_nodes=n)
    train = T.RandomLinkSplit(num_val=0.0, num_test=0.2, is_undirected=True,
                              add_negative_train_samples=False)(data)[0]
    sparse = T.ToSparseTensor()(train.clone())              # the split, then ToSparseTensor
    assert "edge_index" not in sparse.keys()
    case = CASES[name]
    kw = case.inputs(case.make(2, 7, on_impossible="drop"), ei, n)
    a = case.make(2, 7, on_impossible="drop")(train, **kw)
    b = case.make(2, 7, on_impossible="drop")(sparse, **kw)
    assert torch.equal(a.edge_label_index, b.edge_label_index)
    assert torch.equal(a.edge_label, b.edge_label)


def test_to_sparse_tensor_before_the_split_reads_the_split_edges():
    # the other order: RandomLinkSplit needs edge_index, so ToSparseTensor comes first
    # only with remove_edge_index=False; its adj_t is then the whole graph (held-out
    # edges included) and the split's edge_index is the training graph we must read
    ei, n = random_graph(14, 25, seed=2), 14
    split = dict(num_val=0.0, num_test=0.2, is_undirected=True,
                 add_negative_train_samples=False)
    with torch.random.fork_rng():  # RandomLinkSplit draws from the global RNG: fix the split
        torch.manual_seed(0)
        first = T.RandomLinkSplit(**split)(T.ToSparseTensor(remove_edge_index=False)(
            Data(edge_index=ei, num_nodes=n)))[0]
    assert "adj_t" in first.keys() and first.edge_index.size(1) < ei.size(1)
    plain = first.clone()
    del plain.adj_t
    a = UniformNegativeSampler(3, seed=1)(plain)
    b = UniformNegativeSampler(3, seed=1)(first)
    assert torch.equal(a.edge_label_index, b.edge_label_index)
    # the stale adj_t would have excluded the held-out edges too: different negatives
    stale = first.clone()
    del stale.edge_index
    c = UniformNegativeSampler(3, seed=1)(stale)
    assert not torch.equal(c.edge_label_index, b.edge_label_index)


def test_adj_t_in_every_torch_sparse_layout_and_directed_orientation():
    # a directed graph: adj_t[v, u] = 1 for u -> v, so orientation matters
    ei = torch.tensor([[0, 0, 1, 3], [1, 2, 2, 0]])
    from torch_geometric.utils import to_torch_csc_tensor

    from graphneg.samplers.pyg import graph_edge_index
    datas = [T.ToSparseTensor(layout=layout)(Data(edge_index=ei, num_nodes=5))
             for layout in (torch.sparse_coo, torch.sparse_csr)]
    datas.append(Data(adj_t=to_torch_csc_tensor(ei.flip(0), size=(5, 5)), num_nodes=5))
    for data in datas:
        got = graph_edge_index(data)
        assert sorted(map(tuple, got.t().tolist())) == sorted(map(tuple, ei.t().tolist()))
    neg = UniformNegativeSampler(4, seed=0, directed=True)(datas[1]).edge_label_index
    assert sorted(map(tuple, neg[:, :4].t().tolist())) == sorted(map(tuple, ei.t().tolist()))


def test_sparse_tensor_of_torch_sparse():
    torch_sparse = pytest.importorskip("torch_sparse", reason="torch-sparse is not installed "
                                       "here; adj_t as a torch sparse tensor is tested above")
    ei, n = random_graph(10, 15, seed=3), 10
    data = Data(edge_index=ei, num_nodes=n)
    data.adj_t = torch_sparse.SparseTensor.from_edge_index(ei.flip(0), sparse_sizes=(n, n))
    del data.edge_index
    a = UniformNegativeSampler(2, seed=0)(Data(edge_index=ei, num_nodes=n))
    b = UniformNegativeSampler(2, seed=0)(data)
    assert torch.equal(a.edge_label_index, b.edge_label_index)


def test_no_graph_at_all_is_a_clear_error():
    with pytest.raises(TypeError, match="neither 'edge_index' nor a sparse 'adj_t'"):
        UniformNegativeSampler()(Data(num_nodes=3))


def _labelled():
    ei = torch.tensor([[0, 1, 1, 2, 3, 4], [1, 0, 2, 1, 4, 3]])
    index = torch.tensor([[0, 1, 3, 5, 2], [1, 2, 4, 6, 5]])
    label = torch.tensor([1, 2, 1, 0, 0])      # two classes of positives, two PyG negatives
    return Data(edge_index=ei, num_nodes=8, edge_label_index=index, edge_label=label)


def test_existing_negatives_kept_and_every_label_class_is_a_positive():
    data = _labelled()
    out = UniformNegativeSampler(3, seed=0)(data)
    label, index = out.edge_label, out.edge_label_index
    assert label.dtype == torch.long
    # the three positives of both classes keep their labels, then 9 new negatives, then
    # the two existing negatives unchanged
    assert label.tolist() == [1, 2, 1] + [0] * 9 + [0, 0]
    assert index[:, :3].tolist() == [[0, 1, 3], [1, 2, 4]]
    assert index[0, 3:12].tolist() == [0, 0, 0, 1, 1, 1, 3, 3, 3]     # class-2 anchor 1 too
    assert index[:, 12:].tolist() == [[5, 2], [6, 5]]
    assert out.neg_stats["kept_negatives"] == 2
    # no new negative is a known edge or a positive of either class (either direction)
    known = EdgeSet([data.edge_index, data.edge_label_index[:, :3]], 8)
    assert not bool(known.contains(index[0, 3:12], index[1, 3:12]).any())


def test_existing_negatives_replace_and_raise():
    out = UniformNegativeSampler(3, seed=0)(_labelled(), existing_negatives="replace")
    assert out.edge_label.tolist() == [1, 2, 1] + [0] * 9
    assert out.neg_stats["kept_negatives"] == 0
    with pytest.raises(ValueError, match="already holds 2 negatives"):
        UniformNegativeSampler(3, seed=0)(_labelled(), existing_negatives="raise")
    with pytest.raises(ValueError, match="'existing_negatives' parameter .* Got 'drop'"):
        UniformNegativeSampler(3, seed=0)(_labelled(), existing_negatives="drop")


def test_random_link_split_with_its_negatives_keeps_them():
    ei, n = random_graph(20, 40, seed=5), 20
    train = T.RandomLinkSplit(num_val=0.1, num_test=0.1, is_undirected=True)(
        Data(edge_index=ei, num_nodes=n))[0]                 # PyG's train negatives included
    pos = int((train.edge_label == 1).sum())
    old = int((train.edge_label == 0).sum())
    out = UniformNegativeSampler(2, seed=0)(train)
    assert out.edge_label.tolist() == [1.0] * pos + [0.0] * (2 * pos + old)


def test_bipartite_pairs_never_pair_one_side_with_itself_and_are_uniform():
    # 3 users (0-2), 4 items (3-6) in one graph with a candidate mask on the items
    und = torch.tensor([[0, 0, 1, 2], [3, 4, 5, 6]])
    ei, n = torch.cat([und, und.flip(0)], 1), 7
    items = torch.arange(n) >= 3
    neg = UniformNegativeSampler(24000, mode="pairs", seed=1).sample(ei, n, candidate_mask=items)
    assert bool((neg[0] < 3).all()) and bool((neg[1] >= 3).all())
    nbrs = adjacency_sets(ei, n)
    valid = torch.zeros(n * n)
    for u in range(3):
        for v in valid_set(nbrs, u, n):
            if v >= 3:
                valid[u * n + v] = 1
    assert_distribution(neg[0] * n + neg[1], valid)
    # the tensor face with num_nodes=(N_src, N_dst), as PyG's negative_sampling takes it
    loc = UniformNegativeSampler(50, mode="pairs", seed=1).sample(
        torch.stack([und[0], und[1] - 3]), (3, 4))
    assert loc.shape == (2, 50)                   # PyG's may fall short; ours is exact
    assert bool((loc[0] < 3).all()) and bool((loc[1] < 4).all())
    assert not bool(EdgeSet([torch.stack([und[0], und[1] - 3])], 4, undirected=False)
                    .contains(loc[0], loc[1]).any())


def test_pairs_with_every_node_a_candidate_need_an_anchor_mask():
    ei = torch.tensor([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="no node is left to anchor a pair; pass anchor_mask"):
        UniformNegativeSampler(3, mode="pairs").sample(ei, 3, candidate_mask=torch.ones(
            3, dtype=torch.bool))


def test_bipartite_per_anchor_law_is_uniform_over_unrated_items():
    g = torch.Generator().manual_seed(0)
    ei = torch.unique(torch.stack([torch.randint(5, (12,), generator=g),
                                   torch.randint(6, (12,), generator=g)]), dim=1)
    anchor = int(ei[0, 0])
    pos = ei[:, :1].repeat(1, 6000)
    neg = UniformNegativeSampler(4, seed=0).sample(ei, (5, 6), pos_edge_index=pos)
    rated = set(ei[1, ei[0] == anchor].tolist())
    probs = torch.tensor([0.0 if j in rated else 1.0 for j in range(6)])
    assert neg.shape == (2, 4 * pos.size(1))                  # the bipartite count is exact
    assert bool((neg[0] == anchor).all())
    assert_distribution(neg[1], probs)


def _bipartite_reference(ei, n_src, n_dst, anchor, weighted, exclude=(), mask=None):
    """Brute-force Pr[j | u] over destinations: not rated by u, not excluded, in the
    mask; weight 1 or the destination's degree (its number of ratings)."""
    rated = {j for u, j in ei.t().tolist() if u == anchor} | set(exclude)
    deg = torch.bincount(ei[1], minlength=n_dst).double()
    probs = torch.zeros(n_dst, dtype=torch.double)
    for j in range(n_dst):
        if j not in rated and (mask is None or bool(mask[j])):
            probs[j] = deg[j] if weighted else 1.0
    return probs / probs.sum()


@pytest.mark.parametrize("sampler", [UniformNegativeSampler(4, seed=0),
                                     DegreeNegativeSampler(4, alpha=1.0, seed=0)],
                         ids=["uniform", "degree"])
def test_bipartite_law_log_prob_and_prepared_draws_match_brute_force(sampler):
    g = torch.Generator().manual_seed(3)
    n_src, n_dst = 5, 7
    ei = torch.unique(torch.stack([torch.randint(n_src, (16,), generator=g),
                                   torch.randint(n_dst, (16,), generator=g)]), dim=1)
    anchor = int(ei[0, 0])
    exclude = torch.tensor([[anchor], [int(torch.nonzero(~torch.isin(
        torch.arange(n_dst), ei[1, ei[0] == anchor]))[0])]])
    mask = torch.arange(n_dst) != n_dst - 1
    ref = _bipartite_reference(ei, n_src, n_dst, anchor, isinstance(
        sampler, DegreeNegativeSampler), exclude=exclude[1].tolist(), mask=mask)
    law = sampler.law(ei, (n_src, n_dst), exclude_edge_index=exclude, candidate_mask=mask)
    assert torch.allclose(law.log_prob(torch.tensor([anchor])).exp()[0], ref)
    lp = sampler.log_prob(ei, (n_src, n_dst), torch.tensor([anchor]), torch.tensor([0, 6]),
                          exclude_edge_index=exclude, candidate_mask=mask).exp()[0]
    assert torch.allclose(lp, ref[[0, 6]])
    with pytest.raises(ValueError, match="'candidates' parameter .* ids in \\[0, 7\\)"):
        law.log_prob(torch.tensor([0]), torch.tensor([7]))
    pos = ei[:, :1].repeat(1, 6000)
    neg = sampler.sample(ei, (n_src, n_dst), pos_edge_index=pos, exclude_edge_index=exclude,
                         candidate_mask=mask)
    assert_distribution(neg[1], ref)
    prepared = sampler.prepare(ei, (n_src, n_dst), exclude_edge_index=exclude,
                               candidate_mask=mask)
    index = prepared.prepared.context.known
    draws = torch.cat([prepared.sample(pos[:, :1500])[1] for _ in range(4)])
    assert prepared.prepared.context.known is index            # built once
    assert_distribution(draws, ref)
    other = ei[:, ei[0] != anchor][:, :3]                       # another user's batch
    out, keep = prepared.sample(other, return_mask=True)
    assert bool(keep.all()) and bool((out[1] < n_dst).all())
    assert not bool(EdgeSet([ei, exclude], max(n_src, n_dst), undirected=False)
                    .contains(out[0], out[1]).any())
    with pytest.raises(ValueError, match="destination ids in \\[0, 7\\)"):
        prepared.sample(torch.tensor([[0], [7]]))


def test_bipartite_index_out_of_its_side_is_refused():
    with pytest.raises(ValueError, match="destination ids in \\[0, 2\\) in row 1"):
        UniformNegativeSampler().sample(torch.tensor([[0], [2]]), (3, 2))


# ---------------------------------------------------------------------- batches
def _batch():
    graphs = [Data(edge_index=random_graph(m, e, seed=s), num_nodes=m)
              for m, e, s in ((6, 7, 0), (9, 12, 1), (5, 4, 2))]
    return Batch.from_data_list(graphs), graphs


@pytest.mark.parametrize("name", NAMES)
def test_every_sampler_keeps_negatives_inside_each_graph_of_a_batch(name):
    batch, _ = _batch()
    case, sampler = _make(name, k=3)
    kw = case.inputs(sampler, batch.edge_index, batch.num_nodes)
    out = sampler(batch, **kw)
    neg = out.edge_label_index[:, out.edge_label == 0]
    assert neg.size(1) > 0
    assert torch.equal(batch.batch[neg[0]], batch.batch[neg[1]])
    assert not bool(EdgeSet([batch.edge_index], batch.num_nodes)
                    .contains(neg[0], neg[1]).any())
    assert not bool((neg[0] == neg[1]).any())


def test_batch_confinement_like_pyg_batched_negative_sampling():
    # PyG's test: negatives of a batch never cross graphs; its output may fall short,
    # ours has the exact count
    batch, _ = _batch()
    ref = batched_negative_sampling(batch.edge_index, batch.batch)
    assert torch.equal(batch.batch[ref[0]], batch.batch[ref[1]])
    neg = uniform_negatives(batch.edge_index, batch.num_nodes, num_neg=2, batch=batch.batch,
                            seed=0)
    assert neg.size(1) == 2 * batch.edge_index.size(1)
    assert torch.equal(batch.batch[neg[0]], batch.batch[neg[1]])


@pytest.mark.parametrize("sampler", [UniformNegativeSampler(4, seed=0),
                                     DegreeNegativeSampler(4, alpha=1.0, seed=0)],
                         ids=["uniform", "degree"])
def test_batch_law_is_each_graph_own_law(sampler):
    batch, graphs = _batch()
    offset = int(batch.ptr[1])                          # anchor in the second graph
    g = graphs[1]
    local = int(g.edge_index[0, 0])
    pos = torch.tensor([[local + offset], [int(g.edge_index[1, 0]) + offset]]).repeat(1, 6000)
    neg = sampler.sample(batch.edge_index, batch.num_nodes, pos_edge_index=pos,
                         batch=batch.batch)
    # brute force on the member graph alone
    nbrs = adjacency_sets(g.edge_index, g.num_nodes)
    deg = torch.bincount(g.edge_index[0], minlength=g.num_nodes).double()
    probs = torch.zeros(g.num_nodes, dtype=torch.double)
    for v in valid_set(nbrs, local, g.num_nodes):
        probs[v] = 1.0 if isinstance(sampler, UniformNegativeSampler) else deg[v]
    assert bool((neg[1] >= offset).all()) and bool((neg[1] < offset + g.num_nodes).all())
    assert_distribution(neg[1] - offset, probs)
    # the same draws against the law of the whole batch (no confinement) must fail
    whole = torch.zeros(batch.num_nodes, dtype=torch.double)
    whole[offset:offset + g.num_nodes] = probs
    whole[:offset] = 1.0
    assert chi_square_pvalue(neg[1], whole) < 1e-3


TABLE_NAMES = [name for name in NAMES if issubclass(type(CASES[name].make(1, 0)), TableSampler)]


@pytest.mark.parametrize("path", ["rejection", "exact"])
@pytest.mark.parametrize("name", TABLE_NAMES)
def test_table_samplers_on_a_batch_draw_their_public_law(name, path):
    # draws for an anchor of the second member graph, by either path, against
    # log_prob on the same batch (chi-square, fixed seeds), and confined to the graph
    batch, graphs = _batch()
    n, offset, g = batch.num_nodes, int(batch.ptr[1]), graphs[1]
    case = CASES[name]
    sampler = case.make(4, 0)
    opts = {"rejection": {"fallback_ratio": 0.0, "max_rounds": 10 ** 6},
            "exact": {"fallback_ratio": 1.0}}[path]
    for attr, value in opts.items():
        setattr(sampler, attr, value)
    kw = case.inputs(sampler, batch.edge_index, n)
    anchor = int(g.edge_index[0, 0]) + offset
    pos = torch.tensor([[anchor], [int(g.edge_index[1, 0]) + offset]]).repeat(1, 6000)
    neg = sampler.sample(batch.edge_index, n, pos_edge_index=pos, batch=batch.batch, **kw)
    assert bool((neg[1] >= offset).all()) and bool((neg[1] < offset + g.num_nodes).all())
    if path == "exact":
        assert sampler.last_stats.exact_slots == neg.size(1)
    prob = case.make(4, 0).log_prob(batch.edge_index, n, torch.tensor([anchor]),
                                    pos_edge_index=pos, batch=batch.batch, **kw).exp()[0]
    assert float(prob[offset:offset + g.num_nodes].sum()) == pytest.approx(1.0)
    if int((prob > 0).sum()) == 1:                             # one candidate: all of them
        assert bool((neg[1] == int(prob.argmax())).all())
    else:
        assert chi_square_pvalue(neg[1], prob) > 1e-3


@pytest.mark.parametrize("name", ["hybrid", "phonetic"])
def test_pairwise_table_laws_on_a_batch_are_each_graph_own_law(name):
    # q(n | u) of these samplers depends on the pair only, so the batch law of an
    # anchor is its member graph's own law (ANN's top-k and the adversarial
    # generator are computed over all the batch's nodes, so theirs is not)
    batch, graphs = _batch()
    n, offset, g = batch.num_nodes, int(batch.ptr[1]), graphs[1]
    case = CASES[name]
    kw = case.inputs(case.make(4, 0), batch.edge_index, n)
    local = int(g.edge_index[0, 0])
    whole = case.make(4, 0).log_prob(batch.edge_index, n, torch.tensor([local + offset]),
                                     batch=batch.batch, **kw).exp()[0]
    own = {k: v[offset:offset + g.num_nodes] for k, v in kw.items()}
    alone = case.make(4, 0).log_prob(g.edge_index, g.num_nodes, torch.tensor([local]),
                                     **own).exp()[0]
    assert torch.allclose(whole[offset:offset + g.num_nodes], alone, atol=1e-6)


def test_batch_pairs_mode_stays_in_graphs_and_law_reads_the_batch():
    batch, _ = _batch()
    neg = UniformNegativeSampler(500, mode="pairs", seed=0).sample(
        batch.edge_index, batch.num_nodes, batch=batch.batch)
    assert torch.equal(batch.batch[neg[0]], batch.batch[neg[1]])
    p = UniformNegativeSampler().log_prob(batch.edge_index, batch.num_nodes,
                                          torch.tensor([0]), batch=batch.batch).exp()
    assert float(p[0, int(batch.ptr[1]):].sum()) == 0.0
    assert abs(float(p.sum()) - 1.0) < 1e-12


@pytest.mark.parametrize("fallback_ratio", [0.0, 1.0], ids=["rejection", "exact"])
def test_batch_pairs_mode_is_uniform_over_the_valid_pairs_of_all_graphs(fallback_ratio):
    batch, _ = _batch()
    n = batch.num_nodes
    neg = UniformNegativeSampler(24000, mode="pairs", seed=2, fallback_ratio=fallback_ratio
                                 ).sample(batch.edge_index, n, batch=batch.batch)
    nbrs = adjacency_sets(batch.edge_index, n)
    valid = torch.zeros(n * n)
    for u in range(n):
        for v in valid_set(nbrs, u, n):
            if batch.batch[u] == batch.batch[v]:
                valid[u * n + v] = 1
    assert_distribution(neg[0] * n + neg[1], valid)


def test_batch_impossible_anchor_is_counted_in_its_graph():
    # a triangle (complete: no negative) next to a path
    tri = torch.tensor([[0, 0, 1, 1, 2, 2], [1, 2, 0, 2, 0, 1]])
    batch = Batch.from_data_list([Data(edge_index=tri, num_nodes=3),
                                  Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3)])
    s = UniformNegativeSampler(1, seed=0, on_impossible="drop")
    out = s(batch)
    assert out.neg_stats["impossible_anchors"] == 3          # every triangle node
    assert out.neg_stats["impossible_graphs"] == 1           # all in the first graph
    assert out.neg_stats["dropped"] == 6
    neg = out.edge_label_index[:, out.edge_label == 0]
    assert bool((neg >= 3).all())


# ------------------------------------------------------------------ two faces
@pytest.mark.parametrize("name", NAMES)
def test_unknown_keyword_argument_raises_the_same_way_everywhere(name):
    ei, n = random_graph(8, 10, seed=0), 8
    case, sampler = _make(name)
    kw = case.inputs(sampler, ei, n)
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['zz'\]"):
        sampler.sample(ei, n, zz=torch.zeros(n), **kw)
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['zz'\]"):
        sampler(Data(edge_index=ei, num_nodes=n), zz=1, **kw)


def test_uniform_sampler_rejects_z_instead_of_ignoring_it():
    ei = torch.tensor([[0, 1], [1, 0]])
    with pytest.raises(TypeError, match=r"\['z'\]; it takes no call-time input"):
        UniformNegativeSampler().sample(ei, 3, z=torch.zeros(3, 2))


def test_functional_twin_has_every_option_of_the_class():
    ei, n = random_graph(12, 18, seed=4), 12
    mask = torch.arange(n) % 2 == 0
    for opts in (dict(directed=True), dict(fallback_ratio=0.9, max_rounds=2)):
        a = uniform_negatives(ei, n, num_neg=3, seed=5, candidate_mask=mask, **opts)
        b = UniformNegativeSampler(3, seed=5, **opts).sample(ei, n, candidate_mask=mask)
        assert torch.equal(a, b)
        assert bool(mask[a[1]].all())
    # directed: (u, n) with n -> u an edge is allowed, u -> n is not
    d = torch.tensor([[0], [1]])
    neg = uniform_negatives(d, 2, num_neg=5, pos_edge_index=torch.tensor([[1], [1]]),
                            directed=True, seed=0, on_impossible="drop")
    assert neg[1].tolist() == [0] * 5


# ------------------------------------------------------------------ mini-batches
def test_prepared_sampler_draws_the_full_graph_law_per_mini_batch():
    ei, n = random_graph(15, 30, seed=2), 15
    prepared = UniformNegativeSampler(4, seed=0).prepare(ei, n)
    index = prepared.context.known
    anchor, partner = int(ei[0, 0]), int(ei[1, 0])
    pos = torch.tensor([[anchor], [partner]]).repeat(1, 1000)
    draws = torch.cat([prepared.sample(pos)[1] for _ in range(6)])
    assert prepared.context.known is index                     # built once, reused
    valid = torch.zeros(n)
    valid[valid_set(adjacency_sets(ei, n), anchor, n)] = 1
    assert_distribution(draws, valid)


def test_prepared_sampler_excludes_every_positive_of_every_batch():
    ei, n = random_graph(20, 45, seed=6), 20
    und = ei[:, ei[0] < ei[1]]
    prepared = get_sampler("degree", num_neg=3, seed=1).prepare(ei, n, pos_edge_index=und)
    known = EdgeSet([ei], n)
    for lo in range(0, und.size(1), 8):                        # mini-batches of 8 positives
        batch = und[:, lo:lo + 8]
        neg = prepared.sample(batch)
        assert neg.size(1) == 3 * batch.size(1)
        assert torch.equal(neg[0], batch[0].repeat_interleave(3))
        assert not bool(known.contains(neg[0], neg[1]).any())
    with pytest.raises(ValueError, match="must be among the positives"):
        prepared.sample(torch.tensor([[0], [int(valid_set(adjacency_sets(ei, n), 0, n)[0])]]))


def test_prepared_score_aware_sampler_takes_fresh_embeddings_per_batch():
    ei, n = random_graph(10, 15, seed=0), 10
    prepared = get_sampler("softmax", num_neg=2, seed=0).prepare(ei, n)
    z = torch.randn(n, 4, generator=torch.Generator().manual_seed(0))
    a = prepared.sample(ei[:, :4], z=z)
    b = get_sampler("softmax", num_neg=2, seed=0).sample(ei, n, pos_edge_index=ei[:, :4], z=z)
    assert torch.equal(a, b)                                   # same law, same bits
    with pytest.raises(ValueError, match="needs the current node embeddings"):
        prepared.sample(ei[:, :4])
    with pytest.raises(TypeError, match=r"\['q'\]"):
        prepared.sample(ei[:, :4], z=z, q=1)


# ----------------------------------------------------------------------- devices
def _devices():
    out = [pytest.param("cpu", id="cpu")]
    out.append(pytest.param("cuda", id="cuda", marks=pytest.mark.skipif(
        not torch.cuda.is_available(), reason="no CUDA device on this machine")))
    return out


@pytest.mark.parametrize("device", _devices())
def test_outputs_stay_on_the_input_device_with_the_input_label_dtype(device):
    ei, n = random_graph(12, 20, seed=1), 12
    ei = ei.to(device)
    neg = UniformNegativeSampler(2, seed=0).sample(ei, n)
    assert neg.device == ei.device and neg.dtype == torch.long
    cpu = UniformNegativeSampler(2, seed=0).sample(ei.cpu(), n)
    if device == "cpu":          # on another device it draws there, with its own bits
        assert torch.equal(neg.cpu(), cpu)                     # same seed, same negatives
    assert torch.equal(neg, UniformNegativeSampler(2, seed=0).sample(ei, n))
    assert not bool(EdgeSet([ei.cpu()], n).contains(neg[0].cpu(), neg[1].cpu()).any())
    for dtype in (torch.float, torch.long, torch.double):
        data = Data(edge_index=ei, num_nodes=n, edge_label_index=ei[:, :5],
                    edge_label=torch.ones(5, dtype=dtype, device=device))
        out = UniformNegativeSampler(2, seed=0)(data)
        assert out.edge_label.dtype == dtype and out.edge_label.device == ei.device
        assert out.edge_label_index.device == ei.device
    prepared = UniformNegativeSampler(2, seed=0).prepare(ei.cpu(), n)
    assert prepared.sample(ei[:, :3]).device == ei.device


def test_cross_site_batch_law_is_each_graph_own_law():
    batch, graphs = _batch()
    n = batch.num_nodes
    site = torch.arange(n) % 2
    offset, g = int(batch.ptr[1]), graphs[1]
    local = int(g.edge_index[0, 0])
    pos = torch.tensor([[local + offset], [int(g.edge_index[1, 0]) + offset]]).repeat(1, 6000)
    s = get_sampler("cross_site", num_neg=4, same_site_prob=0.8, seed=0)
    neg = s.sample(batch.edge_index, n, pos_edge_index=pos, batch=batch.batch, site=site)
    valid = valid_set(adjacency_sets(g.edge_index, g.num_nodes), local, g.num_nodes)
    own = site[local + offset]
    same = [v for v in valid if site[v + offset] == own]
    other = [v for v in valid if site[v + offset] != own]
    probs = torch.zeros(g.num_nodes, dtype=torch.double)
    probs[same] = 0.8 / len(same)
    probs[other] = 0.2 / len(other)
    assert_distribution(neg[1] - offset, probs)


def test_prepared_sampler_draws_the_bits_of_the_whole_graph_call():
    ei, n = random_graph(16, 30, seed=8), 16
    prepared = DegreeNegativeSampler(3, seed=4).prepare(ei, n)
    first, second = prepared.sample(ei[:, :5]), prepared.sample(ei[:, 5:9])
    whole = DegreeNegativeSampler(3, seed=4)
    assert torch.equal(first, whole.sample(ei, n, pos_edge_index=ei[:, :5]))
    assert torch.equal(second, whole.sample(ei, n, pos_edge_index=ei[:, 5:9]))


def test_held_out_edges_keep_validation_and_test_positives_out_of_training_negatives():
    from graphneg.samplers import held_out_edges
    ei, n = random_graph(12, 40, seed=9), 12                   # dense: leaks would show
    train, val, test = T.RandomLinkSplit(num_val=0.2, num_test=0.2, is_undirected=True,
                                         add_negative_train_samples=False)(
        Data(edge_index=ei, num_nodes=n))
    held = held_out_edges(val, test)
    assert held.size(1) == int(val.edge_label.sum()) + int(test.edge_label.sum())
    held_set = EdgeSet([held], n)
    leak = UniformNegativeSampler(20, seed=0)(train)
    neg = leak.edge_label_index[:, leak.edge_label == 0]
    assert bool(held_set.contains(neg[0], neg[1]).any())       # without it, they leak
    safe = UniformNegativeSampler(20, seed=0)(train, exclude_edge_index=held)
    neg = safe.edge_label_index[:, safe.edge_label == 0]
    assert not bool(held_set.contains(neg[0], neg[1]).any())


def test_split_labels_form_of_random_link_split_is_read_and_written_back():
    ei, n = random_graph(16, 30, seed=4), 16
    train, val, test = T.RandomLinkSplit(num_val=0.2, num_test=0.2, is_undirected=True,
                                         split_labels=True)(Data(edge_index=ei, num_nodes=n))
    pos, old = train.pos_edge_label_index, train.neg_edge_label_index
    out = UniformNegativeSampler(2, seed=0)(train)
    assert torch.equal(out.pos_edge_label_index, pos)
    assert out.neg_edge_label_index.size(1) == 2 * pos.size(1) + old.size(1)
    assert torch.equal(out.neg_edge_label_index[:, 2 * pos.size(1):], old)   # PyG's kept
    assert "edge_label_index" not in out.keys()
    from graphneg.samplers import held_out_edges
    assert held_out_edges(val, test).size(1) == (val.pos_edge_label_index.size(1)
                                                 + test.pos_edge_label_index.size(1))


def test_hyperedge_samplers_refuse_unknown_keyword_arguments_too():
    from graphneg.samplers import HYPEREDGE_SAMPLERS, get_hyperedge_sampler
    h = torch.tensor([[0, 1, 2, 2, 3, 4], [0, 0, 0, 1, 1, 1]])
    for name in HYPEREDGE_SAMPLERS.names():
        with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['zz'\]"):
            get_hyperedge_sampler(name, seed=0).sample(h, 8, zz=1)
