"""Every registered sampler on HeteroData edge types, as in PyG's
``examples/hetero/hetero_link_pred.py`` (``T.ToUndirected`` + ``T.RandomLinkSplit`` with
edge and reverse edge types, then a graphneg transform)."""
import pytest
import torch
import torch_geometric.transforms as T
from support.reference import assert_distribution
from support.sampler_cases import all_cases
from torch_geometric.data import Batch, HeteroData

from graphneg.samplers import UniformNegativeSampler, get_sampler, sampler_names
from graphneg.samplers.pyg import NegativeSampling

CASES = all_cases()
NAMES = sampler_names()
RATES, REV = ("user", "rates", "item"), ("item", "rev_rates", "user")


def _ratings(num_users=6, num_items=8, num_edges=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    ei = torch.stack([torch.randint(num_users, (num_edges,), generator=g),
                      torch.randint(num_items, (num_edges,), generator=g)])
    data = HeteroData()
    data["user"].num_nodes, data["item"].num_nodes = num_users, num_items
    data[RATES].edge_index = torch.unique(ei, dim=1)
    return T.ToUndirected()(data)


def _split(data, **kw):
    split = T.RandomLinkSplit(num_val=0.2, num_test=0.0, edge_types=[RATES],
                              rev_edge_types=[REV], add_negative_train_samples=False, **kw)
    return split(data)


def _node_inputs(case, sampler, data):
    """The case's call-time inputs for users and items joined, split back per node type."""
    nu, ni = data["user"].num_nodes, data["item"].num_nodes
    joined = case.inputs(sampler, torch.empty(2, 0, dtype=torch.long), nu + ni)
    return {k: {"user": v[:nu], "item": v[nu:]} for k, v in joined.items()}


@pytest.mark.parametrize("name", NAMES)
def test_every_sampler_on_a_hetero_edge_type(name):
    train, _, _ = _split(_ratings())
    case = CASES[name]
    sampler = case.make(2, 7, on_impossible="drop")
    out = sampler(train, edge_types=[RATES], rev_edge_types=[REV],
                  **_node_inputs(case, sampler, train))
    store = out[RATES]
    label, index = store.edge_label, store.edge_label_index
    pos = train[RATES].edge_label_index
    kept = int((label == 1).sum())
    neg = index[:, label == 0]
    assert neg.shape == (2, 2 * kept) and neg.dtype == torch.long
    assert bool((neg[0] < 6).all()) and bool((neg[1] < 8).all()) and int(neg.min()) >= 0
    known = set(map(tuple, torch.cat([train[RATES].edge_index, pos], 1).t().tolist()))
    assert not known & set(map(tuple, neg.t().tolist()))
    assert store.neg_stats["drawn"] == neg.size(1)
    assert "edge_label" not in train[RATES].keys() or train[RATES].edge_label.numel() == pos.size(1)


def test_without_edge_types_every_labelled_edge_type_is_sampled():
    data = _ratings()
    data["user", "follows", "user"].edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]])
    data["user", "follows", "user"].edge_label_index = torch.tensor([[0, 4], [1, 5]])
    train, _, _ = _split(data)
    out = UniformNegativeSampler(3, seed=0)(train)        # get_sampler(name)(train)
    assert out[RATES].edge_label_index.size(1) == 4 * train[RATES].edge_label_index.size(1)
    follows = out["user", "follows", "user"]
    assert follows.edge_label.tolist() == [1.0, 1.0] + [0.0] * 6
    assert "edge_label_index" not in out[REV].keys()      # not labelled, not sampled


def test_reverse_edge_type_is_excluded_too():
    # the reverse relation holds item 1 -> user 0, the forward one does not hold 0 -> 1
    data = HeteroData()
    data["user"].num_nodes, data["item"].num_nodes = 1, 3
    data[RATES].edge_index = torch.tensor([[0], [0]])
    data[RATES].edge_label_index = torch.tensor([[0], [0]])
    data[REV].edge_index = torch.tensor([[1], [0]])
    with_rev = UniformNegativeSampler(50, seed=0)(data, edge_types=[RATES], rev_edge_types=[REV])
    assert set(with_rev[RATES].edge_label_index[1, 1:].tolist()) == {2}
    without = UniformNegativeSampler(50, seed=0)(data, edge_types=[RATES])
    assert set(without[RATES].edge_label_index[1, 1:].tolist()) == {1, 2}


def test_hetero_uniform_law_is_uniform_over_unrated_items():
    data = _ratings(num_users=4, num_items=7, num_edges=10, seed=3)
    ei = data[RATES].edge_index
    user = int(ei[0, 0])
    data[RATES].edge_label_index = ei[:, :1].repeat(1, 4000)
    out = UniformNegativeSampler(6, seed=0)(data, edge_types=[RATES], rev_edge_types=[REV])
    neg = out[RATES].edge_label_index[:, 4000:]
    rated = set(ei[1, ei[0] == user].tolist())
    probs = torch.tensor([0.0 if j in rated else 1.0 for j in range(7)])
    assert bool((neg[0] == user).all())
    assert_distribution(neg[1], probs)


def test_same_node_type_relation_and_validation_split_negatives():
    data = HeteroData()
    data["paper"].num_nodes = 10
    data["paper", "cites", "paper"].edge_index = torch.tensor([[0, 1, 2, 3, 4, 5],
                                                               [1, 2, 3, 4, 5, 6]])
    et = ("paper", "cites", "paper")
    train, val, _ = T.RandomLinkSplit(num_val=0.3, num_test=0.0, edge_types=[et])(data)
    # val carries PyG's own negatives (label 0): kept after ours, labels unchanged
    old = int((val[et].edge_label == 0).sum())
    out = get_sampler("degree", num_neg=2, seed=0)(val)
    label = out[et].edge_label
    num_pos = int((val[et].edge_label == 1).sum())
    assert label.tolist() == [1.0] * num_pos + [0.0] * (2 * num_pos + old)
    assert out[et].neg_stats["kept_negatives"] == old
    neg = out[et].edge_label_index[:, num_pos:num_pos + 2 * num_pos]
    assert bool((neg < 10).all()) and not bool((neg[0] == neg[1]).any())


def test_hetero_options_are_checked():
    train, _, _ = _split(_ratings())
    s = UniformNegativeSampler()
    with pytest.raises(ValueError, match="are not in the HeteroData"):
        s(train, edge_types=[("user", "buys", "item")])
    with pytest.raises(ValueError, match="one entry per edge type"):
        s(train, edge_types=[RATES], rev_edge_types=[REV, REV])
    with pytest.raises(TypeError, match="must be a dict"):
        get_sampler("softmax")(train, z=torch.zeros(14, 2))
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['zz'\]"):
        s(train, zz={"user": 1})
    with pytest.raises(TypeError, match=r"not one of its edge stores: call sampler\(data, "
                                        r"edge_types=\[\('user', 'rates', 'item'\)\]\)"):
        s(train[RATES])
    from torch_geometric.data import Data
    with pytest.raises(TypeError, match="apply to a HeteroData"):
        s(Data(edge_index=torch.tensor([[0], [1]]), num_nodes=2), edge_types=[RATES])


def test_batch_of_hetero_graphs_keeps_negatives_in_each_graph():
    graphs = []
    for seed in range(3):
        d = _ratings(seed=seed)
        d[RATES].edge_label_index = d[RATES].edge_index
        graphs.append(d)
    batch = Batch.from_data_list(graphs)
    out = UniformNegativeSampler(2, seed=0)(batch, edge_types=[RATES], rev_edge_types=[REV])
    store = out[RATES]
    neg = store.edge_label_index[:, store.edge_label == 0]
    assert torch.equal(batch["user"].batch[neg[0]], batch["item"].batch[neg[1]])


def test_negative_sampling_transform_in_a_compose_pipeline_and_to_sparse_tensor():
    data = _ratings()
    t = T.Compose([T.ToSparseTensor(), NegativeSampling(
        "uniform", num_neg=2, seed=0, edge_types=[RATES], rev_edge_types=[REV])])
    train, _, _ = _split(data)
    out = t(train)
    plain = NegativeSampling("uniform", num_neg=2, seed=0, edge_types=[RATES],
                             rev_edge_types=[REV])(train)
    assert torch.equal(out[RATES].edge_label_index, plain[RATES].edge_label_index)
    with pytest.raises(ValueError, match="'existing_negatives' parameter of NegativeSampling"):
        NegativeSampling("uniform", existing_negatives="x")


def test_user_item_example_trains_end_to_end():
    # two communities: users rate items of their own community; a to_hetero GNN learns it
    from torch_geometric.nn import SAGEConv, to_hetero

    from graphneg.evaluation import roc_auc
    g = torch.Generator().manual_seed(0)
    nu, ni = 40, 40
    cu, ci = torch.arange(nu) % 2, torch.arange(ni) % 2
    u = torch.randint(nu, (320,), generator=g)
    i = torch.randint(ni // 2, (320,), generator=g) * 2 + cu[u]
    data = HeteroData()
    data["user"].x = torch.randn(nu, 8, generator=g)
    data["item"].x = torch.randn(ni, 8, generator=g)
    data[RATES].edge_index = torch.unique(torch.stack([u, i]), dim=1)
    data = T.ToUndirected()(data)
    with torch.random.fork_rng():     # RandomLinkSplit draws from the global RNG: fix the split
        torch.manual_seed(0)
        train, val, _ = _split(data)

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = SAGEConv((-1, -1), 16), SAGEConv((-1, -1), 16)

        def forward(self, x, edge_index):
            return self.conv2(self.conv1(x, edge_index).relu(), edge_index)

    with torch.random.fork_rng(), torch.no_grad():        # the layers' init, global RNG untouched
        torch.manual_seed(0)
        model = to_hetero(Encoder(), train.metadata(), aggr="sum")
        model(train.x_dict, train.edge_index_dict)        # lazy shapes: initialised here
    sampler = NegativeSampling("uniform", num_neg=1, seed=0, edge_types=[RATES],
                               rev_edge_types=[REV])
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    def scores(z, index):
        return (z["user"][index[0]] * z["item"][index[1]]).sum(-1)

    losses = []
    for _ in range(40):
        batch = sampler(train)                            # fresh negatives every epoch
        z = model(batch.x_dict, batch.edge_index_dict)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            scores(z, batch[RATES].edge_label_index), batch[RATES].edge_label)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    with torch.no_grad():
        z = model(val.x_dict, val.edge_index_dict)
        s = scores(z, val[RATES].edge_label_index)
    assert losses[-1] < 0.8 * losses[0]
    label = val[RATES].edge_label
    # chance 0.5; a few dozen validation positives (s.e. of the AUC ~0.05): with the same
    # split, negatives and initial weights, runs in different process states gave 0.64-0.81
    assert roc_auc(s[label == 1], s[label == 0]) > 0.6


def test_held_out_edges_of_hetero_splits_are_excluded_per_edge_type():
    from graphneg.samplers import held_out_edges
    data = _ratings(num_users=5, num_items=5, num_edges=18, seed=4)
    train, val, test = T.RandomLinkSplit(num_val=0.2, num_test=0.2, edge_types=[RATES],
                                         rev_edge_types=[REV],
                                         add_negative_train_samples=False)(data)
    held = held_out_edges(val, test)
    assert set(held) == {RATES}
    out = UniformNegativeSampler(10, seed=0)(train, edge_types=[RATES], rev_edge_types=[REV],
                                             exclude_edge_index=held)
    store = out[RATES]
    neg = store.edge_label_index[:, store.edge_label == 0]
    assert not set(map(tuple, held[RATES].t().tolist())) & set(map(tuple, neg.t().tolist()))


def test_hetero_softmax_law_reads_embeddings_per_node_type():
    # Pr[j | u] ∝ exp(z_user[u] · z_item[j]) over the items u has not rated
    data = _ratings(num_users=4, num_items=7, num_edges=10, seed=3)
    ei = data[RATES].edge_index
    user = int(ei[0, 0])
    g = torch.Generator().manual_seed(5)
    z = {"user": torch.randn(4, 3, generator=g), "item": torch.randn(7, 3, generator=g)}
    data[RATES].edge_label_index = ei[:, :1].repeat(1, 4000)
    out = get_sampler("softmax", num_neg=6, seed=0)(data, edge_types=[RATES],
                                                    rev_edge_types=[REV], z=z)
    neg = out[RATES].edge_label_index[:, 4000:]
    rated = set(ei[1, ei[0] == user].tolist())
    w = (z["item"].double() @ z["user"][user].double()).exp()
    probs = torch.tensor([0.0 if j in rated else float(w[j]) for j in range(7)])
    assert_distribution(neg[1], probs)
