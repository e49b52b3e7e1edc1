"""``graphneg ann`` and ``graphneg adversarial``: adaptive negative samplers (issue 8).

``graphneg ann`` trains a link predictor (uniform negatives) on a Barabási–Albert
graph, then measures at its embeddings how the approximate FAISS indexes (HNSW
over ``efSearch``, IVF over ``nprobe``) change hard-negative mining against the
exact index: recall@k, the mixture ``ε`` of ``q_ANN ≈ (1−ε) q_exact + ε uniform``,
the exact gradient bias, and the refresh time. Writes ``ann_sweep.csv`` and
``ann_bias_recall_refresh.png`` to ``--out``.

``graphneg adversarial`` trains a discriminator against a REINFORCE generator with
penalty ``λ = 0`` vs ``λ > 0`` and with an entropy bonus, and writes the per-epoch
mode-collapse indicators (``adversarial_collapse.csv``) and a figure.
"""
from __future__ import annotations

import argparse
import pathlib

__all__ = ["register", "run_ann", "run_adversarial"]


def register(subparsers) -> None:
    p = subparsers.add_parser("ann", help="ANN hard negatives: recall, mixture ε, gradient "
                                          "bias and refresh time vs efSearch / nprobe",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="results/ann", help="output folder (default results/ann)")
    p.add_argument("--num-nodes", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=50, help="link-prediction training epochs")
    p.add_argument("-k", type=int, default=32, help="candidates retrieved per anchor")
    p.add_argument("--anchor-step", type=int, default=4,
                   help="evaluate every n-th node as an anchor (default 4)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_ann)
    q = subparsers.add_parser("adversarial", help="adversarial negatives: mode collapse with "
                                                  "and without penalty / entropy bonus",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("--out", default="results/adversarial")
    q.add_argument("--num-nodes", type=int, default=200)
    q.add_argument("--epochs", type=int, default=150)
    q.add_argument("--seed", type=int, default=0)
    q.set_defaults(func=run_adversarial)


def run_ann(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import torch

    from graphneg.analysis.ann import ann_sweep, plot_bias_vs_recall, plot_refresh_time
    from graphneg.generators import barabasi_albert
    from graphneg.training import LinkPredictionTrainer

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = barabasi_albert(args.num_nodes, 4, seed=args.seed)
    trainer = LinkPredictionTrainer(data, epochs=args.epochs, seed=args.seed, verbose=False)
    trainer.fit()
    z = trainer.embeddings()
    n = data.num_nodes
    anchors = torch.arange(0, n, args.anchor_step)
    nlist = max(1, int(round(n ** 0.5)))
    hnsw = ann_sweep(z, data.edge_index, n, index="hnsw", values=[1, 2, 4, 8, 16, 32, 64, 128],
                     k=args.k, hnsw_m=8, anchors=anchors)
    ivf = ann_sweep(z, data.edge_index, n, index="ivf", k=args.k, nlist=nlist, anchors=anchors)
    df = pd.concat([hnsw, ivf], ignore_index=True)
    df.to_csv(out / "ann_sweep.csv", index=False)
    print(df.round(4).to_string())
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    plot_bias_vs_recall(df, ax=axes[0])
    plot_refresh_time(df, ax=axes[1])
    fig.tight_layout()
    fig.savefig(out / "ann_bias_recall_refresh.png", dpi=130)
    plt.close(fig)
    print(f"wrote {out}/ann_sweep.csv and ann_bias_recall_refresh.png")
    return 0


def run_adversarial(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from graphneg.analysis.adversarial import collapse_experiment, plot_collapse
    from graphneg.generators import erdos_renyi

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = erdos_renyi(args.num_nodes, 8.0 / args.num_nodes, seed=args.seed)
    df = collapse_experiment(data.edge_index, data.num_nodes, epochs=args.epochs,
                             seed=args.seed)
    df.to_csv(out / "adversarial_collapse.csv", index=False)
    last = df[df.epoch == df.epoch.max()].set_index("setting")
    print(last.round(4).to_string())
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    for ax, metric in zip(axes, ["entropy", "distinct_per_anchor", "top_share"]):
        plot_collapse(df, metric, ax=ax)
    fig.tight_layout()
    fig.savefig(out / "adversarial_collapse.png", dpi=130)
    plt.close(fig)
    print(f"wrote {out}/adversarial_collapse.csv and adversarial_collapse.png")
    return 0
