"""Studies: each is a function that runs an experiment and returns tidy tables.

A study never writes files and never draws; its command draws figures with
:mod:`graphneg.analysis.plots` and hands tables and figures to
:func:`graphneg.analysis.report.write_study`.
"""
