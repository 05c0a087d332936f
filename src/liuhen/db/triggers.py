"""Triggers that make the database itself refuse UPDATE and DELETE on append-only tables.

Kept as plain SQL used by the migration, so the schema the tests check is the one deployed.
"""

from __future__ import annotations

from liuhen.db.models import APPEND_ONLY_TABLES

MESSAGE = "append-only: journal rows cannot be changed or deleted"


def sqlite_create() -> list[str]:
    out = []
    for table in APPEND_ONLY_TABLES:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    return out


def sqlite_drop() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {t}_no_{op}"
        for t in APPEND_ONLY_TABLES
        for op in ("update", "delete")
    ]


def postgresql_create() -> list[str]:
    out = [
        "CREATE OR REPLACE FUNCTION liuhen_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END; "
        "$$ LANGUAGE plpgsql"
    ]
    for table in APPEND_ONLY_TABLES:
        out.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION liuhen_append_only()"
        )
        out.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION liuhen_append_only()"
        )
    return out


def postgresql_drop() -> list[str]:
    out = []
    for table in APPEND_ONLY_TABLES:
        out.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        out.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    out.append("DROP FUNCTION IF EXISTS liuhen_append_only()")
    return out
