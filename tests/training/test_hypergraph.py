"""HyperedgeContrastiveTrainer: learning on a planted hypergraph, gradients, resume, errors."""
import pytest
import torch
from graphneg.generators import planted_hypergraph

from graphneg.diagnostics import contrastive_efficiency, contrastive_gradient_parts
from graphneg.losses import info_nce
from graphneg.models.hypergraph import pool_hyperedges
from graphneg.training.hypergraph import HyperedgeContrastiveTrainer, member_dropout

PLANTED = planted_hypergraph(120, 400, 6, size_distribution=[3, 4, 5], mixing_prob=0.2, seed=0)
SMALL = dict(hidden_channels=16, out_channels=16, verbose=False)


@pytest.mark.parametrize("sampler,kwargs", [("maxent", {"beta": 1.0}), ("sized", {})])
def test_trainer_beats_random_on_planted_hypergraph(sampler, kwargs):
    tr = HyperedgeContrastiveTrainer(PLANTED, sampler=sampler, sampler_kwargs=kwargs, epochs=30,
                                     seed=0, **SMALL)
    with tr.rng_scope():
        untrained = tr.evaluate("test")
    hist = tr.fit()
    assert len(hist) == 30
    assert hist["loss"].iloc[-5:].mean() < 0.6 * hist["loss"].iloc[0]
    test = tr.test()
    # a random scorer has AUC 0.5 and AP 1/6 (5 sized negatives per positive); the
    # untrained encoder already smooths embeddings within blocks, training must add to it
    assert test["auc"] > 0.85 and test["ap"] > 0.6
    assert test["auc"] > untrained["auc"] + 0.05
    for col in ("eta", "neg_mean_size", "neg_mean_overlap", "val_auc", "val_ap",
                "sampler_requested", "sampler_dropped"):
        assert col in hist.columns


def test_gradient_parts_sum_to_autograd_of_info_nce():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(5, 4, generator=g, dtype=torch.double)
    p = torch.randn(5, 4, generator=g, dtype=torch.double)
    n = torch.randn(5, 3, 4, generator=g, dtype=torch.double)
    g_pos, g_neg = contrastive_gradient_parts(a, p, n, 0.3)
    a_req = a.clone().requires_grad_(True)
    info_nce(a_req, p, n, 0.3, similarity="cosine", reduction="sum").backward()
    torch.testing.assert_close(g_pos + g_neg, a_req.grad, rtol=1e-6, atol=1e-6)
    eta = contrastive_efficiency(a, p, n, 0.3)
    assert abs(eta - float(g_neg.norm(dim=1).mean() / g_pos.norm(dim=1).mean())) < 1e-12


def test_member_dropout_and_pooling():
    h = torch.tensor([[0, 1, 2, 3, 4], [0, 0, 0, 1, 1]])
    gen = torch.Generator().manual_seed(0)
    for prob in (0.0, 0.5, 0.99):
        view = member_dropout(h, prob, gen)
        assert torch.bincount(view[1], minlength=2).min() >= 1
        keys = set(map(tuple, h.t().tolist()))
        assert set(map(tuple, view.t().tolist())) <= keys
    assert member_dropout(h, 0.0, gen).equal(h)
    z = torch.arange(10.0).view(5, 2)
    torch.testing.assert_close(pool_hyperedges(z, h, pool="sum"),
                               torch.stack([z[:3].sum(0), z[3:].sum(0)]))
    torch.testing.assert_close(pool_hyperedges(z, h, pool="max"), torch.stack([z[2], z[4]]))


def test_same_seed_same_history_and_resume(tmp_path):
    kw = dict(epochs=4, seed=3, **SMALL)
    full = HyperedgeContrastiveTrainer(PLANTED, **kw).fit()

    class Killed(HyperedgeContrastiveTrainer):
        def on_epoch_end(self, epoch, row):
            if epoch == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Killed(PLANTED, checkpoint_dir=tmp_path, **kw).fit()
    resumed = HyperedgeContrastiveTrainer(PLANTED, checkpoint_dir=tmp_path, **kw).fit(resume=True)
    assert resumed["loss"].tolist() == full["loss"].tolist()
    assert resumed["val_auc"].tolist() == full["val_auc"].tolist()


def test_trainer_errors():
    with pytest.raises(TypeError, match="'sampler' parameter of HyperedgeContrastiveTrainer"):
        HyperedgeContrastiveTrainer(PLANTED, sampler=3, **SMALL)
    with pytest.raises(ValueError, match="Unknown hyperedge sampler 'uniform'"):
        HyperedgeContrastiveTrainer(PLANTED, sampler="uniform", **SMALL)
    with pytest.raises(ValueError, match="'pool' parameter .* one of 'mean', 'sum', 'max'"):
        HyperedgeContrastiveTrainer(PLANTED, pool="median", **SMALL)
    with pytest.raises(ValueError, match="'temperature' parameter"):
        HyperedgeContrastiveTrainer(PLANTED, temperature=0.0, **SMALL)
    bad = planted_hypergraph(20, 5, 2, seed=0)
    bad.edge_index = torch.tensor([[0, 1], [0, 2]])
    with pytest.raises(ValueError, match="empty hyperedges"):
        HyperedgeContrastiveTrainer(bad, **SMALL)
    with pytest.raises(ValueError, match="leave no training hyperedge"):
        HyperedgeContrastiveTrainer(PLANTED, val_ratio=0.5, test_ratio=0.5, **SMALL)
