r"""Sequence tagging with a linear-chain CRF on the shared loop (exact NLL or contrastive
estimation over neighbourhood negatives).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg._validation import (
    check_instance,
    check_int,
    check_option,
    check_real,
    checked_params,
)
from graphneg.models.crf import CRFTagger
from graphneg.training.loop import Trainer

__all__ = ["gradient_cosine", "CRFTrainer"]


@checked_params
def gradient_cosine(loss: Tensor, nll: Tensor, emissions: Tensor) -> Tensor:
    r"""Per-sentence cosine between the gradients that ``loss`` and the exact ``nll``
    send to the emissions.

    .. math::

        \cos_b = \frac{\langle \nabla_{E_b} L, \nabla_{E_b} L_{NLL} \rangle}
                       {\|\nabla_{E_b} L\| \, \|\nabla_{E_b} L_{NLL}\|},

    with :math:`\nabla_{E_{t,l}} L_{NLL} = p(y_t = l \mid x) - [y_t = l]` and, for
    contrastive estimation, :math:`\nabla_{E_{t,l}} L_{CE} = \sum_{y'} \tilde p(y')
    [y'_t = l] - [y_t = l]` (``docs/design.md``, section 5.10): 1 when the sampled
    neighbourhood pushes the emissions where the full partition function would.

    Parameters
    ----------
    loss, nll : Tensor, shape (B,)
        Per-sentence losses, both functions of ``emissions`` (each row of a sentence's
        own emissions only); the graph is kept for a later ``backward``.
    emissions : Tensor, shape (B, T, L)

    Returns
    -------
    Tensor, shape (B,)
        0 for a sentence whose gradients vanish.

    Examples
    --------
    >>> from graphneg.models.crf import LinearChainCRF
    >>> crf = LinearChainCRF(3)
    >>> em = torch.randn(2, 4, 3, generator=torch.Generator().manual_seed(0)).requires_grad_()
    >>> tags, mask = torch.zeros(2, 4, dtype=torch.long), torch.ones(2, 4, dtype=torch.bool)
    >>> nll = crf.nll(em, tags, mask)
    >>> [round(c, 4) for c in gradient_cosine(nll, nll, em).tolist()]
    [1.0, 1.0]
    """
    g_loss, = torch.autograd.grad(loss.sum(), emissions, retain_graph=True)
    g_nll, = torch.autograd.grad(nll.sum(), emissions, retain_graph=True)
    g_loss, g_nll = g_loss.flatten(1).double(), g_nll.flatten(1).double()
    den = g_loss.norm(dim=1) * g_nll.norm(dim=1)
    return torch.where(den > 0, (g_loss * g_nll).sum(1) / den.clamp_min(1e-300),
                       torch.zeros_like(den))


class CRFTrainer(Trainer):
    r"""Train a :class:`CRFTagger` by exact NLL or contrastive estimation (shared loop).

    Parameters
    ----------
    train, val : dict
        Encoded splits with ``words``, ``suffixes``, ``tags`` (LongTensor ``(B, T)``)
        and ``mask`` (BoolTensor), e.g. from
        :func:`graphneg.datasets.sequences.encode_sentences`.
    num_words, num_suffixes, num_labels : int
    objective : {"nll", "ce"}
    num_samples : int or None
        ``None``: the full neighbourhood; else a uniform sample of that size per sentence.
    batch_size : int
    lr : float
    epochs, seed, **loop_kwargs
        Passed to :class:`graphneg.training.Trainer` (``monitor="val_acc"`` by default).
    test : dict, optional
        Held-out sentences (same layout as ``val``) scored by :meth:`test`; the
        validation data then serves model selection only.
    grad_cos_batches : int or None
        ``grad_cos`` is measured on the first this many minibatches of each epoch's
        shuffled order (a random sample of sentences: it costs a forward algorithm and
        a backward pass per batch for CE); ``None``: on every minibatch.

    Notes
    -----
    Every epoch row holds ``loss`` (the objective), and for the whole training set
    the exact ``nll``, the full-neighbourhood ``ce`` and ``ce_nll_gap = nll - ce``
    (means per sentence); ``val_acc`` is Viterbi token accuracy. It also holds a
    hardness and a sampling-efficiency measure (``docs/design.md``, section 5.3), means
    over the epoch's sentences at the weights of their minibatch step (``grad_cos``: over
    the sentences of the first ``grad_cos_batches`` minibatches):
    ``neg_mass`` :math:`= 1 - e^{-L}`, the probability mass the objective's negatives
    take from the gold sequence (:math:`1 - \tilde p(y)` over
    :math:`\{y\} \cup N(y)` for CE, :math:`1 - p(y \mid x)` over every sequence for
    NLL, which is the gradient's share on the negatives: :math:`\partial L /
    \partial s(y) = -(1 - \tilde p(y))`), and ``grad_cos`` (:func:`gradient_cosine`,
    1 for NLL by definition), how well the objective's gradient on the emissions points
    where the exact NLL's does.

    Examples
    --------
    >>> from graphneg.datasets.sequences import hmm_sequences, encode_sentences
    >>> sents, _ = hmm_sequences(20, num_labels=3, vocab_size=8, length=5, seed=0)
    >>> enc, vocab = encode_sentences(sents)
    >>> tr = CRFTrainer(enc, enc, num_words=len(vocab.words), num_suffixes=len(vocab.suffixes),
    ...                 num_labels=len(vocab.labels), objective="ce", epochs=2, seed=0, verbose=False)
    >>> sorted(tr.fit().columns)[:3]
    ['ce', 'ce_nll_gap', 'elapsed_s']
    """

    #: The epoch row's keys besides the loop's (a ``monitor`` outside them fails at once).
    row_keys = ("loss", "nll", "ce", "ce_nll_gap", "neg_mass", "grad_cos", "val_acc")

    def __init__(self, train: Dict[str, Tensor], val: Dict[str, Tensor], *, num_words: int,
                 num_suffixes: int, num_labels: int, objective: str = "nll",
                 num_samples: Optional[int] = None, batch_size: int = 64, lr: float = 0.1,
                 epochs: int = 20, seed: Seed = None, monitor: Optional[str] = "val_acc",
                 test: Optional[Dict[str, Tensor]] = None,
                 grad_cos_batches: Optional[int] = 2, **loop_kwargs: Any):
        super().__init__(epochs=epochs, seed=seed, monitor=monitor, **loop_kwargs)
        owner = type(self).__name__
        self.objective = check_option(objective, "objective", ("nll", "ce"), owner=owner)
        self.num_samples = None if num_samples is None else check_int(
            num_samples, "num_samples", low=1, owner=owner)
        self.batch_size = check_int(batch_size, "batch_size", low=1, owner=owner)
        self.grad_cos_batches = None if grad_cos_batches is None else check_int(
            grad_cos_batches, "grad_cos_batches", low=1, owner=owner)
        num_labels = check_int(num_labels, "num_labels", low=2, owner=owner)
        num_words = check_int(num_words, "num_words", low=1, owner=owner)
        num_suffixes = check_int(num_suffixes, "num_suffixes", low=1, owner=owner)
        for name, split in (("train", train), ("val", val), ("test", test)):
            if split is not None or name != "test":
                check_instance(split, name, dict, "a dict of encoded tensors (words, "
                               "suffixes, tags, mask)", owner=owner)
        lr = check_real(lr, "lr", low=0, closed="neither", owner=owner)
        self.train_data, self.val_data, self.test_data = train, val, test
        self.num_labels = num_labels
        with self.rng_scope():
            self.model = CRFTagger(num_words, num_suffixes, num_labels)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)

    def _emissions(self, d: Dict[str, Tensor]) -> Tensor:
        return self.model(d["words"], d["suffixes"])

    def _ce(self, em, tags, mask, num_samples=None):
        return self.model.crf.contrastive_loss_local(em, tags, mask, num_samples=num_samples,
                                                     seed=self.generator)

    def train_step(self, epoch: int) -> Dict[str, Any]:
        d = self.train_data
        n = d["tags"].size(0)
        order = torch.randperm(n, generator=self.generator)
        losses, neg_mass, grad_cos, measured = [], 0.0, 0.0, 0
        for lo in range(0, n, self.batch_size):  # minibatches, each fully vectorised
            idx = order[lo:lo + self.batch_size]
            mask = d["mask"][idx]
            t = int(mask.sum(1).max())
            mask, tags = mask[:, :t], d["tags"][idx, :t]
            em = self.model(d["words"][idx, :t], d["suffixes"][idx, :t])
            if self.objective == "nll":
                per = self.model.crf.nll(em, tags, mask)
                grad_cos += float(idx.numel())
                measured += idx.numel()
            else:
                per = self._ce(em, tags, mask, self.num_samples)
                if self.grad_cos_batches is None or lo // self.batch_size < self.grad_cos_batches:
                    nll = self.model.crf.nll(em, tags, mask)  # the forward algorithm's cost
                    grad_cos += float(gradient_cosine(per, nll, em).sum())
                    measured += idx.numel()
            neg_mass += float(-torch.expm1(-per.detach().double()).sum())
            loss = per.mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            losses.append(float(loss.detach()) * idx.numel())
        nll, ce = self.exact_losses(d)
        return {"loss": sum(losses) / n, "nll": nll, "ce": ce, "ce_nll_gap": nll - ce,
                "neg_mass": neg_mass / n, "grad_cos": grad_cos / max(measured, 1)}

    @torch.no_grad()
    def exact_losses(self, d: Dict[str, Tensor]) -> Tuple[float, float]:
        """Mean exact NLL and full-neighbourhood CE loss over ``d`` (chunked)."""
        n = d["tags"].size(0)
        nll_sum = ce_sum = 0.0
        for lo in range(0, n, self.batch_size):
            s = slice(lo, lo + self.batch_size)
            mask = d["mask"][s]
            t = int(mask.sum(1).max())
            mask, tags = mask[:, :t], d["tags"][s, :t]
            em = self.model(d["words"][s, :t], d["suffixes"][s, :t])
            nll_sum += float(self.model.crf.nll(em, tags, mask).sum())
            ce_sum += float(self._ce(em, tags, mask).sum())
        return nll_sum / n, ce_sum / n

    def evaluate(self, split: str) -> Dict[str, Any]:
        """Viterbi token accuracy on the validation data, or on ``test`` (when given)
        for ``split == "test"``."""
        d = self.test_data if split == "test" and self.test_data is not None else self.val_data
        pred = self.model.crf.viterbi(self._emissions(d).detach(), d["mask"])
        hit = (pred == d["tags"]) & d["mask"]
        return {"acc": float(hit.sum()) / float(d["mask"].sum())}
