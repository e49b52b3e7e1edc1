"""SpatialNegativeSampler on the ~28k world airports vs a naive full-distance-matrix sampler.

Points: ``graphneg.datasets.world_airports()`` (airportsdata, 28,298 airports). Task:
every airport is an anchor once and draws ``K = 5`` negatives (no edges, so only
self-pairs are excluded).

* Gibbs ``q(n|u) ∝ exp(-d/τ)``, ``τ = 500`` km. Ours: ``SpatialNegativeSampler`` (exact,
  haversine in anchor blocks of ``2^22`` entries). Baseline ("naive"): build the full
  ``N × N`` haversine matrix in one go, ``softmax(-D/τ)`` with the diagonal masked,
  ``torch.multinomial`` — the obvious implementation.
* k nearest (``k = 10``). Ours: ``SpatialNegativeSampler(k_nearest=10)`` (BallTree).
  Baseline: full matrix, ``topk``, uniform pick.

The naive samplers need ``O(N²)`` memory (6.4 GB per float64 matrix at 28k), so
the ratio is measured on the first ``--naive-n`` airports (default 8000) where
both run; ours is also timed on all airports. Time: median of >= 5 repetitions.
Peak memory: rise of the process's peak RSS (``VmHWM``, reset through
``/proc/self/clear_refs``) above the RSS before the call, median over repetitions
(rises under 1 MB are page-reuse noise; the ratio is then given as ``>=`` vs 1 MB).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_spatial.py [--quick]``
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from graphneg.datasets import world_airports
from graphneg.samplers import SpatialNegativeSampler, haversine_km


def _status(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise RuntimeError(key)


def measure(fn, reps: int):
    """Median seconds and median peak-RSS rise (bytes) of ``fn()``."""
    times, peaks = [], []
    for _ in range(reps):
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
        base = _status("VmRSS")
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        peaks.append(_status("VmHWM") - base)
    return statistics.median(times), statistics.median(peaks)


def naive_gibbs(lat, lon, k, tau, gen):
    d = haversine_km(lat.view(-1, 1), lon.view(-1, 1), lat.view(1, -1), lon.view(1, -1))
    logits = (-d / tau).fill_diagonal_(float("-inf"))
    return torch.multinomial(torch.softmax(logits, 1), k, replacement=True, generator=gen)


def naive_nearest(lat, lon, k, nearest, gen):
    d = haversine_km(lat.view(-1, 1), lon.view(-1, 1), lat.view(1, -1), lon.view(1, -1))
    d.fill_diagonal_(float("inf"))
    idx = torch.topk(d, nearest, dim=1, largest=False).indices
    pick = torch.randint(nearest, (lat.numel(), k), generator=gen)
    return torch.gather(idx, 1, pick)


def ours(lat, lon, k, gen, **kw):
    n = lat.numel()
    pos = torch.stack([torch.arange(n), torch.arange(n)])
    s = SpatialNegativeSampler(k, seed=gen, **kw)
    return s.sample(torch.empty(2, 0, dtype=torch.long), n, pos_edge_index=pos, lat=lat, lon=lon)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="naive-n 3000, all-airport run skipped")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--naive-n", type=int, default=8000)
    args = parser.parse_args()
    reps = max(args.reps, 5)
    naive_n = 3000 if args.quick else args.naive_n
    data = world_airports()
    lat, lon = data.lat, data.lon
    k, tau, nearest = 5, 500.0, 10
    gen = torch.Generator().manual_seed(0)
    sub_lat, sub_lon = lat[:naive_n], lon[:naive_n]
    # warm-up (imports, allocator)
    ours(sub_lat[:500], sub_lon[:500], k, gen, tau_km=tau)
    naive_gibbs(sub_lat[:500], sub_lon[:500], k, tau, gen)
    print(f"world airports: N = {lat.numel()}, K = {k} negatives per anchor, "
          f"median of {reps} runs")
    rows = [
        ("Gibbs τ=500 km", lambda: ours(sub_lat, sub_lon, k, gen, tau_km=tau),
         lambda: naive_gibbs(sub_lat, sub_lon, k, tau, gen)),
        (f"{nearest} nearest", lambda: ours(sub_lat, sub_lon, k, gen, k_nearest=nearest),
         lambda: naive_nearest(sub_lat, sub_lon, k, nearest, gen)),
    ]
    print(f"\n-- on the first {naive_n} airports (naive feasible) --")
    print(f"{'mode':<16}{'ours s':>9}{'naive s':>9}{'speed-up':>10}"
          f"{'ours MB':>10}{'naive MB':>10}{'mem ratio':>11}")
    for name, f_ours, f_naive in rows:
        t_o, m_o = measure(f_ours, reps)
        t_n, m_n = measure(f_naive, reps)
        floor = m_o < 2**20  # below page-reuse noise: report the ratio against 1 MB
        ratio = m_n / max(m_o, 2**20)
        print(f"{name:<16}{t_o:>9.3f}{t_n:>9.3f}{t_n / t_o:>9.2f}x"
              f"{m_o / 2**20:>10.1f}{m_n / 2**20:>10.1f}{'>=' if floor else '':>4}{ratio:>6.0f}x")
    if not args.quick:
        n = lat.numel()
        print(f"\n-- ours on all {n} airports (naive would need >= {n * n * 8 / 2**30:.1f} GiB "
              f"per N x N float64 matrix) --")
        for name, kw in (("Gibbs τ=500 km", {"tau_km": tau}), (f"{nearest} nearest",
                                                               {"k_nearest": nearest})):
            t_o, m_o = measure(lambda: ours(lat, lon, k, gen, **kw), reps)
            print(f"{name:<16} {t_o:8.2f} s   peak +{m_o / 2**20:8.1f} MB")


if __name__ == "__main__":
    main()
