"""The cases API's responses as named OpenAPI schemas.

They describe what ``cases.service`` returns, key for key; a case record and its entries stay
open (``extra="allow"``) because an entry carries its body's keys as the journal wrote them.
Keys present only for some callers (a withheld header or entry) default to None and are left
out of a response when absent, so the JSON is the same as before these models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class CaseSummary(BaseModel):
    """A case's header as lists show it."""

    model_config = ConfigDict(extra="allow")

    number: str
    cause: str
    category: str
    procedure: str
    unit: str
    summary: str
    parties: list[Any]
    officers: list[str]
    stage: str
    status: str
    opened_at: str
    entry_count: int
    last_seq: int
    last_act: str
    updated_at: str
    category_label: str
    procedure_label: str
    stage_label: str
    status_label: str
    case_mark: str | None = None  # lists: only on a withheld header
    header_withheld: str | None = None  # why the cause, parties and summary read as withheld


class CasePage(BaseModel):
    """One page of the case list."""

    items: list[CaseSummary]
    total: int
    page: int
    per_page: int


class Entry(BaseModel):
    """One journal entry of a case, with its body's keys at the top level."""

    model_config = ConfigDict(extra="allow")

    seq: int
    chain_seq: int
    act: str
    act_label: str
    stage: str
    stage_label: str
    occurred_at: str
    recorded_at: str
    leaf_hash: str
    field_labels: dict[str, str]
    actors: list[Any]
    place: str | None
    fields: dict[str, Any]
    attachments: list[Any]
    corrects: int | None
    imported: dict[str, Any] | None
    recorded_by: dict[str, Any] | None
    corrected_by: int | None
    mark: str | None
    withheld: str | None = None  # only on an entry whose mark the caller may not read


class StageEntries(BaseModel):
    """A stage of the procedure and its entries in the order they occurred."""

    stage: str
    label: str
    entries: list[Entry]


class CaseRecord(CaseSummary):
    """A case's whole record: its header and every entry, grouped by stage."""

    officer_names: dict[str, str]
    stages: list[StageEntries]
    entry_total: int
    case_mark: str | None  # always given here: the whole-case mark, or None


class ActRecorded(BaseModel):
    """The entry an act was recorded as."""

    seq: int
    case: str
    act: str
