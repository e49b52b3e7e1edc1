import pytest
import torch
from graphneg.analysis.gradient_bias import (
    confounding_index,
    expected_negative_gradient,
    gradient_bias,
    monte_carlo_confounding_index,
    monte_carlo_expected_negative_gradient,
    negative_gradient,
    sampler_log_q,
    uniform_log_q,
)
from support.graphs import random_graph

from graphneg.samplers import UniformNegativeSampler


def _setup(n=12, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, d, generator=g, dtype=torch.double)
    logits = torch.randn(n, n, generator=g, dtype=torch.double) * 2
    logits.fill_diagonal_(float("-inf"))
    return z, torch.softmax(logits, 1), logits


def _brute(z, probs):
    s = torch.sigmoid(z @ z.T)
    return torch.einsum("un,un,nd->ud", probs, s, z)


def test_negative_gradient_matches_autograd():
    z, _, _ = _setup()
    pairs = torch.tensor([[0, 3, 5], [1, 2, 7]])
    zz = z.clone().requires_grad_(True)
    for i in range(pairs.size(1)):
        u, n = pairs[:, i].tolist()
        loss = -torch.nn.functional.logsigmoid(-(zz[u] * zz[n]).sum())
        (grad,) = torch.autograd.grad(loss, zz)
        assert torch.allclose(negative_gradient(z, pairs)[i], grad[u], atol=1e-12)


@pytest.mark.parametrize("chunk_size,anchor_batch", [(4096, 256), (5, 3), (1, 1)])
def test_expected_matrix_and_callable_match_brute_force(chunk_size, anchor_batch):
    z, probs, logits = _setup()
    want = _brute(z, probs)
    got = expected_negative_gradient(z, probs, chunk_size=chunk_size, anchor_batch=anchor_batch)
    assert torch.allclose(got, want, atol=1e-12)
    # a callable with log weights shifted by a huge per-anchor constant (no underflow)
    shift = torch.linspace(-5e4, 5e4, z.size(0), dtype=torch.double)

    def log_q(a, c):
        return logits[a][:, c] + shift[a].unsqueeze(1)

    got = expected_negative_gradient(z, log_q, chunk_size=chunk_size, anchor_batch=anchor_batch)
    assert torch.allclose(got, want, atol=1e-12)


def test_subsets_of_anchors_and_candidates():
    z, probs, logits = _setup()
    anchors, cand = torch.tensor([2, 5]), torch.tensor([0, 1, 7, 9])
    sub = torch.softmax(logits[anchors][:, cand], 1)
    want = torch.einsum("un,un,nd->ud", sub, torch.sigmoid(z[anchors] @ z[cand].T), z[cand])
    got = expected_negative_gradient(z, sub, anchors, candidates=cand)
    assert torch.allclose(got, want, atol=1e-12)


def test_gradient_bias_against_monte_carlo():
    # exact b(u) vs the difference of sample means: tolerance 5 standard errors
    z, probs, _ = _setup()
    ref = (1 - torch.eye(z.size(0), dtype=torch.double)) / (z.size(0) - 1)
    exact = gradient_bias(z, probs, ref)
    assert torch.allclose(exact.bias, _brute(z, probs) - _brute(z, ref), atol=1e-12)
    k = 20000
    g = torch.Generator().manual_seed(1)
    anchors = torch.arange(z.size(0)).repeat_interleave(k)
    draw_q = torch.multinomial(probs, k, replacement=True, generator=g).reshape(-1)
    draw_r = torch.multinomial(ref, k, replacement=True, generator=g).reshape(-1)
    mc_q = monte_carlo_expected_negative_gradient(z, torch.stack([anchors, draw_q]))
    mc_r = monte_carlo_expected_negative_gradient(z, torch.stack([anchors, draw_r]))
    gq = negative_gradient(z, torch.stack([anchors, draw_q])).view(z.size(0), k, -1)
    gr = negative_gradient(z, torch.stack([anchors, draw_r])).view(z.size(0), k, -1)
    se = ((gq.var(1) + gr.var(1)) / k).sqrt()
    assert ((mc_q - mc_r - exact.bias).abs() <= 5 * se + 1e-12).all()
    # relative norm is ‖b‖ / ‖E_ref g⁻‖
    assert torch.allclose(exact.relative_norm, exact.norm / _brute(z, ref).norm(dim=1))
    # a skewed q gives a bias the test can see: far above the Monte Carlo error
    assert float(exact.norm.min()) > 10 * float(se.norm(dim=1).max())


def test_confounding_index_brute_force_and_monte_carlo():
    z, probs, _ = _setup(n=10)
    region = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    ref = (1 - torch.eye(10, dtype=torch.double)) / 9
    gm = torch.sigmoid(z @ z.T) * z.norm(dim=1)
    same = (region.view(-1, 1) == region.view(1, -1)).double()

    def share(p):
        return float((p * gm * same).sum() / (p * gm).sum())

    out = confounding_index(z, probs, ref, region=region, chunk_size=3)
    assert out.share == pytest.approx(share(probs), abs=1e-12)
    assert out.share_ref == pytest.approx(share(ref), abs=1e-12)
    assert out.index == pytest.approx(share(probs) / share(ref), abs=1e-12)
    k = 40000
    g = torch.Generator().manual_seed(2)
    anchors = torch.arange(10).repeat_interleave(k)
    dq = torch.multinomial(probs, k, replacement=True, generator=g).reshape(-1)
    dr = torch.multinomial(ref, k, replacement=True, generator=g).reshape(-1)
    mc = monte_carlo_confounding_index(z, torch.stack([anchors, dq]), torch.stack([anchors, dr]),
                                       region=region)
    assert mc == pytest.approx(out.index, rel=0.03)  # ~10 standard errors at 4e5 draws


def test_sampler_log_q_is_uniform_over_valid_candidates():
    ei, n = random_graph(15, 30, seed=2), 15
    log_q = uniform_log_q(ei, n)
    lw = log_q(torch.arange(n), torch.arange(n))
    adj = torch.zeros(n, n, dtype=torch.bool)
    adj[ei[0], ei[1]] = True
    assert torch.equal(torch.isinf(lw), adj | torch.eye(n, dtype=torch.bool))
    same = sampler_log_q(UniformNegativeSampler(), ei, n)(torch.arange(n), torch.arange(n))
    assert torch.equal(lw, same)


def test_errors():
    z, probs, _ = _setup()
    with pytest.raises(ValueError, match="rows summing to 1"):
        expected_negative_gradient(z, probs * 2)
    with pytest.raises(ValueError, match="must be a float probability matrix of shape"):
        expected_negative_gradient(z, probs[:3])
    with pytest.raises(ValueError, match="finite and non-negative"):
        expected_negative_gradient(z, probs - 1)
    with pytest.raises(TypeError, match="probability matrix .* or a callable"):
        expected_negative_gradient(z, "uniform")
    with pytest.raises(ValueError, match="must return log weights of shape"):
        expected_negative_gradient(z, lambda a, c: torch.zeros(1))
    with pytest.raises(ValueError, match="NaN or \\+inf"):
        expected_negative_gradient(z, lambda a, c: torch.full((a.numel(), c.numel()), float("nan")))
    with pytest.raises(ValueError, match=r"no mass on any candidate for anchor node\(s\) \[0"):
        expected_negative_gradient(z, lambda a, c: torch.full((a.numel(), c.numel()),
                                                              float("-inf")))
    with pytest.raises(ValueError, match=r"'anchors' parameter .* node ids in \[0, 12\)"):
        expected_negative_gradient(z, probs, torch.tensor([12]))
    with pytest.raises(ValueError, match="'chunk_size' parameter"):
        expected_negative_gradient(z, probs, chunk_size=0)
    with pytest.raises(ValueError, match="'region' parameter .* LongTensor of shape"):
        confounding_index(z, probs, probs, region=torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="'z' parameter .* finite"):
        gradient_bias(z * float("nan"), probs, probs)
