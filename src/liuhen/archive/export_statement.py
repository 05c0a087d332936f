"""The statement a disc of recordings carries (003 第二十五条第二款: 作为证据使用的录音、录像，
应当制作光盘归档保存，并注明记录的事项、时间、地点、方式和行政执法人员等信息).

For every recording in the bag it names, from the journal alone, the act it records, when,
where, how, by which officers and with which device, and whether it is used as evidence; it is
written into the bag as a payload file made at export, listed in index.json and protected by
the manifests like the generated dossier, so what is burnt to disc says what each file is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from liuhen.archive.export_contents import BagFile, Collected
from liuhen.payloads import JsonObject
from liuhen.procedure.catalog import act_type

STATEMENT_PATH = "data/media-statement.txt"
STATEMENT_NAME = "音像记录说明.txt"
METHODS = {"video": "录像", "audio": "录音", "photo": "照相"}
UNKNOWN = "（记录未载明）"


@dataclass(frozen=True, slots=True)
class _Line:
    label: str
    value: str


def media_statement(c: Collected, files: list[BagFile]) -> str | None:
    """The statement's text, or None when the bag carries no recording."""
    media = [f for f in files if f.role == "media" and f.seq is not None]
    if not media:
        return None
    bodies: dict[int, JsonObject] = {
        e.seq: {"act": e.act, "actors": json.loads(e.actors), **json.loads(e.body)}
        for e in c.entries
        if e.seq not in c.redacted  # a withheld entry says nothing here either
    }
    used = _evidence_uses(c, bodies)
    parts = [
        f"案件：{c.case}",
        "音像记录说明",
        "逐个注明本光盘（本包）所载音像记录所记录的事项、时间、地点、方式和行政执法人员等信息；"
        "各项取自案件日志，文件摘要可与 manifest 及 data/index.json 核对。",
        f"共 {len(media)} 个文件。",
        "",
    ]
    for i, f in enumerate(media, 1):
        parts.append(f"{i}. {f.path}")
        lines = _describe(f, bodies, used)
        parts += [f"   {line.label}：{line.value}" for line in lines]
        parts.append("")
    return "\n".join(parts)


def _officers(entry: JsonObject) -> str:
    """The officers an entry names, as the journal recorded them: name and certificate."""
    shown = [
        f"{a.get('name') or UNKNOWN}（执法证号 {a.get('cert_no')}）"
        for a in entry.get("actors") or []
        if isinstance(a, dict)
    ]
    return "、".join(shown) or UNKNOWN


def _evidence_uses(c: Collected, bodies: dict[int, JsonObject]) -> dict[str, list[str]]:
    """Digest → how each 音像记录作为证据使用 entry naming it says so (seq and medium)."""
    used: dict[str, list[str]] = {}
    for e in c.entries:
        if e.act != "general.evidence_use" or e.seq not in bodies:
            continue
        fields = bodies[e.seq].get("fields") or {}
        medium = fields.get("medium")
        note = f"日志序号 {e.seq}" + (f"，转存介质 {medium}" if medium else "")
        for digest in fields.get("digests") or []:
            used.setdefault(str(digest), []).append(note)
    return used


def _span(start: object, end: object) -> str:
    """自…至… to the second (a clip may last seconds), the date once when both share it."""
    try:
        a = datetime.fromisoformat(str(start))
        b = datetime.fromisoformat(str(end))
    except ValueError:
        return UNKNOWN

    def clock(t: datetime) -> str:
        return f"{t.hour}时{t.minute:02d}分{t.second:02d}秒"

    def day(t: datetime) -> str:
        return f"{t.year}年{t.month}月{t.day}日"

    return f"{day(a)}{clock(a)}至{'' if day(a) == day(b) else day(b)}{clock(b)}"


def _describe(
    f: BagFile,
    bodies: dict[int, JsonObject],
    used: dict[str, list[str]],
) -> list[_Line]:
    assert f.seq is not None  # media files come from their 音像记录 entry
    media = bodies.get(f.seq, {})
    fields = media.get("fields") or {}
    act_seq = fields.get("act_seq")
    act = bodies.get(act_seq) if isinstance(act_seq, int) else None
    if act is not None:
        kind = act_type(str(act.get("act")))
        matter = f"{kind.label if kind else act.get('act')}（日志序号 {act_seq}）"
        place = str(act.get("place") or (act.get("fields") or {}).get("place") or UNKNOWN)
        officers = _officers(act)
    else:
        matter = place = officers = UNKNOWN
    span = _span(fields.get("started_at"), fields.get("ended_at"))
    method = METHODS.get(str(fields.get("kind")), UNKNOWN)
    evidence = "；".join(used.get(f.digest, [])) or "否"
    return [
        _Line("记录的事项", matter),
        _Line("时　　间", span),
        _Line("地　　点", place),
        _Line("方　　式", method),
        _Line("执法人员", officers),
        _Line("记录设备编号", str(fields.get("device_no") or UNKNOWN)),
        _Line("作为证据使用", evidence if evidence == "否" else f"是（{evidence}）"),
        _Line("原始文件名", f.name),
        _Line("文件摘要", f.digest),
        _Line("音像记录日志序号", str(f.seq)),
    ]
