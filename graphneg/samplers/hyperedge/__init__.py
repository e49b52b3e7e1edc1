r"""Negative hyperedges: a maximum-entropy sampler and the Patil et al. baselines.

Concepts
--------
A hypergraph has nodes :math:`V` (:math:`N = |V|`) and hyperedges
:math:`E_1..E_M \subseteq V` held as an incidence index (row 0 nodes, row 1
hyperedge ids, see :mod:`graphneg.hyperedges`). For an *anchor* hyperedge
:math:`A` a negative is a node set that is **not** a true hyperedge. Four ways
to get one:

* ``"maxent"`` (:class:`HyperedgeNegativeSampler`, :mod:`.maxent`): pick a
  hyperedge from a candidate pool :math:`\mathcal{C}` (the other hyperedges by
  default, or generated sets) with

  .. math::

      q(E \mid A) \propto |E|^{\alpha}\,\bigl(1 - o(E; A)\bigr)^{\beta},
      \qquad o(E; A) = \frac{|E \cap A|}{|E \cup A|}.

* ``"sized"`` (SNS, :mod:`.baselines`): a uniform node set whose size is drawn
  from the empirical size distribution of the hyperedges.
* ``"motif"`` (MNS): a connected node set grown on the clique expansion.
* ``"clique"`` (CNS): the anchor with one member replaced by a node adjacent
  (in the clique expansion) to all the others.

Every sampler excludes negatives equal (as sets) to a true hyperedge — for the
pool sampler with the default pool, whose candidates *are* true hyperedges,
this means the anchor and its duplicates — and returns exactly ``num_neg``
negatives per kept anchor, grouped by anchor (negative ``k`` of anchor ``p`` is
negative hyperedge ``p*K + k``), like the graph samplers (see ``docs/design.md``).
Samplers live in their own registry, :data:`HYPEREDGE_SAMPLERS` (they are not
graph samplers and do not follow the graph contract).

Transform face: :meth:`HyperedgeSampler.forward` takes a
:class:`~torch_geometric.data.HyperGraphData` and writes

* ``hyperedge_label_index`` — LongTensor ``(2, nnz)``: incidence of the labelled
  hyperedges, ids ``0..P-1`` the positives (the anchors kept, in order) and
  ``P + p*K + k`` the negatives (``cat([pos, neg])`` as ``edge_label_index``);
* ``hyperedge_label`` — ``cat([ones(P), zeros(P*K)])`` (the dtype of an existing
  ``hyperedge_label``, float otherwise);
* ``hyperedge_label_anchor`` — LongTensor ``(P + P*K,)``: the anchor's id in
  ``edge_index`` for every labelled hyperedge;
* ``neg_stats`` — :class:`~graphneg.samplers.base.SamplerStats` as a dict.

Layout: :mod:`.base` (registry, context, the shared sampler base),
:mod:`.maxent` (the pool sampler and its exact law), :mod:`.baselines`
(SNS, MNS, CNS).
"""
from graphneg.samplers.hyperedge.base import (
    HYPEREDGE_SAMPLERS, CandidatePool, HyperedgeContext, HyperedgeNegatives, HyperedgeSampler,
    NoNegativeHyperedgesError, get_hyperedge_sampler,
)
from graphneg.samplers.hyperedge.baselines import (
    CliqueNegativeSampler, MotifNegativeSampler, SizedNegativeSampler,
)
from graphneg.samplers.hyperedge.maxent import (
    HyperedgeNegativeSampler, MaxEntFit, fit_maxent, maxent_probabilities,
)

__all__ = [
    "HYPEREDGE_SAMPLERS", "HyperedgeSampler", "HyperedgeNegatives", "HyperedgeContext",
    "CandidatePool", "NoNegativeHyperedgesError", "HyperedgeNegativeSampler",
    "SizedNegativeSampler", "MotifNegativeSampler", "CliqueNegativeSampler",
    "get_hyperedge_sampler", "maxent_probabilities", "fit_maxent", "MaxEntFit",
]
