"""Anomaly detectors: each a pure function of case records, so it is unit-tested without I/O."""
