r"""Spike trains: real locust recordings (shipped by ``nitime``) and Poisson generators.

Real data
---------
``nitime`` ships two recordings of a locust (grasshopper) auditory receptor
neuron driven by a Gaussian noise stimulus (``nitime/data/grasshopper_spike_times{1,2}.txt``,
spike times in microseconds, ~900 spikes in 10 s each; Rokem et al. 2006).
:func:`load_grasshopper_spike_times` reads one in seconds; :func:`cut_windows`
cuts a long train into many windows (the items to contrast), times relative to
each window's start.

Generators
----------
:func:`poisson_spike_trains` draws homogeneous Poisson trains (count
:math:`\sim \mathrm{Poisson}(\lambda T)`, times i.i.d. uniform, sorted);
:func:`inhomogeneous_poisson_spike_trains` thins a homogeneous process at
:math:`\lambda_{\max}` with keep probability :math:`\lambda(t)/\lambda_{\max}`
(Lewis & Shedler 1979), all trains at once.

References
----------
A. Rokem et al., "Spike-timing precision underlies the coding efficiency of
auditory receptor neurons", J. Neurophysiol. 95, 2006.
P. A. W. Lewis, G. S. Shedler, "Simulation of nonhomogeneous Poisson processes
by thinning", Naval Res. Logistics Quarterly 26, 1979.
"""
from __future__ import annotations

import os
from typing import Callable, Optional

import numpy as np
import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_int, check_memory, check_real
from graphneg.spike_trains import SpikeTrains

__all__ = [
    "load_grasshopper_spike_times", "cut_windows", "grasshopper_windows",
    "poisson_spike_trains", "inhomogeneous_poisson_spike_trains",
]


def load_grasshopper_spike_times(recording: int = 1) -> Tensor:
    """Spike times (seconds, float64, sorted) of a locust auditory receptor.

    Parameters
    ----------
    recording : {1, 2}
        Which of the two recordings shipped in ``nitime/data``.

    Returns
    -------
    Tensor, shape (S,), float64

    Raises
    ------
    ImportError
        When ``nitime`` is not installed (``pip install nitime``).

    Examples
    --------
    >>> t = load_grasshopper_spike_times(1)
    >>> t.numel(), round(float(t[-1]), 2)
    (929, 10.0)
    """
    recording = check_int(recording, "recording", low=1, high=2,
                          owner="load_grasshopper_spike_times")
    try:
        import nitime
    except ImportError as err:  # pragma: no cover - exercised only without nitime
        raise ImportError("load_grasshopper_spike_times needs the 'nitime' package, which "
                          "ships the recordings: pip install nitime") from err
    path = os.path.join(os.path.dirname(nitime.__file__), "data",
                        f"grasshopper_spike_times{recording}.txt")
    times_us = np.loadtxt(path, comments="#")
    return torch.as_tensor(np.sort(times_us) * 1e-6, dtype=torch.float64)


def cut_windows(times: Tensor, *, window: float, step: Optional[float] = None,
                t_start: float = 0.0, t_stop: Optional[float] = None) -> SpikeTrains:
    r"""Cut one long sorted train into windows ``[t_start + i·step, ... + window)``.

    Times in each window are relative to its start, so every window lives in
    ``[0, window]``. Windows overlap when ``step < window``.

    Parameters
    ----------
    times : Tensor, shape (S,)
        Sorted spike times.
    window : float
        Window length, ``> 0``.
    step : float, optional
        Offset between window starts (default ``window``).
    t_start, t_stop : float
        Range to cut (``t_stop`` defaults to the last spike); only whole windows.

    Returns
    -------
    SpikeTrains
        ``W = floor((t_stop - t_start - window) / step) + 1`` windows.

    Notes
    -----
    Cost :math:`O((S + W)\log S)` (two ``searchsorted``).

    Examples
    --------
    >>> st = cut_windows(torch.tensor([0.1, 0.3, 0.55, 0.9]), window=0.5, t_stop=1.0)
    >>> st.num_trains, st.counts.tolist(), [round(v, 2) for v in st.times.tolist()]
    (2, [2, 2], [0.1, 0.3, 0.05, 0.4])
    """
    owner = "cut_windows"
    try:
        times = torch.as_tensor(times, dtype=torch.float64).reshape(-1)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"The 'times' parameter of {owner} must be a tensor (or sequence) of "
                        f"spike times. Got {type(times).__name__} instead.") from None
    if not bool(torch.isfinite(times).all()):
        raise ValueError(f"The 'times' parameter of {owner} must be finite (no NaN or inf). "
                         f"Got {int((~torch.isfinite(times)).sum())} non-finite time(s) "
                         f"instead.")
    if times.numel() > 1 and bool((times[1:] < times[:-1]).any()):
        raise ValueError(f"The 'times' parameter of {owner} must be sorted ascending. "
                         f"Got an unsorted train instead.")
    window = check_real(window, "window", low=0, closed="neither", owner=owner)
    step = window if step is None else check_real(step, "step", low=0, closed="neither",
                                                  owner=owner)
    t_start = check_real(t_start, "t_start", owner=owner)
    if t_stop is None:
        t_stop = float(times[-1]) if times.numel() else t_start + window
    t_stop = check_real(t_stop, "t_stop", low=t_start + window, owner=owner)
    num_windows = int(np.floor((t_stop - t_start - window) / step + 1e-9)) + 1
    starts = t_start + step * torch.arange(num_windows, dtype=torch.float64)
    lo = torch.searchsorted(times, starts, right=False)
    hi = torch.searchsorted(times, starts + window, right=False)
    counts = hi - lo
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    off = torch.arange(int(ptr[-1])) - torch.repeat_interleave(ptr[:-1], counts)
    idx = torch.repeat_interleave(lo, counts) + off
    rel = times[idx] - torch.repeat_interleave(starts, counts)
    rel = rel.clamp(0.0, window)  # float rounding of (t - start) only; t is inside by search
    return SpikeTrains(rel, ptr, 0.0, window)


def grasshopper_windows(recording: int = 1, *, window: float = 0.1,
                        step: Optional[float] = None) -> SpikeTrains:
    """Windows of a real locust recording (:func:`load_grasshopper_spike_times` +
    :func:`cut_windows` over ``[0, 10] s``).

    Examples
    --------
    >>> st = grasshopper_windows(1, window=0.1)
    >>> st.num_trains, int(st.counts.sum())
    (100, 929)
    """
    return cut_windows(load_grasshopper_spike_times(recording), window=window, step=step,
                       t_start=0.0, t_stop=10.0)


def poisson_spike_trains(num_trains: int, *, rate: float, duration: float,
                         seed: Seed = None) -> SpikeTrains:
    r"""Homogeneous Poisson trains on ``[0, duration]``.

    Parameters
    ----------
    num_trains : int
    rate : float
        Rate :math:`\lambda > 0` (spikes per unit time).
    duration : float
        Window length :math:`T > 0`.
    seed : int, torch.Generator or None

    Returns
    -------
    SpikeTrains
        Counts :math:`\sim \mathrm{Poisson}(\lambda T)`, times uniform, sorted.

    Notes
    -----
    Cost :math:`O(S \log S)` for :math:`S` spikes in all.

    Examples
    --------
    >>> st = poisson_spike_trains(3, rate=100.0, duration=1.0, seed=0)
    >>> st.num_trains, st.t_stop
    (3, 1.0)
    """
    owner = "poisson_spike_trains"
    num_trains = check_int(num_trains, "num_trains", low=0, owner=owner)
    rate = check_real(rate, "rate", low=0, closed="neither", owner=owner)
    duration = check_real(duration, "duration", low=0, closed="neither", owner=owner)
    spikes = num_trains * rate * duration
    check_memory(32.0 * spikes, f"about {spikes:.3g} spike times (float64, sorted twice)",
                 params=f"num_trains={num_trains}, rate={rate}, duration={duration}",
                 owner=owner)
    gen = as_generator(seed)
    counts = torch.poisson(torch.full((num_trains,), rate * duration, dtype=torch.float64),
                           generator=gen).long()
    return _uniform_sorted(counts, duration, gen)


def _uniform_sorted(counts: Tensor, duration: float, gen: torch.Generator) -> SpikeTrains:
    batch = torch.repeat_interleave(torch.arange(counts.numel()), counts)
    t = duration * torch.rand(batch.numel(), generator=gen, dtype=torch.float64)
    order = torch.argsort(t, stable=True)  # sort by (train, time): two stable sorts
    order = order[torch.argsort(batch[order], stable=True)]
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    return SpikeTrains(t[order], ptr, 0.0, duration)


def inhomogeneous_poisson_spike_trains(num_trains: int, *,
                                       rate_fn: Callable[[Tensor], Tensor],
                                       rate_max: float, duration: float,
                                       seed: Seed = None) -> SpikeTrains:
    r"""Inhomogeneous Poisson trains by thinning.

    Parameters
    ----------
    num_trains : int
    rate_fn : callable
        :math:`\lambda(t)`: maps a float64 tensor of times to rates of the same shape.
    rate_max : float
        An upper bound :math:`\lambda_{\max} \ge \lambda(t)` on ``[0, duration]``;
        a violation raises ``ValueError`` (it would bias the process).
    duration : float
    seed : int, torch.Generator or None

    Notes
    -----
    Expected count :math:`\int_0^T \lambda`. Cost :math:`O(\lambda_{\max} T B \log)`.

    Examples
    --------
    >>> st = inhomogeneous_poisson_spike_trains(
    ...     2, rate_fn=lambda t: 50 * (1 + torch.sin(6.28 * t)), rate_max=100.0,
    ...     duration=1.0, seed=0)
    >>> st.num_trains
    2
    """
    owner = "inhomogeneous_poisson_spike_trains"
    if not callable(rate_fn):
        raise TypeError(f"The 'rate_fn' parameter of {owner} must be a callable (times -> "
                        f"rates). Got {type(rate_fn).__name__} instead.")
    num_trains = check_int(num_trains, "num_trains", low=0, owner=owner)
    rate_max = check_real(rate_max, "rate_max", low=0, closed="neither", owner=owner)
    duration = check_real(duration, "duration", low=0, closed="neither", owner=owner)
    gen = as_generator(seed)
    base = poisson_spike_trains(num_trains, rate=rate_max, duration=duration, seed=gen)
    lam = torch.as_tensor(rate_fn(base.times), dtype=torch.float64)
    if lam.shape != base.times.shape:
        raise ValueError(f"The 'rate_fn' parameter of {owner} must return rates shaped like "
                         f"its input {tuple(base.times.shape)}. Got {tuple(lam.shape)} instead.")
    if bool((lam < 0).any()) or bool((lam > rate_max * (1 + 1e-12)).any()):
        raise ValueError(f"The 'rate_fn' parameter of {owner} must stay in [0, rate_max = "
                         f"{rate_max}]. Got values in [{float(lam.min())}, {float(lam.max())}] "
                         f"instead.")
    keep = torch.rand(lam.shape, generator=gen, dtype=torch.float64) * rate_max < lam
    counts = torch.bincount(base.batch[keep], minlength=num_trains)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    return SpikeTrains(base.times[keep], ptr, 0.0, duration)
