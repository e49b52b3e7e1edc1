r"""The paired design of the topology study: one split and one set of evaluation
negatives per topology and seed, shared by every sampler and every baseline.

:func:`prepare_split` draws, for a graph and a seed,

* the split (``T.RandomLinkSplit``, 10% validation and 10% test edges, undirected,
  from a private generator so that the global RNG is untouched);
* the test positives (one direction per undirected edge, oriented by a seeded coin:
  ``RandomLinkSplit`` returns every undirected edge as ``(min, max)``, and the
  ``uniform`` protocol keeps the first node and corrupts the second, so without the
  coin the corrupted endpoint would always be the one of larger id — on a
  Barabási–Albert graph the younger, low-degree node — which makes degree look
  *anti*-informative: preferential attachment scores AUC 0.46 instead of 0.58 on BA(300, 3));
* the evaluation negatives of both protocols of :mod:`graphneg.protocols`
  (``uniform`` and ``heart``, ``num_neg`` each per positive), never an edge of the
  full graph;
* the metrics of the heuristic baselines (:mod:`graphneg.analysis.baselines`) on them.

Every sampler's trained model is then scored on exactly these pairs, so differences
between methods are paired by seed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence

import torch
from torch import Tensor

from graphneg.protocols import PROTOCOLS, evaluation_negatives

from ..baselines import BASELINES, heuristic_baselines, protocol_metrics

__all__ = ["PairedSplit", "prepare_split", "score_trained"]


@dataclass
class PairedSplit:
    """What every method of one (topology, seed) is evaluated on.

    Attributes
    ----------
    split : (Data, Data, Data)
        ``(train, val, test)`` as ``T.RandomLinkSplit`` returns them.
    test_pos : LongTensor, shape (2, P)
        Test positives, one direction per undirected edge, chosen at random.
    negatives : dict of str to LongTensor, shape (2, P * K)
        ``protocol -> negatives``, anchor-conditioned layout.
    baselines : dict of str to dict
        ``"heuristic:<name>" -> metrics`` on the same pairs.
    """

    split: Any
    test_pos: Tensor
    negatives: Dict[str, Tensor]
    baselines: Dict[str, Dict[str, float]] = field(default_factory=dict)


def prepare_split(data: Any, seed: int, *, num_neg: int = 20, val_ratio: float = 0.1,
                  test_ratio: float = 0.1, protocols: Sequence[str] = PROTOCOLS,
                  baselines: Optional[Sequence[str]] = BASELINES,
                  hits_k: Sequence[int] = (10,)) -> PairedSplit:
    r"""Split ``data`` and draw the shared evaluation negatives (see the module docstring).

    Parameters
    ----------
    data : Data
        Undirected graph (both directions in ``edge_index``).
    seed : int
        Seeds the split and the negatives.
    num_neg : int
        Evaluation negatives per positive under each protocol.

    Returns
    -------
    PairedSplit

    Examples
    --------
    >>> from graphneg.datasets import load_graph
    >>> ps = prepare_split(load_graph("karate"), 0, num_neg=5)
    >>> sorted(ps.negatives), ps.negatives["heart"].shape[1] == 5 * ps.test_pos.shape[1]
    (['heart', 'uniform'], True)
    """
    import torch_geometric.transforms as T

    state = torch.random.get_rng_state()
    try:  # RandomLinkSplit draws from the global RNG: seed it privately and restore
        torch.manual_seed(seed)
        split = T.RandomLinkSplit(num_val=val_ratio, num_test=test_ratio, is_undirected=True,
                                  add_negative_train_samples=False)(data)
    finally:
        torch.random.set_rng_state(state)
    train, _, test = split
    test_pos = test.edge_label_index[:, test.edge_label == 1]
    coin = torch.rand(test_pos.size(1), generator=torch.Generator().manual_seed(seed)) < 0.5
    test_pos = torch.where(coin, test_pos.flip(0), test_pos)
    n = int(data.num_nodes)
    negatives = {p: evaluation_negatives(p, train_edge_index=train.edge_index,
                                         full_edge_index=data.edge_index,
                                         pos_edge_index=test_pos, num_nodes=n,
                                         num_neg=num_neg, seed=seed, on_short="repeat")
                 for p in protocols}
    base = {} if not baselines else heuristic_baselines(
        train.edge_index, n, test_pos, negatives, methods=baselines, hits_k=hits_k, seed=seed)
    return PairedSplit(split, test_pos, negatives, base)


def score_trained(trainer: Any, paired: PairedSplit, *,
                  hits_k: Sequence[int] = (10,)) -> Dict[str, float]:
    r"""Metrics of a fitted :class:`~graphneg.training.LinkPredictionTrainer` under every
    protocol, on the shared pairs (``test_*`` for uniform, ``heart_*`` for HeaRT).

    The model scores pairs with the test split's message-passing edges, as the
    trainer's own test evaluation does.
    """
    model = trainer.model
    was_training = model.training
    model.eval()
    with torch.no_grad(), trainer.rng_scope():
        z = model.encode(paired.split[2].edge_index)
    model.train(was_training)
    return protocol_metrics(lambda pairs: model.decode(z, pairs), paired.test_pos,
                            paired.negatives, hits_k=hits_k)
