"""The geo study on a small synthetic location graph: tables, the exact curve, the check."""
import pytest
from support.cases_geo_clinical import random_coords
from support.graphs import random_graph
from torch_geometric.data import Data

from graphneg.analysis.studies import geo


@pytest.fixture(scope="module")
def places():
    n = 40
    lat, lon = random_coords(n, 3)
    region = (lon > -97).long() + 2 * (lat > 37).long()  # four quadrants
    state = (lon > -111).long() + (lon > -97).long() + (lon > -83).long() + 4 * (lat > 37).long()
    return Data(edge_index=random_graph(n, 80, seed=3), num_nodes=n, lat=lat, lon=lon,
                region=region, state=state)


def test_run_tables_curve_and_check(places):
    res = geo.run(places, seeds=[0], epochs=2, num_neg=2, taus=[100.0, 1e9], train_taus=[300.0],
                  mc_draws=200, progress=False)
    assert list(res.tables()) == ["geo_training", "geo_effects", "geo_history", "geo_bias_curve",
                                  "geo_distance_decay"]
    trained = res.training[res.training.kind == "sampler"]
    assert list(trained.sampler) == ["uniform", "spatial τ=300 km"]
    assert {"uniform", "spatial τ=300 km", "heuristic:gravity"} <= set(res.effects.sampler)
    curve = res.curve.set_index("tau_km")
    assert curve.loc[100.0, "confounding_census_region"] > 1.0
    assert curve.loc[1e9, "confounding_state"] == pytest.approx(1.0, abs=1e-3)
    assert curve.loc[1e9, "relative_bias_mean"] == pytest.approx(0.0, abs=1e-5)
    assert len(res.bias) == places.num_nodes and (res.bias["relative_bias"] >= 0).all()
    # exact bias vs 200 draws per anchor: z-scores of a correct law stay small
    assert res.check["num_zscores"] % places.num_nodes == 0  # one per anchor and coordinate
    assert res.check["max_abs_zscore"] < 6
    assert (res.curve["mc_max_abs_zscore"] == res.check["max_abs_zscore"]).all()
    text = "\n".join(body for _, body in res.sections())
    assert "Monte Carlo check at τ=300 km, 200 draws per anchor" in text
    assert "| uniform |" in text and "Nearby protocol" in text and "## " not in text
