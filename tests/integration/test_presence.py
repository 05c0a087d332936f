"""Colleagues present sign in turn on one device (002 第二十条, 003 第五条、第十四条): every key
other than the signed-in user's is applied only when its holder confirms with his own account
password on the same form; wrong passwords count toward his lock-out; the entry's signatures say
how each signer was authenticated."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liuhen.accounts import service as access
from liuhen.documents import DOC_TYPES
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db import store
from liuhen.signing import pdf as pades
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_forms import _as_form
from tests.integration.test_preview import documents_of

CASE = "某文旅罚〔2026〕1号"
ME, COLLEAGUE, NO_ACCOUNT = "31010001", "31010002", "31010003"
SECRET = "correct-horse-2"


def signed_inquiry(app: Any) -> Any:
    """A case with an inquiry, every officer holding a signing certificate, and two of them with
    accounts: ``zhangw`` (ME) and ``lina`` (COLLEAGUE, password SECRET)."""
    factory.register(app)
    factory.certify_officers(app)
    factory.open_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", ME)
    access.create_user(app, "lina", SECRET, ["officer"], "李娜", "wl-zd1", COLLEAGUE)
    return factory.inquiry(app)


@pytest.fixture
def inquiry(app: Any) -> Any:
    return signed_inquiry(app)


def _account(app: Any, username: str) -> Any:
    users = store.T["app_user"]
    with app.engine.connect() as conn:
        return conn.execute(select(users).where(users.c.username == username)).mappings().one()


class Form:
    """The document form as zhangw fills it in his browser."""

    def __init__(self, client: TestClient, seq: int) -> None:
        self.client, self.url = client, f"/cases/{CASE}/documents/new"
        self.params: dict[str, Any] = {"act_seq": seq, "doc_type": "inquiry_record"}
        doc = DOC_TYPES["inquiry_record"]
        self.page = client.get(self.url, params=self.params).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', self.page)
        assert csrf, self.page[:500]
        self.data = {"csrf": csrf.group(1), "party_name": "陈某",
                     **_as_form(doc, doc.sample)}  # fmt: skip

    def post(self, **typed: str) -> Any:
        return self.client.post(
            self.url, params=self.params, data={**self.data, **typed}, follow_redirects=False
        )


def _problems(response: Any) -> list[str]:
    """Each message shown beside an input, as "input id：message"."""
    placed = re.findall(r'<p class="field-error" id="err-([^"]+)">(.*?)</p>', response.text)
    return [f"{where}：{m}" for where, text in placed for m in text.split("<br>")]


def test_a_colleague_signs_with_his_own_password(app, inquiry):
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = Form(client, inquiry.seq)
        # a party signs this form by hand: the colleagues confirm under its preview
        shown = client.post(f"/cases/{CASE}/documents/preview", params=form.params,
                            data={**form.data, "sign_officer": f"{ME},{COLLEAGUE}"})  # fmt: skip
        assert "在场同事确认" in shown.text and 'name="confirm_password_1"' in shown.text
        # naming a colleague without his confirmation is refused, located at his row
        asked = form.post(sign_officer=f"{ME},{COLLEAGUE}")
        assert asked.status_code == 422
        assert any(
            p.startswith(f"confirm_password_1：李娜（执法证号 {COLLEAGUE}）须在场")
            and "执法人员栏" in p
            for p in _problems(asked)
        ), _problems(asked)
        # his row now carries his number (not the signed-in user's): he only types his password
        assert f'name="confirm_cert_1" value="{COLLEAGUE}"' in asked.text
        assert f'name="confirm_cert_2" value="{ME}"' not in asked.text
        assert 'value="陈某"' in asked.text and documents_of(app) == []

        made = form.post(sign_officer=f"{ME},{COLLEAGUE}", confirm_cert_1=COLLEAGUE,
                         confirm_password_1=SECRET)  # fmt: skip
        assert made.status_code == 303, _problems(made)
    (fields,) = documents_of(app)
    sigs = [(s["cert_no"], s["auth"]) for s in fields["signatures"] if s["method"] == "PAdES"]
    assert sigs == [(ME, "登录"), (COLLEAGUE, "现场密码确认")]
    pdf = b"".join(app.blobs.read(fields["digest"]))
    statuses = pades.validate(pdf, signing.ca_pem(app))
    assert [s.serial_number for s in statuses] == [ME, COLLEAGUE]
    assert all(s.valid for s in statuses)
    assert _account(app, "lina")["failed"] == 0


def test_a_wrong_password_is_refused_counted_and_never_shown(app, inquiry):
    sessions, events = store.T["auth_session"], store.T["account_event"]
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = Form(client, inquiry.seq)
        typed = {"sign_officer": f"{ME},{COLLEAGUE}", "confirm_cert_1": COLLEAGUE}
        with app.engine.connect() as conn:
            opened = conn.execute(select(func.count()).select_from(sessions)).scalar()
        for attempt in range(1, access.MAX_FAILURES + 1):
            wrong = form.post(**typed, confirm_password_1=f"guess-number-{attempt}")
            assert wrong.status_code == 422
            assert f"guess-number-{attempt}" not in wrong.text  # never echoed back
            assert any(
                p.startswith(f"confirm_password_1：李娜（执法证号 {COLLEAGUE}）的密码不正确")
                for p in _problems(wrong)
            ), _problems(wrong)
            assert 'value="陈某"' in wrong.text  # everything else typed stays
            if attempt < access.MAX_FAILURES:
                assert _account(app, "lina")["failed"] == attempt
        assert _account(app, "lina")["locked_until"]  # the fifth locked his account
        with app.engine.connect() as conn:
            locked = conn.execute(
                select(events.c.actor, events.c.details)
                .where(events.c.action == "locked_out", events.c.target == "lina")
            ).one()  # fmt: skip
            # confirming opens no session for him
            assert conn.execute(select(func.count()).select_from(sessions)).scalar() == opened
        assert locked.actor == "system" and json.loads(locked.details)["failures"] == 5
        # locked: even his right password is refused now, and nothing was ever journaled
        late = form.post(**typed, confirm_password_1=SECRET)
        assert late.status_code == 422 and "暂时锁定" in late.text
    assert documents_of(app) == []
    assert login(TestClient(create_app(app)), "lina", SECRET).status_code != 303


def test_a_colleague_without_an_account_cannot_sign_from_the_pages(app, inquiry):
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        refused = Form(client, inquiry.seq).post(
            sign_officer=f"{ME},{NO_ACCOUNT}", confirm_cert_1=NO_ACCOUNT,
            confirm_password_1="whatever-he-says",
        )  # fmt: skip
    assert refused.status_code == 422
    assert any(
        p.startswith(f"confirm_password_1：王强（执法证号 {NO_ACCOUNT}）没有可用的账户")
        for p in _problems(refused)
    ), _problems(refused)
    assert documents_of(app) == []


def test_the_second_officer_of_a_refusal_attestation_confirms_too(app, inquiry):
    """Under 003 (第十四条: 两名以上) the form asks for a second officer, who confirms."""
    from liuhen.compliance import packs

    packs.use_pack(app, "003", "该机关适用 003", agency="wl")
    refusal = {"refused": "1", "refusal_reason": "当事人拒绝签字", "party_name": ""}
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = Form(client, inquiry.seq)
        alone = form.post(**refusal, sign_officer=ME)
        assert alone.status_code == 422 and "要求由 2 名以上执法人员签名注明" in alone.text
        unconfirmed = form.post(**refusal, sign_officer=f"{ME},{COLLEAGUE}")
        assert unconfirmed.status_code == 422
        assert any(
            p.startswith("confirm_password_1：") and "拒签见证" in p for p in _problems(unconfirmed)
        ), _problems(unconfirmed)
        made = form.post(**refusal, sign_officer=f"{ME},{COLLEAGUE}", confirm_cert_1=COLLEAGUE,
                         confirm_password_1=SECRET)  # fmt: skip
        assert made.status_code == 303, _problems(made)
    (fields,) = documents_of(app)
    assert fields["party_refused"] is True
    assert {(s["cert_no"], s["auth"]) for s in fields["signatures"]} == {
        (ME, "登录"), (COLLEAGUE, "现场密码确认"),
    }  # fmt: skip


def test_the_api_asks_the_same_of_a_signed_in_officer(app, inquiry):
    with TestClient(create_app(app)) as client:
        assert login(client, "zhangw", "correct-horse-1").status_code == 303
        csrf = client.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
        body: dict[str, Any] = {
            "act_seq": inquiry.seq, "doc_type": "inquiry_record", "by": ME,
            "values": DOC_TYPES["inquiry_record"].sample, "party": {"name": "陈某"},
            "signers": [{"role": "officer", "cert_no": c} for c in (ME, COLLEAGUE)],
        }  # fmt: skip
        url, headers = f"/api/v1/cases/{CASE}/documents", {"X-CSRF-Token": csrf}
        bare = client.post(url, json=body, headers=headers)
        assert bare.status_code == 422 and bare.json()["code"] == "LH100"
        assert [p["field"] for p in bare.json()["problems"]] == [f"confirm.{COLLEAGUE}"]
        wrong = client.post(
            url,
            headers=headers,
            json={
                **body,
                "confirmations": [{"cert_no": COLLEAGUE, "password": "not-his-password"}],
            },
        )
        assert wrong.status_code == 422 and "not-his-password" not in wrong.text
        assert _account(app, "lina")["failed"] == 1
        made = client.post(
            url,
            headers=headers,
            json={**body, "confirmations": [{"cert_no": COLLEAGUE, "password": SECRET}]},
        )
        assert made.status_code == 201, made.text
    (fields,) = documents_of(app)
    assert [s.get("auth") for s in fields["signatures"]] == ["登录", "现场密码确认", None]


def test_the_service_refuses_a_key_nobody_confirmed(app, inquiry):
    """Whoever calls ``issue`` with an ``auth`` map must account for every key it applies."""
    from liuhen.documents import service as documents
    from liuhen.errors import ValidationError

    req = documents.DocumentRequest(
        case=CASE, act_seq=inquiry.seq, doc_type="inquiry_record",
        values=dict(DOC_TYPES["inquiry_record"].sample),
        signers=[{"role": "officer", "cert_no": c} for c in (ME, COLLEAGUE)],
        recorded_by={"id": ME, "role": "officer"}, party={"name": "陈某"},
        auth={ME: documents.BY_LOGIN},
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        documents.issue(app, req)
    assert [p.field for p in refused.value.problems] == [f"confirm.{COLLEAGUE}"]
    assert documents_of(app) == []


def test_one_officer_notes_a_refusal_where_the_pack_names_no_number(app, inquiry):
    """The national pack (行政强制法 第十八条第八项) asks the refusal noted, by no number of
    officers: one officer's signature on the form does it."""
    refusal = {"refused": "1", "refusal_reason": "当事人拒绝签字", "party_name": ""}
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        made = Form(client, inquiry.seq).post(**refusal, sign_officer=ME)
        assert made.status_code == 303, _problems(made)
    (fields,) = documents_of(app)
    assert fields["party_refused"] is True
    assert [s["cert_no"] for s in fields["signatures"]] == [ME]
