"""Many rows into a table, or many values in a WHERE clause, without one statement per row.

psycopg's executemany sends one prepared statement per row: writing an index of a million rows
that way took most of a full anomaly scan. PostgreSQL takes them through COPY (one stream in the
same transaction); SQLite's executemany is already a loop in C, so it keeps that. A list of
values for an IN clause goes in slices the database accepts: SQLite's bound parameters are few,
PostgreSQL's many, and each round trip costs more than the parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY

COPY_FROM = 50  # rows from which COPY beats executemany on PostgreSQL
SLICE = {"postgresql": 5000}
SLICE_DEFAULT = 500


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same keys) into ``table`` within ``conn``'s transaction."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        conn.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    columns = ", ".join(f'"{n}"' for n in names)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[n] for n in names])


def among(conn: Connection, column: Any, values: Sequence[Any]) -> Iterator[ColumnElement[bool]]:
    """Conditions ``column IN values``, one per statement to run: on PostgreSQL a single one
    with the values as one array parameter (psycopg parses a statement's placeholders in
    Python, milliseconds for thousands of them); elsewhere an IN list per slice."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for part in slices(conn, values):
        yield column.in_(part)


def slices(conn: Connection, values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``values`` in slices small enough for one IN clause of ``conn``'s database."""
    size = SLICE.get(conn.dialect.name, SLICE_DEFAULT)
    for i in range(0, len(values), size):
        yield values[i : i + size]
