"""Anomaly detection on the demo's cases, on SQLite and PostgreSQL: the honest demo raises
nothing; an inquiry recorded in one case while its officer was inspecting in another is found
on the next read (catch-up by journal position), listed, filtered, reviewed (journaled, never
deleted, kept across rescans), and refused where the conclusion or the agency is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.cases import imports
from liuhen.demo import seed as demo
from liuhen.entrypoints.web import create_app
from liuhen.errors import NotFoundError, ValidationError
from liuhen.kernel.db import store
from liuhen.kernel.record import ActInput, record
from liuhen.supervision import service as anomalies
from tests.integration.auth import login

DEMO = Path(demo.__file__).parent
SEEN = "某文旅罚〔2026〕3号"  # 周立衡 and 韩晓雯 inspect the 演出厅 on 3月7日 19:40–20:35
ASKED = "某文旅罚〔2026〕18号"  # 韩晓雯's other case, still under investigation
SUPERVISOR = {"id": "sifaju", "role": "supervisor"}
ADMIN = {"id": "admin", "role": "admin"}
ANOMALY = store.T["anomaly"]


def _inquiry_fields() -> dict[str, object]:
    doc = json.loads((DEMO / "case_01.json").read_text("utf-8"))
    fields = next(e["fields"] for e in doc["entries"] if e["act"] == "investigation.inquiry")
    return {
        **fields,
        "started_at": "2026-03-07T20:00:00+08:00",
        "ended_at": "2026-03-07T20:30:00+08:00",
    }


def _plant(app) -> int:
    return record(
        app,
        ActInput(
            "investigation.inquiry", "2026-03-07T20:00:00+08:00", case=ASKED,
            actors=["11010031", "11010047"], place="某区文化和旅游局执法大队询问室",
            fields=_inquiry_fields(), recorded_by={"id": "11010031", "role": "officer"},
        ),
    ).seq  # fmt: skip


def test_scan_list_review_on_the_demo(app, run) -> None:
    demo.seed(app)
    first = anomalies.scan(app)
    assert first.cases == 12 and first.anomalies == 0  # the demo is honest
    assert anomalies.catch_up(app) is None  # nothing journaled since

    planted = _plant(app)
    caught = anomalies.catch_up(app)
    # the inquiry's transcript was copied from 3号's too: both are found
    assert caught is not None and caught.by_kind == {"officer_overlap": 1, "transcript_copy": 1}
    assert anomalies.list_anomalies(app).total == 2
    listed = anomalies.list_anomalies(app, kind="officer_overlap")
    assert listed.total == 1
    found = listed.items[0]
    assert found.kind == "officer_overlap" and found.severity == "high"
    assert found.officer == "11010031" and found.review is None
    assert {(r.case, r.seq) for r in found.refs} >= {(ASKED, planted)}
    assert SEEN in {r.case for r in found.refs}
    assert found.explanation.startswith("执法人员韩晓雯（11010031）2026年3月7日")
    assert "同时" in found.explanation
    copy = anomalies.list_anomalies(app, kind="transcript_copy").items[0]
    passages = anomalies.get_anomaly(app, copy.key).detail["passages"]
    assert passages and passages[0]["a_end"] > passages[0]["a_start"]
    assert anomalies.list_anomalies(app, severity="high", unit=found.unit).total == 2
    assert anomalies.list_anomalies(app, severity="low").total == 0
    with pytest.raises(ValidationError):
        anomalies.list_anomalies(app, kind="no_such_kind")

    # the CLI lists it too, as JSON and filtered
    out = json.loads(run("anomalies", "list", "--json", "--kind", "officer_overlap"))
    assert [a["key"] for a in out["items"]] == [found.key]
    assert json.loads(run("anomalies", "list", "--json", "--agency", "nobody"))["total"] == 0
    assert json.loads(run("anomalies", "list", "--json", "--agency", "whlyj"))["total"] == 2

    # a conclusion is journaled; a wrong one or another agency's head is refused
    with pytest.raises(ValidationError):
        anomalies.review(app, found.key, "不清楚", "", SUPERVISOR)
    with pytest.raises(NotFoundError):
        anomalies.review(app, found.key, "属实", "x", {"id": "h", "role": "head"}, "other-agency")
    entry = anomalies.review(app, found.key, "属实", "询问笔录系事后补制，已移送处理。", SUPERVISOR)
    with app.engine.connect() as conn:
        row = conn.execute(
            select(store.ENTRY.c.act, store.ENTRY.c.chain, store.ENTRY.c.body).where(
                store.ENTRY.c.seq == entry.seq
            )
        ).one()
    assert row.act == "registry.anomaly_review" and row.chain == "@registry"
    assert json.loads(row.body)["fields"]["conclusion"] == "属实"
    assert anomalies.catch_up(app) is None  # a conclusion changes no case: no rescan

    # a rescan keeps the anomaly and its conclusion; a second conclusion is added, not replacing
    anomalies.scan(app)
    run("anomalies", "review", found.key, "--conclusion", "需进一步核查",
        "--opinion", "请调取询问室监控。", "--by", "sifaju")  # fmt: skip
    detail = anomalies.get_anomaly(app, found.key)
    assert [r.conclusion for r in detail.reviews] == ["属实", "需进一步核查"]
    assert detail.review is not None and detail.review.conclusion == "需进一步核查"
    assert detail.active
    assert [a.key for a in anomalies.list_anomalies(app, reviewed=False).items] == [copy.key]


def test_thresholds_are_journaled_per_agency(app, run) -> None:
    demo.seed(app)
    agency = "whlyj"
    before = {s.name: s.value for s in anomalies.threshold_settings(app, agency)}
    assert before["overlap_minutes"] == 5
    anomalies.set_thresholds(app, agency, {"overlap_minutes": "45"}, ADMIN)
    after = {s.name: s.value for s in anomalies.threshold_settings(app, agency)}
    assert after["overlap_minutes"] == 45 and after["copy_similarity"] == before["copy_similarity"]
    _plant(app)  # 30 minutes of overlap: under this agency's 45
    assert "officer_overlap" not in anomalies.scan(app).by_kind
    with pytest.raises(ValidationError):
        anomalies.set_thresholds(app, agency, {"copy_similarity": "3"}, ADMIN)
    assert "overlap_minutes" in run("anomalies", "thresholds", agency)


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_pages_list_show_side_by_side_and_review(app) -> None:
    demo.seed(app)
    _plant(app)  # read by the list's catch-up: no scan was run
    with TestClient(create_app(app)) as client:
        login(client, "zhoulh", "zhifa-demo-2026")  # an officer: refused
        assert client.get("/anomalies").status_code == 403
        assert client.get("/api/v1/anomalies").status_code == 403

        login(client, "sifaju", "jiandu-demo-2026")  # the supervisor: every agency
        page = client.get("/anomalies")
        assert page.status_code == 200 and "同一执法人员同时在两案执法" in page.text
        assert "执法人员韩晓雯（11010031）" in page.text
        # units are chosen by name, and each row names its unit (no codes to know or type)
        assert '<option value="whlyj-zd1" >执法大队一中队</option>' in page.text
        assert "<td>执法大队一中队</td>" in page.text and "<td>whlyj-zd1</td>" not in page.text
        other = client.get("/anomalies", params={"unit": "whlyj-zd2"}).text
        assert '<option value="whlyj-zd2" selected>' in other and "韩晓雯（11010031）" not in other
        listed = client.get("/api/v1/anomalies", params={"kind": "transcript_copy"}).json()
        assert listed["total"] == 1
        key = listed["items"][0]["key"]
        only_copy = client.get("/anomalies", params={"kind": "transcript_copy"}).text
        assert "笔录内容高度雷同" in only_copy and "执法人员韩晓雯（11010031）" not in only_copy

        one = client.get(f"/anomalies/{key}")
        assert one.status_code == 200
        assert one.text.count('class="copy-side"') == 2 and "<mark>" in one.text
        assert f"/cases/{quote(SEEN, safe='')}#seq-" in one.text
        refused = client.post(f"/anomalies/{key}/review",
                              data={"csrf": _csrf(one.text), "conclusion": "属实"})  # fmt: skip
        assert refused.status_code == 400 and "请填写核查意见" in refused.text
        done = client.post(
            f"/anomalies/{key}/review",
            data={"csrf": _csrf(one.text), "conclusion": "属实", "opinion": "笔录系照抄3号案。"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        shown = client.get(f"/anomalies/{key}").text
        assert "笔录系照抄3号案。" in shown and "sifaju" in shown
        assert client.get("/anomalies", params={"reviewed": "yes"}).text.count("sev-") >= 1

        login(client, "hejg", "fuze-demo-2026")  # the head: his own agency's
        assert client.get(f"/anomalies/{key}").status_code == 200
        assert client.get("/anomalies/0000").status_code == 404


def _active(app) -> set[tuple[str, str]]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ANOMALY.c.key, ANOMALY.c.kind).where(ANOMALY.c.active.is_(True))
        ).all()
    return {(k, kind) for k, kind in rows}


def _import(app, name: str, number: str) -> None:
    """A demo case's file journaled again as another case (its officers, times, transcripts)."""
    doc = json.loads((DEMO / name).read_text("utf-8"))
    doc["case"] = number
    _case, drafts = imports.parse(json.dumps(doc, ensure_ascii=False), app.clock.now())
    app.journal.append_all(drafts)


def _same_as_full_scan(app) -> set[tuple[str, str]]:
    incremental = _active(app)
    anomalies.scan(app)
    assert _active(app) == incremental
    return incremental


def test_incremental_detection_matches_a_full_scan(app) -> None:
    """Cases appended one by one and judged incrementally leave the same anomalies as a full
    scan: a case copied later (its officers in two places at once, its transcripts copied), an
    inquiry planted across cases, then a correction that moves it away (its overlap made
    inactive, its review kept)."""
    demo.seed(app)
    assert anomalies.detect_new(app) is not None  # the first pass: a full scan
    assert _same_as_full_scan(app) == set()
    for name, number in (("case_02.json", "某文旅罚〔2026〕901号"),
                         ("case_05.json", "某文旅罚〔2026〕902号")):  # fmt: skip
        _import(app, name, number)
        assert anomalies.detect_new(app, batch=7) is not None  # several small batches
    found = _same_as_full_scan(app)
    kinds = {kind for _, kind in found}
    assert {"officer_overlap", "transcript_copy"} <= kinds

    _import(app, "case_01.json", "某文旅罚〔2026〕903号")  # 3号 again: a copy appended later
    planted = _plant(app)  # one officer in 3号 and 18号 at once, planted in a later case
    step = anomalies.detect_new(app)
    assert step is not None and step.by_kind.get("officer_overlap")
    found = _same_as_full_scan(app)
    overlap = next(
        a for a in anomalies.list_anomalies(app, kind="officer_overlap", per_page=500).items
        if (ASKED, planted) in {(r.case, r.seq) for r in a.refs}
    )  # fmt: skip
    copied = {(r.case, r.seq) for a in anomalies.list_anomalies(
        app, kind="transcript_copy", per_page=500).items for r in a.refs}  # fmt: skip
    assert any(case == "某文旅罚〔2026〕903号" for case, _ in copied)
    anomalies.review(app, overlap.key, "需进一步核查", "请核对询问室登记。", SUPERVISOR)

    record(app, ActInput(
        "general.correction", "2026-03-09T09:00:00+08:00", case=ASKED,
        actors=["11010031"], corrects=planted, recorded_by={"id": "11010031", "role": "officer"},
        fields={"reason": "询问时间笔误", "changes": {
            "started_at": "2026-03-08T10:00:00+08:00", "ended_at": "2026-03-08T10:30:00+08:00"}},
    ))  # fmt: skip
    anomalies.detect_new(app)
    after = _same_as_full_scan(app)
    assert (overlap.key, "officer_overlap") in found and (
        overlap.key,
        "officer_overlap",
    ) not in after
    kept = anomalies.get_anomaly(app, overlap.key)
    assert not kept.active and [r.conclusion for r in kept.reviews] == ["需进一步核查"]

    # the job of a server or worker process finds the journal ahead and catches it up
    _import(app, "case_03.json", "某文旅罚〔2026〕904号")
    assert anomalies.JOB.pending(app) == ["journal"]
    anomalies.JOB.run(app, "journal")
    assert anomalies.JOB.pending(app) == []
    _same_as_full_scan(app)
