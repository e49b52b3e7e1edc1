"""Graph sampler family vs named baselines, measured side by side in one run.

Cases (medians of >= 5 repetitions; ``--quick`` divides sizes by 10):

1. ``DegreeNegativeSampler(alpha=0.75)`` vs ``UniformNegativeSampler`` on
   ``barabasi_albert(100_000, 5)``, one negative per edge (~1M negatives).
   Target: degree time / uniform time <= 2.
2. ``StructuralNegativeSampler`` (2 hops, uniform and common-neighbour weights) and
   ``HeuristicHardNegativeSampler`` (resource allocation, top_k=20) vs straightforward
   networkx / Python implementations of the same distributions (a loop over
   positives: BFS to depth 2 with ``single_source_shortest_path_length``, set
   intersections / ``nx.resource_allocation_index``, sort, numpy choice) on
   ``barabasi_albert(5_000, 5)`` with 2 000 positives. Target: ratio >= 50.
3. Throughput (negatives / s) of the structural and HeaRT samplers at 100k nodes
   (10 000 positives, 1 and 10 negatives each), and of the score-aware samplers
   (256 positives, d = 64, exact chunked softmax over all 100k nodes).
4. Peak memory of each sampler call at 100k nodes: ``tracemalloc`` peak (numpy /
   scipy buffers, where the rings live) and the peak RSS above the RSS before the
   call (everything, torch included; Linux only), next to the size an N x N
   float64 matrix would need (80 GB at N = 100k).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_samplers.py [--quick] [--reps 5]``
"""
from __future__ import annotations

import argparse
import os
import sys
import tracemalloc

import networkx as nx
import numpy as np
import torch

from graphneg.generators import barabasi_albert
from graphneg.samplers import (
    DegreeNegativeSampler, DynamicNegativeSampler, HeuristicHardNegativeSampler, MCNSSampler,
    SoftmaxNegativeSampler, StructuralNegativeSampler, UniformNegativeSampler,
)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def peak_bytes(fn) -> "tuple[int, float]":
    """(tracemalloc peak, peak RSS above the RSS before the call).

    tracemalloc sees numpy / scipy buffers (where rings live) but not torch's
    allocator; the RSS figure sees everything (Linux: the high-water mark is reset
    through ``/proc/self/clear_refs``; NaN elsewhere)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        before = _status_kb("VmRSS")
    except OSError:
        before = None
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = (_status_kb("VmHWM") - before) * 1e3 if before is not None else float("nan")
    return peak, rss


def positives(edge_index: torch.Tensor, num: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return edge_index[:, torch.randperm(edge_index.size(1), generator=g)[:num]]


# ------------------------------------------------------------ naive baselines
def naive_structural(graph: nx.Graph, pos: np.ndarray, rng: np.random.Generator,
                     weight: str) -> list:
    """Per positive: BFS to depth 2, ring = distance-2 nodes not known, weighted choice."""
    known = {(int(a), int(b)) for a, b in pos.T} | {(int(b), int(a)) for a, b in pos.T}
    out = []
    for u, _ in pos.T:
        dist = nx.single_source_shortest_path_length(graph, int(u), cutoff=2)
        ring = [n for n, d in dist.items() if d == 2 and (int(u), n) not in known]
        if not ring:
            out.append(int(rng.integers(graph.number_of_nodes())))
            continue
        if weight == "uniform":
            out.append(ring[int(rng.integers(len(ring)))])
        else:
            nu = set(graph[int(u)])
            w = np.array([len(nu & set(graph[n])) + 1e-3 for n in ring])
            out.append(ring[int(rng.choice(len(ring), p=w / w.sum()))])
    return out


def naive_heart(graph: nx.Graph, pos: np.ndarray, rng: np.random.Generator, top_k: int) -> list:
    """Per positive: RA scores of the 2-hop candidates, top-k by (-score, id), choice."""
    known = {(int(a), int(b)) for a, b in pos.T} | {(int(b), int(a)) for a, b in pos.T}
    out = []
    for u, _ in pos.T:
        u = int(u)
        cand = {n for w in graph[u] for n in graph[w]} - set(graph[u]) - {u}
        cand = [n for n in cand if (u, n) not in known]
        scored = sorted(nx.resource_allocation_index(graph, [(u, n) for n in cand]),
                        key=lambda t: (-t[2], t[1]))
        top = [n for _, n, _ in scored[:top_k]]
        out.append(top[int(rng.integers(len(top)))] if top else
                   int(rng.integers(graph.number_of_nodes())))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller graphs")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per case (>= 5)")
    args = parser.parse_args()
    reps = max(args.reps, 5)
    scale = 10 if args.quick else 1
    n_big, n_small = 100_000 // scale, 5_000 // scale
    num_pos_small, num_pos_big = 2_000 // scale, 10_000 // scale

    big = barabasi_albert(n_big, 5, seed=0)
    small = barabasi_albert(n_small, 5, seed=1)
    ei_big, ei_small = big.edge_index, small.edge_index
    print(f"BA({n_big:,}, 5): {ei_big.size(1):,} directed edges; "
          f"BA({n_small:,}, 5): {ei_small.size(1):,}")

    # 1. degree vs uniform, one negative per edge
    uni, deg = UniformNegativeSampler(1, seed=0), DegreeNegativeSampler(1, alpha=0.75, seed=0)
    uni.sample(ei_big, n_big), deg.sample(ei_big, n_big)  # warm-up
    t_uni, _ = median_time(lambda: uni.sample(ei_big, n_big), reps)
    t_deg, _ = median_time(lambda: deg.sample(ei_big, n_big), reps)
    print(f"\n[1] one negative per edge on BA({n_big:,}, 5), {ei_big.size(1):,} negatives")
    print(f"    uniform {t_uni:.3f} s   degree(alpha=0.75) {t_deg:.3f} s   "
          f"ratio degree/uniform = {t_deg / t_uni:.2f}  (target <= 2)")

    # 2. vs straightforward networkx/python at 5k nodes
    graph = nx.Graph()
    graph.add_nodes_from(range(n_small))
    graph.add_edges_from(ei_small.t().tolist())
    pos_small = positives(ei_small, num_pos_small)
    pos_np = pos_small.numpy()
    print(f"\n[2] {num_pos_small:,} positives, one negative each, BA({n_small:,}, 5): "
          f"ours vs networkx/python loop (ratio = naive / ours, target >= 50)")
    cases = [
        ("structural 2-hop uniform",
         StructuralNegativeSampler(1, num_hops=2, seed=0),
         lambda rng: naive_structural(graph, pos_np, rng, "uniform")),
        ("structural 2-hop CN",
         StructuralNegativeSampler(1, num_hops=2, weight="common_neighbors", seed=0),
         lambda rng: naive_structural(graph, pos_np, rng, "common_neighbors")),
        ("HeaRT RA top-20",
         HeuristicHardNegativeSampler(1, top_k=20, seed=0),
         lambda rng: naive_heart(graph, pos_np, rng, 20)),
    ]
    for name, sampler, naive in cases:
        rng = np.random.default_rng(0)
        t_ours, _ = median_time(
            lambda: sampler.sample(ei_small, n_small, pos_edge_index=pos_small), reps)
        t_naive, _ = median_time(lambda: naive(rng), reps)
        print(f"    {name:<26} ours {t_ours * 1e3:8.1f} ms   naive {t_naive * 1e3:9.1f} ms   "
              f"ratio {t_naive / t_ours:7.1f}")

    # 3 + 4. throughput and memory at 100k nodes
    pos_big = positives(ei_big, num_pos_big)
    nn_bytes = n_big * n_big * 8
    print(f"\n[3/4] throughput and tracemalloc peak at BA({n_big:,}, 5), {num_pos_big:,} "
          f"positives (an N x N float64 matrix would be {nn_bytes / 1e9:.1f} GB)")
    for name, make in [
        ("structural 2-hop uniform", lambda k: StructuralNegativeSampler(k, seed=0)),
        ("structural 2-hop CN", lambda k: StructuralNegativeSampler(
            k, weight="common_neighbors", seed=0)),
        ("structural 3-hop uniform", lambda k: StructuralNegativeSampler(k, num_hops=3,
                                                                         seed=0)),
        ("HeaRT RA top-20", lambda k: HeuristicHardNegativeSampler(k, top_k=20, seed=0)),
        ("degree (same positives)", lambda k: DegreeNegativeSampler(k, seed=0)),
        ("uniform (same positives)", lambda k: UniformNegativeSampler(k, seed=0)),
    ]:
        pos_case = pos_big if "3-hop" not in name else pos_big[:, : max(1, num_pos_big // 100)]
        for k in (1, 10):
            sampler = make(k)
            call = (lambda s=sampler, p=pos_case:
                    s.sample(ei_big, n_big, pos_edge_index=p))
            t, _ = median_time(call, reps)
            peak, rss = peak_bytes(call)
            print(f"    {name:<26} k={k:<3} {pos_case.size(1) * k / t:12,.0f} neg/s  "
                  f"({t * 1e3:7.1f} ms, {pos_case.size(1):,} positives)  "
                  f"peak {peak / 1e6:7.1f} MB (RSS +{rss / 1e6:7.1f} MB)")

    d = 64
    z = torch.randn(n_big, d, generator=torch.Generator().manual_seed(0))
    pos_z = pos_big[:, :256]
    for name, k, sampler in [
            ("softmax T=1", 1, SoftmaxNegativeSampler(1, temperature=1.0, seed=0)),
            ("softmax T=1", 10, SoftmaxNegativeSampler(10, temperature=1.0, seed=0)),
            ("mcns alpha=0.75", 1, MCNSSampler(1, seed=0)),
            ("dns X=8", 1, DynamicNegativeSampler(1, num_draws=8, seed=0)),
            ("dns X=8", 10, DynamicNegativeSampler(10, num_draws=8, seed=0))]:
        call = (lambda s=sampler: s.sample(ei_big, n_big, pos_edge_index=pos_z, z=z))
        t, _ = median_time(call, reps)
        peak, rss = peak_bytes(call)
        print(f"    {name:<26} k={k:<3} {pos_z.size(1) * k / t:12,.0f} neg/s  "
              f"({t * 1e3:7.1f} ms, {pos_z.size(1)} positives, d={d})  "
              f"peak {peak / 1e6:7.1f} MB (RSS +{rss / 1e6:7.1f} MB)")


if __name__ == "__main__":
    main()
