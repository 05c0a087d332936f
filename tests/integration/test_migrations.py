"""Models and migrations agree on both databases, and migrations go down and up cleanly."""

from __future__ import annotations

from sqlalchemy import inspect

from liuhen.kernel.db import migrate
from liuhen.kernel.db.engine import make_engine
from liuhen.kernel.db.models import Base


def test_models_and_migrations_do_not_drift(settings):
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    newest = max(p.name[:4] for p in (migrate.MIGRATIONS / "versions").glob("0*.py"))
    assert migrate.current(engine) == newest  # whatever its number
    assert migrate.drift(engine) == []
    engine.dispose()


def test_drift_check_notices_a_model_the_migrations_lack(settings):
    """The check can fail: a table only in the models is reported."""
    from sqlalchemy import Column, Integer, Table

    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    extra = Table("not_migrated", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        assert any("not_migrated" in str(d) for d in migrate.drift(engine))
    finally:
        Base.metadata.remove(extra)
        engine.dispose()


def test_downgrade_and_upgrade_round_trip(settings):
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert "journal_entry" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.drift(engine) == []
    engine.dispose()
