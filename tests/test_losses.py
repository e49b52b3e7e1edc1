"""Losses against direct, unvectorised reference implementations (loops, math module)."""
import math

import pytest
import torch

from graphneg.losses import (
    debiased_contrastive_loss,
    hard_negative_contrastive_loss,
    info_nce,
    logistic_contrastive_loss,
    logistic_ns_loss,
    self_adversarial_ns_loss,
)


def sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def cos(a, b):
    norm = math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b)) / norm


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def ref_logistic(pos, neg):
    return [-math.log(sig(p)) - sum(math.log(sig(-s)) for s in row) for p, row in zip(pos, neg)]


def ref_self_adv(pos, neg, alpha):
    out = []
    for p, row in zip(pos, neg):
        z = sum(math.exp(alpha * s) for s in row)
        out.append(-math.log(sig(p))
                   - sum(math.exp(alpha * s) / z * math.log(sig(-s)) for s in row))
    return out


def ref_info_nce(a, p, negs, tau, sim=cos):
    out = []
    for b in range(len(a)):
        top = math.exp(sim(a[b], p[b]) / tau)
        bottom = top + sum(math.exp(sim(a[b], n) / tau) for n in negs[b])
        out.append(-math.log(top / bottom))
    return out


def ref_hard(a, p, negs, tau, tau_plus, beta):
    out = []
    for b in range(len(a)):
        k = len(negs[b])
        sp = cos(a[b], p[b])
        sn = [cos(a[b], n) for n in negs[b]]
        imp = [math.exp(beta * s / tau) for s in sn]
        mean_imp = sum(imp) / k
        reweighted = sum(i / mean_imp * math.exp(s / tau) for i, s in zip(imp, sn))
        ng = (-tau_plus * k * math.exp(sp / tau) + reweighted) / (1 - tau_plus)
        ng = max(ng, k * math.exp(-1 / tau))
        out.append(-math.log(math.exp(sp / tau) / (math.exp(sp / tau) + ng)))
    return out


def data(b=5, k=4, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(b, d, generator=g, dtype=torch.double)
    p = a + 0.5 * torch.randn(b, d, generator=g, dtype=torch.double)
    n = torch.randn(b, k, d, generator=g, dtype=torch.double)
    return a, p, n


def test_logistic_matches_reference():
    g = torch.Generator().manual_seed(1)
    pos, neg = torch.randn(6, generator=g).double(), 3 * torch.randn(6, 4, generator=g).double()
    ref = torch.tensor(ref_logistic(pos.tolist(), neg.tolist()), dtype=torch.double)
    assert torch.allclose(logistic_ns_loss(pos, neg, reduction="none"), ref)
    assert torch.allclose(logistic_ns_loss(pos, neg), ref.mean())
    assert torch.allclose(logistic_ns_loss(pos, neg, reduction="sum"), ref.sum())


@pytest.mark.parametrize("sim_name,sim", [("dot", dot), ("cosine", cos)])
def test_logistic_contrastive_matches_reference(sim_name, sim):
    a, p, n = data()
    pos = [sim(x, y) for x, y in zip(a.tolist(), p.tolist())]
    neg = [[sim(x, m) for m in row] for x, row in zip(a.tolist(), n.tolist())]
    ref = torch.tensor(ref_logistic(pos, neg), dtype=torch.double)
    out = logistic_contrastive_loss(a, p, n, similarity=sim_name, reduction="none")
    assert torch.allclose(out, ref)
    assert torch.allclose(logistic_contrastive_loss(a, p, n, similarity=sim_name), ref.mean())
    # shared negatives (K, d) = the same set repeated for every anchor
    shared = logistic_contrastive_loss(a, p, n[0], similarity=sim_name, reduction="none")
    assert torch.allclose(shared, logistic_contrastive_loss(
        a, p, n[0].expand_as(n), similarity=sim_name, reduction="none"))
    with pytest.raises(ValueError, match="'similarity' parameter of logistic_contrastive_loss"):
        logistic_contrastive_loss(a, p, n, similarity="l2")


@pytest.mark.parametrize("alpha", [0.0, 0.5, 2.0])
def test_self_adversarial_matches_reference(alpha):
    g = torch.Generator().manual_seed(2)
    pos, neg = torch.randn(6, generator=g).double(), 3 * torch.randn(6, 4, generator=g).double()
    ref = torch.tensor(ref_self_adv(pos.tolist(), neg.tolist(), alpha), dtype=torch.double)
    out = self_adversarial_ns_loss(pos, neg, adversarial_temperature=alpha, reduction="none")
    assert torch.allclose(out, ref)


def test_self_adversarial_weights_carry_no_gradient():
    # d/ds_k of -w_k log σ(-s_k) with w constant is w_k σ(s_k)
    pos = torch.tensor([0.3], dtype=torch.double)
    neg = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.double, requires_grad=True)
    self_adversarial_ns_loss(pos, neg, adversarial_temperature=1.5).backward()
    w = torch.softmax(1.5 * neg.detach(), 1)
    assert torch.allclose(neg.grad, w * torch.sigmoid(neg.detach()))


@pytest.mark.parametrize("tau", [0.1, 1.0])
@pytest.mark.parametrize("sim", ["cosine", "dot"])
def test_info_nce_matches_reference(tau, sim):
    a, p, n = data()
    ref = ref_info_nce(a.tolist(), p.tolist(), n.tolist(), tau, cos if sim == "cosine" else dot)
    out = info_nce(a, p, n, temperature=tau, similarity=sim, reduction="none")
    assert torch.allclose(out, torch.tensor(ref, dtype=torch.double))


def test_info_nce_shared_negatives_equal_broadcast():
    a, p, n = data()
    shared = n[0]
    out = info_nce(a, p, shared, temperature=0.5)
    assert torch.allclose(out, info_nce(a, p, shared.expand(a.size(0), -1, -1), temperature=0.5))


@pytest.mark.parametrize("tau,tau_plus,beta", [(0.5, 0.1, 1.0), (0.2, 0.05, 0.5), (1.0, 0.3, 2.0),
                                               (0.5, 0.0, 1.0)])
def test_hard_negative_matches_reference(tau, tau_plus, beta):
    a, p, n = data(b=7, k=6, seed=3)
    ref = ref_hard(a.tolist(), p.tolist(), n.tolist(), tau, tau_plus, beta)
    out = hard_negative_contrastive_loss(a, p, n, tau, tau_plus, beta, reduction="none")
    assert torch.allclose(out, torch.tensor(ref, dtype=torch.double))


@pytest.mark.parametrize("tau,tau_plus", [(0.5, 0.1), (0.3, 0.2)])
def test_debiased_matches_reference(tau, tau_plus):
    a, p, n = data(b=7, k=6, seed=4)
    ref = ref_hard(a.tolist(), p.tolist(), n.tolist(), tau, tau_plus, 0.0)
    out = debiased_contrastive_loss(a, p, n, tau, tau_plus, reduction="none")
    assert torch.allclose(out, torch.tensor(ref, dtype=torch.double))


def test_debiased_floor_is_active_when_positives_dominate():
    # negatives opposite the anchor, positive equal to it: the estimate
    # (3e^-2 - 0.5*3*e^2)/0.5 is negative, so the floor K e^{-1/τ} = 3e^-2 binds
    a = torch.tensor([[1.0, 0.0]], dtype=torch.double)
    n = (-a).expand(3, 2).unsqueeze(0)
    out = debiased_contrastive_loss(a, a, n, temperature=0.5, tau_plus=0.5)
    expected = -math.log(math.exp(2) / (math.exp(2) + 3 * math.exp(-2)))
    assert out.item() == pytest.approx(expected)


def test_reductions_chain():
    a, p, n = data(seed=5)
    hard0 = hard_negative_contrastive_loss(a, p, n, 0.5, 0.1, beta=0.0, reduction="none")
    assert torch.allclose(hard0, debiased_contrastive_loss(a, p, n, 0.5, 0.1, reduction="none"))
    deb0 = debiased_contrastive_loss(a, p, n, 0.5, 0.0, reduction="none")
    assert torch.allclose(deb0, info_nce(a, p, n, 0.5, reduction="none"))
    # and β > 0 really changes the loss (the test above could not pass vacuously)
    hard1 = hard_negative_contrastive_loss(a, p, n, 0.5, 0.1, beta=1.0, reduction="none")
    assert not torch.allclose(hard1, hard0)


def test_small_temperature_is_finite_and_differentiable():
    a, p, n = data(seed=6)
    a.requires_grad_(True)
    for fn in (lambda: info_nce(a, p, n, 0.005),
               lambda: hard_negative_contrastive_loss(a, p, n, 0.005, 0.1, 1.0)):
        loss = fn()
        assert torch.isfinite(loss)
        (g,) = torch.autograd.grad(loss, a)
        assert bool(torch.isfinite(g).all())


def test_gradcheck_contrastive():
    a, p, n = data(b=3, k=3, seed=7)
    a.requires_grad_(True)
    n.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda x, y: hard_negative_contrastive_loss(x, p, y, 0.5, 0.1, 0.7), (a, n))
    assert torch.autograd.gradcheck(lambda x, y: info_nce(x, p, y, 0.3), (a, n))


@pytest.mark.parametrize("call,exc,match", [
    (lambda a, p, n: info_nce(a, p, n, temperature=0.0), ValueError, "'temperature'.*\\(0, inf\\)"),
    (lambda a, p, n: info_nce(a, p, n, temperature=float("nan")), ValueError, "'temperature'"),
    (lambda a, p, n: info_nce(a, p, n, similarity="l2"), ValueError, "'similarity'"),
    (lambda a, p, n: info_nce(a, p[:2], n), ValueError, "'positive'"),
    (lambda a, p, n: info_nce(a, p, n[:, :, :2]), ValueError, "'negatives'"),
    (lambda a, p, n: info_nce(a, p, n[:, :0]), ValueError, "at least one negative"),
    (lambda a, p, n: info_nce(a.long(), p, n), TypeError, "'anchor'.*floating"),
    (lambda a, p, n: info_nce(a * float("nan"), p, n), ValueError, "'anchor'.*finite"),
    (lambda a, p, n: info_nce(a, p, n, reduction="avg"), ValueError, "'reduction'"),
    (lambda a, p, n: debiased_contrastive_loss(a, p, n, tau_plus=1.0), ValueError,
     "'tau_plus'.*\\[0, 1\\)"),
    (lambda a, p, n: debiased_contrastive_loss(a, p, n, tau_plus=-0.1), ValueError, "'tau_plus'"),
    (lambda a, p, n: hard_negative_contrastive_loss(a, p, n, beta=-1.0), ValueError, "'beta'"),
    (lambda a, p, n: hard_negative_contrastive_loss(a, p, n, temperature=-1.0), ValueError,
     "'temperature' parameter of hard_negative_contrastive_loss"),
])
def test_contrastive_bad_input(call, exc, match):
    a, p, n = data()
    with pytest.raises(exc, match=match):
        call(a, p, n)


def test_score_losses_bad_input():
    pos, neg = torch.zeros(3), torch.zeros(3, 2)
    with pytest.raises(ValueError, match="'neg_score'.*P = 3"):
        logistic_ns_loss(pos, neg[:2])
    with pytest.raises(ValueError, match="'pos_score'.*1 dimensions"):
        logistic_ns_loss(neg, neg)
    with pytest.raises(ValueError, match="'neg_score'.*finite"):
        logistic_ns_loss(pos, neg + float("inf"))
    with pytest.raises(ValueError, match="'adversarial_temperature'"):
        self_adversarial_ns_loss(pos, neg, adversarial_temperature=-1.0)


# ------------------------------------------------------------- edge cases (one rule)
EMPTY_SCORE_LOSSES = [logistic_ns_loss, self_adversarial_ns_loss]
CONTRASTIVE = [info_nce, debiased_contrastive_loss, hard_negative_contrastive_loss,
               logistic_contrastive_loss]


@pytest.mark.parametrize("loss_fn", EMPTY_SCORE_LOSSES)
def test_empty_batch_of_scores_is_zero_with_zero_gradient(loss_fn):
    pos = torch.empty(0, requires_grad=True)
    neg = torch.empty(0, 3, requires_grad=True)
    loss = loss_fn(pos, neg)
    assert loss.item() == 0.0 and not math.isnan(loss.item())
    loss.backward()
    assert pos.grad.shape == (0,) and neg.grad.shape == (0, 3)
    assert loss_fn(pos, neg, reduction="sum").item() == 0.0
    assert loss_fn(pos, neg, reduction="none").shape == (0,)


@pytest.mark.parametrize("loss_fn", CONTRASTIVE)
@pytest.mark.parametrize("shared", [False, True])
def test_empty_batch_of_embeddings_is_zero_with_zero_gradient(loss_fn, shared):
    a = torch.empty(0, 3, requires_grad=True)
    n = torch.randn(4, 3) if shared else torch.empty(0, 4, 3)
    loss = loss_fn(a, a, n)
    assert loss.item() == 0.0
    loss.backward()
    assert a.grad.shape == (0, 3)
    assert loss_fn(a, a, n, reduction="none").shape == (0,)


def test_huge_finite_float32_inputs_give_no_nan():
    g = torch.Generator().manual_seed(0)
    a, p, n = torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g), \
        torch.randn(4, 5, 3, generator=g)
    big = [x * 1e20 for x in (a, p, n)]
    for sim in ("dot", "cosine"):
        got = info_nce(*big, similarity=sim, reduction="none")
        exact = info_nce(*[x.double() for x in big], similarity=sim, reduction="none")
        assert got.dtype == torch.float32 and not bool(torch.isnan(got).any())
        assert torch.equal(got, exact.float())  # float64 value rounded (inf beyond range)
    # cosine is scale-invariant: huge vectors give the loss of the unscaled ones
    assert torch.allclose(info_nce(*big), info_nce(a, p, n))
    assert torch.allclose(hard_negative_contrastive_loss(*big), hard_negative_contrastive_loss(a, p, n))
    # anti-aligned negatives: the exact loss is 0, float32 must not say NaN
    anchor = a * 1e20
    assert info_nce(anchor, anchor, -anchor.unsqueeze(1), similarity="dot").item() == 0.0
    with pytest.raises(ValueError, match="overflow even in float64"):
        info_nce(a.double() * 1e160, p.double() * 1e160, n.double() * 1e160, similarity="dot")
