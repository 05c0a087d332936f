"""A refused form says what to fix at the field itself, in plain Chinese, and loses nothing.

The act form and the document form are posted with mistakes; the page that comes back puts
each message under its input (``aria-describedby`` naming it, ``aria-invalid`` on the input,
the first invalid input focused), sums them up at the top with links, keeps every value typed
(a person's parts, lists, the drawn signature) and keeps the stable code and the machine
paths inside the 技术信息 fold only.
"""

from __future__ import annotations

import base64
import struct
import zlib
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.compliance import packs
from liuhen.documents import DOC_TYPES
from liuhen.entrypoints.web import create_app
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_forms import _as_form
from tests.integration.test_presence import COLLEAGUE, ME, signed_inquiry

CASE = "某文旅罚〔2026〕1号"


class Page(HTMLParser):
    """What a test reads of a form page: each input by id and by name, each textarea's text,
    the option chosen in each select, the message under each input, the summary's links, and
    the page's text inside and outside the 技术信息 fold."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict[str, str]] = {}
        self.by_name: dict[str, dict[str, str]] = {}
        self.texts: dict[str, str] = {}
        self.chosen: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}
        self.links: list[tuple[str, str]] = []
        self.folded: list[str] = []
        self.shown: list[str] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._note: str | None = None
        self._link: str | None = None
        self._fold = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.by_id[a["id"]] = {"tag": tag, **a}
        if "name" in a and tag in ("input", "textarea", "select"):
            self.by_name[a["name"]] = {"tag": tag, **a}
        if tag == "textarea":
            self._textarea = a.get("name", "")
            self.texts[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name", "")
        elif tag == "option" and "selected" in a and self._select:
            self.chosen[self._select] = a.get("value", "")
        elif tag == "p" and "field-error" in a.get("class", ""):
            self._note = a["id"]
            self.notes[self._note] = [""]
        elif tag == "br" and self._note:
            self.notes[self._note].append("")
        elif tag == "a" and a.get("href", "").startswith("#"):
            self._link = a["href"]
            self.links.append((self._link, ""))
        elif tag == "details":
            self._fold += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "p":
            self._note = None
        elif tag == "a":
            self._link = None
        elif tag == "details":
            self._fold -= 1

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.texts[self._textarea] += data
        if self._note is not None:
            self.notes[self._note][-1] += data
        if self._link is not None:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)
        (self.folded if self._fold else self.shown).append(data)

    def at(self, input_id: str) -> list[str]:
        """The messages beside the input ``input_id``, checked to be wired to it."""
        element = self.by_id[input_id]
        assert element.get("aria-invalid") == "true", element
        assert element.get("aria-describedby") == f"err-{input_id}", element
        return self.notes[f"err-{input_id}"]

    def value(self, name: str) -> str:
        element = self.by_name[name]
        if element["tag"] == "textarea":
            return self.texts[name].removeprefix("\n")
        if element["tag"] == "select":
            return self.chosen.get(name, "")
        return element.get("value", "")


def _assert_folded(page: Page, *technical: str) -> None:
    """The code and the machine paths are in the fold, and nowhere else on the page."""
    shown, folded = "".join(page.shown), "".join(page.folded)
    assert "技术信息" in folded
    for word in technical:
        assert word in folded, word
        assert word not in shown, word


def _csrf(client: TestClient, url: str, **params: Any) -> str:
    page = Page(client.get(url, params=params).text)
    return page.by_name["csrf"]["value"]


def _refused(
    client: TestClient, url: str, act: dict[str, str], typed: dict[str, str]
) -> tuple[str, Page]:
    """The act form posted by 张伟 with ``typed`` and refused (422): its CSRF token, for
    posting it again corrected, and the page it was shown again on."""
    login(client, "zhangw", "correct-horse-1")
    csrf = _csrf(client, url, **act)
    refused = client.post(url, params=act, data={"csrf": csrf, **typed})
    assert refused.status_code == 422
    return csrf, Page(refused.text)


def test_a_refused_act_form_puts_each_message_at_its_field(app):
    factory.register(app)
    factory.open_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", ME)
    url, act = f"/cases/{CASE}/record", {"act": "investigation.inquiry"}
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        typed = {
            "occurred_at": "2026-11-03T10:00",
            "actors": "",
            "place": "某区滨江路18号",
            "f_subject.name": "陈某",
            "f_subject.phone": "13800000000",
            "f_subject.address": "某区滨江路18号2楼",
            "f_relation": "当事人负责人",
            "f_started_at": "",
            "f_ended_at": "2026-11-03T10:40",
            "f_identity_shown": "true",
            "f_rights_notified": "",
            "f_transcript": "问：你是否知道演出需要许可？\n答：不知道。",
            "f_recorder": "李娜",
        }
        refused = client.post(url, params=act, data={"csrf": _csrf(client, url, **act), **typed})
    assert refused.status_code == 422
    page = Page(refused.text)
    assert page.at("actors") == ["请至少填写一名执法人员的执法证号"]
    assert page.at("f_started_at") == ["请填写询问开始时间"]
    assert page.at("f_rights_notified") == ["请选择已告知申请回避等权利"]
    assert "有 3 处需要修改" in "".join(page.shown)
    assert sorted(page.links) == sorted([
        ("#actors", "请至少填写一名执法人员的执法证号"),
        ("#f_started_at", "请填写询问开始时间"),
        ("#f_rights_notified", "请选择已告知申请回避等权利"),
    ])  # fmt: skip
    # the first invalid input of the page takes the focus; valid inputs are not marked
    assert [i for i, e in page.by_id.items() if "autofocus" in e] == ["actors"]
    assert "aria-invalid" not in page.by_id["f_relation"]
    # nothing typed is lost: the person's parts, a long text, a choice
    assert {name: page.value(name) for name in typed if name != "actors"} == {
        name: value for name, value in typed.items() if name != "actors"
    }
    _assert_folded(page, "LH100", "fields.started_at", "fields.rights_notified")


def test_a_bad_amount_a_missing_choice_and_an_unknown_officer(app):
    factory.register(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", ME)
    url, act = "/cases/new", {"act": "decision.summary"}
    typed = {
        "occurred_at": "2026-11-03T10:00",
        "actors": f"{ME},{COLLEAGUE}",
        "place": "某区滨江路18号",
        "f_cause": "未按规定核验上网消费者身份",
        "f_category": "penalty",
        "f_procedure": "summary",
        "f_parties": "某某网吧\n网吧员工刘某",
        "f_unit": "wl-zd1",
        "f_summary": "检查发现两名未成年人上网。",
        "f_document_no": "某文旅当罚〔2026〕3号",
        "f_facts": "当晚未核验身份证。",
        "f_legal_basis": "《互联网上网服务营业场所管理条例》第三十一条",
        "f_penalty": "",
        "f_amount": "12.345",
    }
    with TestClient(create_app(app)) as client:
        csrf, page = _refused(client, url, act, typed)
        assert page.at("f_amount") == ["罚款金额须为不超过两位小数的金额（元），如 5000 或 1234.50"]
        assert page.at("f_penalty") == ["请选择处罚种类"]
        assert "有 2 处需要修改" in "".join(page.shown)
        assert {name: page.value(name) for name in typed} == typed
        _assert_folded(page, "LH100", "fields.amount", "money")

        fixed = {**typed, "f_penalty": "罚款", "f_amount": "200", "actors": f"{ME},31019999"}
        unknown = client.post(url, params=act, data={"csrf": csrf, **fixed})
    assert unknown.status_code == 422
    page = Page(unknown.text)
    assert page.at("actors") == ["执法证号 31019999 未登记或已停用，请核对后重新填写"]
    assert page.value("actors") == f"{ME},31019999"
    _assert_folded(page, "LH100", "officer")


def test_an_act_at_the_scene_with_one_officer_is_refused_at_the_picker(app):
    """A new case by 当场处罚 (and any act done at the scene, ``officers.min_two``'s
    ``@on_site``) with one officer is refused beside the officers, not flagged once recorded;
    an act not done at the scene (依职权立案) may be recorded by one."""
    factory.register(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", ME)
    url, act = "/cases/new", {"act": "decision.summary"}
    typed = {
        "occurred_at": "2026-11-03T10:00", "place": "某区滨江路18号",
        f"actor:{ME}": ME, "actors": "",
        "f_cause": "未按规定核验上网消费者身份", "f_category": "penalty",
        "f_procedure": "summary", "f_parties": "某某网吧", "f_unit": "wl-zd1",
        "f_summary": "检查发现两名未成年人上网。", "f_document_no": "某文旅当罚〔2026〕3号",
        "f_facts": "当晚未核验身份证。",
        "f_legal_basis": "《互联网上网服务营业场所管理条例》第三十一条",
        "f_penalty": "罚款", "f_amount": "200",
    }  # fmt: skip
    with TestClient(create_app(app)) as client:
        csrf, page = _refused(client, url, act, typed)
        assert page.at("actors") == ["请至少选择两名执法人员（行政处罚法 第四十二条）"]
        assert "有 1 处需要修改" in "".join(page.shown)
        assert page.by_name[f"actor:{ME}"].get("checked") is not None  # his choice is kept
        assert page.value("f_facts") == typed["f_facts"]
        _assert_folded(page, "LH100", "too_few")
        assert client.get("/api/v1/cases").json()["total"] == 0  # nothing recorded

        two = client.post(url, params=act, data={"csrf": csrf, **typed, "actors": COLLEAGUE},
                          follow_redirects=False)  # fmt: skip
        assert two.status_code == 303, two.text
        act = {"act": "initiation.ex_officio"}
        alone = {
            "occurred_at": "2026-11-03T11:00", f"actor:{ME}": ME, "f_cause": "无证经营网吧",
            "f_category": "penalty", "f_procedure": "ordinary", "f_parties": "张某",
            "f_unit": "wl-zd1", "f_summary": "群众反映。", "f_source": "群众举报",
            "f_reason": "涉嫌无证经营。", "f_handler_opinion": "建议立案调查。",
        }  # fmt: skip
        one = client.post(url, params=act, data={"csrf": _csrf(client, url, **act), **alone},
                          follow_redirects=False)  # fmt: skip
        assert one.status_code == 303, one.text


def test_the_officers_an_act_needs_are_the_packs(app):
    """An agency's pack says how many officers and cites its own article too (003 第六条): an
    inquiry in a case of that agency by one officer is refused citing both."""
    factory.register(app)
    packs.use_pack(app, "003", "测试")
    factory.open_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", ME)
    url, act = f"/cases/{CASE}/record", {"act": "investigation.inquiry"}
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        refused = client.post(url, params=act, data={
            "csrf": _csrf(client, url, **act), "occurred_at": "2026-11-03T10:00",
            f"actor:{ME}": ME, "actors": "", "f_subject.name": "陈某",
        })  # fmt: skip
    assert refused.status_code == 422
    assert Page(refused.text).at("actors") == [
        "请至少选择两名执法人员（003 第六条第一款、行政处罚法 第四十二条）"
    ]


def _png() -> str:
    """A tiny real PNG, as the signature pad sends it (base64)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    image = zlib.compress(b"\x00\x00")
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", image)
    return base64.b64encode(png + chunk(b"IEND", b"")).decode("ascii")


def test_a_refused_document_form_puts_each_message_at_its_field(app):
    seq = signed_inquiry(app).seq
    url = f"/cases/{CASE}/documents/new"
    params: dict[str, str | int] = {"act_seq": seq, "doc_type": "inquiry_record"}
    doc = DOC_TYPES["inquiry_record"]
    drawn = _png()
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        csrf = _csrf(client, url, **params)
        typed = {
            **_as_form(doc, doc.sample),
            "f_cause": "",
            "f_started_at": "2026-03-01T09:30",
            "sign_officer": f"{ME},{COLLEAGUE}",
            "party_name": "陈某",
        }
        # the content is checked when it is previewed, each message at its field
        preview_url = f"/cases/{CASE}/documents/preview"
        refused = client.post(preview_url, params=params, data={"csrf": csrf, **typed})
        assert refused.status_code == 422
        page = Page(refused.text)
        assert page.at("f_cause") == ["请填写案由"]
        assert "有 1 处需要修改" in "".join(page.shown)
        assert ("#f_cause", "请填写案由") in page.links
        # every value typed comes back, the list of inquirers too
        kept = {n: page.value(n) for n in typed}
        assert kept == typed
        assert "\n" in page.value("f_inquirers")  # a list, one per line
        _assert_folded(page, "LH100", "fields.cause")

        # fixed and previewed: what is decided at signing is checked under the preview
        fixed = {**typed, "f_cause": doc.sample["cause"]}
        shown = client.post(preview_url, params=params, data={"csrf": csrf, **fixed})
        assert shown.status_code == 200, shown.text[:800]
        locked = {n: e.get("value", "") for n, e in Page(shown.text).by_name.items()
                  if e.get("type") == "hidden" and n != "party_signature_png"}  # fmt: skip
        signing_now = {**locked, "refused": "1", "refusal_reason": "当事人拒绝签字",
                       "party_signature_png": drawn}  # fmt: skip
        both = client.post(url, params=params, data=signing_now)
        assert both.status_code == 422
        page = Page(both.text)
        assert page.at("signature-pad") == [
            "已勾选当事人拒绝签字，不应再附当事人手写签名：请清除签名或取消勾选"
        ]
        assert "checked" in page.by_name["refused"]
        assert page.value("party_signature_png") == drawn
        _assert_folded(page, "LH100", "party_signature_png")

        # signed, but the colleague has not confirmed: said by name, at his password row
        unconfirmed = client.post(url, params=params,
                                  data={**locked, "party_signature_png": drawn})  # fmt: skip
    assert unconfirmed.status_code == 422
    page = Page(unconfirmed.text)
    assert page.value("confirm_cert_1") == COLLEAGUE
    assert page.at("confirm_password_1") == [
        f"李娜（执法证号 {COLLEAGUE}）须在场以本人账户密码确认后，才能在执法人员栏签名"
    ]
    assert [i for i, e in page.by_id.items() if "autofocus" in e] == ["confirm_password_1"]
    assert page.value("party_signature_png") == drawn and page.value("party_name") == "陈某"
    _assert_folded(page, "LH100", f"confirm.{COLLEAGUE}")
