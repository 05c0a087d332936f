"""The ``liuhen`` command line."""
