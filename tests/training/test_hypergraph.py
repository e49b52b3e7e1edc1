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


def test_negative_softmax_weight_is_the_info_nce_gradient_on_the_negatives():
    from graphneg.training.hypergraph import negative_softmax_weight
    g = torch.Generator().manual_seed(1)
    a = torch.randn(6, 4, generator=g, dtype=torch.double)
    p = torch.randn(6, 4, generator=g, dtype=torch.double)
    n = torch.randn(6, 3, 4, generator=g, dtype=torch.double)
    tau = 0.3
    # gradient of the summed loss w.r.t. each negative logit l_k = s(a, n_k) / tau
    an = torch.nn.functional.normalize(a, dim=-1)
    s_neg = torch.einsum("bd,bkd->bk", an, torch.nn.functional.normalize(n, dim=-1))
    logit = (s_neg / tau).requires_grad_(True)
    pos = (an * torch.nn.functional.normalize(p, dim=-1)).sum(-1, keepdim=True) / tau
    loss = (torch.logsumexp(torch.cat([pos, logit], 1), 1) - pos[:, 0]).sum()
    loss.backward()
    assert torch.allclose(loss / 6, info_nce(a, p, n, tau, similarity="cosine"))
    mass, top = negative_softmax_weight(a, p, n, tau)
    w = logit.grad
    assert mass == pytest.approx(float(w.sum(1).mean()), abs=1e-12)
    assert top == pytest.approx(float((w.max(1).values / w.sum(1)).mean()), abs=1e-12)


def test_sampler_runs_as_a_transform_and_eval_protocols_never_hold_a_true_hyperedge(
        monkeypatch):
    from graphneg.hyperedges import HyperedgeSet, hyperedge_sizes
    from graphneg.samplers.hyperedge import HyperedgeSampler
    calls = []
    real = HyperedgeSampler.forward
    monkeypatch.setattr(HyperedgeSampler, "forward",
                        lambda self, data, **kw: calls.append(type(data).__name__)
                        or real(self, data, **kw))
    tr = HyperedgeContrastiveTrainer(PLANTED, sampler="maxent",
                                     sampler_kwargs={"candidates": "sized"}, epochs=2, seed=0,
                                     eval_num_neg=3, **SMALL)
    hist = tr.fit()
    assert calls == ["HyperGraphData"] * 2
    assert {"neg_weight", "neg_weight_top", "val_hard_auc", "val_hard_mrr"} <= set(hist.columns)
    true = HyperedgeSet(PLANTED.edge_index, int(PLANTED.num_nodes))
    for split in ("val", "test"):
        sets = tr.evaluation_sets(split)
        assert set(sets) == {"", "hard_"}
        for prefix, (pos, neg) in sets.items():
            p = int(hyperedge_sizes(pos).numel())
            assert int(hyperedge_sizes(neg).numel()) == 3 * p           # K per positive
            assert not bool(true.contains(neg).any())                   # never a true hyperedge
            assert bool(true.contains(pos).all())
        # the hard protocol swaps one member: overlap (s - 1) / (s + 1) with its positive
        pos, neg = sets["hard_"]
        a = torch.zeros(p, PLANTED.num_nodes)
        a[pos[1], pos[0]] = 1
        b = torch.zeros(3 * p, PLANTED.num_nodes)
        b[neg[1], neg[0]] = 1
        inter = (a.repeat_interleave(3, 0) * b).sum(1)
        size = a.sum(1).repeat_interleave(3)
        assert torch.equal(inter, size - 1)
    m = tr.test()
    assert 0 <= m["hard_mrr"] <= 1 and 0 <= m["mrr"] <= 1
