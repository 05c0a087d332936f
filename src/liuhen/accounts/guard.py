"""One guard per route: every route states what it needs, and only this module says yes or no.

The rules themselves are pure (``access.policy``, ``access.marks``); this is the web's single
door to them. A route declares ``Depends(Guard(...))`` (or its router does), the guard answers
401/403/404 before the handler runs, and a test walks every route the app registers and fails
on one without a guard, so a new route cannot be added unguarded by forgetting. The written
rules are in ``docs/access.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from fastapi import Request

from liuhen.access.policy import OVERVIEW, RECORDERS, User, can_record, can_view_case
from liuhen.accounts import auth_web as auth
from liuhen.accounts import files
from liuhen.accounts.access_log import unit_agency
from liuhen.accounts.auth_web import check_form as check_form
from liuhen.accounts.auth_web import current_user as current_user
from liuhen.accounts.auth_web import posted_form as posted_form
from liuhen.accounts.confidentiality import case_header, guard_file
from liuhen.accounts.scope import Scope, case_scope, unit_scope
from liuhen.accounts.service import Forbidden
from liuhen.errors import LiuhenError, NotFoundError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role

ADMIN = frozenset({Role.ADMIN})


class Need(StrEnum):
    """What a route needs of its caller."""

    PUBLIC = "public"  # anyone: the login page, the checkpoint and proofs (anyone may verify)
    SIGNED_IN = "signed_in"  # any account; what it lists is scoped in SQL (``case_scope``)
    ROLE = "role"  # one of ``roles``
    SEE_CASE = "see_case"  # the case named in the path is visible to the caller
    RECORD_CASE = "record_case"  # ... and the caller may record in it
    FILE = "file"  # a file by digest: the handler resolves it to its case and checks marks


@dataclass(frozen=True)
class Guard:
    """A route dependency: resolves the caller and refuses what ``need`` does not allow.

    ``param`` names the path parameter holding the case number (``number`` by default).
    The guard leaves the caller in ``request.state.user`` and, for case needs, the case header
    (number, unit, officers) in ``request.state.case`` so the handler need not read it again.
    """

    need: Need
    roles: frozenset[str] = frozenset()
    param: str = "number"
    refusal: str = ""

    def __call__(self, request: Request) -> User:
        if self.need is Need.PUBLIC or request.method == "OPTIONS":
            # capability discovery (tus OPTIONS, CORS preflight) carries no credentials
            return auth.ANONYMOUS  # not left in request.state: pages show no one signed in
        user = auth.current_user(request)
        if self.need is Need.ROLE and not user.roles & self.roles:
            raise Forbidden(self.refusal or "无权使用此功能")
        if self.need in (Need.SEE_CASE, Need.RECORD_CASE):
            request.state.case = self._case(request, user)
        if self.need is Need.FILE:
            request.state.file = self._file(request, user)
        return user

    def _file(self, request: Request, user: User) -> files.Owner:
        """A file of a case: the case's visibility and its marks; an unbound media file: the
        unit that stored it (and its agency's heads, reviewers and archivists); else 404."""
        app: App = request.app.state.liuhen
        digest = str(request.path_params.get("digest", ""))
        found = files.owner(app, digest)
        if found is None:
            raise NotFoundError(f"未找到文件 {digest}")
        cases = found.cases or ((found.case,) if found.case else ())
        if cases:
            # a route naming its case asks for the file as that case's; else any case that
            # names the file and that the reader may read lets him read it
            named = str(request.path_params.get("number", ""))
            return replace(found, case=_readable(app, user, (named,) if named in cases else cases,
                                                 digest))  # fmt: skip
        if found.unit is None or found.unit not in unit_scope(app, user):
            raise Forbidden("无权查看该文件：尚未归入案件的音像资料仅限其所属机构查看")
        return found

    def _case(self, request: Request, user: User) -> dict[str, Any]:
        app: App = request.app.state.liuhen
        header = case_header(app, str(request.path_params.get(self.param, "")))
        if not can_view_case(user, header, unit_agency(app, header["unit"])):
            raise Forbidden(self.refusal or "无权查看该案件")
        if self.need is Need.RECORD_CASE and not can_record(user):
            raise Forbidden(self.refusal or "无权在该案件中记录")
        return header


def _readable(app: App, user: User, cases: tuple[str, ...], digest: str) -> str:
    """The first of ``cases`` whose file ``digest`` ``user`` may read (its case and marks);
    refused as the first case refuses him when none does."""
    refusal: LiuhenError | None = None
    for case in cases:
        try:
            guard_file(app, user, case, digest)
        except LiuhenError as exc:
            refusal = refusal or exc
            continue
        return case
    assert refusal is not None
    raise refusal


def public() -> Guard:
    return Guard(Need.PUBLIC)


def signed_in() -> Guard:
    return Guard(Need.SIGNED_IN)


def role(roles: frozenset[str] | set[str], refusal: str) -> Guard:
    return Guard(Need.ROLE, roles=frozenset(roles), refusal=refusal)


def see_case(param: str = "number") -> Guard:
    return Guard(Need.SEE_CASE, param=param)


def record_case(param: str = "number", refusal: str = "") -> Guard:
    return Guard(Need.RECORD_CASE, param=param, refusal=refusal)


def file() -> Guard:
    return Guard(Need.FILE)


__all__ = ["OVERVIEW", "RECORDERS", "Guard", "Need", "Scope", "case_scope"]
