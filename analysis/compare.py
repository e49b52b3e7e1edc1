r"""Topology comparison: how does graph topology change what a negative sampler does?

For every topology (a generated or a real graph) × sampler × seed,
:func:`compare_topologies` trains a :class:`~graphneg.training.LinkPredictionTrainer`
and returns a tidy :class:`pandas.DataFrame` with **one row per run and epoch**:

* run keys: ``graph``, ``sampler``, ``seed``, ``num_nodes``, ``num_edges``
  (undirected), ``mean_degree``;
* per epoch: ``epoch``, ``loss``, ``eta`` (sampling efficiency η, DESIGN.md §5),
  ``hard_negative_rate`` (``h_k``), ``impossible_anchor_ratio``,
  ``dropped_positive_ratio``, ``val_auc``,
  ``val_ap``, ``val_mrr``, ``val_hits@10``, ``sampler_*`` stats, ``wall_time_s``;
* per run (repeated on its rows): ``test_auc``, ``test_ap``, ``test_mrr``,
  ``test_hits@10`` with the best-validation weights, ``best_epoch``,
  ``run_time_s``, and ``error`` (empty, or why the run failed: a failed run
  keeps one row so the report can say so).

Each topology's graph is built **once** (``graph_seed``), so the spread across
seeds measures the split, the initialisation and the sampler's draws, not the
graph. Runs are independent: ``jobs > 1`` spreads them over worker processes
(each with one torch thread), started by a fork server that imports the trainer
once (``spawn`` where fork servers are unavailable); as with any
:mod:`multiprocessing` code, a script calling it with ``jobs > 1`` needs an
``if __name__ == "__main__":`` guard.
"""
from __future__ import annotations

import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
import torch

from graphneg._validation import check_bool, check_int

__all__ = ["GraphSpec", "parse_graph_spec", "build_graphs", "usable_samplers",
           "compare_topologies", "degree_table", "summarize_runs", "DEFAULT_GRAPHS"]

#: A graph to compare: a ready ``Data``, or a spec string (see :func:`parse_graph_spec`).
GraphSpec = Union[str, Any]

#: The default topologies of ``graphneg compare``: three generators of 300 nodes
#: and mean degree about 6, plus a real graph.
DEFAULT_GRAPHS = ("er:num_nodes=300,edge_prob=0.02", "ba:num_nodes=300,num_edges=3",
                  "star:num_nodes=300", "lesmis")


def _value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_graph_spec(spec: str) -> Tuple[str, Callable[[int], Any]]:
    """Parse ``"name:key=value,..."`` into a label and a builder ``seed -> Data``.

    ``name`` is a generator (:func:`graphneg.generators.generator_names`, keyword
    arguments after the colon, ``seed`` added when the generator takes one) or a
    real graph (:func:`graphneg.datasets.graph_names`, no arguments).

    Examples
    --------
    >>> label, build = parse_graph_spec("ba:num_nodes=50,num_edges=2")
    >>> label, build(0).num_nodes
    ('ba', 50)
    >>> parse_graph_spec("karate")[1](0).num_nodes
    34
    """
    import inspect

    from graphneg.datasets import graph_names, load_graph
    from graphneg.generators import generator_names, get_generator
    from graphneg.registry import did_you_mean

    if not isinstance(spec, str) or not spec:
        raise TypeError(f"A graph spec must be a non-empty str like 'ba:num_nodes=300,num_edges=3'."
                        f" Got {spec!r} instead.")
    name, _, rest = spec.partition(":")
    kwargs: Dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, eq, val = item.partition("=")
        if not eq or not key:
            raise ValueError(f"Graph spec {spec!r}: expected key=value after the colon. "
                             f"Got {item!r} instead.")
        kwargs[key.strip()] = _value(val.strip())
    if name in graph_names():
        if kwargs:
            raise ValueError(f"Graph spec {spec!r}: the real graph {name!r} takes no arguments.")
        return name, lambda seed: load_graph(name)
    if name not in generator_names():
        raise ValueError(f"Unknown graph {name!r} in spec {spec!r}. Known generators: "
                         f"{', '.join(generator_names())}; real graphs: "
                         f"{', '.join(graph_names())}."
                         f"{did_you_mean(name, [*generator_names(), *graph_names()])}")
    fn = get_generator(name)
    takes_seed = "seed" in inspect.signature(fn).parameters

    def build(seed: int) -> Any:
        return fn(**kwargs, **({"seed": seed} if takes_seed else {}))
    return name, build


def build_graphs(graphs: Union[Mapping[str, Any], Sequence[GraphSpec]], *,
                 graph_seed: int = 0) -> Dict[str, Any]:
    """Resolve specs into ``{label: Data}`` (labels unique; a clash uses the full spec).

    Examples
    --------
    >>> sorted(build_graphs(["star:num_nodes=5", "karate"]))
    ['karate', 'star']
    """
    if isinstance(graphs, Mapping):
        return dict(graphs)
    parsed = [parse_graph_spec(s) if isinstance(s, str) else (f"graph{i}", (lambda d: lambda _: d)(s))
              for i, s in enumerate(graphs)]
    labels = [p[0] for p in parsed]
    out: Dict[str, Any] = {}
    for spec, (label, build) in zip(graphs, parsed):
        key = label if labels.count(label) == 1 else str(spec)
        out[key] = build(graph_seed)
    return out


def usable_samplers(names: Optional[Iterable[str]] = None) -> Dict[str, str]:
    """Which registered samplers run on a plain graph with no extra inputs.

    Each is built by name (``num_neg=1, seed=0``) and asked for negatives on a
    tiny graph (with embeddings ``z`` when it has ``needs_embeddings``). Samplers
    that need domain attributes (words, coordinates, sites) fail this trial.

    Returns
    -------
    dict
        ``{name: ""}`` for usable samplers and ``{name: reason}`` for the others,
        in registry order.

    Examples
    --------
    >>> usable_samplers(["uniform"])
    {'uniform': ''}
    """
    from torch_geometric.data import Data

    from graphneg.samplers import get_sampler, sampler_names
    names = sampler_names() if names is None else list(names)
    n = 64  # a ring with chords: large enough for top-k style samplers
    ring = torch.arange(n)
    ei = torch.cat([torch.stack([ring, (ring + 1) % n]), torch.stack([ring, (ring + 7) % n])], 1)
    ei = torch.cat([ei, ei.flip(0)], 1)
    data = Data(edge_index=ei, num_nodes=n, edge_label_index=ei[:, :n],
                edge_label=torch.ones(n))
    z = torch.randn(n, 8, generator=torch.Generator().manual_seed(0))
    out = {}
    for name in names:
        try:
            sampler = get_sampler(name, num_neg=1, seed=0)
            if getattr(sampler, "mode", "per_anchor") != "per_anchor":
                raise ValueError("not a per-anchor sampler")
            kw = {"z": z} if getattr(sampler, "needs_embeddings", False) else {}
            hook = getattr(sampler, "on_epoch_start", None)
            if callable(hook):
                hook(z=z, epoch=1, step=0)
            sampler(data, **kw)
            out[name] = ""
        except Exception as exc:  # noqa: BLE001 - any failure means "not usable here"
            out[name] = f"{type(exc).__name__}: {exc}"
    return out


def _num_undirected_edges(data: Any) -> int:
    ei = data.edge_index
    return int((ei[0] < ei[1]).sum())


def _run_one(task: Tuple[str, Any, str, int, Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Train one (graph, sampler, seed); never raises (errors become a row)."""
    from graphneg.training import LinkPredictionTrainer
    label, data, sampler, seed, cfg = task
    base = {"graph": label, "sampler": sampler, "seed": seed, "num_nodes": int(data.num_nodes),
            "num_edges": _num_undirected_edges(data)}
    base["mean_degree"] = 2 * base["num_edges"] / max(base["num_nodes"], 1)
    tic = time.perf_counter()
    try:
        trainer = LinkPredictionTrainer(data, sampler=sampler, seed=seed, verbose=False, **cfg)
        hist = trainer.fit()
        test = trainer.test()
    except Exception as exc:  # noqa: BLE001 - a failed run is a result, not a crash
        return [{**base, "epoch": 0, "run_time_s": time.perf_counter() - tic,
                 "error": f"{type(exc).__name__}: {exc}"}]
    run = {**base, **{f"test_{k}": v for k, v in test.items()}, "best_epoch": trainer.best_epoch,
           "run_time_s": time.perf_counter() - tic, "error": ""}
    return [{**run, **row} for row in hist.to_dict("records")]


def _init_worker(num_threads: int) -> None:
    torch.set_num_threads(num_threads)


def compare_topologies(graphs: Union[Mapping[str, Any], Sequence[GraphSpec]] = DEFAULT_GRAPHS,
                       samplers: Optional[Sequence[str]] = None,
                       seeds: Sequence[int] = (0, 1, 2), *, epochs: int = 40,
                       patience: Optional[int] = 10, encoder: str = "gcn", num_neg: int = 1,
                       graph_seed: int = 0, jobs: int = 1, progress: bool = True,
                       trainer_kwargs: Optional[Dict[str, Any]] = None,
                       num_threads: int = 1) -> pd.DataFrame:
    r"""Train link prediction for every topology × sampler × seed (see the module docstring).

    Parameters
    ----------
    graphs : mapping ``{label: Data}`` or sequence of specs
        Specs as in :func:`parse_graph_spec`; default :data:`DEFAULT_GRAPHS`.
    samplers : sequence of str, optional
        Sampler names; default: every registered sampler that
        :func:`usable_samplers` finds usable on a plain graph.
    seeds : sequence of int
        One run per seed (split, initialisation, sampler draws, evaluation negatives).
    epochs, patience, encoder, num_neg
        Passed to :class:`~graphneg.training.LinkPredictionTrainer`.
    graph_seed : int
        Seed of the generated graphs (one graph per topology).
    jobs : int
        Worker processes (``1``: run here).
    progress : bool
        A tqdm bar when stderr is a terminal, else one line per finished run on stderr.
    trainer_kwargs : dict, optional
        More trainer arguments (``hidden_channels``, ``lr``, ``eval_num_neg`` ...).
    num_threads : int
        torch intra-op threads per run (set with :func:`torch.set_num_threads`
        in each worker, or temporarily here when ``jobs == 1``). Small graphs run
        fastest on one thread.

    Returns
    -------
    pandas.DataFrame
        One row per run and epoch (columns in the module docstring).

    Notes
    -----
    Cost: ``len(graphs) × len(samplers) × len(seeds)`` trainings of at most
    ``epochs`` full-batch epochs each; parallel over ``jobs`` processes.

    Examples
    --------
    >>> df = compare_topologies(["star:num_nodes=30", "karate"], ["uniform"], [0],
    ...                         epochs=2, progress=False)
    >>> sorted(df.graph.unique()), len(df)
    (['karate', 'star'], 4)
    """
    owner = "compare_topologies"
    epochs = check_int(epochs, "epochs", low=1, owner=owner)
    jobs = check_int(jobs, "jobs", low=1, owner=owner)
    num_threads = check_int(num_threads, "num_threads", low=1, owner=owner)
    progress = check_bool(progress, "progress", owner=owner)
    seeds = [check_int(s, "seeds", low=0, owner=owner) for s in seeds]
    if not seeds:
        raise ValueError(f"The 'seeds' parameter of {owner} must hold at least one seed. Got [].")
    graph_map = build_graphs(graphs, graph_seed=graph_seed)
    if not graph_map:
        raise ValueError(f"The 'graphs' parameter of {owner} must hold at least one graph.")
    if samplers is None:
        samplers = [n for n, why in usable_samplers().items() if not why]
    else:
        from graphneg.samplers import SAMPLERS
        for s in samplers:
            SAMPLERS.get(s)  # unknown names raise, listing the known ones
    if not samplers:
        raise ValueError(f"The 'samplers' parameter of {owner} must name at least one sampler.")
    cfg = {"epochs": epochs, "patience": patience, "encoder": encoder, "num_neg": num_neg,
           **(trainer_kwargs or {})}
    tasks = [(label, data, s, seed, cfg) for label, data in graph_map.items()
             for s in samplers for seed in seeds]
    rows: List[Dict[str, Any]] = []
    report = _Progress(len(tasks), progress)
    try:
        if jobs == 1:
            old = torch.get_num_threads()
            torch.set_num_threads(num_threads)
            try:
                for task in tasks:
                    out = _run_one(task)
                    rows += out
                    report.done(out[0])
            finally:
                torch.set_num_threads(old)
        else:
            import multiprocessing as mp
            # fork after torch has started threads may deadlock; a fork server that has
            # imported the trainer once forks cheap workers (spawn where unavailable)
            if "forkserver" in mp.get_all_start_methods():
                ctx = mp.get_context("forkserver")
                ctx.set_forkserver_preload(["graphneg.training", "graphneg.analysis.compare"])
            else:
                ctx = mp.get_context("spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                     initargs=(num_threads,)) as pool:
                futures = {pool.submit(_run_one, t): i for i, t in enumerate(tasks)}
                results: Dict[int, List[Dict[str, Any]]] = {}
                for fut in as_completed(futures):
                    out = fut.result()
                    results[futures[fut]] = out
                    report.done(out[0])
            for i in range(len(tasks)):  # task order, independent of completion order
                rows += results[i]
    finally:
        report.close()
    df = pd.DataFrame(rows)
    first = ["graph", "sampler", "seed", "epoch"]
    return df[first + [c for c in df.columns if c not in first]]


class _Progress:
    """tqdm on a terminal, else one stderr line per finished run."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.count, self.enabled = total, 0, enabled
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc="compare", unit="run", file=sys.stderr)

    def done(self, row: Dict[str, Any]) -> None:
        self.count += 1
        if not self.enabled:
            return
        what = f"{row['graph']} × {row['sampler']} × seed {row['seed']}"
        if self.bar is not None:
            self.bar.set_postfix_str(what)
            self.bar.update(1)
            return
        result = (f"error {row['error']}" if row.get("error")
                  else f"test AUC {row.get('test_auc', math.nan):.3f}")
        print(f"[{self.count}/{self.total}] {what}: {result} ({row['run_time_s']:.1f} s)",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def degree_table(graphs: Mapping[str, Any]) -> pd.DataFrame:
    """Degree histogram of each graph: columns ``graph``, ``degree``, ``count``.

    Examples
    --------
    >>> from graphneg.generators import star
    >>> degree_table({"star": star(4)}).values.tolist()
    [['star', 1, 3], ['star', 3, 1]]
    """
    from graphneg.edges import degree
    parts = []
    for label, data in graphs.items():
        deg = degree(data.edge_index, int(data.num_nodes)).numpy()
        values, counts = np.unique(deg, return_counts=True)
        parts.append(pd.DataFrame({"graph": label, "degree": values.astype(int),
                                   "count": counts.astype(int)}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["graph", "degree", "count"])


def summarize_runs(results: pd.DataFrame) -> pd.DataFrame:
    """One row per run: test metrics, η and h_k averaged over the run's epochs.

    Columns: ``graph``, ``sampler``, ``seed``, ``test_auc``, ``test_ap``,
    ``test_mrr``, ``eta_mean``, ``eta_median``, ``eta_last``, ``hard_negative_rate``,
    ``impossible_anchor_ratio``, ``dropped_positive_ratio``, ``epochs``, ``best_epoch``, ``run_time_s``, ``error``.

    Examples
    --------
    >>> df = pd.DataFrame({"graph": ["g", "g"], "sampler": ["u", "u"], "seed": [0, 0],
    ...                    "epoch": [1, 2], "eta": [1.0, 3.0], "test_auc": [0.7, 0.7]})
    >>> summarize_runs(df)[["eta_mean", "eta_last", "test_auc"]].values.tolist()
    [[2.0, 3.0, 0.7]]
    """
    keys = ["graph", "sampler", "seed"]
    df = results.copy()
    ok = df["error"].astype(object).fillna("") == "" if "error" in df else pd.Series(True, index=df.index)
    agg: Dict[str, Any] = {}
    for col in ("test_auc", "test_ap", "test_mrr", "best_epoch", "run_time_s", "num_nodes",
                "mean_degree"):
        if col in df:
            agg[col] = (col, "first")
    if "eta" in df:
        agg["eta_mean"] = ("eta", "mean")
        agg["eta_median"] = ("eta", "median")
        agg["eta_last"] = ("eta", "last")
    for col in ("hard_negative_rate", "impossible_anchor_ratio", "dropped_positive_ratio"):
        if col in df:
            agg[col] = (col, "mean")
    agg["epochs"] = ("epoch", "max")
    out = df[ok].groupby(keys, sort=False).agg(**agg).reset_index()
    if "error" in df and (~ok).any():
        err = df[~ok].groupby(keys, sort=False)["error"].first().reset_index()
        out = pd.concat([out, err], ignore_index=True)
    if "error" not in out:
        out["error"] = ""
    out["error"] = out["error"].astype(object).fillna("")
    return out
