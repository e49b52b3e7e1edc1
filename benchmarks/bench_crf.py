"""CRF forward algorithm: batched log-space (graphneg.models.crf) vs a per-sequence reference.

Workload: the first ``--batch`` sentences of the shipped Turkish UPOS sample
(14 labels), random emissions and CRF parameters, float64. The reference is the
straightforward implementation found in tutorials and in ``pytorch-crf``'s
per-sequence form: for each sentence, a loop over its own positions with
``torch.logsumexp`` on ``(L, L)`` tensors — no padding, no batching. Both must agree
to 1e-9. Also times the contrastive-estimation loss over the full neighbourhood
(TRANS1) on the same batch: O(1) local score differences (``contrastive_loss_local``)
vs scoring every materialised neighbour sequence (``contrastive_loss``). Medians of ``--reps`` (>= 5) repetitions.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_crf.py [--batch 512] [--reps 5]``
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

from graphneg.models.crf import LinearChainCRF
from graphneg.samplers.sequences import sequence_neighbours
from graphneg.datasets.sequences import encode_sentences, load_turkish_upos_sample

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time  # noqa: E402


def reference_log_partition(crf, emissions, lengths):
    out = []
    for b, n in enumerate(lengths):  # the reference: one sentence at a time
        alpha = crf.start + emissions[b, 0]
        for t in range(1, n):
            alpha = torch.logsumexp(alpha.unsqueeze(1) + crf.transitions, dim=0) + emissions[b, t]
        out.append(torch.logsumexp(alpha + crf.end, dim=0))
    return torch.stack(out)


@torch.no_grad()
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    sents = load_turkish_upos_sample()[:args.batch]
    enc, vocab = encode_sentences(sents)
    mask = enc["mask"]
    lengths = mask.sum(1).tolist()
    num_labels = len(vocab.labels)
    gen = torch.Generator().manual_seed(0)
    crf = LinearChainCRF(num_labels).double()
    for p in crf.parameters():
        p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
    em = torch.randn(*mask.shape, num_labels, generator=gen, dtype=torch.float64)
    print(f"{len(sents)} sentences, max length {mask.size(1)}, mean "
          f"{sum(lengths) / len(lengths):.1f}, {num_labels} labels; torch threads "
          f"{torch.get_num_threads()}")
    ours = crf.log_partition(em, mask)
    ref = reference_log_partition(crf, em, lengths)
    err = float((ours - ref).abs().max())
    t_ours, _ = median_time(lambda: crf.log_partition(em, mask), args.reps)
    t_ref, _ = median_time(lambda: reference_log_partition(crf, em, lengths), args.reps)
    print(f"forward: batched {t_ours * 1e3:.1f} ms, per-sequence reference {t_ref * 1e3:.1f} ms, "
          f"ratio {t_ref / t_ours:.1f}x, max |diff| {err:.1e}")
    tags = enc["tags"]

    def ce_materialised():
        nb, ok = sequence_neighbours(tags, mask, num_labels)
        return crf.contrastive_loss(em, tags, mask, nb, ok)

    nb, ok = sequence_neighbours(tags, mask, num_labels)
    ce_err = float((ce_materialised() - crf.contrastive_loss_local(em, tags, mask)).abs().max())
    t_mat, _ = median_time(ce_materialised, args.reps)
    t_loc, _ = median_time(lambda: crf.contrastive_loss_local(em, tags, mask), args.reps)
    t_nll, _ = median_time(lambda: crf.nll(em, tags, mask), args.reps)
    print(f"CE loss over all {int(ok.sum())} neighbours ({int(ok.sum()) / len(sents):.0f} per "
          f"sentence): local deltas {t_loc * 1e3:.1f} ms vs materialised sequences "
          f"{t_mat * 1e3:.1f} ms (ratio {t_mat / t_loc:.1f}x, max |diff| {ce_err:.1e}); "
          f"exact NLL (forward + score) {t_nll * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
