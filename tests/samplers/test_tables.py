"""The candidate-table base: seeded draws of its samplers and its declared row draw."""
import pytest
import torch
from support.reference import assert_distribution

from graphneg.samplers import get_sampler
from graphneg.samplers.tables import ROW_DRAWS, TableSampler

EI = torch.tensor([[0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9],
                   [1, 0, 2, 1, 3, 2, 5, 4, 7, 6, 9, 8]])
POS = torch.tensor([[0, 2, 3, 5, 7, 10, 11], [1, 1, 2, 4, 6, 11, 10]])
WORDS = ["cat", "cart", "car", "dog", "cog", "cot", "bat", "bath", "tab", "act", "catalog",
         "doggy"]

# Negatives of two seeded calls, drawn by the samplers before they shared the table
# base (ANN and adversarial with torch.multinomial and fallback slots first; the text
# samplers with one uniform per slot, phonetic rows not masked to C(u)). Same seeds
# must keep giving these.
GOLDEN = {
    "ann": (dict(k=4, index="flat", weighting="softmax", num_threads=1, min_valid=3),
            [[8, 3, 5, 0, 7, 9, 7, 7, 1, 6, 6, 3, 3, 5, 2, 6, 3, 3, 8, 8, 8],
             [11, 4, 9, 7, 10, 7, 7, 10, 10, 6, 3, 8, 11, 8, 10, 3, 3, 2, 8, 8, 8]]),
    "adversarial": (dict(num_candidates=5),
                    [[8, 8, 3, 8, 6, 6, 6, 5, 6, 8, 8, 8, 4, 0, 0, 0, 5, 0, 8, 8, 8],
                     [8, 7, 8, 8, 8, 8, 8, 10, 7, 0, 0, 0, 4, 2, 2, 0, 8, 8, 8, 9, 2]]),
    "phonetic": (dict(radius=3, alpha=0.5, on_impossible="drop"),
                 [[9, 6, 3, 8, 5, 6, 5, 8, 4, 2, 1, 1, 2, 0, 2, 3, 3, 3],
                  [4, 8, 5, 4, 6, 9, 8, 0, 6, 3, 3, 1, 8, 0, 9, 3, 3, 4]]),
    "hybrid": (dict(lam=0.5, alpha=3.0, top_m=5),
               [[10, 7, 6, 10, 7, 8, 4, 4, 7, 3, 7, 1, 2, 9, 5, 2, 2, 0, 5, 7, 3],
                [7, 2, 6, 0, 7, 7, 9, 11, 4, 11, 9, 1, 0, 5, 11, 5, 5, 8, 4, 3, 3]]),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_seeded_draws_are_those_before_the_table_base(name):
    kwargs, expected = GOLDEN[name]
    z = torch.randn(12, 4, generator=torch.Generator().manual_seed(1))
    emb = torch.randn(12, 3, generator=torch.Generator().manual_seed(2))
    s = get_sampler(name, num_neg=3, seed=0, **kwargs)
    if name == "phonetic":      # the table path these draws pin (a finite radius now draws
        s.index_variants = 0    # from a deletion index by default: same law, other draws)
    inputs = dict(z=z, words=WORDS, phonemes=[list(w.upper()) for w in WORDS], embedding=emb)
    inputs = {k: v for k, v in inputs.items() if k in s.accepts}  # others raise TypeError
    got = [s.sample(EI, 12, pos_edge_index=POS, **inputs)[1].tolist() for _ in expected]
    assert got == expected
    if name == "ann":                               # the fallback slots were exercised
        assert s.last_stats.extra["ann_fallback_anchors"] > 0
    if name == "phonetic":                          # proposals outside C(u) were rejected
        assert s.last_stats.rejected > 0


def test_row_draws_agree_in_law_and_an_unknown_one_is_refused():
    g = torch.Generator().manual_seed(0)
    p = torch.rand(2, 5, generator=g, dtype=torch.double)
    p[0, 1] = p[1, 4] = 0
    p = p / p.sum(1, keepdim=True)
    row = torch.tensor([0, 1]).repeat_interleave(20000)
    for draw in ROW_DRAWS.values():
        x = draw(p, row, g)
        for r in range(2):
            assert_distribution(x[row == r], p[r])  # zero-probability columns never drawn
    with pytest.raises(ValueError, match="'row_draw' attribute of Bad must be one of"):
        type("Bad", (TableSampler,), {"row_draw": "gumbel"})


def test_multinomial_row_draw_in_slot_chunks_reads_the_generator_as_one_call(monkeypatch):
    from graphneg.samplers import tables
    p = torch.rand(4, 6, generator=torch.Generator().manual_seed(0), dtype=torch.double)
    row = torch.randint(4, (50,), generator=torch.Generator().manual_seed(1))
    whole = torch.multinomial(p[row], 1, generator=torch.Generator().manual_seed(2)).view(-1)
    monkeypatch.setattr(tables, "_CHUNK_ELEMENTS", 18)     # chunks of 3 slots
    chunked = ROW_DRAWS["multinomial"](p, row, torch.Generator().manual_seed(2))
    assert torch.equal(chunked, whole)


def test_kept_rows_are_reused_across_calls_and_rebuilt_on_any_change(monkeypatch):
    # rows of a keep_rows sampler (hybrid) are built once while the graph and inputs
    # stay; the draws are those of a sampler that rebuilds them every call
    from graphneg.samplers import HybridGibbsSampler
    words = ["cat", "cart", "car", "dog", "cog", "cot", "bat", "bath"]
    emb = torch.randn(len(words), 4, generator=torch.Generator().manual_seed(0))
    ei = torch.tensor([[0, 3, 0, 2], [3, 0, 2, 0]])
    pos = ei[:, :3]                                # edges: the index is reused as is
    built = []
    hook = HybridGibbsSampler._candidate_table
    monkeypatch.setattr(HybridGibbsSampler, "_candidate_table",
                        lambda self, a, ctx: (built.append(a.numel()), hook(self, a, ctx))[1])
    kept = HybridGibbsSampler(3, seed=0)
    for _ in range(3):
        fresh = HybridGibbsSampler(3, seed=0)
        fresh.set_rng_state(kept.get_rng_state())
        fresh.keep_rows = False
        want = fresh.sample(ei, 8, pos_edge_index=pos, words=words, embedding=emb)
        assert torch.equal(kept.sample(ei, 8, pos_edge_index=pos, words=words, embedding=emb),
                           want)
        assert kept.last_stats.extra == fresh.last_stats.extra     # stats of this call
    assert sum(built) == 2 * 3 + 2                 # fresh: 2 anchors x 3 calls; kept: once
    for change in ({"embedding": emb * 2}, {"words": words[::-1]}):   # new inputs: rebuild
        before = len(built)
        kept.sample(ei, 8, pos_edge_index=pos, **{"words": words, "embedding": emb, **change})
        assert len(built) > before
    emb.mul_(-1)                                   # in place: the version counter sees it
    before = len(built)
    kept.sample(ei, 8, pos_edge_index=pos, words=words, embedding=emb)
    assert len(built) > before
