"""The score- and structure-aware samplers are picked up by name by the topology study."""
from graphneg.analysis.studies.topology import compare_topologies, usable_samplers

FAMILY = ["degree", "structural", "heart", "dns", "mcns", "softmax"]


def test_family_samplers_are_usable_by_name():
    assert usable_samplers(FAMILY) == dict.fromkeys(FAMILY, "")


def test_compare_topologies_runs_every_family_sampler():
    df = compare_topologies(["ba:num_nodes=40,num_edges=2", "karate"], FAMILY, [0], epochs=2,
                            patience=None, progress=False, baselines=None)
    assert set(df.sampler) == set(FAMILY)
    assert (df.groupby(["graph", "sampler"]).size() == 2).all()   # 2 epochs each, no errors
    assert (df.error == "").all(), df.loc[df.error != "", ["graph", "sampler", "error"]]
    # the family's extra stats reach the records
    assert {"sampler_padded_negatives", "sampler_fallback_anchors"} <= set(df.columns)
