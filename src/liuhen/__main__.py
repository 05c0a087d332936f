"""``python -m liuhen`` is the ``liuhen`` command."""

from liuhen.entrypoints.cli import run

run()
