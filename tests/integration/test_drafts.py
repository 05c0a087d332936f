"""暂存: an officer saves a half-typed form, finds it in his inbox, continues where he left off,
and the draft is gone once the act or document is recorded. Nothing is journaled by a draft;
nobody else sees or opens it; a rebuild of the projections leaves it alone. And the 待办 asks
the officer for the approval an act of his still lacks (提交《立案审批表》), until it is made.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db import store
from liuhen.kernel.db.store import ENTRY, FORM_DRAFT
from liuhen.kernel.rebuild import rebuild
from liuhen.web import drafts
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_approvals import (
    CASE,
    FILING,
    NOW,
    OFFICER,
    _csrf,
    _issue,
)
from tests.integration.test_inbox import _badge, _item

INCIDENT = f"/cases/{quote(CASE, safe='')}/record?act=general.incident"
OLD = "某文旅罚〔2026〕2号"
THEIRS = "某文旅罚〔2026〕3号"  # his unit's, not his as case officer
THEIRS_INCIDENT = f"/cases/{quote(THEIRS, safe='')}/record?act=general.incident"
TYPED = {
    "occurred_at": "2026-12-01T09:30", "place": "某区滨江路18号", "f_kind": "阻碍执法",
    "f_description": "当事人阻挡执法人员进入演出场所，经说服后放行。",
    "actor:31010001": "31010001", "actor:31010002": "31010002",
}  # fmt: skip


def _staff(app: Any) -> int:
    """``factory.approval_staff``'s officer, head and reviewer, with the case opened as
    the act form opens one now: no head's approval typed on it (the 立案审批表 asks for it)."""
    from liuhen.kernel import record

    factory.approval_staff(app, NOW)
    opening = factory.opening_input(CASE)
    for typed in ("approver", "head_opinion"):
        opening.fields.pop(typed)
    return int(record.record(app, opening).seq)


def _size(app: Any) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(store.HEAD.c.size)).scalar() or 0)


def _drafts(app: Any) -> list[tuple[str, str]]:
    with app.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(FORM_DRAFT.c.username, FORM_DRAFT.c.url))]


def _colleague(app: Any) -> None:
    access.create_user(app, "lina2", "correct-horse-4", ["officer"], "李娜", "wl-zd1", "31010002")


def test_a_saved_act_form_comes_back_from_the_inbox_and_goes_once_recorded(app):
    _staff(app)
    _colleague(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = client.get(INCIDENT).text
        assert 'name="draft" value="save"' in form and "formnovalidate" in form
        size = _size(app)
        badge = _badge(client.get("/").text) or 0  # the menu's count, remembered
        saved = client.post(INCIDENT, data={"csrf": _csrf(form), "draft": "save", **TYPED},
                            follow_redirects=False)  # fmt: skip
        assert saved.status_code == 303 and saved.headers["location"] == INCIDENT + "&saved=1"
        assert _size(app) == size  # a draft is no record
        assert _badge(client.get("/").text) == badge + 1  # though the count follows it
        page = client.get(saved.headers["location"]).text
        assert "已暂存" in page and TYPED["f_description"] in page
        assert 'value="2026-12-01T09:30"' in page and 'value="阻碍执法" selected' in page
        assert 'name="draft" value="discard"' in page

        inbox = client.get("/inbox").text
        line = _item(inbox, "继续填写：《妨碍执法情况》")
        assert "暂存于 2026-12-01 10:00" in line and html.escape(INCIDENT) in line
        assert CASE in line

        rebuild(app)  # the projections are replayed; his working state is not theirs
        assert _drafts(app) == [("zhangw", INCIDENT)]

        login(client, "lina2", "correct-horse-4")  # a colleague on the same case
        assert TYPED["f_description"] not in client.get(INCIDENT).text
        assert "继续填写" not in client.get("/inbox").text

        login(client, "zhangw", "correct-horse-1")
        page = client.get(INCIDENT).text
        assert "已恢复" in page and TYPED["f_description"] in page
        done = client.post(INCIDENT, data={"csrf": _csrf(page), **TYPED},
                           follow_redirects=False)  # fmt: skip
        assert done.status_code == 303, done.text[:3000]
        assert _size(app) == size + 1 and _drafts(app) == []
        assert "继续填写" not in client.get("/inbox").text
        assert TYPED["f_description"] not in client.get(INCIDENT).text  # a fresh form


def test_a_draft_is_discarded_refused_when_too_large_and_hidden_once_the_case_is_not_his(app):
    _staff(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        csrf = _csrf(client.get(INCIDENT).text)
        client.post(INCIDENT, data={"csrf": csrf, "draft": "save", **TYPED})
        gone = client.post(INCIDENT, data={"csrf": csrf, "draft": "discard"},
                           follow_redirects=False)  # fmt: skip
        assert gone.status_code == 303 and gone.headers["location"] == INCIDENT
        assert _drafts(app) == []

        huge = {**TYPED, "f_description": "x" * (drafts.MAX_BYTES + 1)}
        refused = client.post(INCIDENT, data={"csrf": csrf, "draft": "save", **huge})
        assert refused.status_code == 422, refused.text[:1500]
        assert "暂存的内容超过 256 KB" in refused.text
        assert _drafts(app) == []

        # a colleague's case of his unit, which he helps with
        factory.open_case_in(app, THEIRS, "wl-zd1", "31010003")
        client.post(THEIRS_INCIDENT, data={"csrf": csrf, "draft": "save", **TYPED})
        assert THEIRS in _item(client.get("/inbox").text, "继续填写")
    # moved to another unit: that case, and his draft in it, are no longer his to see
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    access.change_user(app, "zhangw", ["officer"], "wl-zd2", OFFICER, by="root")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        assert "继续填写" not in client.get("/inbox").text
        assert client.get(THEIRS_INCIDENT).status_code in (403, 404)


def test_a_document_draft_keeps_no_password_or_signature_and_replaces_the_approval_request(app):
    opening = _staff(app)
    url = f"/cases/{quote(CASE, safe='')}/documents/new?act_seq={opening}&doc_type=filing_approval"
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        inbox = client.get("/inbox").text
        line = _item(inbox, "提交《立案审批表》待负责人审批")
        assert html.escape(url) in line and CASE in line and "制作《立案审批表》" in line
        assert f"#seq-{opening}" in line  # the entry the approval is for

        form = client.get(url).text
        assert f'formaction="{html.escape(url.replace("/new?", "/draft?"))}"' in form
        secrets = {"confirm_password_1": "correct-horse-2", "party_signature_png": "data:x"}
        typed = {**FILING, "sign_officer": OFFICER, "confirm_cert_1": "31010002", **secrets}
        saved = client.post(url.replace("/new?", "/draft?"),
                            data={"csrf": _csrf(form), "draft": "save", **typed},
                            follow_redirects=False)  # fmt: skip
        assert saved.status_code == 303 and saved.headers["location"] == url + "&saved=1"
        with app.engine.connect() as conn:
            kept = json.loads(conn.execute(select(FORM_DRAFT.c.fields)).scalar_one())
        assert kept["f_handler_opinion"] == FILING["f_handler_opinion"]
        assert kept["confirm_cert_1"] == "31010002"
        assert "confirm_password_1" not in kept and "party_signature_png" not in kept
        assert "csrf" not in kept and "draft" not in kept

        inbox = client.get("/inbox").text
        assert "继续填写：《立案审批表》" in inbox
        assert "提交《立案审批表》待负责人审批" not in inbox  # one item leads to that form
        page = client.get(url).text
        assert "已恢复" in page and FILING["f_handler_opinion"] in page

        seq = _issue(client, opening)  # made and signed: the draft goes, and the request
        assert _drafts(app) == []
        inbox = client.get("/inbox").text
        assert "继续填写" not in inbox and "提交《立案审批表》" not in inbox
        with app.engine.connect() as conn:
            issued = conn.execute(select(func.count()).where(ENTRY.c.seq == seq)).scalar()
        assert issued == 1
        login(client, "hejg", "correct-horse-3")  # now it waits for the head's signature
        assert f"《立案审批表》（序号 {seq}）" in client.get("/inbox").text


def test_an_act_the_head_already_answered_asks_for_no_approval_form(app):
    from liuhen.kernel import record
    from liuhen.kernel.record import ActInput

    opening = _staff(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        assert "提交《立案审批表》待负责人审批" in client.get("/inbox").text
        record.record(app, ActInput(
            "decision.head_approval", "2026-12-01T09:00:00+08:00", case=CASE,
            actors=["31010009"], recorded_by={"id": "31010009", "role": "head"},
            fields={"matter": "立案", "opinion": "同意立案", "approved": True,
                    "subject_seq": opening},
        ))  # fmt: skip
        assert "提交《立案审批表》" not in client.get("/inbox").text
        factory.open_case(app, OLD)  # an older record: the head who approved it typed on it
        assert OLD not in client.get("/inbox").text
        # the investigation's own approvals are asked for act by act
        record.record(app, ActInput(
            "investigation.evidence_request", "2026-12-01T09:30:00+08:00", case=CASE,
            actors=["31010001", "31010002"], recorded_by=factory.OFFICER,
            fields={"holder": {"name": "某区夜色酒吧"}, "collected_at": "2026-12-01T09:30:00+08:00",
                    "items": [{"name": "演出合同", "quantity": "1份"}]},
        ))  # fmt: skip
        line = _item(client.get("/inbox").text, "提交《调取证据通知书》待负责人审批")
        assert "doc_type=evidence_notice" in line and CASE in line


def test_a_new_case_form_is_saved_with_no_case_and_restored(app):
    _staff(app)
    url = "/cases/new?act=initiation.ex_officio"
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        csrf = _csrf(client.get(url).text)
        typed = {"f_cause": "未经许可从事互联网上网服务经营活动", "occurred_at": "2026-12-01T09:00"}
        saved = client.post(url, data={"csrf": csrf, "draft": "save", **typed},
                            follow_redirects=False)  # fmt: skip
        assert saved.status_code == 303 and saved.headers["location"] == url + "&saved=1"
        line = _item(client.get("/inbox").text, "继续填写：《依职权立案》")
        assert html.escape(url) in line
        assert typed["f_cause"] in client.get(url).text
