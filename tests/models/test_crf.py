"""Linear-chain CRF: forward algorithm, neighbourhoods, contrastive estimation, trainer."""
import itertools

import pytest
import torch
from graphneg.datasets.sequences import (
    SequenceVocabulary,
    encode_sentences,
    hmm_sequences,
    load_turkish_upos_sample,
)
from scipy import stats

from graphneg.models.crf import LinearChainCRF, check_tags
from graphneg.samplers.sequences import sample_neighbours, sequence_neighbours
from graphneg.training.crf import CRFTrainer, gradient_cosine


def random_crf(num_labels, seed=0):
    gen = torch.Generator().manual_seed(seed)
    crf = LinearChainCRF(num_labels).double()
    with torch.no_grad():
        for p in crf.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
    return crf, gen


def brute_score(crf, em, y):
    s = crf.start[y[0]] + crf.end[y[-1]] + sum(em[t, y[t]] for t in range(len(y)))
    return s + sum(crf.transitions[y[t - 1], y[t]] for t in range(1, len(y)))


def test_forward_algorithm_matches_enumeration():
    l, t = 3, 4
    crf, gen = random_crf(l)
    em = torch.randn(3, t, l, generator=gen, dtype=torch.float64)
    lengths = [4, 2, 1]
    mask = torch.arange(t).view(1, -1) < torch.tensor(lengths).view(-1, 1)
    logz = crf.log_partition(em, mask).detach()
    for b, n in enumerate(lengths):
        scores = torch.stack([brute_score(crf, em[b], y)
                              for y in itertools.product(range(l), repeat=n)])
        assert float(logz[b]) == pytest.approx(float(torch.logsumexp(scores, 0)), abs=1e-10)
    # score() agrees with the enumeration too
    y = torch.tensor([[0, 2, 1, 1], [1, 0, 0, 0], [2, 0, 0, 0]])
    for b, n in enumerate(lengths):
        assert float(crf.score(em, y, mask)[b]) == pytest.approx(
            float(brute_score(crf, em[b], y[b, :n].tolist())), abs=1e-12)


def test_nll_gradient_is_marginals_minus_indicator():
    l, t = 3, 3
    crf, gen = random_crf(l, seed=1)
    em = torch.randn(1, t, l, generator=gen, dtype=torch.float64, requires_grad=True)
    mask = torch.ones(1, t, dtype=torch.bool)
    y = torch.tensor([[2, 0, 1]])
    crf.nll(em, y, mask).sum().backward()
    seqs = list(itertools.product(range(l), repeat=t))
    p = torch.softmax(torch.stack([brute_score(crf, em[0].detach(), s) for s in seqs]), 0)
    want = torch.zeros(t, l, dtype=torch.float64)
    for pi, s in zip(p, seqs):
        for i, lab in enumerate(s):
            want[i, lab] += pi
    want[torch.arange(t), y[0]] -= 1
    torch.testing.assert_close(em.grad[0], want)


def test_viterbi_matches_enumeration():
    l, t = 3, 4
    crf, gen = random_crf(l, seed=2)
    em = torch.randn(3, t, l, generator=gen, dtype=torch.float64)
    lengths = [4, 3, 1]
    mask = torch.arange(t).view(1, -1) < torch.tensor(lengths).view(-1, 1)
    pred = crf.viterbi(em, mask)
    for b, n in enumerate(lengths):
        best = max(itertools.product(range(l), repeat=n),
                   key=lambda y: float(brute_score(crf, em[b], y)))
        assert pred[b, :n].tolist() == list(best)
        assert pred[b, n:].eq(0).all()


def test_neighbourhood_is_substitutions_and_swaps():
    l = 3
    tags = torch.tensor([[0, 0, 2, 1], [1, 2, 0, 0]])
    mask = torch.tensor([[True] * 4, [True, True, False, False]])
    nb, ok = sequence_neighbours(tags, mask, l)
    for b in range(2):
        n = int(mask[b].sum())
        y = tags[b, :n].tolist()
        got = [tuple(s[:n]) for s in nb[b][ok[b]].tolist()]
        want = set()
        for i in range(n):
            for lab in range(l):
                if lab != y[i]:
                    want.add(tuple(y[:i] + [lab] + y[i + 1:]))
        for i in range(n - 1):
            if y[i] != y[i + 1]:
                s = list(y)
                s[i], s[i + 1] = s[i + 1], s[i]
                want.add(tuple(s))
        assert len(got) == len(set(got)) == len(want) and set(got) == want
        assert tuple(y) not in want
    sub_only, ok2 = sequence_neighbours(tags, mask, l, swaps=False)
    assert int(ok2[0].sum()) == 4 * (l - 1)


def two_sentences(seed, l=3, t=3):
    """A random 3-label CRF, emissions (leaf) and two gold sequences, the second padded."""
    crf, gen = random_crf(l, seed=seed)
    em = torch.randn(2, t, l, generator=gen, dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([[True] * 3, [True, True, False]])
    return crf, em, mask, torch.tensor([[0, 1, 1], [2, 0, 0]])


def test_contrastive_loss_matches_enumeration_and_autograd():
    l, t = 3, 3
    crf, em, mask, y = two_sentences(3)
    nb, ok = sequence_neighbours(y, mask, l)
    ce = crf.contrastive_loss(em, y, mask, nb, ok)
    ce.sum().backward()
    for b in range(2):
        n = int(mask[b].sum())
        seqs = [y[b, :n].tolist()] + [s[:n] for s in nb[b][ok[b]].tolist()]
        sc = torch.stack([brute_score(crf, em[b].detach(), s) for s in seqs])
        assert float(ce[b]) == pytest.approx(float(torch.logsumexp(sc, 0) - sc[0]), abs=1e-10)
        # closed-form gradient: sum_y' p~(y')[y'_t = l] - [y_t = l]
        p = torch.softmax(sc, 0)
        want = torch.zeros(t, l, dtype=torch.float64)
        for pi, s in zip(p, seqs):
            want[torch.arange(n), torch.tensor(s)] += pi
        want[torch.arange(n), y[b, :n]] -= 1
        torch.testing.assert_close(em.grad[b], want)
    nll = crf.nll(em.detach(), y, mask)
    assert bool((ce.detach() <= nll + 1e-12).all()) and bool((ce.detach() >= 0).all())


def test_contrastive_equals_nll_when_neighbourhood_is_everything():
    crf, gen = random_crf(4, seed=4)
    em = torch.randn(5, 1, 4, generator=gen, dtype=torch.float64)
    mask = torch.ones(5, 1, dtype=torch.bool)
    y = torch.tensor([[0], [1], [2], [3], [0]])
    nb, ok = sequence_neighbours(y, mask, 4)
    torch.testing.assert_close(crf.contrastive_loss(em, y, mask, nb, ok), crf.nll(em, y, mask))


def test_sample_neighbours_uniform_without_replacement():
    y = torch.tensor([[0, 1, 1]]).repeat(30000, 1)
    mask = torch.ones_like(y, dtype=torch.bool)
    nb, ok = sequence_neighbours(y, mask, 3)
    valid = ok[0].nonzero().view(-1)          # 3*2 substitutions + 1 swap = 7
    assert valid.numel() == 7
    s, sok = sample_neighbours(nb, ok, 2, seed=0)
    assert bool(sok.all()) and bool((s[:, 0] != s[:, 1]).any(1).all())  # no repeats
    # the first draw is uniform over the 7 neighbours: chi-square, p > 1e-4
    keys = (s[:, 0] * torch.tensor([9, 3, 1])).sum(1)
    _, counts = torch.unique(keys, return_counts=True)
    assert counts.numel() == 7 and stats.chisquare(counts.numpy()).pvalue > 1e-4
    few, fok = sample_neighbours(nb[:1], ok[:1], 50, seed=0)
    assert int(fok.sum()) == 7  # fewer valid than asked: all of them, flagged


def test_bad_inputs():
    v = SequenceVocabulary.build([[("ev", "NOUN")]])
    with pytest.raises(ValueError, match=r"unknown label\(s\) \['VERB'\]; known labels"):
        encode_sentences([[("git", "VERB")]], v)
    with pytest.raises(ValueError, match="non-empty list of non-empty sentences"):
        encode_sentences([[]])
    with pytest.raises(ValueError, match=r"label ids in \[0, 3\). Got unknown label id\(s\) \[5\]"):
        check_tags(torch.tensor([[0, 5]]), 3)
    crf = LinearChainCRF(3)
    with pytest.raises(ValueError, match="'mask' parameter of LinearChainCRF.log_partition"):
        crf.log_partition(torch.zeros(1, 2, 3), torch.tensor([[False, True]]))
    with pytest.raises(ValueError, match=r"'emissions' parameter .* must have shape \(B, T, 3\)"):
        crf.log_partition(torch.zeros(1, 2, 4), torch.ones(1, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="'num_samples' parameter of sample_neighbours"):
        sample_neighbours(torch.zeros(1, 1, 1, dtype=torch.long), torch.ones(1, 1, dtype=torch.bool), 0)


def test_hmm_transitions_match_parameters():
    sents, params = hmm_sequences(3000, num_labels=3, vocab_size=5, length=6, seed=0)
    enc, vocab = encode_sentences(sents)
    lab = torch.tensor([int(x[1:]) for x in vocab.labels])  # vocab order -> HMM label
    tags = lab[enc["tags"]]
    prev, nxt = tags[:, :-1].reshape(-1), tags[:, 1:].reshape(-1)
    for i in range(3):
        obs = torch.bincount(nxt[prev == i], minlength=3).double()
        exp = params["transitions"][i] * obs.sum()
        keep = exp > 5
        chi = float((((obs - exp) ** 2) / exp)[keep].sum())
        assert chi < stats.chi2.ppf(1 - 1e-4, int(keep.sum()) - 1)


def test_real_sample_and_trainer():
    sents = load_turkish_upos_sample(max_length=12)
    assert len(sents) > 500 and {t for s in sents for _, t in s} >= {"NOUN", "VERB", "PUNCT"}
    train, val = sents[:300], sents[300:400]
    enc, vocab = encode_sentences(train)
    enc_val, _ = encode_sentences(val, vocab)
    kw = dict(num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
              num_labels=len(vocab.labels), epochs=3, seed=0, verbose=False, lr=0.1)
    h_ce = CRFTrainer(enc, enc_val, objective="ce", num_samples=20, **kw).fit()
    h_nll = CRFTrainer(enc, enc_val, objective="nll", **kw).fit()
    for h in (h_ce, h_nll):
        assert bool((h["ce_nll_gap"] >= -1e-6).all())
        assert h["nll"].iloc[-1] < h["nll"].iloc[0]
        assert h["val_acc"].max() > 0.4  # majority tag (NOUN) is ~0.37 of tokens
    again = CRFTrainer(enc, enc_val, objective="ce", num_samples=20, **kw).fit()
    assert again["loss"].equals(h_ce["loss"])


def test_local_deltas_equal_materialised_scores():
    l, t = 4, 5
    crf, gen = random_crf(l, seed=7)
    em = torch.randn(4, t, l, generator=gen, dtype=torch.float64, requires_grad=True)
    lengths = [5, 3, 2, 1]
    mask = torch.arange(t).view(1, -1) < torch.tensor(lengths).view(-1, 1)
    y = torch.randint(l, (4, t), generator=gen) * mask
    y[0, 1] = y[0, 2]  # an equal adjacent pair (its swap slot must not exist)
    nb, ok = sequence_neighbours(y, mask, l)
    delta, ok2 = crf.neighbour_deltas(em, y, mask)
    assert torch.equal(ok, ok2)
    want = crf.score(em, nb, mask) - crf.score(em, y, mask).unsqueeze(1)
    torch.testing.assert_close(delta[ok], want[ok])
    full = crf.contrastive_loss(em, y, mask, nb, ok)
    local = crf.contrastive_loss_local(em, y, mask)
    torch.testing.assert_close(local, full)
    g1, = torch.autograd.grad(full.sum(), em)
    g2, = torch.autograd.grad(local.sum(), em)
    torch.testing.assert_close(g1, g2)
    # sampled: with num_samples >= N it is the full loss; with fewer, between 0 and it
    torch.testing.assert_close(crf.contrastive_loss_local(em, y, mask, num_samples=10**4,
                                                          seed=0), local)
    few = crf.contrastive_loss_local(em, y, mask, num_samples=3, seed=0)
    assert bool((few <= local + 1e-12).all()) and bool((few >= 0).all())


def test_gradient_cosine_and_negative_mass_match_enumeration():
    l, t = 3, 3
    crf, em, mask, y = two_sentences(5)
    ce, nll = crf.contrastive_loss_local(em, y, mask), crf.nll(em, y, mask)
    cos = gradient_cosine(ce, nll, em)
    nb, ok = sequence_neighbours(y, mask, l)
    for b in range(2):
        n = int(mask[b].sum())
        gold = y[b, :n].tolist()
        every = [list(s) for s in itertools.product(range(l), repeat=n)]
        near = [gold] + [s[:n] for s in nb[b][ok[b]].tolist()]
        grads = []
        for seqs in (near, every):  # closed form: sum_y' p(y')[y'_t = l] - [y_t = l]
            sc = torch.stack([brute_score(crf, em[b].detach(), s) for s in seqs]).detach()
            p = torch.softmax(sc, 0)
            g = torch.zeros(t, l, dtype=torch.float64)
            for pi, s in zip(p, seqs):
                g[torch.arange(n), torch.tensor(s)] += pi
            g[torch.arange(n), y[b, :n]] -= 1
            grads.append(g.flatten())
            # the negatives' mass is 1 - p(gold) = 1 - exp(-L)
            loss = ce if seqs is near else nll
            assert float(-torch.expm1(-loss[b].detach())) == pytest.approx(1 - float(
                p[seqs.index(gold)]), abs=1e-12)
        want = float(grads[0] @ grads[1] / (grads[0].norm() * grads[1].norm()))
        assert float(cos[b]) == pytest.approx(want, abs=1e-10)
    assert bool((cos < 1).all())  # the neighbourhood misses part of the partition function
    torch.testing.assert_close(gradient_cosine(nll, nll, em), torch.ones(2, dtype=torch.float64))
    ce.sum().backward()  # the graph is kept for the step
    assert em.grad is not None


def test_trainer_records_negative_mass_and_gradient_cosine_of_the_epoch():
    import copy

    from graphneg.models.crf import CRFTagger

    sents, _ = hmm_sequences(30, num_labels=3, vocab_size=8, length=5, seed=0)
    enc, vocab = encode_sentences(sents)
    kw = dict(num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
              num_labels=len(vocab.labels), epochs=1, batch_size=1000, seed=0, verbose=False)
    for objective in ("ce", "nll"):
        tr = CRFTrainer(enc, enc, objective=objective, **kw)
        model = copy.deepcopy(tr.model)  # one minibatch: measured at the initial weights
        row = tr.fit().iloc[0]
        em = model(enc["words"], enc["suffixes"])
        nll = model.crf.nll(em, enc["tags"], enc["mask"])
        per = nll if objective == "nll" else model.crf.contrastive_loss_local(
            em, enc["tags"], enc["mask"])
        want = float((1 - torch.exp(-per.detach())).mean())
        assert row["neg_mass"] == pytest.approx(want, rel=1e-5)
        want = 1.0 if objective == "nll" else float(gradient_cosine(per, nll, em).mean())
        assert row["grad_cos"] == pytest.approx(want, rel=1e-5)
        assert 0 < row["neg_mass"] < 1 and 0 < row["grad_cos"] <= 1 + 1e-9
