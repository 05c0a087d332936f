"""What the administration API and pages share: who may administer, how the journal names
the administrator, and the key and pack settings both show."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts import service as access
from liuhen.admin import schemas
from liuhen.compliance import service as compliance
from liuhen.errors import LiuhenError, Problem, ValidationError
from liuhen.journal import checkpoint as notes
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import ROLE_LABELS, Role
from liuhen.signing import service as signing

MAX_PAGE = 100_000
ROLE_NAMES = {r.value: label for r, label in ROLE_LABELS.items()}


def admin_user(request: Request) -> User:
    """The signed-in administrator; anyone else is refused (LH151)."""
    user = guard.current_user(request)
    if Role.ADMIN not in user.roles:
        raise access.Forbidden("系统管理仅限系统管理员")
    return user


AdminDep = Annotated[User, Depends(admin_user)]
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def recorder(user: User) -> dict[str, str]:
    """The journal names the administrator as the one who registered or changed something."""
    return {"id": user.cert_no or user.username, "role": Role.ADMIN.value}


class PackChange(BaseModel):
    pack: str
    reason: str
    agency: str | None = None


def keys(app: App) -> schemas.Keys:
    table = store.SIGNING_KEY
    with app.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.cert_no)).mappings().all()
    return schemas.Keys(
        checkpoint_key=notes.verifier_key(app.origin, app.key.public_key()),
        origin=app.origin,
        signing_ca=signing.journaled_ca(app),
        certificates=[schemas.CertificateListed.model_validate(dict(r)) for r in rows],
    )


def pack_settings(app: App) -> schemas.PackSettings:
    def title(name: str) -> str:
        try:
            return compliance.load_pack(name, app.settings.data_dir).title
        except LiuhenError:
            return "（无法加载）"

    agencies = access.listing(app).agencies
    return schemas.PackSettings(
        default=compliance.pack_name_for(app, None),
        available=[
            schemas.PackOption(name=n, title=title(n))
            for n in compliance.available(app.settings.data_dir)
        ],
        agencies=[
            schemas.AgencyPack(
                code=a.code,
                name=a.name,
                rule_pack=a.rule_pack,
                in_force=compliance.pack_name_for(app, a.code),
            )
            for a in agencies
        ],
    )


def change_pack(app: App, user: User, body: PackChange) -> schemas.PackChanged:
    """The checks (pack, reason, registered agency) are the service's, shared with the CLI."""
    agency = (body.agency or "").strip() or None
    entry = compliance.use_pack(app, body.pack, body.reason, agency, by=recorder(user)["id"])
    return schemas.PackChanged(seq=entry.seq, pack=body.pack, agency=agency)


def set_active(app: App, user: User, username: str, active: bool) -> schemas.AccountActive:
    if not active and username == user.username:
        raise ValidationError("不能停用自己的账户", [Problem("不能停用自己的账户", "username")])
    access.set_active(app, username, active, by=user.username)
    return schemas.AccountActive(username=username, active=active)
