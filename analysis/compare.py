"""The topology comparison under its earlier name.

The study lives in :mod:`graphneg.analysis.studies.topology`; this module re-exports
its names so that ``from graphneg.analysis.compare import compare_topologies`` keeps
working.

Examples
--------
>>> from graphneg.analysis import compare
>>> from graphneg.analysis.studies import topology
>>> compare.compare_topologies is topology.compare_topologies
True
"""
from .studies.topology import (
    DEFAULT_GRAPHS, GraphSpec, build_graphs, compare_topologies, degree_table, parse_graph_spec,
    summarize_runs, usable_samplers,
)

__all__ = ["GraphSpec", "parse_graph_spec", "build_graphs", "usable_samplers",
           "compare_topologies", "degree_table", "summarize_runs", "DEFAULT_GRAPHS"]
