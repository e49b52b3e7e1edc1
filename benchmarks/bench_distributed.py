"""Beyond one machine: partitioned negative sampling on 1, 2, 3 gloo ranks; Ray vs process pool.

Sampling (default): a Barabási–Albert graph (``N = 100_000``, m = 3; ``--quick``: 20_000),
edges partitioned by source node in contiguous ranges over ``R`` = 1, 2, 3 processes on
127.0.0.1 (gloo). Each rank draws ``K = 5`` negatives for its shard of the positives (the
edges ``p = r mod R``, as data-parallel training shards them, so most anchors are owned
by another rank) with
:class:`graphneg.distributed.PartitionedNegativeSampler` (``law`` uniform and degree).
Printed per ``R``: build seconds, sampling seconds (median of >= 5 calls, the slowest
rank), negatives/s over all ranks, the ratio against the single-process sampler
(:class:`~graphneg.samplers.UniformNegativeSampler` / ``DegreeNegativeSampler`` on the
whole graph, measured in the same run, in the ``R = 1`` process), the largest rank's
share of the known pairs (memory that shrinks as ``1/R``), its peak RSS, the candidate
pairs sent to another rank per negative, and the rejection rounds.

Sweep (``--sweep``): wall time of ``graphneg compare --preset PRESET`` (``tiny`` by
default; ``default`` takes hours on 2 cores) with ``--backend process --jobs J`` against
``--backend ray`` on a local Ray cluster of ``J`` CPUs, and whether the two summaries agree.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_distributed.py [--quick] [--sweep]``
"""
from __future__ import annotations

import argparse
import os
import resource
import socket
import sys
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402

K = 5


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank(rank: int, world: int, port: int, num_nodes: int, law: str, reps: int,
          out: str) -> None:
    from graphneg.distributed import Partition, PartitionedGraph, PartitionedNegativeSampler
    from graphneg.generators import barabasi_albert
    from graphneg.samplers import DegreeNegativeSampler, UniformNegativeSampler
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world)
    ei = barabasi_albert(num_nodes, 3, seed=0).edge_index
    part = Partition.contiguous(num_nodes, world)
    local = part.edges_of(ei, rank)
    tic = time.perf_counter()
    graph = PartitionedGraph(local, num_nodes, part)
    build = time.perf_counter() - tic
    sampler = PartitionedNegativeSampler(K, law=law, seed=0)
    shard = ei[:, torch.arange(ei.size(1)) % world == rank]

    def call():
        dist.barrier()
        return sampler.sample(graph, shard)

    seconds, neg = median_time(call, reps)
    row = {"rank": rank, "build_s": build, "sample_s": seconds, "negatives": neg.size(1),
           "keys": graph.keys.numel(), "rss_mb": resource.getrusage(
               resource.RUSAGE_SELF).ru_maxrss / 1024,
           "pairs_sent": sampler.last_stats.extra["pairs_sent"],
           "rounds": sampler.last_stats.rounds}
    if world == 1:  # the single-process baseline, same graph, same K
        single = (UniformNegativeSampler(K, seed=0) if law == "uniform"
                  else DegreeNegativeSampler(K, seed=0))
        row["single_s"], _ = median_time(lambda: single.sample(ei, num_nodes), reps)
    rows = [None] * world
    dist.all_gather_object(rows, row)
    if rank == 0:
        torch.save(rows, out)
    dist.destroy_process_group()


def sampling(num_nodes: int, reps: int) -> None:
    print(f"BA graph: N = {num_nodes}, m = 3, K = {K}; one thread per rank")
    print("law      R  build_s  sample_s  neg/s      vs_single  max_key_share  rss_MB  "
          "sent/neg  rounds")
    for law in ("uniform", "degree"):
        single = None
        for world in (1, 2, 3):
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "rows.pt")
                mp.start_processes(_rank, args=(world, _port(), num_nodes, law, reps, out),
                                   nprocs=world, start_method="spawn")
                rows = torch.load(out, weights_only=False)
            single = rows[0].get("single_s", single)
            slowest = max(r["sample_s"] for r in rows)
            negatives = sum(r["negatives"] for r in rows)
            keys = sum(r["keys"] for r in rows)
            rate = negatives / slowest
            print(f"{law:8s} {world}  {max(r['build_s'] for r in rows):7.3f}  {slowest:8.3f}  "
                  f"{rate:9.3g}  {rate / (negatives / single):9.2f}  "
                  f"{max(r['keys'] for r in rows) / keys:13.2f}  "
                  f"{max(r['rss_mb'] for r in rows):6.0f}  "
                  f"{sum(r['pairs_sent'] for r in rows) / negatives:8.3f}  "
                  f"{max(r['rounds'] for r in rows):6d}")


def sweep(preset: str, jobs: int) -> None:
    import subprocess
    import pandas as pd
    times, summaries = {}, {}
    for backend in ("process", "ray"):
        with tempfile.TemporaryDirectory() as out:
            cmd = [sys.executable, "-c", "import sys; from graphneg.cli import main; "
                   "sys.exit(main())", "compare", "--preset", preset,
                   "--jobs", str(jobs), "--backend", backend, "--out", out, "--quiet"]
            tic = time.perf_counter()
            subprocess.run(cmd, check=True)
            times[backend] = time.perf_counter() - tic
            summaries[backend] = pd.read_csv(os.path.join(out, "summary.csv"))
    cols = [c for c in summaries["process"].columns if not c.endswith("time_s")]
    same = summaries["process"][cols].equals(summaries["ray"][cols])
    print(f"compare --preset {preset} --jobs {jobs}: process {times['process']:.1f} s, "
          f"ray {times['ray']:.1f} s (ratio ray/process {times['ray'] / times['process']:.2f}; "
          f"includes starting the local cluster); summaries identical: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 20k")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (>= 5)")
    parser.add_argument("--sweep", action="store_true", help="also time the Ray sweep")
    parser.add_argument("--preset", default="tiny", help="compare preset for --sweep")
    parser.add_argument("--jobs", type=int, default=2, help="workers for --sweep")
    args = parser.parse_args()
    sampling(20_000 if args.quick else 100_000, max(args.reps, 5))
    if args.sweep:
        sweep(args.preset, args.jobs)


if __name__ == "__main__":
    main()
