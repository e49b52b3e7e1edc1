"""van Rossum embedding: vectorised (one index_add + doubling scan) vs Python loops.

Workload: 10^4 homogeneous Poisson trains (rate 100 Hz, 1 s, ~100 spikes each) on a
1,000-point grid, tau = 10 ms. Baselines, timed on a subsample of trains and scaled
linearly to 10^4 (each train is independent, so the loop's cost is linear in trains):

* ``loop-recursive``: pure Python, per train, the O(G + m) recursion
  ``e_k = rho e_{k-1} + sum_{t in (g_{k-1}, g_k]} exp(-(g_k - t)/tau)`` — the fair,
  straightforward implementation;
* ``loop-naive``: pure Python, per train, the definition
  ``e(g_k) = sum_{t_i <= g_k} exp(-(g_k - t_i)/tau)`` (O(G m)).

Both baselines are checked against the vectorised result on the subsample.
Medians of ``--reps`` (>= 5) repetitions. Target: ratio >= 100.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_spikes.py [--reps 5] [--sample 50]``
"""
from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np
import torch

from graphneg.datasets.spikes import poisson_spike_trains
from graphneg.spike_trains import time_grid, van_rossum_embedding

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def loop_recursive(trains, idx, tau, num_points):
    grid, dt = time_grid(trains.t_start, trains.t_stop, num_points)
    grid = grid.tolist()
    rho = math.exp(-dt / tau)
    out = []
    for b in idx:
        spikes = trains.train(b).tolist()
        e, j, row = 0.0, 0, []
        for g in grid:
            e *= rho if row else 0.0
            while j < len(spikes) and spikes[j] <= g:
                e += math.exp(-(g - spikes[j]) / tau)
                j += 1
            row.append(e)
        out.append(row)
    return out


def loop_naive(trains, idx, tau, num_points):
    grid, _ = time_grid(trains.t_start, trains.t_stop, num_points)
    grid = grid.tolist()
    out = []
    for b in idx:
        spikes = trains.train(b).tolist()
        out.append([sum(math.exp(-(g - t) / tau) for t in spikes if t <= g) for g in grid])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--sample", type=int, default=50, help="trains timed by the loops")
    parser.add_argument("--num-trains", type=int, default=10_000)
    args = parser.parse_args()
    tau, num_points = 0.01, 1000
    trains = poisson_spike_trains(args.num_trains, rate=100.0, duration=1.0, seed=0)
    print(f"{args.num_trains} trains, mean {float(trains.counts.double().mean()):.1f} spikes, "
          f"grid {num_points}, tau {tau}; torch threads {torch.get_num_threads()}")
    emb = van_rossum_embedding(trains, tau=tau, num_points=num_points)
    t_vec, _ = median_time(lambda: van_rossum_embedding(trains, tau=tau, num_points=num_points),
                           args.reps)
    idx = list(range(args.sample))
    for name, fn in (("loop-recursive", loop_recursive), ("loop-naive", loop_naive)):
        ref = np.asarray(fn(trains, idx, tau, num_points))
        err = float(np.abs(ref - emb[:args.sample].numpy()).max())
        t_loop, _ = median_time(lambda: fn(trains, idx, tau, num_points), args.reps)
        scaled = t_loop * args.num_trains / args.sample
        print(f"{name:15s}: {t_loop:.3f} s for {args.sample} trains -> {scaled:8.2f} s scaled; "
              f"vectorised {t_vec:.3f} s; ratio {scaled / t_vec:7.1f}x; max |diff| {err:.1e}")


if __name__ == "__main__":
    main()
