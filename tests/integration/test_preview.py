"""The party sees what he signs (issue 13): a document he signs by hand is first rendered as it
will print, unsigned and marked 预览, shown page by page with his signature pad below it; the
content is locked between the preview and the signature, and "返回修改" keeps everything."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.documents import DOC_TYPES
from liuhen.documents import preview as preview_mod
from liuhen.entrypoints.web import create_app
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.db.store import ENTRY
from tests.integration.auth import login
from tests.integration.test_documents import signature_png
from tests.integration.test_forms import _as_form
from tests.integration.test_prefill import CASE, form_page, make_case, value_of


@pytest.fixture
def case(app: Any) -> dict[str, int]:
    return make_case(app)


@pytest.fixture
def client(app: Any, case: dict[str, int]) -> Any:
    with TestClient(create_app(app)) as c:
        login(c, "zhangw", "correct-horse-1")
        yield c


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def documents_of(app: Any) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        bodies = conn.execute(
            select(ENTRY.c.body).where(ENTRY.c.act == "general.document").order_by(ENTRY.c.seq)
        ).scalars()
        return [dict(json.loads(b)["fields"]) for b in bodies]


def typed_form(client: Any, seq: int) -> dict[str, str]:
    """The inquiry record's form as opened (prefilled), with the rest typed in."""
    page = form_page(client, seq, "inquiry_record")
    assert 'id="signature-pad"' not in page  # the pad comes after the preview
    assert ">预览</button>" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    doc = DOC_TYPES["inquiry_record"]
    typed = _as_form(doc, doc.sample)
    typed.pop("f_inquirers")  # as prefilled: the act's two officers
    return {"csrf": csrf.group(1), "party_name": "陈某", "sign_officer": "31010001,31010002",
            "f_inquirers": value_of(page, "f_inquirers"), **typed}  # fmt: skip


def preview(client: Any, seq: int, data: dict[str, str]) -> Any:
    return client.post(
        f"/cases/{CASE}/documents/preview",
        params={"act_seq": seq, "doc_type": "inquiry_record"}, data=data,
    )  # fmt: skip


def submit(client: Any, seq: int, data: dict[str, str]) -> Any:
    return client.post(
        f"/cases/{CASE}/documents/new", params={"act_seq": seq, "doc_type": "inquiry_record"},
        data=data, follow_redirects=False,
    )  # fmt: skip


def locked(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in HIDDEN.findall(page) if k != "party_signature_png"}


def test_the_party_signs_below_the_preview_of_what_he_signs(app, client, case):
    seq = case["inquiry"]
    shown = preview(client, seq, typed_form(client, seq))
    assert shown.status_code == 200, shown.text[:800]
    page = shown.text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert images and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert page.index("preview-page") < page.index('id="signature-pad"')  # the pad after it
    assert "内容已锁定" in page
    values = locked(page)
    assert values["f_transcript"] == DOC_TYPES["inquiry_record"].sample["transcript"]
    assert "preview_mac" in values and values["confirm_cert_1"] == "31010002"
    signed = submit(client, seq, {**values, "party_signature_png": signature_png(),
                                  "confirm_password_1": "correct-horse-2"})  # fmt: skip
    assert signed.status_code == 303, signed.text[:1500]
    (doc,) = documents_of(app)
    assert doc["content"]["transcript"] == values["f_transcript"]
    assert [s["name"] for s in doc["signatures"]] == ["张伟", "李娜", "陈某"]


def test_the_content_cannot_change_between_preview_and_signature(app, client, case):
    seq = case["inquiry"]
    values = locked(preview(client, seq, typed_form(client, seq)).text)
    changed = {
        **values,
        "f_transcript": "问：改过的内容？\n答：是。",
        "party_signature_png": signature_png(),
        "confirm_password_1": "correct-horse-2",
    }
    refused = submit(client, seq, changed)
    assert refused.status_code == 422
    assert "预览后文书内容有改动" in html.unescape(refused.text)
    assert 'id="signature-pad"' in refused.text  # under a preview of what is now there...
    again = locked(refused.text)
    assert again["f_transcript"] == changed["f_transcript"]
    assert 'name="party_signature_png" value=""' in refused.text  # ...to be signed again
    # a hand signature without any preview is refused too
    del changed["preview_mac"]
    unseen = submit(client, seq, changed)
    assert unseen.status_code == 422 and "请先点击“预览”" in html.unescape(unseen.text)
    assert documents_of(app) == []


def test_going_back_to_change_keeps_everything(client, case):
    seq = case["inquiry"]
    values = locked(preview(client, seq, typed_form(client, seq)).text)
    back = preview(client, seq, {**values, "back": "1"})
    assert back.status_code == 200
    page = html.unescape(back.text)
    assert "制作：询问笔录" in page
    assert value_of(page, "f_transcript") == values["f_transcript"]
    assert value_of(page, "f_place") == values["f_place"]
    assert value_of(page, "sign_officer") == "31010001,31010002"


def test_a_preview_holds_after_a_restart_and_in_every_worker(app, client, case, settings):
    """The lock's key comes from the instance's data folder, not the process: a second App on
    the same folder (another worker, or the server restarted) accepts the first one's preview;
    another instance's key does not."""
    seq = case["inquiry"]
    values = locked(preview(client, seq, typed_form(client, seq)).text)
    form = {
        **values,
        "party_signature_png": signature_png(),
        "confirm_password_1": "correct-horse-2",
    }
    other = instance.open_app(settings)
    try:
        args = (values["csrf"], CASE, seq, "inquiry_record", form)
        assert preview_mod.mac(other, *args) == values["preview_mac"]
        with TestClient(create_app(other)) as worker:
            worker.cookies = client.cookies  # the same login, served by the other worker
            signed = submit(worker, seq, form)
        assert signed.status_code == 303, signed.text[:1500]
    finally:
        other.engine.dispose()
    assert [d["content"]["transcript"] for d in documents_of(app)] == [values["f_transcript"]]


def test_another_instance_does_not_accept_a_preview(app, tmp_path):
    stranger = settings_mod.load({"LIUHEN_DATA_DIR": str(tmp_path / "stranger")})
    instance.init(stranger)
    elsewhere = instance.open_app(stranger)
    try:
        args = ("session", CASE, 2, "inquiry_record", {"f_place": "星河网吧"})
        assert preview_mod.mac(app, *args) != preview_mod.mac(elsewhere, *args)
        assert preview_mod.mac(app, *args) == preview_mod.mac(app, *args)
    finally:
        elsewhere.engine.dispose()
