"""``graphneg compare``: how does graph topology change what a negative sampler does?

Trains link prediction on every topology × sampler × seed, measures the sampling
efficiency η, the hard-negative rate h_k, the share of anchors without a valid
negative and the test AUC/AP/MRR, and writes results.csv, summary.csv,
degrees.csv, PNG figures and report.md to --out (default results/compare).

Presets: tiny (seconds; a smoke test), default (ER, BA and star of 300 nodes
plus the Les Misérables graph, every sampler usable on a plain graph, 3 seeds;
a few minutes on 2 cores), large (2000-node generators plus the Roget and
word-ladder graphs, 5 seeds, 200 epochs). Flags override the preset.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time

__all__ = ["register", "run", "PRESETS"]

PRESETS = {
    "tiny": {"graphs": ["er:num_nodes=40,edge_prob=0.1", "ba:num_nodes=40,num_edges=2",
                        "star:num_nodes=30", "karate"],
             "samplers": ["uniform"], "seeds": [0], "epochs": 3, "patience": None, "jobs": 1},
    "default": {"graphs": ["er:num_nodes=300,edge_prob=0.02", "ba:num_nodes=300,num_edges=3",
                           "star:num_nodes=300", "lesmis"],
                "samplers": None, "seeds": [0, 1, 2], "epochs": 40, "patience": 10},
    "large": {"graphs": ["er:num_nodes=2000,edge_prob=0.003", "ba:num_nodes=2000,num_edges=3",
                         "star:num_nodes=2000", "roget", "words"],
              "samplers": None, "seeds": [0, 1, 2, 3, 4], "epochs": 200, "patience": 20},
}


def _default_jobs() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def register(subparsers) -> None:
    p = subparsers.add_parser("compare", help="topology x sampler x seed link-prediction study "
                                              "(the main job; runs with no flags)",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", choices=sorted(PRESETS), default="default",
                   help="size of the study (default: default)")
    p.add_argument("--graphs", nargs="+", metavar="SPEC",
                   help="topologies: generator specs like 'ba:num_nodes=300,num_edges=3' or "
                        "real graphs (karate, lesmis, florentine, davis, roget, words)")
    p.add_argument("--num-nodes", type=int, metavar="N",
                   help="override num_nodes of every generated topology in the preset")
    p.add_argument("--samplers", nargs="+", metavar="NAME",
                   help="sampler names (default: every registered sampler usable on a plain graph)")
    p.add_argument("--seeds", nargs="+", type=int, metavar="SEED", help="one run per seed")
    p.add_argument("--epochs", type=int, help="maximum epochs per run")
    p.add_argument("--patience", type=int, help="early-stopping patience (epochs)")
    p.add_argument("--encoder", default="gcn", help="encoder name (gcn, sage; default gcn)")
    p.add_argument("--num-neg", type=int, default=1, help="training negatives per positive")
    p.add_argument("--hidden", type=int, default=64, help="hidden and embedding width (64)")
    p.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (0.01)")
    p.add_argument("--out", default=os.path.join("results", "compare"),
                   help="output folder (default results/compare)")
    p.add_argument("--jobs", type=int, default=None,
                   help="parallel worker processes (default: CPU cores, at most 4; 1 for tiny)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)


def _with_num_nodes(spec: str, num_nodes: int) -> str:
    if ":" not in spec:
        return spec  # a real graph: its size is what it is
    if re.search(r"num_nodes=\d+", spec):
        return re.sub(r"num_nodes=\d+", f"num_nodes={num_nodes}", spec)
    return f"{spec},num_nodes={num_nodes}"


def run(args) -> int:
    import matplotlib
    matplotlib.use("Agg")

    from graphneg.analysis.compare import (
        build_graphs, compare_topologies, degree_table, usable_samplers,
    )
    from graphneg.analysis.report import write_report

    preset = PRESETS[args.preset]
    specs = list(args.graphs or preset["graphs"])
    if args.num_nodes is not None:
        if args.num_nodes < 2:
            raise ValueError(f"--num-nodes must be an int in [2, inf). Got {args.num_nodes} instead.")
        specs = [_with_num_nodes(s, args.num_nodes) for s in specs]
    seeds = args.seeds if args.seeds is not None else preset["seeds"]
    jobs = args.jobs if args.jobs is not None else preset.get("jobs", _default_jobs())
    epochs = args.epochs if args.epochs is not None else preset["epochs"]
    patience = args.patience if args.patience is not None else preset["patience"]
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    samplers = args.samplers or preset["samplers"]
    if samplers is None:
        usable = usable_samplers()
        samplers = [n for n, why in usable.items() if not why]
        for name, why in usable.items():
            if why:
                say(f"skipping sampler {name!r}: needs inputs a plain graph lacks ({why[:90]})")
    graphs = build_graphs(specs)
    say(f"graphneg compare: {len(graphs)} topologies × {len(samplers)} samplers × "
        f"{len(seeds)} seeds = {len(graphs) * len(samplers) * len(seeds)} runs, "
        f"{epochs} epochs max, {jobs} job(s) -> {args.out}")
    tic = time.perf_counter()
    results = compare_topologies(graphs, samplers, seeds, epochs=epochs, patience=patience,
                                 encoder=args.encoder, num_neg=args.num_neg, jobs=jobs,
                                 progress=not args.quiet,
                                 trainer_kwargs={"hidden_channels": args.hidden,
                                                 "out_channels": args.hidden, "lr": args.lr})
    elapsed = time.perf_counter() - tic
    typed = " ".join(getattr(args, "argv", None) or ["compare"])
    notes = [f"Command: `graphneg {typed}`",
             f"Settings: preset {args.preset}; graphs {', '.join(specs)}; encoder {args.encoder}; "
             f"{args.num_neg} negative(s) per positive; hidden {args.hidden}; lr {args.lr}; "
             f"epochs ≤ {epochs}; early-stopping patience {patience}; {elapsed:.0f} s with "
             f"{jobs} job(s)."]
    path = write_report(results, args.out, degrees=degree_table(graphs), notes=notes)
    failed = results[results["error"].astype(object).fillna("") != ""] if "error" in results else results.iloc[:0]
    say(f"done in {elapsed:.0f} s: {path}, results.csv and figures in {args.out}"
        + (f" ({len(failed)} failed run(s), listed in the report)" if len(failed) else ""))
    return 0
