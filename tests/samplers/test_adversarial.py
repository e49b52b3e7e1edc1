"""AdversarialNegativeSampler: exact q_θ, unbiased REINFORCE, penalty, collapse, errors."""
import matplotlib.pyplot as plt
import pytest
import torch
from graphneg.analysis.adversarial import collapse_experiment, plot_collapse
from support.graphs import random_graph
from support.reference import assert_distribution, chi_square_pvalue

from graphneg.edges import EdgeSet
from graphneg.samplers import (
    AdversarialNegativeSampler,
    collapse_stats,
    negative_reward,
)

N = 6
EI = torch.tensor([[0, 1, 2, 3], [1, 0, 3, 2]])
POS = torch.tensor([[0], [1]])
VALID0 = torch.tensor([2, 3, 4, 5])  # C(0)


def _softmax_over(theta, anchor, nodes, tau=1.0):
    w = torch.zeros(theta.size(0), dtype=torch.double)
    w[nodes] = torch.softmax((theta[nodes] @ theta[anchor]).double() / tau, 0)
    return w


@pytest.mark.parametrize("fallback_ratio", [0.0, 1.0])  # rejection path / exact path
def test_full_softmax_distribution(fallback_ratio):
    s = AdversarialNegativeSampler(30000, embedding_dim=3, init_std=0.8, temperature=0.7,
                                   seed=0, fallback_ratio=fallback_ratio)
    neg = s.sample(EI, N, pos_edge_index=POS)
    theta = s.theta.detach()
    probs = _softmax_over(theta, 0, VALID0, tau=0.7)
    assert float(probs.max()) > 0.35  # far from uniform: the test has power
    assert_distribution(neg[1], probs)
    assert chi_square_pvalue(neg[1], (probs > 0).double()) < 1e-3


def test_candidate_set_distribution():
    # S(u) is fixed within a call: q = softmax over S(u) ∩ C(u) with multiplicity
    ei = random_graph(40, 60, seed=3)
    s = AdversarialNegativeSampler(30000, embedding_dim=3, init_std=0.8, num_candidates=6,
                                   seed=1)
    anchor = int(ei[0, 0])
    pos = torch.tensor([[anchor], [int(ei[1, 0])]])
    neg = s.sample(ei, 40, pos_edge_index=pos)
    ep = s._episode
    cand = ep["idx"][0][ep["valid"][0]]
    theta = s.theta.detach()
    w = torch.zeros(40, dtype=torch.double)
    w.index_add_(0, cand, torch.exp((theta[cand] @ theta[anchor]).double()))
    assert int((w > 0).sum()) >= 2
    assert_distribution(neg[1], w / w.sum())
    # every drawn negative is valid
    assert not bool(EdgeSet([ei, pos], 40).contains(neg[0], neg[1]).any())


@pytest.mark.parametrize("baseline", [0.0, 0.8])
def test_reinforce_estimator_unbiased(baseline):
    """Mean of the REINFORCE estimate = exact ∇ of E_q[r] (enumerated), within 5 SE."""
    m, num_batches = 40000, 20
    s = AdversarialNegativeSampler(m, embedding_dim=3, init_std=0.8, seed=2)
    neg = s.sample(EI, N, pos_edge_index=POS)
    r_node = torch.tensor([0.0, 0.0, 1.0, -0.5, 2.0, 0.3])
    reward = r_node[neg[1]]
    # exact gradient of the generator loss -J(θ), J = Σ_{n∈C(0)} q_θ(n|0) r(n)
    theta = s.theta
    q = torch.softmax(theta[VALID0] @ theta[0], 0)
    exact, = torch.autograd.grad(-(q * r_node[VALID0]).sum(), theta)
    # batch estimates with the baseline folded into the reward (generator_loss b = 0)
    batch = torch.arange(m) % num_batches
    est = []
    for b in range(num_batches):
        rb = (reward - baseline) * (batch == b).float() * num_batches
        loss, _ = s.generator_loss(rb, baseline=0.0)
        est.append(torch.autograd.grad(loss, theta)[0])
    est = torch.stack(est)
    mean, se = est.mean(0), est.std(0) / num_batches ** 0.5
    assert float(exact.norm()) > 20 * float(se.max())  # the check can fail
    assert bool(((mean - exact).abs() <= 5 * se + 1e-7).all()), (mean - exact).abs().max()
    # the sampler's own call with the same baseline equals the batch mean
    loss, _ = s.generator_loss(reward, baseline=baseline)
    full, = torch.autograd.grad(loss, theta)
    assert torch.allclose(full, mean, rtol=1e-3, atol=1e-4)  # float32 sums


def test_baseline_reduces_variance():
    m, num_batches = 20000, 20
    s = AdversarialNegativeSampler(m, embedding_dim=3, init_std=0.8, seed=3)
    neg = s.sample(EI, N, pos_edge_index=POS)
    reward = torch.tensor([0.0, 0.0, 3.0, 2.5, 4.0, 3.3])[neg[1]]
    batch = torch.arange(m) % num_batches
    spread = {}
    for b0 in (0.0, float(reward.mean())):
        est = torch.stack([torch.autograd.grad(
            s.generator_loss((reward - b0) * (batch == b).float() * num_batches,
                             baseline=0.0)[0], s.theta)[0] for b in range(num_batches)])
        spread[b0] = float(est.std(0).norm())
    zero, mean = spread.values()
    assert mean < 0.5 * zero


def test_penalty_and_entropy_terms():
    s = AdversarialNegativeSampler(5, embedding_dim=3, init_std=0.8, seed=4, penalty=0.3,
                                   entropy_bonus=0.0)
    neg = s.sample(EI, N, pos_edge_index=POS)
    loss, info = s.generator_loss(torch.zeros(neg.size(1)), baseline=0.0)
    grad, = torch.autograd.grad(loss, s.theta)
    assert torch.allclose(grad, 2 * 0.3 * s.theta.detach(), atol=1e-6)  # ∇ λ‖θ‖² = 2λθ
    assert info["penalty"] == pytest.approx(float(s.theta.detach().pow(2).sum()), rel=1e-6)
    q = torch.softmax((s.theta.detach()[VALID0] @ s.theta.detach()[0]).double(), 0)
    assert info["entropy"] == pytest.approx(float(-(q * q.log()).sum()), rel=1e-5)
    s.entropy_bonus = 0.5
    loss_b, _ = s.generator_loss(torch.zeros(neg.size(1)), baseline=0.0)
    assert float((loss - loss_b).detach()) == pytest.approx(0.5 * info["entropy"], rel=1e-5)


def test_update_moves_generator_toward_reward_and_tracks_baseline():
    s = AdversarialNegativeSampler(200, embedding_dim=3, seed=5, lr=0.1, baseline_decay=0.5)
    r_node = torch.tensor([0.0, 0.0, 0.0, 0.0, 5.0, 0.0])
    before = None
    for step in range(30):
        neg = s.sample(EI, N, pos_edge_index=POS)
        if before is None:
            before = float((neg[1] == 4).double().mean())
        info = s.update(r_node[neg[1]])
        if step == 0:
            assert info["baseline"] == 0.0
            assert s.baseline == pytest.approx(0.5 * info["reward_mean"])
    after = float((s.sample(EI, N, pos_edge_index=POS)[1] == 4).double().mean())
    assert after > 0.8 > before
    # update from discriminator embeddings: reward = softplus(z_u · z_n)
    z = torch.randn(N, 2)
    neg = s.sample(EI, N, pos_edge_index=POS)
    info = s.update(z=z)
    assert info["reward_mean"] == pytest.approx(float(negative_reward(z, neg).mean()), rel=1e-6)
    assert s.num_updates == 31


def test_collapse_stats_closed_form():
    neg = torch.tensor([[0, 0, 0, 1, 1, 2], [5, 5, 6, 5, 7, 8]])
    out = collapse_stats(neg, 100, top_ratio=0.02)   # top 2 nodes: 5 (x3), then one of x1
    assert out == {"distinct_per_anchor": pytest.approx(5 / 3), "top_share": pytest.approx(4 / 6)}
    with pytest.raises(ValueError, match=r"'top_ratio' parameter of collapse_stats must be a "
                                         r"finite float in \(0, 1\]"):
        collapse_stats(neg, 100, top_ratio=0)


def test_collapse_prone_setting_has_lower_entropy():
    ei = random_graph(40, 100, seed=1)
    settings = {"collapse": {"penalty": 0.0},
                "regularised": {"penalty": 1e-3, "entropy_bonus": 0.2}}
    df = collapse_experiment(ei, 40, settings=settings, epochs=60, seed=0)
    last = df[df.epoch == 60].set_index("setting")
    assert last.loc["collapse", "entropy"] < last.loc["regularised", "entropy"] - 0.5
    assert last.loc["collapse", "distinct_per_anchor"] < last.loc["regularised",
                                                                  "distinct_per_anchor"]
    first = df[df.epoch == 1].set_index("setting")
    assert first.loc["collapse", "entropy"] == pytest.approx(first.loc["regularised", "entropy"])
    ax = plot_collapse(df, "entropy")
    assert ax.get_ylabel() == "generator entropy (nats)" and len(ax.lines) == 2
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="'metric' parameter of plot_collapse must be one of"):
        plot_collapse(df, "loss")


def test_transform_face_stats():
    from torch_geometric.data import Data

    data = Data(edge_index=random_graph(30, 50, seed=2), num_nodes=30)
    s = AdversarialNegativeSampler(2, embedding_dim=4, num_candidates=8, seed=0)
    out = s(data)
    for key in ("adv_entropy", "adv_distinct_per_anchor", "adv_top_share",
                "adv_fallback_anchors"):
        assert key in out.neg_stats
    assert "num_candidates=8" in repr(s)


def test_errors():
    with pytest.raises(ValueError, match=r"'penalty' parameter of AdversarialNegativeSampler "
                                         r"must be a finite float in \[0, inf\)"):
        AdversarialNegativeSampler(1, penalty=-0.1)
    with pytest.raises(ValueError, match="'entropy_bonus' parameter"):
        AdversarialNegativeSampler(1, entropy_bonus=-1)
    with pytest.raises(ValueError, match=r"'baseline_decay' parameter .* \[0, 1\)"):
        AdversarialNegativeSampler(1, baseline_decay=1.0)
    with pytest.raises(ValueError, match="'num_candidates' parameter"):
        AdversarialNegativeSampler(1, num_candidates=0)
    s = AdversarialNegativeSampler(2, embedding_dim=3, seed=0)
    with pytest.raises(ValueError, match=r"no episode to learn from; call sample\(\)"):
        s.update(torch.zeros(4))
    neg = s.sample(EI, N)
    with pytest.raises(ValueError, match=r"'reward' parameter .* shape \(8,\)"):
        s.update(torch.zeros(3))
    with pytest.raises(ValueError, match="'reward' parameter .* must be finite"):
        s.update(torch.full((neg.size(1),), float("nan")))
    with pytest.raises(ValueError, match="needs exactly one of 'reward'"):
        s.update()
    with pytest.raises(ValueError, match="needs exactly one of 'reward'"):
        s.update(torch.zeros(8), z=torch.zeros(N, 2))
    with pytest.raises(ValueError, match="'z' parameter of AdversarialNegativeSampler must have "
                                         "6 rows"):
        s.update(z=torch.zeros(N + 1, 2))
    with pytest.raises(ValueError, match="generator was built for 6 nodes but the graph has 7"):
        s.sample(EI, N + 1)


def test_state_dict_resume_is_exact():
    a = AdversarialNegativeSampler(3, embedding_dim=3, seed=0, lr=0.1)
    r = torch.tensor([0.0, 0.0, 1.0, 0.0, 2.0, 0.5])
    for _ in range(3):
        a.update(r[a.sample(EI, N)[1]])
    state, rng = a.state_dict(), a.get_rng_state()
    ref = []
    for _ in range(3):
        neg = a.sample(EI, N)
        a.update(r[neg[1]])
        ref.append(neg)
    b = AdversarialNegativeSampler(3, embedding_dim=3, seed=5, lr=0.1)
    b.load_state_dict(state)
    b.set_rng_state(rng)
    for expect in ref:
        neg = b.sample(EI, N)
        b.update(r[neg[1]])
        assert torch.equal(neg, expect)
    assert torch.equal(a.theta, b.theta) and a.baseline == b.baseline
    # the pending episode travels too (the hook path updates on it after a resume)
    z = torch.randn(N, 2, generator=torch.Generator().manual_seed(1))
    a.sample(EI, N)
    c = AdversarialNegativeSampler(3, embedding_dim=3, seed=5, lr=0.1)
    import io
    buf = io.BytesIO()
    torch.save(a.state_dict(), buf)
    buf.seek(0)
    c.load_state_dict(torch.load(buf, weights_only=True))
    assert a.on_epoch_start(z=z, epoch=1, step=1) and c.on_epoch_start(z=z, epoch=1, step=1)
    assert torch.equal(a.theta, c.theta)


def test_on_epoch_start_hook_updates_previous_episode_once():
    z = torch.randn(N, 2, generator=torch.Generator().manual_seed(0))
    s = AdversarialNegativeSampler(4, embedding_dim=3, seed=0, lr=0.1)
    assert s.on_epoch_start(z=z, epoch=0, step=0) is False      # no episode yet
    neg = s.sample(EI, N)
    assert s.last_stats.extra["adv_generator_loss"] != s.last_stats.extra["adv_generator_loss"]
    before = s.theta.detach().clone()
    assert s.on_epoch_start(z=z, epoch=1, step=1) is True
    assert not torch.equal(before, s.theta.detach()) and s.num_updates == 1
    assert s.on_epoch_start(z=z, epoch=1, step=1) is False      # episode consumed
    s.sample(EI, N)
    assert s.last_stats.extra["adv_reward_mean"] == pytest.approx(
        float(negative_reward(z, neg).mean()), rel=1e-6)
    s.update(z=z)                                               # explicit update consumes it
    assert s.on_epoch_start(z=z, epoch=2, step=2) is False and s.num_updates == 2
    off = AdversarialNegativeSampler(4, embedding_dim=3, seed=0, auto_update=False)
    off.sample(EI, N)
    assert off.on_epoch_start(z=z, epoch=1, step=1) is False and off.num_updates == 0


def test_log_q_column_map_equals_the_masked_reduction():
    from graphneg.samplers.adversarial import AdversarialNegativeSampler as A
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(5, 8, generator=g, dtype=torch.float64)
    ids = torch.stack([torch.randperm(8, generator=g) for _ in range(5)])
    valid = torch.rand(5, 8, generator=g) < 0.8
    rows = torch.randint(0, 5, (30,), generator=g)
    neg = ids[rows, torch.randint(0, 8, (30,), generator=g)]
    match = (ids[rows] == neg.view(-1, 1)) & valid[rows]
    want = torch.logsumexp(logits[rows].masked_fill(~match, float("-inf")), 1)
    torch.testing.assert_close(A._log_q(logits, ids, valid, rows, neg), want)  # column map
    dup = ids.clone()
    dup[:, 1] = dup[:, 0]  # repeated ids: the masked reduction sums them
    match = (dup[rows] == neg.view(-1, 1)) & valid[rows]
    want = torch.logsumexp(logits[rows].masked_fill(~match, float("-inf")), 1)
    torch.testing.assert_close(A._log_q(logits, dup, valid, rows, neg), want)


@pytest.mark.parametrize("mode", ["per_anchor", "pairs"])
def test_chunked_loss_gradient_and_entropy_equal_the_dense_softmax(monkeypatch, mode):
    """num_candidates=None: the blockwise log Z, entropy and custom backward equal the
    dense (U, N) softmax and autograd, blocks forced to 2 x 3 scores."""
    import graphneg.samplers.score_aware as sa
    monkeypatch.setattr(sa, "_BLOCK_ELEMENTS", 7)
    n, tau, lam, beta = 30, 0.6, 0.01, 0.3
    ei = random_graph(n, 60, seed=4)
    s = AdversarialNegativeSampler(3 if mode == "per_anchor" else 40, embedding_dim=3,
                                   init_std=0.9, temperature=tau, penalty=lam,
                                   entropy_bonus=beta, seed=6, mode=mode)
    pos = ei[:, :12]
    neg = s.sample(ei, n, pos_edge_index=pos)
    assert "pool" in s._episode and "idx" not in s._episode     # no (U, N) table
    reward = torch.rand(neg.size(1), generator=torch.Generator().manual_seed(2))

    def dense(theta):
        anchors = torch.unique(neg[0])
        known = EdgeSet([ei, pos], n)
        cand = torch.arange(n)
        valid = (~known.contains(anchors.view(-1, 1), cand.view(1, -1))
                 & (anchors.view(-1, 1) != cand.view(1, -1)))
        th = theta.double()
        logits = ((th[anchors] @ th.T) / tau).masked_fill(~valid, float("-inf"))
        logp = torch.log_softmax(logits, 1)
        row = torch.searchsorted(anchors, neg[0])
        log_q = logp[row, neg[1]]
        ent = -(logp.exp() * logp.masked_fill(~valid, 0.0)).sum(1)
        loss = (-((reward.double() - s.baseline) * log_q).mean() + lam * theta.pow(2).sum()
                - beta * ent.mean())
        return loss, ent.mean().detach()

    for step in range(2):   # values of the sampling pass, then recomputed after an in-place change
        loss, info = s.generator_loss(reward)
        grad, = torch.autograd.grad(loss, s.theta)
        want, want_ent = dense(s.theta)
        want_grad, = torch.autograd.grad(want, s.theta)
        assert float(want_grad.abs().max()) > 1e-2   # the comparison has power
        torch.testing.assert_close(loss.double(), want.detach(), rtol=1e-9, atol=1e-9)
        torch.testing.assert_close(grad, want_grad, rtol=1e-5, atol=1e-7)
        assert info["entropy"] == pytest.approx(float(want_ent), rel=1e-9)
        with torch.no_grad():
            s.theta.mul_(1.5)
    assert s.last_stats.extra["adv_valid_candidates_mean"] > 20
