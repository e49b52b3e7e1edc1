"""Negatives per second of the hyperedge samplers: maxent, SNS, MNS and CNS.

The hypergraph of ``bench_hyperedge_overlap.py``: ``N = M = 100_000`` (``--quick``:
20,000), Poisson sizes with mean 4, sizes 2..20; ``num_neg = 5`` for every hyperedge
as anchor, ``on_impossible="drop"``. Each sampler gets the median of ``--reps`` first
calls (one per fresh sampler: MNS and CNS build the clique expansion and CNS its swap
table, kept for later calls on the same unchanged tensor) and the median of
``--reps`` later calls; the rates are negatives drawn per second of wall time and of
process CPU time (user + sys of this process; the CPU rate is the one to read on a
shared machine). CNS drops the anchors that have no feasible swap (most anchors of
size >= 3 on a sparse random hypergraph: its three-member pre-test rules them out
before any product), so its negatives per call are fewer than the others'; the script
also prints its anchors per second.

With ``--previous REV`` the MNS and CNS of an older revision (e.g. ``3bc4e36``: CNS's
swap product over every anchor and up to ``max_rounds`` rejection rounds) get the same
first calls in the same process (``git show REV:graphneg/samplers/hyperedge/baselines.py``,
on today's base classes and clique expansion).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_hyperedge_baselines.py
[--quick] [--reps 5] [--previous 3bc4e36]``. Targets: MNS and CNS >= 200,000
negatives/s, first call included.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time

import torch

from graphneg.generators import random_hypergraph
from graphneg.samplers.hyperedge import get_hyperedge_sampler


def timed(call, reps: int):
    """Median wall and CPU seconds of ``reps`` calls."""
    walls, cpus = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def previous_classes(rev: str):
    """MNS and CNS classes of ``baselines.py`` at git revision ``rev`` (registered
    under other names so the registry keeps today's)."""
    src = subprocess.run(["git", "show", f"{rev}:graphneg/samplers/hyperedge/baselines.py"],
                         check=True, capture_output=True, text=True).stdout
    src = src.replace('name="motif"', 'name="motif_previous"')
    src = src.replace('name="clique"', 'name="clique_previous"')
    src = src.replace('name="sized"', 'name="sized_previous"')
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(src)
    spec = importlib.util.spec_from_file_location("previous_baselines", f.name)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod          # dataclasses look their module up
    spec.loader.exec_module(mod)
    return {"MNS motif": mod.MotifNegativeSampler, "CNS clique": mod.CliqueNegativeSampler}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="N = M = 20_000")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--previous", default=None, metavar="REV",
                    help="also time the first calls of MNS and CNS of this git revision")
    args = ap.parse_args()
    m = n = 20_000 if args.quick else 100_000
    h = random_hypergraph(n, m, size_distribution="poisson", mean_size=4.0, min_size=2,
                          max_size=20, seed=0).edge_index
    k = 5
    print(f"hypergraph: N = {n}, M = {m}, nnz = {h.size(1)}, threads = "
          f"{torch.get_num_threads()}; {k} negatives per anchor, every hyperedge an anchor, "
          f"median of {args.reps}")
    configs = [("maxent α=0 β=0", "maxent", {}), ("SNS sized", "sized", {}),
               ("MNS motif", "motif", {}), ("CNS clique", "clique", {})]
    for label, name, kw in configs:
        fresh = [get_hyperedge_sampler(name, num_neg=k, seed=0, on_impossible="drop", **kw)
                 for _ in range(args.reps)]
        sampler = fresh[0]                # popped last: its first call is the last one
        target = "   (target >= 200,000/s)" if name in ("motif", "clique") else ""
        # a first call builds the clique expansion (and CNS its swap table): one per
        # fresh sampler; MNS and CNS keep them for later calls on the same tensor
        for when, call in (("first", lambda: fresh.pop().sample(h, n)),
                           ("later", lambda: sampler.sample(h, n))):
            wall, cpu = timed(call, args.reps)
            st = sampler.last_stats
            print(f"  {label:16s} {when} {st.drawn:8,d} negatives  wall {wall:6.3f} s "
                  f"{st.drawn / wall:10,.0f}/s   cpu {cpu:6.3f} s {st.drawn / cpu:10,.0f}/s   "
                  f"anchors kept {m - st.dropped:,}, anchors/s (cpu) {m / cpu:9,.0f}{target}")
    if args.previous:
        for label, cls in previous_classes(args.previous).items():
            fresh = [cls(k, seed=0, on_impossible="drop") for _ in range(args.reps)]
            sampler = fresh[0]
            wall, cpu = timed(lambda: fresh.pop().sample(h, n), args.reps)
            print(f"  {label + ' @' + args.previous:16s} {sampler.last_stats.drawn:8,d} negatives"
                  f"  wall {wall:6.3f} s {sampler.last_stats.drawn / wall:10,.0f}/s   cpu "
                  f"{cpu:6.3f} s {sampler.last_stats.drawn / cpu:10,.0f}/s   (previous design)")


if __name__ == "__main__":
    sys.exit(main())
