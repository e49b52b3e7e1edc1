r"""Where a study's independent runs go: a local process pool or a Ray cluster.

A study is a list of independent tasks ``(key, argument)``, each one call
``func(argument)``. :func:`run_tasks` sends them to a *backend* and yields
``(key, result)`` pairs **as the tasks finish**, so the caller can store each result
the moment it exists (the topology study writes every finished run to ``OUT/runs``,
which is what makes ``--resume`` work whichever backend ran the first part).

Backends
--------
``"process"`` (default)
    ``jobs == 1``: every task here, in order, with ``num_threads`` torch threads.
    ``jobs > 1``: a :class:`concurrent.futures.ProcessPoolExecutor` of ``jobs``
    workers (one torch thread each by default), started by a fork server that has
    imported ``preload`` once (``spawn`` where fork servers are unavailable).
``"ray"``
    One Ray task per run (``num_cpus=1``) on the cluster at ``address`` (``"auto"``,
    ``"ray://host:10001"``, ``"host:6379"``), or on a local cluster of ``jobs`` CPUs
    started here and shut down at the end when no address is given and Ray is not
    running yet. Ray is the optional extra ``pip install 'graphneg[distributed]'``,
    imported only when this backend is chosen.

The same ``func`` runs on either backend with the same argument and the same number of
torch threads, so a deterministic task gives the same result bit for bit (only time
columns differ).

Failures
--------
A task that raises, or whose worker dies (a killed process, a lost node), is tried
once more (``retries=1``); when it fails again the backend yields ``(key,
TaskFailure(...))`` for it: the run is reported as failed, never lost and never
fatal to the others. Ray retries by itself (``max_retries`` for dead workers,
``retry_exceptions`` for raised errors); the process backend runs its retries in a
fresh pool after the first pass, since a dead worker breaks the whole pool (every
run in flight in a broken pool is retried).

Examples
--------
>>> sorted(run_tasks(abs, [("a", -1), ("b", -2)]))
[('a', 1), ('b', 2)]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Hashable, Iterator, List, Optional, Sequence, Tuple

from graphneg._threads import call_with_threads, set_num_threads
from graphneg._validation import check_int

__all__ = ["BACKENDS", "TaskFailure", "run_tasks", "require_ray"]

#: Backend names accepted by :func:`run_tasks` (and ``--backend``).
BACKENDS = ("process", "ray")

Task = Tuple[Hashable, Any]


@dataclass(frozen=True)
class TaskFailure:
    """A task that failed on every attempt.

    Attributes
    ----------
    error : str
        ``"ExceptionType: message"`` of the last attempt.
    attempts : int
        How many times it ran (``1 + retries``).
    """

    error: str
    attempts: int


def require_ray() -> Any:
    """Import Ray, or raise an :class:`ImportError` that names the extra to install.

    Examples
    --------
    >>> require_ray().__name__
    'ray'
    """
    try:
        import ray
    except ImportError as err:
        raise ImportError("backend='ray' needs Ray, the optional extra 'distributed': "
                          "pip install 'graphneg[distributed]'.") from err
    return ray


def run_tasks(func: Callable[[Any], Any], tasks: Sequence[Task], *, backend: str = "process",
              jobs: int = 1, address: Optional[str] = None, num_threads: int = 1,
              retries: int = 1, preload: Sequence[str] = ()) -> Iterator[Tuple[Hashable, Any]]:
    """Run ``func(argument)`` for every ``(key, argument)`` and yield results as they finish.

    Parameters
    ----------
    func : callable
        A module-level function (it is pickled by reference to reach the workers).
    tasks : sequence of (key, argument)
        Keys must be distinct; arguments must pickle.
    backend : {"process", "ray"}
        See the module docstring.
    jobs : int
        Process workers, or the CPUs of a local Ray cluster started here.
    address : str, optional
        A running Ray cluster (``backend="ray"`` only).
    num_threads : int
        torch intra-op threads inside every task.
    retries : int
        Further attempts after a failed one.
    preload : sequence of str
        Modules the process backend's fork server imports once (with torch, always; a
        fork server already running keeps what it imported).

    Yields
    ------
    (key, result) or (key, TaskFailure)
        In completion order; every key exactly once.

    Examples
    --------
    >>> dict(run_tasks(len, [(0, "ab"), (1, "abc")], jobs=1))
    {0: 2, 1: 3}
    """
    owner = "run_tasks"
    if backend not in BACKENDS:
        raise ValueError(f"The 'backend' parameter of {owner} must be one of {list(BACKENDS)}. "
                         f"Got {backend!r} instead.")
    jobs = check_int(jobs, "jobs", low=1, owner=owner)
    num_threads = check_int(num_threads, "num_threads", low=1, owner=owner)
    retries = check_int(retries, "retries", low=0, owner=owner)
    if address is not None and backend != "ray":
        raise ValueError(f"The 'address' parameter of {owner} needs backend='ray'. "
                         f"Got backend={backend!r} instead.")
    tasks = list(tasks)
    if len({key for key, _ in tasks}) != len(tasks):
        raise ValueError(f"The 'tasks' parameter of {owner} must have distinct keys.")
    if backend == "ray":
        ray = require_ray()  # before the empty-list shortcut: a missing extra is said at once
        if tasks:
            yield from _run_ray(ray, func, tasks, jobs, address, num_threads, retries)
    elif jobs == 1:
        yield from _run_here(func, tasks, num_threads, retries)
    elif tasks:
        yield from _run_pool(func, tasks, jobs, num_threads, retries, preload)


def _describe(exc: BaseException) -> str:
    cause = getattr(exc, "cause", None)  # a RayTaskError carries the task's own exception
    exc = cause if isinstance(cause, BaseException) else exc
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _run_here(func: Callable[[Any], Any], tasks: List[Task], num_threads: int,
              retries: int) -> Iterator[Tuple[Hashable, Any]]:
    for key, argument in tasks:
        for attempt in range(1, retries + 2):
            try:
                result = call_with_threads(func, argument, num_threads)
                break
            except Exception as exc:  # noqa: BLE001 - a failed task is reported, not fatal
                result = TaskFailure(_describe(exc), attempt)
        yield key, result


def _pool_context(preload: Sequence[str]) -> Any:
    import multiprocessing as mp
    # fork after torch has started threads may deadlock; a fork server that has
    # imported the task's modules once forks cheap workers (spawn where unavailable)
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")  # the worker initializer's module (torch) first
        ctx.set_forkserver_preload(["graphneg._threads", *preload])
        return ctx
    return mp.get_context("spawn")


def _run_pool(func: Callable[[Any], Any], tasks: List[Task], jobs: int, num_threads: int,
              retries: int, preload: Sequence[str]) -> Iterator[Tuple[Hashable, Any]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = _pool_context(preload)
    pending: Dict[Hashable, Any] = dict(tasks)
    attempts: Dict[Hashable, int] = {key: 0 for key in pending}
    while pending:  # first pass, then one pass per retry in a fresh pool
        batch, pending = pending, {}
        with ProcessPoolExecutor(max_workers=min(jobs, len(batch)), mp_context=ctx,
                                 initializer=set_num_threads, initargs=(num_threads,)) as pool:
            futures = {pool.submit(func, argument): key for key, argument in batch.items()}
            for fut in as_completed(futures):
                key = futures[fut]
                attempts[key] += 1
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - includes a broken pool
                    if attempts[key] <= retries:
                        pending[key] = batch[key]
                        continue
                    result = TaskFailure(_describe(exc), attempts[key])
                yield key, result


def _run_ray(ray: Any, func: Callable[[Any], Any], tasks: List[Task], jobs: int,
             address: Optional[str], num_threads: int,
             retries: int) -> Iterator[Tuple[Hashable, Any]]:
    started = False
    if not ray.is_initialized():
        if address is None:
            ray.init(num_cpus=jobs, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
        started = True
    refs: Dict[Any, Hashable] = {}
    try:
        remote = ray.remote(num_cpus=1, max_retries=retries,
                            retry_exceptions=True)(call_with_threads)
        refs = {remote.remote(func, argument, num_threads): key for key, argument in tasks}
        while refs:
            ready, _ = ray.wait(list(refs), num_returns=1)
            for ref in ready:
                key = refs.pop(ref)
                try:
                    result = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - RayTaskError, WorkerCrashedError, ...
                    result = TaskFailure(_describe(exc), 1 + retries)
                yield key, result
    finally:
        for ref in refs:  # the caller stopped early: drop the rest
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()
