"""The report layer: the only code in graphneg that writes study outputs to disk.

A study (:mod:`graphneg.analysis.studies`) returns tidy tables; the command that ran it
draws figures with :mod:`graphneg.analysis.plots` onto given axes and hands everything to
:func:`write_study` as one :class:`StudyReport`. The writer

* writes every file under a temporary name in the target folder and renames it
  (:func:`graphneg._files.atomic_write`: atomic, never through a symbolic link), so a
  reader never sees a torn file and a link planted in the folder redirects nothing;
* marks the folder incomplete (``.incomplete``) while it writes; the last step removes
  that mark and writes ``.complete`` (the files of the report, one a line), so a
  folder is whole exactly when ``.complete`` is there (:func:`is_complete`), and an
  interrupted write (CSVs without ``report.md``, new CSVs beside an older report) is
  visible; temporary files a killed writer left are removed first;
* writes ``report.md``: title, the command and settings that produced it, the study's
  sections (findings first), every figure with its caption, and the list of files.

Each study's report builder lives beside the study (for example
:func:`graphneg.analysis.studies.topology.build_report`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

from graphneg._files import atomic_write, remove_stale_temporaries
from graphneg._validation import InstanceOf, checked_params

__all__ = ["StudyReport", "write_study", "atomic_write", "markdown_table", "COMPLETE_MARKER",
           "INCOMPLETE_MARKER", "is_complete"]

#: Written last by :func:`write_study`: the folder holds one whole report.
COMPLETE_MARKER = ".complete"
#: Present while :func:`write_study` writes (and after it was interrupted).
INCOMPLETE_MARKER = ".incomplete"


@dataclass
class StudyReport:
    """Everything a study hands to :func:`write_study`.

    Attributes
    ----------
    title : str
        First heading of ``report.md``.
    tables : dict of str to DataFrame
        ``stem -> table``, written as ``stem.csv`` (index dropped unless named).
    figures : dict of str to (Figure, str)
        ``file name -> (matplotlib Figure, caption)``, written as PNG and embedded in
        ``report.md`` in this order.
    sections : list of (str, str)
        ``(heading, markdown body)`` pairs written before the figures (``"Findings"``
        first by convention).
    files : dict of str to str
        Extra descriptions for the ``Files`` list (``"summary.csv" -> "one row per run"``).
    """

    title: str
    tables: Dict[str, Any] = field(default_factory=dict)
    figures: Dict[str, Tuple[Any, str]] = field(default_factory=dict)
    sections: List[Tuple[str, str]] = field(default_factory=list)
    files: Dict[str, str] = field(default_factory=dict)


def markdown_table(table: pd.DataFrame, *, digits: int = 4, index: bool = False) -> str:
    """A DataFrame as a Markdown table (floats to ``digits`` significant digits).

    Multi-level columns are joined with a space (``("auc", "mean")`` -> ``auc mean``),
    except that a ``(name, "mean")``, ``(name, "std")`` pair (``.agg(["mean", "std"])``)
    becomes one column ``name`` of ``mean ± std`` cells; ``index=True`` adds the index
    level(s) as the first column(s).

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"a": [1, 2], "b": [0.123456, float("nan")]})))
    | a | b |
    |---|---|
    | 1 | 0.1235 |
    | 2 | – |
    >>> t = pd.DataFrame({"g": ["x"], "v": [2.0]}).groupby("g")["v"].agg(["mean", "std"])
    >>> print(markdown_table(pd.concat({"auc": t}, axis=1), index=True))
    | g | auc |
    |---|---|
    | x | 2 |
    """
    t = table.reset_index() if index else table
    if isinstance(t.columns, pd.MultiIndex) and t.columns.nlevels == 2:
        cols = {}
        for name, stat in t.columns:
            if stat == "std" and (name, "mean") in t.columns:
                continue
            if stat == "mean" and (name, "std") in t.columns:
                m, s = t[(name, "mean")], t[(name, "std")]
                cols[name] = [f"{a:.{digits}g}" + ("" if math.isnan(b) else f" ± {b:.2g}")
                              if not math.isnan(a) else "–" for a, b in zip(m, s)]
            else:
                cols[name if stat == "" else f"{name} {stat}"] = t[(name, stat)].tolist()
        t = pd.DataFrame(cols)

    def cell(v) -> str:
        if isinstance(v, float):
            return "–" if math.isnan(v) else f"{v:.{digits}g}"
        return str(v).replace("|", "/")

    names = [" ".join(str(p) for p in c if str(p)) if isinstance(c, tuple) else str(c)
             for c in t.columns]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in t.itertuples(index=False, name=None)]
    return "\n".join(lines)


def _settings_line(settings: Optional[Mapping[str, Any]]) -> Optional[str]:
    if not settings:
        return None
    return "Settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()) + "."


def write_study(out_dir: Union[str, os.PathLike], report: StudyReport, *,
                command: Optional[str] = None, settings: Optional[Mapping[str, Any]] = None,
                report_name: str = "report.md", dpi: int = 120,
                stale: Sequence[str] = ()) -> Path:
    """Write a study's tables (CSV), figures (PNG) and ``report.md`` into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Created if missing; files of the same names are replaced atomically.
    report : StudyReport
    command : str, optional
        The command line that produced the study (``Command:`` line of the report).
    settings : mapping, optional
        Its resolved settings (``Settings:`` line).
    report_name : str
        File name of the Markdown report.
    stale : sequence of str
        Files an earlier run of the same study may have left in ``out_dir`` (figure
        names): those this report does not write are removed, so a folder never shows
        an older study's figures beside a newer report.

    Returns
    -------
    Path
        The report's path.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> rep = StudyReport("Demo", tables={"t": pd.DataFrame({"a": [1]})},
    ...                   sections=[("Findings", "Nothing to find.")])
    >>> p = write_study(tempfile.mkdtemp(), rep, command="graphneg demo")
    >>> sorted(x.name for x in p.parent.iterdir())
    ['.complete', 'report.md', 't.csv']
    """
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(20, "Not a directory (the output folder is a file)", str(out))
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out)
    marker = out / INCOMPLETE_MARKER
    atomic_write(marker, lambda fh: fh.write("writing\n"))
    if (out / COMPLETE_MARKER).is_symlink() or (out / COMPLETE_MARKER).exists():
        (out / COMPLETE_MARKER).unlink()
    for name in stale:
        if name not in report.figures and (out / name).is_file():
            (out / name).unlink()
    for stem, table in report.tables.items():
        keep_index = any(n is not None for n in getattr(table.index, "names", [None]))
        atomic_write(out / f"{stem}.csv", lambda fh, t=table: t.to_csv(fh, index=keep_index))
    for name, (fig, _caption) in report.figures.items():
        atomic_write(out / name, lambda fh, f=fig: f.savefig(fh, format="png", dpi=dpi,
                                                             bbox_inches="tight"), binary=True)
        plt.close(fig)
    lines = [f"# {report.title}", ""]
    if command:
        lines += [f"Command: `{command}`", ""]
    line = _settings_line(settings)
    if line:
        lines += [line, ""]
    for heading, body in report.sections:
        lines += [f"## {heading}", "", body.rstrip(), ""]
    if report.figures:
        lines += ["## Figures", ""]
        for name, (_fig, caption) in report.figures.items():
            lines += [f"### {caption}", "", f"![{caption}]({name})", ""]
    lines += ["## Files", ""]
    for stem in report.tables:
        desc = report.files.get(f"{stem}.csv", "")
        lines.append(f"- `{stem}.csv`" + (f": {desc}" if desc else ""))
    lines.append("")
    path = atomic_write(out / report_name, lambda fh: fh.write("\n".join(lines)))
    written = [f"{stem}.csv" for stem in report.tables] + list(report.figures) + [report_name]
    atomic_write(out / COMPLETE_MARKER, lambda fh: fh.write("\n".join(written) + "\n"))
    marker.unlink()
    return path


@checked_params(out_dir=InstanceOf((str, os.PathLike), "a path (str or os.PathLike)"))
def is_complete(out_dir: Union[str, os.PathLike]) -> bool:
    """Whether ``out_dir`` holds one whole report (``.complete`` and no ``.incomplete``).

    Examples
    --------
    >>> import tempfile
    >>> is_complete(tempfile.mkdtemp())
    False
    """
    out = Path(out_dir)
    return (out / COMPLETE_MARKER).is_file() and not (out / INCOMPLETE_MARKER).exists()
