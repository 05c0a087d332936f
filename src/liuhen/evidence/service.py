"""Storing an evidence file and binding it to a case: every step a journal entry.

The file is stored first (content-addressed, write-once), then journaled: a crash in between
leaves at worst a stored file nobody refers to, never a journal entry without its file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, and_, false, func, or_, select

from liuhen.access.policy import User
from liuhen.accounts.service import Scope, case_scope, chains_in, unit_scope
from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.evidence.devices import SITE_CAMERA
from liuhen.evidence.media import probe
from liuhen.evidence.schemas import MediaPage, MediaRow
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended, Draft
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import Role
from liuhen.procedure.fields import parse_datetime

MEDIA = store.MEDIA
OFFICER = store.OFFICER
DEVICE = store.DEVICE
ENTRY = store.ENTRY


# neither the uploader nor the file says when it was recorded: binding falls back to storage
UNTIMED = "上传时未填写记录时间，文件也未记载拍摄时间：开始、结束记录时间按存储至系统的时间记载"


@dataclass(frozen=True)
class Facts:
    """What the uploader says about a file: where it came from and what it belongs to."""

    name: str
    media_type: str | None = None
    device_no: str | None = None
    officer: str | None = None
    unit: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    remote: bool = False
    returned_at: str | None = None
    case: str | None = None
    act_seq: int | None = None
    source: str = "上传"
    opening_statement: bool = False  # the recording opens with time, place, officers, cause


def probe_file(path: Path) -> JsonObject:
    """Container, codecs, times and problems of a file; never fails (corrupt files are evidence).

    JSON, because it is kept with the upload (``meta.probe``) until the file is journaled."""
    try:
        return dict(probe(path).as_dict())
    except Exception as exc:  # a file we cannot read is stored as received and flagged
        return {"kind": "unknown", "corrupt": True, "problems": [f"无法解析文件：{exc}"]}


def _officer_unit(app: App, cert: str | None) -> str | None:
    if not cert:
        return None
    with app.engine.connect() as conn:
        return conn.execute(select(OFFICER.c.unit).where(OFFICER.c.cert_no == cert)).scalar()


def _device_unit(app: App, device_no: str | None) -> str | None:
    """A camera belongs to a unit: its unbound files are that unit's to file (and to see)."""
    if not device_no:
        return None
    with app.engine.connect() as conn:
        return conn.execute(select(DEVICE.c.unit).where(DEVICE.c.device_no == device_no)).scalar()


def stored_fields(
    app: App, digest: str, size: int, facts: Facts, info: JsonObject, stored_at: str
) -> FieldValues:
    """Fields of the ``evidence.stored`` entry: the uploader's facts, the file's own metadata
    where the uploader said nothing (a body camera's clock is what it is)."""
    kind = info.get("kind") or "unknown"
    fields: FieldValues = {
        "digest": digest,
        "name": facts.name[:200] or digest,
        "size": size,
        "kind": kind if kind in ("video", "audio", "photo") else "unknown",
        "stored_at": stored_at,
        "source": facts.source,
    }
    optional = {
        "media_type": facts.media_type or info.get("media_type"),
        "device_no": facts.device_no,
        "officer": facts.officer,
        "unit": facts.unit
        or _officer_unit(app, facts.officer)
        or _device_unit(app, facts.device_no),
        "started_at": facts.started_at or info.get("created_at"),
        "ended_at": facts.ended_at or info.get("ended_at"),
        "returned_at": facts.returned_at,
        "container": info.get("container"),
        "codecs": info.get("codecs") or None,
        "duration": info.get("duration_seconds"),
        "gps": _gps_text(info.get("gps")),
        "problems": list(info.get("problems") or []) or None,
    }
    if optional["started_at"] is None and fields["kind"] != "unknown":
        optional["problems"] = [*(optional["problems"] or []), UNTIMED]
    fields.update({k: v for k, v in optional.items() if v not in (None, "", [])})
    if facts.remote:
        fields["remote"] = True
    if info.get("corrupt"):
        fields["corrupt"] = True
    return fields


def _gps_text(gps: Any) -> str | None:
    if isinstance(gps, dict) and gps.get("lat") is not None and gps.get("lon") is not None:
        return f"{gps['lat']},{gps['lon']}"
    return None


def _media(row: RowMapping) -> MediaRow:
    """A ``media`` row as the API answers it (its JSON columns parsed)."""
    problems, info = json.loads(row["problems"]), json.loads(row["info"])
    return MediaRow.model_validate({**row, "problems": problems, "info": info})


def media_row(app: App, digest: str) -> MediaRow | None:
    with app.engine.connect() as conn:
        row = conn.execute(select(MEDIA).where(MEDIA.c.digest == digest)).mappings().first()
    return None if row is None else _media(row)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What binding reads of a stored file: its ``media`` row, or, when the storage and the
    binding are journaled together (no row yet), the fields of the storing entry."""

    digest: str
    kind: str
    stored_at: str
    device_no: str | None = None
    officer: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    remote: bool = False
    returned_at: str | None = None

    @classmethod
    def of_fields(cls, fields: FieldValues, remote: bool) -> StoredFile:
        return cls(
            fields["digest"], fields["kind"], fields["stored_at"], fields.get("device_no"),
            fields.get("officer"), fields.get("started_at"), fields.get("ended_at"), remote,
            fields.get("returned_at"),
        )  # fmt: skip


def binding_input(
    app: App, media: StoredFile | MediaRow, case: str, act_seq: int | None, by: dict[str, str],
    opening_statement: bool = False,
) -> ActInput:  # fmt: skip
    """The ``general.media`` entry that puts a stored file into a case's record;
    ``opening_statement`` when the uploader says it opens with the 001 第十三条 statement, which
    the text makes one with telling those present that the recording runs (both are recorded)."""
    fields: FieldValues = {
        "digest": media.digest,
        "kind": media.kind if media.kind in ("video", "audio", "photo") else "photo",
        "device_no": media.device_no or "未登记设备",
        "started_at": media.started_at or media.stored_at,
        "ended_at": media.ended_at or media.started_at or media.stored_at,
        "stored_at": media.stored_at,
    }
    if act_seq is not None:
        fields["act_seq"] = act_seq
    site = _site_of(app, media.device_no)
    if site is not None:
        _check_site_clip(app, case, act_seq, fields)
        fields["site"] = site
    if media.remote:
        fields["remote"] = True
    if opening_statement:
        fields["opening_statement"] = True
        fields["recording_notified"] = True
    if media.returned_at:
        fields["returned_at"] = media.returned_at
    # the file's officer acted; failing that the person binding it (a station's token is no one)
    if media.officer:
        actors = [media.officer]
    else:
        actors = [] if by.get("role") == Role.SYSTEM.value else [by.get("id", "")]
    return ActInput(
        "general.media",
        media.ended_at or media.stored_at,
        case=case,
        actors=[a for a in actors if a],
        fields=fields,
        recorded_by=by,
    )


def _site_of(app: App, device_no: str | None) -> str | None:
    """The 执法办案场所 a site camera watches; None for a body camera or an unknown device."""
    if not device_no:
        return None
    with app.engine.connect() as conn:
        row = conn.execute(
            select(DEVICE.c.kind, DEVICE.c.site).where(DEVICE.c.device_no == device_no)
        ).first()
    return str(row.site) if row is not None and row.kind == SITE_CAMERA and row.site else None


def _check_site_clip(app: App, case: str, act_seq: int | None, fields: FieldValues) -> None:
    """A site camera's recording records an act held at the site (marked ``case_site``) and
    runs while it did: a clip bound elsewhere, or outside the act's times, records nothing of
    it (001 第九条第四项, 003 第十九条). The 全程 coverage is the rules' to judge."""
    if act_seq is None:
        raise ValidationError(
            "办案场所监控录像须归入其所记录的事项",
            [Problem("请选择在该执法办案场所进行的事项", "act_seq", kind="required")],
        )
    with app.engine.connect() as conn:
        row = conn.execute(
            select(ENTRY.c.body, ENTRY.c.occurred_at)
            .where(ENTRY.c.chain == case, ENTRY.c.seq == act_seq)
        ).first()  # fmt: skip
    act = (json.loads(row.body).get("fields") or {}) if row is not None else None
    if act is None or act.get("case_site") is not True:
        raise ValidationError(
            "办案场所监控录像只能归入标记“在执法办案场所进行”的事项",
            [Problem(f"本案序号 {act_seq} 的记录未标记在执法办案场所进行", "act_seq")],
        )
    assert row is not None
    start = parse_datetime(act.get("started_at")) or parse_datetime(row.occurred_at)
    end = parse_datetime(act.get("ended_at")) or start
    clip_start, clip_end = parse_datetime(fields["started_at"]), parse_datetime(fields["ended_at"])
    if start and end and clip_start and clip_end and (clip_end < start or clip_start > end):
        raise ValidationError(
            "监控录像的起止时间与该事项的时间不重合",
            [Problem(
                f"录像 {fields['started_at']}—{fields['ended_at']} 不在该事项"
                f" {start.isoformat()}—{end.isoformat()} 之内", "act_seq",
            )],
        )  # fmt: skip


def journal_stored(
    app: App, fields: FieldValues, facts: Facts, by: dict[str, str]
) -> list[Appended]:
    """Journal the storage, and the binding when the uploader named the case (one unit)."""
    now = app.clock.now()
    drafts: list[Draft] = [
        record.build_draft(
            ActInput("evidence.stored", fields["stored_at"], fields=fields, recorded_by=by), now
        )
    ]
    if facts.case:
        media = StoredFile.of_fields(fields, facts.remote)
        drafts.append(
            record.build_draft(
                binding_input(app, media, facts.case, facts.act_seq, by, facts.opening_statement),
                now,
            )
        )
    return app.journal.append_all(drafts)


def bind(
    app: App, digest: str, case: str, act_seq: int | None, by: dict[str, str],
    opening_statement: bool = False,
) -> Appended:  # fmt: skip
    """Bind a stored file to a case (and the act it records) later: a journal entry."""
    media = media_row(app, digest)
    if media is None:
        raise NotFoundError(f"未找到已存储的文件 {digest}")
    if media.case_number and media.case_number != case:
        raise ValidationError(f"该文件已归入案件“{media.case_number}”；如归错，请以更正记录处理")
    return record.record(app, binding_input(app, media, case, act_seq, by, opening_statement))


CLASSIFIERS = ("unit", "device_no", "officer", "case_number", "party", "kind")


@dataclass(frozen=True)
class MediaScope:
    """Which stored files a person may list and open.

    A file bound to a case is the case's record: it is seen by those who see the case
    (``cases``, as for case lists; None means every case). A file not yet bound belongs to the
    unit that stored it (``units``): the uploader's colleagues file it, and the agency-wide roles
    of that agency may see it; nobody else, the administrator and the supervisor included.
    """

    cases: Scope
    units: tuple[str, ...]

    def condition(self) -> ColumnElement[bool]:
        bound = MEDIA.c.case_number.is_not(None)
        in_cases = chains_in(MEDIA.c.case_number, self.cases)
        unbound = (
            and_(MEDIA.c.case_number.is_(None), MEDIA.c.unit.in_(self.units))
            if self.units
            else false()
        )
        return or_(bound if in_cases is None else and_(bound, in_cases), unbound)


def media_scope(app: App, user: User) -> MediaScope:
    """The files ``user`` may see: his cases' files, and his units' files not yet bound."""
    return MediaScope(case_scope(app, user), tuple(unit_scope(app, user)))


def list_media(
    app: App,
    *,
    page: int = 1,
    per_page: int = 50,
    unbound: bool = False,
    older_than: str | None = None,
    scope: MediaScope | None = None,
    **filters: str | None,
) -> MediaPage:
    """Media by any of the 003 第二十四条 classifications, newest first, paginated.

    ``scope`` narrows the query itself (so totals and pages count only what may be seen); only
    the operator's command line and a page that has checked its case already pass None.
    """
    if not 1 <= page <= 100_000 or not 1 <= per_page <= 200:
        raise ValidationError("页码从 1 开始，每页 1–200 条")
    cond = [getattr(MEDIA.c, k) == v for k, v in filters.items() if v and k in CLASSIFIERS]
    if scope is not None:
        cond.append(scope.condition())
    unknown = [k for k, v in filters.items() if v and k not in CLASSIFIERS]
    if unknown:
        raise ValidationError(f"未知的分类：{'、'.join(unknown)}")
    if unbound:
        cond.append(MEDIA.c.case_number.is_(None))
    if older_than:
        if parse_datetime(older_than) is None:
            raise ValidationError("时间应为带时区的 ISO 8601")
        cond.append(MEDIA.c.stored_at < older_than)
    where = and_(*cond) if cond else None
    with app.engine.connect() as conn:
        count = select(func.count()).select_from(MEDIA)
        query = select(MEDIA).order_by(MEDIA.c.stored_at.desc())
        if where is not None:
            count, query = count.where(where), query.where(where)
        total = conn.execute(count).scalar_one()
        rows = conn.execute(query.limit(per_page).offset((page - 1) * per_page)).mappings().all()
    items = [_media(r) for r in rows]
    return MediaPage(items=items, total=int(total), page=page, per_page=per_page)


def system_actor() -> dict[str, str]:
    return {"id": "system", "role": Role.SYSTEM.value}
