"""实时调阅 (001 第二十二条, 004): the acts journaled in the cases a reader oversees, newest first,
what came after, filters, marks, and one act opened in place and journaled as a viewing."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.cases import service as cases
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.archive_case import CASE, case_with_documents
from tests.integration.auth import login

OTHER = "某旅罚〔2026〕9号"  # a case of another agency's unit


@pytest.fixture
def client(app):
    with TestClient(create_app(app)) as c:
        yield c


def setting(app) -> None:
    """Our agency's case with an inquiry and documents; another agency's case; the accounts."""
    case_with_documents(app, closed=False)
    factory.add_unit(app, "ly-zd1", "旅游执法支队", agency="ly")
    factory.add_officer(app, "32010001", "孙芳", unit="ly-zd1")
    factory.open_case_in(app, OTHER, "ly-zd1", "32010001")
    factory.add_officer(app, "31010009", "贺建国", roles=("head",))
    access.create_user(app, "hejg", "correct-horse-3", ["head"], "贺建国", "wl-zd1", "31010009")
    access.create_user(app, "sifa", "correct-horse-4", ["supervisor"], "司法局监督员", None, None)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")


def entries(app, act: str) -> list:
    return [e for st in cases.show_case(app, CASE).stages for e in st.entries if e.act == act]


def cases_in(text: str) -> set[str]:
    return {n for n in (CASE, OTHER) if f"/cases/{quote(n)}" in text}


def test_each_reader_sees_the_acts_of_what_he_oversees_newest_first(app, client):
    setting(app)
    assert login(client, "zhangw", "correct-horse-1").status_code == 303
    refused = client.get("/review/live")
    assert refused.status_code == 403  # an officer records; he does not oversee

    assert login(client, "hejg", "correct-horse-3").status_code == 303
    page = client.get("/review/live")
    assert page.status_code == 200
    assert cases_in(page.text) == {CASE}  # his agency's case, not the other agency's
    assert "询问" in page.text and "张伟（31010001）" in page.text
    assert "调阅记录" not in page.text.split("<ol", 1)[1].split("</ol>", 1)[0]  # views are not acts

    assert login(client, "sifa", "correct-horse-4").status_code == 303
    feed = client.get("/api/v1/feed").json()
    seqs = [i["seq"] for i in feed["items"]]
    assert seqs == sorted(seqs, reverse=True) and {i["case"] for i in feed["items"]} == {
        CASE,
        OTHER,
    }
    assert feed["newest"] == seqs[0]

    # what came after the newest the page holds: only the new act, and nothing twice
    added = factory.inquiry(app, who="王某")
    rows = client.get(f"/review/live/rows?after={feed['newest']}")
    assert rows.status_code == 200 and rows.headers["X-Feed-Newest"] == str(added.seq)
    assert rows.text.count('class="feed-item"') == 1 and f'data-seq="{added.seq}"' in rows.text
    again = client.get(f"/review/live/rows?after={added.seq}")
    assert "feed-item" not in again.text and again.headers["X-Feed-Newest"] == str(added.seq)


def test_filters_narrow_the_feed_and_bad_ones_are_refused_in_chinese(app, client):
    setting(app)
    assert login(client, "sifa", "correct-horse-4").status_code == 303
    only = client.get("/api/v1/feed", params={"act": "investigation.inquiry"}).json()["items"]
    assert only and {i["act"] for i in only} == {"investigation.inquiry"}
    unit = client.get("/api/v1/feed", params={"unit": "ly-zd1"}).json()["items"]
    assert unit and {i["case"] for i in unit} == {OTHER}
    by = client.get("/api/v1/feed", params={"officer": "32010001"}).json()["items"]
    assert by and {i["case"] for i in by} == {OTHER}

    bad = client.get("/review/live", params={"unit": "nowhere", "act": "no.such"})
    assert bad.status_code == 422
    assert "不是您可以查看的执法单位" in bad.text and "事项目录中没有这一事项类型" in bad.text
    api = client.get("/api/v1/feed", params={"act": "no.such"})
    assert api.status_code == 422 and api.json()["code"] == "LH520"


def test_filtering_by_finding_keeps_only_acts_a_finding_names(app, client):
    setting(app)
    assert login(client, "sifa", "correct-horse-4").status_code == 303
    flagged = client.get("/api/v1/feed", params={"finding": "violation"}).json()["items"]
    assert flagged, "the demo inquiry has no audio-video: a violation names it"
    assert all(any(f["severity"] == "violation" for f in i["findings"]) for i in flagged)
    every = client.get("/api/v1/feed").json()["items"]
    assert len(flagged) < len(every)


def test_a_marked_entry_shows_as_marked_to_whom_it_is_kept_from(app, client):
    setting(app)
    inquiry = entries(app, "investigation.inquiry")[0]
    record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=CASE, actors=["31010009"],
        fields={"mark": "国家秘密", "records": [str(inquiry.seq)], "reason": "涉及国家秘密事项"},
        recorded_by={"id": "31010009", "role": "head"},
    ))  # fmt: skip
    assert login(client, "sifa", "correct-horse-4").status_code == 303
    item = next(i for i in client.get("/api/v1/feed").json()["items"] if i["seq"] == inquiry.seq)
    assert item["withheld"] == "该记录已标记为国家秘密" and item["findings"] == []
    page = client.get("/review/live").text
    assert f'data-act="/cases/{quote(CASE)}/acts/{inquiry.seq}"' not in page

    assert login(client, "hejg", "correct-horse-3").status_code == 303
    item = next(i for i in client.get("/api/v1/feed").json()["items"] if i["seq"] == inquiry.seq)
    assert item["withheld"] is None  # the head handles marked records


def test_an_act_opened_in_place_shows_its_record_and_is_journaled(app, client):
    setting(app)
    assert login(client, "sifa", "correct-horse-4").status_code == 303
    inquiry = entries(app, "investigation.inquiry")[0]
    before = entries(app, "general.review_access")
    opened = client.get(f"/cases/{quote(CASE)}/acts/{inquiry.seq}")
    assert opened.status_code == 200
    assert f'id="seq-{inquiry.seq}"' in opened.text and "询问笔录" in opened.text
    assert "<html" not in opened.text  # a fragment for the feed, not a page
    views = entries(app, "general.review_access")
    assert len(views) == len(before) + 1
    assert views[-1].fields["purpose"] == "实时调阅执法事项"
    assert json.dumps(views[-1].fields["accessor"], ensure_ascii=False).count("监督") >= 1

    # a document the feed lists opens within the act it records
    doc = entries(app, "general.document")[0]
    within = client.get(f"/cases/{quote(CASE)}/acts/{doc.seq}")
    assert within.status_code == 200
    assert f'id="seq-{doc.seq}"' in within.text and 'class="entry"' in within.text

    assert client.get(f"/cases/{quote(CASE)}/acts/99999").status_code == 404
    assert login(client, "zhangw", "correct-horse-1").status_code == 303
    assert client.get(f"/cases/{quote(OTHER)}/acts/1").status_code in (403, 404)
