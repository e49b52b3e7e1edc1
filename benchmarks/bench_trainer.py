"""Epoch time of LinkPredictionTrainer vs a plain PyG link-prediction loop.

Baseline: the pattern of PyG's ``examples/link_pred.py`` — a two-layer GCN
(``GCNConv(F, 128)``, ReLU, ``GCNConv(128, 64)``), dot-product decoder,
``negative_sampling`` on every epoch (one negative per training positive),
``BCEWithLogitsLoss``, Adam(lr=0.01), then validation AUC (sklearn) each epoch.

Ours: ``LinkPredictionTrainer`` on the same split, the same model shape
(``encoder="gcn"``, hidden 128, out 64, ``features="x"``), uniform sampler with
one negative per positive, validation each epoch with one fixed negative per
positive (``eval_num_neg=1``, as the baseline's split has). Two settings: with
the per-epoch diagnostics (η and h_k) and without (``diagnostics=False``).

Graph: ``barabasi_albert(N, 5)`` with 64 random features per node. Each of
``--reps`` repetitions trains ``--epochs`` epochs; the figure is the median
over repetitions of the median epoch time. Also printed: the sampler's share
of our epoch time (``sampler_time_s / wall_time_s``).

Note: by default our trainer uses every undirected positive in both directions
(both endpoints serve as anchors), so it samples and scores twice as many pairs
as the baseline per epoch; the third setting (``both_directions=False``,
diagnostics off) trains on exactly the baseline's pairs.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_trainer.py [--nodes 20000] [--reps 5]``
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch_geometric.transforms as T
from sklearn.metrics import roc_auc_score
from torch_geometric.nn import GCNConv
from torch_geometric.utils import negative_sampling

from graphneg.generators import barabasi_albert
from graphneg.training import LinkPredictionTrainer


class Net(torch.nn.Module):
    def __init__(self, in_channels, hidden_channels, out_channels):
        super().__init__()
        self.conv1 = GCNConv(in_channels, hidden_channels)
        self.conv2 = GCNConv(hidden_channels, out_channels)

    def encode(self, x, edge_index):
        return self.conv2(self.conv1(x, edge_index).relu(), edge_index)

    def decode(self, z, edge_label_index):
        return (z[edge_label_index[0]] * z[edge_label_index[1]]).sum(dim=-1)


def pyg_epoch_times(split, epochs: int):
    train_data, val_data, _ = split
    model = Net(train_data.num_features, 128, 64)
    optimizer = torch.optim.Adam(params=model.parameters(), lr=0.01)
    criterion = torch.nn.BCEWithLogitsLoss()
    times = []
    for _ in range(epochs):
        tic = time.perf_counter()
        model.train()
        optimizer.zero_grad()
        z = model.encode(train_data.x, train_data.edge_index)
        neg = negative_sampling(edge_index=train_data.edge_index, num_nodes=train_data.num_nodes,
                                num_neg_samples=train_data.edge_label_index.size(1),
                                method="sparse")
        edge_label_index = torch.cat([train_data.edge_label_index, neg], dim=-1)
        edge_label = torch.cat([train_data.edge_label, train_data.edge_label.new_zeros(neg.size(1))])
        out = model.decode(z, edge_label_index).view(-1)
        loss = criterion(out, edge_label)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            z = model.encode(val_data.x, val_data.edge_index)
            out = model.decode(z, val_data.edge_label_index).view(-1).sigmoid()
        roc_auc_score(val_data.edge_label.numpy(), out.numpy())
        times.append(time.perf_counter() - tic)
    return times


def ours_epoch_times(split, epochs: int, diagnostics: bool, both_directions: bool = True):
    trainer = LinkPredictionTrainer(split, encoder="gcn", features="x", hidden_channels=128,
                                    out_channels=64, epochs=epochs, eval_num_neg=1, seed=0,
                                    verbose=False, diagnostics=diagnostics, monitor=None,
                                    both_directions=both_directions)
    hist = trainer.fit()
    return hist["wall_time_s"].tolist(), (hist["sampler_time_s"] / hist["wall_time_s"]).tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    data = barabasi_albert(args.nodes, 5, seed=0)
    data.x = torch.randn(args.nodes, 64, generator=torch.Generator().manual_seed(0))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        split = T.RandomLinkSplit(num_val=0.05, num_test=0.1, is_undirected=True,
                                  add_negative_train_samples=False)(data)
        pyg, ours, ours_nodiag, ours_one, share = [], [], [], [], []
        for _ in range(args.reps):  # interleaved, so load drifts hit all alike
            pyg.append(statistics.median(pyg_epoch_times(split, args.epochs)))
            t, s = ours_epoch_times(split, args.epochs, diagnostics=True)
            ours.append(statistics.median(t))
            share.append(statistics.median(s))
            t, _ = ours_epoch_times(split, args.epochs, diagnostics=False)
            ours_nodiag.append(statistics.median(t))
            t, _ = ours_epoch_times(split, args.epochs, diagnostics=False, both_directions=False)
            ours_one.append(statistics.median(t))
    med = statistics.median
    print(f"barabasi_albert({args.nodes}, 5), 64 features, GCN 64-128-64; "
          f"{args.reps} reps x {args.epochs} epochs (median of medians)")
    print(f"plain PyG loop (link_pred.py pattern)        {med(pyg) * 1e3:8.1f} ms / epoch")
    print(f"LinkPredictionTrainer, diagnostics on        {med(ours) * 1e3:8.1f} ms / epoch"
          f"   ratio {med(ours) / med(pyg):.2f}x")
    print(f"LinkPredictionTrainer, diagnostics=False     {med(ours_nodiag) * 1e3:8.1f} ms / epoch"
          f"   ratio {med(ours_nodiag) / med(pyg):.2f}x")
    print(f"  same pairs as PyG (both_directions=False)  {med(ours_one) * 1e3:8.1f} ms / epoch"
          f"   ratio {med(ours_one) / med(pyg):.2f}x")
    print(f"sampler share of our epoch time (diagnostics on): {med(share):.1%}")


if __name__ == "__main__":
    main()
