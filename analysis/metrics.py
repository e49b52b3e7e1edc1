r"""Core metrics of what a negative sampler does to learning (``docs/design.md``).

The implementations live in :mod:`graphneg.diagnostics` (core), because trainers
record them every epoch and core must not import the analysis layer
(``docs/design.md``); this module re-exports them under their analysis names.

* **Sampling efficiency** ``η = mean_{(u,n)} ‖g⁻‖ / mean_{(u,v)} ‖g⁺‖``.
* **Hard-negative rate** ``h_k``: share of negative pairs with ``≥ k`` common neighbours.
"""
from graphneg.diagnostics import common_neighbor_counts, hard_negative_rate, sampling_efficiency

__all__ = ["common_neighbor_counts", "hard_negative_rate", "sampling_efficiency"]
