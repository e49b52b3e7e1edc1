r"""The topology study: how does graph topology change what a negative sampler does?

For every topology (a generated or a real graph, each with a *role*: ``null`` for
Erdős–Rényi, ``trivial`` for the star, ``learnable`` otherwise; :func:`topology_role`)
and every seed, :func:`compare_topologies` draws **one** split and **one** set of
evaluation negatives per protocol (``uniform`` and HeaRT's hard ``heart``,
:mod:`graphneg.protocols`; :mod:`._paired`), scores the heuristic baselines (CN, AA, RA,
PA, random; :mod:`graphneg.analysis.baselines`) on them, and trains a
:class:`~graphneg.training.LinkPredictionTrainer` per sampler on the same split, scored on
the same pairs: a paired design. :func:`run` returns tidy tables (it writes no file and
draws nothing):

``results``
    :func:`compare_topologies`, **one row per run and epoch** (a baseline: one row):

    * run keys: ``graph`` (the topology's label), ``role``, ``sampler`` (a sampler name,
      ``heuristic:<name>``, or ``baseline:untrained``), ``kind`` (``sampler`` |
      ``heuristic`` | ``baseline``), ``seed``,
      ``num_nodes``, ``num_edges`` (undirected), ``mean_degree``, ``eval_num_neg``;
    * per epoch: ``epoch``, ``loss``, ``eta`` (sampling efficiency η, see
      ``docs/design.md``), ``hard_negative_rate`` (``h_k``), ``impossible_anchor_ratio``,
      ``dropped_positive_ratio``, ``val_auc``, ``val_ap``, ``val_mrr``, ``val_hits@10``,
      ``sampler_*`` stats, ``wall_time_s``;
    * per run (repeated on its rows): ``val_rise`` (best validation AUC minus the
      epoch-1 value: did the model learn?), ``test_auc``, ``test_ap``, ``test_mrr``,
      ``test_hits@10`` (uniform protocol) and ``heart_auc``, ``heart_ap``, ``heart_mrr``,
      ``heart_hits@10`` (HeaRT protocol) with the best-validation weights, ``best_epoch``,
      ``run_time_s``, and ``error`` (empty, or why the run failed: a failed run keeps one
      row so the report can say so).
``summary``
    :func:`summarize_runs`, one row per run (``eta`` = median over epochs).
``effects``
    :func:`graphneg.analysis.statistics.effects_table`: per graph × method × metric the
    mean over seeds with its 95% interval and the paired difference against the uniform
    sampler with its interval.
``degrees``
    :func:`degree_table`, the degree histogram of each topology.

:func:`build_report` turns the tables into a
:class:`~graphneg.analysis.report.StudyReport` (``## Findings`` computed from the effects
by :mod:`graphneg.analysis.findings`, a recommendation table, the protocols with their
chance levels, figures from :mod:`graphneg.analysis.plots`, the summary table, failed
runs) for :func:`~graphneg.analysis.report.write_study`; ``graphneg compare`` and
``graphneg report`` are those two calls.

Model: the trainer's GCN and dot-product decoder on a learnable embedding, with the
study's settings :data:`STUDY_MODEL` (weight decay, dropout, 10 validation negatives
per positive) and an embedding drawn at
scale :math:`1/\sqrt{d}`, 60 epochs at most with patience 20. With the trainer's plain
settings (:math:`\mathcal N(0, 1)` embedding, no regularisation, 40 epochs, patience 10)
the initial scores are of order :math:`d`, the first steps are spent shrinking them,
validation AUC falls below its epoch-1 value, and early stopping ends slow learners
(the Holme–Kim graph) before they recover: the best sampler then trailed resource
allocation by 0.067 AUC there; with these settings by 0.03. ``baseline:untrained``
scores the same model before any training step (the start of every sampler's run of
that seed): what the architecture gives for free.

Each topology's graph is built **once** (``graph_seed``), so the spread across seeds
measures the split, the initialisation and the sampler's draws, not the graph. Runs are
independent and go to :func:`graphneg.analysis.studies._backends.run_tasks`: ``jobs > 1``
spreads them over worker processes (each with one torch thread), started by a fork
server that imports the trainer once (``spawn`` where fork servers are unavailable);
``backend="ray"`` sends each run to a Ray cluster instead, with the same results. A
run whose worker fails twice becomes a failed run (a row with its ``error``). As with
any :mod:`multiprocessing` code, a script calling it with ``jobs > 1`` needs an
``if __name__ == "__main__":`` guard.
"""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
import torch

from graphneg._validation import Options, check_bool, check_int, check_registered, checked_params

from ..baselines import BASELINES
from ..findings import is_baseline, recommendations, write_findings
from ..report import StudyReport, markdown_table, write_study
from ..statistics import effects_table
from ._backends import BACKENDS, TaskFailure, run_tasks
from ._paired import prepare_split, score_trained

__all__ = ["GraphSpec", "parse_graph_spec", "build_graphs", "usable_samplers",
           "compare_topologies", "degree_table", "summarize_runs", "DEFAULT_GRAPHS", "run",
           "study_tables", "build_report", "write_report", "settings_table", "read_settings",
           "FIGURES", "TRAINER_INPUTS", "STUDY_MODEL"]

#: A graph to compare: a ready ``Data``, or a spec string (see :func:`parse_graph_spec`).
GraphSpec = Union[str, Any]

#: The study's model settings beyond the trainer's defaults (see the module docstring);
#: the embedding's initial scale is ``hidden_channels ** -0.5`` unless given.
#: ``eval_num_neg`` is the trainer's *validation* negatives per positive (model
#: selection only: test metrics use the shared negatives of both protocols).
STUDY_MODEL: Dict[str, Any] = {"weight_decay": 5e-4, "dropout": 0.3, "eval_num_neg": 10}


#: The default topologies of ``graphneg compare``: six generators of 300 nodes and mean
#: degree about 6, and two real graphs (Les Misérables, 77 nodes; Roget's Thesaurus,
#: 1022 nodes and 3648 edges, both shipped).
DEFAULT_GRAPHS = ("er:num_nodes=300,edge_prob=0.02", "ba:num_nodes=300,num_edges=3",
                  "star:num_nodes=300",
                  "planted_partition:num_blocks=4,block_size=75,p_in=0.1,p_out=0.01",
                  "geometric:num_nodes=300,radius=0.1",
                  "powerlaw_cluster:num_nodes=300,num_edges=3,triangle_prob=0.5", "lesmis",
                  "roget")


def _value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


@checked_params
def parse_graph_spec(spec: str) -> Tuple[str, Callable[[int], Any]]:
    """Parse ``"name:key=value,..."`` into a label and a builder ``seed -> Data``.

    ``name`` is a generator (:func:`graphneg.generators.generator_names`, keyword
    arguments after the colon, ``seed`` added when the generator takes one), a
    real graph (:func:`graphneg.datasets.graph_names`, no arguments), or the path of
    the user's own graph: an edge list (CSV, TSV or whitespace, header optional) or a
    ``.pt`` file written by ``graphneg generate``
    (:func:`graphneg.datasets.load_user_graph`; the label is the file name without
    its extension).

    Examples
    --------
    >>> label, build = parse_graph_spec("ba:num_nodes=50,num_edges=2")
    >>> label, build(0).num_nodes
    ('ba', 50)
    >>> parse_graph_spec("karate")[1](0).num_nodes
    34
    >>> parse_graph_spec("kartae")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: The 'spec' parameter of parse_graph_spec: Unknown graph 'kartae' in spec 'kartae'. Known generators: ... Did you mean 'karate'?
    """
    return _parse_graph_spec(spec, "The 'spec' parameter of parse_graph_spec")


def _parse_graph_spec(spec: Any, who: str) -> Tuple[str, Callable[[int], Any]]:
    """:func:`parse_graph_spec`, its errors starting with ``who`` (the caller's parameter:
    ``"The 'graphs' parameter of run"``, or a flag: ``"--graph"``)."""
    import inspect

    from graphneg._validation import check_keywords
    from graphneg.datasets import graph_names, load_graph
    from graphneg.generators import generator_names, get_generator
    from graphneg.registry import did_you_mean

    if not isinstance(spec, str) or not spec:
        raise TypeError(f"{who} needs non-empty graph specs like "
                        f"'ba:num_nodes=300,num_edges=3'. Got {spec!r} instead.")
    if os.path.isfile(spec):  # the user's own graph: read once, reused for every seed
        from graphneg.datasets import load_user_graph
        data = load_user_graph(spec)
        return os.path.splitext(os.path.basename(spec))[0], lambda seed: data
    name, _, rest = spec.partition(":")
    kwargs: Dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, eq, val = item.partition("=")
        if not eq or not key:
            raise ValueError(f"{who}: graph spec {spec!r}: expected key=value after the "
                             f"colon. Got {item!r} instead.")
        kwargs[key.strip()] = _value(val.strip())
    if name in graph_names():
        if kwargs:
            raise ValueError(f"{who}: graph spec {spec!r}: the real graph {name!r} takes no "
                             f"arguments.")
        return name, lambda seed: load_graph(name)
    if name not in generator_names():
        raise ValueError(f"{who}: Unknown graph {name!r} in spec {spec!r}. Known generators: "
                         f"{', '.join(generator_names())}; real graphs: "
                         f"{', '.join(graph_names())}."
                         f"{did_you_mean(name, [*generator_names(), *graph_names()])}")
    fn = get_generator(name)
    takes_seed = "seed" in inspect.signature(fn).parameters
    check_keywords(fn, kwargs, what=f"{who}: graph spec {spec!r}", supplied=("seed",))

    def build(seed: int) -> Any:
        return fn(**kwargs, **({"seed": seed} if takes_seed else {}))
    return name, build


@checked_params
def build_graphs(graphs: Union[Mapping[str, Any], Sequence[GraphSpec]], *,
                 graph_seed: int = 0) -> Dict[str, Any]:
    """Resolve specs into ``{label: Data}`` (labels unique; a clash uses the full spec).

    Examples
    --------
    >>> sorted(build_graphs(["star:num_nodes=5", "karate"]))
    ['karate', 'star']
    """
    return _build_graphs(graphs, graph_seed, "The 'graphs' parameter of build_graphs")


def _build_graphs(graphs: Any, graph_seed: int, who: str) -> Dict[str, Any]:
    """:func:`build_graphs`, its spec errors starting with ``who`` (as
    :func:`_parse_graph_spec`)."""
    from graphneg.datasets import load_user_graph

    if isinstance(graphs, Mapping):  # Data, networkx graphs, PyG datasets ... by label
        return {k: load_user_graph(v) for k, v in graphs.items()}
    if isinstance(graphs, (str, bytes)) or not hasattr(graphs, "__iter__"):
        raise TypeError(f"{who} must be a sequence of graph specs (a list, not one str) or a "
                        f"mapping {{label: graph}}. Got {graphs!r} instead.")
    graphs = list(graphs)
    parsed = [_parse_graph_spec(s, who) if isinstance(s, str)
              else (f"graph{i}", (lambda d: lambda _: d)(load_user_graph(s)))
              for i, s in enumerate(graphs)]
    labels = [p[0] for p in parsed]
    out: Dict[str, Any] = {}
    for spec, (label, build) in zip(graphs, parsed):
        key = label if labels.count(label) == 1 else str(spec)
        out[key] = build(graph_seed)
    return out


#: What each generator's topology is for in the study (a label not listed is ``learnable``).
ROLES = {"er": "null", "star": "trivial"}


def topology_role(label: str) -> str:
    """``"null"`` (no learnable structure), ``"trivial"`` (degenerate) or ``"learnable"``.

    Erdős–Rényi is the null model: every non-edge is as likely as every edge, so AUC 0.5
    is the right answer; the star is the impossible-anchor case (its hub has no valid
    negative); every other topology, generated or real, has structure to learn.

    Examples
    --------
    >>> topology_role("er"), topology_role("star"), topology_role("lesmis")
    ('null', 'trivial', 'learnable')
    """
    return ROLES.get(str(label).split(":", 1)[0], "learnable")


#: Call-time inputs the link-prediction trainer passes to a sampler itself: the current
#: node embeddings ``z``. A sampler whose ``requires`` names nothing else runs on a
#: plain graph.
TRAINER_INPUTS = ("z",)


@checked_params
def usable_samplers(names: Optional[Iterable[str]] = None) -> Dict[str, str]:
    """Which registered samplers run on a plain graph with no extra inputs.

    Read from each sampler's declaration, without drawing: a sampler built by name
    (``num_neg=1, seed=0``; an instance may narrow its class's ``requires`` to its
    settings) is usable when it draws per anchor and every call-time input in its
    ``requires`` is one the trainer supplies (:data:`TRAINER_INPUTS`).
    Samplers that need domain inputs (words, coordinates, sites) are not.

    Returns
    -------
    dict
        ``{name: ""}`` for usable samplers and ``{name: reason}`` for the others,
        in registry order.

    Examples
    --------
    >>> usable_samplers(["uniform", "dns"])
    {'uniform': '', 'dns': ''}
    >>> usable_samplers(["spatial"])["spatial"].startswith("needs ")
    True
    """
    from graphneg.samplers import get_sampler, sampler_names
    names = sampler_names() if names is None else list(names)
    out = {}
    for name in names:
        try:
            sampler = get_sampler(name, num_neg=1, seed=0)
        except TypeError as exc:  # a required constructor argument: not usable by name alone
            out[name] = f"cannot be built by name alone ({exc})"
            continue
        missing = [r for r in sampler.requires if r not in TRAINER_INPUTS]
        if missing:
            out[name] = (f"needs {', '.join(map(repr, missing))} at call time "
                         f"({type(sampler).__name__}.requires), which a plain graph lacks")
        elif sampler.mode != "per_anchor":
            out[name] = "not a per-anchor sampler"
        else:
            out[name] = ""
    return out


def _num_undirected_edges(data: Any) -> int:
    ei = data.edge_index
    return int((ei[0] < ei[1]).sum())


def _run_one(task: Tuple[str, Any, str, int, Dict[str, Any], Dict[str, Any]]
             ) -> List[Dict[str, Any]]:
    """Train one (graph, sampler, seed) on the shared split; never raises (errors become a row).

    The test metrics are those of the shared evaluation negatives of both protocols
    (``test_*``: uniform, ``heart_*``: HeaRT), see :mod:`._paired`.
    """
    from graphneg.training import LinkPredictionTrainer
    label, paired, sampler, seed, cfg, base = task
    base = {**base, "sampler": sampler, "kind": "sampler", "seed": seed}
    tic = time.perf_counter()
    try:
        trainer = LinkPredictionTrainer(paired.split, sampler=sampler, seed=seed, verbose=False,
                                        **cfg)
        hist = trainer.fit()
        test = score_trained(trainer, paired)
    except Exception as exc:  # noqa: BLE001 - a failed run is a result, not a crash
        return [{**base, "epoch": 0, "run_time_s": time.perf_counter() - tic,
                 "error": f"{type(exc).__name__}: {exc}"}]
    val = hist["val_auc"] if "val_auc" in hist else None
    rise = float(val.max() - val.iloc[0]) if val is not None and len(val) else math.nan
    run = {**base, **test, "best_epoch": trainer.best_epoch, "val_rise": rise,
           "run_time_s": time.perf_counter() - tic, "error": ""}
    return [{**run, **row} for row in hist.to_dict("records")]


#: Relative cost per edge of the samplers whose table spans every node (measured on
#: Roget's graph: adversarial 22x, mcns and softmax 3x uniform's run time).
_SAMPLER_COST = {"adversarial": 20.0, "mcns": 3.0, "softmax": 3.0, "ann": 1.5, "dns": 1.2}


def _expected_cost(task: Tuple[Any, ...]) -> float:
    """A run's expected cost for the submission order: edges × the sampler's factor."""
    _, _, sampler, _, _, base = task
    return float(base.get("num_edges", 1)) * _SAMPLER_COST.get(sampler, 1.0)


def _untrained_row(paired: Any, base: Dict[str, Any], seed: int,
                   cfg: Dict[str, Any]) -> Dict[str, Any]:
    """``baseline:untrained``: the study's model of ``seed`` before any training step,
    scored on the shared pairs (the weights every sampler's run of that seed starts from)."""
    from graphneg.training import LinkPredictionTrainer
    tic = time.perf_counter()
    row = {**base, "sampler": "baseline:untrained", "kind": "baseline", "seed": seed,
           "epoch": 0}
    try:
        trainer = LinkPredictionTrainer(paired.split, seed=seed, verbose=False, **cfg)
        metrics = score_trained(trainer, paired)
    except Exception as exc:  # noqa: BLE001 - reported like a failed run
        return {**row, "run_time_s": time.perf_counter() - tic,
                "error": f"{type(exc).__name__}: {exc}"}
    return {**row, **metrics, "run_time_s": time.perf_counter() - tic, "error": ""}


def _baseline_rows(paired: Any, base: Dict[str, Any], seed: int) -> List[Dict[str, Any]]:
    """One row per heuristic baseline of a (graph, seed) (``kind = "heuristic"``)."""
    return [{**base, "sampler": name, "kind": "heuristic", "seed": seed, "epoch": 0,
             **metrics, "run_time_s": 0.0, "error": ""}
            for name, metrics in paired.baselines.items()]


def _failed_run(task: Tuple[str, Any, str, int, Dict[str, Any], Dict[str, Any]],
                failure: TaskFailure) -> List[Dict[str, Any]]:
    """The row of a run whose worker failed on every attempt (a crash, a lost node)."""
    _, _, sampler, seed, _, base = task
    return [{**base, "sampler": sampler, "kind": "sampler", "seed": seed, "epoch": 0,
             "run_time_s": math.nan, "error": f"{failure.error} ({failure.attempts} attempts)"}]


@checked_params(backend=Options(BACKENDS))
def compare_topologies(graphs: Union[Mapping[str, Any], Sequence[GraphSpec]] = DEFAULT_GRAPHS,
                       samplers: Optional[Sequence[str]] = None,
                       seeds: Sequence[int] = (0, 1, 2), *, epochs: int = 60,
                       patience: Optional[int] = 20, encoder: str = "gcn", num_neg: int = 1,
                       graph_seed: int = 0, jobs: int = 1, progress: bool = True,
                       trainer_kwargs: Optional[Dict[str, Any]] = None,
                       num_threads: int = 1, eval_num_neg: int = 20,
                       baselines: Optional[Sequence[str]] = BASELINES,
                       roles: Optional[Mapping[str, str]] = None,
                       store: Optional[Any] = None, resume: bool = False,
                       backend: str = "process", address: Optional[str] = None) -> pd.DataFrame:
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
        More trainer arguments (``hidden_channels``, ``lr``, ``eval_num_neg`` ...); they
        override :data:`STUDY_MODEL` and the embedding scale.
    num_threads : int
        torch intra-op threads per run (set with :func:`torch.set_num_threads`
        in each worker, or temporarily here when ``jobs == 1``). Small graphs run
        fastest on one thread.
    eval_num_neg : int
        Evaluation negatives per test positive under each protocol.
    baselines : sequence of str, optional
        Heuristic baselines scored on the same negatives, and with them the untrained
        model (``baseline:untrained``); ``None``: none.
    roles : mapping of str to str, optional
        ``label -> role``; default :func:`topology_role` of each label.
    store : path, optional
        A folder where every finished training run is saved as it finishes (one CSV
        each, written atomically). Without ``resume`` it is emptied first.
    resume : bool
        Reuse the runs already in ``store`` (same graph label, sampler and seed) and
        train only the others: an interrupted study continues where it stopped.
    backend : {"process", "ray"}
        Where the runs go (see :mod:`graphneg.analysis.studies._backends`); the results
        are the same. ``"ray"`` needs ``pip install 'graphneg[distributed]'``.
    address : str, optional
        The Ray cluster to use (``"auto"``, ``"ray://host:10001"``); default: a
        running one, else a local one of ``jobs`` CPUs for this call.

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
    >>> sorted(df.graph.unique()), len(df), int((df.kind == "heuristic").sum())
    (['karate', 'star'], 16, 10)
    """
    from graphneg.models.encoders import ENCODERS

    owner = "compare_topologies"
    epochs = check_int(epochs, "epochs", low=1, owner=owner)
    jobs = check_int(jobs, "jobs", low=1, owner=owner)
    num_threads = check_int(num_threads, "num_threads", low=1, owner=owner)
    progress = check_bool(progress, "progress", owner=owner)
    check_registered(encoder, "encoder", ENCODERS, owner=owner)
    seeds = [check_int(s, "seeds", low=0, owner=owner) for s in seeds]
    if not seeds:
        raise ValueError(f"The 'seeds' parameter of {owner} must hold at least one seed. Got [].")
    graph_map = _build_graphs(graphs, graph_seed, f"The 'graphs' parameter of {owner}")
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
    hidden = (trainer_kwargs or {}).get("hidden_channels", 64)
    cfg = {"epochs": epochs, "patience": patience, "encoder": encoder, "num_neg": num_neg,
           **STUDY_MODEL, "embedding_std": check_int(hidden, "hidden_channels", low=1,
                                                      owner=owner) ** -0.5,
           **(trainer_kwargs or {})}
    eval_num_neg = check_int(eval_num_neg, "eval_num_neg", low=1, owner=owner)
    roles = {label: (roles or {}).get(label, topology_role(label)) for label in graph_map}
    tasks, baseline_rows = [], []
    for label, data in graph_map.items():  # one split and one set of negatives per seed
        base = {"graph": label, "role": roles[label], "num_nodes": int(data.num_nodes),
                "num_edges": _num_undirected_edges(data)}
        base["mean_degree"] = 2 * base["num_edges"] / max(base["num_nodes"], 1)
        base["eval_num_neg"] = eval_num_neg
        for seed in seeds:
            paired = prepare_split(data, seed, num_neg=eval_num_neg, baselines=baselines)
            baseline_rows += _baseline_rows(paired, base, seed)
            if baselines:
                baseline_rows.append(_untrained_row(paired, base, seed, cfg))
            tasks += [(label, paired, s, seed, cfg, base) for s in samplers]
    tasks.sort(key=lambda t: (list(graph_map).index(t[0]), samplers.index(t[2]), t[3]))
    store = _RunStore(store, resume) if store is not None else None
    finished = {} if store is None else store.finished()
    todo = [(i, t) for i, t in enumerate(tasks) if (t[0], t[2], t[3]) not in finished]
    # longest runs first, so that no worker is left alone with a long run at the end (the
    # results keep the task order; every run is seeded on its own)
    todo.sort(key=lambda it: -_expected_cost(it[1]))
    results: Dict[int, List[Dict[str, Any]]] = {
        i: finished[(t[0], t[2], t[3])] for i, t in enumerate(tasks)
        if (t[0], t[2], t[3]) in finished}
    if finished and progress:
        print(f"resume: {len(tasks) - len(todo)} of {len(tasks)} runs already finished, "
              f"{len(todo)} to train", file=sys.stderr)
    report = _Progress(len(todo), progress)

    def done(i: int, out: List[Dict[str, Any]]) -> None:
        results[i] = out
        if store is not None:  # stored as it finishes: an interrupted study resumes from here
            store.save(out)
        report.done(out[0])

    try:
        for i, out in run_tasks(_run_one, [(i, t) for i, t in todo], backend=backend, jobs=jobs,
                                address=address, num_threads=num_threads,
                                preload=["graphneg.training",
                                         "graphneg.analysis.studies.topology"]):
            done(i, _failed_run(tasks[i], out) if isinstance(out, TaskFailure) else out)
    finally:
        report.close()
    rows: List[Dict[str, Any]] = []
    for i in range(len(tasks)):  # task order, independent of completion order
        rows += results[i]
    df = pd.DataFrame(rows + baseline_rows)
    first = ["graph", "role", "sampler", "kind", "seed", "epoch"]
    return df[first + [c for c in df.columns if c not in first]]


class _RunStore:
    """Finished runs on disk, one CSV per (graph, sampler, seed), for ``resume``."""

    def __init__(self, folder: Any, resume: bool):
        from pathlib import Path
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        if not resume:
            for old in self.folder.glob("run-*.csv"):
                old.unlink()

    @staticmethod
    def _name(row: Mapping[str, Any]) -> str:
        import hashlib
        key = f"{row['graph']}|{row['sampler']}|{row['seed']}".encode()
        return f"run-{hashlib.sha1(key).hexdigest()[:16]}.csv"

    def save(self, rows: List[Dict[str, Any]]) -> None:
        from ..report import atomic_write
        table = pd.DataFrame(rows)
        atomic_write(self.folder / self._name(rows[0]), lambda fh: table.to_csv(fh, index=False))

    def finished(self) -> Dict[Tuple[str, str, int], List[Dict[str, Any]]]:
        """Stored runs that finished without error, by (graph, sampler, seed)."""
        out = {}
        for path in sorted(self.folder.glob("run-*.csv")):
            table = pd.read_csv(path)
            error = table["error"].astype(object).fillna("") if "error" in table else ""
            if (error != "").any():
                continue  # a failed run is tried again
            table["error"] = error
            if "role" in table:  # the role "null" reads back as NaN
                table["role"] = table["graph"].map(topology_role).where(
                    table["role"].isna(), table["role"])
            first = table.iloc[0]
            out[(str(first["graph"]), str(first["sampler"]), int(first["seed"]))] = \
                table.to_dict("records")
        return out


class _Progress:
    """tqdm on a terminal, else one stderr line per finished run."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.count, self.enabled = total, 0, enabled
        self.start = time.perf_counter()
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
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.count * (self.total - self.count)
        print(f"[{self.count}/{self.total}] {what}: {result} ({row['run_time_s']:.1f} s; "
              f"ETA {eta:.0f} s)", file=sys.stderr, flush=True)

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
    if "epoch" not in df:
        df["epoch"] = 0
    ok = df["error"].astype(object).fillna("") == "" if "error" in df else pd.Series(True, index=df.index)
    agg: Dict[str, Any] = {}
    per_run = ["role", "kind", *[c for c in df.columns if c.startswith(("test_", "heart_"))],
               "best_epoch", "val_rise", "run_time_s", "num_nodes", "mean_degree", "eval_num_neg"]
    for col in per_run:
        if col in df:
            agg[col] = (col, "first")
    if "eta" in df:
        agg["eta_mean"] = ("eta", "mean")
        agg["eta_median"] = ("eta", "median")
        agg["eta_last"] = ("eta", "last")
        agg["eta"] = ("eta", "median")
    for col in ("hard_negative_rate", "impossible_anchor_ratio", "dropped_positive_ratio",
                "pos_residual", "neg_sigmoid"):
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


def study_tables(results: pd.DataFrame, degrees: Optional[pd.DataFrame] = None
                 ) -> Dict[str, pd.DataFrame]:
    """The study's tables from its per-epoch results: ``results``, ``summary``, ``degrees``.

    ``error`` is made a column of strings (empty for a finished run), also for a
    ``results.csv`` read back, where pandas reads empty cells as NaN.

    Parameters
    ----------
    results : DataFrame
        :func:`compare_topologies`, or its ``results.csv`` read back.
    degrees : DataFrame, optional
        :func:`degree_table`; left out of the tables when None.

    Returns
    -------
    dict of str to DataFrame
        ``{"results", "summary"[, "degrees"]}``, the stems of the study's CSV files.

    Examples
    --------
    >>> res = pd.DataFrame({"graph": "g", "sampler": "u", "seed": 0, "epoch": [1, 2],
    ...                     "eta": [1.0, 3.0], "error": float("nan")})
    >>> tables = study_tables(res)
    >>> sorted(tables), tables["summary"]["eta_mean"].tolist(), tables["results"]["error"].tolist()
    (['effects', 'results', 'summary'], [2.0], ['', ''])
    """
    results = results.copy()
    if "error" not in results:
        results["error"] = ""
    results["error"] = results["error"].astype(object).fillna("")
    if "role" in results:  # pandas reads the role "null" back from a CSV as NaN
        missing = results["role"].isna()
        results.loc[missing, "role"] = results.loc[missing, "graph"].map(topology_role)
    summary = summarize_runs(results)
    tables = {"results": results, "summary": summary}
    ok = summary[summary["error"] == ""]
    metrics = [m for m in EFFECT_METRICS if m in ok]
    if metrics and not ok.empty:
        tables["effects"] = effects_table(ok, metrics, reference="uniform")
    if degrees is not None:
        tables["degrees"] = degrees
    return tables


#: Metrics of ``effects.csv`` (mean, 95% interval, paired difference against uniform).
EFFECT_METRICS = ("test_auc", "test_ap", "test_mrr", "test_hits@10", "heart_auc", "heart_ap",
                  "heart_mrr", "heart_hits@10", "eta", "hard_negative_rate",
                  "impossible_anchor_ratio", "dropped_positive_ratio", "pos_residual",
                  "neg_sigmoid", "val_rise")


@checked_params
def run(graphs: Union[Mapping[str, Any], Sequence[GraphSpec]] = DEFAULT_GRAPHS,
        samplers: Optional[Sequence[str]] = None, seeds: Sequence[int] = (0, 1, 2), *,
        graph_seed: int = 0, **kwargs: Any) -> Dict[str, pd.DataFrame]:
    """Run the topology study and return its tables (see the module docstring).

    Parameters
    ----------
    graphs, samplers, seeds, graph_seed
        As in :func:`compare_topologies`; each topology's graph is built once.
    **kwargs
        Further :func:`compare_topologies` arguments (``epochs``, ``patience``,
        ``encoder``, ``num_neg``, ``jobs``, ``progress``, ``trainer_kwargs``, ...).

    Returns
    -------
    dict of str to DataFrame
        ``results`` (one row per run × epoch), ``summary`` (one row per run) and
        ``degrees`` (degree histogram per topology), as :func:`study_tables`.

    Examples
    --------
    >>> tables = run(["star:num_nodes=20"], ["uniform"], [0], epochs=2, progress=False)
    >>> {k: len(v) for k, v in tables.items() if k != "effects"}
    {'results': 8, 'summary': 7, 'degrees': 2}
    """
    graph_map = _build_graphs(graphs, graph_seed, "The 'graphs' parameter of run")
    results = compare_topologies(graph_map, samplers, seeds, graph_seed=graph_seed, **kwargs)
    return study_tables(results, degree_table(graph_map))


# ---------------------------------------------------------------------------------------
# The report: figures, the summary table, failed runs, the command and settings
# ---------------------------------------------------------------------------------------

#: Figure files of the report, with their captions (in the report's order).
FIGURES = {
    "protocols.png": "Both evaluation protocols side by side: MRR against uniform negatives "
                     "(left) and against HeaRT hard negatives (right), samplers and heuristic "
                     "baselines on the same pairs (mean ± sd over seeds; dashed: chance).",
    "auc.png": "Test AUC (uniform protocol) by topology and method (mean ± sd over seeds; "
               "dashed: random scorer).",
    "eta.png": "Sampling efficiency η = mean ‖g⁻‖ / mean ‖g⁺‖ (median over epochs; log scale).",
    "hard_negative_rate.png": "Hard-negative rate h_k: share of sampled negatives with ≥ k "
                              "common neighbours with their anchor (mean over epochs).",
    "impossible_anchors.png": "Share of training positives dropped because their anchor has no "
                              "valid negative (a star's hub anchors half of them).",
    "degrees.png": "Degree distribution of each topology (log-log).",
    "learning_curves.png": "Validation AUC per epoch (mean over seeds, band ±sd).",
    "eta_curves.png": "Sampling efficiency η per epoch (mean over seeds; log scale).",
}

#: What each file of the study holds (the report's ``Files`` list).
FILES = {
    "results.csv": "one row per run and epoch (tidy).",
    "summary.csv": "one row per run.",
    "degrees.csv": "degree histogram per topology.",
    "effects.csv": "one row per graph × method × metric: mean, 95% interval, seeds, paired "
                   "difference against uniform with its 95% interval and p-value.",
    "settings.csv": "the command and settings that produced the study (`graphneg report` "
                    "copies them into the report it redraws).",
}

_LEGEND = ("graph: the topology, as labelled in the `graph` column of the CSV files. "
           "η: median over epochs of mean ‖g⁻‖ / mean ‖g⁺‖ (see `docs/design.md`). h_k: share "
           "of negatives with ≥ k common neighbours (mean over epochs). impossible anchors: "
           "share of distinct anchors with no valid negative; dropped positives: share of "
           "training positives dropped for that reason (drawn in `impossible_anchors.png`).")


def _curve_grid(results: pd.DataFrame, metric: str, *, log: bool = False):
    """One learning-curve panel per topology, one legend for every sampler; the Figure."""
    import matplotlib.pyplot as plt

    from ..plots import plot_learning_curves
    graphs = list(dict.fromkeys(results["graph"]))
    ncols = min(len(graphs), 2)
    nrows = math.ceil(len(graphs) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.4 * nrows), squeeze=False)
    for ax, g in zip(axes.flat, graphs):
        plot_learning_curves(results, g, metric, ax=ax, log=log, legend=False)
    for ax in list(axes.flat)[len(graphs):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in axes.flat:  # collect every sampler, some may miss on the first topology
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, title="sampler", loc="center left", bbox_to_anchor=(1.0, 0.5),
               fontsize=8, title_fontsize=9)
    fig.tight_layout()
    return fig


def _figures(tables: Mapping[str, pd.DataFrame]) -> Dict[str, Tuple[Any, str]]:
    """The report's figures that the tables allow, ``{file: (Figure, caption)}``."""
    import matplotlib.pyplot as plt

    from ..plots import plot_by_topology, plot_degree_distributions
    runs, results = tables["summary"], tables["results"]
    degrees = tables.get("degrees")
    ok_runs = runs[runs["error"] == ""]
    figs: Dict[str, Any] = {}

    def bars(name: str, metric: str, **kw: Any) -> None:
        if metric not in ok_runs or ok_runs[metric].dropna().empty:
            return
        fig, ax = plt.subplots(figsize=(11, 4.6))
        plot_by_topology(runs, metric, ax=ax, **kw)
        fig.tight_layout()
        figs[name] = fig

    if {"test_mrr", "heart_mrr"} <= set(ok_runs) and not ok_runs["test_mrr"].dropna().empty:
        from graphneg.protocols import chance_levels
        k = int(ok_runs["eval_num_neg"].iloc[0]) if "eval_num_neg" in ok_runs else 20
        fig, axes = plt.subplots(1, 2, figsize=(16, 5.2), sharey=True)
        for ax, (metric, title) in zip(axes, (("test_mrr", "uniform protocol"),
                                              ("heart_mrr", "HeaRT protocol"))):
            plot_by_topology(runs, metric, ax=ax, reference=chance_levels(k)["mrr"],
                             ylabel="MRR")
            ax.set_title(f"{title}, {k} negatives per positive")
        if axes[0].get_legend() is not None:
            axes[0].get_legend().remove()  # one legend for both panels
        fig.tight_layout()
        figs["protocols.png"] = fig
    bars("auc.png", "test_auc", reference=0.5)
    positive_eta = "eta_median" in ok_runs and (ok_runs["eta_median"].dropna() > 0).all()
    bars("eta.png", "eta_median", log=bool(positive_eta))
    bars("hard_negative_rate.png", "hard_negative_rate")
    bars("impossible_anchors.png", "dropped_positive_ratio")
    if degrees is not None and not degrees.empty:
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        plot_degree_distributions(degrees, ax=ax)
        figs["degrees.png"] = fig
    ok_rows = results[results["error"] == ""]
    if "val_auc" in ok_rows and not ok_rows.empty:
        figs["learning_curves.png"] = _curve_grid(ok_rows, "val_auc")
    if "eta" in ok_rows and not ok_rows.empty:
        pos = bool((ok_rows["eta"].dropna() > 0).all())
        figs["eta_curves.png"] = _curve_grid(ok_rows, "eta", log=pos)
    return {name: (figs[name], caption) for name, caption in FIGURES.items() if name in figs}


def _fmt(mean: float, std: float, digits: int = 3) -> str:
    """``mean ± sd`` with ``digits`` significant digits (``–`` when the mean is missing).

    Examples
    --------
    >>> _fmt(0.51234, 0.0153), _fmt(2.0, float("nan")), _fmt(float("nan"), 0.1)
    ('0.512 ± 0.015', '2', '–')
    """
    if not math.isfinite(mean):
        return "–"
    if not math.isfinite(std):
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {std:.2g}"


def _summary_table(runs: pd.DataFrame) -> str:
    """Markdown table of mean ± sd over seeds per graph × sampler (finished runs)."""
    ok = runs[runs["error"] == ""]
    cols = [("test_auc", "AUC"), ("test_ap", "AP"), ("test_mrr", "MRR"),
            ("heart_auc", "HeaRT AUC"), ("heart_mrr", "HeaRT MRR"),
            ("eta_median", "η"), ("hard_negative_rate", "h_k"),
            ("impossible_anchor_ratio", "impossible anchors"),
            ("dropped_positive_ratio", "dropped positives"), ("run_time_s", "time [s]")]
    cols = [(c, n) for c, n in cols if c in ok]
    lines = ["| graph | sampler | runs | " + " | ".join(n for _, n in cols) + " |",
             "|---|---|---|" + "---|" * len(cols)]
    for (g, s), d in ok.groupby(["graph", "sampler"], sort=False):
        cells = [_fmt(float(d[c].mean()), float(d[c].std())) for c, _ in cols]
        lines.append(f"| {g} | {s} | {len(d)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _findings_sections(tables: Mapping[str, pd.DataFrame]) -> List[Tuple[str, str]]:
    """``Findings`` (sentences computed from ``effects``), the recommendation table and
    the evaluation protocol with its chance levels; empty without effects."""
    from graphneg.protocols import chance_levels

    effects, runs = tables.get("effects"), tables["summary"]
    if effects is None or effects.empty:
        return []
    ok = runs[runs["error"] == ""]
    roles = dict(zip(ok["graph"], ok["role"])) if "role" in ok else {}
    k = int(ok["eval_num_neg"].iloc[0]) if "eval_num_neg" in ok and not ok.empty else 20
    chance = chance_levels(k)
    chance_cols = {"test_auc": 0.5, "heart_auc": 0.5, "test_mrr": chance["mrr"],
                   "heart_mrr": chance["mrr"]}
    bullets = write_findings(effects, roles, chance=chance_cols)
    rec = recommendations(effects)
    if not rec.empty:
        rec.insert(1, "role", rec["graph"].map(roles).fillna("learnable"))
        moot = rec["role"] != "learnable"  # nothing to recommend where nothing is learnable
        rec.loc[moot, "recommendation"] = "none (" + rec.loc[moot, "role"] + " topology)"
        rec.loc[moot, "difference"] = ""
    seeds = sorted(ok["seed"].unique().tolist())
    text = [f"From {len(seeds)} seeds per topology and method; intervals are 95% Student-t "
            "intervals, differences are paired by seed (same split, same evaluation "
            "negatives) against the uniform sampler. A difference counts only when its "
            "interval excludes 0.", "", *[f"- {b}" for b in bullets]]
    if not rec.empty:
        text += ["", "Recommendation per topology (largest measurable gain over uniform; "
                     "best baseline beside it):", "", markdown_table(rec)]
    protocol = (f"Test positives are scored against {k} negatives each under two protocols, "
                "drawn once per topology and seed and shared by every sampler and baseline "
                "(`graphneg.protocols`). **uniform**: the positive's first node with uniformly "
                "drawn non-neighbours (ogbl-citation2 style; each undirected test edge is "
                "oriented by a seeded coin, so either endpoint may be the one corrupted). **heart**: the corruptions of "
                "either endpoint that resource allocation, common neighbours and personalised "
                "PageRank rank highest on the training graph (HeaRT, Li et al. 2023), never a "
                "known edge. Chance levels with this K: AUC 0.5, "
                f"MRR {chance['mrr']:.3f}, Hits@10 {chance['hits@10']:.3f}. `test_*` columns "
                "are the uniform protocol, `heart_*` the HeaRT protocol; `heuristic:*` rows are "
                "baselines that need no learning (CN, AA, RA, PA on the training graph; "
                "random); `baseline:untrained` is the study's model before any training step "
                "(the weights every sampler's run of that seed starts from). The HeaRT negatives are the pairs RA, CN and PPR find most "
                "plausible, so those heuristics sit at or below chance under that protocol "
                "by construction; it measures what a model knows beyond them.")
    return [("Findings", "\n".join(text)), ("Evaluation protocols", protocol)]


def settings_table(command: Optional[str] = None,
                   settings: Optional[Mapping[str, Any]] = None) -> pd.DataFrame:
    """The command and settings as a two-column table (``setting``, ``value``).

    The first row is ``command`` (when given), then one row per setting in order; the
    values are kept as text, which is how the report prints them.
    :func:`read_settings` is its inverse.

    Examples
    --------
    >>> settings_table("graphneg compare", {"epochs": 40}).values.tolist()
    [['command', 'graphneg compare'], ['epochs', '40']]
    """
    rows = ([("command", command)] if command else []) + [
        (str(k), str(v)) for k, v in (settings or {}).items()]
    return pd.DataFrame(rows, columns=["setting", "value"])


def read_settings(table: pd.DataFrame) -> Tuple[Optional[str], Dict[str, str]]:
    """``(command, settings)`` from a :func:`settings_table` (or its ``settings.csv``).

    Examples
    --------
    >>> read_settings(settings_table("graphneg compare", {"epochs": 40, "lr": 0.01}))
    ('graphneg compare', {'epochs': '40', 'lr': '0.01'})
    """
    missing = {"setting", "value"} - set(table.columns)
    if missing:
        raise ValueError(f"A settings table needs the columns 'setting' and 'value'. Got "
                         f"{list(table.columns)} instead.")
    pairs = dict(zip(table["setting"].astype(str), table["value"].astype(object).fillna("")
                     .astype(str)))
    return pairs.pop("command", None), pairs


def build_report(tables: Mapping[str, pd.DataFrame], *, title: str = "Topology comparison",
                 command: Optional[str] = None, settings: Optional[Mapping[str, Any]] = None,
                 notes: Sequence[str] = ()) -> StudyReport:
    """The study's report: tables, figures, the summary table and the failed runs.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        :func:`run` or :func:`study_tables` (``results``, ``summary``, optional ``degrees``).
    title : str
        The report's first heading.
    command, settings : optional
        What produced the study; kept as the ``settings`` table (``settings.csv``) so
        that a redrawn report keeps them. Pass the same to
        :func:`~graphneg.analysis.report.write_study` for the report's
        ``Command:`` and ``Settings:`` lines.
    notes : sequence of str
        Extra paragraphs after the description of the runs.

    Returns
    -------
    StudyReport
        Figures in :data:`FIGURES` order, those the tables allow (the degree figure needs
        ``degrees``; bar charts need finished runs).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rep = build_report(run(["karate"], ["uniform"], [0], epochs=2, progress=False),
    ...                    command="graphneg compare", settings={"epochs": 2})
    >>> list(rep.tables), list(rep.figures)[:2]
    (['results', 'summary', 'effects', 'degrees', 'settings'], ['protocols.png', 'auc.png'])
    >>> [h for h, _ in rep.sections]
    ['Findings', 'Evaluation protocols', 'Summary (mean ± sd over seeds)']
    """
    runs = tables["summary"]
    graphs = list(dict.fromkeys(runs["graph"]))
    methods = list(dict.fromkeys(runs["sampler"]))
    baseline = is_baseline(pd.Series(methods, dtype=object)).tolist()
    samplers = [m for m, b in zip(methods, baseline) if not b]
    heuristics = [m for m, b in zip(methods, baseline) if b]
    seeds = sorted(runs["seed"].unique().tolist())
    intro = (f"{len(runs)} runs: {len(graphs)} topologies ({', '.join(map(str, graphs))}) × "
             f"{len(samplers)} samplers ({', '.join(map(str, samplers))})"
             + (f" and {len(heuristics)} baselines" if heuristics else "")
             + f" × {len(seeds)} seeds ({', '.join(map(str, seeds))}). Link prediction with a "
             "dot-product decoder; test metrics use the weights of the best validation epoch.")
    body = "\n\n".join([intro, *notes, _summary_table(runs), _LEGEND])
    sections = _findings_sections(tables) + [("Summary (mean ± sd over seeds)", body)]
    failed = runs[runs["error"] != ""]
    if not failed.empty:
        rows = [f"| {r.graph} | {r.sampler} | {r.seed} | {str(r.error).replace('|', '/')[:200]} |"
                for r in failed.itertuples()]
        sections.append(("Failed runs", "\n".join(
            ["| graph | sampler | seed | error |", "|---|---|---|---|", *rows])))
    out_tables = {k: tables[k] for k in ("results", "summary", "effects", "degrees")
                  if k in tables}
    if command or settings:
        out_tables["settings"] = settings_table(command, settings)
    return StudyReport(title, tables=out_tables, figures=_figures(tables), sections=sections,
                       files={f"{k}.csv": FILES[f"{k}.csv"] for k in out_tables})


def write_report(results: pd.DataFrame, out_dir: Any, *, degrees: Optional[pd.DataFrame] = None,
                 title: str = "Topology comparison", notes: Optional[List[str]] = None,
                 command: Optional[str] = None, settings: Optional[Mapping[str, Any]] = None
                 ) -> str:
    """:func:`build_report` of ``results`` written by :func:`~graphneg.analysis.report.write_study`.

    One call for a script: ``write_report(compare_topologies(...), "out")``.

    Returns
    -------
    str
        The path of ``report.md``.

    Examples
    --------
    >>> import os, tempfile, matplotlib
    >>> matplotlib.use("Agg")
    >>> res = compare_topologies(["karate"], ["uniform"], [0], epochs=2, progress=False)
    >>> os.path.basename(write_report(res, tempfile.mkdtemp()))
    'report.md'
    """
    report = build_report(study_tables(results, degrees), title=title, command=command,
                          settings=settings, notes=notes or ())
    return str(write_study(out_dir, report, command=command, settings=settings))
