"""Spike trains: van Rossum embedding and distance, windows, generators, trainer."""
import math

import numpy as np
import pytest
import torch
from graphneg.datasets.spikes import (
    cut_windows,
    grasshopper_windows,
    inhomogeneous_poisson_spike_trains,
    load_grasshopper_spike_times,
    poisson_spike_trains,
)
from scipy import stats

from graphneg.diagnostics import temporal_emphasis_ratio
from graphneg.samplers.windows import window_negatives
from graphneg.spike_trains import (
    SpikeTrains,
    grid_van_rossum_distance,
    jitter_spike_trains,
    time_grid,
    van_rossum_distance,
    van_rossum_embedding,
    van_rossum_grid_error_bound,
)
from graphneg.training.spikes import SpikeContrastiveTrainer, spike_contrastive_loss


def loop_embedding(trains, tau, num_points):
    grid, _ = time_grid(trains.t_start, trains.t_stop, num_points)
    out = np.zeros((trains.num_trains, num_points))
    for b in range(trains.num_trains):
        for t in trains.train(b).tolist():
            for k, g in enumerate(grid.tolist()):
                if t <= g:
                    out[b, k] += math.exp(-(g - t) / tau)
    return out


def exact_grid_sq_distance(t, s, tau, grid, dt):
    """D^2_grid via the exact per-pair factor phi(delta_later) of the module docstring."""
    x = dt / tau

    def offset(a):
        k = np.searchsorted(grid, a, side="left")
        return grid[k] - a

    def ksum(a, b):
        tot = 0.0
        for ai in a:
            for bj in b:
                later = ai if ai >= bj else bj
                phi = x * math.exp(-2 * offset(later) / tau) / (1 - math.exp(-2 * x))
                tot += math.exp(-abs(ai - bj) / tau) * phi
        return tot

    return ksum(t, t) + ksum(s, s) - 2 * ksum(t, s)


@pytest.mark.parametrize("tau, num_points", [(0.05, 101), (0.001, 401)])
def test_embedding_matches_python_loop(tau, num_points):
    # (0.001, 401): dt/tau = 2.5, so the filter runs in 4 blocks of 120 points with carries
    st = poisson_spike_trains(6, rate=20.0, duration=1.0, seed=3)
    emb = van_rossum_embedding(st, tau=tau, num_points=num_points)
    np.testing.assert_allclose(emb.numpy(), loop_embedding(st, tau, num_points), rtol=1e-12,
                               atol=1e-12)


def test_grid_distance_equals_exact_phi_formula():
    st = poisson_spike_trains(4, rate=15.0, duration=1.0, seed=1)
    emb = van_rossum_embedding(st, tau=0.03, num_points=201)
    grid, dt = time_grid(0.0, 1.0, 201)
    for i, j in [(0, 1), (2, 3), (1, 3)]:
        got = float(grid_van_rossum_distance(emb[i], emb[j], tau=0.03, dt=dt, squared=True))
        want = exact_grid_sq_distance(st.train(i).numpy(), st.train(j).numpy(), 0.03,
                                      grid.numpy(), dt)
        assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("num_points", [101, 1001, 10001])
def test_grid_distance_within_stated_bound_of_closed_form(num_points):
    a = poisson_spike_trains(20, rate=30.0, duration=1.0, seed=5)
    b = poisson_spike_trains(20, rate=30.0, duration=1.0, seed=6)
    tau = 0.02
    _, dt = time_grid(0.0, 1.0, num_points)
    exact = van_rossum_distance(a, b, tau=tau, squared=True)
    grid = grid_van_rossum_distance(van_rossum_embedding(a, tau=tau, num_points=num_points),
                                    van_rossum_embedding(b, tau=tau, num_points=num_points),
                                    tau=tau, dt=dt, squared=True)
    bound = van_rossum_grid_error_bound(a, b, tau=tau, dt=dt)
    assert bool(((grid - exact).abs() <= bound + 1e-12).all())
    # the error shrinks like dt / tau: relative error below 2 dt / tau on average
    assert float(((grid - exact).abs() / exact).mean()) < 2 * dt / tau


def test_closed_form_single_spikes():
    a = SpikeTrains.from_list([[0.3], [0.3], [0.2, 0.4]], t_start=0.0, t_stop=1.0)
    b = SpikeTrains.from_list([[], [0.5], [0.2, 0.4]], t_start=0.0, t_stop=1.0)
    d2 = van_rossum_distance(a, b, tau=0.1, squared=True)
    assert d2.tolist() == pytest.approx([0.5, 1 - math.exp(-2.0), 0.0], abs=1e-12)
    assert van_rossum_distance(a, b, tau=0.1)[1] == pytest.approx(math.sqrt(1 - math.exp(-2)))


def test_grid_unbiased_for_uniform_offsets():
    # E over delta ~ U[0, dt) of 2*phi(delta) is exactly 1: average D^2_grid of one spike
    tau, n = 0.1, 101
    grid, dt = time_grid(0.0, 1.0, n)
    offs = (np.arange(200) + 0.5) / 200 * dt
    st = SpikeTrains.from_list([[0.5 - o] for o in offs], t_start=0.0, t_stop=1.0)
    e = van_rossum_embedding(st, tau=tau, num_points=n)
    d2 = grid_van_rossum_distance(e, torch.zeros_like(e), tau=tau, dt=dt, squared=True)
    assert float(d2.mean()) == pytest.approx(0.5, rel=1e-4)


def test_bad_inputs():
    with pytest.raises(ValueError, match="sorted within each train. Train 1"):
        SpikeTrains.from_list([[0.1, 0.2], [0.5, 0.3]], t_start=0.0, t_stop=1.0)
    with pytest.raises(ValueError, match="must lie in the window"):
        SpikeTrains.from_list([[0.1, 1.2]], t_start=0.0, t_stop=1.0)
    with pytest.raises(ValueError, match="must be greater than t_start"):
        SpikeTrains.from_list([[]], t_start=1.0, t_stop=1.0)
    with pytest.raises(ValueError, match="'ptr' parameter of SpikeTrains must start at 0"):
        SpikeTrains(torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0.0, 1.0)
    st = SpikeTrains.from_list([[0.1]], t_start=0.0, t_stop=1.0)
    for tau in (0.0, -1.0):
        with pytest.raises(ValueError, match=r"'tau' parameter of van_rossum_embedding must be "
                                             r"a finite float in \(0, inf\)"):
            van_rossum_embedding(st, tau=tau)
    with pytest.raises(ValueError, match="'tau' parameter of van_rossum_distance"):
        van_rossum_distance(st, st, tau=0)
    with pytest.raises(TypeError, match="must be a SpikeTrains"):
        van_rossum_embedding([[0.1]], tau=0.1)
    with pytest.raises(ValueError, match="'times' parameter of cut_windows must be sorted"):
        cut_windows(torch.tensor([0.3, 0.1]), window=0.5)
    with pytest.raises(ValueError, match="'rate_fn' parameter of inhomogeneous"):
        inhomogeneous_poisson_spike_trains(2, rate_fn=lambda t: 200 + 0 * t, rate_max=100.0,
                                           duration=1.0, seed=0)
    with pytest.raises(ValueError, match="'emb' parameter of window_negatives"):
        window_negatives(5, torch.tensor([0]), 2, mode="hard", num_hard=2)


def test_cut_windows_and_real_data():
    pytest.importorskip("nitime")  # ships the recordings; a dependency of graphneg
    t = load_grasshopper_spike_times(1)
    assert t.numel() == 929 and bool((t[1:] >= t[:-1]).all())
    st = grasshopper_windows(1, window=0.1)
    assert st.num_trains == 100 and int(st.counts.sum()) == 929
    assert float(st.times.min()) >= 0 and float(st.times.max()) <= 0.1
    ov = grasshopper_windows(2, window=0.1, step=0.05)
    assert ov.num_trains == 199
    sub = st.index_select(torch.tensor([3, 0]))
    assert torch.equal(sub.train(0), st.train(3)) and torch.equal(sub.train(1), st.train(0))


def test_poisson_counts_and_times():
    st = poisson_spike_trains(4000, rate=5.0, duration=2.0, seed=0)
    counts = st.counts.numpy()
    # mean and variance of Poisson(10): z-test with 5-sigma threshold
    assert abs(counts.mean() - 10) < 5 * math.sqrt(10 / 4000)
    assert stats.kstest(st.times.numpy() / 2.0, "uniform").pvalue > 1e-3
    assert torch.equal(st.times, poisson_spike_trains(4000, rate=5.0, duration=2.0,
                                                      seed=0).times)


def test_inhomogeneous_poisson_matches_rate():
    rate = lambda t: 100.0 * t  # density of times ∝ t on [0, 1], mean count 50
    st = inhomogeneous_poisson_spike_trains(400, rate_fn=rate, rate_max=100.0, duration=1.0,
                                            seed=1)
    assert abs(float(st.counts.double().mean()) - 50) < 5 * math.sqrt(50 / 400)
    # CDF of the times is t^2
    assert stats.kstest(st.times.numpy(), lambda x: x ** 2).pvalue > 1e-3


def test_jitter():
    st = poisson_spike_trains(50, rate=50.0, duration=1.0, seed=2)
    same, dropped = jitter_spike_trains(st, sigma=0.0, seed=0)
    assert dropped == 0 and torch.equal(same.times, st.times)
    jit, dropped = jitter_spike_trains(st, sigma=0.05, seed=0)
    assert int(jit.counts.sum()) + dropped == int(st.counts.sum()) and dropped > 0


def test_window_negatives_uniform_chi_square_and_hard_pool():
    neg = window_negatives(5, torch.zeros(20000, dtype=torch.long), 1, seed=0).view(-1)
    assert not bool((neg == 0).any())
    obs = torch.bincount(neg, minlength=5)[1:].numpy()
    # chi-square vs uniform over the 4 others; p > 1e-4 (a wrong law with 20000 draws fails)
    assert stats.chisquare(obs).pvalue > 1e-4
    emb = torch.tensor([[0.0], [1.0], [2.0], [10.0], [11.0]])
    hard = window_negatives(5, torch.tensor([0, 4]), 50, mode="hard", emb=emb, num_hard=2,
                            seed=0)
    assert set(hard[0].tolist()) == {1, 2} and set(hard[1].tolist()) == {3, 2}


def test_temporal_emphasis_ratio_and_loss_gradient():
    g = torch.tensor([[1.0, -2.0, 0.5, 0.5], [0.0, 1.0, -1.0, 0.0]])
    assert float(temporal_emphasis_ratio(g, split_ratio=0.5)) == pytest.approx(4 / 2)
    assert float(temporal_emphasis_ratio(g, split_ratio=0.25)) == pytest.approx(1 / 5)
    with pytest.raises(ValueError, match="'split_ratio' parameter of temporal_emphasis_ratio"):
        temporal_emphasis_ratio(g, split_ratio=1.0)
    # dL/dz_u of the logistic loss: -(1-σ(s+))z_v + Σ σ(s-) z_n  (docs/design.md) vs autograd
    gen = torch.Generator().manual_seed(0)
    zu = torch.randn(1, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    zv = torch.randn(1, 3, generator=gen, dtype=torch.float64)
    zn = torch.randn(1, 4, 3, generator=gen, dtype=torch.float64)
    spike_contrastive_loss(zu, zv, zn).backward()
    want = (-(1 - torch.sigmoid((zu * zv).sum())) * zv[0]
            + (torch.sigmoid(zn[0] @ zu[0].detach()).view(-1, 1) * zn[0]).sum(0))
    torch.testing.assert_close(zu.grad[0], want.detach())


def test_trainer_runs_and_is_deterministic():
    pytest.importorskip("nitime")
    st = grasshopper_windows(1, window=0.1)
    kw = dict(tau=0.005, num_points=100, num_neg=4, epochs=4, seed=0, verbose=False)
    h1 = SpikeContrastiveTrainer(st, sampler="hard", **kw).fit()
    h2 = SpikeContrastiveTrainer(st, sampler="hard", **kw).fit()
    assert h1["loss"].equals(h2["loss"])
    assert {"loss", "temporal_emphasis_ratio", "val_top1_acc"} <= set(h1.columns)
    assert bool((h1["temporal_emphasis_ratio"] > 0).all())
    hu = SpikeContrastiveTrainer(st, sampler="uniform", **kw).fit()
    assert hu["loss"].iloc[-1] < hu["loss"].iloc[0]


def test_plot_temporal_emphasis():
    import pandas as pd
    from graphneg.analysis.spikes import plot_temporal_emphasis

    h = pd.DataFrame({"epoch": [1, 2, 3], "temporal_emphasis_ratio": [1.0, 1.2, 1.4]})
    ax = plot_temporal_emphasis({"uniform": h, "hard": h * 1.1})
    assert len(ax.lines) == 3  # two samplers + the reference line
    with pytest.raises(ValueError, match="must hold DataFrames"):
        plot_temporal_emphasis({"x": pd.DataFrame({"a": [1]})})


def test_retrieval_metrics_brute_force_and_hard_candidates():
    from graphneg.training.spikes import retrieval_metrics
    gen = torch.Generator().manual_seed(0)
    za, zb = torch.randn(7, 3, generator=gen), torch.randn(7, 3, generator=gen)
    cand = torch.stack([torch.tensor([j for j in range(7) if j != i][:3]) for i in range(7)])
    got_all, got_hard = retrieval_metrics(za, zb), retrieval_metrics(za, zb, cand)
    cos = torch.nn.functional.normalize(za.double(), dim=1) @ torch.nn.functional.normalize(
        zb.double(), dim=1).T
    ranks_all = [1 + sum(float(cos[i, j]) >= float(cos[i, i]) for j in range(7) if j != i)
                 for i in range(7)]
    ranks_hard = [1 + sum(float(cos[i, j]) >= float(cos[i, i]) for j in cand[i].tolist())
                  for i in range(7)]
    assert got_all["mrr"] == pytest.approx(sum(1 / r for r in ranks_all) / 7)
    assert got_hard["mrr"] == pytest.approx(sum(1 / r for r in ranks_hard) / 7)
    assert got_hard["top1_acc"] == pytest.approx(sum(r == 1 for r in ranks_hard) / 7)


def test_trainer_efficiency_and_hardness_measures():
    pytest.importorskip("nitime")
    st = grasshopper_windows(1, window=0.1)
    kw = dict(tau=0.005, num_points=60, num_neg=4, num_hard=4, epochs=2, seed=0, verbose=False)
    hard = SpikeContrastiveTrainer(st, sampler="hard", **kw).fit()
    unif = SpikeContrastiveTrainer(st, sampler="uniform", **kw).fit()
    # hard negatives are nearer: smaller distance ratio, more nearer than the positive
    assert hard["neg_pos_distance_ratio"].mean() < unif["neg_pos_distance_ratio"].mean()
    assert hard["false_negative_share"].mean() > unif["false_negative_share"].mean()
    filt = SpikeContrastiveTrainer(st, sampler="hard", false_negative_margin=1.0, **kw).fit()
    assert (filt["false_negative_share"] == 0).all()
    assert (hard["eta"] > 0).all() and {"val_hard_mrr", "val_pos_cos"} <= set(hard.columns)
