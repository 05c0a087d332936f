"""Where rule packs come from, which one a case runs under, and changing it (journaled).

Packs ship in the package (``national``, ``001``, ``002``, ``003``); an agency's own packs go in
``$LIUHEN_DATA_DIR/packs/NAME.yaml`` and may extend a shipped one. The pack in force is a
journaled setting, so a reviewer can always tell which rules a case was judged by.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import Role
from liuhen.rules import pack as P

DEFAULT_PACK = "national"
BUILTIN = ("national", "001", "002", "003")


def _builtin_dir() -> Path:
    return Path(str(resources.files("liuhen") / "rules" / "packs"))


def find_source(name: str, data_dir: Path | None) -> P.PackSource:
    """An agency pack in the data folder wins over a shipped pack of the same name."""
    if not name or "/" in name or name.startswith("."):
        raise NotFoundError(f"规则包名称无效：“{name}”")
    candidates = []
    if data_dir is not None:
        candidates.append(data_dir / "packs" / f"{name}.yaml")
    candidates.append(_builtin_dir() / f"{name}.yaml")
    for path in candidates:
        if path.is_file():
            origin = str(path) if path.parent != _builtin_dir() else f"内置规则包 {name}.yaml"
            return P.PackSource(name, path.read_text("utf-8"), origin)
    raise NotFoundError(f"找不到规则包“{name}”")


def load_pack(name: str, data_dir: Path | None = None) -> P.Pack:
    return P.load(name, lambda n: find_source(n, data_dir))


def validate_file(path: Path, data_dir: Path | None = None) -> P.Pack:
    """Validate a pack file; its ``extends`` are looked up beside it, then as usual."""
    name = path.stem

    def find(n: str) -> P.PackSource:
        if n == name:
            return P.PackSource(n, path.read_text("utf-8"), str(path))
        sibling = path.parent / f"{n}.yaml"
        if sibling.is_file():
            return P.PackSource(n, sibling.read_text("utf-8"), str(sibling))
        return find_source(n, data_dir)

    return P.load(name, find)


def available(data_dir: Path | None) -> list[str]:
    names = set(BUILTIN)
    if data_dir is not None and (data_dir / "packs").is_dir():
        names |= {p.stem for p in (data_dir / "packs").glob("*.yaml")}
    return sorted(names)


def pack_name_for(app: App, agency: str | None) -> str:
    """The agency's pack, else the instance default, else the national baseline."""
    with app.engine.connect() as conn:
        if agency:
            row = conn.execute(
                select(store.AGENCY.c.rule_pack).where(store.AGENCY.c.code == agency)
            ).scalar()
            if row:
                return str(row)
        default = conn.execute(
            select(store.SETTING.c.value).where(store.SETTING.c.key == "rule_pack")
        ).scalar()
    return str(default) if default else DEFAULT_PACK


def _agency_registered(app: App, code: str) -> bool:
    agency = store.AGENCY
    with app.engine.connect() as conn:
        return conn.execute(select(agency.c.code).where(agency.c.code == code)).first() is not None


def digest(app: App, name: str) -> str:
    """A digest over the pack and every pack it extends, so the journal pins the exact rules."""
    h = hashlib.sha256()
    pack = load_pack(name, app.settings.data_dir)
    for n in pack.chain:
        h.update(find_source(n, app.settings.data_dir).text.encode())
    return "sha256:" + h.hexdigest()


def use_pack(
    app: App, name: str, reason: str, agency: str | None = None, by: str = "admin"
) -> Appended:
    """Journal a change of the pack in force, after checking it here for every caller (CLI,
    API, admin page): the pack exists and loads, a reason is given, the agency is registered.
    """
    agency = (agency or "").strip() or None
    reason = reason.strip()
    problems = []
    if name not in available(app.settings.data_dir):
        problems.append(Problem(f"没有名为“{name}”的规则包", "pack"))
    if not reason:
        problems.append(Problem("请填写变更理由", "reason"))
    if agency and not _agency_registered(app, agency):
        problems.append(Problem(f"机关“{agency}”未登记", "agency"))
    if problems:
        raise ValidationError("无法变更规则包", problems)
    load_pack(name, app.settings.data_dir)
    fields = {"pack": name, "digest": digest(app, name), "reason": reason}
    if agency:
        fields["agency"] = agency
    return record.record(
        app,
        ActInput(
            "registry.rule_pack",
            app.clock.now().isoformat(),
            fields=fields,
            recorded_by={"id": by, "role": Role.ADMIN.value},
        ),
    )
