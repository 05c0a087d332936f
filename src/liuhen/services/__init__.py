"""Use cases: one function or class per thing a user does. They own transaction boundaries."""
