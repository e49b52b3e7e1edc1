"""The ``graphneg`` command line: sub-commands discovered from :mod:`graphneg.commands`.

Every module in ``graphneg/commands/`` defines ``register(subparsers)``, which
adds its sub-command(s) and sets ``func`` (``args -> exit code``) with
``parser.set_defaults``; :func:`main` imports them all with :mod:`pkgutil`, so a
new sub-command is one new file. ``graphneg`` alone prints the help.

Examples
--------
>>> main(["--version"])  # doctest: +SKIP
graphneg 0.1.0
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import List, Optional

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every discovered sub-command.

    Examples
    --------
    >>> {"compare", "report", "train", "generate"} <= set(
    ...     build_parser()._subparsers._group_actions[0].choices)
    True
    """
    import graphneg
    import graphneg.commands as commands

    parser = argparse.ArgumentParser(
        prog="graphneg",
        description="Negative sampling for graph and hypergraph learning. "
                    "Start with 'graphneg compare' (no flags needed).")
    parser.add_argument("--version", action="version", version=f"graphneg {graphneg.__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv  # the command as typed, for reports
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except (ValueError, TypeError) as exc:  # bad input: a clear message, not a traceback
        print(f"graphneg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
