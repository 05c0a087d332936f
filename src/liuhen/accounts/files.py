"""Whose file is this: a digest resolved to the case (or, unbound, the unit) that owns it.

Files are served by digest, and a digest says nothing of who may read it; every file route asks
here first, so a file of a marked case, another unit's media or a filed dossier is refused by the
rules of the record it belongs to, whichever route it is asked through.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from liuhen.kernel.blobs.store import DIGEST
from liuhen.kernel.db import store
from liuhen.kernel.instance import App

MEDIA = store.MEDIA
ENTRY = store.ENTRY
# Acts whose entries name files of their case: documents, bound media, filed dossiers.
FILE_ACTS = ("general.document", "general.media", "archiving.archive")


@dataclass(frozen=True)
class Owner:
    """The case a file belongs to, or for unbound media the unit that stored it."""

    digest: str
    case: str | None
    unit: str | None
    kind: str  # media, document, dossier, attachment


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
            return Owner(digest, row.case_number, row.unit, "media")
        found = conn.execute(
            select(ENTRY.c.chain, ENTRY.c.act)
            .where(ENTRY.c.act.in_(FILE_ACTS), ENTRY.c.body.contains(needle))
            .order_by(ENTRY.c.seq)
        ).first()
        if found is None:
            found = conn.execute(
                select(ENTRY.c.chain, ENTRY.c.act)
                .where(ENTRY.c.body.contains(needle), ~ENTRY.c.chain.startswith("@"))
                .order_by(ENTRY.c.seq)
            ).first()
    if found is None:
        return None
    kind = {"general.document": "document", "archiving.archive": "dossier"}.get(
        found.act, "attachment"
    )
    return Owner(digest, found.chain, None, kind)
