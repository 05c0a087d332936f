"""The enforcement documents (执法文书) the catalog names, as typed forms.

Each document type lists the fields its printed form holds, following 市场监督管理行政处罚文书格式
范本（2021）and 文化市场综合行政执法文书格式, so that a document can be checked before it is
rendered and signed: a form with a blank required field must not reach a party. The forms are
data, in ``liuhen/procedure/documents.yaml`` beside the act catalog (which names the documents
from it); a field that means what the recorded act's field means is taken from the act, so a
document can be prefilled from the act it records.

Beside the forms: which blocks are signed with a key and by whom, and the signatures as a
document's entry records them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure import definitions as _defs
from liuhen.procedure.catalog import DOCUMENT_TYPES, Role, act_type
from liuhen.procedure.fields import SIGNER_ROLES, Block
from liuhen.procedure.fields import FieldSpec as F


@dataclass(frozen=True)
class DocType:
    """One kind of document: what it holds, which acts it records and who signs it.

    ``transcript`` marks the 笔录 kind, whose every page the party confirms (003 第十四条);
    ``sample`` holds realistic values so that a layout can be previewed without a case.
    """

    code: str
    title: str
    fields: tuple[F, ...]
    acts: tuple[str, ...]
    signers: tuple[str, ...]
    transcript: bool
    template: str
    sample: FieldValues


def _acts(value: Any, ctx: _defs.Context) -> tuple[str, ...]:
    codes = _defs.strings(value, ctx)
    unknown = [c for c in codes if act_type(c) is None]
    if unknown:
        raise ctx.error(f"未知的事项：{'、'.join(unknown)}")
    return codes


def _signers(value: Any, ctx: _defs.Context) -> tuple[str, ...]:
    roles = _defs.strings(value, ctx)
    unknown = [r for r in roles if r not in SIGNER_ROLES]
    if unknown:
        raise ctx.error(f"未知的签名角色：{'、'.join(unknown)}")
    return roles


def _signer_labels(value: Any, ctx: _defs.Context) -> dict[str, str]:
    labels = _defs.labels(value, ctx)
    unknown = [r for r in labels if r not in SIGNER_ROLES]
    if unknown:
        raise ctx.error(f"未知的签名角色：{'、'.join(unknown)}")
    return labels


def _former_roles(value: Any, ctx: _defs.Context) -> dict[str, str]:
    roles = _defs.labels(value, ctx)
    unknown = [r for pair in roles.items() for r in pair if r not in SIGNER_ROLES]
    if unknown:
        raise ctx.error(f"未知的签名角色：{'、'.join(unknown)}")
    return roles


def _act_fields(values: dict[str, Any]) -> dict[str, F]:
    """The fields a document may take by name: of its acts, the first that has the name."""
    fields: dict[str, F] = {}
    for code in values["acts"]:
        act = act_type(code)
        for spec in act.fields if act else ():
            fields.setdefault(spec.name, spec)
    return fields


_DEFINITIONS = _defs.load(
    "procedure/documents.yaml",
    "documents",
    {
        "title": (_defs.text, _defs.REQUIRED),
        "acts": (_acts, _defs.REQUIRED),
        "signers": (_signers, _defs.REQUIRED),
        "signer_labels": (_signer_labels, {}),
        "former_roles": (_former_roles, {}),
        "transcript": (_defs.flag, False),
        "template": (_defs.text, _defs.REQUIRED),
        "sample": (_defs.plain, _defs.REQUIRED),
    },
    borrow=_act_fields,
)

_TYPES: tuple[DocType, ...] = tuple(
    DocType(
        e.key,
        e.values["title"],
        e.fields,
        e.values["acts"],
        e.values["signers"],
        e.values["transcript"],
        e.values["template"],
        e.values["sample"],
    )
    for e in _DEFINITIONS.entries
)

DOC_TYPES: dict[str, DocType] = {d.code: d for d in _TYPES}

# Who a signer role is on a particular form, where the generic label would mislead: a 备考表's
# 记录人 is its 立卷人, a 集体讨论's 主持人 is no hearing officer.
_ROLE_LABELS: dict[str, dict[str, str]] = {
    e.key: e.values["signer_labels"] for e in _DEFINITIONS.entries if e.values["signer_labels"]
}


# A block that older entries of a form signed under another role, which stands for it.
#
# The 集体讨论记录's 主持人 was a ``host`` block, which an officer, a legal reviewer or a head
# could sign when the record was made, with no word of his own. It is now the form's
# ``approver`` block (labelled 主持人): a head's, signed only from his own login, on the approval
# page, where he confirms the record and its 讨论决定 and his opinion prints in the block's box.
# Reusing the approver's block rather than making ``host`` an in-person block on this form only
# keeps one meaning per role everywhere (who may sign it, the inbox, the return, the box, the
# journal's role); the records made before keep their ``host`` signature, valid as it was, and
# this map says it fills the block, so they are not asked for another.
FORMER_ROLES: dict[str, dict[str, str]] = {
    e.key: e.values["former_roles"] for e in _DEFINITIONS.entries if e.values["former_roles"]
}


def doc_type(code: str) -> DocType | None:
    return DOC_TYPES.get(code)


# The agency's seal in a document entry's signatures (``documents.seal``): no person's block.
SEAL = Block.SEAL


def role_label(code: str, role: str) -> str:
    """How a form names a signer role, for signature blocks and for prompts to sign."""
    return _ROLE_LABELS.get(code, {}).get(role) or SIGNER_ROLES.get(role, role)


# Who signs where, and the signatures a document's entry records --------------------------------

# Blocks signed with the signer's own key (PAdES); the party's and a witness's are handwritten.
CRYPTO_ROLES = {
    Block.OFFICER,
    Block.REVIEWER,
    Block.APPROVER,
    Block.RECORDER,
    Block.HOST,
    Block.SERVER,
}
# Which account roles may sign in which block: the reviewer's block is the legal reviewer's,
# the approver's the head's (002 第三十八条); the rest are the enforcement officers' own, though
# a head may host and a legal reviewer may record (听证、集体讨论).
BLOCK_ROLES: dict[str, frozenset[str]] = {
    Block.OFFICER: frozenset({Role.OFFICER}),
    Block.SERVER: frozenset({Role.OFFICER}),
    Block.RECORDER: frozenset({Role.OFFICER, Role.LEGAL_REVIEWER}),
    Block.HOST: frozenset({Role.OFFICER, Role.HEAD, Role.LEGAL_REVIEWER}),
    Block.REVIEWER: frozenset({Role.LEGAL_REVIEWER}),
    Block.APPROVER: frozenset({Role.HEAD}),
}
# Blocks whose holder signs only from his own login; officers present together sign in turn,
# each confirming with his own password (``authenticate``).
IN_PERSON = frozenset({Block.REVIEWER, Block.APPROVER})
# Blocks left empty when the document is made and signed only on the approval page, where the
# holder reads it and writes his opinion in his box: the 主持人 confirms what the 记录人 wrote.
ON_APPROVAL_PAGE: dict[str, frozenset[str]] = {
    "collective_discussion_record": frozenset({Block.APPROVER}),
}
PADES = "PAdES"  # an electronic signature's method, as the entry records it
HANDWRITTEN = "手写签名"  # a party's or a witness's own hand, drawn or on paper


@dataclass(frozen=True, slots=True)
class KeySignature:
    """An electronic (PAdES) signature as the document's entry records it."""

    role: str
    name: str
    cert_no: str
    signed_at: str
    serial: str  # the certificate's serialNumber, as the PDF's validation read it
    auth: str | None = None  # service.BY_LOGIN or BY_PRESENCE; None: an operator's CLI
    # what a reviewer or approver wrote in his box (drawn as the signature's appearance);
    # None: an older entry, or a block signed without one
    opinion: str | None = None

    def to_json(self) -> JsonObject:
        """The entry's JSON for it, as it has always been written (``auth`` and ``opinion``
        only when known, so older entries read the same)."""
        out: JsonObject = {
            "role": self.role, "name": self.name, "cert_no": self.cert_no,
            "signed_at": self.signed_at, "method": PADES, "valid": "有效", "serial": self.serial,
        }  # fmt: skip
        if self.auth is not None:
            out["auth"] = self.auth
        if self.opinion is not None:
            out["opinion"] = self.opinion
        return out


@dataclass(frozen=True, slots=True)
class HandSignature:
    """A handwritten signature (the party's, a witness's) as the document's entry records it."""

    role: str
    name: str

    def to_json(self) -> JsonObject:
        return {"role": self.role, "name": self.name, "method": HANDWRITTEN}


def pending_blocks(doc_type: str, signatures: Sequence[JsonObject]) -> list[str]:
    """Reviewer's and approver's blocks the document declares but nobody has signed yet.

    ``signatures`` are a document entry's, as journaled (parsed JSON: imported entries too)."""

    signed = {s.get("role") for s in signatures if s.get("method") == PADES}
    signed |= {now for now, was in FORMER_ROLES.get(doc_type, {}).items() if was in signed}
    spec = DOC_TYPES.get(doc_type)
    return [r for r in (spec.signers if spec else ()) if r in IN_PERSON and r not in signed]


def _check() -> None:
    """Fail at import rather than at a party's door: the catalog's list of documents is read
    from the same file, so this only fails if the two readings of it disagree. Unknown acts and
    signer roles are refused by the loader, with the line."""
    if {code: doc.title for code, doc in DOC_TYPES.items()} != DOCUMENT_TYPES:
        raise AssertionError("DOC_TYPES must cover catalog.DOCUMENT_TYPES exactly once each")


_check()
