"""Thumbnails and browser-playable proxies, made from a copy while the original stays untouched.

Idempotent by construction: a file's derivatives are attempted until an ``evidence.derived``
entry says they were, so a job killed halfway simply runs again, and a second run after success
does nothing.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from sqlalchemy import select

from liuhen.errors import ConflictError
from liuhen.evidence.media import MediaError, make_proxy, make_thumbnail
from liuhen.evidence.service import media_row
from liuhen.kernel import record
from liuhen.kernel.blobs.fs import FilesystemStore
from liuhen.kernel.db import store
from liuhen.kernel.db.batch import Batch
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Draft
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import Role

log = logging.getLogger(__name__)
MEDIA = store.MEDIA
SYSTEM = {"id": "derivatives", "role": Role.SYSTEM}


def pending(app: App, limit: int = 1000) -> list[str]:
    """Media still waiting for derivatives (after a crash, or stored by another process)."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(MEDIA.c.digest)
            .where(
                MEDIA.c.derived_seq.is_(None),
                MEDIA.c.corrupt.is_(False),  # kept as received; nothing trustworthy to render
                MEDIA.c.kind.in_(["video", "audio", "photo"]),
            )
            .order_by(MEDIA.c.stored_at)
            .limit(limit)
        )
        return [r[0] for r in rows]


def _store(app: App, path: Path) -> str:
    h = app.alg.new()
    with path.open("rb") as fh:
        while chunk := fh.read(8 << 20):
            h.update(chunk)
    digest = f"{app.alg.name}:{h.hexdigest()}"
    app.blobs.put_file(path, digest)
    return digest


def _not_yet_derived(pending: Batch, draft: Draft) -> None:
    """Checked under the journal lock, so two workers never both journal one file's copies."""
    row = pending.get("media", draft.body["fields"]["digest"])
    if row is not None and row["derived_seq"] is not None:
        raise ConflictError("该文件的派生文件已生成")


def make(app: App, digest: str) -> bool:
    """Make what is missing for ``digest``; returns False when there was nothing to do."""
    row = media_row(app, digest)
    if row is None or row.derived_seq is not None or row.kind == "unknown":
        return False
    problems: list[str] = []
    made: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="liuhen-derive-") as tmp:
        work = Path(tmp)
        if isinstance(app.blobs, FilesystemStore):
            source = app.blobs.path(digest)  # read in place, never written
        else:
            source = work / "original"
            with source.open("wb") as fh:
                for chunk in app.blobs.read(digest):
                    fh.write(chunk)
        if row.kind in ("video", "photo"):
            try:
                make_thumbnail(source, work / "thumb.jpg")
                made["thumbnail"] = _store(app, work / "thumb.jpg")
            except MediaError as exc:
                problems.append(f"缩略图：{exc.message}")
        if row.kind in ("video", "audio"):
            try:
                make_proxy(source, work / "proxy.mp4")
                made["proxy"] = _store(app, work / "proxy.mp4")
            except MediaError as exc:
                problems.append(f"浏览用副本：{exc.message}")
    fields: dict[str, object] = {"digest": digest, **made}
    if problems:
        fields["problems"] = problems
    draft = record.build_draft(
        ActInput(
            "evidence.derived", app.clock.now().isoformat(), fields=fields, recorded_by=SYSTEM
        ),
        app.clock.now(),
    )
    draft.check_first(_not_yet_derived)
    try:
        app.journal.append(draft)
    except ConflictError:  # another worker journaled this file's copies first; they are equal
        log.info("derivatives for %s were journaled by another worker", digest)
        return False
    log.info("derivatives for %s: %s", digest, ", ".join(made) or "none")
    return True
