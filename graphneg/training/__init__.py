"""Trainers: one shared epoch loop (:class:`Trainer`) and one module per trainer.

==============================  ==============================================
trainer                         module
==============================  ==============================================
:class:`LinkPredictionTrainer`  :mod:`graphneg.training.link_prediction`
``HyperedgeContrastiveTrainer`` :mod:`graphneg.training.hypergraph`
``SkipGramTrainer``,            :mod:`graphneg.training.text`
``AudioTextTrainer``
``CRFTrainer``                  :mod:`graphneg.training.crf`
``PoincareTrainer``             :mod:`graphneg.training.hyperbolic` (needs geoopt)
``SpikeContrastiveTrainer``     :mod:`graphneg.training.spikes`
==============================  ==============================================

The domain trainers are imported from their modules, so that importing
:mod:`graphneg.training` stays light.
"""
from graphneg.training.link_prediction import LinkPredictionTrainer
from graphneg.training.loop import CHECKPOINT_NAME, Trainer

__all__ = ["CHECKPOINT_NAME", "Trainer", "LinkPredictionTrainer"]
