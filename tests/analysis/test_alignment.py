"""Alignment and uniformity (Wang & Isola 2020): closed forms, sampling, recorder, plot."""
import math

import pytest
import torch
from graphneg.analysis.alignment import (
    AlignmentUniformityRecorder,
    alignment,
    plot_alignment_uniformity,
    uniformity,
)


def test_alignment_closed_forms():
    theta = torch.tensor([0.0, 0.3, 1.2, math.pi], dtype=torch.float64)
    z = torch.stack([torch.cos(theta), torch.sin(theta)], 1).double()
    pairs = torch.tensor([[0, 0, 0], [1, 2, 3]])
    chord2 = 2 - 2 * torch.cos(theta[1:]).double()  # |a - b|^2 on the unit circle
    assert alignment(z, pairs) == pytest.approx(float(chord2.mean()), abs=1e-12)
    assert alignment(z, pairs, alpha=1.0) == pytest.approx(float(chord2.sqrt().mean()), abs=1e-12)
    assert alignment(z, torch.tensor([[1], [1]])) == 0.0
    # normalisation: scaled rows give the same value; without it the scale matters
    assert alignment(3 * z, pairs) == pytest.approx(alignment(z, pairs))
    assert alignment(3 * z, pairs, normalize=False) == pytest.approx(9 * alignment(z, pairs))


def test_uniformity_closed_forms():
    # the 4 vertices of a square on the circle: 4 pairs at |d|^2 = 2, 2 pairs at 4
    z = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], dtype=torch.float64)
    want = math.log((4 * math.exp(-2 * 2) + 2 * math.exp(-2 * 4)) / 6)
    assert uniformity(z) == pytest.approx(want, abs=1e-12)
    assert uniformity(z, t=1.0) == pytest.approx(math.log((4 * math.exp(-2) + 2 * math.exp(-4)) / 6))
    # collapse: every point equal -> 0 (the worst value)
    assert uniformity(torch.ones(5, 3)) == pytest.approx(0.0, abs=1e-12)
    # sampled estimate converges to the exact value (mean of 2e5 bounded terms, 5 sigma)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(60, 4, generator=g, dtype=torch.float64)
    exact = math.exp(uniformity(x))
    est = math.exp(uniformity(x, num_pairs=200000, seed=1))
    assert abs(est - exact) < 5 * 0.5 / math.sqrt(200000)


def test_bad_inputs():
    z = torch.randn(3, 2)
    with pytest.raises(ValueError, match="'pos_edge_index' parameter of alignment must hold"):
        alignment(z, torch.zeros(2, 0, dtype=torch.long))
    with pytest.raises(ValueError, match=r"'pos_edge_index' parameter of alignment must hold node ids in \[0, 3\)"):
        alignment(z, torch.tensor([[0], [5]]))
    with pytest.raises(ValueError, match="'t' parameter of uniformity"):
        uniformity(z, t=0.0)
    with pytest.raises(ValueError, match="at least 2 rows"):
        uniformity(z[:1])
    with pytest.raises(ValueError, match="must be finite"):
        uniformity(torch.tensor([[float("nan"), 0.0], [1.0, 0.0]]))


def test_recorder_with_a_real_trainer():
    pytest.importorskip("nitime")
    from graphneg.datasets.spikes import grasshopper_windows

    from graphneg.training.spikes import SpikeContrastiveTrainer

    st = grasshopper_windows(1, window=0.1)
    tr = SpikeContrastiveTrainer(st, tau=0.005, num_points=100, epochs=3, seed=0, verbose=False)
    rec = AlignmentUniformityRecorder(lambda t: t.encode(t.emb), torch.stack(
        [torch.arange(99), torch.arange(1, 100)]))  # adjacent windows as positives
    rec.attach(tr).fit()
    h = rec.history
    assert h["epoch"].tolist() == [1, 2, 3]
    assert bool((h["uniformity"] <= 0).all()) and bool((h["alignment"] >= 0).all())
    ax = plot_alignment_uniformity({"uniform": h})
    assert len(ax.lines) == 3
