"""The one timing helper every ``benchmarks/bench_*.py`` script uses.

Scripts run as ``python benchmarks/bench_x.py``; each puts this folder on
``sys.path`` first and then imports ``from _timing import median_time``.
"""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable


def median_time(fn: Callable[[], Any], reps: int,
                clock: Callable[[], float] = time.perf_counter) -> "tuple[float, Any]":
    """Median wall time of ``reps`` calls of ``fn()``, and the last call's result.

    Each call is timed alone with ``clock`` (``time.perf_counter``: wall time;
    ``time.process_time``: CPU time of this process, steadier on a shared
    machine); nothing is run as a warm-up here (scripts warm up explicitly where
    they need to).

    Parameters
    ----------
    fn : callable
        Called with no arguments, ``reps`` times.
    reps : int
        Number of timed calls (the scripts pass >= 5).
    clock : callable, default time.perf_counter

    Returns
    -------
    (float, object)
        Median seconds per call, and the value the last call returned.

    Examples
    --------
    >>> seconds, out = median_time(lambda: sum(range(10)), 5)
    >>> out, seconds >= 0.0
    (45, True)
    """
    times, out = [], None
    for _ in range(reps):
        start = clock()
        out = fn()
        times.append(clock() - start)
    return statistics.median(times), out
