"""The case page reads like a record, not like JSON: labels, local times, parties as cards,
documents and media inside the act they record, technical values folded away, the views
counted but not all rendered, and an act menu fitted to where the case stands."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.cases import service as cases
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.archive_case import CASE, case_with_documents
from tests.integration.auth import login

URL = f"/cases/{quote(CASE)}"
FOLD = re.compile(r'<details class="tech">.*?</details>', re.S)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
MENU = re.compile(r'<select name="act">(.*?)</select>', re.S)


@pytest.fixture
def client(app):
    with TestClient(create_app(app)) as c:
        yield c


def officer(app, client) -> None:
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    assert login(client, "zhangw", "correct-horse-1").status_code == 303


def bind_clip(app, act_seq: int) -> int:
    """A 音像记录 naming the inquiry it recorded (as an import writes it: no stored file)."""
    return record.record(app, ActInput(
        "general.media", "2026-11-03T10:15:00+08:00", case=CASE, actors=["31010001"],
        recorded_by=factory.OFFICER,
        fields={"digest": "sha256:" + "ab" * 32, "kind": "video", "device_no": "ZFJLY-07",
                "act_seq": act_seq, "started_at": "2026-11-03T09:00:00+08:00",
                "ended_at": "2026-11-03T10:10:00+08:00",
                "stored_at": "2026-11-03T10:15:00+08:00", "opening_statement": True},
    )).seq  # fmt: skip


def article(text: str, seq: int) -> str:
    """The <article> of the act ``seq``, with what is nested in it."""
    start = text.index(f'<article class="entry" id="seq-{seq}">')
    depth, pos = 0, start
    for m in re.finditer(r"<(/?)article\b", text[start:]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            pos = start + m.end()
            break
    return text[start:pos]


def test_the_page_reads_in_chinese_with_acts_holding_their_documents_and_media(app, client):
    filed = case_with_documents(app, closed=False)
    clip = bind_clip(app, filed.inquiry.seq)
    officer(app, client)
    text = client.get(URL).text
    outside = re.sub(r"<[^>]+>", " ", FOLD.sub("", text))  # what is read outside the folds

    # labels from the catalog, values in Chinese, local times, no codes or raw values
    assert "询问开始时间" in text and "2026年11月3日" in text
    assert not ISO.search(outside), ISO.search(outside)
    for raw in ("True", "False", "sha256:", "wl-zd1", "investigation.inquiry", "{'", "['"):
        assert raw not in outside, raw
    assert "承办机构：" in text and "执法大队一中队" in text
    assert "wl-zd1" not in FOLD.sub("", text)  # not even in an attribute
    # the start of the inquiry before its end (the catalog's order, not the keys' order)
    assert outside.index("询问开始时间") < outside.index("询问结束时间")
    # parties as labelled cards at the top, before the record
    parties = text.index('<section class="parties">')
    assert parties < text.index('<section class="stage">')
    assert '<div class="person-card">' in text[parties : text.index("</section>", parties)]
    # the document and the clip inside the inquiry they record, signatures as sentences
    inquiry = article(text, filed.inquiry.seq)
    assert f'id="seq-{filed.inquiry_doc.seq}"' in inquiry and "执法文书：询问笔录" in inquiry
    assert f'id="seq-{clip}"' in inquiry and "音像记录：视频" in inquiry
    assert re.search(r"询问人 张伟 于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 以电子签名签署", inquiry)
    assert "查看文书 PDF" in inquiry and "未关联事项的文书与音像" not in text
    # digests and seqs are there, folded
    assert "sha256:" in "".join(FOLD.findall(text))


def test_the_page_does_not_grow_with_views(app, client):
    case_with_documents(app, closed=False)
    officer(app, client)
    for _ in range(5):
        client.get(URL)
    after_five = client.get(URL).text
    reader = User("zhangw", "张伟", frozenset({"officer"}), "wl-zd1", "wl", "31010001")
    for _ in range(400):
        access.record_access(app, reader, CASE, "在线调阅案件记录")
    after_many = client.get(URL).text
    assert "调阅记录 5 次" in after_five and "调阅记录 406 次" in after_many
    assert abs(len(after_many) - len(after_five)) < 200  # only the counts differ
    assert after_many.count('<li id="seq-') == 5  # the latest five, the rest on their page
    assert "共 2 个事项" in after_many  # acts, not views
    views = client.get(f"{URL}/views").text
    assert "共 407 次调阅" in views and views.count('<tr id="seq-') == 50
    assert 'href="?page=2"' in views
    whole = client.get(f"/api/v1/cases/{quote(CASE)}").json()  # the API keeps every view
    acts = [e["act"] for s in whole["stages"] for e in s["entries"]]
    assert acts.count("general.review_access") == 408


def test_the_act_menu_fits_an_opened_case(app, client):
    factory.register(app)
    factory.open_case(app)
    officer(app, client)
    menu = MENU.search(client.get(URL).text)
    assert menu
    options = re.findall(r'<option value="([^"]+)"( selected)?>', menu.group(1))
    assert options[0] == ("investigation.inspection", " selected")
    assert '<optgroup label="调查取证">' in menu.group(1)
    codes = [c for c, _ in options]
    for absent in ("initiation.not_opened", "investigation.restrict_liberty",
                   "investigation.freeze", "decision.decision", "archiving.closing"):  # fmt: skip
        assert absent not in codes, absent
    # a URL for an act the menu does not offer is refused, saying why
    refused = client.get(f"{URL}/record", params={"act": "investigation.restrict_liberty"})
    assert refused.status_code == 403 and "没有实施“限制人身自由”的职权" in refused.text
    early = client.get(f"{URL}/record", params={"act": "decision.decision"})
    assert early.status_code == 403 and "不适用于本案目前的环节和状态" in early.text
    for offered in ("investigation.inquiry", "investigation.inspection"):  # the first too
        assert client.get(f"{URL}/record", params={"act": offered}).status_code == 200


def test_the_act_menu_after_an_inquiry_suggests_the_next_step(app, client):
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    officer(app, client)
    menu = MENU.search(client.get(URL).text)
    assert menu
    first = re.search(r'<option value="([^"]+)" selected>', menu.group(1))
    assert first and first.group(1) == "investigation.inspection"
    assert '<optgroup label="审查决定">' in menu.group(1)  # review may start
    assert "upload" in client.get(URL).text and f"{URL}/upload" in client.get(URL).text


def test_a_closed_case_offers_only_what_follows_closing(app, client):
    case_with_documents(app, closed=True)
    officer(app, client)
    menu = MENU.search(client.get(URL).text)
    assert menu and " selected>" not in menu.group(1)  # nothing is the obvious next step
    codes = re.findall(r'<option value="([^"]+)"', menu.group(1))
    assert codes and all(c.startswith("general.") for c in codes), codes
    refused = client.get(f"{URL}/record", params={"act": "investigation.inquiry"})
    assert refused.status_code == 403 and "不适用于本案目前的环节和状态" in refused.text


def test_the_views_page_is_guarded_like_the_case_page(app, client):
    case_with_documents(app, closed=False)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    access.create_user(app, "other", "other-secret-1", ["officer"], "外队", "wl-zd2")
    assert login(client, "other", "other-secret-1").status_code == 303
    before = client.get(f"/api/v1/cases/{quote(CASE)}").status_code
    views = client.get(f"{URL}/views")
    assert before == views.status_code == 403
    supervisor = User("sifaju", "监督员", frozenset({"supervisor"}))
    assert cases.open_case_views(app, supervisor, CASE).total == 0  # refusals journal nothing


def test_the_agencys_list_of_acts_decides_the_menu(app, client):
    """An agency that lists its acts gets exactly those (general acts are every agency's),
    a power by law that only some agencies have included once it is listed."""
    factory.register(app)
    factory.open_case(app)
    officer(app, client)
    agency = access.case_agency_settings(app, CASE)
    assert agency is not None and agency.allowed is None
    listed = ["investigation.inquiry", "investigation.restrict_liberty"]
    change = access.SettingsChange(short_name="某执法局", act_types=listed)
    access.change_agency_settings(app, agency.agency, change, factory.ADMIN)
    menu = MENU.search(client.get(URL).text)
    assert menu
    codes = re.findall(r'<option value="([^"]+)"', menu.group(1))
    assert "investigation.inquiry" in codes and "investigation.restrict_liberty" in codes
    assert "investigation.inspection" not in codes
    assert any(c.startswith("general.") for c in codes)
    withheld = client.get(f"{URL}/record", params={"act": "investigation.inspection"})
    assert withheld.status_code == 403 and "没有实施“现场检查（勘验）”的职权" in withheld.text
    allowed = client.get(f"{URL}/record", params={"act": "investigation.restrict_liberty"})
    assert allowed.status_code == 200
