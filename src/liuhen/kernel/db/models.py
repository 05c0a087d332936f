"""The schema. Journal tables are append-only (triggers enforce it); the rest are projections.

Projection tables (agency, unit, officer, case) are rewritten from the journal in the same
transaction as each append and can be rebuilt from it at any time; nothing else writes them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Instance(Base):
    """Facts fixed at ``liuhen init``: the tree's hash algorithm and the checkpoint key."""

    __tablename__ = "instance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(200))
    hash_alg: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[str] = mapped_column(String(40))
    # the projection rules version the projection tables were written by (NULL: before 0007)
    projection_rules: Mapped[str | None] = mapped_column(String(16))


class JournalHead(Base):
    """One row locked by every append, so sequence numbers stay gap-free across processes."""

    __tablename__ = "journal_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)


class JournalEntry(Base):
    __tablename__ = "journal_entry"
    __table_args__ = (UniqueConstraint("chain", "chain_seq"),)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chain: Mapped[str] = mapped_column(String(100))
    chain_seq: Mapped[int] = mapped_column(Integer)
    act: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[str] = mapped_column(String(40))
    actors: Mapped[str] = mapped_column(Text)  # canonical JSON text
    body: Mapped[str] = mapped_column(Text)  # canonical JSON text
    prev_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)
    canonical: Mapped[bytes] = mapped_column(LargeBinary)


class MerkleNode(Base):
    """Perfect subtrees of level >= 1; leaves are ``journal_entry.leaf_hash``."""

    __tablename__ = "merkle_node"
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class CheckpointRow(Base):
    __tablename__ = "checkpoint"
    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[str] = mapped_column(String(40))


# --- projections ---------------------------------------------------------------------------


class Agency(Base):
    __tablename__ = "agency"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    rule_pack: Mapped[str | None] = mapped_column(String(64))


class Unit(Base):
    __tablename__ = "unit"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(64), index=True)


class Officer(Base):
    __tablename__ = "officer"
    cert_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    roles: Mapped[str] = mapped_column(Text)  # JSON list
    active: Mapped[bool] = mapped_column(Boolean)


class Case(Base):
    __tablename__ = "case_record"
    number: Mapped[str] = mapped_column(String(100), primary_key=True)
    cause: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16), index=True)
    procedure: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    summary: Mapped[str] = mapped_column(Text)
    parties: Mapped[str] = mapped_column(Text)  # JSON list
    officers: Mapped[str] = mapped_column(Text)  # JSON list of cert_no
    stage: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[str] = mapped_column(String(40), index=True)
    entry_count: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_act: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[str] = mapped_column(String(40))


class CaseSummary(Base):
    """What the rule engine found for a case, kept for the case list (a cache: migration 0008).

    Valid while ``last_seq`` is the case's and ``rules`` names the rules in force; otherwise
    recomputed. ``next_due_at`` is the earliest open deadline in UTC (``...+00:00``), so that
    "overdue" is a comparison with the current time in SQL.
    """

    __tablename__ = "case_summary"
    number: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    rules: Mapped[str] = mapped_column(String(200))
    computed_at: Mapped[str] = mapped_column(String(40))
    acts: Mapped[int] = mapped_column(Integer)  # entries other than 调阅 (general.review_access)
    changed_at: Mapped[str] = mapped_column(String(40), index=True)  # last act's, UTC
    violations: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    next_due_at: Mapped[str | None] = mapped_column(String(40), index=True)
    next_due_title: Mapped[str | None] = mapped_column(String(200))  # its rule's (0010)
    case_mark: Mapped[str | None] = mapped_column(String(16))  # whole-case mark (保密标记)


class AgencySettings(Base):
    """An agency's numbering and remedy settings, from its latest ``registry.agency_settings``."""

    __tablename__ = "agency_settings"
    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    short_name: Mapped[str] = mapped_column(String(50))
    case_pattern: Mapped[str] = mapped_column(String(200))
    document_patterns: Mapped[str] = mapped_column(Text)  # JSON object: doc type → pattern
    review_body: Mapped[str | None] = mapped_column(String(200))
    court: Mapped[str | None] = mapped_column(String(200))
    act_types: Mapped[str] = mapped_column(Text)  # JSON list; empty: every act
    numbers_used: Mapped[str] = mapped_column(Text)  # JSON object: "kind/year" → last used


class NumberCounter(Base):
    """The last number issued per agency, kind and year (``agency/kind/year``), replayed from
    the entries' ``issued`` fields (liuhen.procedure.numbering)."""

    __tablename__ = "number_counter"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(BigInteger)


class Setting(Base):
    """Instance-wide settings that are journaled (the default rule pack)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CalendarYear(Base):
    """A year's holiday arrangement imported by an administrator (``liuhen calendar import``)."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates
    workdays: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates
    source: Mapped[str] = mapped_column(String(200))


class Device(Base):
    """执法记录仪 register (001 第十二条, 003 第二十四条)."""

    __tablename__ = "device"
    device_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    officer: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    # 执法记录仪 (None: registered before kinds) or 办案场所监控, a fixed camera of ``site``
    kind: Mapped[str | None] = mapped_column(String(16))
    site: Mapped[str | None] = mapped_column(String(200))


class Media(Base):
    """Stored evidence, classified by unit, device, officer, case and party (003 第二十四条)."""

    __tablename__ = "media"
    digest: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    device_no: Mapped[str | None] = mapped_column(String(64), index=True)
    officer: Mapped[str | None] = mapped_column(String(64), index=True)
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[str | None] = mapped_column(String(40))
    ended_at: Mapped[str | None] = mapped_column(String(40))
    stored_at: Mapped[str] = mapped_column(String(40), index=True)
    remote: Mapped[bool] = mapped_column(Boolean)
    returned_at: Mapped[str | None] = mapped_column(String(40))
    corrupt: Mapped[bool] = mapped_column(Boolean)
    problems: Mapped[str] = mapped_column(Text)  # JSON list
    info: Mapped[str] = mapped_column(Text)  # JSON object: container, codecs, duration, gps
    case_number: Mapped[str | None] = mapped_column(String(100), index=True)
    act_seq: Mapped[int | None] = mapped_column(BigInteger)
    party: Mapped[str | None] = mapped_column(String(200), index=True)
    bound_seq: Mapped[int | None] = mapped_column(BigInteger)
    stored_seq: Mapped[int] = mapped_column(BigInteger)
    thumbnail: Mapped[str | None] = mapped_column(String(80))
    proxy: Mapped[str | None] = mapped_column(String(80))
    derived_seq: Mapped[int | None] = mapped_column(BigInteger)  # derivatives attempted


class Upload(Base):
    """A resumable (tus) upload in progress. Working state, not evidence: mutable by design."""

    __tablename__ = "upload"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger)
    meta: Mapped[str] = mapped_column(Text)  # JSON object from Upload-Metadata
    expected: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), index=True)
    digest: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))


class SigningKey(Base):
    """The current signing certificate of each person (issued by the instance CA)."""

    __tablename__ = "signing_key"
    cert_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    not_before: Mapped[str] = mapped_column(String(40))
    not_after: Mapped[str] = mapped_column(String(40))


class AppUser(Base):
    """An account. Credentials are working state, deliberately not journal entries."""

    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[str] = mapped_column(Text)  # JSON list
    unit: Mapped[str | None] = mapped_column(String(64))
    cert_no: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))  # for warnings (migration 0015)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[str] = mapped_column(String(40))


class AuthSession(Base):
    __tablename__ = "auth_session"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))


class ApiToken(Base):
    __tablename__ = "api_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    roles: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    revoked: Mapped[bool] = mapped_column(Boolean)


class AccountEvent(Base):
    """Who changed an account or a token, and when: append-only (triggers refuse UPDATE and
    DELETE) though outside the journal, since accounts are working state. Never a secret."""

    __tablename__ = "account_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(100), index=True)
    details: Mapped[str] = mapped_column(Text)  # JSON object


class FormDraft(Base):
    """A form its user saved to finish later (暂存): working state, not a record. Never
    journaled, never rebuilt or verified; deleted when the form is recorded or discarded."""

    __tablename__ = "form_draft"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String(500), primary_key=True)  # the form's page
    case_number: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))  # what the form makes (an act, a document)
    fields: Mapped[str] = mapped_column(Text)  # JSON object: the form's inputs as typed
    saved_at: Mapped[str] = mapped_column(String(40))


class SearchDoc(Base):
    """One searchable text of a case: its header, an entry, or what a source found (the
    compliance findings, the supervision's anomalies). A cache of ``liuhen.search`` (migration
    0014), caught up from the journal by ``search_state``'s cursor; SQLite indexes the segmented
    ``*_tokens`` with FTS5 (``search_fts``, kept by triggers), PostgreSQL with a GIN index."""

    __tablename__ = "search_doc"
    # the texts whose deadline passed, asked before every search (migration 0019)
    __table_args__ = (Index("ix_search_doc_kind_due", "kind", "due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # case, document, act, finding…
    seq: Mapped[int | None] = mapped_column(BigInteger)  # the entry's; None: header, source
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # the text as written, for snippets
    title_tokens: Mapped[str] = mapped_column(Text)  # segmented, space-joined
    body_tokens: Mapped[str] = mapped_column(Text)
    mark: Mapped[str | None] = mapped_column(String(16))  # the strictest mark covering it
    due_at: Mapped[str | None] = mapped_column(String(40))  # a source's text expires (UTC)


class SearchState(Base):
    """The search index's cursor (``cursor``: the last journal seq indexed) and each source's
    rules key (``source:<kind>``)."""

    __tablename__ = "search_state"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


SEARCH_TABLES = ("search_doc", "search_state")  # liuhen.search's index and its cursor


class Anomaly(Base):
    """What the supervision detectors last found (a cache of ``liuhen anomalies scan``; the
    supervisors' conclusions are journaled, ``registry.anomaly_review``)."""

    __tablename__ = "anomaly"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # kind + entries, hashed
    kind: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    agency: Mapped[str | None] = mapped_column(String(64), index=True)
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    officer: Mapped[str | None] = mapped_column(String(64), index=True)
    explanation: Mapped[str] = mapped_column(Text)
    refs: Mapped[str] = mapped_column(Text)  # JSON list of {case, seq}
    detail: Mapped[str] = mapped_column(Text)  # JSON object (a copy's shared passages, …)
    found_at: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean)  # found by the latest scan


class AnomalyScan(Base):
    """How far the anomaly scan has read the journal (one row, ``id`` 1)."""

    __tablename__ = "anomaly_scan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger)
    scanned_at: Mapped[str] = mapped_column(String(40))


# The anomaly detection's indexed state (liuhen.supervision.index, migration 0017): what the
# cross-case detectors look new entries up against, so only their neighbours are read.


class AnomalyPresence(Base):
    """An officer present at an act from ``t0`` to ``t1`` (epoch seconds; ISO kept for text)."""

    __tablename__ = "anomaly_presence"
    __table_args__ = (Index("ix_anomaly_presence_officer", "officer", "agency", "t0"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer: Mapped[str] = mapped_column(String(64))  # indexed with agency, t0
    agency: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64))
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    act: Mapped[str] = mapped_column(String(64))
    t0: Mapped[int] = mapped_column(BigInteger)
    t1: Mapped[int] = mapped_column(BigInteger)
    start: Mapped[str] = mapped_column(String(40))
    end: Mapped[str] = mapped_column(String(40))


class AnomalyFix(Base):
    """An officer at a media file's capture position during its recording."""

    __tablename__ = "anomaly_fix"
    __table_args__ = (Index("ix_anomaly_fix_officer", "officer", "agency", "t0"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    officer: Mapped[str] = mapped_column(String(64))  # indexed with agency, t0
    agency: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64))
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    t0: Mapped[int] = mapped_column(BigInteger)  # epoch seconds of ``start``
    start: Mapped[str] = mapped_column(String(40))
    until: Mapped[str] = mapped_column(String(40))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class AnomalyAct(Base):
    """An act's recording lag, by who entered it (lags' medians, sittings of backfill)."""

    __tablename__ = "anomaly_act"
    __table_args__ = (
        Index("ix_anomaly_act_who", "who", "agency", "t_recorded"),
        Index("ix_anomaly_act_who_lag", "who", "agency", "lag"),
        Index("ix_anomaly_act_unit_lag", "unit", "agency", "lag"),
    )
    case_number: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    who: Mapped[str] = mapped_column(String(64))  # indexed with agency, t_recorded / lag
    agency: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64))  # indexed with agency, lag
    act: Mapped[str] = mapped_column(String(64))
    occurred: Mapped[str] = mapped_column(String(40))
    recorded: Mapped[str] = mapped_column(String(40))
    t_recorded: Mapped[int] = mapped_column(BigInteger)
    lag: Mapped[float] = mapped_column(Float)


class AnomalyDeviceUse(Base):
    """A camera whose files a case holds: the cases to judge again when it is reassigned."""

    __tablename__ = "anomaly_device_use"
    device_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class AnomalyText(Base):
    """A transcript's current text (corrections applied) and the entry that last set it."""

    __tablename__ = "anomaly_text"
    case_number: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    agency: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64))
    party: Mapped[str] = mapped_column(String(200))
    act: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)


class AnomalyPosting(Base):
    """A 4-gram (hashed) that was rare when a transcript came: texts sharing enough are compared."""

    __tablename__ = "anomaly_posting"
    __table_args__ = (
        Index("ix_anomaly_posting_shingle", "agency", "shingle"),
        Index("ix_anomaly_posting_text", "case_number", "seq"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency: Mapped[str] = mapped_column(String(64))  # indexed with shingle
    shingle: Mapped[int] = mapped_column(BigInteger)
    case_number: Mapped[str] = mapped_column(String(100))  # indexed with seq
    seq: Mapped[int] = mapped_column(BigInteger)


class AnomalyShingle(Base):
    """In how many transcript versions of an agency a word 4-gram (hashed) occurred; shingle 0
    counts the versions themselves."""

    __tablename__ = "anomaly_shingle"
    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    shingle: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    df: Mapped[int] = mapped_column(Integer)


class AnomalyRef(Base):
    """A case an anomaly rests on: the anomalies to judge again when the case changes."""

    __tablename__ = "anomaly_ref"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


ANOMALY_INDEX_TABLES = (
    "anomaly_presence", "anomaly_fix", "anomaly_act", "anomaly_device_use", "anomaly_text",
    "anomaly_posting", "anomaly_shingle", "anomaly_ref",
)  # fmt: skip


class StatsCase(Base):
    """One row per case with the dimensions statistics group by (liuhen.stats, migration 0013)."""

    __tablename__ = "stats_case"
    number: Mapped[str] = mapped_column(String(100), primary_key=True)
    agency: Mapped[str | None] = mapped_column(String(64), index=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(16))
    procedure: Mapped[str] = mapped_column(String(16))
    source_act: Mapped[str] = mapped_column(String(64))  # the act that opened the case
    source: Mapped[str] = mapped_column(String(100))  # 案件来源 as the statistics name it
    officers: Mapped[str] = mapped_column(Text)  # JSON list of cert_no
    stage: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    opened_on: Mapped[str] = mapped_column(String(10), index=True)  # local dates, YYYY-MM-DD
    closed_on: Mapped[str | None] = mapped_column(String(10), index=True)
    archived_on: Mapped[str | None] = mapped_column(String(10))
    decided_on: Mapped[str | None] = mapped_column(String(10), index=True)
    decision_kinds: Mapped[str] = mapped_column(Text)  # JSON list (罚款, 警告, 准予行政许可…)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # the decision's amount, in fen
    last_seq: Mapped[int] = mapped_column(BigInteger)


class StatsAct(Base):
    """One row per case entry: its act, stage, date, unit and audio-video seconds."""

    __tablename__ = "stats_act"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    agency: Mapped[str | None] = mapped_column(String(64), index=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    act: Mapped[str] = mapped_column(String(64), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    on_date: Mapped[str] = mapped_column(String(10), index=True)
    av_seconds: Mapped[int] = mapped_column(Integer)


class StatsActOfficer(Base):
    """Who took part in each act (its actors, or who recorded it): officers' workload."""

    __tablename__ = "stats_act_officer"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    officer: Mapped[str] = mapped_column(String(64), primary_key=True)


class StatsFinding(Base):
    """What the rules found in a case when its facts were last caught up (by rule and date)."""

    __tablename__ = "stats_finding"
    case_number: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rule: Mapped[str] = mapped_column(String(100), index=True)
    code: Mapped[str] = mapped_column(String(140))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    seq: Mapped[int | None] = mapped_column(BigInteger)  # the first entry concerned
    on_date: Mapped[str] = mapped_column(String(10), index=True)


class StatsOfficerMonth(Base):
    """Each officer's acts (reviews aside) per case, month and the acts' agency, summed
    (liuhen.stats.rollup, migration 0020): a year's officer figures add these instead of
    joining millions of act and officer rows. ``due`` counts the acts the agency's pack says
    must be recorded on audio-video, as ``stats_rollup_rules`` stamps it."""

    __tablename__ = "stats_officer_month"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM of on_date
    officer: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    agency: Mapped[str] = mapped_column(String(64), primary_key=True)  # '' for none
    acts: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(BigInteger)
    media: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)


class StatsUnitMonth(Base):
    """Each case's acts summed per month, the acts' agency and unit (liuhen.stats.rollup,
    migration 0020): a year's act figures and units' tables add these instead of reading every
    act of the year. ``acts`` and ``seconds`` leave the reviews (调阅) out, ``reviews`` counts
    them; ``due`` as in ``stats_officer_month``."""

    __tablename__ = "stats_unit_month"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    agency: Mapped[str] = mapped_column(String(64), primary_key=True)  # '' for none
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    acts: Mapped[int] = mapped_column(Integer)
    reviews: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(BigInteger)
    media: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)


class StatsActMonth(Base):
    """The acts counted per month, the acts' agency, unit and kind (liuhen.stats.rollup,
    migration 0021): a year's count of acts per kind adds these."""

    __tablename__ = "stats_act_month"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), primary_key=True)  # '' for none
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    act: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class StatsRollupRules(Base):
    """The acts that must be recorded on audio-video with which the ``due`` of
    ``stats_officer_month`` and ``stats_unit_month`` was counted, per agency ('' for none;
    ``acts`` NULL: not yet counted; the row ``*``: the sums were filled)."""

    __tablename__ = "stats_rollup_rules"
    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    acts: Mapped[str | None] = mapped_column(Text)  # JSON list of act codes, sorted


class StatsPosition(Base):
    """How far the statistics have read the journal (one row, ``id`` 1)."""

    __tablename__ = "stats_position"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    caught_up_at: Mapped[str] = mapped_column(String(40))


class WarningCard(Base):
    """A yellow or red card on a case's time limit (liuhen.warnings, migration 0015): raised
    once per level by the warnings scan, cleared when the limit is met. Working state, like the
    accounts: neither journaled nor emptied by a rebuild (when it was raised and e-mailed is
    known nowhere else)."""

    __tablename__ = "warning_card"
    __table_args__ = (UniqueConstraint("case_number", "rule", "anchor", "level"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    rule: Mapped[str] = mapped_column(String(100))
    anchor: Mapped[int] = mapped_column(BigInteger)  # the entry that started the clock
    code: Mapped[str] = mapped_column(String(140))
    level: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    cite: Mapped[str] = mapped_column(Text)  # JSON list
    due_at: Mapped[str] = mapped_column(String(40))  # UTC
    raised_at: Mapped[str] = mapped_column(String(40), index=True)
    cleared_at: Mapped[str | None] = mapped_column(String(40), index=True)
    cleared_by: Mapped[str | None] = mapped_column(String(16))
    handlers: Mapped[str] = mapped_column(Text)  # JSON list of cert_no
    emailed_at: Mapped[str | None] = mapped_column(String(40))
    recipients: Mapped[str | None] = mapped_column(Text)  # JSON list of addresses


PROJECTION_TABLES = (
    "agency", "unit", "officer", "case_record", "setting", "calendar_year", "device", "media",
    "signing_key", "agency_settings", "number_counter",
)  # fmt: skip
# liuhen.stats' fact tables, caught up from the journal before each read (stats_position)
STATS_TABLES = (
    "stats_case", "stats_act", "stats_act_officer", "stats_finding", "stats_position",
    "stats_officer_month", "stats_unit_month", "stats_act_month", "stats_rollup_rules",
)  # fmt: skip
APPEND_ONLY_TABLES = ("journal_entry", "merkle_node", "checkpoint")
AUDIT_TABLES = ("account_event",)  # append-only too, guarded from migration 0006 on
# computed from projections and the rules, not replayed: emptied by a rebuild, refilled on use;
# ``liuhen verify`` does not compare them (nothing recorded depends on them)
CACHE_TABLES = (
    "case_summary", "anomaly", "anomaly_scan", *ANOMALY_INDEX_TABLES, *SEARCH_TABLES,
    *STATS_TABLES,
)  # fmt: skip
# The rest (upload, form_draft, the accounts' tables) are people's working state: neither
# replayed nor emptied by a rebuild, nor compared by ``liuhen verify``.
