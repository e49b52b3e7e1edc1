"""graphneg's samplers against PyG's on one CUDA device: ratios of median times.

Everything lives on the CUDA device: the graph ``barabasi_albert(N, 5)`` (both
directions; ``N = 100,000`` by default, ~10^6 edge columns, ``--quick`` 10x smaller)
and every input and output. One negative per edge column (per anchor). Cases, each
the median wall time of ``--reps`` runs after one warm-up call, with
``torch.cuda.synchronize()`` around every run:

* graphneg ``uniform``, ``degree`` (alpha 0.75) and ``structural`` (2-hop ring),
  called again on the same graph as a training loop does (the exclusion index is
  reused), and ``uniform`` per mini-batch of 1,024 positives from a prepared sampler;
* PyG ``negative_sampling(edge_index, N, E)`` and ``structured_negative_sampling``.

Printed: every median, the false negatives of each output (pairs that are edges
either way, or self-loops), and the ratios PyG / graphneg of the medians (above 1:
graphneg is faster). Uniform and degree per epoch draw on the device
(``graphneg.samplers._device``); structural and the prepared sampler draw on the CPU
and copy their result to the device (see ``NegativeSampler.sample``), so their
figures include that round trip.

Without a CUDA device the script prints why and exits with status 0.

Run: ``.venv/bin/python benchmarks/bench_gpu.py [--reps 5] [--quick] [--nodes N]``.
"""
from __future__ import annotations

import argparse
import os
import sys

import torch


def _timed(fn, reps: int):
    """Median seconds of ``reps`` synchronised calls (after one warm-up), last output."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _timing import median_time

    def call():
        torch.cuda.synchronize()
        out = fn()
        torch.cuda.synchronize()
        return out
    call()
    return median_time(call, reps)


def run(num_nodes: int, reps: int, device: torch.device) -> dict:
    from torch_geometric.utils import negative_sampling, structured_negative_sampling

    from graphneg.edges import EdgeSet
    from graphneg.generators import barabasi_albert
    from graphneg.samplers import get_sampler

    ei = barabasi_albert(num_nodes, 5, seed=0).edge_index
    known = EdgeSet([ei], num_nodes)
    e = ei.size(1)
    ei = ei.to(device)
    print(f"barabasi_albert({num_nodes:,}, 5) on {torch.cuda.get_device_name(device)}: "
          f"{e:,} edge columns, one negative per column; median of {reps} runs")
    samplers = {name: get_sampler(name, num_neg=1, seed=0, **kw) for name, kw in
                (("uniform", {}), ("degree", {"alpha": 0.75}), ("structural", {}))}
    prepared = get_sampler("uniform", num_neg=1, seed=0).prepare(ei, num_nodes)
    g = torch.Generator().manual_seed(1)
    batches = [ei[:, torch.randint(e, (1024,), generator=g).to(device)] for _ in range(reps + 1)]
    it = iter(batches * 2)
    cases = {f"graphneg {name}, per epoch": (lambda s=s: s.sample(ei, num_nodes))
             for name, s in samplers.items()}
    cases["graphneg uniform, per batch of 1,024 (prepared)"] = lambda: prepared.sample(next(it))
    cases["PyG negative_sampling"] = lambda: negative_sampling(ei, num_nodes, num_neg_samples=e)
    cases["PyG structured_negative_sampling"] = lambda: torch.stack(
        structured_negative_sampling(ei, num_nodes)[::2])
    t = {}
    with torch.random.fork_rng(devices=[device]):
        torch.manual_seed(0)               # PyG's samplers draw from the global RNG
        for name, fn in cases.items():
            t[name], neg = _timed(fn, reps)
            assert neg.device == ei.device, name
            neg = neg.cpu()
            bad = int((known.contains(neg[0], neg[1]) | (neg[0] == neg[1])).sum())
            print(f"  {name:50s} {t[name] * 1e3:10.2f} ms   returned {neg.size(1):9,d}   "
                  f"false negatives {bad:7,d}")
    pyg, structured = t["PyG negative_sampling"], t["PyG structured_negative_sampling"]
    for name in samplers:
        ours = t[f"graphneg {name}, per epoch"]
        print(f"  PyG negative_sampling / graphneg {name:10s} {pyg / ours:8.2f}x   "
              f"PyG structured_negative_sampling / graphneg {name:10s} {structured / ours:8.2f}x")
    return t


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a 10x smaller graph")
    parser.add_argument("--nodes", type=int, default=None, help="graph size (default 100,000)")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("bench_gpu: no CUDA device on this machine (torch.cuda.is_available() is False); "
              "nothing measured.")
        return 0
    nodes = args.nodes or (10_000 if args.quick else 100_000)
    run(nodes, args.reps, torch.device("cuda"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
