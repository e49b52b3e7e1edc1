"""Sub-commands of the ``graphneg`` command line.

Every module here defines ``register(subparsers)``, adding one or more sub-commands;
:mod:`graphneg.cli` discovers the modules, so a new sub-command is one new file. A
command is thin: it declares its options with the shared helpers of :mod:`graphneg.cli`
(:func:`~graphneg.cli.add_command` gives ``--out/-o`` and help with defaults;
:func:`~graphneg.cli.add_seed`, :func:`~graphneg.cli.add_seeds`,
:func:`~graphneg.cli.add_quiet`; lists as ``nargs="+"``), calls its study in
:mod:`graphneg.analysis.studies`, draws figures onto given axes, and hands tables and
figures to :func:`graphneg.cli.write` (that is,
:func:`graphneg.analysis.report.write_study`), the only writer of files.
"""
