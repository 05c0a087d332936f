"""The evidence API's JSON responses as named OpenAPI schemas.

The models state what ``evidence.service`` and the upload state return today, key for key and
in the same order, so putting them on the routes changes no response. A stored file's
``info`` holds only what its probe found (a key is absent, not null, when nothing was found),
so those routes leave unset keys out. An upload's ``meta`` is what its client announced, in the
client's order, plus who uploaded it: it stays an open object.
"""

from __future__ import annotations

from pydantic import BaseModel

from liuhen.payloads import JsonObject


class MediaInfo(BaseModel):
    """What the file's own metadata says; each key only when the probe found it."""

    container: str | None = None
    codecs: list[str] | None = None
    duration: str | None = None  # seconds, to the millisecond, as text
    gps: str | None = None  # "lat,lon"


class MediaRow(BaseModel):
    """A stored file, classified by unit, device, officer, case and party (003 第二十四条)."""

    digest: str
    name: str
    size: int
    media_type: str | None
    kind: str
    device_no: str | None
    officer: str | None
    unit: str | None
    started_at: str | None
    ended_at: str | None
    stored_at: str
    remote: bool
    returned_at: str | None
    corrupt: bool
    problems: list[str]
    info: MediaInfo
    case_number: str | None
    act_seq: int | None
    party: str | None
    bound_seq: int | None
    stored_seq: int
    thumbnail: str | None
    proxy: str | None
    derived_seq: int | None


class MediaPage(BaseModel):
    """One page of stored files, newest first."""

    items: list[MediaRow]
    total: int
    page: int
    per_page: int


class UploadStatus(BaseModel):
    """``status`` is active, storing, complete, failed (``error`` says why), refused or
    terminated; ``digest`` is known once the bytes are hashed."""

    id: str
    length: int
    offset: int
    status: str
    digest: str | None
    error: str | None
    meta: JsonObject  # what the client announced, in its order, and who uploaded it
