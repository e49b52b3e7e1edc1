r"""Structured negatives: the neighbourhood :math:`N(y)` of a label sequence.

:math:`N(y)` holds every single-position substitution (:math:`n(L-1)` sequences) and every
adjacent swap :math:`y_t \leftrightarrow y_{t+1}` with :math:`y_t \ne y_{t+1}` (TRANS1 on
labels, Smith & Eisner 2005); none equals :math:`y` and all are distinct. The CRF's
contrastive-estimation loss (:class:`graphneg.models.crf.LinearChainCRF`) normalises over
:math:`\{y\} \cup N(y)` or a uniform sample of it.
"""

from __future__ import annotations

from typing import Tuple

import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_int
from graphneg.models.crf import _check_mask, check_tags

__all__ = ["sequence_neighbours", "sample_neighbours"]


def sequence_neighbours(tags: Tensor, mask: Tensor, num_labels: int, *,
                        swaps: bool = True) -> Tuple[Tensor, Tensor]:
    r"""All substitution and adjacent-swap neighbours of every gold sequence.

    Parameters
    ----------
    tags : LongTensor, shape (B, T)
    mask : BoolTensor, shape (B, T)
    num_labels : int
    swaps : bool
        Include adjacent swaps (TRANS1); substitutions only otherwise.

    Returns
    -------
    neighbours : LongTensor, shape (B, N, T)
        ``N = T(L-1) + (T-1)`` slots: substitution ``(t, o)`` at ``t(L-1) + o - 1``,
        swap ``t <-> t+1`` at ``T(L-1) + t``.
    neighbour_mask : BoolTensor, shape (B, N)
        Slots that exist for the row (inside its length; swaps of unequal labels).

    Notes
    -----
    Cost :math:`O(B T^2 L)` memory and time. Row ``b`` has
    :math:`n_b(L-1) + \#\{t: y_t \ne y_{t+1}\}` neighbours, all distinct, none equal to ``y``.

    Examples
    --------
    >>> nb, ok = sequence_neighbours(torch.tensor([[0, 1]]), torch.tensor([[True, True]]), 2)
    >>> nb[0][ok[0]].tolist()
    [[1, 1], [0, 0], [1, 0]]
    """
    owner = "sequence_neighbours"
    num_labels = check_int(num_labels, "num_labels", low=1, owner=owner)
    _check_mask(mask, tags.shape, owner)
    check_tags(tags, num_labels, mask, owner=owner)
    b, t = tags.shape
    lm1 = num_labels - 1
    pos = torch.arange(t).repeat_interleave(lm1)                 # (T(L-1),)
    off = torch.arange(1, num_labels).repeat(t)
    sub = tags.unsqueeze(1).repeat(1, t * lm1, 1)                # (B, T(L-1), T)
    rows = torch.arange(t * lm1)
    sub[:, rows, pos] = (tags[:, pos] + off) % num_labels
    sub_ok = mask[:, pos]
    parts, oks = [sub], [sub_ok]
    if swaps and t > 1:
        sw = tags.unsqueeze(1).repeat(1, t - 1, 1)               # (B, T-1, T)
        i = torch.arange(t - 1)
        sw[:, i, i] = tags[:, i + 1]
        sw[:, i, i + 1] = tags[:, i]
        parts.append(sw)
        oks.append(mask[:, 1:] & (tags[:, :-1] != tags[:, 1:]))
    nb = torch.cat(parts, 1) * mask.unsqueeze(1)
    return nb, torch.cat(oks, 1)


def sample_neighbours(neighbours: Tensor, neighbour_mask: Tensor, num_samples: int, *,
                      seed: Seed = None) -> Tuple[Tensor, Tensor]:
    """Uniform sample without replacement of ``num_samples`` neighbours per row (Gumbel
    top-k over the valid slots); rows with fewer keep all of theirs.

    Returns ``(neighbours (B, S, T), mask (B, S))``, ``S = min(num_samples, N)``.

    Examples
    --------
    >>> nb, ok = sequence_neighbours(torch.tensor([[0, 1, 2]]), torch.ones(1, 3, dtype=torch.bool), 3)
    >>> s, sok = sample_neighbours(nb, ok, 4, seed=0)
    >>> s.shape, int(sok.sum())
    (torch.Size([1, 4, 3]), 4)
    """
    num_samples = check_int(num_samples, "num_samples", low=1, owner="sample_neighbours")
    gen = as_generator(seed)
    keys = torch.rand(neighbour_mask.shape, generator=gen).masked_fill(~neighbour_mask, -1.0)
    k = min(num_samples, neighbour_mask.size(1))
    top = keys.topk(k, dim=1)
    idx = top.indices
    ok = top.values >= 0
    return neighbours.gather(1, idx.unsqueeze(2).expand(-1, -1, neighbours.size(2))), ok
