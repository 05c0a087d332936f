"""An instance upgraded across the on-case rule change rebuilds its projections once, at start.

Before, later acts' officers were added to a case's officers; after the change a replay no
longer adds them, so an upgraded instance's case table disagreed with the journal and
``liuhen verify`` reported damage until someone ran ``liuhen journal rebuild``.
"""

from __future__ import annotations

import json
from typing import cast

from sqlalchemy import select, update

from liuhen.archive import verify
from liuhen.kernel import rebuild
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure import projection
from tests.integration import factory

CASE = "某文旅罚〔2026〕1号"
INSTANCE = store.T["instance"]
CASES = store.T["case_record"]


def test_a_new_instance_is_current_and_is_not_rebuilt(app: App) -> None:
    with app.engine.connect() as conn:
        stamped = conn.execute(select(INSTANCE.c.projection_rules)).scalar()
    assert stamped == projection.RULES_VERSION
    assert rebuild.bring_up_to_date(app) is None


def test_tables_written_by_the_old_rule_are_rebuilt_once(app: App) -> None:
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app, actors=["31010003", "31010001"])
    with app.engine.begin() as conn:  # what the old rule wrote, and no stamp of the new one
        conn.execute(update(CASES).where(CASES.c.number == CASE).values(
            officers=json.dumps(["31010001", "31010002", "31010003"])))  # fmt: skip
        conn.execute(update(INSTANCE).values(projection_rules=None))  # as migration 0007 leaves it
    assert not verify.verify(app).ok
    assert rebuild.bring_up_to_date(app) == 7  # agency, unit, 3 officers, the opening, the inquiry
    assert verify.verify(app).ok
    with app.engine.connect() as conn:
        officers = cast(
            str, conn.execute(select(CASES.c.officers).where(CASES.c.number == CASE)).scalar()
        )
    assert json.loads(officers) == ["31010001", "31010002"]
    assert rebuild.bring_up_to_date(app) is None
