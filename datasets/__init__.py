"""placeholder"""
from .hypergraphs import davis_southern_women, les_miserables  # noqa: E402,F401
