"""ANN hard-negative mining throughput: FAISS HNSW / IVF vs exact IndexFlatIP and torch topk.

Data: ``N`` node embeddings of dimension 64 (default ``N = 100_000``; ``--large``:
1_000_000), clustered like learned embeddings (1000 Gaussian centres, unit-norm
directions, noise 0.3; ``--data gaussian`` for i.i.d. N(0, I), the hardest case for
ANN). Query: the top-``k`` (k = 32) inner products for ``Q`` random anchors
(10_000; ``--quick``: N = 20_000, Q = 2_000) — the mining step of a refresh.

Methods (all with the same thread count, default ``torch.get_num_threads()``):
* ``torch``  — exact: chunked ``queries @ z.T`` + ``torch.topk`` (the baseline),
* ``flat``   — exact FAISS ``IndexFlatIP``,
* ``hnsw``   — ``IndexHNSWFlat`` (M = 32, efConstruction = 40), efSearch in {16, 64, 128},
* ``ivf``    — ``IndexIVFFlat`` (nlist = round(4 sqrt(N))), nprobe in {4, 16, 64}.

Printed per method: index build seconds (once), search seconds (median of >= 5
repetitions), anchors/s, throughput ratio vs ``flat`` and vs ``torch`` measured in
the same run, recall@k against the exact lists, and the time of one full refresh
(build + mining all N lists, extrapolated from the measured search rate).

Run: ``OMP_NUM_THREADS=2 .venv/bin/python benchmarks/bench_ann.py [--quick] [--large]``
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import torch

from graphneg.analysis.ann import recall_at_k
from graphneg.samplers.ann import build_faiss_index, faiss_topk, torch_topk

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def embeddings(num_nodes: int, dim: int, kind: str, gen: torch.Generator) -> torch.Tensor:
    if kind == "gaussian":
        return torch.randn(num_nodes, dim, generator=gen)
    centres = torch.nn.functional.normalize(torch.randn(1000, dim, generator=gen), dim=1)
    label = torch.randint(1000, (num_nodes,), generator=gen)
    return centres[label] + 0.3 * torch.randn(num_nodes, dim, generator=gen) / dim ** 0.5 * 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 20k, Q = 2k")
    parser.add_argument("--large", action="store_true", help="N = 1M (slow: minutes)")
    parser.add_argument("--data", choices=("clustered", "gaussian"), default="clustered")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (>= 5)")
    parser.add_argument("--threads", type=int, default=None, help="FAISS / torch threads")
    parser.add_argument("-k", type=int, default=32)
    args = parser.parse_args()
    reps = max(args.reps, 5)
    threads = args.threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    num_nodes, num_queries = ((20_000, 2_000) if args.quick else
                              (1_000_000, 10_000) if args.large else (100_000, 10_000))
    dim, k = 64, args.k
    gen = torch.Generator().manual_seed(0)
    z = embeddings(num_nodes, dim, args.data, gen)
    queries = z[torch.randperm(num_nodes, generator=gen)[:num_queries]]
    print(f"N={num_nodes} d={dim} k={k} Q={num_queries} data={args.data} threads={threads} "
          f"reps={reps}")

    t_torch, (_, exact) = median_time(lambda: torch_topk(z, queries, k), reps)
    rows = [("torch topk (exact)", "", 0.0, t_torch, 1.0)]
    build = {}
    t0 = time.perf_counter()
    flat = build_faiss_index(z, "flat", num_threads=threads)
    build["flat"] = time.perf_counter() - t0
    t_flat, (_, ids) = median_time(lambda: faiss_topk(flat, queries, k, num_threads=threads),
                                   reps)
    rows.append(("flat (exact)", "", build["flat"], t_flat,
                 float(recall_at_k(ids, exact).mean())))
    t0 = time.perf_counter()
    hnsw = build_faiss_index(z, "hnsw", hnsw_m=32, ef_construction=40, num_threads=threads)
    build["hnsw"] = time.perf_counter() - t0
    for ef in (16, 64, 128):
        hnsw.hnsw.efSearch = ef
        t, (_, ids) = median_time(lambda: faiss_topk(hnsw, queries, k, num_threads=threads),
                                  reps)
        rows.append(("hnsw", f"efSearch={ef}", build["hnsw"], t,
                     float(recall_at_k(ids, exact).mean())))
    nlist = int(round(4 * num_nodes ** 0.5))
    t0 = time.perf_counter()
    ivf = build_faiss_index(z, "ivf", nlist=nlist, num_threads=threads)
    build["ivf"] = time.perf_counter() - t0
    for nprobe in (4, 16, 64):
        ivf.nprobe = nprobe
        t, (_, ids) = median_time(lambda: faiss_topk(ivf, queries, k, num_threads=threads),
                                  reps)
        rows.append(("ivf", f"nlist={nlist} nprobe={nprobe}", build["ivf"], t,
                     float(recall_at_k(ids, exact).mean())))

    head = (f"{'method':<20}{'params':<24}{'build s':>9}{'search s':>10}{'anchors/s':>12}"
            f"{'vs flat':>9}{'vs torch':>10}{'recall@k':>10}{'refresh s':>11}")
    print(head)
    print("-" * len(head))
    for name, params, b, t, rec in rows:
        rate = num_queries / t
        refresh = b + num_nodes / rate
        print(f"{name:<20}{params:<24}{b:>9.2f}{t:>10.3f}{rate:>12.0f}{t_flat / t:>9.2f}"
              f"{t_torch / t:>10.2f}{rec:>10.3f}{refresh:>11.1f}")
    print("ratios: anchors/s of the method divided by anchors/s of the named exact baseline "
          "(same run, medians); refresh s = build + N / (anchors/s).")


if __name__ == "__main__":
    main()
