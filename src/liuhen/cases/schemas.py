"""The cases API's responses as named OpenAPI schemas.

They describe what ``cases.service`` returns, key for key; a case record and its entries stay
open (``extra="allow"``) because an entry carries its body's keys as the journal wrote them.
Keys present only for some callers (a withheld header or entry) default to None and are left
out of a response when absent, so the JSON is the same as before these models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from liuhen.payloads import FieldValues


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
    # the list's columns (page and API), from the compliance evaluation; absent elsewhere
    acts: int | None = None  # entries other than viewings (general.review_access)
    violations: int | None = None
    warnings: int | None = None
    next_due_at: str | None = None  # the earliest deadline not yet met, at the instance offset
    due_in_days: int | None = None  # calendar days to it; negative: days overdue
    overdue: bool | None = None  # it has passed
    next_due_title: str | None = None  # the title of the rule whose deadline that is
    awaiting_archive: bool | None = None  # closed (已结案), not yet archived: 待归档


class CasePage(BaseModel):
    """One page of the case list."""

    items: list[CaseSummary]
    total: int
    page: int
    per_page: int


class Imported(BaseModel):
    """Where an imported entry came from; only the keys the import wrote (journal key order)."""

    model_config = ConfigDict(extra="allow")

    recorded_at: str | None = None
    source: str | None = None


class RecordedBy(BaseModel):
    """Who recorded an entry, as the journal holds it; only the keys recorded."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    role: str | None = None


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
    fields: FieldValues
    attachments: list[Any]
    corrects: int | None
    imported: Imported | None
    recorded_by: RecordedBy | None
    corrected_by: int | None
    mark: str | None = None  # given once the reader's marks are applied (``open_case``)
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


class ActRecorded(BaseModel):
    """The entry an act was recorded as."""

    seq: int
    case: str
    act: str
