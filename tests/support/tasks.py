"""Module-level tasks for the run backends (workers import them by name)."""
import os
from pathlib import Path


def flaky(marker: str) -> str:
    """Fails on the first call for ``marker`` (a file path), succeeds on the second."""
    path = Path(marker)
    if not path.exists():
        path.write_text("tried")
        raise RuntimeError("first attempt fails")
    return "ok"


def always_fails(what: str) -> None:
    raise ValueError(f"broken {what}")


def dies(code: int) -> None:
    """Kills its worker process (as an out-of-memory kill would)."""
    os._exit(code)
