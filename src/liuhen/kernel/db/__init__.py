"""Database adapter: schema, engines for SQLite and PostgreSQL, migrations."""
