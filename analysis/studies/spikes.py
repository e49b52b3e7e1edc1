r"""Spike trains as contrastive data: uniform vs hard negatives (``graphneg spikes``).

Real locust spike trains (nitime) are cut into non-overlapping windows. The grid van
Rossum distance of consecutive windows is checked against its closed form and its error
bound (:mod:`graphneg.spike_trains`); then a contrastive encoder
(:class:`graphneg.training.spikes.SpikeContrastiveTrainer`) is trained with uniform and
with hard (nearest by van Rossum) negatives, recording the temporal emphasis ratio
(:mod:`graphneg.analysis.spikes`) and the retrieval accuracy per epoch.

Examples
--------
>>> tables = run(epochs=1, seed=0)  # doctest: +SKIP
>>> list(tables)  # doctest: +SKIP
['spikes_uniform', 'spikes_hard', 'van_rossum_check']
"""
from __future__ import annotations

from typing import Dict, Mapping, Sequence

import pandas as pd
import torch

from ._progress import Progress

__all__ = ["SAMPLERS", "run", "findings"]

#: The two negative samplers compared.
SAMPLERS = ("uniform", "hard")


def run(*, epochs: int = 80, tau: float = 0.005, window: float = 0.1,
        split_ratio: float = 0.5, seed: int = 0, num_points: int = 1001,
        samplers: Sequence[str] = SAMPLERS, progress: bool = False) -> Dict[str, pd.DataFrame]:
    """Check the grid van Rossum distance, then train with each sampler.

    Parameters
    ----------
    epochs : int
        Contrastive training epochs per sampler.
    tau : float
        van Rossum time constant in seconds.
    window : float
        Window length in seconds.
    split_ratio : float
        Early / late split point of the temporal emphasis ratio.
    seed : int
    num_points : int
        Grid points of the distance check (training uses 200).
    samplers : sequence of {"uniform", "hard"}
    progress : bool
        Progress lines on stderr.

    Returns
    -------
    dict of str to DataFrame
        ``spikes_<sampler>``: the trainer's history per sampler (``epoch``, ``loss``,
        ``temporal_emphasis_ratio``, ``val_top1_acc``, ...); ``van_rossum_check``: one row
        per pair of consecutive windows, columns ``exact_sq``, ``grid_sq``, ``bound``.
    """
    from graphneg.datasets.spikes import grasshopper_windows
    from graphneg.spike_trains import (
        grid_van_rossum_distance, time_grid, van_rossum_distance, van_rossum_embedding,
        van_rossum_grid_error_bound,
    )
    from graphneg.training.spikes import SpikeContrastiveTrainer

    report = Progress("spikes", len(samplers), enabled=progress)
    trains = grasshopper_windows(1, window=window)  # non-overlapping windows
    report.note(f"{trains.num_trains} windows of {window * 1e3:.0f} ms, "
                f"{float(trains.counts.double().mean()):.1f} spikes each on average")
    _, dt = time_grid(0.0, window, num_points)
    a = trains.index_select(torch.arange(0, trains.num_trains - 1))
    b = trains.index_select(torch.arange(1, trains.num_trains))
    exact = van_rossum_distance(a, b, tau=tau, squared=True)
    grid = grid_van_rossum_distance(van_rossum_embedding(a, tau=tau, num_points=num_points),
                                    van_rossum_embedding(b, tau=tau, num_points=num_points),
                                    tau=tau, dt=dt, squared=True)
    bound = van_rossum_grid_error_bound(a, b, tau=tau, dt=dt)
    report.note(f"grid van Rossum distance checked ({num_points} points, dt/tau = "
                f"{dt / tau:.3f})")
    tables = {}
    for sampler in samplers:
        tr = SpikeContrastiveTrainer(trains, tau=tau, num_points=200, sampler=sampler,
                                     num_neg=5, num_hard=5, epochs=epochs,
                                     split_ratio=split_ratio, seed=seed, verbose=False)
        h = tables[f"spikes_{sampler}"] = tr.fit()
        report.step(f"{sampler} negatives: {epochs} epochs, final loss {h['loss'].iloc[-1]:.3f}")
    tables["van_rossum_check"] = pd.DataFrame({"exact_sq": exact.numpy(), "grid_sq": grid.numpy(),
                                               "bound": bound.numpy()})
    return tables


def findings(tables: Mapping[str, pd.DataFrame]) -> str:
    """The distance check and, per sampler, the emphasis ratio early vs late in training.

    Examples
    --------
    >>> chk = pd.DataFrame({"exact_sq": [1.0], "grid_sq": [1.01], "bound": [0.02]})
    >>> h = pd.DataFrame({"temporal_emphasis_ratio": [1.2, 1.0], "loss": [2.0, 1.0],
    ...                   "val_top1_acc": [0.2, 0.4]})
    >>> text = findings({"van_rossum_check": chk, "spikes_uniform": h})
    >>> print(text.splitlines()[0].split("windows: ")[1])
    max |err| 1.00e-02, max bound 2.00e-02, all within bound: True.
    >>> print(text.splitlines()[-1].split(",")[0])
    - uniform: temporal emphasis ratio first 1 epochs 1.200
    """
    chk = tables["van_rossum_check"]
    err = (chk["grid_sq"] - chk["exact_sq"]).abs()
    lines = [f"van Rossum D^2 on the grid vs the closed form over {len(chk)} pairs of "
             f"consecutive windows: max |err| {err.max():.2e}, max bound "
             f"{chk['bound'].max():.2e}, "
             f"all within bound: {bool((err <= chk['bound'] + 1e-12).all())}.", ""]
    for stem, h in tables.items():
        if not stem.startswith("spikes_"):
            continue
        n = max(1, len(h) // 10)
        lines.append(f"- {stem[len('spikes_'):]}: temporal emphasis ratio first {n} epochs "
                     f"{h['temporal_emphasis_ratio'].iloc[:n].mean():.3f}, last {n} "
                     f"{h['temporal_emphasis_ratio'].iloc[-n:].mean():.3f}; final loss "
                     f"{h['loss'].iloc[-1]:.3f}; val top-1 retrieval "
                     f"{h['val_top1_acc'].iloc[-1]:.3f}")
    return "\n".join(lines)
