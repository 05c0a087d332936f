"""审看核对记录 through the case page's form, the API and the command: the author is the
signed-in user, an officer who made the record may not check it, a refused form keeps what was
typed, and a 不符合 becomes the pack's violation citing its paragraph."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _setup(app: Any) -> int:
    """The case, an inquiry and its imported paper transcript (no system PDF), under pack 001;
    the officer who made it (zhangw), a legal reviewer (zhoup) and an officer of another case
    (wangq) with accounts."""
    app.clock = FixedClock(datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI))
    factory.register(app)
    factory.add_officer(app, "31010005", "周平", roles=("legal_reviewer",))
    factory.open_case(app)
    inquiry = factory.inquiry(app)
    paper = record.record(app, ActInput(
        "general.document", "2026-11-03T10:45:00+08:00", case=CASE,
        actors=["31010001", "31010002"], recorded_by=factory.OFFICER,
        fields={"doc_type": "inquiry_record", "act_seq": inquiry.seq, "signatures": [
            {"role": "officer", "name": "张伟", "cert_no": "31010001"},
            {"role": "party", "name": "陈某"}]},
    ))  # fmt: skip
    packs.use_pack(app, "001", "该机关适用文化广电和旅游局制度", agency="wl")
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "zhoup", "correct-horse-5", ["legal_reviewer"], "周平", "wl-zd1",
                       "31010005")  # fmt: skip
    access.create_user(app, "wangq", "correct-horse-6", ["officer"], "王强", "wl-zd1", "31010003")
    return paper.seq


def _findings(app: Any) -> list[tuple[str, tuple[int, ...], tuple[str, ...]]]:
    found = compliance.evaluate_case(app, CASE).findings
    return [(f.code, f.seqs, f.cite) for f in found if f.rule == "content.written_record"]


def test_the_reviewer_checks_a_transcript_from_the_case_page(app: Any) -> None:
    paper = _setup(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhoup", "correct-horse-5")
        case_page = client.get(f"/cases/{CASE}")
        assert f"/checks/new?seq={paper}" in case_page.text
        form = client.get(f"/cases/{CASE}/checks/new", params={"seq": paper})
        assert (
            form.status_code == 200 and "规范用语" in form.text and "001 第八条第二项" in form.text
        )
        typed = {"csrf": _csrf(form.text), "seq": str(paper), "checklist": "content.written_record",
                 "content.written_record-0": "符合", "content.written_record-1": "不符合",
                 "content.written_record-1-note": "", "note": "核对原件"}  # fmt: skip
        refused = client.post(f"/cases/{CASE}/checks", data=typed, follow_redirects=False)
        assert refused.status_code == 422
        assert "“记录清晰”不符合的，须说明情况" in refused.text
        assert 'value="不符合" checked' in refused.text and "核对原件" in refused.text  # kept
        assert _findings(app) == []
        typed["content.written_record-1-note"] = "第二页答话字迹潦草，无法辨认"
        done = client.post(f"/cases/{CASE}/checks", data=typed, follow_redirects=False)
        assert done.status_code == 303, done.text[:2000]
        check = int(done.headers["location"].rsplit("#seq-", 1)[1])
    assert _findings(app) == [("content.written_record:nonconforming", (paper, check),
                               ("《行政执法全过程记录制度》第八条第二项",))]  # fmt: skip
    (f,) = [f for f in compliance.evaluate_case(app, CASE).findings
            if f.rule == "content.written_record"]  # fmt: skip
    assert "《询问笔录》（纸质）" in f.message and "字迹潦草" in f.message
    entry = next(e for e in compliance.case_record(app, CASE)[0].entries if e.seq == check)
    assert entry.fields["results"] == [
        "规范用语：符合",
        "记录清晰：不符合：第二页答话字迹潦草，无法辨认",
    ]


def test_the_api_records_as_the_signed_in_user_and_refuses_the_recorder(app: Any) -> None:
    paper = _setup(app)
    body = {
        "seq": paper,
        "checklist": "content.written_record",
        "results": [{"item": "规范用语", "result": "符合"}, {"item": "记录清晰", "result": "符合"}],
    }
    with TestClient(create_app(app)) as client:
        for who, pw, why in (("zhangw", "correct-horse-1", "不能审看核对本人记录"),
                             ("wangq", "correct-horse-6", "只有承办本案的执法人员")):  # fmt: skip
            login(client, who, pw)
            token = _csrf(client.get(f"/cases/{CASE}/checks/new", params={"seq": paper}).text
                          if who == "zhangw" else client.get("/").text)  # fmt: skip
            refused = client.post(f"/api/v1/cases/{CASE}/checks", json=body,
                                  headers={"X-CSRF-Token": token})  # fmt: skip
            assert refused.status_code == 403 and why in refused.json()["message"], refused.text
        assert f"/checks/new?seq={paper}" not in client.get(f"/cases/{CASE}").text  # wangq
        login(client, "zhoup", "correct-horse-5")
        token = _csrf(client.get(f"/cases/{CASE}/checks/new", params={"seq": paper}).text)
        made = client.post(f"/api/v1/cases/{CASE}/checks", json=body,
                           headers={"X-CSRF-Token": token})  # fmt: skip
        assert made.status_code == 201, made.text
        bare = {
            "act": "general.content_check",
            "occurred_at": "2026-11-10T09:00:00+08:00",
            "fields": {"subject_seq": paper, "checklist": "x", "results": []},
        }
        generic = client.post(f"/api/v1/cases/{CASE}/acts", json=bare,
                              headers={"X-CSRF-Token": token})  # fmt: skip
        assert generic.status_code == 403  # only through the checklist's form, API or command
    seq = made.json()["seq"]
    entry = next(e for e in compliance.case_record(app, CASE)[0].entries if e.seq == seq)
    assert entry.fields["checklist"] == "content.written_record"
    assert _findings(app) == []


def test_the_command_lists_the_checklists_and_records_a_check(app: Any, run: Any) -> None:
    paper = _setup(app)
    listed = run("case", "check", CASE, str(paper), "--by", "zhoup")
    assert "content.written_record" in listed and "记录清晰" in listed
    done = run("case", "check", CASE, str(paper), "--by", "zhoup", "--checklist",
               "content.written_record", "--item", "规范用语=不符合：问话中有“再不老实就罚你”",
               "--item", "记录清晰=符合")  # fmt: skip
    assert "已记录" in done
    assert [c for c, _s, _c in _findings(app)] == ["content.written_record:nonconforming"]
