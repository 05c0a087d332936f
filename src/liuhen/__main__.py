"""``python -m liuhen`` is the ``liuhen`` command."""

from liuhen.cli.main import run

run()
