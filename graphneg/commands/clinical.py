"""``graphneg clinical``: cross-site negatives on the four-site UCI heart-disease data.

Writes to ``--out``: exact false-negative rates against the own-site share π
(real sites and diagnoses), the domain component of the expected negative
gradient under the generative site model (exact and Monte Carlo), and the
held-out-site experiment (train on three sites, test on the fourth, per π).
"""
from __future__ import annotations

import argparse
import pathlib

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser("clinical", help="cross-site negatives on UCI heart disease",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="results/clinical")
    p.add_argument("--pis", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=150)
    p.add_argument("--num-neg", type=int, default=5)
    p.add_argument("--mc-draws", type=int, default=500,
                   help="negatives per anchor in the Monte Carlo check (default 500)")
    p.set_defaults(func=run)


def run(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import torch
    from tqdm.auto import tqdm

    from graphneg.analysis.clinical import (
        cross_site_generalisation, domain_basis, domain_decomposition, domain_gradient_curve,
        false_negative_curve, plot_domain_share, plot_false_negatives, simulate_site_embeddings,
    )
    from graphneg.analysis.gradient_bias import negative_gradient
    from graphneg.datasets import uci_heart_disease
    from graphneg.samplers import CrossSiteNegativeSampler

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = uci_heart_disease()
    p = data.num_patients
    site, y = data.site[:p], data.y[:p]
    grid = sorted(set(args.pis) | {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0})

    fn = false_negative_curve(site, y, grid, num_neg=args.num_neg)
    fn.to_csv(out / "clinical_false_negatives.csv", index=False)
    print(fn[fn.site == "all"].round(4).to_string(index=False))

    # generative model with the real sites' sizes and disease rates
    sizes = torch.bincount(site).tolist()
    rates = [float(y[site == s].double().mean()) for s in range(len(sizes))]
    z, ssite, sy = simulate_site_embeddings(sizes, rates, dim=16, signal_scale=1.5,
                                            site_scale=2.0, noise_scale=0.5, seed=0)
    exact = domain_gradient_curve(z, ssite, grid, label=sy)
    basis = domain_basis(z, ssite)
    n, k = ssite.numel(), args.mc_draws
    anchors = torch.arange(n)
    mc_rows = []
    for pi in tqdm(args.pis, desc="clinical: Monte Carlo check"):
        neg = CrossSiteNegativeSampler(k, same_site_prob=pi, seed=1).sample(
            torch.empty(2, 0, dtype=torch.long), n, pos_edge_index=torch.stack([anchors, anchors]),
            site=ssite)
        g = negative_gradient(z, neg).double().view(n, k, -1).mean(1)
        dec = domain_decomposition(g, basis)
        mc_rows.append({"same_site_prob": pi, "domain_share": float(
            (dec["domain_norm"] ** 2).sum() / (g ** 2).sum()),
            "fn_rate": float((sy[neg[0]] == sy[neg[1]]).double().mean())})
    mc = pd.DataFrame(mc_rows)
    merged = exact.merge(mc, on="same_site_prob", how="left", suffixes=("", "_mc"))
    merged.to_csv(out / "clinical_domain_gradient_simulated.csv", index=False)
    print(merged.round(4).to_string(index=False))

    runs = []
    for seed in tqdm(args.seeds, desc="clinical: held-out-site training"):
        runs.append(cross_site_generalisation(data, args.pis, seeds=[seed], epochs=args.epochs,
                                              num_neg=args.num_neg))
    gen = pd.concat(runs, ignore_index=True)
    gen["held_out"] = [data.site_names[i] for i in gen.held_out_site]
    gen.to_csv(out / "clinical_generalisation.csv", index=False)
    cols = ["probe_auc", "pair_auc", "site_probe_acc", "fn_rate", "domain_share"]
    summary = gen.groupby(["held_out", "same_site_prob"])[cols].agg(["mean", "std"])
    summary.to_csv(out / "clinical_generalisation_summary.csv")
    overall = gen.groupby("same_site_prob")[cols].mean()
    print(summary.round(3).to_string())
    print(overall.round(3).to_string())

    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    plot_false_negatives(fn, ax=axes[0], site_names=data.site_names)
    plot_domain_share(exact, ax=axes[1], label="exact (generative model)", mc=mc)
    for name, grp in gen.groupby("held_out"):
        m = grp.groupby("same_site_prob").probe_auc.agg(["mean", "std"])
        axes[2].errorbar(m.index, m["mean"], yerr=m["std"], marker="o", capsize=3, label=name)
    axes[2].set_xlabel("own-site share π")
    axes[2].set_ylabel("held-out-site diagnosis AUC (linear probe)")
    axes[2].set_title("Cross-site generalisation")
    axes[2].grid(True, alpha=0.3)
    axes[2].legend(title="held-out site", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "clinical_summary.png", dpi=130)
    plt.close(fig)
    print(f"wrote {out}/clinical_*.csv and clinical_summary.png")
    return 0
