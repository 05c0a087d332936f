"""The archive API's JSON responses as named OpenAPI schemas.

They state what ``archive.retention`` returns today, key for key and in the same order, so
putting them on the routes changes no response.
"""

from __future__ import annotations

from pydantic import BaseModel


class LegalHold(BaseModel):
    """A hold in force (保全): no file it covers may be destroyed; no ``digests``: the case."""

    seq: int
    ground: str
    reason: str
    digests: list[str]
    occurred_at: str


class RetentionState(BaseModel):
    """An archived case's retention: when it ends (``ends_on`` None: 长期/永久), its holds,
    what was disposed of, and whether it is ``due`` (ended and not held)."""

    case: str
    archive_seq: int
    dossier_no: str
    retention: str
    archived_on: str
    ends_on: str | None
    ended: bool
    holds: list[LegalHold]
    disposed: list[str]
    due: bool


class RetentionPage(BaseModel):
    """One page of archived cases, by when their retention ends."""

    items: list[RetentionState]
    total: int
    page: int
    per_page: int
