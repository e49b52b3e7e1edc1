"""placeholder"""
from .hypergraphs import davis_southern_women, les_miserables  # noqa: E402,F401
from .geo import CENSUS_REGIONS, us_airport_routes, world_airports  # noqa: E402,F401  (geo; needs graphneg[geo])
from .graphs import GRAPHS, graph_names, load_graph  # noqa: E402,F401  (real graphs as Data)
from .text import audio_text_graph, text_graph, word_graph  # noqa: E402,F401  (text; embeddings need graphneg[text])
from .clinical import HEART_SITES, uci_heart_disease  # noqa: E402,F401  (clinical)
from .spikes import (  # noqa: E402,F401  (issue 9; the locust recordings need nitime)
    cut_windows, grasshopper_windows, inhomogeneous_poisson_spike_trains,
    load_grasshopper_spike_times, poisson_spike_trains,
)
from .sequences import (  # noqa: E402,F401  (issue 9)
    SequenceVocabulary, encode_sentences, hmm_sequences, load_turkish_upos_sample,
)
from .hierarchies import (  # noqa: E402,F401  (issue 9)
    load_icd10cm_hierarchy, node_depths, transitive_closure, tree_parents,
)
