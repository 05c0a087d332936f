"""Issuing and countersigning a document as the signed-in user, for the pages and the API:
which document a form names, which signer block is his own, what a submitted form asks for,
the colleagues' confirmation before their keys are applied, and a countersignature under his
own certificate only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from liuhen.access.policy import User
from liuhen.accounts.service import AuthError, act_fields, confirm_presence
from liuhen.documents import prefill, prior_approval
from liuhen.documents.render import PARTICIPANT_DOCS, validate
from liuhen.documents.service import (
    BLOCK_ROLES,
    BY_LOGIN,
    BY_PRESENCE,
    CRYPTO_ROLES,
    IN_PERSON,
    DocumentRequest,
    account_roles,
    block_problems,
    issue,
    issued_fields,
    officer_names,
    quoted_numbers,
)
from liuhen.documents.types import DOC_TYPES, ON_APPROVAL_PAGE, DocType, role_label
from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel import numbering
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.payloads import FieldValues
from liuhen.procedure.fields import SIGNER_ROLES, Block
from liuhen.web import forms

DemandedBy = Callable[[App, str, str], str]  # compliance.queries.demanded_by, above documents
# compliance.refusal_witnesses_required, above documents: officers a refusal to sign needs
Witnesses = Callable[[App, str], int]
CONFIRM_MAX = 8  # 在场同事确认 rows read back: more colleagues than this sign from their own logins
CONFIRM_LABEL = "在场同事确认"


# A hearing participant who signs in another block: the officers in charge with their
# electronic signatures (案件承办人栏); the applicant as the party, when the party signs by name.
_OFFICERS = ("承办人", "调查人员")
_APPLICANT = "申请人"
# How a role recorded on the hearing act reads on the record (``render.Participant.label``).
_ROLE_LABELS = {"代理人": "委托代理人"}
PARTICIPANT_NOTE_MAX = 500  # as ``render._participants`` takes a note


@dataclass(frozen=True)
class Attendee:
    """A hearing participant who signs the record by hand on the page, or has his refusal or
    leaving noted (003 第十六条): ``index`` names his pad and fields on the form."""

    index: int
    name: str
    label: str  # what he took part as: 委托代理人, 第三人 …

    @property
    def png(self) -> str:
        return f"participant_png_{self.index}"

    @property
    def left(self) -> str:
        return f"participant_left_{self.index}"

    @property
    def note(self) -> str:
        return f"participant_note_{self.index}"


def attendees(
    app: App, user: User, number: str, act_seq: int, doc: DocType, party: str = ""
) -> list[Attendee]:
    """The hearing participants the act lists who sign the record on its page, each on a pad
    of his own (``listed_attendees``). Only a hearing record has them."""
    if doc.code not in PARTICIPANT_DOCS:
        return []
    listed = act_fields(app, user, number, act_seq).get("participants")
    return listed_attendees(listed if isinstance(listed, list) else [], party)


def listed_attendees(listed: list[object], party: str = "") -> list[Attendee]:
    """Of the participants a hearing act lists, those who sign on a pad of their own: not the
    officers in charge (their electronic signatures), not the one who signs as the party
    (``party`` by name; the applicant, when no party signs by name: he refused there), each
    name once."""
    out: list[Attendee] = []
    named = party.strip()
    seen = {named} - {""}
    for p in listed:
        if not isinstance(p, dict):
            continue
        name = str(p.get("name") or "").strip()
        role = str(p.get("role") or "").strip()
        if not name or name in seen or any(w in role for w in _OFFICERS):
            continue
        if _APPLICANT in role and not named:  # the party's block: refused there
            continue
        seen.add(name)
        label = _ROLE_LABELS.get(role, role) or "听证参加人"
        out.append(Attendee(len(out) + 1, name, label))
    return out


def read_attendees(
    form: dict[str, str], people: list[Attendee]
) -> tuple[list[dict[str, str]], list[Problem]]:
    """What each participant gave on his pad: his drawn signature, or (拒绝签字/中途退出
    ticked) the note of it — one of the two, never both, never neither (003 第十六条)."""
    out: list[dict[str, str]] = []
    problems: list[Problem] = []
    for a in people:
        drawn = form.get(a.png, "")
        left = bool(form.get(a.left))
        note = form.get(a.note, "").strip()
        who = f"{a.label}{a.name}"
        if left and drawn:
            problems.append(Problem(
                f"已勾选{who}拒绝签字或中途退出，不应再附其手写签名：请清除签名或取消勾选",
                a.png, label=f"{who}的签名", kind="signature",
            ))  # fmt: skip
        elif left and not note:
            problems.append(Problem(
                f"请注明{who}拒绝签字或中途退出的情况", a.note,
                label=f"{who}未签名的情况", kind="required",
            ))  # fmt: skip
        elif left and len(note) > PARTICIPANT_NOTE_MAX:
            problems.append(Problem(
                f"{who}未签名的情况不得超过 {PARTICIPANT_NOTE_MAX} 字", a.note,
                label=f"{who}未签名的情况", kind="too_long",
            ))  # fmt: skip
        elif left:
            out.append({"name": a.name, "as": a.label, "note": note})
        elif drawn:
            out.append({"name": a.name, "as": a.label, "signature_png": drawn})
        else:
            problems.append(Problem(
                f"{who}须核对笔录后在其签名板手写签名，"
                "或勾选“拒绝签字/中途退出”并注明情况（003 第十六条）",
                a.png, label=f"{who}的签名", kind="signature",
            ))  # fmt: skip
    return out, problems


@dataclass(frozen=True)
class Blank:
    """A document form as first shown for a recorded act."""

    doc: DocType
    values: FieldValues  # what the act recorded, unless marked beyond the user's clearance
    signer: tuple[str, str] | None  # (block, cert_no): the user's own block, his number in it
    demanded: str  # the case's pack rule that demands this document, if any
    blocks: dict[str, str] = field(default_factory=dict)  # officer blocks: the act's officers


def doc_for(code: str) -> DocType:
    """The document type ``code``, or not found."""
    if code not in DOC_TYPES:
        raise NotFoundError(f"未知的文书种类“{code}”")
    return DOC_TYPES[code]


def next_number(app: App, case: str, doc: DocType) -> str | None:
    """The 文号 a document of this type would be issued now (None: its agency numbers no such
    documents): the form shows it; issuing assigns the number current at that moment."""
    expected = numbering.expected_number(app, case, doc.code, app.clock.now().isoformat())
    return expected.number if expected is not None else None


def own_block(user: User, doc: DocType) -> str | None:
    """The first block the document declares that the signed-in user's role may sign (not
    one signed on the approval page only: that one he signs there)."""
    later = ON_APPROVAL_PAGE.get(doc.code, frozenset())
    return next(
        (b for b in doc.signers if user.roles & BLOCK_ROLES.get(b, set()) and b not in later),
        None,
    )


def blank(
    app: App, user: User, number: str, act_seq: int, code: str, demanded_by: DemandedBy
) -> Blank:
    """The form for document ``code`` on act ``act_seq``: unknown types are not found, and a
    record marked beyond what ``user`` may read is refused (LH460) rather than pre-filled."""
    doc = doc_for(code)
    recorded = act_fields(app, user, number, act_seq)  # refused first if marked beyond him
    known = prefill.prefill(app, user, number, act_seq, doc)
    # what the case knows, then the numbers it quotes as the system issued them, then what the
    # act recorded (a person the act names keeps the details the case knows of him)
    values = {**known.values, **quoted_numbers(app, number, doc.code), **recorded}
    for name, person in recorded.items():
        case_person = known.values.get(name)
        if not (isinstance(case_person, dict) and isinstance(person, dict)):
            continue
        if person.get("name") in (None, case_person.get("name")):
            values[name] = {**case_person, **person}
    block = own_block(user, doc)
    signer = (block, user.cert_no) if block and user.cert_no else None
    return Blank(doc, values, signer, demanded_by(app, number, doc.code), known.blocks)


def version_values(app: App, number: str, seq: int, doc: DocType) -> FieldValues:
    """What version ``seq`` of a document of type ``doc`` held, to start its next version."""
    fields, _later = issued_fields(app, number, seq)
    content = fields.get("content")
    if fields.get("doc_type") != doc.code or not isinstance(content, dict):
        raise NotFoundError(f"案件“{number}”中没有序号为 {seq} 的《{doc.title}》")
    return dict(content)


def signing_people(req: DocumentRequest) -> dict[str, list[str]]:
    """Everyone whose key the request applies, with the blocks he signs (as people read them)."""

    out: dict[str, list[str]] = {}
    for s in req.signers:
        label = f"{SIGNER_ROLES.get(s.get('role', ''), s.get('role', ''))}栏"
        out.setdefault(s.get("cert_no", ""), []).append(label)
    for cert in (req.refusal or {}).get("officers") or []:
        out.setdefault(str(cert), []).append("拒签见证")
    return {c: list(dict.fromkeys(labels)) for c, labels in out.items() if c}


def authenticate(
    app: App,
    req: DocumentRequest,
    signed_in: str | None,
    confirmations: dict[str, str],
    where: str = "confirm",
) -> None:
    """Fill ``req.auth``, or refuse: a key other than the signed-in user's is applied only when
    its holder, present, confirms with his own account's password (``confirmations``: cert_no →
    password). Only the login proves who is at the keyboard; without this, typing a colleague's
    certificate number would sign with his key. Wrong passwords count toward his lock-out.
    """

    people = signing_people(req)
    names = officer_names(app, list(people))
    accounts = account_roles(app, people)
    auth: dict[str, str] = {}
    problems: list[Problem] = []
    for cert, blocks in people.items():
        who = f"{names.get(cert, '')}（执法证号 {cert}）" if cert in names else f"执法证号 {cert}"
        what = "、".join(blocks)
        password = confirmations.get(cert, "")
        if signed_in is not None and cert == signed_in:
            auth[cert] = BY_LOGIN
        elif cert not in names:
            continue  # unregistered: ``issue`` says so
        elif cert not in accounts:
            problems.append(Problem(
                f"{who}没有可用的账户，无法以本人密码确认，不能在{what}以其电子签名签署；"
                "请由其本人登录签名，或将其从签名栏中删去", f"{where}.{cert}",
                label=CONFIRM_LABEL, kind="signature",
            ))  # fmt: skip
        elif not password:
            problems.append(Problem(
                f"{who}须在场以本人账户密码确认后，才能在{what}签名", f"{where}.{cert}",
                label=CONFIRM_LABEL, kind="signature",
            ))  # fmt: skip
        else:
            try:
                confirm_presence(app, cert, password)
                auth[cert] = BY_PRESENCE
            except AuthError:
                problems.append(Problem(
                    f"{who}的密码不正确或账户已暂时锁定，未能确认在{what}签名", f"{where}.{cert}",
                    label=CONFIRM_LABEL, kind="signature",
                ))  # fmt: skip
    for cert, password in confirmations.items():
        if password and cert not in people:
            problems.append(Problem(
                f"执法证号 {cert} 不在任何签名栏中，无须确认", f"{where}.{cert}",
                label=CONFIRM_LABEL, kind="signature",
            ))  # fmt: skip
    if problems:
        raise ValidationError(f"有 {len(problems)} 名签名人未能确认，未制作文书", problems)
    req.auth = auth


def issue_confirmed(
    app: App, req: DocumentRequest, signed_in: str | None, confirmations: dict[str, str]
) -> Appended:
    """Issue a document from a page: each colleague whose key is applied first confirms with
    his own password (``authenticate``), then the document is signed and filed (``issue``)."""
    authenticate(app, req, signed_in, confirmations)
    return issue(app, req)


def confirmations(form: dict[str, str]) -> dict[str, str]:
    """cert_no → password from the 在场同事确认 rows (a row without a number: ignored)."""
    out: dict[str, str] = {}
    for i in range(1, CONFIRM_MAX + 1):
        cert = form.get(f"confirm_cert_{i}", "").strip()
        if cert:
            out[cert] = form.get(f"confirm_password_{i}", "")
    return out


def read_form(
    app: App,
    user: User,
    number: str,
    act_seq: int,
    doc: DocType,
    form: dict[str, str],
    witnesses: int = 1,
    at_signing: bool = True,
) -> tuple[DocumentRequest, list[Problem]]:
    """The document the form asks for, and every problem with it (all shown at once); a
    preview (``at_signing`` false) reads no hearing participant's pad, which follows it."""
    values, problems = forms.parse(doc, form, app.settings.timezone)
    # each declared block its own signers: officers present sign theirs in turn; the
    # reviewer's and approver's only their holders, from their own logins (002 第三十八条)
    blocks = {
        b: forms.actors({"actors": form.get(f"sign_{b}", "")})
        for b in doc.signers if b in CRYPTO_ROLES
    }  # fmt: skip
    certs = [c for b in (Block.OFFICER, Block.SERVER) for c in blocks.get(b, [])]
    if not any(blocks.values()) and set(blocks) - IN_PERSON:
        problems.append(Problem(
            "请在签名栏填写签名执法人员的执法证号", "sign", label="签名栏", kind="actor"
        ))  # fmt: skip
    problems += block_problems(app, blocks, user.cert_no)
    for b in ON_APPROVAL_PAGE.get(doc.code, frozenset()):
        if blocks.get(b):
            label = role_label(doc.code, b)
            problems.append(Problem(
                f"{label}栏在文书制作后由其本人在审批页面阅看、写明意见后签署，制作时请留空",
                f"sign_{b}", label=f"{label}签名栏", kind="signature",
            ))  # fmt: skip
    problems += prior_approval.problems(app, number, doc.code)  # said at once, too
    party = form.get("party_name", "").strip()
    refused = bool(form.get("refused"))
    drawn = form.get("party_signature_png", "")  # base64 PNG from the signature pad
    if drawn and refused:
        problems.append(Problem(
            "已勾选当事人拒绝签字，不应再附当事人手写签名：请清除签名或取消勾选",
            "party_signature_png", label="当事人手写签名", kind="rule",
        ))  # fmt: skip
    elif drawn and not party:
        problems.append(Problem(
            "当事人已手写签名，请填写签名的当事人姓名", "party_name",
            label="当事人（签名人）姓名", kind="required",
        ))  # fmt: skip
    participants: list[dict[str, str]] = []
    if at_signing:
        people = attendees(app, user, number, act_seq, doc, party)
        participants, unsigned = read_attendees(form, people)
        problems += unsigned
    return DocumentRequest(
        case=number, act_seq=act_seq, doc_type=doc.code, values=values,
        signers=[{"role": b, "cert_no": c} for b, cs in blocks.items() for c in cs],
        recorded_by=user.actor, number=None,  # issued, never typed (kernel.numbering)
        party={"name": party, **({"signature_png": drawn} if drawn else {})}
        if party and not refused else None,
        refusal={"reason": form.get("refusal_reason", ""), "officers": certs}
        if refused else None, refusal_witnesses=witnesses,
        participants=participants or None,
    ), problems  # fmt: skip


def issue_from_form(
    app: App,
    user: User,
    number: str,
    act_seq: int,
    doc: DocType,
    form: dict[str, str],
    supersedes: int | None = None,
    witnesses: int = 1,
) -> Appended:
    """The document form's submit: the form read and checked whole (every problem at once),
    then each colleague's confirmation, then the document signed and filed (a new version of
    ``supersedes``, when given: it keeps that one's number)."""
    req = checked_request(app, user, number, act_seq, doc, form, witnesses)
    req.supersedes = supersedes
    # each colleague whose key is applied confirms with his own password (argon2)
    return issue_confirmed(app, req, user.cert_no, confirmations(form))


def checked_request(
    app: App,
    user: User,
    number: str,
    act_seq: int,
    doc: DocType,
    form: dict[str, str],
    witnesses: int = 1,
    at_signing: bool = True,
) -> DocumentRequest:
    """The document the form asks for, its own fields checked too, or every problem at once
    (what issuing it and previewing it both start from)."""
    req, problems = read_form(app, user, number, act_seq, doc, form, witnesses, at_signing)
    unread = {p.field for p in problems}
    try:  # the document's own fields too, so that everything is corrected at once
        validate(doc.code, req.values)
    except ValidationError as exc:
        problems += [p for p in exc.problems if p.field not in unread]
    if problems:
        raise ValidationError(f"《{doc.title}》有 {len(problems)} 处问题", problems)
    return req


def issue_from_api(
    app: App, user: User | None, req: DocumentRequest, confirmations: dict[str, str]
) -> Appended:
    """The API's issue, as the page does it: a reviewer's or approver's block only by its
    holder, signed in; every other key only with its holder's password in ``confirmations``
    (for a machine token, every key)."""
    blocks: dict[str, list[str]] = {}
    for s in req.signers:
        blocks.setdefault(str(s.get("role", "")), []).append(str(s.get("cert_no", "")))
    problems = block_problems(
        app, blocks, user.cert_no if user is not None else None, where="signers"
    )
    if problems:
        raise ValidationError(f"签名人与签名栏不符，有 {len(problems)} 处问题", problems)
    # no key without its holder: the signed-in person by his login, everyone else (and
    # everyone, for a machine token) by his own password in ``confirmations``
    signed_in = user.cert_no if user is not None and not user.machine else None
    return issue_confirmed(app, req, signed_in, confirmations)
