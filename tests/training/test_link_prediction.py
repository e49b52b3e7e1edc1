"""Trainer loop and link-prediction trainer: learning, resume, checkpoints, hooks, errors."""
import os

import pytest
import torch
import torch_geometric.transforms as T
from graphneg.generators import barabasi_albert, stochastic_block_model

from graphneg.edges import EdgeSet
from graphneg.samplers import UniformNegativeSampler
from graphneg.training import CHECKPOINT_NAME, LinkPredictionTrainer, Trainer

TIME_COLUMNS = ["wall_time_s", "elapsed_s", "sampler_time_s"]


def _metrics(hist):
    return hist.drop(columns=[c for c in TIME_COLUMNS if c in hist])


class _Kill(Exception):
    pass


class KilledTrainer(LinkPredictionTrainer):
    """Raises after the checkpoint of epoch ``kill_at`` is written (a simulated kill)."""
    kill_at = None

    def on_epoch_end(self, epoch, row):
        if epoch == self.kill_at:
            raise _Kill


def test_beats_random_on_block_model():
    # Four dense blocks: held-out edges lie inside blocks, while 3/4 of uniform
    # negatives cross blocks, so a block-aware scorer reaches AUC ≈ 1 - 1/8;
    # a random scorer has AUC 0.5. (With two blocks the Bayes limit is ≈ 0.75.)
    data = stochastic_block_model([30] * 4, [[0.5 if i == j else 0.01 for j in range(4)]
                                             for i in range(4)], seed=0)
    trainer = LinkPredictionTrainer(data, epochs=40, seed=0, verbose=False)
    trainer.fit()
    assert trainer.test()["auc"] > 0.8


@pytest.mark.parametrize("sampler,dropout", [("uniform", 0.3), ("dns", 0.0)])
def test_resume_is_bit_for_bit(tmp_path, sampler, dropout):
    data = barabasi_albert(80, 3, seed=1)
    kw = dict(sampler=sampler, epochs=6, seed=3, verbose=False, dropout=dropout, patience=4)
    full = LinkPredictionTrainer(data, **kw)
    hist_full = full.fit()

    killed = KilledTrainer(data, checkpoint_dir=tmp_path, **kw)
    killed.kill_at = 3
    with pytest.raises(_Kill):
        killed.fit()
    assert os.path.exists(tmp_path / CHECKPOINT_NAME)
    resumed = LinkPredictionTrainer(data, checkpoint_dir=tmp_path, **kw)
    hist_resumed = resumed.fit(resume=True)

    assert _metrics(hist_resumed).equals(_metrics(hist_full))
    for (k, a), (_, b) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        assert torch.equal(a, b), k
    assert resumed.best_epoch == full.best_epoch
    assert resumed.test() == full.test()
    # resuming a finished run returns it unchanged
    again = LinkPredictionTrainer(data, checkpoint_dir=tmp_path, **kw).fit(resume=True)
    assert _metrics(again).equals(_metrics(hist_full))


def test_same_seed_same_history_and_global_rng_untouched():
    data = barabasi_albert(60, 2, seed=0)
    state = torch.get_rng_state()
    h1 = LinkPredictionTrainer(data, epochs=3, seed=5, verbose=False, dropout=0.2).fit()
    assert torch.equal(torch.get_rng_state(), state)
    h2 = LinkPredictionTrainer(data, epochs=3, seed=5, verbose=False, dropout=0.2).fit()
    assert _metrics(h1).equals(_metrics(h2))
    h3 = LinkPredictionTrainer(data, epochs=3, seed=6, verbose=False, dropout=0.2).fit()
    assert not _metrics(h1).equals(_metrics(h3))


def test_history_columns_and_ranges():
    data = barabasi_albert(60, 2, seed=0)
    hist = LinkPredictionTrainer(data, epochs=3, seed=0, verbose=False, hits_k=(1, 5)).fit()
    expected = {"epoch", "loss", "eta", "hard_negative_rate", "impossible_anchor_ratio",
                "sampler_time_s", "sampler_requested", "sampler_drawn", "val_auc", "val_ap",
                "val_mrr", "val_hits@1", "val_hits@5", "wall_time_s", "elapsed_s"}
    assert expected <= set(hist.columns)
    assert hist["epoch"].tolist() == [1, 2, 3]
    assert hist["hard_negative_rate"].between(0, 1).all() and (hist["eta"] > 0).all()
    assert (hist["sampler_drawn"] == hist["sampler_requested"]).all()


def test_early_stopping_restores_best_weights():
    data = barabasi_albert(80, 3, seed=0)
    trainer = LinkPredictionTrainer(data, epochs=60, patience=3, seed=0, verbose=False)
    hist = trainer.fit()
    assert trainer.stopped_early and len(hist) < 60
    assert len(hist) - trainer.best_epoch == 3
    with trainer.rng_scope():
        assert trainer.evaluate("val")["auc"] == hist["val_auc"].max()


class RecordingSampler(UniformNegativeSampler):
    """Unregistered test double: records hook calls, the z it gets and its negatives."""
    requires = ("z",)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.calls, self.zs, self.negs = [], [], []

    def on_epoch_start(self, *, z, epoch, step):
        self.calls.append((epoch, step, tuple(z.shape)))

    def sample(self, edge_index, num_nodes=None, **kw):
        self.zs.append(kw.pop("z"))
        out = super().sample(edge_index, num_nodes, **kw)
        self.negs.append((out[0] if isinstance(out, tuple) else out).clone())
        return out


def test_sampler_hooks_embeddings_and_held_out_exclusion():
    data = barabasi_albert(50, 4, seed=2)
    sampler = RecordingSampler(3, seed=0, on_impossible="drop")
    trainer = LinkPredictionTrainer(data, sampler=sampler, epochs=4, seed=0, verbose=False,
                                    out_channels=16)
    trainer.fit()
    assert sampler.calls == [(1, 0, (50, 16)), (2, 1, (50, 16)), (3, 2, (50, 16)),
                             (4, 3, (50, 16))]
    assert all(z.shape == (50, 16) and not z.requires_grad for z in sampler.zs)
    held_out = EdgeSet([trainer._exclude], 50)
    train_edges = EdgeSet([trainer._mp["train"]], 50)
    for neg in sampler.negs:
        assert not held_out.contains(neg[0], neg[1]).any()
        assert not train_edges.contains(neg[0], neg[1]).any()


def test_accepts_a_random_link_split_and_ignores_its_negatives():
    data = barabasi_albert(60, 3, seed=0)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        split = T.RandomLinkSplit(num_val=0.1, num_test=0.1, is_undirected=True,
                                  add_negative_train_samples=False)(data)
    trainer = LinkPredictionTrainer(split, epochs=2, seed=0, verbose=False, eval_num_neg=5)
    trainer.fit()
    pos, neg = trainer._eval["val"]
    num_val = int(split[1].edge_label.sum())
    assert pos.size(1) == 2 * num_val and neg.size(1) == 5 * pos.size(1)


def test_custom_module_encoder_and_callable_loss():
    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(8, 4)

        def forward(self, x, edge_index):
            return self.lin(x)

    calls = []

    def loss(pos, neg):
        calls.append(neg.shape)
        return -torch.nn.functional.logsigmoid(pos).mean() - torch.nn.functional.logsigmoid(-neg).mean()

    data = barabasi_albert(40, 2, seed=0)
    trainer = LinkPredictionTrainer(data, encoder=MLP(), hidden_channels=8, loss=loss, num_neg=2,
                                    epochs=2, seed=0, verbose=False)
    trainer.fit()
    assert len(calls) == 2 and calls[0][1] == 2


def test_atomic_checkpoint_survives_a_failed_write(tmp_path, monkeypatch):
    data = barabasi_albert(40, 2, seed=0)
    trainer = LinkPredictionTrainer(data, epochs=2, seed=0, verbose=False, checkpoint_dir=tmp_path)
    trainer.fit()
    path = tmp_path / CHECKPOINT_NAME
    before = path.read_bytes()

    def broken_save(obj, fh, *a, **kw):
        fh.write(b"partial")
        raise OSError("disk full")
    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        trainer.save_checkpoint(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [CHECKPOINT_NAME]


def test_loop_base_errors():
    class NoModel(Trainer):
        def train_step(self, epoch):
            return {}
    with pytest.raises(RuntimeError, match="must set self.model and self.optimizer"):
        NoModel(epochs=1, verbose=False).fit()

    class Plain(Trainer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.model = torch.nn.Linear(1, 1)
            self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.1)

        def train_step(self, epoch):
            return {"loss": 1.0}
    with pytest.raises(KeyError, match="monitored key 'val_auc' is not in the epoch row"):
        Plain(epochs=1, verbose=False, monitor="val_auc").fit()
    with pytest.raises(ValueError, match="'resume' parameter of Plain needs a checkpoint_dir"):
        Plain(epochs=1, verbose=False).fit(resume=True)
    with pytest.raises(ValueError, match=r"'patience' parameter of Plain must be an int in \[1, inf\)"):
        Plain(epochs=1, patience=0)
    with pytest.raises(ValueError, match="'monitor_mode' parameter of Plain must be one of"):
        Plain(epochs=1, monitor_mode="up")
    assert Plain(epochs=2, verbose=False).fit()["loss"].tolist() == [1.0, 1.0]


def test_link_prediction_bad_input():
    data = barabasi_albert(30, 2, seed=0)
    with pytest.raises(ValueError, match="The 'encoder' parameter of LinkPredictionTrainer must "
                                         "be a registered encoder: 'gcn', 'sage'. Got 'gat'"):
        LinkPredictionTrainer(data, encoder="gat", verbose=False)
    with pytest.raises(ValueError, match="Unknown sampler 'nope'"):
        LinkPredictionTrainer(data, sampler="nope", verbose=False)
    with pytest.raises(TypeError, match="'sampler' parameter of LinkPredictionTrainer must be"):
        LinkPredictionTrainer(data, sampler=3, verbose=False)
    with pytest.raises(ValueError, match=r"'epochs' parameter of LinkPredictionTrainer must be an int in \[1, inf\). Got 0"):
        LinkPredictionTrainer(data, epochs=0, verbose=False)
    with pytest.raises(ValueError, match="must sample per anchor"):
        LinkPredictionTrainer(data, sampler=UniformNegativeSampler(5, mode="pairs"), verbose=False)
    with pytest.raises(ValueError, match="'features' parameter is 'x' but the graph has no node"):
        LinkPredictionTrainer(data, features="x", verbose=False)
    with pytest.raises(ValueError, match="'loss' parameter of LinkPredictionTrainer must be one of"):
        LinkPredictionTrainer(data, loss="hinge", verbose=False)
    with pytest.raises(TypeError, match="'data' parameter of LinkPredictionTrainer must be"):
        LinkPredictionTrainer(torch.zeros(3), verbose=False)
    split = T.RandomLinkSplit(num_val=0.1, num_test=0.1, is_undirected=True,
                              add_negative_train_samples=False)(data)
    train = split[0].clone()
    train.edge_label_index = train.edge_label_index[:, :0]
    train.edge_label = train.edge_label[:0]
    with pytest.raises(ValueError, match="training split has no positive edges"):
        LinkPredictionTrainer((train, split[1], split[2]), verbose=False)
    with pytest.raises(ValueError, match="triple. Got a sequence of length 2"):
        LinkPredictionTrainer(split[:2], verbose=False)


def test_common_neighbors_index_matches_the_function():
    from graphneg.diagnostics import (
        CommonNeighbors,
        common_neighbor_counts,
        hard_negative_rate,
    )
    data = barabasi_albert(200, 3, seed=4)
    pairs = torch.randint(200, (2, 500), generator=torch.Generator().manual_seed(0))
    cn = CommonNeighbors(data.edge_index, 200)
    assert torch.equal(cn.counts(pairs), common_neighbor_counts(data.edge_index, pairs, 200))
    for k in (1, 2, 3):
        assert cn.hard_negative_rate(pairs, k) == hard_negative_rate(data.edge_index, pairs, 200,
                                                                      min_common=k)
    with pytest.raises(ValueError, match=r"'pairs' parameter of CommonNeighbors must hold node ids in \[0, 200\)"):
        cn.counts(torch.tensor([[0], [200]]))
    with pytest.raises(ValueError, match=r"'min_common' parameter of CommonNeighbors must be an int in \[1, inf\)"):
        cn.hard_negative_rate(pairs, 0)


def test_hard_negative_rate_subsample_is_close_to_exact():
    data = barabasi_albert(300, 4, seed=0)
    kw = dict(epochs=2, seed=0, verbose=False, num_neg=5)
    exact = LinkPredictionTrainer(data, diagnostics_max_pairs=None, **kw).fit()
    sub = LinkPredictionTrainer(data, diagnostics_max_pairs=2000, **kw).fit()
    # 5 * 2 * 0.8 * 1190 ≈ 9500 negatives > 2000: subsampled; s.e. <= 0.5 / sqrt(2000) ≈ 0.011
    assert (sub["hard_negative_rate"] - exact["hard_negative_rate"]).abs().max() < 0.045
    assert sub["loss"].tolist() == exact["loss"].tolist()  # training itself is unaffected


def test_recorded_eta_equals_sampling_efficiency_of_the_epoch():
    from graphneg.diagnostics import efficiency_from_scores, sampling_efficiency
    g = torch.Generator().manual_seed(0)
    z = torch.randn(30, 8, generator=g)
    pos, neg = torch.randint(30, (2, 40), generator=g), torch.randint(30, (2, 120), generator=g)
    ps, ns = (z[pos[0]] * z[pos[1]]).sum(1), (z[neg[0]] * z[neg[1]]).sum(1)
    assert efficiency_from_scores(z, pos, neg, ps, ns.view(40, 3)) == pytest.approx(
        sampling_efficiency(z, pos, neg), rel=1e-6)
    with pytest.raises(ValueError, match="got 40 positive and 119 negative scores"):
        efficiency_from_scores(z, pos, neg, ps, ns[:-1])


def test_node_attributes_reach_attribute_samplers():
    # the spatial sampler reads lat/lon from the training Data: the trainer forwards them
    from conftest import random_graph
    from torch_geometric.data import Data

    from graphneg.samplers import SpatialNegativeSampler
    from graphneg.training import LinkPredictionTrainer

    n = 40
    g = torch.Generator().manual_seed(0)
    data = Data(edge_index=random_graph(n, 120, seed=0), num_nodes=n,
                lat=torch.rand(n, generator=g) * 40, lon=torch.rand(n, generator=g) * 60)
    sampler = SpatialNegativeSampler(2, tau_km=300.0, seed=0, on_impossible="drop")
    trainer = LinkPredictionTrainer(data, sampler=sampler, epochs=2, verbose=False, seed=0)
    assert torch.equal(trainer._train_data.lat, data.lat)
    history = trainer.fit()
    assert len(history) == 2 and history["loss"].notna().all()


class SiteReader(UniformNegativeSampler):
    """Unregistered test double: declares one node attribute and records what it sees."""
    requires = ("site",)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.seen = []

    def forward(self, data, **kw):
        self.seen.append((sorted(data.keys()), sorted(kw)))
        return super().forward(data, **kw)


def test_only_declared_inputs_reach_the_sampler():
    # the trainer reads sampler.requires: "site" is forwarded from the training Data,
    # "other" (not declared) is not, and z is passed only to samplers that require it
    from support.graphs import random_graph
    from torch_geometric.data import Data

    n = 40
    data = Data(edge_index=random_graph(n, 100, seed=3), num_nodes=n,
                site=torch.arange(n) % 3, other=torch.zeros(n))
    sampler = SiteReader(2, seed=0, on_impossible="drop")
    trainer = LinkPredictionTrainer(data, sampler=sampler, epochs=2, verbose=False, seed=0)
    assert torch.equal(trainer._train_data.site, data.site)
    assert "other" not in trainer._train_data.keys()
    trainer.fit()
    keys, kwargs = sampler.seen[0]
    assert "site" in keys and "other" not in keys
    assert kwargs == ["exclude_edge_index"]                 # no z: not in requires
    plain = LinkPredictionTrainer(data, epochs=1, verbose=False, seed=0)
    assert "site" not in plain._train_data.keys()           # uniform requires nothing


def test_both_directions_flag_controls_positive_count():
    from conftest import random_graph
    from torch_geometric.data import Data

    from graphneg.training import LinkPredictionTrainer

    data = Data(edge_index=random_graph(40, 100, seed=2), num_nodes=40)
    both = LinkPredictionTrainer(data, epochs=1, verbose=False, seed=0)
    one = LinkPredictionTrainer(data, epochs=1, verbose=False, seed=0, both_directions=False)
    p_both = both._train_data.edge_label_index
    p_one = one._train_data.edge_label_index
    assert p_both.size(1) == 2 * p_one.size(1)
    assert torch.equal(p_both[:, p_one.size(1):], p_one.flip(0))
    hist = one.fit()
    assert int(hist["sampler_drawn"].iloc[0]) == p_one.size(1)
    with pytest.raises(TypeError, match="'both_directions' parameter"):
        LinkPredictionTrainer(data, epochs=1, verbose=False, both_directions="yes")


def test_an_unknown_monitor_fails_at_construction_before_any_epoch():
    import pytest
    from graphneg.datasets import load_graph
    from graphneg.training import LinkPredictionTrainer
    from graphneg.training.loop import MonitorKeyError
    with pytest.raises(MonitorKeyError, match="'monitor' parameter of LinkPredictionTrainer"):
        LinkPredictionTrainer(load_graph("karate"), monitor="bogus", verbose=False)
    for ok in ("val_mrr", "val_hits@10", "loss", "sampler_drawn"):  # row keys are accepted
        LinkPredictionTrainer(load_graph("karate"), monitor=ok, epochs=1, verbose=False)
    trainer = LinkPredictionTrainer(load_graph("karate"), monitor="val_hits@3", hits_k=(3,),
                                    epochs=1, verbose=False)
    assert "val_hits@3" in trainer.fit().columns
