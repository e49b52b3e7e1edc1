"""Shared fixtures; helpers live in ``tests/support`` (on the path via pytest's ``pythonpath``)."""
import matplotlib

matplotlib.use("Agg")

import pytest
from support.graphs import random_graph


@pytest.fixture
def small_graph():
    return random_graph(30, 60, seed=1), 30
