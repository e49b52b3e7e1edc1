"""The alignment study: one trajectory per sampler, summary, unknown names before training."""
import pytest

from graphneg.analysis.studies import alignment


def test_run_trajectories_and_summary(capsys):
    tables = alignment.run(samplers=["uniform", "degree"], epochs=2, seed=0, progress=True)
    assert list(tables) == ["alignment_uniform", "alignment_degree", "alignment_summary",
                            "alignment_effects"]
    h = tables["alignment_degree"]
    assert h["epoch"].tolist() == [1, 2] and set(h["sampler"]) == {"degree"}
    assert (h["alignment"] >= 0).all() and (h["uniformity"] <= 0).all()
    s = tables["alignment_summary"]
    s = s[s["kind"] == "sampler"]
    assert s["sampler"].tolist() == ["uniform", "degree"]
    assert s["ot_cost"].gt(0).all() and s["neg_same_block"].between(0, 1).all()
    assert {"heuristic:cn", "heuristic:random"} <= set(tables["alignment_summary"].sampler)
    assert s["alignment"].tolist() == [tables["alignment_uniform"]["alignment"].iloc[-1],
                                       h["alignment"].iloc[-1]]
    assert "alignment [2/2] degree" in capsys.readouterr().err
    assert "lower is better" in alignment.findings(tables)
    with pytest.raises(ValueError, match="Did you mean 'uniform'"):
        alignment.run(samplers=["unifrom"])


def test_entropic_ot_cost_tends_to_the_optimal_assignment():
    import torch
    from scipy.optimize import linear_sum_assignment
    from graphneg.analysis.alignment import entropic_ot_cost
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(8, 2, generator=g), torch.randn(8, 2, generator=g) + 0.5
    c = (torch.cdist(x.double(), y.double()) ** 2).numpy()
    r, col = linear_sum_assignment(c)
    exact = float(c[r, col].mean())
    assert entropic_ot_cost(x, y, epsilon=1e-3, num_iters=3000) == pytest.approx(exact, rel=1e-3)
    # more regularisation spreads the plan: never below the exact optimum
    assert entropic_ot_cost(x, y, epsilon=0.5) >= exact - 1e-9
