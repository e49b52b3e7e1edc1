"""Beyond flat graphs (issue 9): ``graphneg spikes``, ``crf``, ``hyperbolic``, ``alignment``.

``graphneg spikes``      real locust spike trains (nitime) cut into windows, van Rossum
                         embeddings checked against the closed-form distance, a
                         contrastive encoder trained with uniform vs hard (nearest by
                         van Rossum) negatives; temporal emphasis ratio over training.
``graphneg crf``         linear-chain CRF on the shipped Turkish UPOS sample, trained by
                         exact NLL vs contrastive estimation (all / sampled TRANS1
                         neighbours); accuracy and the CE–NLL gap per epoch.
``graphneg hyperbolic``  Poincaré (geoopt) vs Euclidean embeddings of the shipped
                         ICD-10-CM hierarchy; utility ratio of a hard vs an easy negative
                         against the anchor norm, controlled and trained.
``graphneg alignment``   alignment / uniformity trajectories of a link predictor trained
                         with different samplers.

Each writes CSV files and one PNG figure to ``--out``; defaults need no flags.
"""
from __future__ import annotations

import argparse
import pathlib

__all__ = ["register", "run_spikes", "run_crf", "run_hyperbolic", "run_alignment"]


def _parser(subparsers, name, help_, func, out):
    p = subparsers.add_parser(name, help=help_, description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=f"results/{out}", help=f"output folder (results/{out})")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=func)
    return p


def register(subparsers) -> None:
    p = _parser(subparsers, "spikes", "spike trains: van Rossum embedding, uniform vs hard "
                "negatives, temporal emphasis ratio", run_spikes, "spikes")
    p.add_argument("--epochs", type=int, default=80)
    p.add_argument("--tau", type=float, default=0.005, help="van Rossum tau in s (5 ms)")
    p.add_argument("--window", type=float, default=0.1, help="window length in s")
    p.add_argument("--split-ratio", type=float, default=0.5)
    p = _parser(subparsers, "crf", "CRF: exact NLL vs contrastive estimation on a real POS "
                "sample", run_crf, "crf")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--max-length", type=int, default=25)
    p.add_argument("--num-samples", type=int, default=20,
                   help="neighbours per sentence for the sampled CE run")
    p = _parser(subparsers, "hyperbolic", "Poincaré vs Euclidean embeddings of a real "
                "hierarchy; hard-vs-easy negative utility vs ||u||", run_hyperbolic,
                "hyperbolic")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--dim", type=int, default=5)
    p = _parser(subparsers, "alignment", "alignment / uniformity trajectories per sampler",
                run_alignment, "alignment")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--samplers", default="uniform,degree,structural")


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    print(f"wrote {path}")


def run_spikes(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import torch

    from graphneg.analysis.spikes import plot_temporal_emphasis
    from graphneg.datasets.spikes import grasshopper_windows
    from graphneg.training.spikes import SpikeContrastiveTrainer
    from graphneg.spike_trains import grid_van_rossum_distance, time_grid, van_rossum_distance, van_rossum_embedding, van_rossum_grid_error_bound

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    trains = grasshopper_windows(1, window=args.window)  # non-overlapping windows
    print(f"{trains.num_trains} windows of {args.window * 1e3:.0f} ms, "
          f"{float(trains.counts.double().mean()):.1f} spikes each on average")
    # grid vs closed form on consecutive windows
    num_points = 1001
    _, dt = time_grid(0.0, args.window, num_points)
    a = trains.index_select(torch.arange(0, trains.num_trains - 1))
    b = trains.index_select(torch.arange(1, trains.num_trains))
    exact = van_rossum_distance(a, b, tau=args.tau, squared=True)
    grid = grid_van_rossum_distance(van_rossum_embedding(a, tau=args.tau, num_points=num_points),
                                    van_rossum_embedding(b, tau=args.tau, num_points=num_points),
                                    tau=args.tau, dt=dt, squared=True)
    bound = van_rossum_grid_error_bound(a, b, tau=args.tau, dt=dt)
    err = (grid - exact).abs()
    print(f"van Rossum D^2 grid vs closed form ({num_points} points, dt/tau = "
          f"{dt / args.tau:.3f}): max |err| {float(err.max()):.2e}, max bound "
          f"{float(bound.max()):.2e}, all within bound: {bool((err <= bound + 1e-12).all())}")
    hists = {}
    for sampler in ("uniform", "hard"):
        tr = SpikeContrastiveTrainer(trains, tau=args.tau, num_points=200, sampler=sampler,
                                     num_neg=5, num_hard=5, epochs=args.epochs,
                                     split_ratio=args.split_ratio, seed=args.seed,
                                     verbose=False)
        hists[sampler] = tr.fit()
        hists[sampler].to_csv(out / f"spikes_{sampler}.csv", index=False)
        h = hists[sampler]
        n = max(1, len(h) // 10)
        print(f"{sampler:8s}: temporal emphasis ratio first {n} epochs "
              f"{h['temporal_emphasis_ratio'].iloc[:n].mean():.3f}, last {n} "
              f"{h['temporal_emphasis_ratio'].iloc[-n:].mean():.3f}; final loss "
              f"{h['loss'].iloc[-1]:.3f}; val top-1 retrieval {h['val_top1_acc'].iloc[-1]:.3f}")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    plot_temporal_emphasis(hists, ax=axes[0])
    for name, h in hists.items():
        axes[1].plot(h["epoch"], h["val_top1_acc"], label=name)
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("top-1 retrieval of jittered copy")
    axes[1].set_title("Retrieval accuracy")
    axes[1].legend(title="negatives")
    _save(fig, out / "spikes_temporal_emphasis.png")
    plt.close(fig)
    pd.DataFrame({"exact_sq": exact.numpy(), "grid_sq": grid.numpy(),
                  "bound": bound.numpy()}).to_csv(out / "van_rossum_check.csv", index=False)
    return 0


def run_crf(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import torch

    from graphneg.analysis.structured import plot_ce_nll_gap
    from graphneg.training.crf import CRFTrainer
    from graphneg.datasets.sequences import encode_sentences, load_turkish_upos_sample

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sents = load_turkish_upos_sample(max_length=args.max_length)
    perm = torch.randperm(len(sents), generator=torch.Generator().manual_seed(args.seed))
    sents = [sents[i] for i in perm.tolist()]
    n_val = len(sents) // 5
    train, val = sents[n_val:], sents[:n_val]
    enc, vocab = encode_sentences(train)
    enc_val, _ = encode_sentences(val, vocab)
    print(f"{len(train)} train / {len(val)} val sentences, {len(vocab.labels)} UPOS tags, "
          f"{len(vocab.words)} words")
    kw = dict(num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
              num_labels=len(vocab.labels), epochs=args.epochs, seed=args.seed, lr=0.05,
              verbose=False, batch_size=32, monitor=None)
    runs = {"NLL (forward algorithm)": dict(objective="nll"),
            "CE, all neighbours": dict(objective="ce"),
            f"CE, {args.num_samples} sampled": dict(objective="ce", num_samples=args.num_samples)}
    hists, rows = {}, []
    for name, cfg in runs.items():
        h = CRFTrainer(enc, enc_val, **cfg, **kw).fit()
        hists[name] = h
        h.assign(run=name).to_csv(out / f"crf_{cfg['objective']}_{cfg.get('num_samples', 'all')}.csv",
                                  index=False)
        rows.append({"run": name, "val_acc": h["val_acc"].iloc[-1], "nll": h["nll"].iloc[-1],
                     "ce": h["ce"].iloc[-1], "gap": h["ce_nll_gap"].iloc[-1],
                     "s_per_epoch": h["wall_time_s"].mean()})
    summary = pd.DataFrame(rows)
    majority = float((enc_val["tags"][enc_val["mask"]] == enc["tags"][enc["mask"]].mode().values)
                     .double().mean())
    print(summary.round(4).to_string(index=False))
    print(f"majority-tag baseline accuracy: {majority:.4f}")
    summary.to_csv(out / "crf_summary.csv", index=False)
    fig, ax = plt.subplots(figsize=(8, 5.5))
    plot_ce_nll_gap(hists, ax=ax)
    _save(fig, out / "crf_ce_nll_gap.png")
    plt.close(fig)
    return 0


def run_hyperbolic(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from graphneg.analysis.hyperbolic import (
        plot_utility_ratio, utility_ratio_controlled, utility_ratio_trained,
    )
    from graphneg.datasets.hierarchies import load_icd10cm_hierarchy, transitive_closure, tree_parents
    from graphneg.generators import balanced_tree
    from graphneg.training.hyperbolic import PoincareTrainer

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    icd = load_icd10cm_hierarchy(closure=True)
    tree = balanced_tree(3, 5)
    tree_cl = transitive_closure(tree_parents(tree.edge_index, tree.num_nodes))
    graphs = {"ICD-10-CM": (icd.edge_index, icd.num_nodes),
              "balanced tree r=3 h=5": (tree_cl, tree.num_nodes)}
    rows, trained = [], {}
    for gname, (ei, n) in graphs.items():
        for man in ("poincare", "euclidean"):
            tr = PoincareTrainer(ei, n, dim=args.dim, manifold=man, epochs=args.epochs,
                                 num_neg=10, lr=0.1, batch_size=1024, seed=args.seed,
                                 evaluate_every=args.epochs, verbose=False)
            h = tr.fit()
            last = h.iloc[-1]
            rows.append({"graph": gname, "manifold": man, "nodes": n, "pairs": ei.size(1),
                         "map": last["val_map"], "mean_rank": last["val_mean_rank"],
                         "loss": last["loss"], "max_norm": last["max_norm"]})
            if gname == "ICD-10-CM":
                trained[f"{man} ({gname})"] = utility_ratio_trained(
                    tr.model.weight.detach(), ei, manifold=man, seed=args.seed)
    summary = pd.DataFrame(rows)
    print(summary.round(4).to_string(index=False))
    summary.to_csv(out / "hyperbolic_reconstruction.csv", index=False)
    radii = np.linspace(0, 0.995, 60)
    controlled = {"Poincaré": utility_ratio_controlled(radii),
                  "Euclidean": utility_ratio_controlled(radii, manifold="euclidean")}
    pd.concat([d.assign(manifold=k) for k, d in controlled.items()]).to_csv(
        out / "utility_controlled.csv", index=False)
    pd.concat([d.assign(model=k) for k, d in trained.items()]).to_csv(
        out / "utility_trained.csv", index=False)
    for k, d in trained.items():
        q = pd.qcut(d["norm"], 4, duplicates="drop")
        print(k, "median ratio per norm quartile:",
              d.groupby(q, observed=True)["ratio"].median().round(3).tolist())
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.3))
    plot_utility_ratio({"Poincaré": controlled["Poincaré"]},
                       {k: v for k, v in trained.items() if k.startswith("poincare")},
                       x="hyperbolic_norm", ax=axes[0])
    axes[0].set_title("Poincaré ball")
    plot_utility_ratio({"Euclidean": controlled["Euclidean"]},
                       {k: v for k, v in trained.items() if k.startswith("euclidean")},
                       ax=axes[1])
    axes[1].set_title("Euclidean (same loss, d = ||u - n||)")
    _save(fig, out / "hyperbolic_utility_ratio.png")
    plt.close(fig)
    return 0


def run_alignment(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from graphneg.analysis.alignment import AlignmentUniformityRecorder, plot_alignment_uniformity
    from graphneg.generators import stochastic_block_model
    from graphneg.training import LinkPredictionTrainer

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = stochastic_block_model([100, 100, 100], [[0.1, 0.01, 0.01], [0.01, 0.1, 0.01],
                                                    [0.01, 0.01, 0.1]], seed=args.seed)
    trajectories, rows = {}, []
    for name in args.samplers.split(","):
        tr = LinkPredictionTrainer(data, sampler=name, num_neg=5, epochs=args.epochs,
                                   seed=args.seed, verbose=False, monitor=None)
        rec = AlignmentUniformityRecorder(lambda t: t.embeddings(), data.edge_index,
                                          seed=args.seed)
        h = rec.attach(tr).fit()
        trajectories[name] = rec.history
        rec.history.assign(sampler=name).to_csv(out / f"alignment_{name}.csv", index=False)
        last = rec.history.iloc[-1]
        rows.append({"sampler": name, "alignment": last["alignment"],
                     "uniformity": last["uniformity"],
                     "val_auc": h["val_auc"].iloc[-1] if "val_auc" in h else float("nan")})
    summary = pd.DataFrame(rows)
    print(summary.round(4).to_string(index=False))
    summary.to_csv(out / "alignment_summary.csv", index=False)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    plot_alignment_uniformity(trajectories, ax=ax)
    _save(fig, out / "alignment_uniformity.png")
    plt.close(fig)
    return 0
