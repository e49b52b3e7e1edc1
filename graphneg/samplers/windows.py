r"""Spike-train window negatives: other windows, uniform or uniform among the ``num_hard``
nearest by grid van Rossum distance (:mod:`graphneg.spike_trains`).
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor

from graphneg._random import Seed, as_generator
from graphneg._validation import check_int, check_option

__all__ = ["window_negatives"]


def window_negatives(num_windows: int, anchors: Tensor, num_neg: int, *,
                     mode: str = "uniform", emb: Optional[Tensor] = None,
                     num_hard: int = 10, min_distance: Optional[Tensor] = None,
                     seed: Seed = None) -> Tensor:
    r"""Negative windows for each anchor window.

    Parameters
    ----------
    num_windows : int
        ``W >= 2``.
    anchors : LongTensor, shape (A,)
        Anchor window ids.
    num_neg : int
        ``K`` negatives per anchor.
    mode : {"uniform", "hard"}
        ``"uniform"``: :math:`q(n|u) = 1/(W-1)` over :math:`n \ne u`.
        ``"hard"``: uniform over the ``num_hard`` windows nearest to ``u`` in
        grid van Rossum distance (Euclidean distance of the embeddings ``emb``,
        which is :math:`\sqrt{\tau/\Delta t}` times it up to the tail term).
    emb : Tensor, shape (W, G)
        Embeddings, required for ``"hard"``.
    num_hard : int
        Size of the hard pool, ``1 <= num_hard <= W - 1``.
    min_distance : Tensor, shape (A,), optional
        ``"hard"`` only: windows nearer to anchor ``a`` than ``min_distance[a]`` (same
        units as the embedding distance) are likely false negatives (as near as a
        jittered copy of the anchor) and go to the end of the ranking: the pool is the
        ``num_hard`` nearest windows at distance ``>= min_distance[a]``, completed by the
        nearest excluded ones only when fewer remain.
    seed : int, torch.Generator or None

    Returns
    -------
    LongTensor, shape (A, K)
        Never the anchor itself.

    Notes
    -----
    Cost: uniform :math:`O(AK)`; hard :math:`O(AWG)` for the distances (``torch.cdist``)
    plus a top-k.

    Examples
    --------
    >>> neg = window_negatives(5, torch.tensor([0, 3]), 4, seed=0)
    >>> neg.shape, bool((neg != torch.tensor([[0], [3]])).all())
    (torch.Size([2, 4]), True)
    >>> emb = torch.tensor([[0.0], [1.0], [2.0], [3.0], [4.0]])
    >>> window_negatives(5, torch.tensor([0]), 3, mode="hard", emb=emb, num_hard=1,
    ...                  min_distance=torch.tensor([1.5]), seed=0).tolist()
    [[2, 2, 2]]
    """
    owner = "window_negatives"
    num_windows = check_int(num_windows, "num_windows", low=2, owner=owner)
    num_neg = check_int(num_neg, "num_neg", low=1, owner=owner)
    mode = check_option(mode, "mode", ("uniform", "hard"), owner=owner)
    gen = as_generator(seed)
    a = anchors.view(-1, 1)
    if mode == "uniform":
        r = torch.randint(num_windows - 1, (anchors.numel(), num_neg), generator=gen)
        return r + (r >= a).long()  # skip the anchor: uniform over the other W-1
    num_hard = check_int(num_hard, "num_hard", low=1, high=num_windows - 1, owner=owner)
    if emb is None or emb.size(0) != num_windows:
        raise ValueError(f"The 'emb' parameter of {owner} must be a ({num_windows}, G) tensor "
                         f"when mode='hard'. Got {None if emb is None else tuple(emb.shape)} "
                         f"instead.")
    d = torch.cdist(emb[anchors], emb)
    if min_distance is not None:  # near ones after all others, still nearest first
        near = d < torch.as_tensor(min_distance, dtype=d.dtype).view(-1, 1)
        d = torch.where(near, d + d.max() + 1.0, d)
    d.scatter_(1, a, float("inf"))
    pool = torch.topk(d, num_hard, dim=1, largest=False).indices
    pick = torch.randint(num_hard, (anchors.numel(), num_neg), generator=gen)
    return pool.gather(1, pick)
