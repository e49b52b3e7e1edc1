"""The ``graphneg`` command line: sub-commands discovered from :mod:`graphneg.commands`.

Every module in ``graphneg/commands/`` defines ``register(subparsers)``, which adds its
sub-command(s) and sets ``func`` (``args -> exit code``); :func:`main` imports them all
with :mod:`pkgutil`, so a new sub-command is one new file.

One convention for every sub-command, provided here so a command module states only
its own options:

* :func:`add_command` makes the sub-parser with :class:`HelpFormatter` (the help shows
  each option's default), ``--out/-o`` defaulting to ``results/<command>``, and the
  handler; :func:`add_seed`, :func:`add_seeds` and :func:`add_quiet` add the usual
  options with one spelling and one help text;
* lists are space-separated values (``--samplers uniform degree``, ``nargs="+"``);
* an unknown name (sub-command, choice) gets a "Did you mean ...?" from
  :func:`did_you_mean`;
* a handler hands its report to :func:`write` (``report.md`` gets the command as
  typed and the settings);
* numeric options take :func:`positive_int`, :func:`nonnegative_int` or
  :func:`positive_float` as ``type=``, so a bad value is refused by the parser with the
  flag's own name (``argument --hidden: must be an int >= 1. Got '0'.``);
* ``graphneg`` alone prints the help and exits with status 2, bad input exits with
  status 2 and a one-line message; a file-system failure (read-only or full disk, an
  ``--out`` that is a file, a missing folder) exits with status 1 and one line
  ``graphneg: error: <what failed>: <path>``, never a traceback.

Examples
--------
>>> main(["--version"])  # doctest: +SKIP
graphneg 0.1.0
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional

from graphneg.registry import did_you_mean

__all__ = ["HelpFormatter", "Parser", "add_command", "add_seed", "add_seeds", "add_quiet",
           "positive_int", "nonnegative_int", "positive_float", "seed_int",
           "did_you_mean", "settings_of", "command_of", "say", "write", "build_parser", "main"]

#: Names set on the parsed arguments that are not settings of a study.
_INTERNAL = ("func", "argv", "out", "quiet")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the description's line breaks and appends ``(default: X)`` to every option's
    help that has a default (not for ``None``, ``False`` or when the help already says it).

    Examples
    --------
    >>> p = Parser(prog="demo", formatter_class=HelpFormatter)
    >>> _ = p.add_argument("--epochs", type=int, default=8, help="training epochs")
    >>> "training epochs (default: 8)" in p.format_help()
    True
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("%(default)" in text or "default" in text.lower() or default is None
                or default is False or default is argparse.SUPPRESS
                or not action.option_strings):
            return text
        shown = " ".join(map(str, default)) if isinstance(default, (list, tuple)) else str(default)
        return f"{text} (default: {shown.replace('%', '%%')})"


class Parser(argparse.ArgumentParser):
    """:class:`argparse.ArgumentParser` whose "invalid choice" errors suggest the closest
    names (an unknown sub-command, ``--graphs nograph``).

    Examples
    --------
    >>> p = Parser(prog="demo")
    >>> _ = p.add_argument("--kind", choices=["uniform", "degree"])
    >>> try:
    ...     p._check_value(p._actions[-1], "unifrom")
    ... except argparse.ArgumentError as err:
    ...     print(err)
    argument --kind: invalid choice: 'unifrom' (choose from 'uniform', 'degree'). Did you mean 'uniform'?
    """

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            known = ", ".join(map(repr, action.choices))
            raise argparse.ArgumentError(
                action, f"invalid choice: {value!r} (choose from {known})."
                        f"{did_you_mean(value, action.choices)}")


def add_command(subparsers, name: str, *, help: str, func: Callable[[Any], int],
                description: Optional[str] = None, out: Optional[str] = None,
                **kwargs: Any) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` with the shared conventions and return its parser.

    Parameters
    ----------
    subparsers
        What ``register(subparsers)`` receives.
    name : str
        The sub-command.
    help : str
        One line for ``graphneg --help``.
    func : callable
        ``func(args) -> int``, the handler.
    description : str, optional
        ``graphneg NAME --help`` text (a command module passes its docstring).
    out : str or False, optional
        Default of ``--out/-o``: ``results/<name>`` when None; ``False`` adds no ``--out``
        (a command that writes no folder).
    **kwargs
        For ``subparsers.add_parser``.

    Examples
    --------
    >>> root = Parser(prog="graphneg")
    >>> p = add_command(root.add_subparsers(), "demo", help="a demo", func=lambda a: 0)
    >>> p.parse_args([]).out
    'results/demo'
    >>> p.parse_args(["-o", "x"]).out
    'x'
    """
    p = subparsers.add_parser(name, help=help, description=description or help,
                              formatter_class=HelpFormatter, **kwargs)
    if out is not False:
        p.add_argument("-o", "--out", default=out or f"results/{name}", metavar="DIR",
                       help="output folder")
    p.set_defaults(func=func)
    return p


def _number(kind: type, rule: str, ok: Callable[[Any], bool]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {rule}. Got {text!r}.") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {rule}. Got {text!r}.")
        return value
    parse.__name__ = rule  # argparse names the type in some messages
    return parse


#: ``type=`` of an option that is a count ``>= 1`` (``--epochs``, ``--hidden``).
positive_int = _number(int, "an int >= 1", lambda v: v >= 1)
#: ``type=`` of an option that is a count ``>= 0``.
nonnegative_int = _number(int, "an int >= 0", lambda v: v >= 0)
#: ``type=`` of a finite float ``> 0`` (``--lr``).
positive_float = _number(float, "a finite float > 0",
                         lambda v: v > 0 and v != float("inf"))
#: ``type=`` of a seed: an int in ``[0, 2**63 - 1]``.
seed_int = _number(int, "an int in [0, 2**63 - 1]", lambda v: 0 <= v <= 2**63 - 1)


def add_seed(parser: argparse.ArgumentParser, default: int = 0) -> None:
    """``--seed N``: the one seed of a run (same seed, same numbers)."""
    parser.add_argument("--seed", type=seed_int, default=default, metavar="N",
                        help="random seed: the same seed gives the same numbers")


def add_seeds(parser: argparse.ArgumentParser, default: Iterable[int] = (0,)) -> None:
    """``--seeds N [N ...]``: one run per seed."""
    parser.add_argument("--seeds", type=seed_int, nargs="+", default=list(default), metavar="N",
                        help="random seeds, one run each")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """``--quiet``: no progress output on stderr."""
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def add_threads(parser: argparse.ArgumentParser, default: int = 1) -> None:
    """``--threads N``: torch's intra-op threads in this process (``torch.set_num_threads``,
    applied by :func:`main` before the command runs). The domain studies train small
    models one after another, where one thread ran as fast or faster on two cores, and
    two threads slow down badly when the cores are shared (``graphneg geo`` on an idle
    2-core machine: 87 s with one thread, 97 s with two; 208 s with two while another job
    ran; measured 2026-12-01)."""
    parser.add_argument("--threads", type=positive_int, default=default, metavar="N",
                        help="torch threads of this process")


def settings_of(args: argparse.Namespace) -> Dict[str, Any]:
    """The parsed options that shape the results (for the report's ``Settings:`` line).

    Examples
    --------
    >>> settings_of(argparse.Namespace(epochs=3, out="x", func=None, seeds=[0, 1]))
    {'epochs': 3, 'seeds': '0 1'}
    """
    return {k: (" ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
            for k, v in vars(args).items() if k not in _INTERNAL and not k.endswith("_command")}


def command_of(args: argparse.Namespace, name: str) -> str:
    """The command line as typed (``graphneg NAME ...`` when not run through :func:`main`).

    Examples
    --------
    >>> command_of(argparse.Namespace(argv=["crf", "--epochs", "2"]), "crf")
    'graphneg crf --epochs 2'
    """
    return "graphneg " + " ".join(getattr(args, "argv", None) or [name])


def say(args: argparse.Namespace) -> Callable[..., None]:
    """``print`` to stderr unless ``--quiet`` (progress and notes, not results)."""
    if getattr(args, "quiet", False):
        return lambda *a, **k: None
    return lambda *a, **k: print(*a, file=sys.stderr, flush=True, **k)


def write(args: argparse.Namespace, name: str, report: Any) -> int:
    """Write ``report`` (a :class:`graphneg.analysis.report.StudyReport`) to ``args.out``
    with the command and its settings, print where, and return exit code 0."""
    from graphneg.analysis.report import write_study

    path = write_study(args.out, report, command=command_of(args, name),
                       settings=settings_of(args))
    files = [f"{s}.csv" for s in report.tables] + list(report.figures)
    print(f"wrote {path} and {', '.join(files)} to {os.fspath(args.out)}")
    return 0


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

    parser = Parser(
        prog="graphneg", formatter_class=HelpFormatter,
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
    """Run the command line; returns the exit code (the console script exits with it).

    ``graphneg`` alone prints the help and returns 2; bad input (``ValueError``,
    ``TypeError``) prints ``graphneg: error: ...`` and returns 2; a file-system
    failure (:class:`OSError`) prints one line and returns 1.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")  # figures go to files; MPLBACKEND overrides
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv  # the command as typed, for reports
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    threads = getattr(args, "threads", None)
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    try:
        return int(func(args) or 0)
    except (ValueError, TypeError) as exc:  # bad input: a clear message, not a traceback
        print(f"graphneg: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # read-only, full, a file where a folder should be ...
        print(f"graphneg: error: {_os_error(exc)}", file=sys.stderr)
        return 1


def _os_error(exc: OSError) -> str:
    """One line for a file-system failure: what failed and where.

    Examples
    --------
    >>> _os_error(OSError(28, "No space left on device", "results/x.csv"))
    "No space left on device: 'results/x.csv'"
    """
    what = exc.strerror or str(exc)
    where = [repr(os.fspath(f)) for f in (exc.filename, exc.filename2) if f is not None]
    return what + (": " + " -> ".join(where) if where else "")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
