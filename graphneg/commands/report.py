"""``graphneg report RESULTS.csv -o DIR``: redraw a topology-study report from saved results.

Reads the tidy results.csv written by 'graphneg compare' (and degrees.csv and
settings.csv next to it, when present) and writes the figures, summary.csv and
report.md to DIR. The redrawn report keeps the Command and Settings lines of the
study (from settings.csv, or from the report.md next to RESULTS.csv).
"""
from __future__ import annotations

import os
import re
import sys

from graphneg.cli import add_command, command_of

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "report", func=run, description=__doc__, out=False,
                    help="redraw figures and report.md from a results.csv")
    p.add_argument("results", metavar="RESULTS.csv", help="results.csv from 'graphneg compare'")
    p.add_argument("-o", "--out", default=None, metavar="DIR",
                   help="output folder (default: the folder of RESULTS.csv)")
    p.add_argument("--degrees", default=None, metavar="CSV",
                   help="degrees.csv (default: the one next to RESULTS.csv, if any)")
    p.add_argument("--title", default="Topology comparison", help="report title")


def _provenance(folder: str):
    """``(command, settings, notes)`` of the study in ``folder``: settings.csv, else the
    ``Command:`` and ``Settings:`` lines of its report.md (the latter kept as a note)."""
    import pandas as pd

    from graphneg.analysis.studies.topology import read_settings

    table = os.path.join(folder, "settings.csv")
    if os.path.isfile(table):
        command, settings = read_settings(pd.read_csv(table, dtype=str, keep_default_na=False))
        return command, settings, []
    report = os.path.join(folder, "report.md")
    if not os.path.isfile(report):
        return None, {}, []
    with open(report, encoding="utf-8") as fh:
        text = fh.read()
    command = re.search(r"^Command: `(.*)`$", text, flags=re.M)
    line = re.search(r"^Settings: .*$", text, flags=re.M)
    return (command.group(1) if command else None), {}, ([line.group(0)] if line else [])


def run(args) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import pandas as pd

    from graphneg.analysis.report import write_study
    from graphneg.analysis.studies import topology

    if not os.path.isfile(args.results):
        raise ValueError(f"RESULTS.csv must be an existing file. Got {args.results!r} instead.")
    results = pd.read_csv(args.results)
    missing = {"graph", "sampler", "seed", "epoch"} - set(results.columns)
    if missing:
        raise ValueError(f"{args.results} is not a 'graphneg compare' results file: missing "
                         f"column(s) {sorted(missing)}.")
    folder = os.path.dirname(os.path.abspath(args.results))
    degrees_path = args.degrees or os.path.join(folder, "degrees.csv")
    degrees = pd.read_csv(degrees_path) if os.path.isfile(degrees_path) else None
    command, settings, notes = _provenance(folder)
    notes.append(f"Redrawn from `{args.results}` by `{command_of(args, 'report')}`.")
    report = topology.build_report(topology.study_tables(results, degrees), title=args.title,
                                   command=command, settings=settings, notes=notes)
    path = write_study(args.out or folder, report, command=command, settings=settings)
    print(f"wrote {path}", file=sys.stderr)
    return 0
