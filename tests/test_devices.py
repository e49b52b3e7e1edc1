"""Samplers, losses, metrics and the link-prediction trainer on every device present.

Each test runs on ``cpu`` and on ``cuda`` (skipped where no CUDA device exists). The
contract: outputs come back on the device of the inputs, with the same values as the
CPU run (samplers: the same bits, since they draw with their CPU generator; losses
and metrics: equal up to floating-point rounding).
"""
import math

import pytest
import torch
from torch_geometric.data import Data

from graphneg import losses
from graphneg.edges import EdgeSet
from graphneg.diagnostics import sampling_efficiency
from graphneg.evaluation import positive_ranks, ranking_metrics
from graphneg.generators import stochastic_block_model
from graphneg.samplers import get_sampler, held_out_edges
from support.graphs import random_graph
from support.sampler_cases import all_cases

CASES = all_cases()


def _devices():
    return [pytest.param("cpu", id="cpu"),
            pytest.param("cuda", id="cuda", marks=pytest.mark.skipif(
                not torch.cuda.is_available(), reason="no CUDA device on this machine"))]


DEVICES = _devices()


def _to(value, device):
    if isinstance(value, torch.Tensor):
        return value.to(device)
    return value


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_graph_sampler_answers_on_the_input_device_with_the_cpu_draws(name, device):
    case = CASES[name]
    ei, n = random_graph(14, 24, seed=2), 14
    reference = case.make(num_neg=2, seed=0, on_impossible="drop")
    inputs = case.inputs(reference, ei, n)
    expected = reference.sample(ei, n, **inputs)
    sampler = case.make(num_neg=2, seed=0, on_impossible="drop")
    out = sampler.sample(ei.to(device), n, **{k: _to(v, device) for k, v in inputs.items()})
    assert out.device.type == device
    if device != "cpu" and sampler.device_law is not None and not inputs:
        # drawn on the device by its own generator: valid and seeded, not the CPU's bits
        again = case.make(num_neg=2, seed=0, on_impossible="drop").sample(ei.to(device), n)
        assert torch.equal(out, again) and out.shape == expected.shape
        assert not bool(EdgeSet([ei], n).contains(out[0].cpu(), out[1].cpu()).any())
    else:
        assert torch.equal(out.cpu(), expected)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["uniform", "degree", "structural"])
def test_transform_face_and_prepared_sampler_stay_on_the_device(name, device):
    ei, n = random_graph(16, 30, seed=3), 16
    data = Data(edge_index=ei, num_nodes=n, edge_label_index=ei[:, :6],
                edge_label=torch.ones(6)).to(device)
    out = get_sampler(name, num_neg=2, seed=1)(data, exclude_edge_index=ei[:, 6:9].to(device))
    assert out.edge_label_index.device.type == device and out.edge_label.device.type == device
    cpu = get_sampler(name, num_neg=2, seed=1)(data.cpu(), exclude_edge_index=ei[:, 6:9])
    if device == "cpu" or get_sampler(name).device_law is None:
        assert torch.equal(out.edge_label_index.cpu(), cpu.edge_label_index)
    neg = out.edge_label_index[:, 6:].cpu()
    assert not bool(EdgeSet([ei], n).contains(neg[0], neg[1]).any())
    prepared = get_sampler(name, num_neg=3, seed=1).prepare(ei.to(device), n)
    neg, keep = prepared.sample(ei[:, :5].to(device), return_mask=True)
    assert neg.device.type == device and keep.device.type == device


@pytest.mark.parametrize("device", DEVICES)
def test_losses_answer_on_the_device_with_cpu_values_and_gradients(device):
    g = torch.Generator().manual_seed(0)
    pos, neg = torch.randn(6, generator=g), torch.randn(6, 3, generator=g)
    anchor, positive = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    negatives = torch.randn(6, 3, 4, generator=g)
    calls = {
        "logistic_ns_loss": lambda a, b, *_: losses.logistic_ns_loss(a, b),
        "self_adversarial_ns_loss": lambda a, b, *_: losses.self_adversarial_ns_loss(a, b),
        "softmax_distance_loss": lambda a, b, *_: losses.softmax_distance_loss(a.abs(), b.abs()),
        "info_nce": lambda _a, _b, x, y, z: losses.info_nce(x, y, z),
        "logistic_contrastive_loss": lambda _a, _b, x, y, z: losses.logistic_contrastive_loss(
            x, y, z),
        "debiased_contrastive_loss": lambda _a, _b, x, y, z: losses.debiased_contrastive_loss(
            x, y, z),
        "hard_negative_contrastive_loss": lambda _a, _b, x, y, z:
            losses.hard_negative_contrastive_loss(x, y, z),
    }
    for name, call in calls.items():
        results = []
        for dev in ("cpu", device):
            args = [t.to(dev).requires_grad_() for t in (pos, neg, anchor, positive, negatives)]
            value = call(*args)
            value.sum().backward()      # some losses are per anchor by default
            assert value.device.type == dev, name
            results.append((value.detach().cpu(), [a.grad.cpu() if a.grad is not None
                                                   else None for a in args]))
        (v0, g0), (v1, g1) = results
        assert torch.allclose(v0, v1, atol=1e-5), name
        for a, b in zip(g0, g1):
            assert (a is None) == (b is None), name
            if a is not None:
                assert torch.allclose(a, b, atol=1e-5), name


@pytest.mark.parametrize("device", DEVICES)
def test_metrics_and_diagnostics_read_scores_on_any_device(device):
    g = torch.Generator().manual_seed(1)
    pos, neg = torch.randn(8, generator=g), torch.randn(8, 5, generator=g)
    expected = ranking_metrics(pos, neg, (1, 3))
    got = ranking_metrics(pos.to(device), neg.to(device), (1, 3))
    assert got.keys() == expected.keys()
    for k in expected:
        assert math.isclose(got[k], expected[k], rel_tol=1e-9), k
    assert torch.equal(positive_ranks(pos.to(device), neg.to(device)).cpu(),
                       positive_ranks(pos, neg))
    z = torch.randn(10, 4, generator=g)
    ei = random_graph(10, 12, seed=1)
    p, q = ei[:, :6], torch.stack([ei[0, :6], (ei[1, :6] + 3) % 10])
    assert math.isclose(sampling_efficiency(z.to(device), p.to(device), q.to(device)),
                        sampling_efficiency(z, p, q), rel_tol=1e-5)


@pytest.mark.parametrize("batch_size", [None, 64])
@pytest.mark.parametrize("device", DEVICES)
def test_link_prediction_trainer_runs_on_the_graph_device(device, batch_size):
    from graphneg.training import LinkPredictionTrainer
    data = stochastic_block_model([15, 15], [[0.5, 0.02], [0.02, 0.5]], seed=0)
    # structural negatives are drawn on the CPU (same bits on every device), so the
    # training losses of both runs match; uniform evaluation negatives draw on the device
    kw = dict(epochs=3, seed=0, verbose=False, batch_size=batch_size, hidden_channels=8,
              out_channels=8, sampler="structural")
    trainer = LinkPredictionTrainer(data.to(device), **kw)
    hist = trainer.fit()
    assert all(p.device.type == device for p in trainer.model.parameters())
    assert trainer.embeddings().device.type == device
    assert len(hist) == 3 and math.isfinite(trainer.test()["auc"])
    cpu = LinkPredictionTrainer(data, **kw)
    cpu.fit()
    for a, b in zip(cpu.history["loss"], hist["loss"]):      # same split, draws, weights
        assert math.isclose(a, b, rel_tol=1e-4), (a, b)


@pytest.mark.parametrize("device", DEVICES)
def test_held_out_edges_follow_the_split_device(device):
    import torch_geometric.transforms as T
    ei, n = random_graph(12, 30, seed=4), 12
    _, val, test = T.RandomLinkSplit(num_val=0.2, num_test=0.2, is_undirected=True,
                                     add_negative_train_samples=False)(
        Data(edge_index=ei, num_nodes=n).to(device))
    assert held_out_edges(val, test).device.type == device


# --------------------------------------------- the device-native path, run on the CPU
# (graphneg.samplers._device: what a CUDA input of uniform / degree takes; called here
# directly on CPU tensors, so its law is checked where no CUDA device exists)
DEVICE_PATHS = {"rejection": {"fallback_ratio": 0.0, "max_rounds": 10 ** 6},
                "exact": {"fallback_ratio": 1.0}}


def _native(name, k, seed, **opts):
    sampler = get_sampler(name, num_neg=k, seed=seed, **({"alpha": 1.0} if name == "degree"
                                                          else {}))
    for attr, value in opts.items():
        setattr(sampler, attr, value)
    return sampler


@pytest.mark.parametrize("path", sorted(DEVICE_PATHS))
@pytest.mark.parametrize("name", ["uniform", "degree"])
def test_device_native_path_draws_the_public_law(name, path):
    from support.reference import DRAWS, P_THRESHOLD, chi_square_pvalue
    ei, n = random_graph(14, 24, seed=5), 14
    exclude = torch.tensor([[0, 3], [5, 9]])
    anchors = torch.tensor([0, 3])
    pos = torch.stack([anchors.repeat_interleave(DRAWS // 8),
                       torch.zeros(2 * (DRAWS // 8), dtype=torch.long)])
    pos[1] = torch.where(pos[0] == 0, 1, 0)
    sampler = _native(name, 8, 3, **DEVICE_PATHS[path])
    neg = sampler._sample_on_device(ei, n, pos, exclude, False)
    stats = sampler.last_stats
    assert stats.drawn == neg.size(1) == 8 * pos.size(1)
    assert stats.exact_slots == (neg.size(1) if path == "exact" else 0)
    prob = sampler.log_prob(ei, n, anchors, pos_edge_index=pos,
                            exclude_edge_index=exclude).exp()
    for i, a in enumerate(anchors.tolist()):
        p = chi_square_pvalue(neg[1][neg[0] == a], prob[i])
        assert p > P_THRESHOLD, f"{name} ({path}), anchor {a}: chi-square p = {p:.2e}"


@pytest.mark.parametrize("name", ["uniform", "degree"])
def test_device_native_path_excludes_every_known_pair_and_is_seeded(name):
    from graphneg.samplers import NoNegativeCandidatesError
    ei, n = random_graph(30, 80, seed=2), 30
    pos, exclude = ei[:, :40], ei[:, 40:60].flip(0)
    sampler = _native(name, 5, 0)
    neg, keep = sampler._sample_on_device(ei, n, pos, exclude, True)
    assert bool(keep.all()) and torch.equal(neg[0], pos[0].repeat_interleave(5))
    assert not bool(EdgeSet([ei, pos, exclude], n).contains(neg[0], neg[1]).any())
    assert not bool((neg[0] == neg[1]).any())
    assert torch.equal(neg, _native(name, 5, 0)._sample_on_device(ei, n, pos, exclude, False))
    index = sampler._device_index[-1]
    sampler._sample_on_device(ei, n, pos, exclude, False)
    assert sampler._device_index[-1] is index                  # the graph's keys are kept
    # a star's hub has no candidate: raised, or dropped and counted
    hub = torch.tensor([[0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0]])
    with pytest.raises(NoNegativeCandidatesError, match=r"anchor node\(s\) \[0\]"):
        _native(name, 2, 0)._sample_on_device(hub, 4, hub, None, False)
    drop = _native(name, 2, 0, on_impossible="drop")
    neg, keep = drop._sample_on_device(hub, 4, hub, None, True)
    assert keep.tolist() == [False] * 3 + [True] * 3 and drop.last_stats.dropped == 3
    assert drop.last_stats.impossible_anchors == 1 and neg.size(1) == 6
    empty = _native(name, 2, 0)._sample_on_device(ei, n, ei[:, :0], None, False)
    assert empty.shape == (2, 0)


def test_device_native_degree_falls_back_to_uniform_where_weights_give_no_mass():
    from support.reference import assert_distribution
    # node 0's only valid candidates (4, 5) are isolated: deg^alpha gives them no mass
    ei = torch.tensor([[0, 1, 0, 2, 0, 3, 1, 2], [1, 0, 2, 0, 3, 0, 2, 1]])
    pos = torch.tensor([[0], [1]]).repeat(1, 3000)
    sampler = _native("degree", 4, 0)
    neg = sampler._sample_on_device(ei, 6, pos, None, False)
    assert_distribution(neg[1], torch.tensor([0, 0, 0, 0, 1.0, 1.0]))
    assert sampler.last_stats.extra["fallback_anchors"] == 1
    lone = _native("degree", 2, 0)._sample_on_device(torch.zeros(2, 0, dtype=torch.long), 4,
                                                     torch.tensor([[0], [1]]), None, False)
    assert bool((lone[1] != 0).all()) and bool((lone[1] != 1).all())


def test_device_index_answers_like_the_cpu_index():
    from graphneg.samplers._device import DeviceIndex
    ei, n = random_graph(40, 120, seed=7), 40
    g = torch.Generator().manual_seed(0)
    row, col = torch.randint(n, (500,), generator=g), torch.randint(n, (500,), generator=g)
    for undirected in (True, False):
        cpu, dev = EdgeSet([ei], n, undirected=undirected), DeviceIndex([ei], n,
                                                                        undirected=undirected)
        assert torch.equal(dev.contains(row, col), cpu.contains(row, col))
        assert torch.equal(dev.num_excluded(), cpu.num_excluded())
        r, partner = dev.partners(torch.tensor([3, 5]))
        for i, u in enumerate((3, 5)):
            expected = cpu.keys[(cpu.keys >= u * n) & (cpu.keys < u * n + n)] % n
            assert torch.equal(torch.sort(partner[r == i]).values, expected)
