"""Recording an act: validate it against the catalog, then journal it with its projections."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from liuhen.access.marks import Entry, change_refusal, collect, lift_refusal
from liuhen.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from liuhen.journal.entry import EVIDENCE_CHAIN, REGISTRY_CHAIN
from liuhen.kernel.blobs.store import DIGEST
from liuhen.kernel.db import store
from liuhen.kernel.db.batch import Batch
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended, Draft
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import ATTACHMENT_KINDS, ActType, Role, Stage, act_type
from liuhen.procedure.fields import FieldKind, out_of_range, parse_datetime, validate_fields

FUTURE_TOLERANCE = timedelta(minutes=5)  # clock skew between a device and the server
SUPPLEMENT = "general.supplement"  # a file completing an act already recorded: never empty
# a waiver (放弃陈述申辩) leaves nothing to review: its 复核 fields are not asked of it
WAIVED_REVIEW = {"investigation.statement_defense": ("waived", ("adopted", "review_opinion"))}


@dataclass
class ActInput:
    """What a user (or an import file) says happened; nothing here is trusted yet."""

    act: str
    occurred_at: str
    case: str | None = None
    actors: list[str] = field(default_factory=list)  # cert_no of the officers who acted
    place: str | None = None
    fields: FieldValues = field(default_factory=dict)
    attachments: list[JsonObject] = field(default_factory=list)  # as the client sent them
    corrects: int | None = None
    recorded_by: dict[str, str] = field(default_factory=dict)  # {"id": cert_no|user, "role"}
    imported: JsonObject | None = None  # where an imported act came from, as its file says


def _spec(code: str) -> ActType:
    spec = act_type(code)
    if spec is None:
        raise ValidationError(f"未知的事项类型“{code}”", [Problem("未知的事项类型", "act")])
    return spec


def _attachments(items: list[JsonObject], problems: list[Problem]) -> list[JsonObject]:
    """The attachments as the entry document holds them (digest, then what else is valid)."""
    out = []
    for i, item in enumerate(items):
        where = f"attachments[{i}]"
        digest = item.get("digest") if isinstance(item, dict) else None
        if not isinstance(digest, str) or ":" not in digest:
            problems.append(Problem("附件摘要应为“算法:十六进制”形式", where))
            continue
        alg, _, hexpart = digest.partition(":")
        if alg not in ("sha256", "sm3") or len(hexpart) != 64 or not _is_hex(hexpart):
            problems.append(Problem("附件摘要应为 sha256 或 sm3 的 64 位十六进制", where))
            continue
        entry: JsonObject = {"digest": digest.lower()}
        for key in ("name", "media_type"):
            if isinstance(item.get(key), str) and item[key].strip():
                entry[key] = item[key].strip()[:200]
        if isinstance(item.get("size"), int) and not isinstance(item["size"], bool):
            entry["size"] = item["size"]
        kinds = item.get("kinds") or []
        if not isinstance(kinds, list) or any(k not in ATTACHMENT_KINDS for k in kinds):
            problems.append(Problem(f"附件类别应为：{'、'.join(ATTACHMENT_KINDS)}", where))
            continue
        if kinds:
            entry["kinds"] = list(dict.fromkeys(kinds))
        out.append(entry)
    return out


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def _occurred_problems(text: str, occurred: datetime | None, now: datetime) -> list[Problem]:
    if occurred is None:
        if not str(text or "").strip():
            return [Problem("请填写发生时间", "occurred_at", label="发生时间", kind="required")]
        return [Problem(
            "发生时间不是有效的日期和时间，应如 2026-03-01 09:30"
            "（接口须带时区：2026-03-01T09:30:00+08:00）",
            "occurred_at", label="发生时间", kind="datetime",
        )]  # fmt: skip
    if occurred > now + FUTURE_TOLERANCE:
        return [Problem("发生时间晚于现在：不能记录尚未发生的事项", "occurred_at",
                        label="发生时间", kind="datetime")]  # fmt: skip
    if (why := out_of_range(occurred)) is not None:
        return [Problem(f"发生时间{why}", "occurred_at", label="发生时间", kind="datetime")]
    return []


def _chain(spec: ActType, case: str | None, problems: list[Problem]) -> str:
    """The chain an act of ``spec`` goes on: the registry's, the evidence's or its case's."""
    if spec.stage is Stage.REGISTRY:
        return REGISTRY_CHAIN
    if spec.stage is Stage.EVIDENCE:
        return EVIDENCE_CHAIN
    chain = (case or "").strip()
    if not chain or len(chain) > 100 or chain.startswith("@"):
        problems.append(Problem(
            "请填写案件编号（不超过 100 字，不以 @ 开头）", "case", label="案件编号",
            kind="required" if not chain else "text",
        ))  # fmt: skip
    return chain


def build_draft(inp: ActInput, now: datetime) -> Draft:
    """Validate everything that needs no database; collect all problems before refusing."""
    spec = _spec(inp.act)
    role = inp.recorded_by.get("role", "")
    if role not in {r.value for r in spec.roles} and role != Role.SYSTEM.value:
        raise PermissionDenied(f"角色“{role or '未指定'}”不能记录“{spec.label}”")
    refusal = lift_refusal(spec.code, inp.fields, role)
    if refusal:
        raise PermissionDenied(refusal)
    problems: list[Problem] = []
    values, field_problems = validate_fields(spec.fields, inp.fields, imported=bool(inp.imported))
    waiver, excused = WAIVED_REVIEW.get(spec.code, ("", ()))
    if waiver and values.get(waiver) is True:
        unasked = {f"fields.{name}" for name in excused}
        field_problems = [
            p for p in field_problems if not (p.kind == "required" and p.field in unasked)
        ]
    problems.extend(field_problems)
    occurred = parse_datetime(inp.occurred_at)
    problems.extend(_occurred_problems(inp.occurred_at, occurred, now))
    chain = _chain(spec, inp.case, problems)
    if spec.code == "general.correction" and inp.corrects is None:
        problems.append(Problem("更正必须指明被更正记录的序号", "corrects"))
    if spec.code != "general.correction" and inp.corrects is not None:
        problems.append(Problem("只有“更正”事项可以指向被更正的记录", "corrects"))
    actors = sorted(set(inp.actors))
    if (
        spec.stage not in (Stage.REGISTRY, Stage.EVIDENCE)
        and not actors
        and role != Role.SYSTEM.value
        and spec.actors_required
    ):
        problems.append(Problem(
            "请至少填写一名执法人员的执法证号", "actors", label="执法人员执法证号", kind="actor"
        ))  # fmt: skip
    place = inp.place.strip() if isinstance(inp.place, str) and inp.place.strip() else None
    attachments = _attachments(inp.attachments, problems)
    if spec.code == SUPPLEMENT and not inp.attachments:
        problems.append(Problem("补充附件须至少选择一个文件", "attachments", label="附件",
                                kind="required"))  # fmt: skip
    if problems:
        raise ValidationError(f"“{spec.label}”的记录有 {len(problems)} 处问题", problems)
    assert occurred is not None
    body: JsonObject = {  # the entry document, less what the journal adds
        "actors": [{"cert_no": c} for c in actors],
        "place": place,
        "fields": values,
        "attachments": attachments,
        "corrects": inp.corrects,
        "imported": inp.imported,
        "recorded_by": dict(inp.recorded_by),
    }
    return Draft(chain, spec.code, occurred.isoformat(), body, check=_check_in_transaction)


def _check_in_transaction(pending: Batch, draft: Draft) -> None:
    """Checks that need the current state: officers exist, a correction's target and changes."""
    actors = draft.body["actors"]
    if actors:
        certs = [a["cert_no"] for a in actors]
        rows = {c: pending.get("officer", c) for c in certs}
        unknown = [c for c, r in rows.items() if r is None or not r["active"]]
        if unknown:
            raise ValidationError(
                f"执法证号未登记或已停用：{'、'.join(unknown)}",
                [Problem(
                    f"执法证号 {c} 未登记或已停用，请核对后重新填写", "actors",
                    label="执法人员执法证号", kind="officer",
                ) for c in unknown],
            )  # fmt: skip
        draft.body["actors"] = [{"cert_no": c, "name": rows[c]["name"]} for c in certs]  # type: ignore[index]
    if draft.act == "general.assignment":
        _check_assignment(pending, draft)
    spec = _spec(draft.act)
    for f in spec.fields:
        ref = draft.body["fields"].get(f.name) if f.kind is FieldKind.SEQ else None
        if ref is not None:
            found = pending.entry(ref)
            if found is None or found["chain"] != draft.chain:
                raise ValidationError(
                    f"{f.label}：本案没有序号为 {ref} 的记录",
                    [
                        Problem(
                            f"{f.label}：本案没有序号为 {ref} 的记录",
                            f"fields.{f.name}",
                            label=f.label,
                            kind="reference",
                        )
                    ],
                )
    if draft.act == "general.confidentiality":
        _check_marked_records(pending, draft)
        _check_mark_change(pending, draft)
    target_seq = draft.body.get("corrects")
    if target_seq is not None:
        target_row = pending.entry(target_seq)
        if target_row is None or target_row["chain"] != draft.chain:
            raise NotFoundError(f"本案没有序号为 {target_seq} 的记录，无法更正")
        target = _spec(target_row["act"])
        changes = draft.body["fields"].get("changes", {})
        specs = tuple(f for f in target.fields if f.name in changes)
        unknown_keys = sorted(set(changes) - target.field_names)
        values, problems = validate_fields(specs, changes, prefix="fields.changes")
        problems += [
            Problem(f"被更正的事项没有“{k}”这一项", f"fields.changes.{k}", kind="unknown")
            for k in unknown_keys
        ]
        if problems:
            raise ValidationError("更正内容不符合被更正事项的字段要求", problems)
        draft.body["fields"] = {**draft.body["fields"], "changes": values}


def _check_marked_records(pending: Batch, draft: Draft) -> None:
    """A mark names entries of this case by seq, or files by digest; refuse anything else."""
    problems = []
    for i, target in enumerate(draft.body["fields"].get("records") or []):
        where = f"fields.records[{i}]"
        if target.isascii() and target.isdigit():
            found = pending.entry(int(target))
            if found is None or found["chain"] != draft.chain:
                problems.append(Problem(f"本案没有序号为 {target} 的记录", where))
        elif not DIGEST.match(target):
            problems.append(Problem("应为本案记录的序号或文件摘要（sha256:… / sm3:…）", where))
    if problems:
        raise ValidationError("保密标记指向的记录无效", problems)


def _check_assignment(pending: Batch, draft: Draft) -> None:
    """A case is handled by at least two registered, active officers (行政处罚法 第四十二条);
    who they are decides who sees the case's marked records, so each must be an officer."""
    certs = [str(c).strip() for c in draft.body["fields"].get("officers") or []]
    problems = []
    if len(set(certs)) < 2:
        problems.append(Problem("请至少指派两名执法人员", "fields.officers", kind="actor"))
    for cert in certs:
        row = pending.get("officer", cert)
        if row is None or not row["active"] or Role.OFFICER not in (row.get("roles") or []):
            problems.append(Problem(
                f"执法证号 {cert} 不是在岗的已登记执法人员", "fields.officers", kind="officer"
            ))  # fmt: skip
    if problems:
        raise ValidationError("指派承办人员有误", problems)


def _check_mark_change(pending: Batch, draft: Draft) -> None:
    """Lowering or lifting a mark is the head's; raising one is for those on the case.

    Checked here, under the journal's write lock, against the marks in force (stored and
    pending), so the CLI, the API and the pages share the one rule and two concurrent marks
    cannot both pass against a stale view.
    """
    entry = store.ENTRY
    rows = [
        (int(seq), json.loads(body))
        for seq, body in pending.conn.execute(
            select(entry.c.seq, entry.c.body)
            .where(entry.c.chain == draft.chain, entry.c.act == "general.confidentiality")
            .order_by(entry.c.seq)
        )
    ]
    rows += [
        (int(r["seq"]), json.loads(r["body"]))
        for r in pending.entries
        if r["chain"] == draft.chain and r["act"] == "general.confidentiality"
    ]
    marks = collect(
        Entry(seq, "general.confidentiality", body.get("fields") or {}) for seq, body in rows
    )
    case = pending.get("case_record", draft.chain) or {}
    by = draft.body["recorded_by"]
    on_case = str(by.get("id", "")) in (case.get("officers") or [])
    refusal = change_refusal(marks, draft.body["fields"], str(by.get("role", "")), on_case)
    if refusal:
        raise PermissionDenied(refusal)


def record(app: App, inp: ActInput) -> Appended:
    return app.journal.append(build_draft(inp, app.clock.now()))


def record_all(app: App, inputs: list[ActInput]) -> list[Appended]:
    """Record acts that belong together: every one journaled, in one transaction, or none
    (a signature and the approval it gives; each is validated before any is written)."""
    now = app.clock.now()
    return app.journal.append_all([build_draft(inp, now) for inp in inputs])
