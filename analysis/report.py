"""The report layer: the only code in graphneg that writes study outputs to disk.

A study (:mod:`graphneg.analysis.studies`) returns tidy tables; the command that ran it
draws figures with :mod:`graphneg.analysis.plots` onto given axes and hands everything to
:func:`write_study` as one :class:`StudyReport`. The writer

* writes every file under a temporary name in the target folder and renames it
  (:func:`os.replace`, atomic on POSIX and Windows), so a reader never sees a torn file;
* marks the folder incomplete (``.incomplete``) while it writes and removes the mark at
  the end, so an interrupted write is visible;
* writes ``report.md``: title, the command and settings that produced it, the study's
  sections (findings first), every figure with its caption, and the list of files.

Each study's report builder lives beside the study (for example
:func:`graphneg.analysis.studies.topology.build_report`).
"""
from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

__all__ = ["StudyReport", "write_study", "atomic_write", "markdown_table"]


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


def atomic_write(path: Union[str, os.PathLike], write, *, binary: bool = False) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it onto ``path``.

    Examples
    --------
    >>> import tempfile
    >>> p = atomic_write(os.path.join(tempfile.mkdtemp(), "a.txt"), lambda fh: fh.write("hi"))
    >>> p.read_text()
    'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8",
                                                                           "newline": ""})) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


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
    ['report.md', 't.csv']
    """
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    marker = out / ".incomplete"
    marker.write_text("writing\n", encoding="utf-8")
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
    marker.unlink()
    return path
