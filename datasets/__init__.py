"""Real data as graphs, all offline: shipped in installed packages or in this folder.

Each loader states its provenance and licence in its docstring (and, for files we
ship, in a ``.md`` beside the file).

>>> from graphneg.datasets import load_graph
>>> load_graph("karate").num_nodes
34
"""
from .graphs import GRAPHS, graph_names, load_graph, load_user_graph, read_edge_list
from .hypergraphs import davis_southern_women, film_casts, les_miserables
from .geo import CENSUS_REGIONS, us_airport_routes, world_airports  # needs graphneg[geo]
from .clinical import HEART_SITES, uci_heart_disease
from .text import audio_text_graph, text_graph, word_graph  # embeddings need graphneg[text]
from .spikes import (  # the locust recordings need graphneg[spikes]
    cut_windows, grasshopper_windows, inhomogeneous_poisson_spike_trains,
    load_grasshopper_spike_times, poisson_spike_trains,
)
from .sequences import (
    SequenceVocabulary, encode_sentences, hmm_sequences, load_turkish_upos_sample,
)
from .hierarchies import load_icd10cm_hierarchy, node_depths, transitive_closure, tree_parents

__all__ = [
    "GRAPHS", "graph_names", "load_graph", "load_user_graph", "read_edge_list",
    "davis_southern_women", "les_miserables", "film_casts",
    "CENSUS_REGIONS", "us_airport_routes", "world_airports",
    "HEART_SITES", "uci_heart_disease",
    "audio_text_graph", "text_graph", "word_graph",
    "cut_windows", "grasshopper_windows", "inhomogeneous_poisson_spike_trains",
    "load_grasshopper_spike_times", "poisson_spike_trains",
    "SequenceVocabulary", "encode_sentences", "hmm_sequences", "load_turkish_upos_sample",
    "load_icd10cm_hierarchy", "node_depths", "transitive_closure", "tree_parents",
]
