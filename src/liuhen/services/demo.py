"""``liuhen demo``: a realistic agency with a dozen cases over every stage, for first start."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from liuhen.access import service as access
from liuhen.db import store
from liuhen.procedure.catalog import Role
from liuhen.services import imports, proofs, record
from liuhen.services.instance import App
from liuhen.services.record import ActInput
from liuhen.signing import service as signing

ADMIN = {"id": "demo", "role": Role.ADMIN.value}
# One account per role, printed by ``liuhen demo`` and listed in the README.
DEMO_USERS: tuple[tuple[str, str, list[str], str, str | None, str | None], ...] = (
    ("zhoulh", "zhifa-demo-2026", ["officer"], "周立衡", "whlyj-zd1", "11010023"),
    ("shenrl", "fazhi-demo-2026", ["legal_reviewer"], "沈若兰", "whlyj-fzk", "11010085"),
    ("hejg", "fuze-demo-2026", ["head"], "贺建国", "whlyj-zd1", "11010101"),
    ("chenghm", "dangan-demo-2026", ["archivist"], "程慧敏", "whlyj-fzk", "11010112"),
    ("sifaju", "jiandu-demo-2026", ["supervisor"], "区司法局监督员", None, None),
    ("admin", "guanli-demo-2026", ["admin"], "系统管理员", None, None),
)


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
    for username, password, roles, name, unit, cert in DEMO_USERS:
        access.create_user(app, username, password, roles, name, unit, cert)
    # Signing keys for the demo staff, so documents can be signed from the pages at once.
    signing.init_ca(app, registry["agencies"][0]["name"])
    for *_rest, cert in DEMO_USERS:
        if cert is not None:
            signing.issue(app, cert)
    proofs.checkpoint(app)
    return {"cases": len(_files()), "entries": entries}
