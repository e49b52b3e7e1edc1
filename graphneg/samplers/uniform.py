r"""Uniform negative sampling: the baseline every other sampler is measured against."""
from __future__ import annotations

from typing import Optional, Tuple, Union

import torch
from torch import Tensor

from graphneg._random import Seed
from graphneg.samplers.base import NegativeSampler, SamplingContext

__all__ = ["UniformNegativeSampler", "uniform_negatives"]


class UniformNegativeSampler(NegativeSampler, name="uniform"):
    r"""Uniform negatives over the non-neighbours of each anchor.

    .. math::

        \Pr[n \mid u] = \frac{1}{|C(u)|}, \quad n \in C(u),

    with :math:`C(u)` the valid candidates of :mod:`graphneg.samplers.base`
    (not ``u``, not a known edge in either direction). With ``mode="pairs"``
    the pair :math:`(u, n)` is uniform over all ordered non-edge pairs.

    Parameters
    ----------
    num_neg : int, default 1
        Negatives per positive (or pairs in total with ``mode="pairs"``).
    mode : {"per_anchor", "pairs"}
    seed : int, torch.Generator or None
    on_impossible : {"raise", "drop"}
    **kwargs
        ``directed``, ``fallback_ratio``, ``max_rounds``: see
        :class:`~graphneg.samplers.base.NegativeSampler`.

    Notes
    -----
    Rejection sampling: a proposal is accepted with probability
    :math:`|C(u)| / (N - 1)`, so the expected cost per negative is
    :math:`O(\frac{N}{|C(u)|} \log E)`; anchors with
    :math:`|C(u)| / (N-1)` below ``fallback_ratio`` (dense rows) are drawn from
    the enumerated complement instead, :math:`O(N)` per such anchor. The count is
    always exact (PyG's ``negative_sampling`` may return fewer).

    Device: per anchor on a graph without masks or groups, every step runs on
    the device of ``edge_index`` (:mod:`graphneg.samplers._device`: sorted keys and
    ``torch.searchsorted`` there, a generator there seeded from the sampler's).
    Pairs mode, masks, batches of graphs, bipartite calls and prepared samplers
    still draw on the CPU: inputs are copied there once per call and the result
    back. ``benchmarks/bench_gpu.py`` measures both against PyG's samplers on a
    CUDA device.

    References
    ----------
    Mikolov et al., *Distributed Representations of Words and Phrases*, NeurIPS 2013.

    Examples
    --------
    >>> from graphneg.generators import star
    >>> data = star(5)
    >>> sampler = UniformNegativeSampler(2, seed=0, on_impossible="drop")
    >>> out = sampler(data)          # the hub (node 0) is dropped: no non-neighbour
    >>> out.edge_label_index.shape, out.neg_stats["dropped"]
    (torch.Size([2, 12]), 4)
    """

    proposes_in_group = True
    device_law = "uniform"

    def _propose(self, anchors: Tensor, generator: torch.Generator,
                 ctx: SamplingContext) -> Tensor:
        if ctx.group is not None:          # a batch of graphs: draw inside the anchor's graph
            return ctx.draw_in_group(anchors, generator)
        cand = ctx.candidates
        if cand is None:
            return torch.randint(ctx.num_nodes, anchors.shape, generator=generator)
        return cand[torch.randint(cand.numel(), anchors.shape, generator=generator)]


def uniform_negatives(edge_index: Tensor, num_nodes: Union[int, Tuple[int, int], None] = None,
                      *, num_neg: int = 1, mode: str = "per_anchor",
                      pos_edge_index: Optional[Tensor] = None,
                      exclude_edge_index: Optional[Tensor] = None,
                      candidate_mask: Optional[Tensor] = None, batch: Optional[Tensor] = None,
                      anchor_mask: Optional[Tensor] = None, seed: Seed = None,
                      on_impossible: str = "raise", directed: bool = False,
                      fallback_ratio: float = 0.1, max_rounds: int = 32,
                      return_mask: bool = False) -> Union[Tensor, Tuple[Tensor, Tensor]]:
    r"""Functional twin of :class:`UniformNegativeSampler` (same body, every option).

    Parameters
    ----------
    edge_index : LongTensor, shape (2, E)
    num_nodes : int or (int, int), optional
        A pair ``(N_src, N_dst)`` samples a bipartite graph (PyG's convention).
    num_neg, mode, seed, on_impossible, directed, fallback_ratio, max_rounds
        As for the class.
    pos_edge_index, exclude_edge_index, candidate_mask, batch, anchor_mask, return_mask
        As for :meth:`~graphneg.samplers.base.NegativeSampler.sample`.

    Returns
    -------
    LongTensor, shape (2, P * num_neg) or (2, num_neg)
        On the device of ``edge_index`` (and the keep mask with ``return_mask``).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1], [1, 0]])
    >>> uniform_negatives(ei, 3, num_neg=1, seed=0).tolist()
    [[0, 1], [2, 2]]
    >>> uniform_negatives(ei, 4, num_neg=2, seed=0, candidate_mask=torch.tensor(
    ...     [False, False, False, True]))[1].tolist()
    [3, 3, 3, 3]
    """
    sampler = UniformNegativeSampler(num_neg, mode=mode, seed=seed, on_impossible=on_impossible,
                                     directed=directed, fallback_ratio=fallback_ratio,
                                     max_rounds=max_rounds)
    return sampler.sample(edge_index, num_nodes, pos_edge_index=pos_edge_index,
                          exclude_edge_index=exclude_edge_index, candidate_mask=candidate_mask,
                          batch=batch, anchor_mask=anchor_mask, return_mask=return_mask)
