"""Supervision: anomalies that point at a fabricated record, and the supervisor's review of them."""
