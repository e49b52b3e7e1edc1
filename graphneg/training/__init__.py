"""Trainers: one shared epoch loop (:class:`Trainer`) and one module per trainer.

Every trainer subclasses :class:`Trainer` (early stopping, atomic checkpoints,
bit-for-bit resume, no global RNG use outside its scope) and writes its hooks
(``train_step``, ``evaluate``, ``extra_state``). Models come from
:mod:`graphneg.models`, negatives from :mod:`graphneg.samplers`, losses from
:mod:`graphneg.losses`, metrics from :mod:`graphneg.evaluation` and
:mod:`graphneg.diagnostics`.

===============================  =========================================  =====================
trainer                          module                                     learns
===============================  =========================================  =====================
:class:`Trainer`                 :mod:`graphneg.training.loop`              (the loop itself)
:class:`LinkPredictionTrainer`   :mod:`graphneg.training.link_prediction`   encoder + dot product
``HyperedgeContrastiveTrainer``  :mod:`graphneg.training.hypergraph`        hyperedge embeddings
``SkipGramTrainer``              :mod:`graphneg.training.text`              word vectors (SGNS)
``AudioTextTrainer``             :mod:`graphneg.training.text`              audio-text matching
``CRFTrainer``                   :mod:`graphneg.training.crf`               a CRF tagger
``PoincareTrainer``              :mod:`graphneg.training.hyperbolic`        Poincaré embeddings
``SpikeContrastiveTrainer``      :mod:`graphneg.training.spikes`            a spike-train encoder
===============================  =========================================  =====================

Only the loop and the link-prediction trainer are imported here; the other
trainers are imported from their modules, so that importing
:mod:`graphneg.training` stays light (no geoopt, text or spike-train code).
"""
from graphneg.training.link_prediction import LinkPredictionTrainer
from graphneg.training.loop import CHECKPOINT_NAME, Trainer

__all__ = ["CHECKPOINT_NAME", "Trainer", "LinkPredictionTrainer"]
