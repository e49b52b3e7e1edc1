"""``graphneg compare``: how does graph topology change what a negative sampler does?

Trains link prediction on every topology × sampler × seed, measures the sampling
efficiency η, the hard-negative rate h_k, the share of anchors without a valid
negative and the test AUC/AP/MRR, and writes results.csv, summary.csv,
degrees.csv, settings.csv, PNG figures and report.md to --out.

Every topology has a role: ER is the null model, the star the impossible-anchor
case, the others (planted partition, random geometric, Holme–Kim power-law cluster,
BA, Les Misérables, Roget's Thesaurus) learnable. Per topology and seed one split and one set of
evaluation negatives (uniform and HeaRT) serve every sampler and the baselines
that need no learning (CN, AA, RA, PA, random, the untrained model); effects.csv holds means with 95% intervals and
paired differences against uniform, and report.md opens with findings computed
from them. --graphs also takes the path of an edge list or a .pt file.

Presets: tiny (seconds; a smoke test), default (six 300-node generated and two real topologies,
every sampler usable on a plain graph, 5 seeds), large (2000-node generators plus
the Roget and word-ladder graphs, 5 seeds, 200 epochs). Flags override the preset.

The study is graphneg.analysis.studies.topology.run (the same in Python).
"""
from __future__ import annotations

import os
import re
import time

from graphneg.analysis.studies import topology
from graphneg.analysis.studies.topology import DEFAULT_GRAPHS
from graphneg.cli import (add_command, add_quiet, command_of, positive_float, positive_int, say,
                          seed_int)

__all__ = ["register", "run", "PRESETS"]

PRESETS = {
    "tiny": {"graphs": ["er:num_nodes=40,edge_prob=0.1", "ba:num_nodes=40,num_edges=2",
                        "star:num_nodes=30", "karate"],
             "samplers": ["uniform"], "seeds": [0], "epochs": 3, "patience": None, "jobs": 1},
    "default": {"graphs": list(DEFAULT_GRAPHS),
                "samplers": None, "seeds": [0, 1, 2, 3, 4], "epochs": 60, "patience": 20},
    "large": {"graphs": ["er:num_nodes=2000,edge_prob=0.003", "ba:num_nodes=2000,num_edges=3",
                         "star:num_nodes=2000",
                         "planted_partition:num_blocks=8,block_size=250,p_in=0.02,p_out=0.001",
                         "geometric:num_nodes=2000,radius=0.04",
                         "powerlaw_cluster:num_nodes=2000,num_edges=3,triangle_prob=0.5",
                         "roget", "words"],
              "samplers": None, "seeds": [0, 1, 2, 3, 4], "epochs": 200, "patience": 20},
}


def _default_jobs() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def register(subparsers) -> None:
    p = add_command(subparsers, "compare", func=run, description=__doc__,
                    help="topology x sampler x seed link-prediction study (runs with no flags)")
    p.add_argument("--preset", choices=sorted(PRESETS), default="default",
                   help="size of the study")
    p.add_argument("--graphs", nargs="+", metavar="SPEC",
                   help="topologies: generator specs like 'ba:num_nodes=300,num_edges=3' or real "
                        "graphs (karate, lesmis, florentine, davis, roget, words) (default: the "
                        "preset's)")
    p.add_argument("--num-nodes", type=positive_int, metavar="N",
                   help="override num_nodes of every generated topology")
    p.add_argument("--samplers", nargs="+", metavar="NAME",
                   help="sampler names (default: every registered sampler usable on a plain "
                        "graph)")
    p.add_argument("--seeds", nargs="+", type=seed_int, metavar="N",
                   help="random seeds, one run each (default: the preset's, 0 1 2)")
    p.add_argument("--epochs", type=positive_int, metavar="N",
                   help="maximum epochs per run (default: the preset's, 60)")
    p.add_argument("--patience", type=positive_int, metavar="N",
                   help="early-stopping patience in epochs (default: the preset's, 20)")
    p.add_argument("--encoder", default="gcn", help="encoder name (gcn, sage)")
    p.add_argument("--num-neg", type=positive_int, default=1, metavar="K",
                   help="training negatives per positive")
    p.add_argument("--hidden", type=positive_int, default=64, metavar="D",
                   help="hidden and embedding width")
    p.add_argument("--lr", type=positive_float, default=0.01, help="Adam learning rate")
    p.add_argument("--weight-decay", type=float, metavar="W",
                   default=topology.STUDY_MODEL["weight_decay"],
                   help="Adam weight decay")
    p.add_argument("--dropout", type=float, metavar="P", default=topology.STUDY_MODEL["dropout"],
                   help="encoder dropout")
    p.add_argument("--embedding-std", type=float, metavar="S",
                   help="initial scale of the learnable node embedding (default: 1/sqrt(hidden))")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted study: reuse the finished runs stored in "
                        "OUT/runs and train only the others")
    p.add_argument("--jobs", type=positive_int, metavar="N",
                   help="parallel worker processes (default: CPU cores, at most 4; 1 for tiny); "
                        "with --backend ray and no --address, the CPUs of the local cluster")
    p.add_argument("--backend", choices=["process", "ray"], default="process",
                   help="where the runs go: a local process pool, or one Ray task each (same "
                        "results; needs pip install 'graphneg[distributed]')")
    p.add_argument("--address", metavar="ADDR",
                   help="Ray cluster to send runs to (e.g. auto, ray://head:10001; "
                        "default: a local cluster for this command); needs --backend ray")
    add_quiet(p)


def _with_num_nodes(spec: str, num_nodes: int) -> str:
    if ":" not in spec:
        return spec  # a real graph: its size is what it is
    if re.search(r"num_nodes=\d+", spec):
        return re.sub(r"num_nodes=\d+", f"num_nodes={num_nodes}", spec)
    return f"{spec},num_nodes={num_nodes}"


def run(args) -> int:
    import matplotlib
    matplotlib.use("Agg")

    from graphneg.analysis.report import write_study

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
    tell = say(args)
    if args.address is not None and args.backend != "ray":
        raise ValueError(f"--address needs --backend ray. Got --backend {args.backend} instead.")
    samplers = args.samplers or preset["samplers"]
    if samplers is None:
        usable = topology.usable_samplers()
        samplers = [n for n, why in usable.items() if not why]
        for name, why in usable.items():
            if why:
                tell(f"skipping sampler {name!r}: {why[:90]}")
    graphs = topology._build_graphs(specs, 0, "--graphs")  # errors name the flag
    tell(f"graphneg compare: {len(graphs)} topologies × {len(samplers)} samplers × "
         f"{len(seeds)} seeds = {len(graphs) * len(samplers) * len(seeds)} runs, "
         f"{epochs} epochs max, {jobs} job(s) on {args.backend} -> {args.out}")
    tic = time.perf_counter()
    tables = topology.run(graphs, samplers, seeds, epochs=epochs, patience=patience,
                          encoder=args.encoder, num_neg=args.num_neg, jobs=jobs,
                          progress=not args.quiet, store=os.path.join(args.out, "runs"),
                          resume=args.resume, backend=args.backend, address=args.address,
                          trainer_kwargs={"hidden_channels": args.hidden,
                                          "out_channels": args.hidden, "lr": args.lr,
                                          "weight_decay": args.weight_decay,
                                          "dropout": args.dropout,
                                          "embedding_std": args.embedding_std
                                          or args.hidden ** -0.5})
    elapsed = time.perf_counter() - tic
    command = command_of(args, "compare")
    settings = {"preset": args.preset, "graphs": " ".join(specs),
                "samplers": " ".join(samplers), "seeds": " ".join(map(str, seeds)),
                "encoder": args.encoder, "num_neg": args.num_neg, "hidden": args.hidden,
                "lr": args.lr, "weight_decay": args.weight_decay, "dropout": args.dropout,
                "embedding_std": round(args.embedding_std or args.hidden ** -0.5, 4),
                "epochs": epochs, "patience": patience, "jobs": jobs,
                "time_s": round(elapsed)}
    path = write_study(args.out, topology.build_report(tables, command=command,
                                                       settings=settings),
                       command=command, settings=settings, stale=topology.FIGURES)
    summary = tables["summary"]
    failed = int((summary["error"] != "").sum())
    trained = summary[summary.get("kind", "sampler") == "sampler"] if "kind" in summary \
        else summary
    if len(trained) and bool((trained["error"] != "").all()):
        tell(f"every training run failed ({len(trained)}); reasons in {path}")
        return 1
    tell(f"done in {elapsed:.0f} s: {path}, results.csv and figures in {args.out}"
         + (f" ({failed} failed run(s), listed in the report)" if failed else ""))
    return 0
