"""Whose file is this: a digest resolved to the case (or, unbound, the unit) that owns it.

Files are served by digest, and a digest says nothing of who may read it; every file route asks
here first, so a file of a marked case, another unit's media or a filed dossier is refused by the
rules of the record it belongs to, whichever route it is asked through.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import or_, select

from liuhen.kernel.blobs.store import DIGEST
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject

MEDIA = store.MEDIA
ENTRY = store.ENTRY
# Acts whose entries name files of their case: documents, bound media, filed dossiers.
FILE_ACTS = ("general.document", "general.media", "archiving.archive")


@dataclass(frozen=True)
class Owner:
    """The case a file belongs to, or for unbound media the unit that stored it. The same bytes
    may be named by several cases (one scan filed in two cases, in two units): ``cases`` holds
    every one of them, in journal order, ``case`` the first (or, once a guard has let a reader
    through, the one it let him through by)."""

    digest: str
    case: str | None
    unit: str | None
    kind: str  # media, document, dossier, attachment
    cases: tuple[str, ...] = ()


def _files(body: JsonObject, digest: str) -> bool:
    """Whether an entry files ``digest``: as its own file (``fields.digest``) or attached."""
    fields = body.get("fields") or {}
    attached = (a.get("digest") for a in body.get("attachments") or [] if isinstance(a, dict))
    return fields.get("digest") == digest or digest in attached


def owner(app: App, digest: str) -> Owner | None:
    """The owner of a stored file (an original, its proxy or thumbnail), or None if no record
    names it: a file no record names is served to nobody.

    A digest that is malformed or not in storage has no owner to find, and is answered without
    searching the journal's text: a made-up digest must not cost a scan of every entry.
    """
    if not DIGEST.match(digest) or not app.blobs.exists(digest):
        return None
    needle = f'"{digest}"'
    with app.engine.connect() as conn:
        row = conn.execute(
            select(MEDIA.c.digest, MEDIA.c.case_number, MEDIA.c.unit).where(
                or_(MEDIA.c.digest == digest, MEDIA.c.proxy == digest,
                    MEDIA.c.thumbnail == digest)
            )
        ).first()  # fmt: skip
        if row is not None:
            bound = (row.case_number,) if row.case_number else ()
            return Owner(digest, row.case_number, row.unit, "media", bound)
        quoting = conn.execute(
            select(ENTRY.c.chain, ENTRY.c.act, ENTRY.c.body)
            .where(ENTRY.c.body.contains(needle), ~ENTRY.c.chain.startswith("@"))
            .order_by(ENTRY.c.seq)
        ).all()
    # a case names the file by filing it (a document's PDF, a clip, a dossier) or attaching it;
    # a digest merely quoted in its text (a note, a 调阅记录) gives its readers nothing
    named = [r for r in quoting if _files(json.loads(r.body), digest)]
    if not named:
        return None
    cases = tuple(dict.fromkeys(str(r.chain) for r in named))
    # what the file is: as the first entry that files it says (a document, a dossier), else
    # an attachment of an act
    first = next((r for r in named if r.act in FILE_ACTS), named[0])
    kind = {"general.document": "document", "archiving.archive": "dossier"}.get(
        first.act, "attachment"
    )
    return Owner(digest, str(first.chain), None, kind, cases)
