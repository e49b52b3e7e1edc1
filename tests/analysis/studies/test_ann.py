"""The ANN study: HNSW and IVF sweeps at trained embeddings, findings per index kind."""
import pytest

pytest.importorskip("faiss")

from graphneg.analysis.studies import ann  # noqa: E402


def test_run_sweeps_both_indexes(capsys):
    tables = ann.run(num_nodes=80, epochs=1, k=6, anchor_step=5, ef_search=(1, 64), seed=0,
                     progress=True)
    df = tables["ann_sweep"]
    assert df.groupby("index", sort=False)["knob"].first().to_dict() == {
        "hnsw": "ef_search", "ivf": "nprobe"}
    assert df.loc[df["index"] == "hnsw", "value"].tolist() == [1, 64]
    ivf = df[df["index"] == "ivf"]
    assert ivf["value"].max() == 9 and ivf["recall"].iloc[-1] == 1.0  # nlist = round(sqrt(80))
    assert "ann [3/3] IVF (nlist 9)" in capsys.readouterr().err
    text = ann.findings(tables)
    assert text.startswith("- hnsw:") and "- ivf: recall@k >= 0.95 from nprobe" in text
    with pytest.raises(ValueError, match="'anchor_step' parameter of ann.run"):
        ann.run(anchor_step=0)
