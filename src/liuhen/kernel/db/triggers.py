"""Triggers that make the database itself refuse UPDATE and DELETE on append-only tables.

Kept as plain SQL used by the migration, so the schema the tests check is the one deployed.
Each function takes the tables it covers, so a later migration can protect a new table
(``account_event``) without touching the ones an earlier migration already guards.
"""

from __future__ import annotations

from collections.abc import Sequence

from liuhen.kernel.db.models import APPEND_ONLY_TABLES

MESSAGE = "append-only: journal rows cannot be changed or deleted"


def sqlite_create(tables: Sequence[str] = APPEND_ONLY_TABLES) -> list[str]:
    out = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    return out


def sqlite_drop(tables: Sequence[str] = APPEND_ONLY_TABLES) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in tables for op in ("update", "delete")]


def postgresql_create(tables: Sequence[str] = APPEND_ONLY_TABLES) -> list[str]:
    out = [
        "CREATE OR REPLACE FUNCTION liuhen_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END; "
        "$$ LANGUAGE plpgsql"
    ]
    for table in tables:
        out.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION liuhen_append_only()"
        )
        out.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION liuhen_append_only()"
        )
    return out


def postgresql_drop(tables: Sequence[str] = APPEND_ONLY_TABLES, function: bool = True) -> list[str]:
    """``function=False`` keeps the shared trigger function for the tables still guarded."""
    out = []
    for table in tables:
        out.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        out.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    if function:
        out.append("DROP FUNCTION IF EXISTS liuhen_append_only()")
    return out
