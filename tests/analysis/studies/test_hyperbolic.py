"""The hyperbolic study: reconstruction per graph × manifold, controlled and trained ratios."""
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
    assert ctl.groupby("manifold", sort=False).size().to_dict() == {"Poincaré": 5, "Euclidean": 5}
    assert ctl["ratio"].to_numpy() == pytest.approx(ctl["closed_form"].to_numpy(), rel=1e-6)
    trained = tables["utility_trained"]
    assert trained["model"].unique().tolist() == [f"poincare ({TREE})", f"euclidean ({TREE})"]
    assert (trained["ratio"] > 0).all()
    assert "hyperbolic [2/2]" in capsys.readouterr().err
    assert "median ratio per norm quartile" in hyperbolic.findings(tables)
    with pytest.raises(ValueError, match="Did you mean 'ICD-10-CM'"):
        hyperbolic.run(graphs=["ICD-10"])
