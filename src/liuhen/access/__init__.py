"""People and access: accounts, sessions, machine tokens, and who may see which case."""
