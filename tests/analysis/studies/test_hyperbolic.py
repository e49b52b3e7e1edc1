"""The hyperbolic study: reconstruction per graph × manifold, controlled and trained ratios."""
import numpy as np
import pytest

pytest.importorskip("geoopt")

from graphneg.analysis.studies import hyperbolic  # noqa: E402

TREE = "balanced tree r=3 h=5"


def test_run_tables(capsys):
    tables = hyperbolic.run(epochs=1, dim=2, seed=0, num_radii=5, graphs=[TREE], progress=True)
    rec = tables["hyperbolic_reconstruction"]
    assert rec[["graph", "manifold"]].values.tolist() == [[TREE, "poincare"],
                                                         [TREE, "euclidean"]]
    assert rec["nodes"].tolist() == [364, 364] and rec["map"].between(0, 1).all()
    ctl = tables["utility_controlled"]
    assert ctl.groupby("manifold", sort=False).size().to_dict() == {"Poincaré": 10,
                                                                    "Euclidean": 10}
    assert ctl["ratio"].to_numpy() == pytest.approx(ctl["closed_form"].to_numpy(), rel=1e-6)
    trained = tables["utility_trained"]
    assert trained["model"].unique().tolist() == [f"poincare ({TREE})", f"euclidean ({TREE})"]
    assert (trained["ratio"] > 0).all()
    # the ratio is exp(d_easy - d_hard) on trained models, in both manifolds
    assert trained["ratio"].to_numpy() == pytest.approx(
        np.exp(trained["d_easy"] - trained["d_hard"]).to_numpy(), rel=1e-6)
    assert "hyperbolic [2/2]" in capsys.readouterr().err
    text = hyperbolic.findings(tables)
    assert "matched distances" in text and "exp(d_easy − d_hard)" in text
    with pytest.raises(ValueError, match="Did you mean 'ICD-10-CM'"):
        hyperbolic.run(graphs=["ICD-10"])


def test_seeds_give_intervals_and_the_matched_control_is_flat():
    from graphneg.analysis.hyperbolic import utility_ratio_matched
    tables = hyperbolic.run(epochs=1, dim=2, seeds=[0, 1], num_radii=4, graphs=[TREE])
    eff = tables["hyperbolic_effects"]
    row = eff[(eff.manifold == "poincare") & (eff.metric == "map")].iloc[0]
    assert row["n_seeds"] == 2 and row["ci_low"] <= row["mean"] <= row["ci_high"]
    # matched intrinsic distances: the ratio is the closed form at every norm, both manifolds
    for man in ("poincare", "euclidean"):
        m = utility_ratio_matched([0.0, 0.3, 0.9, 0.995], hard_distance=0.4,
                                  easy_distance=1.9, manifold=man)
        assert m["ratio"].to_numpy() == pytest.approx(np.exp(1.5), rel=1e-6)
        assert m["gap"].to_numpy() == pytest.approx(1.5, rel=1e-6)
