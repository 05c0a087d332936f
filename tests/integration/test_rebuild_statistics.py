"""A rebuild rewrites every projection row; on PostgreSQL it then vacuums and analyses those
tables itself, because with autovacuum off (or late) the planner keeps the old row counts and
the dead rows stay (bench.bulk at 100,000 cases: 25 cases per unit guessed, seconds-long plans)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from liuhen.demo import seed as demo
from liuhen.kernel.db.models import PROJECTION_TABLES
from liuhen.kernel.instance import App
from liuhen.kernel.rebuild import rebuild


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_rebuild_leaves_the_projection_tables_vacuumed_and_analysed(app: App) -> None:
    demo.seed(app)
    started = datetime.now(UTC)
    replayed = rebuild(app)
    assert replayed > 0
    with app.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, last_vacuum, last_analyze FROM pg_stat_user_tables "
                "WHERE relname = ANY(:names)"
            ),
            {"names": list(PROJECTION_TABLES)},
        ).all()
        counted = conn.execute(text("SELECT count(*) FROM case_record")).scalar_one()
        estimated = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'case_record'")
        ).scalar_one()
    assert {r.relname for r in rows} == set(PROJECTION_TABLES)
    for r in rows:  # last_vacuum is set by a VACUUM command only, never by autovacuum
        assert r.last_vacuum is not None and r.last_vacuum >= started, r.relname
        assert r.last_analyze is not None and r.last_analyze >= started, r.relname
    assert counted > 0 and estimated == counted
