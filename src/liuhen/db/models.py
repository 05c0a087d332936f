"""The schema. Journal tables are append-only (triggers enforce it); the rest are projections.

Projection tables (agency, unit, officer, case) are rewritten from the journal in the same
transaction as each append and can be rebuilt from it at any time; nothing else writes them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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


PROJECTION_TABLES = ("agency", "unit", "officer", "case_record", "setting", "calendar_year")
APPEND_ONLY_TABLES = ("journal_entry", "merkle_node", "checkpoint")
