"""Skip-gram and audio-text trainers, and the text analysis layer."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import torch
from graphneg.analysis.text import (
    expected_false_negatives,
    hybrid_sweep,
    most_exposed_words,
    plot_false_negative_check,
    plot_hybrid_sweep,
    plot_policy_effect,
    plot_sampler_effect,
    simulate_false_negatives,
)
from graphneg.datasets.text import audio_text_graph, text_graph

from graphneg.evaluation import synonym_auc
from graphneg.models.text import bag_of_ngrams
from graphneg.samplers import PhoneticNegativeSampler
from graphneg.training.text import AudioTextTrainer, SkipGramTrainer

HOMO = ["two", "too", "to", "for", "four", "fore", "know", "no", "new", "knew", "cat", "cap",
        "cut", "tool", "tune", "tone", "ton", "tin", "ten", "tan", "dew", "due", "do", "done",
        "right", "write", "rite", "night", "knight", "might"]


def test_synonym_auc_closed_form():
    e = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [-1.0, 0.0]])
    pairs = torch.tensor([[0, 1], [1, 2]])       # cos: 0.994, 0.110
    rand = torch.tensor([[0, 2], [3, 3]])        # cos: -1, 0
    # pos > neg for all 4 comparisons
    assert synonym_auc(e, pairs, rand) == 1.0
    rand = torch.tensor([[0], [1]])              # equals the first positive (tie), above the second
    assert synonym_auc(e, pairs, rand) == pytest.approx(0.25)


def test_bag_of_ngrams():
    x = bag_of_ngrams([["T", "UW1"], ["T"]], (1, 2))
    # grams: T, UW1, <T, TUW1, UW1>, T> -> 6 columns
    assert x.shape == (2, 6)
    assert torch.allclose(x[0].sum(), torch.log1p(torch.tensor(1.0)) * 5)


@pytest.fixture(scope="module")
def small_text(tmp_path_factory):
    return text_graph(max_words=250, embeddings=True,
                      cache_dir=tmp_path_factory.mktemp("embeddings"))


@pytest.mark.parametrize("sampler,kwargs", [("uniform", {}), ("hybrid", {"lam": 0.5,
                                                                           "top_m": 50})])
def test_skipgram_learns_and_resumes(small_text, sampler, kwargs, tmp_path):
    t = SkipGramTrainer(small_text, sampler=sampler, sampler_kwargs=kwargs, num_neg=3,
                        dim=16, pairs_per_epoch=3000, epochs=3, seed=0, verbose=False,
                        checkpoint_dir=tmp_path)
    h = t.fit()
    assert h["loss"].iloc[-1] < h["loss"].iloc[0]
    assert h["pos_score_mean"].iloc[-1] > h["neg_score_mean"].iloc[-1]
    assert h["val_syn_auc"].between(0, 1).all()
    if sampler == "hybrid":
        assert (h["truncated_mass_mean"] > 0).all()
    # bit-for-bit resume from the checkpoint of an interrupted run
    t2 = SkipGramTrainer(small_text, sampler=sampler, sampler_kwargs=kwargs, num_neg=3,
                         dim=16, pairs_per_epoch=3000, epochs=3, seed=0, verbose=False,
                         checkpoint_dir=tmp_path / "b")
    t2.epochs = 2
    t2.fit()
    t3 = SkipGramTrainer(small_text, sampler=sampler, sampler_kwargs=kwargs, num_neg=3,
                         dim=16, pairs_per_epoch=3000, epochs=3, seed=0, verbose=False,
                         checkpoint_dir=tmp_path / "b")
    h3 = t3.fit(resume=True)
    assert h3["loss"].tolist() == h["loss"].tolist()


def test_skipgram_bad_input(small_text):
    with pytest.raises(ValueError, match=r"'synonyms' parameter of SkipGramTrainer"):
        SkipGramTrainer(small_text, synonyms=[("qq", "zz")], verbose=False)
    with pytest.raises(ValueError, match=r"'num_neg' parameter of SkipGramTrainer"):
        SkipGramTrainer(small_text, num_neg=0, verbose=False)


def test_audio_text_trainer_policies():
    g = audio_text_graph(words=HOMO)
    res = {}
    for policy in ("keep", "exclude", "positive"):
        t = AudioTextTrainer(g, sampler_kwargs={"radius": 2, "homophones": policy},
                             num_neg=3, epochs=3, seed=0, verbose=False, test_ratio=0.3)
        h = t.fit()
        res[policy] = h
        assert h["val_mrr"].between(0, 1).all()
        assert (h["val_mrr_homophone"] >= h["val_mrr"] - 1e-12).all()
        assert h["val_train_homophone_mrr"].between(0, 1).all()
    assert res["keep"]["homophone_neg_ratio"].max() > 0
    assert res["exclude"]["homophone_neg_ratio"].max() == 0
    assert res["positive"]["homophone_neg_ratio"].max() == 0
    t = AudioTextTrainer(g, verbose=False, seed=0)
    pairs = torch.tensor([[0, 0, 10], [1 + g.num_words, 10 + g.num_words, 11 + g.num_words]])
    assert t.is_homophone(pairs).tolist() == [True, False, False]


def test_expected_false_negatives_exact_and_simulated():
    g = audio_text_graph(words=HOMO)
    s = PhoneticNegativeSampler(radius=1, alpha=0.5, homophones="keep", seed=0)
    exact = expected_false_negatives(s, g, num_neg=4)
    # closed form for "two": neighbours within distance 1 among the text nodes
    from rapidfuzz.distance import Levenshtein
    ph = g.phonemes
    v = g.num_words
    u = 0
    d = torch.tensor([Levenshtein.distance(ph[u], ph[v + j]) for j in range(v)], dtype=torch.double)
    w = torch.exp(-0.5 * d) * (d <= 1)
    w[u] = 0                                      # its own text is the positive
    homo = torch.tensor([g.words[j] in ("too", "to") for j in range(v)])
    assert exact.loc[0, "expected_fn"] == pytest.approx(4 * float(w[homo].sum() / w.sum()))
    assert exact.loc[0, "num_homophones"] == 2
    sim = simulate_false_negatives(s, g, num_neg=4, num_rounds=3000)
    df = exact.merge(sim, on="anchor")
    h = df[df["num_homophones"] > 0]
    z = (h["simulated_fn"] - h["expected_fn"]) / h["simulated_se"].clip(lower=1e-12)
    assert float(z.abs().max()) < 4.5             # ~16 anchors, Bonferroni-safe bound
    assert s.num_neg == 1                         # the caller's sampler is not modified
    # exclude policy: no false negative can be drawn
    ex = expected_false_negatives(PhoneticNegativeSampler(radius=1, homophones="exclude"), g)
    assert float(ex["expected_fn"].max()) == 0.0
    top = most_exposed_words(df, 3)
    assert top["expected_fn"].is_monotonic_decreasing
    ax = plot_false_negative_check(df)
    assert ax.get_xlabel().startswith("exact")
    plt.close("all")


def test_hybrid_sweep_monotone_trends(small_text):
    v = small_text.num_words
    g = torch.Generator().manual_seed(0)
    w, c = torch.randn(v, 8, generator=g), torch.randn(v, 8, generator=g)
    sw = hybrid_sweep(small_text, w, c, lams=(0.0, 1.0), alphas=(0.0, 30.0), num_pairs=200,
                      seed=0)
    assert len(sw) == 4
    cell = sw.set_index(["lam", "alpha"])
    # sharpening along the semantic axis lowers the semantic distance of negatives, and
    # along the orthographic axis the orthographic one
    assert cell.loc[(1.0, 30.0), "d_sem"] < cell.loc[(1.0, 0.0), "d_sem"] - 0.05
    assert cell.loc[(0.0, 30.0), "d_syn"] < cell.loc[(0.0, 0.0), "d_syn"] - 0.05
    ax = plot_hybrid_sweep(sw, "d_sem")
    assert ax.get_xscale() == "symlog"
    plt.close("all")


def test_effect_plots():
    df = pd.DataFrame({"sampler": ["a", "a", "b"], "mrr": [0.1, 0.2, 0.3],
                       "mrr_homophone": [0.2, 0.3, 0.4], "best_syn_auc": [0.6, 0.62, 0.55],
                       "final_syn_auc": [0.58, 0.6, 0.5]})
    assert plot_policy_effect(df).get_ylabel().startswith("MRR")
    assert "AUC" in plot_sampler_effect(df).get_ylabel()
    plt.close("all")


def test_audio_text_ties_rank_at_chance_not_first():
    # a zero text encoder: every score is 0, so every written word ties with the true one
    g = audio_text_graph(words=HOMO)
    t = AudioTextTrainer(g, num_neg=2, epochs=1, seed=0, verbose=False, eval_num_neg=5)
    t.fit()
    with torch.no_grad():
        t.model["text"][-1].weight.zero_()
        t.model["text"][-1].bias.zero_()
    v = g.num_words
    m = t.test()
    assert m["mrr"] == pytest.approx(2 / (v + 1))          # rank 1 + (0 + (V - 1)) / 2
    assert m["hits1"] == 0.0
    assert m["hard_mrr"] == pytest.approx(2 / (5 + 2))     # K = 5 tied hard negatives
    # a direct score matrix: one tie with the true word halves its gain
    q = t.split_words("test")
    s = torch.zeros(q.numel(), v)
    s[torch.arange(q.numel()), q] = 1.0
    assert t.split_metrics("test", s)["mrr"] == 1.0
    other = (q + 1) % v
    s[torch.arange(q.numel()), other] = 1.0
    keep = ~t.is_homophone(torch.stack([q, other + v]))
    ranks = torch.where(keep, 1.5, 1.0)                    # a homophone tie stays a tie: 1.5
    assert t.split_metrics("test", s)["mrr"] == pytest.approx(float((1 / torch.full_like(
        ranks, 1.5)).mean()))
    assert t.split_metrics("test", s)["mrr_homophone"] == pytest.approx(float((1 / ranks).mean()))


def test_audio_text_model_selection_never_sees_the_test_words(monkeypatch):
    g = audio_text_graph(words=HOMO)
    t = AudioTextTrainer(g, num_neg=2, epochs=3, seed=0, verbose=False, eval_num_neg=4,
                         val_ratio=0.2, homophone_holdout=True, candidates="all")
    words = [set(t.split_words(s).tolist()) for s in ("train", "val", "test")]
    assert sum(map(len, words)) == g.num_words and not (words[0] & words[1])
    assert not (words[0] & words[2]) and not (words[1] & words[2])
    # homophone holdout: exactly one member of each homophone group is trained on
    from graphneg.samplers.text import homophone_pairs
    hp = homophone_pairs(g.phonemes, g.words, torch.arange(g.num_words),
                         candidate_mask=g.text_mask)
    groups = {}
    for a, b in hp.t().tolist():
        groups.setdefault(a, {a}).add(b - g.num_words)
    for a, members in groups.items():
        assert len(members & words[0]) == 1
    seen = []
    real = AudioTextTrainer.split_metrics
    monkeypatch.setattr(AudioTextTrainer, "split_metrics",
                        lambda self, split, scores: seen.append(split) or real(self, split, scores))
    h = t.fit()
    assert set(seen) == {"val"} and len(h) == 3
    t.test()
    assert seen[-1] == "test"


def test_audio_text_hard_negatives_are_phonetic_neighbours_never_positives():
    from graphneg.samplers.text import phoneme_distances
    g = audio_text_graph(words=HOMO)
    v = g.num_words
    t = AudioTextTrainer(g, num_neg=2, epochs=1, seed=1, verbose=False, eval_num_neg=4,
                         test_ratio=0.3)
    for split in ("val", "test"):
        q, hard = t.split_words(split), t.hard_negatives[split]
        assert hard.shape == (q.numel(), 4)
        assert not (hard == q.view(-1, 1)).any()
        assert not t.is_homophone(torch.stack([q.repeat_interleave(4), hard.reshape(-1) + v])).any()
        d = phoneme_distances([g.phonemes[i] for i in q.tolist()], g.phonemes[:v]).double()
        d[torch.arange(q.numel()), q] = float("inf")
        d[t.is_homophone(torch.stack([q.repeat_interleave(v), torch.arange(v).repeat(q.numel())
                                      + v])).view(q.numel(), v)] = float("inf")
        kth = d.sort(1).values[:, 3]
        assert (d.gather(1, hard).max(1).values == kth).all()   # the 4 nearest (ties random)


def test_skipgram_selects_on_validation_synonyms_scores_on_test(small_text, monkeypatch):
    t = SkipGramTrainer(small_text, sampler="uniform", num_neg=2, dim=8, pairs_per_epoch=500,
                        epochs=2, seed=0, verbose=False)
    val = set(map(tuple, t.syn_pairs["val"].t().tolist()))
    test = set(map(tuple, t.syn_pairs["test"].t().tolist()))
    assert val and test and not (val & test)
    import graphneg.training.text as mod
    seen = []
    real = mod.synonym_auc
    monkeypatch.setattr(mod, "synonym_auc", lambda e, p, r: seen.append(p) or real(e, p, r))
    t.fit()
    assert all(p is t.syn_pairs["val"] for p in seen) and len(seen) == 2
    assert 0 <= t.test()["syn_auc"] <= 1 and seen[-1] is t.syn_pairs["test"]
    with pytest.raises(ValueError, match=r"'synonyms' parameter of SkipGramTrainer must hold "
                                         r"at least two pairs"):
        SkipGramTrainer(small_text, synonyms=[tuple(small_text.words[:2])], verbose=False)


def test_skipgram_eta_is_the_two_table_sampling_efficiency(small_text):
    from graphneg.diagnostics import sampling_efficiency
    t = SkipGramTrainer(small_text, sampler="uniform", num_neg=3, dim=8, pairs_per_epoch=400,
                        batch_size=400, epochs=1, seed=0, verbose=False)
    t.fit()                                      # the context table is no longer zero
    v = t.num_words
    z = torch.cat([t.model["word"].weight, t.model["context"].weight]).detach().clone()
    seen = {}
    real = t.sampler.sample

    def spy(*args, **kw):
        out = real(*args, **kw)
        seen.update(pos=kw["pos_edge_index"], out=out)
        return out
    t.sampler.sample = spy
    with t.rng_scope():
        row = t.train_step(2)                    # one batch: the scores of z above
    neg, keep = seen["out"]
    pos = seen["pos"][:, keep]
    # z_w . z_(V + c) = W_w . C_c, and ||z_(V + c)|| = ||C_c||: the one-table formula applies
    assert row["eta"] == pytest.approx(sampling_efficiency(z, pos, neg), rel=1e-6)
    s = (z[neg[0]] * z[neg[1]]).sum(1)
    assert row["neg_sigmoid"] == pytest.approx(float(torch.sigmoid(s).mean()), rel=1e-6)
    assert row["hard_negative_rate"] == pytest.approx(float((s >= 0).double().mean()))


def test_audio_text_eta_and_hardness_are_those_of_the_epoch_before_the_step():
    from graphneg.diagnostics import sampling_efficiency
    g = audio_text_graph(words=HOMO)
    t = AudioTextTrainer(g, num_neg=3, epochs=2, seed=0, verbose=False, eval_num_neg=4,
                         sampler_kwargs={"radius": 2}, prefetch_epochs=1)
    seen = {}
    real_sample, real_embed = t.sampler.sample, t._embed

    def sample(*args, **kwargs):
        seen["neg"], keep = real_sample(*args, **kwargs)
        seen["pos"] = t.train_pos[:, keep]
        return seen["neg"], keep

    def embed():
        out = real_embed()
        seen.setdefault("z", torch.cat(out).detach().clone())   # the step's first call
        return out

    t.sampler.sample, t._embed = sample, embed
    row = t.train_step(0)
    z, pos, neg = seen["z"], seen["pos"], seen["neg"]
    assert row["eta"] == pytest.approx(sampling_efficiency(z, pos, neg), rel=1e-6)
    sig = torch.sigmoid((z[neg[0]] * z[neg[1]]).sum(1))
    assert row["neg_sigmoid"] == pytest.approx(float(sig.mean()), rel=1e-6)
    assert row["hard_negative_rate"] == pytest.approx(float((sig >= 0.5).double().mean()))
    assert {"eta", "hard_negative_rate"} <= set(t.fit().columns)


def test_audio_text_prefetched_negatives_resume_bit_for_bit(tmp_path):
    g = audio_text_graph(words=HOMO)
    kw = dict(num_neg=2, epochs=5, seed=2, verbose=False, eval_num_neg=4, prefetch_epochs=3,
              sampler_kwargs={"radius": 2})
    t = AudioTextTrainer(g, **kw)
    full = t.fit()
    assert t._prefetched["epochs"] == 2          # epochs 1-3 in one call, then 4-5
    assert full["homophone_neg_ratio"].between(0, 1).all()

    class Killed(AudioTextTrainer):
        def on_epoch_end(self, epoch, row):
            if epoch == 2:                        # inside the first prefetched block
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Killed(g, checkpoint_dir=tmp_path, **kw).fit()
    resumed = AudioTextTrainer(g, checkpoint_dir=tmp_path, **kw).fit(resume=True)
    assert resumed["loss"].tolist() == full["loss"].tolist()
    with pytest.raises(ValueError, match="'prefetch_epochs' parameter of AudioTextTrainer"):
        AudioTextTrainer(g, prefetch_epochs=0)
