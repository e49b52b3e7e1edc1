"""ANNNegativeSampler: exact distribution, fallback, refresh schedule, FAISS helpers, errors."""
import pytest
import torch
from support.graphs import random_graph
from support.reference import assert_distribution, chi_square_pvalue

from graphneg.edges import EdgeSet
from graphneg.samplers import ANNNegativeSampler, get_sampler
from graphneg.samplers.ann import (
    build_faiss_index,
    faiss_threads,
    faiss_topk,
    import_faiss,
    torch_topk,
)

N = 30


@pytest.fixture(scope="module")
def graph():
    ei = random_graph(N, 40, seed=5)
    z = torch.randn(N, 6, generator=torch.Generator().manual_seed(2))
    return ei, z


def _target(ei, z, anchor, k, temperature=None):
    """Exact q(.|anchor) over all nodes: top-k by torch, minus anchor and neighbours."""
    scores, ids = torch_topk(z.double(), z[anchor:anchor + 1].double(), k)
    known = EdgeSet([ei], N)
    ok = (ids[0] != anchor) & ~known.contains(torch.full_like(ids[0], anchor), ids[0])
    w = torch.zeros(N, dtype=torch.double)
    vals = torch.ones(k, dtype=torch.double) if temperature is None else torch.exp(
        scores[0] / temperature)
    w[ids[0][ok]] = vals[ok]
    return w / w.sum()


def _draws(sampler, ei, z, anchor, num, **kw):
    pos = torch.tensor([[anchor], [int(ei[1, ei[0] == anchor][0])]])
    neg = sampler.sample(ei, N, pos_edge_index=pos, z=z, **kw)
    assert bool((neg[0] == anchor).all())
    return neg[1]


@pytest.mark.parametrize("fallback_ratio", [0.0, 1.0])  # rejection path / exact path
def test_uniform_over_valid_topk(graph, fallback_ratio):
    ei, z = graph
    anchor, k = 4, 8
    s = ANNNegativeSampler(30000, k=k, index="flat", seed=0, fallback_ratio=fallback_ratio)
    draws = _draws(s, ei, z, anchor, 30000)
    probs = _target(ei, z, anchor, k)
    assert int((probs > 0).sum()) >= 3  # a real choice among several candidates
    assert_distribution(draws, probs)
    # and it is *not* uniform over all valid candidates (the test can fail)
    valid = torch.ones(N, dtype=torch.double)
    valid[anchor] = 0
    valid[ei[1, ei[0] == anchor]] = 0
    assert chi_square_pvalue(draws, valid) < 1e-3


@pytest.mark.parametrize("fallback_ratio", [0.0, 1.0])
def test_softmax_weighting(graph, fallback_ratio):
    ei, z = graph
    anchor, k, tau = 7, 10, 0.5
    s = ANNNegativeSampler(30000, k=k, index="flat", weighting="softmax", temperature=tau,
                           seed=1, fallback_ratio=fallback_ratio)
    draws = _draws(s, ei, z, anchor, 30000)
    probs = _target(ei, z, anchor, k, temperature=tau)
    assert_distribution(draws, probs)
    assert chi_square_pvalue(draws, _target(ei, z, anchor, k)) < 1e-3


def test_fallback_to_uniform_when_topk_all_known():
    # anchor 0's top-3 are itself and its two neighbours: no valid retrieved candidate
    n = 8
    z = torch.zeros(n, 2)
    z[:3, 0] = 1.0
    z[3:, 1] = 1.0
    z[3:, 0] = -torch.linspace(0.1, 0.5, n - 3)
    ei = torch.tensor([[0, 1, 0, 2], [1, 0, 2, 0]])
    s = ANNNegativeSampler(20000, k=3, index="flat", seed=3)
    neg = s.sample(ei, n, pos_edge_index=torch.tensor([[0], [1]]), z=z)
    assert s.last_stats.extra["ann_fallback_anchors"] == 1
    probs = torch.tensor([0, 0, 0, 1, 1, 1, 1, 1], dtype=torch.double)
    assert_distribution(neg[1], probs)
    # with one valid candidate retrieved (k=4 -> node 3) no fallback, all mass on it
    s = ANNNegativeSampler(50, k=4, index="flat", seed=3)
    neg = s.sample(ei, n, pos_edge_index=torch.tensor([[0], [1]]), z=z)
    assert s.last_stats.extra["ann_fallback_anchors"] == 0
    assert set(neg[1].tolist()) == {3}
    # min_valid=2 forces the fallback again
    s = ANNNegativeSampler(50, k=4, index="flat", seed=3, min_valid=2)
    s.sample(ei, n, pos_edge_index=torch.tensor([[0], [1]]), z=z)
    assert s.last_stats.extra["ann_fallback_anchors"] == 1


def test_refresh_schedule_without_trainer_clock(graph):
    ei, z = graph
    s = ANNNegativeSampler(1, k=5, index="flat", seed=0, refresh_every=3)
    seen = []
    for _ in range(7):
        s.sample(ei, N, z=z)
        e = s.last_stats.extra
        seen.append((e["ann_staleness"], e["ann_refreshed"], e["ann_num_refreshes"]))
    assert seen == [(0, 1, 1), (1, 0, 1), (2, 0, 1), (0, 1, 2), (1, 0, 2), (2, 0, 2),
                    (0, 1, 3)]


def test_refresh_schedule_with_trainer_hook(graph):
    ei, z = graph
    s = ANNNegativeSampler(1, k=5, index="flat", seed=0, refresh_every=2)
    refreshed = [s.on_epoch_start(z=z, epoch=e, step=e * 5) for e in range(3)]
    assert refreshed == [True, True, True]          # every epoch is 5 >= 2 steps
    s = ANNNegativeSampler(1, k=5, index="flat", seed=0, refresh_every=10)
    refreshed = [s.on_epoch_start(z=z, epoch=e, step=e * 4) for e in range(4)]
    assert refreshed == [True, False, False, True]  # steps 0, 4, 8, 12
    s.sample(ei, N, z=z, step=13)
    assert s.last_stats.extra["ann_staleness"] == 1
    assert s.last_stats.extra["ann_refreshed"] == 2  # steps 0 and 12, since the last call
    assert s.staleness == 1


def test_stale_index_picks_up_new_embeddings(graph):
    ei, z = graph
    s = ANNNegativeSampler(1, k=5, index="flat", seed=0, refresh_every=2)
    s.refresh(z)
    old = s.topk_index.clone()
    z2 = torch.randn(N, 6, generator=torch.Generator().manual_seed(9))
    s.sample(ei, N, z=z2)            # staleness 0: old lists still used
    assert torch.equal(s.topk_index, old)
    s.sample(ei, N, z=z2)            # staleness 1
    s.sample(ei, N, z=z2)            # staleness 2 -> refresh from z2
    assert not torch.equal(s.topk_index, old)
    assert s.last_stats.extra["ann_refreshed"] == 1 and s.num_refreshes == 2


def test_flat_matches_torch_topk_and_hnsw_recall():
    z = torch.randn(500, 16, generator=torch.Generator().manual_seed(0))
    k = 10
    _, exact = torch_topk(z, z, k)
    _, flat = faiss_topk(build_faiss_index(z, "flat"), z, k)
    assert torch.equal(flat.sort(1).values, exact.sort(1).values)
    for kind, kw in (("hnsw", {"ef_search": 128}), ("ivf", {"nprobe": 22})):
        _, approx = faiss_topk(build_faiss_index(z, kind, **kw), z, k)
        hit = (approx.unsqueeze(2) == exact.unsqueeze(1)).any(2).double().mean()
        assert float(hit) > 0.95, (kind, float(hit))
    # a weak IVF (1 cell of 22 probed) misses many: recall is measured, not assumed
    _, weak = faiss_topk(build_faiss_index(z, "ivf", nlist=22, nprobe=1), z, k)
    assert float((weak.unsqueeze(2) == exact.unsqueeze(1)).any(2).double().mean()) < 0.9


def test_hnsw_and_ivf_samplers_deterministic_single_thread(graph):
    ei, z = graph
    for kind in ("hnsw", "ivf"):
        a = ANNNegativeSampler(2, k=6, index=kind, seed=4, num_threads=1).sample(ei, N, z=z)
        b = ANNNegativeSampler(2, k=6, index=kind, seed=4, num_threads=1).sample(ei, N, z=z)
        assert torch.equal(a, b)


def test_faiss_threads_set_and_restored():
    faiss = import_faiss()
    before = faiss.omp_get_max_threads()
    with faiss_threads(1) as n:
        assert n == 1 and faiss.omp_get_max_threads() == 1
    assert faiss.omp_get_max_threads() == before
    with pytest.raises(ValueError, match="'num_threads' parameter must be an int in"):
        with faiss_threads(0):
            pass


def test_transform_face_and_registry(graph):
    from torch_geometric.data import Data

    ei, z = graph
    data = Data(edge_index=ei, num_nodes=N)
    s = get_sampler("ann", num_neg=2, k=6, index="flat", seed=0)
    out = s(data, z=z)
    assert out.edge_label_index.size(1) == ei.size(1) * 3
    assert out.neg_stats["ann_num_refreshes"] == 1
    assert "ann_refresh_s" in out.neg_stats
    assert "index='flat'" in repr(s)


def test_errors(graph):
    ei, z = graph
    with pytest.raises(ValueError, match=r"'k' parameter of ANNNegativeSampler must be at most "
                                         r"num_nodes = 30"):
        ANNNegativeSampler(1, k=31, index="flat").sample(ei, N, z=z)
    with pytest.raises(ValueError, match="has no index yet: pass the node embeddings z="):
        ANNNegativeSampler(1, k=5).sample(ei, N)
    with pytest.raises(ValueError, match="has no index and auto_refresh=False"):
        ANNNegativeSampler(1, k=5, auto_refresh=False).sample(ei, N, z=z)
    s = ANNNegativeSampler(1, k=5, index="flat", auto_refresh=False)
    s.refresh(z)
    s.sample(ei, N, z=z)
    with pytest.raises(ValueError, match=r"the index is stale \(built at step 0, now step 1, "
                                         r"refresh_every=1\); call refresh\(z\)"):
        s.sample(ei, N, z=z)
    s = ANNNegativeSampler(1, k=5, index="flat")
    s.sample(ei, N, z=z)
    with pytest.raises(ValueError, match="index is stale .* pass z="):
        s.sample(ei, N)
    with pytest.raises(ValueError, match=r"'z' parameter of ANNNegativeSampler must have 30 rows"):
        ANNNegativeSampler(1, k=5).sample(ei, N, z=z[:-1])
    bad = z.clone()
    bad[3, 1] = float("nan")
    with pytest.raises(ValueError, match="must be finite"):
        ANNNegativeSampler(1, k=5).sample(ei, N, z=bad)
    with pytest.raises(ValueError, match=r"must have shape \(N, d\)"):
        ANNNegativeSampler(1, k=5).refresh(z[0])
    s = ANNNegativeSampler(1, k=5, index="flat")
    s.refresh(torch.randn(N + 2, 6))
    with pytest.raises(ValueError, match="the index holds 32 nodes but the graph has 30"):
        s.sample(ei, N)
    with pytest.raises(ValueError, match="'index' parameter of ANNNegativeSampler must be one of"):
        ANNNegativeSampler(1, index="lsh")
    with pytest.raises(ValueError, match="'temperature' parameter .* must be a finite float in "
                                         r"\(0, inf\)"):
        ANNNegativeSampler(1, weighting="softmax", temperature=0)
    with pytest.raises(ValueError, match="'refresh_every' parameter"):
        ANNNegativeSampler(1, refresh_every=0)
    with pytest.raises(ValueError, match="'step' parameter of ANNNegativeSampler"):
        ANNNegativeSampler(1, k=5).sample(ei, N, z=z, step=-1)
    with pytest.raises(ValueError, match="'nlist' parameter of build_faiss_index must be an int "
                                         r"in \[1, 30\]"):
        build_faiss_index(z, "ivf", nlist=31)


def test_hook_refresh_cost_reported_by_next_call(graph):
    ei, z = graph
    s = ANNNegativeSampler(1, k=5, index="flat", seed=0, refresh_every=2)
    for epoch, step in enumerate((0, 1, 2)):
        refreshed = s.on_epoch_start(z=z, epoch=epoch, step=step)
        s.sample(ei, N, z=z)
        e = s.last_stats.extra
        assert e["ann_refreshed"] == int(refreshed) == int(step % 2 == 0)
        assert (e["ann_refresh_s"] > 0) == refreshed
        assert e["ann_staleness"] == step % 2


def test_state_dict_resume_is_exact(graph):
    ei, z = graph
    z2 = torch.randn(N, 6, generator=torch.Generator().manual_seed(4))
    a = ANNNegativeSampler(2, k=6, index="flat", seed=0, refresh_every=3)
    a.sample(ei, N, z=z)
    state, rng = a.state_dict(), a.get_rng_state()
    ref = [a.sample(ei, N, z=z2) for _ in range(3)]   # stale, stale, refresh from z2
    b = ANNNegativeSampler(2, k=6, index="flat", seed=99, refresh_every=3)
    b.load_state_dict(state)
    b.set_rng_state(rng)
    assert all(torch.equal(r, b.sample(ei, N, z=z2)) for r in ref)
    assert b.num_refreshes == a.num_refreshes == 2


def test_pairs_mode_and_candidate_mask(graph):
    ei, z = graph
    known = EdgeSet([ei], N)
    s = ANNNegativeSampler(500, k=8, index="flat", seed=0, mode="pairs")
    neg = s.sample(ei, N, z=z)
    assert neg.shape == (2, 500)
    assert not bool(known.contains(neg[0], neg[1]).any()) and bool((neg[0] != neg[1]).all())
    # pairs come from each anchor's valid top-k (or its uniform fallback)
    _, top = torch_topk(z, z, 8)
    in_top = (top[neg[0]] == neg[1].view(-1, 1)).any(1)
    assert bool(in_top.all())
    mask = torch.zeros(N, dtype=torch.bool)
    mask[::2] = True
    s = ANNNegativeSampler(50, k=8, index="flat", seed=0)
    neg = s.sample(ei, N, z=z, candidate_mask=mask)
    assert bool(mask[neg[1]].all())


def test_missing_faiss_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "faiss", None)  # makes `import faiss` raise ImportError
    with pytest.raises(ImportError, match=r"pip install graphneg\[ann\]"):
        ANNNegativeSampler(1)
