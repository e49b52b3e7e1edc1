"""Progress lines of a study's long loops, on stderr (results go to tables, not here)."""
from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """``study [i/n] what (s; ETA s)`` on stderr after each step; silent when ``enabled`` is False.

    The ETA is the mean time per finished step times the steps left.

    Parameters
    ----------
    name : str
        Prefix of every line (the study).
    total : int
        Number of steps.
    enabled : bool

    Examples
    --------
    >>> p = Progress("demo", 2, enabled=False)
    >>> p.step("first"); p.count
    1
    """

    def __init__(self, name: str, total: int, *, enabled: bool = True):
        self.name, self.total, self.enabled = name, total, enabled
        self.count = 0
        self._tic = self._start = time.perf_counter()

    def note(self, text: str) -> None:
        """One line about the study itself (data loaded, check passed)."""
        if self.enabled:
            print(f"{self.name}: {text}", file=sys.stderr, flush=True)

    def step(self, what: str) -> None:
        """Count one finished step and say what it gave and how long it took."""
        self.count += 1
        now = time.perf_counter()
        if self.enabled:
            left = self.total - self.count
            eta = f"; ETA {(now - self._start) / self.count * left:.0f} s" if left > 0 else ""
            print(f"{self.name} [{self.count}/{self.total}] {what} ({now - self._tic:.1f} s{eta})",
                  file=sys.stderr, flush=True)
        self._tic = now
