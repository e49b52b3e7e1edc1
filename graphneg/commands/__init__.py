"""Sub-commands of the ``graphneg`` command line.

Every module here defines ``register(subparsers)``, adding one or more
sub-commands whose handler is set with ``parser.set_defaults(func=...)``;
:mod:`graphneg.cli` discovers the modules, so a new sub-command is one new file.
"""
