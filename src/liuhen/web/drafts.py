"""暂存: a form saved as typed, to finish later, by its user alone.

A draft is working state, not a record: saving one records nothing in the journal (an act or a
document is recorded only when its form is submitted), and the draft is deleted once it is.
It is kept per user and per form page (its address, ``url``), so opening that page again
restores what was typed. Secrets are never kept: passwords typed to confirm a colleague's
presence, and the party's drawn signature, which belongs under the content he read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, Engine, Row, delete, insert, select, update

from liuhen.errors import LiuhenError, Problem, ValidationError
from liuhen.kernel.db import store

DRAFT = store.FORM_DRAFT
MAX_BYTES = 256 * 1024
SAVE, DISCARD = "save", "discard"  # what the form's 暂存 and 放弃暂存 buttons post as ``draft``
# never kept: the request's token, the buttons, a preview's seal, passwords, drawn signatures
_NOT_KEPT = ("csrf", "draft", "back", "preview_mac", "party_signature_png")
_NOT_KEPT_PREFIX = ("confirm_password",)


@dataclass(frozen=True, slots=True)
class Draft:
    """One saved form: whose, which page, what it makes and in which case, and when."""

    username: str
    url: str
    case: str | None
    title: str
    fields: dict[str, str]
    saved_at: str


def posted(form: Mapping[str, str]) -> bool:
    """Whether the form was posted by its 暂存 or 放弃暂存 button, not to be recorded."""
    return form.get("draft") in (SAVE, DISCARD)


def kept(form: Mapping[str, str]) -> dict[str, str]:
    """What a draft keeps of a submitted form."""
    return {
        k: v for k, v in form.items()
        if k not in _NOT_KEPT and not k.startswith(_NOT_KEPT_PREFIX)
    }  # fmt: skip


def save(
    engine: Engine,
    username: str,
    url: str,
    case: str | None,
    title: str,
    form: Mapping[str, str],
    now: datetime,
) -> Draft:
    """Keep ``form`` (as ``kept`` reads it) as ``username``'s draft of the page ``url``,
    replacing an earlier one; refused above ``MAX_BYTES``."""
    fields = kept(form)
    text = json.dumps(fields, ensure_ascii=False)
    if len(text.encode()) > MAX_BYTES:
        message = f"暂存的内容超过 {MAX_BYTES // 1024} KB，无法暂存；请删减过长的内容后再暂存"
        raise ValidationError(message, [Problem(message, "draft", kind="too_large")])
    values = {"case_number": case or None, "title": title[:200], "fields": text,
              "saved_at": now.isoformat()}  # fmt: skip
    key = (DRAFT.c.username == username) & (DRAFT.c.url == url)
    with engine.begin() as conn:
        if conn.execute(update(DRAFT).where(key).values(**values)).rowcount == 0:
            conn.execute(insert(DRAFT).values(username=username, url=url, **values))
    return Draft(username, url, case or None, title[:200], fields, now.isoformat())


def find(engine: Engine, username: str, url: str) -> Draft | None:
    """``username``'s draft of the page ``url``; nobody else's."""
    with engine.connect() as conn:
        row = conn.execute(
            select(DRAFT).where(DRAFT.c.username == username, DRAFT.c.url == url)
        ).first()
    return None if row is None else _draft(row)


def restore(
    engine: Engine, username: str, url: str, form: dict[str, str]
) -> tuple[dict[str, str], Draft | None]:
    """The form to show on ``url``: ``username``'s draft of it as he left it, else ``form``."""
    draft = find(engine, username, url)
    return (dict(draft.fields), draft) if draft else (form, None)


def discard(engine: Engine, username: str, url: str) -> None:
    """Forget ``username``'s draft of ``url`` (recorded, or given up)."""
    with engine.begin() as conn:
        conn.execute(delete(DRAFT).where(DRAFT.c.username == username, DRAFT.c.url == url))


def of_user(
    engine: Engine, username: str, visible: ColumnElement[bool] | None = None
) -> list[Draft]:
    """``username``'s drafts, the oldest first; with ``visible`` (a condition on a case
    number column), only those of no case or of a case it admits."""
    query = select(DRAFT).where(DRAFT.c.username == username).order_by(DRAFT.c.saved_at)
    if visible is not None:
        query = query.where(DRAFT.c.case_number.is_(None) | visible)
    with engine.connect() as conn:
        return [_draft(r) for r in conn.execute(query)]


def _draft(row: Row[Any]) -> Draft:
    fields = json.loads(row.fields)
    return Draft(row.username, row.url, row.case_number, row.title, fields, row.saved_at)


def answer(
    engine: Engine,
    username: str,
    url: str,
    case: str | None,
    title: str,
    form: Mapping[str, str],
    now: datetime,
    refused: Callable[[LiuhenError], Response],
) -> Response:
    """What a form posted by 暂存 or 放弃暂存 (``posted``) gets: nothing recorded, the form
    shown again as saved (``?saved=1``) or afresh; a draft too large is ``refused`` on the
    form."""
    if form.get("draft") != SAVE:
        discard(engine, username, url)
        return RedirectResponse(url, status_code=303)
    try:
        save(engine, username, url, case, title, form, now)
    except LiuhenError as exc:
        return refused(exc)
    return RedirectResponse(f"{url}&saved=1", status_code=303)
