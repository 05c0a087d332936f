"""The documents API's JSON responses as named OpenAPI schemas.

They state what the routes of ``documents.web`` return today, key for key and in the same
order, so putting them on the routes changes no response.
"""

from __future__ import annotations

from pydantic import BaseModel


class DocumentField(BaseModel):
    """One field of a document form; ``kind`` is the field kind's code (text, date, person…)."""

    name: str
    label: str
    kind: str
    required: bool


class DocumentType(BaseModel):
    """A kind of document: the acts it records and the signer blocks it carries."""

    code: str
    title: str
    acts: list[str]
    signers: list[str]
    fields: list[DocumentField]


class DocumentIssued(BaseModel):
    """The 文书 entry the signed document was journaled as."""

    seq: int
    case: str
