"""Tables of a study as Markdown, for the sections of its ``report.md``."""
from __future__ import annotations

import math

import pandas as pd

__all__ = ["markdown_table"]


def _cell(value, digits: int) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.{digits}g}"
    return str(value).replace("|", "/")


def markdown_table(table: pd.DataFrame, *, digits: int = 4, index: bool = False) -> str:
    """A pipe table of ``table`` (floats to ``digits`` significant digits, NaN as ``–``).

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"run": ["a"], "acc": [0.912345]})))
    | run | acc |
    |---|---|
    | a | 0.9123 |
    """
    if index:
        table = table.reset_index()
    lines = ["| " + " | ".join(map(str, table.columns)) + " |",
             "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v, digits) for v in row) + " |")
    return "\n".join(lines)
