"""``graphneg text``: options, their defaults in the help, and ``--quick`` settings."""
import argparse
import inspect

from graphneg.analysis.studies import text as study
from graphneg.commands import text as command


def _parser():
    parser = argparse.ArgumentParser(prog="graphneg")
    command.register(parser.add_subparsers(dest="command"))
    return parser


def test_options_and_help(capsys):
    args = _parser().parse_args(["text", "-o", "x", "--lams", "0", "1", "--seeds", "3", "4"])
    assert args.out == "x" and args.lams == [0.0, 1.0] and args.seeds == [3, 4]
    sub = _parser()._subparsers._group_actions[0].choices["text"]
    help_text = sub.format_help()
    assert "(default: 0.0 0.5 1.0)" in help_text and "(default: results/text)" in help_text
    assert "(default: 0 1 2 3 4)" in help_text                  # five seeds by default
    assert set(study.QUICK) <= set(inspect.signature(study.run).parameters)  # run's keywords
