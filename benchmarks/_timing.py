"""The one timing helper every ``benchmarks/bench_*.py`` script uses.

Scripts run as ``python benchmarks/bench_x.py``; each puts this folder on
``sys.path`` first and then imports ``from _timing import median_time``.
"""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable


def median_time(fn: Callable[[], Any], reps: int) -> "tuple[float, Any]":
    """Median wall time of ``reps`` calls of ``fn()``, and the last call's result.

    Each call is timed alone with ``time.perf_counter``; nothing is run as a
    warm-up here (scripts warm up explicitly where they need to).

    Parameters
    ----------
    fn : callable
        Called with no arguments, ``reps`` times.
    reps : int
        Number of timed calls (the scripts pass >= 5).

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
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out
