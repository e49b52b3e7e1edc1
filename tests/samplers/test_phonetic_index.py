"""The phonetic sampler's sparse path (a deletion index for a finite radius) against
brute force: the support, the valid counts, the law and the draws."""
import numpy as np
import pytest
import torch
from rapidfuzz import distance, process
from support.cases_text import random_phonemes, random_words
from support.graphs import random_graph
from support.reference import assert_distribution

from graphneg.samplers import PhoneticNegativeSampler
from graphneg.samplers.text import PhoneticIndex, _phoneme_strings


def many_symbol_phonemes(n, seed):
    """Sequences of 1..11 symbols over 90 symbols: too wide for exact 63-bit keys,
    so the index hashes its variants and verifies every joined pair."""
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 12, (n,), generator=g).tolist()
    base = [[f"P{int(torch.randint(90, (1,), generator=g))}" for _ in range(k)]
            for k in lengths]
    # near copies (one edit) so that radius 1 and 2 have neighbours
    for i in range(0, n, 3):
        seq = list(base[(i * 7) % n])
        seq[int(torch.randint(len(seq), (1,), generator=g))] = "P0"
        base[i] = seq
    return base


def brute_support(strings, radius, allowed):
    d = process.cdist(strings, strings, scorer=distance.Levenshtein.distance)
    ok = (d <= radius) & allowed[None, :]
    row, node = np.nonzero(ok)
    return row, node, d[row, node]


@pytest.mark.parametrize("radius", [0, 1, 2])
@pytest.mark.parametrize("symbols", ["few", "many"])
def test_index_support_equals_all_pairs(radius, symbols):
    n = 300
    phon = random_phonemes(n, 3) if symbols == "few" else many_symbol_phonemes(n, 3)
    strings = _phoneme_strings(phon, "test")
    index = PhoneticIndex(strings, radius)
    allowed = torch.rand(n, generator=torch.Generator().manual_seed(1)).numpy() < 0.7
    for mask in (None, allowed):
        got = index.support(np.arange(n), mask)
        want = brute_support(strings, radius, np.ones(n, dtype=bool) if mask is None else mask)
        for g, w in zip(got, want):
            assert np.array_equal(g, w)
    # node pairs looked up one by one agree with the table
    u, v = np.arange(n).repeat(n), np.tile(np.arange(n), n)
    d = process.cdist(strings, strings, scorer=distance.Levenshtein.distance,
                      dtype=np.int64).reshape(-1)
    assert np.array_equal(index.pair_distance(u, v), np.where(d <= radius, d, -1))


def crowded_phonemes(n, seed):
    """Sequences of 2..4 symbols over 4 symbols: many neighbours within radius 1."""
    g = torch.Generator().manual_seed(seed)
    sym = ["T", "UW1", "K", "AE1"]
    return [[sym[int(i)] for i in torch.randint(4, (int(k),), generator=g)]
            for k in torch.randint(2, 5, (n,), generator=g)]


def _case(n=120, seed=0):
    phon = crowded_phonemes(n, seed)
    words = random_words(n, seed)
    words[1] = words[0]                         # two nodes with one spelling
    phon[1] = phon[0]
    phon[2] = phon[0]                           # and a homophone of theirs
    ei = random_graph(n, 300, seed=seed)
    pos = torch.stack([torch.arange(0, n, 2), torch.arange(1, n, 2)])
    mask = torch.rand(n, generator=torch.Generator().manual_seed(seed)) < 0.8
    return phon, words, ei, pos, mask


@pytest.mark.parametrize("policy,alpha,radius,use_mask", [
    ("exclude", 0.0, 1, False), ("keep", 0.8, 1, True), ("exclude", 1.3, 2, True),
    ("positive", 0.5, 0, False),
])
def test_sparse_counts_and_law_equal_the_dense_path(policy, alpha, radius, use_mask):
    phon, words, ei, pos, mask = _case()
    n = len(words)
    kw = dict(pos_edge_index=pos, candidate_mask=mask if use_mask else None,
              phonemes=phon, words=words)
    sparse = PhoneticNegativeSampler(2, radius=radius, alpha=alpha, homophones=policy)
    dense = PhoneticNegativeSampler(2, radius=radius, alpha=alpha, homophones=policy)
    dense.index_variants = 0                    # forces the dense tables
    ls, ld = sparse.law(ei, n, **kw), dense.law(ei, n, **kw)
    assert sparse._index(ls.context) is not None and dense._index(ld.context) is None
    assert torch.equal(sparse._num_valid(ls.context), dense._num_valid(ld.context))
    assert torch.allclose(ls.log_prob().exp(), ld.log_prob().exp(), atol=1e-12)
    assert torch.equal(torch.isneginf(ls.log_prob(normalize=False)),
                       torch.isneginf(ld.log_prob(normalize=False)))


def _proposal_law(phon, words, ei, pos, mask, radius, alpha, policy):
    """Brute force: pi(n | u) over the pool within the radius (homophones out unless
    kept), and the valid pairs."""
    n = len(words)
    strings = _phoneme_strings(phon, "test")
    d = torch.from_numpy(process.cdist(strings, strings, scorer=distance.Levenshtein.distance,
                                       dtype=np.int64))
    w = torch.exp(-alpha * d.double()) * (d <= radius) * mask.view(1, -1)
    if policy != "keep":
        same = torch.tensor([[a == b for b in words] for a in words])
        w = w * ~((d == 0) & ~same)
    pi = w / w.sum(1, keepdim=True).clamp_min(1e-300)
    valid = ~torch.eye(n, dtype=torch.bool)
    known = torch.cat([ei, pos, pos.flip(0)], 1)
    valid[known[0], known[1]] = False
    return pi, valid & mask.view(1, -1)


@pytest.mark.parametrize("policy,alpha", [("exclude", 0.0), ("keep", 0.9)])
def test_sparse_draws_follow_the_law(policy, alpha):
    phon, words, ei, pos, mask = _case(60, seed=2)
    n = len(words)
    pi, valid = _proposal_law(phon, words, ei, pos, mask, 1, alpha, policy)
    law = pi * valid
    # per anchor: q(n | u) restricted to C(u), for the anchors with a valid candidate
    s = PhoneticNegativeSampler(4000, radius=1, alpha=alpha, homophones=policy, seed=0,
                                on_impossible="drop")
    anchors = torch.tensor([u for u in range(0, n, 2) if int((law[u] > 0).sum()) >= 3][:3])
    assert anchors.numel() == 3
    p = torch.stack([anchors, anchors + 1])                  # columns of pos
    neg = s.sample(ei, n, pos_edge_index=p, candidate_mask=mask, phonemes=phon,
                   words=words, exclude_edge_index=pos)
    assert s.last_stats.exact_slots < neg.size(1) // 2        # mostly the sparse proposal
    for u in anchors.tolist():
        assert_distribution(neg[1][neg[0] == u], law[u] / law[u].sum())
    # pairs mode: a uniform anchor outside candidate_mask (the bipartite default), then
    # pi, jointly conditioned on validity; fallback_ratio=0: the sparse proposal's rounds
    s = PhoneticNegativeSampler(30000, radius=1, alpha=alpha, homophones=policy, seed=1,
                                mode="pairs", fallback_ratio=0.0)
    out = s.sample(ei, n, pos_edge_index=pos, candidate_mask=mask, phonemes=phon,
                   words=words)
    assert s.last_stats.rounds > 0 and s.last_stats.exact_slots == 0
    joint = (law * (~mask).view(-1, 1)).reshape(-1)
    assert_distribution(out[0] * n + out[1], joint / joint.sum())


@pytest.mark.parametrize("dense", [False, True])
def test_kept_tables_follow_the_content(dense):
    phon, words, ei, pos, _ = _case(40, seed=4)
    n = len(words)
    other = crowded_phonemes(n, 5)

    def make():
        s = PhoneticNegativeSampler(2, radius=2, alpha=0.4, seed=0)
        if dense:
            s.index_variants = 0
        return s
    kept = make()
    for _ in range(2):                            # the second call reads the kept table
        kept.sample(ei, n, pos_edge_index=pos, phonemes=phon, words=words)
    anchors = torch.arange(n)
    got = kept.probabilities(anchors, ei, n, phonemes=other, words=words)
    want = make().probabilities(anchors, ei, n, phonemes=other, words=words)
    assert torch.equal(got, want)
    assert not torch.equal(got, make().probabilities(anchors, ei, n, phonemes=phon,
                                                      words=words))
