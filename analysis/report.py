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

:func:`write_report` is the topology comparison's report (``graphneg compare``,
``graphneg report``); its folder holds

* ``results.csv`` — the tidy results, one row per run and epoch;
* ``degrees.csv`` — the degree histogram of each topology (when known);
* ``summary.csv`` — one row per run (:func:`graphneg.analysis.compare.summarize_runs`);
* ``auc.png``, ``eta.png``, ``hard_negative_rate.png``, ``impossible_anchors.png``,
  ``degrees.png``, ``learning_curves.png``, ``eta_curves.png``;
* ``report.md`` — a Markdown page embedding the figures, with a table of
  mean ± sd over seeds per topology × sampler and the failed runs, if any.
"""
from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import pandas as pd

from .compare import summarize_runs
from .plots import plot_by_topology, plot_degree_distributions, plot_learning_curves

__all__ = ["StudyReport", "write_study", "atomic_write", "markdown_table", "write_report",
           "FIGURES"]

#: Figure files written by :func:`write_report`, with their captions.
FIGURES = {
    "auc.png": "Test AUC by topology and sampler (mean ± sd over seeds; dashed: random scorer).",
    "eta.png": "Sampling efficiency η = mean ‖g⁻‖ / mean ‖g⁺‖ (median over epochs; log scale).",
    "hard_negative_rate.png": "Hard-negative rate h_k: share of sampled negatives with ≥ k "
                              "common neighbours with their anchor (mean over epochs).",
    "impossible_anchors.png": "Share of training positives dropped because their anchor has no "
                              "valid negative (a star's hub anchors half of them).",
    "degrees.png": "Degree distribution of each topology (log-log).",
    "learning_curves.png": "Validation AUC per epoch (mean over seeds, band ±sd).",
    "eta_curves.png": "Sampling efficiency η per epoch (mean over seeds; log scale).",
}


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
                report_name: str = "report.md", dpi: int = 120) -> Path:
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


def _save(fig, path: str) -> None:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)


def _curve_grid(results: pd.DataFrame, metric: str, path: str, *, log: bool = False) -> None:
    import matplotlib.pyplot as plt
    graphs = list(dict.fromkeys(results["graph"]))
    ncols = min(len(graphs), 2)
    nrows = math.ceil(len(graphs) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.4 * nrows), squeeze=False)
    for ax, g in zip(axes.flat, graphs):
        plot_learning_curves(results, g, metric, ax=ax, log=log, legend=False)
    for ax in list(axes.flat)[len(graphs):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in axes.flat:  # collect every sampler, some may miss on the first topology
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, title="sampler", loc="center left", bbox_to_anchor=(1.0, 0.5),
               fontsize=8, title_fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def _fmt(mean: float, std: float, digits: int = 3) -> str:
    if not math.isfinite(mean):
        return "–"
    if not math.isfinite(std):
        return f"{mean:.{digits}g}"
    return f"{mean:.{digits}g} ± {std:.2g}"


def _summary_table(runs: pd.DataFrame) -> str:
    ok = runs[runs["error"] == ""]
    cols = [("test_auc", "AUC"), ("test_ap", "AP"), ("test_mrr", "MRR"),
            ("eta_median", "η"), ("hard_negative_rate", "h_k"),
            ("impossible_anchor_ratio", "impossible anchors"),
            ("dropped_positive_ratio", "dropped positives"), ("run_time_s", "time [s]")]
    cols = [(c, n) for c, n in cols if c in ok]
    lines = ["| topology | sampler | runs | " + " | ".join(n for _, n in cols) + " |",
             "|---|---|---|" + "---|" * len(cols)]
    for (g, s), d in ok.groupby(["graph", "sampler"], sort=False):
        cells = [_fmt(float(d[c].mean()), float(d[c].std())) for c, _ in cols]
        lines.append(f"| {g} | {s} | {len(d)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(results: pd.DataFrame, out_dir: Union[str, os.PathLike], *,
                 degrees: Optional[pd.DataFrame] = None, title: str = "Topology comparison",
                 notes: Optional[List[str]] = None) -> str:
    """Write CSVs, figures and ``report.md`` into ``out_dir``; return the report's path.

    Parameters
    ----------
    results : DataFrame
        Tidy results (:func:`graphneg.analysis.compare.compare_topologies`, or a
        ``results.csv`` read back).
    out_dir : path
        Created if missing; existing files of the same names are replaced.
    degrees : DataFrame, optional
        :func:`graphneg.analysis.compare.degree_table`; without it the degree
        figure is skipped.
    title : str
    notes : list of str, optional
        Extra lines for the report (e.g. the command and settings).

    Examples
    --------
    >>> import tempfile
    >>> from graphneg.analysis.compare import compare_topologies
    >>> res = compare_topologies(["karate"], ["uniform"], [0], epochs=2, progress=False)
    >>> os.path.basename(write_report(res, tempfile.mkdtemp()))
    'report.md'
    """
    import matplotlib
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        try:
            matplotlib.use("Agg")
        except Exception:  # noqa: BLE001 - an interactive backend already in use
            pass
    import matplotlib.pyplot as plt

    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    results = results.copy()
    if "error" not in results:
        results["error"] = ""
    results["error"] = results["error"].astype(object).fillna("")
    csv = os.path.join(out_dir, "results.csv")
    results.to_csv(csv, index=False)
    runs = summarize_runs(results)
    runs.to_csv(os.path.join(out_dir, "summary.csv"), index=False)
    if degrees is not None:
        degrees.to_csv(os.path.join(out_dir, "degrees.csv"), index=False)
    ok_runs = runs[runs["error"] == ""]
    figs: Dict[str, bool] = {}

    def bars(name: str, metric: str, **kw) -> None:
        if metric not in ok_runs or ok_runs[metric].dropna().empty:
            return
        fig, ax = plt.subplots(figsize=(8.5, 4.2))
        plot_by_topology(runs, metric, ax=ax, **kw)
        _save(fig, os.path.join(out_dir, name))
        figs[name] = True

    bars("auc.png", "test_auc", reference=0.5)
    positive_eta = "eta_median" in ok_runs and (ok_runs["eta_median"].dropna() > 0).all()
    bars("eta.png", "eta_median", log=bool(positive_eta))
    bars("hard_negative_rate.png", "hard_negative_rate")
    bars("impossible_anchors.png", "dropped_positive_ratio")
    if degrees is not None and not degrees.empty:
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        plot_degree_distributions(degrees, ax=ax)
        _save(fig, os.path.join(out_dir, "degrees.png"))
        figs["degrees.png"] = True
    ok_rows = results[results["error"] == ""]
    if "val_auc" in ok_rows and not ok_rows.empty:
        _curve_grid(ok_rows, "val_auc", os.path.join(out_dir, "learning_curves.png"))
        figs["learning_curves.png"] = True
    if "eta" in ok_rows and not ok_rows.empty:
        pos = bool((ok_rows["eta"].dropna() > 0).all())
        _curve_grid(ok_rows, "eta", os.path.join(out_dir, "eta_curves.png"), log=pos)
        figs["eta_curves.png"] = True

    graphs = list(dict.fromkeys(runs["graph"]))
    samplers = list(dict.fromkeys(runs["sampler"]))
    seeds = sorted(runs["seed"].unique().tolist())
    lines = [f"# {title}", "",
             f"{len(runs)} runs: {len(graphs)} topologies ({', '.join(graphs)}) × "
             f"{len(samplers)} samplers ({', '.join(samplers)}) × {len(seeds)} seeds "
             f"({', '.join(map(str, seeds))}). Link prediction with a dot-product decoder; "
             "test metrics use the weights of the best validation epoch.", ""]
    for note in notes or []:
        lines += [note, ""]
    lines += ["## Summary (mean ± sd over seeds)", "", _summary_table(runs), "",
              "η: median over epochs of mean ‖g⁻‖ / mean ‖g⁺‖ (DESIGN.md §5). h_k: share of "
              "negatives with ≥ k common neighbours (mean over epochs). impossible anchors: share "
              "of distinct anchors with no valid negative; dropped positives: share of training "
              "positives dropped for that reason.", ""]
    lines += ["## Figures", ""]
    for name, caption in FIGURES.items():
        if figs.get(name):
            lines += [f"### {caption}", "", f"![{caption}]({name})", ""]
    failed = runs[runs["error"] != ""]
    if not failed.empty:
        lines += ["## Failed runs", "", "| topology | sampler | seed | error |", "|---|---|---|---|"]
        for r in failed.itertuples():
            lines.append(f"| {r.graph} | {r.sampler} | {r.seed} | "
                         f"{str(r.error).replace('|', '/')[:200]} |")
        lines.append("")
    lines += ["## Files", "", "- `results.csv`: one row per run and epoch (tidy).",
              "- `summary.csv`: one row per run.",
              *(["- `degrees.csv`: degree histogram per topology."] if degrees is not None else []),
              ""]
    path = os.path.join(out_dir, "report.md")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return path
