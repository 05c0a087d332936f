"""What a document form starts from besides its own act: everything the case already knows.

An officer should not type again the case's cause and number, its party with his details, the
officers who did the act and their certificate numbers, the agency's 复议机关 and 诉讼法院, or,
for a decision, the records it rests on. The mapping is written once here, by field name, for
every document type: a form holds these values only if its type declares the field
(documents.yaml), and what its act recorded (and what the user typed back) wins over them.

Nothing a user may not read reaches his form: a whole-case mark keeps the cause and the parties
from those not entitled to them, and a marked record's content is not quoted (only its title).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from liuhen.access.marks import may_see
from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.documents.types import DocType
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import act_type
from liuhen.procedure.fields import Block, FieldKind

# Fields that list the officers who did the act, as "姓名（执法证号 X）".
OFFICER_FIELDS = ("officers", "inquirers", "inspectors", "handlers", "servers")
# Fields naming the one person the act concerns: the case's first party.
PARTY_FIELDS = ("party", "holder")
# Fields an earlier document of the case filled that a later one repeats as they were typed.
CARRIED = ("party", "legal_rep", "contact", "contact_phone", "agency_address", "violated")
# A provision cited in running text: 《营业性演出管理条例》第六条（第…款、第（…）项）.
CITED = re.compile(r"《[^《》]+》第[^，。；、《\s]+?条(?:第[^，。；、《\s]+?[款项])*")
# Blocks signed by the officers who did the act (reviewers and heads sign their own).
OFFICER_BLOCKS = (Block.OFFICER, Block.SERVER)
# The records a decision rests on, as its evidence list names them.
RECORD_TITLES = {
    "investigation.inquiry": "询问笔录",
    "investigation.inspection": "现场检查笔录",
    "investigation.sampling": "抽样取证凭证",
    "investigation.appraisal": "检测、检验、检疫、鉴定意见",
    "investigation.evidence_request": "调取的证据材料",
    "investigation.preservation": "证据先行登记保存清单",
    "investigation.statement_defense": "陈述申辩笔录",
    "investigation.hearing": "听证笔录",
}
MEDIA_WORDS = {
    "video": ("执法记录视频", "段"), "audio": ("录音", "段"), "photo": ("现场照片", "张"),
}  # fmt: skip
_CITIZEN_ID = re.compile(r"^\d{17}[\dXx]$")
# Which measure a 查封（扣押） form is about: the act's code says it, nobody should choose it.
MEASURES = {"investigation.seal": "查封", "investigation.seize": "扣押"}
# What an approval form cites and states where its act records neither: the law the measure
# rests on, and the time it runs (行政处罚法 第五十六条; 行政强制法 第二十五条).
STATED: dict[str, FieldValues] = {
    "preservation_approval": {
        "legal_basis": ["《中华人民共和国行政处罚法》第五十六条"],
        "period": "自先行登记保存之日起七日内作出处理决定",
    },
    "coercion_extension_approval": {"legal_basis": ["《中华人民共和国行政强制法》第二十五条"]},
}


@dataclass(frozen=True)
class Prefill:
    """A form's starting values from the case, and the officer blocks' certificate numbers."""

    values: FieldValues
    blocks: dict[str, str]  # block → comma-separated certificate numbers


def officer_line(name: str, cert_no: str) -> str:
    """An officer as the forms list him: 张伟（执法证号 31010001）."""
    return f"{name}（执法证号 {cert_no}）" if name else f"执法证号 {cert_no}"


def _day(value: Any) -> str:
    text = str(value or "")[:10]
    if len(text) != 10:
        return ""
    y, m, d = text.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def evidence_list(entries: list[JsonObject]) -> list[str]:
    """The records of a case a decision's 证据 lists: each 笔录 and record by title and day,
    the media by kind and count. Unnumbered: the printed form numbers them once."""
    lines: list[str] = []
    media: dict[str, int] = {}
    for e in entries:
        act = str(e.get("act", ""))
        fields = e.get("fields") or {}
        if act in RECORD_TITLES:
            title = RECORD_TITLES[act]
            if act == "investigation.inspection" and fields.get("kind") == "勘验":
                title = "勘验笔录"
            day = _day(fields.get("started_at") or e.get("occurred_at"))
            lines.append(f"{title}（{day}）" if day else title)
        elif act == "general.media":
            kind = str(fields.get("kind") or "video")
            media[kind] = media.get(kind, 0) + 1
    for kind, count in media.items():
        word, unit = MEDIA_WORDS.get(kind, ("音像资料", "份"))
        lines.append(f"{word}{count}{unit}")
    return lines


def party_kind(party: JsonObject) -> str:
    """公民 for a person (a gender, an age or a citizen's ID number), else 法人或者其他组织."""
    if party.get("gender") or party.get("age") is not None:
        return "公民"
    return "公民" if _CITIZEN_ID.match(str(party.get("id_no") or "")) else "法人或者其他组织"


def _entries(app: App, number: str) -> list[JsonObject]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.act, store.ENTRY.c.body)
            .where(store.ENTRY.c.chain == number)
            .order_by(store.ENTRY.c.seq)
        ).all()
    return [{"seq": int(seq), "act": act, **json.loads(body)} for seq, act, body in rows]


def _case(app: App, number: str) -> tuple[str, list[JsonObject], list[str]]:
    with app.engine.connect() as conn:
        row = conn.execute(
            select(store.CASE.c.cause, store.CASE.c.parties, store.CASE.c.officers).where(
                store.CASE.c.number == number
            )
        ).first()
    if row is None:
        return "", [], []
    return (
        str(row.cause or ""),
        list(json.loads(row.parties or "[]")),
        list(json.loads(row.officers or "[]")),
    )


def _names(app: App, certs: list[str]) -> dict[str, str]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.OFFICER.c.cert_no, store.OFFICER.c.name).where(
                store.OFFICER.c.cert_no.in_(certs)
            )
        ).all()
    return {r.cert_no: r.name for r in rows}


def _from_case(
    user: User, entries: list[JsonObject], cause: str, parties: list[JsonObject], works_on: bool
) -> FieldValues:
    """The cause and the parties (with what earlier documents of the case said of them, as
    typed there), unless a mark keeps them from ``user``."""
    marks = access.marks_from(entries)
    if not may_see(user, marks.case_mark, works_on):
        return {}
    values: FieldValues = {}
    for e in entries:
        content = (e.get("fields") or {}).get("content")
        visible = may_see(user, marks.of_record(e["seq"], []), works_on)
        if e["act"] == "general.document" and isinstance(content, dict) and visible:
            values.update({k: content[k] for k in CARRIED if content.get(k)})
    if cause:
        values["cause"] = cause
    if not values.get("violated"):  # the provisions the case was opened on (立案理由)
        reasons = [str((e.get("fields") or {}).get("reason") or "") for e in entries[:1]]
        values["violated"] = [m.group(0) for r in reasons for m in CITED.finditer(r)]
    if parties:
        first = dict(parties[0])
        known = values.get("party")
        if not isinstance(known, dict) or known.get("name") != first.get("name"):
            values["party"] = first
        if first.get("legal_rep"):  # typed with the party when the case was opened
            values["legal_rep"] = first["legal_rep"]
        values["holder"] = values["party"]
        values["parties"] = parties
        values["party_kind"] = party_kind(values["party"])
    return values


def _method(names: dict[str, Any], act: JsonObject | None) -> FieldValues:
    """A form's 方式 is the kind of act it records where the form names the acts' kinds (a
    送达回证 recording a 邮寄送达 says 邮寄送达)."""
    spec = act_type(str(act["act"])) if act is not None else None
    field = names.get("method")
    if spec is None or field is None or spec.label not in (field.choices or ()):
        return {}
    return {"method": spec.label}


def _measure(entries: list[JsonObject], act: JsonObject | None) -> FieldValues:
    """The 查封（扣押） an act imposes or extends: which measure, and for an extension what the
    original measure recorded (its items, its period, its decision's number, its party)."""
    if act is None:
        return {}
    if act["act"] in MEASURES:
        return {"measure": MEASURES[act["act"]]}
    original = next(
        (e for e in entries if e["seq"] == (act.get("fields") or {}).get("measure_seq")), None
    )
    if original is None or original["act"] not in MEASURES:
        return {}
    fields = original.get("fields") or {}
    values: FieldValues = {"measure": MEASURES[original["act"]]}
    for key in ("items", "period_days", "party"):
        if fields.get(key):
            values[key] = fields[key]
    if fields.get("decision_no"):
        values["original_no"] = fields["decision_no"]
    return values


def prefill(app: App, user: User, number: str, act_seq: int, doc: DocType) -> Prefill:
    """The values of ``doc``'s form that case ``number`` already knows, for act ``act_seq``."""
    names = {f.name: f for f in doc.fields if f.form}
    entries = _entries(app, number)
    cause, parties, case_officers = _case(app, number)
    works_on = bool(user.cert_no) and user.cert_no in case_officers
    act = next((e for e in entries if e["seq"] == act_seq), None)
    certs = [str(a.get("cert_no")) for a in (act or {}).get("actors") or []] or case_officers
    if user.cert_no in certs:  # the signed-in officer signs first
        certs = [user.cert_no, *(c for c in certs if c != user.cert_no)]
    known = _names(app, certs)

    values = _from_case(user, entries, cause, parties, works_on)
    values["case_no"] = number
    if certs:
        lines = [officer_line(known.get(c, ""), c) for c in certs]
        values |= {key: list(lines) for key in OFFICER_FIELDS}
        values["contact"] = values.get("contact") or known.get(certs[0], "")
    settings = access.case_agency_settings(app, number)
    if settings is not None:
        values |= {"review_body": settings.review_body, "court": settings.court}
    if "evidence" in names and names["evidence"].kind is FieldKind.TEXTS:
        values["evidence"] = evidence_list([e for e in entries if e["seq"] < act_seq])
    values |= STATED.get(doc.code, {})
    values |= _measure(entries, act)
    values |= _method(names, act)
    values = {k: v for k, v in values.items() if k in names and v not in (None, "", [])}
    blocks = {b: ",".join(certs) for b in doc.signers if b in OFFICER_BLOCKS and certs}
    return Prefill(values, blocks)


__all__ = ["Prefill", "evidence_list", "officer_line", "party_kind", "prefill"]
