"""ANN analysis: recall@k, mixture fit, exact conditionals and gradient bias vs the knob."""
import matplotlib.pyplot as plt
import pytest
import torch
from graphneg.analysis.ann import (
    ann_sweep,
    conditional_matrix,
    fit_mixture,
    plot_bias_vs_recall,
    plot_refresh_time,
    recall_at_k,
)
from graphneg.analysis.gradient_bias import expected_negative_gradient, sampler_log_q
from support.graphs import random_graph

from graphneg.samplers import ANNNegativeSampler
from graphneg.samplers.ann import torch_topk

N = 200


@pytest.fixture(scope="module")
def setup():
    z = torch.randn(N, 8, generator=torch.Generator().manual_seed(0))
    return z, random_graph(N, 400, seed=2)


def test_recall_at_k():
    approx = torch.tensor([[1, 2, 3, 4], [5, 6, -1, -1]])
    exact = torch.tensor([[4, 3, 2, 1], [5, 7, 8, 9]])
    assert recall_at_k(approx, exact).tolist() == [1.0, 0.25]
    with pytest.raises(ValueError, match="must have the same shape"):
        recall_at_k(approx, exact[:, :3])


def test_fit_mixture_recovers_epsilon():
    g = torch.Generator().manual_seed(1)
    t = torch.softmax(3 * torch.randn(20, 30, generator=g, dtype=torch.double), 1)
    t[t < 0.02] = 0
    t = t / t.sum(1, keepdim=True)
    u = torch.full((20, 30), 1 / 30, dtype=torch.double)
    for eps in (0.0, 0.13, 0.6):
        q = (1 - eps) * t + eps * u
        assert fit_mixture(q, t, u) == pytest.approx(eps, abs=1e-6)
        assert fit_mixture(q, t, u, method="lstsq") == pytest.approx(eps, abs=1e-9)
    # a distribution outside the family: MLE stays in [0, 1], least squares is not clipped
    q = torch.roll(t, 1, dims=1)
    assert 0.0 <= fit_mixture(q, t, u) <= 1.0
    with pytest.raises(ValueError, match="'method' parameter of fit_mixture must be one of"):
        fit_mixture(q, t, u, method="l1")
    with pytest.raises(ValueError, match="must share one shape"):
        fit_mixture(q, t[:3], u)
    with pytest.raises(ValueError, match="not identifiable"):
        fit_mixture(q, u, u, method="lstsq")
    with pytest.raises(ValueError, match="no mixture explains it"):
        fit_mixture(torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([[1.0, 0, 0]]),
                    torch.tensor([[0.5, 0.5, 0.0]]))


def test_conditional_matrix_is_uniform_over_valid_exact_topk(setup):
    z, ei = setup
    s = ANNNegativeSampler(1, k=12, index="flat")
    anchors = torch.tensor([0, 5, 17])
    q = conditional_matrix(s, ei, N, anchors=anchors, z=z)
    _, top = torch_topk(z, z[anchors], 12)
    for row, a in enumerate(anchors.tolist()):
        nbrs = set(ei[1, ei[0] == a].tolist()) | {a}
        support = [n for n in top[row].tolist() if n not in nbrs]
        expect = torch.zeros(N, dtype=torch.double)
        expect[support] = 1 / len(support)
        assert torch.allclose(q[row], expect)


def test_exact_expectation_matches_sampler_draws(setup):
    """E_{q_ANN}[g⁻] from the analysis equals the mean over the sampler's own draws."""
    z, ei = setup
    s = ANNNegativeSampler(20000, k=10, index="ivf", nlist=14, nprobe=1, num_threads=1, seed=3)
    a = 9
    pos = torch.tensor([[a], [int(ei[1, ei[0] == a][0])]])
    neg = s.sample(ei, N, pos_edge_index=pos, z=z)
    g = torch.sigmoid((z[neg[0]] * z[neg[1]]).sum(1, keepdim=True)) * z[neg[1]]
    mc, se = g.double().mean(0), g.double().std(0) / g.size(0) ** 0.5
    exact = expected_negative_gradient(z, sampler_log_q(s, ei, N, z=z, pos_edge_index=pos),
                                       torch.tensor([a]))[0]
    assert bool(((mc - exact).abs() <= 5 * se).all())


def test_sweep_endpoints_and_trend(setup):
    z, ei = setup
    df = ann_sweep(z, ei, N, index="ivf", values=[1, 4, 14], k=10, nlist=14)
    first, last = df.iloc[0], df.iloc[-1]
    # probing every cell is exact search: recall 1, no bias, ε = 0
    assert last["recall"] == 1.0 and last["bias_norm"] == pytest.approx(0, abs=1e-12)
    assert last["epsilon_mle"] == pytest.approx(0, abs=1e-6)
    assert last["tv_distance"] == pytest.approx(0, abs=1e-12)
    # one cell of 14: misses neighbours, biased
    assert first["recall"] < 0.9 and first["relative_bias"] > 0.05 and first["epsilon_mle"] > 0.05
    assert list(df["recall"]) == sorted(df["recall"])
    assert first["relative_bias"] > df.iloc[1]["relative_bias"] > last["relative_bias"]
    assert (df["refresh_s"] > 0).all() and (df["exact_refresh_s"] > 0).all()
    h = ann_sweep(z, ei, N, index="hnsw", values=[1, 64], k=10, hnsw_m=4,
                  anchors=torch.arange(0, N, 5))
    assert h["recall"].iloc[0] < h["recall"].iloc[1]
    both = __import__("pandas").concat([df, h])
    ax = plot_bias_vs_recall(both)
    assert ax.get_xlabel() == "recall@k" and ax.get_yscale() == "log" and len(ax.lines) == 2
    plt.close(ax.figure)
    ax = plot_refresh_time(df)
    assert ax.get_ylabel() == "seconds per refresh" and len(ax.lines) == 2
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="'index' parameter of ann_sweep must be one of"):
        ann_sweep(z, ei, N, index="flat")
    with pytest.raises(ValueError,
                       match=r"'k' parameter of ann_sweep must be an int in \[1, 200\]"):
        ann_sweep(z, ei, N, k=201)
    with pytest.raises(ValueError, match="'nprobe' parameter of ann_sweep"):
        ann_sweep(z, ei, N, index="ivf", values=[0])


def test_bias_per_anchor_matches_monte_carlo_difference(setup):
    """b(u) per anchor = difference of the two samplers' mean gradients (5 SE)."""
    from graphneg.analysis.ann import ann_bias_per_anchor

    z, ei = setup
    a = 21
    ann = ANNNegativeSampler(20000, k=10, index="ivf", nlist=14, nprobe=1, num_threads=1, seed=0)
    exact = ANNNegativeSampler(20000, k=10, index="flat", seed=1)
    pos = torch.tensor([[a], [int(ei[1, ei[0] == a][0])]])
    out = ann_bias_per_anchor(z, ei, N, sampler=ann, reference=exact, anchors=torch.tensor([a]))
    means, var = [], []
    for s in (ann, exact):
        neg = s.sample(ei, N, pos_edge_index=pos, z=z)
        g = (torch.sigmoid((z[neg[0]] * z[neg[1]]).sum(1, keepdim=True)) * z[neg[1]]).double()
        means.append(g.mean(0))
        var.append(g.var(0) / g.size(0))
    se = (var[0] + var[1]).sqrt()
    assert float(out.norm[0]) > 10 * float(se.max())
    assert bool(((means[0] - means[1] - out.bias[0]).abs() <= 5 * se).all())
