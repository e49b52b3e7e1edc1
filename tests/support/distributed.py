"""Run a function on several gloo ranks over 127.0.0.1, with a deadline."""
from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any, Callable, List

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank_main(rank: int, world: int, port: int, out: str, fn: Callable[..., Any],
               args: tuple) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world)
    try:
        result = fn(rank, world, *args)
        torch.save(result, Path(out) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def run_ranks(fn: Callable[..., Any], world: int, tmp_path: Path, *args: Any,
              timeout: float = 120.0) -> List[Any]:
    """``fn(rank, world, *args)`` on ``world`` forked gloo ranks (forked, not spawned: a
    child does not import torch again); their results in rank order. A rank that fails
    re-raises here; ranks still running after ``timeout`` seconds are killed and the call
    fails (a collective that hangs cannot hang CI)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    ctx = mp.start_processes(_rank_main, args=(world, _free_port(), str(tmp_path), fn, args),
                             nprocs=world, join=False, start_method="fork")
    deadline = time.monotonic() + timeout
    while not ctx.join(timeout=1.0):
        if time.monotonic() > deadline:
            for p in ctx.processes:
                if p.is_alive():
                    p.kill()
            raise TimeoutError(f"{world} ranks still running after {timeout:.0f} s")
    return [torch.load(tmp_path / f"rank{r}.pt", weights_only=False) for r in range(world)]
