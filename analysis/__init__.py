"""What a negative sampler does to learning: metrics, topology comparison, reports.

>>> from graphneg.analysis import hard_negative_rate, sampling_efficiency
"""
from .metrics import common_neighbor_counts, hard_negative_rate, sampling_efficiency

__all__ = [
    "common_neighbor_counts", "hard_negative_rate", "sampling_efficiency",
]
