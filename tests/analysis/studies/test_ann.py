"""The ANN study: HNSW and IVF sweeps at trained embeddings, findings per index kind."""
import pytest

pytest.importorskip("faiss")

from graphneg.analysis.studies import ann  # noqa: E402


def test_run_sweeps_both_indexes(capsys):
    tables = ann.run(num_nodes=80, epochs=1, k=6, anchor_step=5, ef_search=(1, 64),
                     seeds=[0, 1], payoff_sizes=[400], payoff_queries=50, progress=True)
    df = tables["ann_sweep"]
    assert sorted(df.seed.unique()) == [0, 1]
    eff = tables["ann_effects"]  # mean and interval over the seeds, per setting and metric
    r = eff[(eff["index"] == "hnsw") & (eff["value"] == 64) & (eff.metric == "recall")].iloc[0]
    both = df[(df["index"] == "hnsw") & (df["value"] == 64)]["recall"]
    assert r["n_seeds"] == 2 and r["mean"] == pytest.approx(both.mean())
    assert r["ci_low"] <= r["mean"] <= r["ci_high"]
    df = df[df.seed == 0]
    assert df.groupby("index", sort=False)["knob"].first().to_dict() == {
        "hnsw": "ef_search", "hnsw_mips": "ef_search", "ivf": "nprobe"}
    # the MIPS-to-L2 reduction reaches full recall where the search is wide enough
    assert df.loc[df["index"] == "hnsw_mips", "recall"].iloc[-1] == 1.0
    assert df.loc[df["index"] == "hnsw", "value"].tolist() == [1, 64]
    ivf = df[df["index"] == "ivf"]
    assert ivf["value"].max() == 9 and ivf["recall"].iloc[-1] == 1.0  # nlist = round(sqrt(80))
    err = capsys.readouterr().err
    assert "ann [2/5] seed 0: HNSW" in err and "IVF (nlist 9)" in err and "[4/5] seed 1" in err
    assert set(tables["ann_payoff"]["index"]) == {"hnsw_mips", "ivf"}
    text = ann.findings(tables)
    assert text.startswith("- Means over 2 seeds") and "\n- hnsw:" in text
    assert "- ivf: mean recall@k >= 0.95 from nprobe" in text
    assert "mixture implies" in text and "N = 400" in text
    with pytest.raises(ValueError, match="'anchor_step' parameter of ann.run"):
        ann.run(anchor_step=0)


def test_implied_mixture_bias_is_the_bias_of_an_exact_mixture():
    import torch
    from graphneg.analysis.ann import implied_mixture_bias
    from graphneg.analysis.gradient_bias import gradient_bias
    g = torch.Generator().manual_seed(0)
    z = torch.randn(12, 3, generator=g, dtype=torch.float64)
    t = torch.softmax(torch.randn(5, 12, generator=g, dtype=torch.float64), 1)
    u = torch.full((5, 12), 1 / 12, dtype=torch.float64)
    anchors = torch.arange(5)
    mix = 0.7 * t + 0.3 * u  # linearity of the expectation: closed form
    want = gradient_bias(z, mix, t, anchors)
    got = implied_mixture_bias(z, 0.3, t, u, anchors)
    torch.testing.assert_close(got.bias, want.bias)
    torch.testing.assert_close(got.relative_norm, want.relative_norm)


def test_mips_reduction_returns_inner_products():
    import torch
    from graphneg.samplers.ann import build_faiss_index, faiss_topk
    g = torch.Generator().manual_seed(1)
    z = torch.randn(200, 6, generator=g) * torch.rand(200, 1, generator=g) * 4
    scores, ids = faiss_topk(build_faiss_index(z, "hnsw_mips", hnsw_m=16, ef_construction=200,
                                               ef_search=200), z[:20], 5)
    exact = faiss_topk(build_faiss_index(z, "flat"), z[:20], 5)
    assert (ids == exact[1]).double().mean() > 0.98
    torch.testing.assert_close(scores, (z[:20, None] * z[ids]).sum(-1).double(), rtol=1e-4,
                               atol=1e-3)
