"""Adversarial (REINFORCE generator) sampler with ``num_candidates=None`` against
the softmax sampler that draws the same law.

With every node a candidate, :class:`graphneg.samplers.AdversarialNegativeSampler`
proposes from ``q(n|u) ∝ exp(θ_u · θ_n / τ)`` over ``C(u)``, the law of
:class:`graphneg.samplers.SoftmaxNegativeSampler` with ``z = θ`` and temperature ``τ``.
Measured in one run, on a Barabási–Albert graph (``--nodes``, 5 edges per new node),
``--positives`` positive edges drawn once with a fixed seed, one negative each:

* ``softmax``: one ``SoftmaxNegativeSampler.sample(..., z=θ)`` call (the baseline);
* ``adversarial call``: one ``AdversarialNegativeSampler.sample`` call (the draws and
  the episode: log Z, entropy and collapse statistics);
* ``adversarial update``: one ``update(z=...)`` after a call (REINFORCE loss, its
  gradient and one Adam step); each is timed alone, the call before it untimed.

Each figure is the median of ``--repeats`` timed calls after one untimed warm-up,
as CPU time of this process (``time.process_time``) and wall time; the targets are
``adversarial call / softmax <= 2`` and ``update / call <= 2``.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_adversarial.py``
(``--nodes 20000 --positives 1000 --repeats 5`` by default).
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from graphneg.generators import barabasi_albert
from graphneg.samplers import AdversarialNegativeSampler, SoftmaxNegativeSampler


def timed(fn, reps: int, before=None):
    """Median CPU and wall seconds of ``reps`` calls of ``fn()``, each timed alone
    (``before()`` run untimed ahead of each)."""
    cpu, wall = [], []
    for _ in range(reps):
        if before is not None:
            before()
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=20000)
    parser.add_argument("--positives", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dim", type=int, default=16, help="generator embedding size")
    args = parser.parse_args()

    n = args.nodes
    ei = barabasi_albert(n, 5, seed=0).edge_index
    g = torch.Generator().manual_seed(0)
    pos = ei[:, torch.randperm(ei.size(1), generator=g)[:args.positives]]
    z_disc = torch.randn(n, 8, generator=g)
    adv = AdversarialNegativeSampler(1, embedding_dim=args.dim, seed=0)
    adv.sample(ei, n, pos_edge_index=pos)                        # warm-up, builds θ
    adv.update(z=z_disc)
    theta = adv.theta.detach().clone()
    soft = SoftmaxNegativeSampler(1, seed=0)
    soft.sample(ei, n, pos_edge_index=pos, z=theta)              # warm-up

    reps = args.repeats
    t_soft = timed(lambda: soft.sample(ei, n, pos_edge_index=pos, z=theta), reps)
    t_call = timed(lambda: adv.sample(ei, n, pos_edge_index=pos), reps)
    t_update = timed(lambda: adv.update(z=z_disc),
                     reps, before=lambda: adv.sample(ei, n, pos_edge_index=pos))

    print(f"BA({n}, 5), {ei.size(1)} edge columns, {pos.size(1)} positives x 1 negative, "
          f"d = {args.dim}, medians of {reps} (CPU s / wall s)")
    for name, (c, w) in (("softmax (baseline)", t_soft), ("adversarial call", t_call),
                         ("adversarial update", t_update)):
        print(f"  {name:<20} {c:8.3f} {w:8.3f}")
    print(f"adversarial call / softmax: {t_call[0] / t_soft[0]:.2f}x CPU, "
          f"{t_call[1] / t_soft[1]:.2f}x wall (target <= 2)")
    print(f"update / call: {t_update[0] / t_call[0]:.2f}x CPU, "
          f"{t_update[1] / t_call[1]:.2f}x wall (target <= 2)")


if __name__ == "__main__":
    main()
