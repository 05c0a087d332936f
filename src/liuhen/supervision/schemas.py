"""What the supervision service returns: anomalies as the list and the page show them, a
supervisor's conclusions, a scan's figures."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class EntryRef(BaseModel):
    case: str
    seq: int


class Review(BaseModel):
    """A conclusion as journaled (``registry.anomaly_review``): the latest one is in force."""

    seq: int
    conclusion: str  # 属实 / 不属实 / 需进一步核查
    opinion: str
    by: str
    at: str


class AnomalyItem(BaseModel):
    key: str
    kind: str
    kind_label: str
    group: int  # 1–5, the order of priority
    severity: str
    severity_label: str
    agency: str | None
    unit: str | None
    officer: str | None
    explanation: str
    refs: list[EntryRef]
    found_at: str
    active: bool  # found by the latest scan (an anomaly no longer found stays listed)
    review: Review | None = None


class AnomalyDetail(AnomalyItem):
    detail: dict[str, Any] = Field(default_factory=dict)  # a copy's texts and shared passages
    reviews: list[Review] = Field(default_factory=list)  # oldest first


class AnomalyPage(BaseModel):
    items: list[AnomalyItem]
    total: int
    page: int
    pages: int


class ScanResult(BaseModel):
    cases: int
    entries: int
    anomalies: int
    by_kind: dict[str, int]
    position: int  # the journal's size the scan read up to
    seconds: float
    scanned: bool = True  # False: nothing was journaled since the last scan


class ThresholdSetting(BaseModel):
    name: str
    label: str
    value: float
    default: float
