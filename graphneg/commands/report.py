"""``graphneg report RESULTS.csv -o DIR``: redraw a comparison report from saved results.

Reads the tidy results.csv written by 'graphneg compare' (and degrees.csv next
to it, when present) and writes the figures, summary.csv and report.md to DIR.
"""
from __future__ import annotations

import argparse
import os
import sys

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="redraw figures and report.md from a results.csv",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", metavar="RESULTS.csv", help="results.csv from 'graphneg compare'")
    p.add_argument("-o", "--out", default=None,
                   help="output folder (default: the folder of RESULTS.csv)")
    p.add_argument("--degrees", default=None,
                   help="degrees.csv (default: the one next to RESULTS.csv, if any)")
    p.add_argument("--title", default="Topology comparison", help="report title")
    p.set_defaults(func=run)


def run(args) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import pandas as pd

    from graphneg.analysis.report import write_report

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
    out = args.out or folder
    path = write_report(results, out, degrees=degrees, title=args.title)
    print(f"wrote {path}", file=sys.stderr)
    return 0
