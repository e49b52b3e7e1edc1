"""placeholder"""
from .hypergraphs import davis_southern_women, les_miserables  # noqa: E402,F401
from .geo import CENSUS_REGIONS, us_airport_routes, world_airports  # noqa: E402,F401  (geo; needs graphneg[geo])
from .graphs import GRAPHS, graph_names, load_graph  # noqa: E402,F401  (real graphs as Data)
from .text import audio_text_graph, text_graph, word_graph  # noqa: E402,F401  (text; embeddings need graphneg[text])
from .clinical import HEART_SITES, uci_heart_disease  # noqa: E402,F401  (clinical)
