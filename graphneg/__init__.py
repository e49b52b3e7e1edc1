"""graphneg: negative sampling for graph and hypergraph learning."""
__version__ = "0.1.0"
