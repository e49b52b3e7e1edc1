"""Hybrid semantic–syntactic and phonetic samplers: exact distributions, limits, bad input."""
import pytest
import torch
from support.cases_text import random_phonemes, random_words
from support.reference import assert_distribution, chi_square_pvalue
from torch_geometric.data import Data

from graphneg.samplers import (
    HybridGibbsSampler,
    NoNegativeCandidatesError,
    PhoneticNegativeSampler,
    get_sampler,
    homophone_pairs,
    hybrid_distances,
    hybrid_negatives,
    phoneme_distances,
    phonetic_negatives,
)

WORDS = ["cat", "cart", "car", "dog", "cog", "cot", "bat", "bath", "tab", "act", "catalog",
         "doggy"]


def lev(a, b):
    """Plain dynamic-programming Levenshtein (the independent reference)."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def reference_probs(u, words, emb, lam, alpha, valid, top_m=None):
    n = len(words)
    d = []
    for v in range(n):
        syn = lev(words[u], words[v]) / max(len(words[u]), len(words[v]))
        sem = 1 - float(torch.nn.functional.cosine_similarity(emb[u], emb[v], dim=0))
        d.append(lam * sem + (1 - lam) * syn)
    d = torch.tensor(d, dtype=torch.double)
    keep = valid.clone()
    if top_m is not None:
        order = sorted((float(d[v]), v) for v in range(n) if valid[v])
        keep = torch.zeros(n, dtype=torch.bool)
        keep[[v for _, v in order[:top_m]]] = True
    w = torch.exp(-alpha * d) * keep
    return w / w.sum()


@pytest.fixture
def vocab():
    g = torch.Generator().manual_seed(0)
    emb = torch.randn(len(WORDS), 6, generator=g, dtype=torch.double)
    ei = torch.tensor([[0, 3, 0, 2], [3, 0, 2, 0]])
    return ei, emb


@pytest.mark.parametrize("lam,alpha,top_m", [
    (0.0, 6.0, None), (1.0, 4.0, None), (0.5, 8.0, None), (0.3, 2.0, 5), (0.7, 10.0, 3),
])
def test_hybrid_exact_distribution(vocab, lam, alpha, top_m):
    ei, emb = vocab
    n = len(WORDS)
    pos = torch.tensor([[0], [3]]).repeat(1, 4000)
    sampler = HybridGibbsSampler(5, lam=lam, alpha=alpha, top_m=top_m, seed=1)
    neg = sampler.sample(ei, n, pos_edge_index=pos, words=WORDS, embedding=emb)
    valid = torch.ones(n, dtype=torch.bool)
    valid[[0, 2, 3]] = False  # self, two known neighbours
    probs = reference_probs(0, WORDS, emb, lam, alpha, valid, top_m)
    assert_distribution(neg[1], probs)
    # the sampler's stated distribution is the same
    p = sampler.probabilities(torch.tensor([0]), ei, n, words=WORDS, embedding=emb)[0]
    assert torch.allclose(p, probs, atol=1e-6)
    # and a skewed target fails on the same draws (the test can fail)
    skew = probs * (1 + 0.2 * (torch.arange(n) % 2))
    assert chi_square_pvalue(neg[1], skew) < 1e-3


def test_hybrid_exact_path_matches(vocab):
    ei, emb = vocab
    n = len(WORDS)
    pos = torch.tensor([[0], [3]]).repeat(1, 3000)
    sampler = HybridGibbsSampler(4, lam=0.5, alpha=5.0, seed=2, fallback_ratio=1.0)
    neg = sampler.sample(ei, n, pos_edge_index=pos, words=WORDS, embedding=emb)
    assert sampler.last_stats.exact_slots == neg.size(1)
    valid = torch.ones(n, dtype=torch.bool)
    valid[[0, 2, 3]] = False
    assert_distribution(neg[1], reference_probs(0, WORDS, emb, 0.5, 5.0, valid))


def test_hybrid_limits(vocab):
    ei, emb = vocab
    n = len(WORDS)
    a = torch.arange(n)
    kw = dict(words=WORDS, embedding=emb)
    # alpha = 0: uniform over valid candidates, whatever lambda
    p0 = HybridGibbsSampler(lam=0.4, alpha=0.0).probabilities(a, ei, n, **kw)
    counts = (p0 > 0).sum(1, keepdim=True)
    assert torch.allclose(p0[p0 > 0], (1.0 / counts.double()).expand_as(p0)[p0 > 0])
    # lambda = 1 ignores the strings, lambda = 0 ignores the embeddings
    shuffled = WORDS[::-1]
    p_sem = HybridGibbsSampler(lam=1.0, alpha=3.0).probabilities(a, ei, n, **kw)
    assert torch.allclose(p_sem, HybridGibbsSampler(lam=1.0, alpha=3.0).probabilities(
        a, ei, n, words=shuffled, embedding=emb))
    assert torch.allclose(p_sem, HybridGibbsSampler(lam=1.0, alpha=3.0).probabilities(
        a, ei, n, embedding=emb))  # words not needed
    p_syn = HybridGibbsSampler(lam=0.0, alpha=3.0).probabilities(a, ei, n, words=WORDS)
    assert torch.allclose(p_syn, HybridGibbsSampler(lam=0.0, alpha=3.0).probabilities(
        a, ei, n, words=WORDS, embedding=-emb))
    # large alpha: (almost) all mass on the nearest valid word ("cart", at 1/4)
    big = HybridGibbsSampler(lam=0.0, alpha=200.0).probabilities(torch.tensor([0]), ei, n,
                                                                 words=WORDS)[0]
    d = torch.tensor([lev("cat", w) / max(3, len(w)) for w in WORDS])
    d[[0, 2, 3]] = float("inf")
    nearest = d == d.min()
    assert float(big[nearest].sum()) > 1 - 1e-6  # next distance is 1/12 further: e^{-200/12}


def test_hybrid_truncation_mass_reported(vocab):
    ei, emb = vocab
    n = len(WORDS)
    s = HybridGibbsSampler(2, lam=0.5, alpha=2.0, top_m=4, seed=0)
    s.sample(ei, n, pos_edge_index=torch.tensor([[0], [3]]), words=WORDS, embedding=emb)
    valid = torch.ones(n, dtype=torch.bool)
    valid[[0, 2, 3]] = False
    full = reference_probs(0, WORDS, emb, 0.5, 2.0, valid)
    trunc = reference_probs(0, WORDS, emb, 0.5, 2.0, valid, top_m=4)
    expected = float(full[trunc == 0].sum())
    assert s.last_stats.extra["truncated_mass_mean"] == pytest.approx(expected, abs=1e-9)
    assert s.last_stats.extra["top_m"] == 4
    assert 0 < expected < 1
    s = HybridGibbsSampler(2, lam=0.5, alpha=2.0, seed=0)
    s.sample(ei, n, pos_edge_index=torch.tensor([[0], [3]]), words=WORDS, embedding=emb)
    assert s.last_stats.extra["truncated_mass_max"] == 0.0


def test_hybrid_distances_closed_form():
    emb = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]).double()
    emb = emb / emb.norm(dim=1, keepdim=True)
    d = hybrid_distances(["ab", "abcd", "x"], ["ab", "abcd", "x"], emb, emb, lam=0.25)
    syn = torch.tensor([[0, 0.5, 1], [0.5, 0, 1], [1, 1, 0]], dtype=torch.double)
    sem = 1 - emb @ emb.T
    assert torch.allclose(d, 0.25 * sem + 0.75 * syn)


def test_hybrid_transform_reads_data_attributes(vocab):
    ei, emb = vocab
    data = Data(edge_index=ei, num_nodes=len(WORDS))
    data.words, data.embedding = WORDS, emb
    out = get_sampler("hybrid", num_neg=2, lam=0.5, seed=0)(data)
    assert out.edge_label_index.shape == (2, 4 + 8)
    assert "truncated_mass_mean" in out.neg_stats
    assert "lam=0.5" in repr(get_sampler("hybrid", lam=0.5))


def test_hybrid_functional_twin(vocab):
    ei, emb = vocab
    a = hybrid_negatives(ei, len(WORDS), words=WORDS, embedding=emb, num_neg=3, seed=4)
    b = HybridGibbsSampler(3, seed=4).sample(ei, len(WORDS), words=WORDS, embedding=emb)
    assert torch.equal(a, b)


@pytest.mark.parametrize("kwargs,err,match", [
    (dict(lam=1.5), ValueError, r"'lam' parameter of HybridGibbsSampler must be a finite float in \[0, 1\]"),
    (dict(lam=-0.1), ValueError, r"'lam' .* Got -0.1"),
    (dict(alpha=-1.0), ValueError, r"'alpha' parameter .* \[0, inf\)"),
    (dict(alpha=float("nan")), ValueError, r"'alpha'"),
    (dict(top_m=0), ValueError, r"'top_m' parameter .* \[1, inf\)"),
    (dict(workers=0), ValueError, r"'workers'"),
])
def test_hybrid_bad_parameters(kwargs, err, match):
    with pytest.raises(err, match=match):
        HybridGibbsSampler(**kwargs)


def test_hybrid_bad_call_inputs(vocab):
    ei, emb = vocab
    n = len(WORDS)
    s = HybridGibbsSampler(lam=0.5)
    with pytest.raises(ValueError, match=r"non-empty strings .* positions \[1\]"):
        s.sample(ei, n, words=["cat", ""] + WORDS[2:], embedding=emb)
    with pytest.raises(ValueError, match=r"'words' .* is required"):
        s.sample(ei, n, embedding=emb)
    with pytest.raises(ValueError, match=r"one entry per node \(12\). Got 3"):
        s.sample(ei, n, words=WORDS[:3], embedding=emb)
    with pytest.raises(TypeError, match=r"only str"):
        s.sample(ei, n, words=[1] + WORDS[1:], embedding=emb)
    bad = emb.clone()
    bad[4, 1] = float("nan")
    with pytest.raises(ValueError, match=r"'embedding' .* must be finite"):
        s.sample(ei, n, words=WORDS, embedding=bad)
    with pytest.raises(ValueError, match=r"'embedding' .* is required when lam > 0"):
        s.sample(ei, n, words=WORDS)
    zero = emb.clone()
    zero[2] = 0
    with pytest.raises(ValueError, match=r"non-zero rows .* \[2\]"):
        s.sample(ei, n, words=WORDS, embedding=zero)
    with pytest.raises(ValueError, match=r"must have 12 rows"):
        s.sample(ei, n, words=WORDS, embedding=emb[:5])


def test_hybrid_impossible_anchor_and_bipartite_candidates():
    words = random_words(8, 1)
    ei = torch.tensor([[0, 0, 0], [1, 2, 3]])
    mask = torch.zeros(8, dtype=torch.bool)
    mask[1:4] = True
    s = HybridGibbsSampler(2, lam=0.0, seed=0, directed=True)
    with pytest.raises(NoNegativeCandidatesError, match=r"\[0\]"):
        s.sample(ei, 8, candidate_mask=mask, words=words)
    mask[5] = True
    neg = s.sample(ei, 8, candidate_mask=mask, words=words)
    assert neg[1].tolist() == [5] * 6


def test_hybrid_pairs_mode(vocab):
    ei, emb = vocab
    n = len(WORDS)
    s = HybridGibbsSampler(20000, lam=0.5, alpha=4.0, mode="pairs", seed=3)
    neg = s.sample(ei, n, words=WORDS, embedding=emb)
    # anchors uniform (every anchor has a valid candidate), then q(.|u)
    p = s.probabilities(torch.arange(n), ei, n, words=WORDS, embedding=emb) / n
    assert_distribution(neg[0] * n + neg[1], p.reshape(-1))


# ------------------------------------------------------------------ phonetic
PH = {
    "two": ["T", "UW1"], "to": ["T", "UW1"], "too": ["T", "UW1"], "tool": ["T", "UW1", "L"],
    "tune": ["T", "UW1", "N"], "do": ["D", "UW1"], "cat": ["K", "AE1", "T"],
    "cap": ["K", "AE1", "P"], "cut": ["K", "AH1", "T"], "new": ["N", "UW1"],
    "knew": ["N", "UW1"], "dew": ["D", "UW1"],
}
PW = list(PH)
PP = [PH[w] for w in PW]


def test_phoneme_distances_match_reference():
    d = phoneme_distances(PP, PP)
    ref = torch.tensor([[lev(a, b) for b in PP] for a in PP])
    assert torch.equal(d, ref)
    assert torch.equal(phoneme_distances(PP, PP, score_cutoff=1), ref.clamp(max=2))


def test_homophone_pairs():
    pairs = homophone_pairs(PP, PW, torch.tensor([0, 6, 9]))
    got = {(PW[a], PW[b]) for a, b in pairs.t().tolist()}
    assert got == {("two", "to"), ("two", "too"), ("new", "knew")}


@pytest.mark.parametrize("policy,alpha,radius", [
    ("keep", 0.0, 1), ("exclude", 0.0, 1), ("keep", 1.5, 2), ("exclude", 0.7, None),
])
def test_phonetic_exact_distribution(policy, alpha, radius):
    n = len(PW)
    ei = torch.tensor([[0, 5], [5, 0]])  # "two" - "do" is a known edge
    pos = torch.tensor([[0], [5]]).repeat(1, 4000)
    s = PhoneticNegativeSampler(5, radius=radius, alpha=alpha, homophones=policy, seed=0)
    neg = s.sample(ei, n, pos_edge_index=pos, phonemes=PP, words=PW)
    d = torch.tensor([lev(PP[0], p) for p in PP], dtype=torch.double)
    w = torch.exp(-alpha * d)
    if radius is not None:
        w[d > radius] = 0
    w[[0, 5]] = 0
    if policy == "exclude":
        w[[PW.index("to"), PW.index("too")]] = 0
    assert_distribution(neg[1], w)
    assert torch.allclose(s.probabilities(torch.tensor([0]), ei, n, phonemes=PP, words=PW)[0],
                          w / w.sum())


def test_phonetic_positive_policy_adds_homophones_as_positives():
    n = len(PW)
    data = Data(edge_index=torch.tensor([[0, 9], [5, 6]]), num_nodes=n)
    data.phonemes, data.words = PP, PW
    out = PhoneticNegativeSampler(3, radius=1, homophones="positive", seed=0)(data)
    lab = out.edge_label
    pos = out.edge_label_index[:, lab == 1]
    got = {(PW[a], PW[b]) for a, b in pos.t().tolist()}
    assert got == {("two", "do"), ("new", "cat"), ("two", "to"), ("two", "too"),
                   ("new", "knew")}
    assert out.neg_stats["homophone_positives"] == 3
    assert int((lab == 0).sum()) == 6
    neg = out.edge_label_index[:, lab == 0]
    assert not any((PW[a], PW[b]) in {("two", "to"), ("two", "too"), ("new", "knew")}
                   for a, b in neg.t().tolist())


def test_phonetic_radius_can_make_anchor_impossible():
    ph = [["T", "UW1"], ["K", "AE1", "T", "S"], ["T", "UW1", "L"], ["T", "UW1", "N"]]
    words = ["two", "cats", "tool", "tune"]
    ei = torch.tensor([[0, 1], [2, 2]])
    s = PhoneticNegativeSampler(2, radius=1, seed=0)
    with pytest.raises(NoNegativeCandidatesError, match=r"anchor node\(s\) \[1\] "):
        s.sample(ei, 4, phonemes=ph, words=words)
    s = PhoneticNegativeSampler(2, radius=1, seed=0, on_impossible="drop")
    neg, keep = s.sample(ei, 4, phonemes=ph, words=words, return_mask=True)
    assert keep.tolist() == [True, False]
    assert neg.tolist() == [[0, 0], [3, 3]]
    assert s.last_stats.impossible_anchors == 1


def test_phonetic_bad_input():
    ei = torch.tensor([[0], [1]])
    with pytest.raises(ValueError, match=r"'homophones' parameter .* 'exclude', 'positive', 'keep'"):
        PhoneticNegativeSampler(homophones="drop")
    with pytest.raises(ValueError, match=r"'radius' .* \[0, inf\)"):
        PhoneticNegativeSampler(radius=-1)
    with pytest.raises(ValueError, match=r"'alpha'"):
        PhoneticNegativeSampler(alpha=-0.5)
    s = PhoneticNegativeSampler()
    with pytest.raises(ValueError, match=r"missing or empty entries at positions \[1\]"):
        s.sample(ei, 3, phonemes=[["T"], [], ["K"]], words=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"'phonemes' .* is required"):
        s.sample(ei, 3, words=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"one entry per node \(3\)"):
        s.sample(ei, 3, phonemes=[["T"]], words=["a", "b", "c"])


def test_phonetic_functional_twin():
    ei = torch.tensor([[0, 6], [5, 7]])
    a = phonetic_negatives(ei, len(PW), phonemes=PP, words=PW, num_neg=2, seed=1)
    b = PhoneticNegativeSampler(2, seed=1).sample(ei, len(PW), phonemes=PP, words=PW)
    assert torch.equal(a, b)


def test_random_case_generators_are_seeded():
    assert random_words(5, 1) == random_words(5, 1)
    assert random_phonemes(5, 2) == random_phonemes(5, 2)


@pytest.mark.parametrize("use_mask,directed", [(False, False), (True, False), (True, True)])
def test_sparse_validity_block_equals_membership_test(use_mask, directed):
    from support.graphs import random_graph

    from graphneg.edges import EdgeSet
    from graphneg.samplers.base import SamplingContext
    n = 30
    ei = random_graph(n, 80, seed=9)
    pos = torch.tensor([[0, 5, 7], [29, 3, 3]])
    mask = (torch.arange(n) % 3 != 0) if use_mask else None
    known = EdgeSet([ei, pos], n, undirected=not directed)
    ctx = SamplingContext(n, ei, known, mask, None, {})
    a = torch.tensor([0, 5, 7, 3, 3, 12])
    cand = torch.arange(n) if mask is None else mask.nonzero().view(-1)
    assert torch.equal(ctx.valid_block(a), ctx.is_valid(a.view(-1, 1), cand.view(1, -1)))


def test_inverse_cdf_row_draws_are_exact():
    from graphneg.samplers.tables import draw_rows
    g = torch.Generator().manual_seed(0)
    p = torch.rand(3, 6, generator=g, dtype=torch.double)
    p[0, 2] = p[1, 5] = p[2, 0] = 0
    p = p / p.sum(1, keepdim=True)
    row = torch.tensor([2, 0, 1]).repeat_interleave(torch.tensor([25000, 30000, 20000]))
    x = draw_rows(p, row, torch.rand(row.numel(), generator=g, dtype=torch.double))
    for r in range(3):
        assert_distribution(x[row == r], p[r])       # zero-probability columns never drawn


def test_phonetic_distance_cache_is_keyed_by_content():
    n = len(PW)
    ei = torch.tensor([[0, 6], [5, 7]])
    cached = PhoneticNegativeSampler(3, radius=2, seed=5)
    plain = PhoneticNegativeSampler(3, radius=2, seed=5)
    plain.cache_entries = 0                     # never cache
    cached.index_variants = plain.index_variants = 0   # the dense distance tables
    for _ in range(2):                          # second call reuses the table
        assert torch.equal(cached.sample(ei, n, phonemes=PP, words=PW),
                           plain.sample(ei, n, phonemes=PP, words=PW))
    other = [["K", "AE1", "T"]] * n             # new content: the table is rebuilt
    other[1] = ["K", "AE1", "P"]
    p1 = cached.probabilities(torch.tensor([0]), ei, n, phonemes=other, words=PW)
    p2 = plain.probabilities(torch.tensor([0]), ei, n, phonemes=other, words=PW)
    assert torch.equal(p1, p2)


@pytest.mark.parametrize("fallback_ratio", [0.0, 1.0])   # rejection path, exact path
def test_phonetic_exclude_puts_no_draw_and_no_mass_on_a_homophone(fallback_ratio):
    words = ["two", "too", "tool", "cat", "bat", "knight", "night"]
    ph = [["T", "UW1"], ["T", "UW1"], ["T", "UW1", "L"], ["K", "AE1", "T"], ["B", "AE1", "T"],
          ["N", "AY1", "T"], ["N", "AY1", "T"]]
    ei = torch.tensor([[0, 3], [3, 0]])
    pos = torch.tensor([[0, 2, 4, 5, 6], [3, 4, 2, 0, 0]])
    homo = torch.zeros(7, 7, dtype=torch.bool)
    hp = homophone_pairs(ph, words, torch.arange(7))
    homo[hp[0], hp[1]] = True
    assert int(homo.sum()) == 4                   # two/too and knight/night, both ways
    s = PhoneticNegativeSampler(4, radius=1, homophones="exclude", seed=0,
                                on_impossible="drop", fallback_ratio=fallback_ratio)
    p = s.log_prob(ei, 7, pos_edge_index=pos, phonemes=ph, words=words).exp()
    assert float(p[homo].max()) == 0.0
    # knight's and night's support within radius 1 is each other only: impossible
    # anchors, no mass anywhere (not uniform over C(u))
    assert float(p[5].sum()) == 0.0 and float(p[6].sum()) == 0.0
    assert p[0].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]   # tool, not too
    probs = s.probabilities(torch.arange(7), ei, 7, pos_edge_index=pos, phonemes=ph,
                            words=words)
    assert float(probs[homo].max()) == 0.0 and float(probs[5:].sum()) == 0.0
    for _ in range(20):
        neg = s.sample(ei, 7, pos_edge_index=pos, phonemes=ph, words=words)[0]
        assert neg.numel() > 0 and not bool(homo[neg[0], neg[1]].any())
        assert not bool(torch.isin(neg[0], torch.tensor([5, 6])).any())
    assert (s.last_stats.exact_slots > 0) == (fallback_ratio == 1.0)
