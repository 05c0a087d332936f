"""How each journal entry changes the tables pages read (cases, officers, units, agencies).

Pure: it reads and writes rows through a ``ProjectionStore``, so the same code runs inside the
append transaction (SQL store) and in verification's replay (memory store), and the two can only
differ if a table was changed behind the journal's back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from liuhen.journal.entry import EVIDENCE_CHAIN, REGISTRY_CHAIN
from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure import numbering
from liuhen.procedure.catalog import (
    CASE_HEADER_FIELDS,
    CASE_STAGES,
    ActType,
    Role,
    Stage,
    act_type,
)

Row = dict[str, Any]
HEADER_KEYS = tuple(f.name for f in CASE_HEADER_FIELDS)

# Raised whenever what a replay writes changes for existing entries (2: the case officers come
# only from the opening act and assignment; 3: agency settings and number counters); instances
# built by older rules rebuild once.
RULES_VERSION = "3"


class ProjectionStore(Protocol):
    def get(self, table: str, key: str) -> Row | None: ...

    def put(self, table: str, key: str, row: Row) -> None: ...

    def act_of(self, seq: int) -> tuple[str, str] | None:
        """The (chain, act code) of an earlier entry, for corrections."""
        ...


class MemoryStore:
    """Projection tables as dicts: verification's replay and the core's unit tests."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Row]] = {}
        self.acts: dict[int, tuple[str, str]] = {}

    def get(self, table: str, key: str) -> Row | None:
        row = self.tables.get(table, {}).get(key)
        return dict(row) if row is not None else None

    def put(self, table: str, key: str, row: Row) -> None:
        self.tables.setdefault(table, {})[key] = row  # callers hand over a row they own

    def act_of(self, seq: int) -> tuple[str, str] | None:
        return self.acts.get(seq)

    def apply(self, doc: JsonObject) -> None:
        apply(self, doc)
        self.acts[doc["seq"]] = (doc["chain"], doc["act"])

    def needs_body(self, act: str) -> bool:
        return needs_body(act)


_STAGE_ORDER = {s.value: i for i, s in enumerate(CASE_STAGES)}
_STATUS_BY_ACT = {
    "initiation.not_opened": "not_opened",
    "archiving.closing": "closed",
    "archiving.archive": "archived",
}


def needs_body(code: str) -> bool:
    """Whether replaying this act reads its body; most acts only move counters and stages."""
    spec = act_type(code)
    return (
        code in ("general.correction", "general.media", "general.assignment", "general.document")
        or spec is None
        or spec.opens_case
        or spec.stage in (Stage.REGISTRY, Stage.EVIDENCE)
    )


def apply(store: ProjectionStore, doc: JsonObject) -> None:
    """Apply one entry; ``doc["body"]`` is only read when ``needs_body(doc["act"])``."""
    chain, code = doc["chain"], doc["act"]
    fields = doc["body"]["fields"] or {} if needs_body(code) else {}
    if chain == REGISTRY_CHAIN:
        _apply_registry(store, code, fields)
        return
    if chain == EVIDENCE_CHAIN:
        _apply_evidence(store, code, fields, doc)
        return
    spec = act_type(code)
    row = _case_row(store, chain, spec, fields, doc)
    if fields.get(numbering.ISSUED_FIELD):
        _count(store, fields[numbering.ISSUED_FIELD])
    row["entry_count"] += 1
    row["last_seq"] = doc["seq"]
    row["last_act"] = code
    row["updated_at"] = doc["recorded_at"]
    if (
        spec is not None
        and spec.stage.value in _STAGE_ORDER
        and (_STAGE_ORDER[spec.stage.value] > _STAGE_ORDER[row["stage"]])
    ):
        row["stage"] = spec.stage.value
    if code in _STATUS_BY_ACT:
        row["status"] = _STATUS_BY_ACT[code]
    if code == "general.assignment":
        row["officers"] = sorted({str(c) for c in fields.get("officers") or []})
    if code == "general.media":
        _bind_media(store, chain, row, fields, doc["seq"])
    if code == "general.correction" and doc["body"]["corrects"] is not None:
        target = store.act_of(doc["body"]["corrects"])
        target_spec = act_type(target[1]) if target else None
        if target_spec is not None and target_spec.opens_case:
            for key, value in (fields.get("changes") or {}).items():
                if key in HEADER_KEYS:
                    row[key] = value
    store.put("case_record", chain, row)


def _case_row(
    store: ProjectionStore,
    chain: str,
    spec: ActType | None,
    fields: FieldValues,
    doc: JsonObject,
) -> Row:
    """A new case's row from its opening act, else the case's row as it stands."""
    if spec is not None and spec.opens_case:
        row: Row = {key: fields.get(key) for key in HEADER_KEYS}
        row.update(
            number=chain,
            # "On the case" comes from assignment, never from naming oneself: the officers the
            # opening act names are the case's handlers until a head's ``general.assignment``
            # replaces them, so acting in a later entry or putting one's own number among its
            # actors does not open the case's marked records.
            officers=sorted({a["cert_no"] for a in doc["actors"] or []}),
            stage=Stage.INITIATION.value,
            status="open",
            opened_at=doc["occurred_at"],
            entry_count=0,
        )
        return row
    existing = store.get("case_record", chain)
    if existing is None:
        raise LookupError(f"entry {doc['seq']} belongs to unknown case {chain}")
    return existing


def _bind_media(
    store: ProjectionStore, chain: str, row: Row, fields: FieldValues, seq: int
) -> None:
    media = store.get("media", str(fields.get("digest")))
    if media is not None:  # files stored here; imported history may name files held elsewhere
        store.put(
            "media",
            media["digest"],
            {
                **media,
                "case_number": chain,
                "act_seq": fields.get("act_seq"),
                "party": ((row.get("parties") or [{}])[0]).get("name"),
                "bound_seq": seq,
            },
        )


def _apply_registry(store: ProjectionStore, code: str, fields: FieldValues) -> None:
    """A registry act puts one row; acts without a table (device maintenance) put none."""
    handler = _REGISTRY.get(code)
    if handler is not None:
        handler(store, fields)


def _agency(store: ProjectionStore, fields: FieldValues) -> None:
    store.put(
        "agency",
        fields["code"],
        {
            "code": fields["code"],
            "name": fields["name"],
            "region": fields.get("region"),
            "rule_pack": fields.get("rule_pack"),
        },
    )


def _agency_settings(store: ProjectionStore, fields: FieldValues) -> None:
    store.put("agency_settings", fields["agency"], numbering.settings_row(fields))


def _count(store: ProjectionStore, text: str) -> None:
    """An issued number moves its series' counter (never back: a correction re-states it)."""
    issued = numbering.parse_issued(text)
    if issued is None:
        return
    row = store.get("number_counter", issued.key)
    last = max(issued.n, int(row["last"]) if row else 0)
    store.put("number_counter", issued.key, numbering.counter_row(issued, last))


def _unit(store: ProjectionStore, fields: FieldValues) -> None:
    store.put(
        "unit",
        fields["code"],
        {"code": fields["code"], "name": fields["name"], "agency": fields["agency"]},
    )


def _rule_pack(store: ProjectionStore, fields: FieldValues) -> None:
    """An agency's own pack, or the instance's default when the act names no agency."""
    agency = fields.get("agency")
    if agency:
        row = store.get("agency", agency)
        if row is not None:
            store.put("agency", agency, {**row, "rule_pack": fields["pack"]})
    else:
        store.put("setting", "rule_pack", {"key": "rule_pack", "value": fields["pack"]})


def _calendar(store: ProjectionStore, fields: FieldValues) -> None:
    store.put(
        "calendar_year",
        str(fields["year"]),
        {
            "year": fields["year"],
            "holidays": sorted(fields["holidays"]),
            "workdays": sorted(fields.get("workdays") or []),
            "source": fields["source"],
        },
    )


def _signing_ca(store: ProjectionStore, fields: FieldValues) -> None:
    store.put("setting", "signing_ca", {"key": "signing_ca", "value": fields["fingerprint"]})


_SIGNING_KEY_COLUMNS = ("cert_no", "name", "serial", "fingerprint", "not_before", "not_after")


def _signing_key(store: ProjectionStore, fields: FieldValues) -> None:
    store.put("signing_key", fields["cert_no"], {k: fields[k] for k in _SIGNING_KEY_COLUMNS})


def _device(store: ProjectionStore, fields: FieldValues) -> None:
    store.put(
        "device",
        fields["device_no"],
        {
            "device_no": fields["device_no"],
            "model": fields["model"],
            "unit": fields["unit"],
            "officer": fields.get("officer"),
            "status": fields["status"],
            "note": fields.get("note"),
            "kind": fields.get("kind"),
            "site": fields.get("site"),
        },
    )


def _officer(store: ProjectionStore, fields: FieldValues) -> None:
    store.put(
        "officer",
        fields["cert_no"],
        {
            "cert_no": fields["cert_no"],
            "name": fields["name"],
            "unit": fields["unit"],
            "roles": list(fields.get("roles") or [Role.OFFICER]),
            "active": bool(fields.get("active", True)),
        },
    )


_REGISTRY: dict[str, Callable[[ProjectionStore, FieldValues], None]] = {
    "registry.agency": _agency,
    "registry.agency_settings": _agency_settings,
    "registry.unit": _unit,
    "registry.rule_pack": _rule_pack,
    "registry.calendar": _calendar,
    "registry.signing_ca": _signing_ca,
    "registry.signing_key": _signing_key,
    "registry.device": _device,
    "registry.officer": _officer,
}


def _apply_evidence(
    store: ProjectionStore, code: str, fields: FieldValues, doc: JsonObject
) -> None:
    if code == "evidence.stored":
        _stored(store, fields, doc["seq"])
    elif code == "evidence.derived":
        _derived(store, fields, doc["seq"])


def _stored(store: ProjectionStore, fields: FieldValues, seq: int) -> None:
    """An evidence file as it arrived: bound to no case, with nothing derived from it yet."""
    if store.get("media", fields["digest"]) is not None:
        return  # the same bytes stored again: the first storage stands
    store.put(
        "media",
        fields["digest"],
        {
            "digest": fields["digest"],
            "name": fields["name"],
            "size": fields["size"],
            "media_type": fields.get("media_type"),
            "kind": fields["kind"],
            "device_no": fields.get("device_no"),
            "officer": fields.get("officer"),
            "unit": fields.get("unit"),
            "started_at": fields.get("started_at"),
            "ended_at": fields.get("ended_at"),
            "stored_at": fields["stored_at"],
            "remote": bool(fields.get("remote")),
            "returned_at": fields.get("returned_at"),
            "corrupt": bool(fields.get("corrupt")),
            "problems": list(fields.get("problems") or []),
            "info": {
                k: fields[k]
                for k in ("container", "codecs", "duration", "gps")
                if fields.get(k) is not None
            },
            "case_number": None,
            "act_seq": None,
            "party": None,
            "bound_seq": None,
            "stored_seq": seq,
            "thumbnail": None,
            "proxy": None,
            "derived_seq": None,
        },
    )


def _derived(store: ProjectionStore, fields: FieldValues, seq: int) -> None:
    """A thumbnail or proxy made later; problems found then add to those found on arrival."""
    row = store.get("media", fields["digest"])
    if row is not None:
        store.put(
            "media",
            fields["digest"],
            {
                **row,
                "thumbnail": fields.get("thumbnail") or row["thumbnail"],
                "proxy": fields.get("proxy") or row["proxy"],
                "problems": sorted({*row["problems"], *(fields.get("problems") or [])}),
                "derived_seq": seq,
            },
        )
