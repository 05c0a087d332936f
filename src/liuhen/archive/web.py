"""The filed dossier (案卷 PDF) of an archived case, linked from its 归档 entry.

Reading the dossier is reading the case's record, so it is guarded and journaled exactly as a
document PDF is: visibility and confidentiality marks first, then a 调阅 entry naming the file.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.archive import archiving
from liuhen.kernel.instance import App
from liuhen.web.files import serve_blob
from liuhen.web.openapi import file_responses

FileUser = Annotated[User, Depends(guard.file())]


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
        archiving.open_dossier(app, user, number, digest)
        return serve_blob(app, digest, "application/pdf", request)

    return r
