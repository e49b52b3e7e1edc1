"""``graphneg train``: train link prediction on one graph with one sampler.

Writes the per-epoch history (history.csv) and the test metrics (test.json) to
--out, checkpointing every epoch into OUT/checkpoint.pt; --resume continues an
interrupted run bit for bit. The checkpoint records the settings; --resume with
other settings is refused (naming them) unless --allow-config-change is given, and
--resume without a checkpoint is an error.
"""
from __future__ import annotations

import json
import os
import sys

from graphneg.cli import add_command, add_quiet, add_seed, positive_float, positive_int

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "train", func=run, description=__doc__,
                    help="train link prediction on one graph")
    p.add_argument("--graph", default="ba:num_nodes=300,num_edges=3", metavar="SPEC",
                   help="generator spec (ba:num_nodes=300,num_edges=3), shipped graph name, or the "
                        "path of an edge list / .pt file")
    p.add_argument("--sampler", default="uniform", metavar="NAME", help="sampler name")
    p.add_argument("--encoder", default="gcn", help="encoder name (gcn, sage)")
    p.add_argument("--features", default="auto",
                   choices=["auto", "embedding", "onehot", "degree", "x"],
                   help="node features for featureless graphs (auto: data.x or a learnable "
                        "embedding)")
    p.add_argument("--epochs", type=positive_int, default=100, metavar="N", help="maximum epochs")
    p.add_argument("--patience", type=positive_int, default=None, metavar="N",
                   help="early-stopping patience in epochs (default: none)")
    p.add_argument("--num-neg", type=positive_int, default=1, metavar="K",
                   help="training negatives per positive")
    p.add_argument("--hidden", type=positive_int, default=64, metavar="D",
                   help="hidden and embedding width")
    p.add_argument("--lr", type=positive_float, default=0.01, help="Adam learning rate")
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="B",
                   help="optimiser steps on mini-batches of B training positives per epoch, "
                        "negatives from a sampler prepared once (default: one full-batch step)")
    add_seed(p)
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--allow-config-change", action="store_true",
                   help="with --resume: continue a checkpoint made with other settings "
                        "(the new --lr applies)")
    add_quiet(p)


def run(args) -> int:
    from graphneg.analysis.report import atomic_write
    from graphneg.analysis.studies.topology import _parse_graph_spec
    from graphneg.training import LinkPredictionTrainer

    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise NotADirectoryError(20, "--out must be a folder, not a file", args.out)
    if args.resume and not os.path.isfile(os.path.join(args.out, "checkpoint.pt")):
        raise FileNotFoundError(2, "--resume: no checkpoint to continue (run without "
                                   "--resume to start)", os.path.join(args.out, "checkpoint.pt"))
    _, build = _parse_graph_spec(args.graph, "--graph")  # errors name the flag
    data = build(args.seed)
    os.makedirs(args.out, exist_ok=True)
    trainer = LinkPredictionTrainer(
        data, sampler=args.sampler, encoder=args.encoder, features=args.features,
        epochs=args.epochs, patience=args.patience, num_neg=args.num_neg,
        hidden_channels=args.hidden, out_channels=args.hidden, lr=args.lr, seed=args.seed,
        batch_size=args.batch_size, checkpoint_dir=args.out, verbose=not args.quiet)
    history = trainer.fit(resume=args.resume, allow_config_change=args.allow_config_change)
    test = trainer.test()
    atomic_write(os.path.join(args.out, "history.csv"),
                 lambda fh: history.to_csv(fh, index=False))
    atomic_write(os.path.join(args.out, "test.json"),
                 lambda fh: json.dump({"best_epoch": trainer.best_epoch, **test}, fh, indent=2))
    print(f"{args.graph} × {args.sampler}: best epoch {trainer.best_epoch}, "
          + ", ".join(f"test {k} {v:.3f}" for k, v in test.items()), file=sys.stderr)
    print(f"history.csv, test.json and checkpoint.pt in {args.out}", file=sys.stderr)
    return 0
