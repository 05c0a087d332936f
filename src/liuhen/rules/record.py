"""A case's record as the engine sees it: plain entries with corrections applied."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.act_numbers import ACT_NUMBERS
from liuhen.procedure.catalog import act_type


@dataclass(frozen=True)
class Entry:
    seq: int
    act: str
    occurred_at: datetime
    actors: tuple[str, ...]
    fields: FieldValues  # as corrected
    place: str = ""  # where the act was done, as recorded (may be empty)
    attachments: int = 0  # files the entry itself carries (a notice kept, an original scanned)
    # what they hold, as the recorder said (邮寄回执, 书面公告…; a scan may hold several)
    attachment_kinds: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        spec = act_type(self.act)
        return spec.label if spec else self.act


@dataclass
class CaseRecord:
    number: str
    procedure: str
    category: str
    entries: list[Entry]  # journal order
    _by_act: dict[str, list[Entry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for e in self.entries:
            self._by_act.setdefault(e.act, []).append(e)

    def of(self, acts: Iterable[str]) -> list[Entry]:
        """Entries of these acts, in journal order."""
        wanted = set(acts)
        if len(wanted) == 1:
            return list(self._by_act.get(next(iter(wanted)), []))
        return [e for e in self.entries if e.act in wanted]

    def has(self, acts: Iterable[str]) -> bool:
        return any(self._by_act.get(a) for a in acts)

    def attached(self, act: str, seq: int) -> list[Entry]:
        """Entries of ``act`` (documents, media) that name ``seq`` as the act they record."""
        return [e for e in self._by_act.get(act, []) if e.fields.get("act_seq") == seq]

    def latest_document(self, seq: int, doc_type: str) -> Entry | None:
        """The latest version of the 文书 of ``doc_type`` recording the act ``seq``: a correction
        is a new version, and the earlier ones no longer count."""
        docs = [d for d in self.attached("general.document", seq)
                if d.fields.get("doc_type") == doc_type]  # fmt: skip
        return docs[-1] if docs else None

    def max_amount(self) -> Decimal:
        best = Decimal(0)
        for e in self.of(["decision.decision", "decision.summary"]):
            try:
                best = max(best, Decimal(str(e.fields.get("amount") or 0)))
            except InvalidOperation:
                continue
        return best


def _issued_numbers(docs: list[JsonObject], fields_by_seq: dict[int, FieldValues]) -> None:
    """An act whose number the system issues on its document (``procedure.act_numbers``) and
    that recorded none carries its document's 文号 (the latest version's), so the rules match
    the decision, its 送达 and its 催告 by the one number of record."""
    acts = {d["seq"]: d["act"] for d in docs}
    for d in docs:
        fields = d["body"].get("fields") or {}
        act_seq, number = fields.get("act_seq"), fields.get("number")
        if d["act"] != "general.document" or not number or act_seq not in fields_by_seq:
            continue
        name, doc_type = ACT_NUMBERS.get(acts[act_seq], ("", ""))
        recorded = fields_by_seq[act_seq]
        if name and fields.get("doc_type") == doc_type and recorded.get(name) in (None, "", number):
            recorded[name] = number


def from_documents(number: str, docs: Iterable[JsonObject]) -> CaseRecord:
    """Build the engine's view from entry documents (canonical JSON objects) of one case.

    A correction's changes replace the corrected entry's fields: the engine judges the record
    as corrected, while the journal keeps both versions.
    """
    docs = sorted(docs, key=lambda d: d["seq"])
    fields_by_seq: dict[int, FieldValues] = {}
    for d in docs:
        body = d["body"]
        fields_by_seq[d["seq"]] = dict(body.get("fields") or {})
        if d["act"] == "general.correction" and body.get("corrects") in fields_by_seq:
            fields_by_seq[body["corrects"]].update((body.get("fields") or {}).get("changes") or {})
    _issued_numbers(docs, fields_by_seq)
    header: FieldValues = {}  # the opening act's fields
    entries = []
    for d in docs:
        spec = act_type(d["act"])
        if spec is not None and spec.opens_case and not header:
            header = fields_by_seq[d["seq"]]
        entries.append(
            Entry(
                seq=d["seq"],
                act=d["act"],
                occurred_at=datetime.fromisoformat(d["occurred_at"]),
                actors=tuple(a["cert_no"] for a in d.get("actors") or []),
                fields=fields_by_seq[d["seq"]],
                place=str(d["body"].get("place") or ""),
                attachments=len(d["body"].get("attachments") or []),
                attachment_kinds=tuple(
                    str(k) for a in d["body"].get("attachments") or [] for k in a.get("kinds") or []
                ),
            )
        )
    return CaseRecord(
        number=number,
        procedure=str(header.get("procedure", "")),
        category=str(header.get("category", "")),
        entries=entries,
    )
