"""``graphneg generate NAME key=value ... -o FILE``: build a graph by registry name and save it.

NAME is a generator (er, ba, star, sbm, tree, ...; see --list) or a shipped real
graph (karate, lesmis, florentine, davis, roget, words). Generator arguments are
key=value pairs (numbers are parsed; lists as 1,2,3 or [[0.5,0.1],[0.1,0.5]]).
The output format follows the extension: .pt (torch.save of the PyG Data),
.csv (an edge list 'source,target', one line per undirected edge) or .txt/.edges
(whitespace-separated edge list). Without -o a summary is printed.
"""
from __future__ import annotations

import ast
import sys

from graphneg.cli import add_command, add_seed

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = add_command(subparsers, "generate", func=run, description=__doc__, out=False,
                    help="generate a graph by name and save it")
    p.add_argument("name", nargs="?", help="generator or real-graph name")
    p.add_argument("params", nargs="*", metavar="key=value", help="generator arguments")
    add_seed(p)
    p.add_argument("-o", "--out", metavar="FILE",
                   help="output file (.pt, .csv, .txt, .edges; default: print a summary)")
    p.add_argument("--list", action="store_true", help="list the known names and exit")


def _parse_value(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def run(args) -> int:
    import inspect

    import torch

    from graphneg._validation import check_keywords
    from graphneg.datasets import graph_names, load_graph
    from graphneg.generators import generator_names, get_generator

    if args.list or not args.name:
        print("generators: " + ", ".join(generator_names()))
        print("real graphs: " + ", ".join(graph_names()))
        return 0
    kwargs = {}
    for item in args.params:
        key, eq, val = item.partition("=")
        if not eq or not key:
            raise ValueError(f"Generator arguments must be key=value. Got {item!r} instead.")
        kwargs[key] = _parse_value(val)
    if args.name in graph_names():
        if kwargs:
            raise ValueError(f"The real graph {args.name!r} takes no arguments. Got {kwargs}.")
        data = load_graph(args.name)
    else:
        fn = get_generator(args.name)  # unknown names list the known ones
        check_keywords(fn, kwargs, what=f"graphneg generate {args.name}", supplied=("seed",))
        if "seed" in inspect.signature(fn).parameters:
            kwargs.setdefault("seed", args.seed)
        data = fn(**kwargs)
    ei = data.edge_index
    upper = ei[:, ei[0] < ei[1]]
    summary = (f"{args.name}: {int(data.num_nodes)} nodes, {upper.size(1)} undirected edges, "
               f"mean degree {ei.size(1) / max(int(data.num_nodes), 1):.2f}")
    if not args.out:
        print(summary)
        return 0
    out = args.out
    if not out.endswith((".pt", ".csv", ".txt", ".edges")):
        raise ValueError(f"The output file must end in .pt, .csv, .txt or .edges. Got {out!r}.")
    import numpy as np

    from graphneg.analysis.report import atomic_write
    if out.endswith(".pt"):
        atomic_write(out, lambda fh: torch.save(data, fh), binary=True)
    else:  # one undirected edge per line, written by numpy (no Python loop over edges)
        csv = out.endswith(".csv")
        atomic_write(out, lambda fh: np.savetxt(
            fh, upper.t().numpy(), fmt="%d", delimiter="," if csv else " ",
            header="source,target" if csv else "", comments=""))
    print(f"{summary} -> {out}", file=sys.stderr)
    return 0
