"""The filed dossier (案卷 PDF) of an archived case, linked from its 归档 entry.

Reading the dossier is reading the case's record, so it is guarded and journaled exactly as a
document PDF is: visibility and confidentiality marks first, then a 调阅 entry naming the file.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts.service import record_access
from liuhen.errors import NotFoundError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.web.files import serve_blob
from liuhen.web.openapi import file_responses

FileUser = Annotated[User, Depends(guard.file())]


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


def router(app: App) -> APIRouter:
    r = APIRouter(tags=["立卷归档"])

    @r.get(
        "/api/v1/cases/{number}/dossier/{digest}",
        response_class=Response,
        responses=file_responses("application/pdf"),
        summary="归档案卷 PDF（支持 Range）",
    )
    def dossier(number: str, digest: str, request: Request, user: FileUser) -> Response:
        # the guard checked the file's own case and marks; the case in the path must be it
        if digest not in filed_dossiers(app, number) or not app.blobs.exists(digest):
            raise NotFoundError(f"案件“{number}”没有该归档案卷")
        record_access(app, user, number, "查看归档案卷", materials=[digest])
        return serve_blob(app, digest, "application/pdf", request)

    return r
