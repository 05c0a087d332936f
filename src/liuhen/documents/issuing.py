"""Issuing and countersigning a document as the signed-in user, for the pages and the API:
which document a form names, which signer block is his own, the colleagues' confirmation
before their keys are applied, and a countersignature under his own certificate only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from liuhen.access.policy import User
from liuhen.accounts.service import Forbidden, act_fields
from liuhen.documents.service import (
    BLOCK_ROLES,
    DocumentRequest,
    authenticate,
    countersign,
    issue,
)
from liuhen.documents.types import DOC_TYPES, DocType
from liuhen.errors import NotFoundError
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended

DemandedBy = Callable[[App, str, str], str]  # compliance.queries.demanded_by, above documents


@dataclass(frozen=True)
class Blank:
    """A document form as first shown for a recorded act."""

    doc: DocType
    values: dict[str, Any]  # what the act recorded, unless marked beyond the user's clearance
    signer: tuple[str, str] | None  # (block, cert_no): the user's own block, his number in it
    demanded: str  # the case's pack rule that demands this document, if any


def doc_for(code: str) -> DocType:
    """The document type ``code``, or not found."""
    if code not in DOC_TYPES:
        raise NotFoundError(f"未知的文书种类“{code}”")
    return DOC_TYPES[code]


def own_block(user: User, doc: DocType) -> str | None:
    """The first block the document declares that the signed-in user's role may sign."""
    return next((b for b in doc.signers if user.roles & BLOCK_ROLES.get(b, set())), None)


def blank(
    app: App, user: User, number: str, act_seq: int, code: str, demanded_by: DemandedBy
) -> Blank:
    """The form for document ``code`` on act ``act_seq``: unknown types are not found, and a
    record marked beyond what ``user`` may read is refused (LH460) rather than pre-filled."""
    doc = doc_for(code)
    values = act_fields(app, user, number, act_seq)
    block = own_block(user, doc)
    signer = (block, user.cert_no) if block and user.cert_no else None
    return Blank(doc, values, signer, demanded_by(app, number, doc.code))


def issue_confirmed(
    app: App, req: DocumentRequest, signed_in: str | None, confirmations: dict[str, str]
) -> Appended:
    """Issue a document from a page: each colleague whose key is applied first confirms with
    his own password (``authenticate``), then the document is signed and filed (``issue``)."""
    authenticate(app, req, signed_in, confirmations)
    return issue(app, req)


def countersign_as(app: App, user: User, case: str, seq: int, role: str) -> Appended:
    """``countersign`` by the signed-in user, under his own certificate number only."""
    if not user.cert_no:
        raise Forbidden("签署文书须以本人执法证号办理")
    return countersign(app, case, seq, role, user.cert_no, user.actor)
