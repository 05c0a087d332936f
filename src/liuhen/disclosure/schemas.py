"""The disclosure API's JSON responses as named OpenAPI schemas.

A request carries its journal entry's fields at the top level, as ``disclosure.service``
builds it. The fields the act catalog names (``general.disclosure_request`` and
``general.disclosure_decision``) are described, in the journal's key order; an entry may carry
others (an imported record), so both models stay open. A key the entry does not carry is left
out of the answer, not sent as null: the routes use ``response_model_exclude_unset``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Person(BaseModel):
    """A person field of the journal (申请人): only the keys recorded."""

    model_config = ConfigDict(extra="allow")

    address: str | None = None
    age: int | None = None
    gender: str | None = None
    id_no: str | None = None
    name: str | None = None
    phone: str | None = None
    role: str | None = None
    title: str | None = None
    unit: str | None = None


class Decision(BaseModel):
    """The head's decision (查阅、复制审批) with the fields of its entry."""

    model_config = ConfigDict(extra="allow")

    seq: int
    decided_at: str
    decision: str | None = None
    materials: list[str] | None = None
    reason: str | None = None
    request: int | None = None


class Delivery(BaseModel):
    """A handing over of the approved copies (the ``general.review_access`` entry)."""

    seq: int
    at: str


class DisclosureRequest(BaseModel):
    """A party's request (查阅、复制申请) with the fields of its entry, its decision (None:
    undecided) and the deliveries made under it."""

    model_config = ConfigDict(extra="allow")

    seq: int
    case: str
    received_at: str
    kind: str | None = None
    materials: list[str] | None = None
    purpose: str | None = None
    relation: str | None = None
    requester: Person | None = None
    decision: Decision | None
    deliveries: list[Delivery]
