"""Document endpoints: types, issuing a signed document into a case, fetching the PDF."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from liuhen.accounts import guard
from liuhen.documents import DOC_TYPES, DocType, issuing, schemas
from liuhen.documents import service as documents
from liuhen.kernel.instance import App
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role
from liuhen.web.files import serve_blob
from liuhen.web.openapi import file_responses


class Confirmation(BaseModel):
    """A signer present confirms that his key may be applied, with his own account password."""

    cert_no: str
    password: str = Field(repr=False)


class IssueBody(BaseModel):
    """What a form submits; everything is checked again by the service."""

    act_seq: int = Field(ge=1)
    doc_type: str
    values: FieldValues
    signers: list[dict[str, str]] = []
    by: str = Field(description="操作人执法证号")
    number: str | None = None
    party: dict[str, str] | None = None
    witness: dict[str, str] | None = None
    refusal: dict[str, Any] | None = None
    supersedes: int | None = None
    participants: list[dict[str, str]] | None = Field(
        default=None,
        description="听证笔录的其他听证参加人（代理人、第三人等）：每人 name、as，"
        "及 signature_png（base64 PNG 手写签名）或 note（拒签、中途退出的情况），二者取一",
    )
    confirmations: list[Confirmation] = Field(
        default=[],
        description="在场同事确认：签名人中除登录本人以外的每一位（机器令牌则为每一位），"
        "以其执法证号和本人账户密码确认",
    )


def type_schema(d: DocType) -> schemas.DocumentType:
    """A document type as the API describes it."""
    return schemas.DocumentType(
        code=d.code, title=d.title, acts=list(d.acts), signers=list(d.signers),
        fields=[schemas.DocumentField(name=f.name, label=f.label, kind=f.kind.value,
                                      required=f.required) for f in d.fields],
    )  # fmt: skip


def router(app: App, witnesses: issuing.Witnesses) -> APIRouter:
    r = APIRouter(tags=["执法文书"])

    @r.get("/api/v1/documents/types", response_model=list[schemas.DocumentType], summary="文书种类")
    def types() -> list[schemas.DocumentType]:
        return [type_schema(d) for d in DOC_TYPES.values()]

    @r.post(
        "/api/v1/cases/{number}/documents",
        status_code=201,
        dependencies=[Depends(guard.record_case(refusal="无权在该案件中制作文书"))],
        response_model=schemas.DocumentIssued,
        summary="制作并签署文书",
    )
    def issue(number: str, body: IssueBody, request: Request) -> schemas.DocumentIssued:
        """As the page does it: a reviewer's or approver's block only by its holder, signed in;
        every other key only with its holder's password in ``confirmations``."""
        user = getattr(request.state, "user", None)
        recorded_by = {"id": body.by, "role": Role.OFFICER}
        if user is not None and not user.machine:
            recorded_by = user.actor  # the journal names who issued it, not what the body claims
        req = documents.DocumentRequest(
            case=number, act_seq=body.act_seq, doc_type=body.doc_type, values=body.values,
            signers=body.signers, recorded_by=recorded_by,
            number=body.number, party=body.party, witness=body.witness, refusal=body.refusal,
            supersedes=body.supersedes, refusal_witnesses=witnesses(app, number),
            participants=body.participants,
        )  # fmt: skip
        confirmations = {c.cert_no: c.password for c in body.confirmations}
        entry = issuing.issue_from_api(app, user, req, confirmations)
        return schemas.DocumentIssued(seq=entry.seq, case=number)

    @r.get(
        "/api/v1/documents/{digest}/pdf",
        dependencies=[Depends(guard.file())],
        response_class=Response,
        responses=file_responses("application/pdf"),
        summary="文书 PDF（支持 Range）",
    )
    def pdf(digest: str, request: Request) -> Response:
        """Only a document's own PDF, to those who may see its case and its marks."""
        checked = getattr(request.state, "file", None)
        documents.read_pdf(app, getattr(request.state, "user", None), digest,
                           checked.case if checked is not None else None)  # fmt: skip
        return serve_blob(app, digest, "application/pdf", request)

    return r
