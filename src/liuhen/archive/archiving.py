"""Archiving a closed case: its dossier is rendered, stored and journaled as the 归档 entry.

The entry carries the dossier PDF's digest as its attachment and the page count read from the
PDF itself, so what the 归档 entry says was filed is exactly what storage holds. A checkpoint
is signed first, so the 备考表 can name one that covers every entry of the case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.archive import dossier as dossiers
from liuhen.archive import retention
from liuhen.compliance import service as compliance
from liuhen.documents.service import store_pdf
from liuhen.errors import AlreadyArchived, CaseNotClosed, NotFoundError
from liuhen.kernel import proofs, record
from liuhen.kernel.db import store
from liuhen.kernel.db.batch import Batch
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended, Draft
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import Role


@dataclass(frozen=True)
class Archived:
    entry: Appended
    digest: str
    pages: int
    volumes: int
    documents: int
    retention: str
    dossier_no: str


def _not_yet_archived(pending: Batch, draft: Draft) -> None:
    """Checked again inside the append: two archivists filing at once make one dossier."""
    row = pending.get("case_record", draft.chain)
    if row is not None and row["status"] == "archived":
        raise AlreadyArchived(f"案件“{draft.chain}”已经归档，不能重复归档")


def archive(
    app: App,
    case: str,
    archivist: str,
    checker: str | None = None,
    dossier_no: str | None = None,
    period: str | None = None,
) -> Archived:
    filed = retention.archiving_entries(app, case, ("archiving.closing", "archiving.archive"))
    acts = [e.act for e in filed]
    if "archiving.archive" in acts:
        raise AlreadyArchived(f"案件“{case}”已经归档，不能重复归档")
    if "archiving.closing" not in acts:
        retention.must_exist(app, case)
        raise CaseNotClosed(f"案件“{case}”尚未结案：先记录“结案”（archiving.closing），再归档")
    archivist_name, role = access.person(app, archivist, (Role.ARCHIVIST,), "立卷归档")
    checker_name = (
        access.person(app, checker, (Role.ARCHIVIST, Role.HEAD), "检查案卷")[0] if checker else ""
    )
    rc = compliance.evaluate_case(app, case).retention
    chosen = period or retention.default_period(rc)
    retention.check_period(chosen, rc)
    today = app.clock.now().date()
    number = dossier_no or f"{today.year}-{case}"
    proofs.checkpoint(app)
    meta = dossiers.Meta(number, chosen, archivist_name, checker_name, today.isoformat())
    built = dossiers.build(app, case, meta, sign_as=archivist)
    digest = store_pdf(app, built.pdf)
    fields = {
        "dossier_no": number, "volumes": built.volumes, "pages": built.pages,
        "retention": chosen, "archived_on": today.isoformat(), "archivist": archivist_name,
    }  # fmt: skip
    if checker_name:
        fields["checker"] = checker_name
    draft = record.build_draft(
        ActInput(
            "archiving.archive", app.clock.now().isoformat(), case=case, actors=[archivist],
            fields=fields, recorded_by={"id": archivist, "role": role},
            attachments=[{"digest": digest, "name": f"案卷 {number}.pdf",
                          "media_type": "application/pdf", "size": len(built.pdf)}],
        ),
        app.clock.now(),
    )  # fmt: skip
    draft.check_first(_not_yet_archived)
    entry = app.journal.append(draft)
    documents = sum(1 for r in built.rows if r.item.kind == "document")
    return Archived(entry, digest, built.pages, built.volumes, documents, chosen, number)


def filed_dossiers(app: App, number: str) -> set[str]:
    """Digests attached to the case's 归档 entries: the only files this route serves."""
    entry = store.ENTRY
    with app.engine.connect() as conn:
        bodies = conn.execute(
            select(entry.c.body).where(entry.c.chain == number, entry.c.act == "archiving.archive")
        ).scalars()
        return {
            a["digest"]
            for body in bodies
            for a in json.loads(body).get("attachments") or []
            if isinstance(a, dict) and a.get("digest")
        }


def open_dossier(app: App, user: User, number: str, digest: str) -> None:
    """Let ``user`` read a filed dossier of case ``number``, journaling the viewing (调阅).

    The route's guard has checked the file's own case and marks; the case named in the path
    must be the one the dossier was filed in, and the file must still be stored.
    """
    if digest not in filed_dossiers(app, number) or not app.blobs.exists(digest):
        raise NotFoundError(f"案件“{number}”没有该归档案卷")
    access.record_access(app, user, number, "查看归档案卷", materials=[digest])
