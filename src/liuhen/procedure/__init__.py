"""The procedure: stages, act types and their typed fields. Pure data, no I/O."""
