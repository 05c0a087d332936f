"""``liuhen demo``: a realistic agency with a dozen cases over every stage, for first start."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from liuhen.db import store
from liuhen.procedure.catalog import Role
from liuhen.services import imports, proofs, record
from liuhen.services.instance import App
from liuhen.services.record import ActInput

ADMIN = {"id": "demo", "role": Role.ADMIN.value}


def _files() -> list[Any]:
    folder = resources.files("liuhen") / "demo"
    return sorted(
        (f for f in folder.iterdir() if f.name.startswith("case_") and f.name.endswith(".json")),
        key=lambda f: f.name,
    )


def has_cases(app: App) -> bool:
    with app.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(store.T["case_record"])).scalar())


def seed(app: App) -> dict[str, int]:
    """Register the demo agency and import every demo case; refuses if cases already exist."""
    folder = resources.files("liuhen") / "demo"
    registry = json.loads((folder / "registry.json").read_text("utf-8"))
    now = app.clock.now().isoformat()
    for kind, items in (
        ("registry.agency", registry["agencies"]),
        ("registry.unit", registry["units"]),
        ("registry.officer", registry["officers"]),
    ):
        for item in items:
            record.record(app, ActInput(kind, now, fields=item, recorded_by=ADMIN))
    entries = 0
    for f in _files():
        _case, appended = imports.import_text(app, f.read_text("utf-8"))
        entries += len(appended)
    proofs.checkpoint(app)
    return {"cases": len(_files()), "entries": entries}
