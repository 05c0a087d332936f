"""Statistics on the demo's twelve cases, on SQLite and PostgreSQL: the figures, the catch-up
after a new entry, a rebuild's equality with the incremental tables, the workbook."""

from __future__ import annotations

import io

import openpyxl

from liuhen.demo import seed as demo
from liuhen.kernel import rebuild as kernel_rebuild
from liuhen.kernel.record import ActInput, record
from liuhen.stats import service as stats
from liuhen.stats.figures import Filters

ALL = Filters()


def _headline(report, key: str) -> str:
    return next(h.value for h in report.headlines if h.key == key)


def test_demo_figures_catch_up_rebuild_and_workbook(app, tmp_path, run) -> None:
    demo.seed(app)
    year = stats.report(app, None, "2026", ALL)
    assert _headline(year, "opened") == "12"  # every demo case was opened in 2026
    assert _headline(year, "closed") == "5"  # 3号, 27号 (不予立案), 35号, 26号, 16号
    # fines: 3号 57828, 12号 6000, 20号 16350, 9号 34600, 5号 4800, 26号 100
    assert _headline(year, "amount") == "119,678.00"
    procedures = {c.key: c.opened for c in year.by_procedure}
    assert procedures == {"ordinary": 11, "summary": 1}
    sources = {c.label: c.opened for c in year.by_source}
    assert sources["投诉举报"] == 3 and sources["依申请"] == 1
    units = {u.unit: u for u in year.units}
    assert units["whlyj-zd1"].opened == 6 and units["whlyj-zd2"].opened == 6
    assert all(u.score is not None and 0 <= u.score <= 100 for u in year.units)
    # the officers' table: 执法人员 only, not the heads' approvals or the reviewers' reviews
    names = {o.name for o in year.officers}
    assert names == {"周立衡", "韩晓雯", "邓家明", "秦雨桐", "罗文斌", "褚思远"}
    assert year.score_rule.weights and "得分" in year.score_rule.formula
    march = stats.report(app, None, "2026-03", ALL)
    assert _headline(march, "opened") == "2"  # 3号 (03-05) and 5号 (03-09)
    # the drill-down lists exactly the cases behind a figure
    behind = stats.cases_behind(app, None, "2026-03", ALL, "opened", "")
    assert [c.number for c in behind.cases] == ["某文旅罚〔2026〕3号", "某文旅罚〔2026〕5号"]
    assert stats.report(app, None, "2025", ALL).empty

    # a new entry is counted on the next read, without a rebuild
    before = stats.catch_up(app).position
    views_before = int(_headline(stats.report(app, None, "2026-12", ALL), "reviews"))
    record(
        app,
        ActInput(
            act="general.review_access", case="某文旅检〔2026〕47号",
            occurred_at="2026-12-01T10:00:00+08:00",
            fields={
                "accessor": {"name": "贺建国"}, "purpose": "评议考核抽查",
                "materials": ["全部记录"], "copied": False,
            },
            recorded_by={"id": "11010101", "role": "head"},
        ),
    )  # fmt: skip
    after = stats.report(app, None, "2026-12", ALL)
    assert int(_headline(after, "reviews")) == views_before + 1
    assert [r.label for r in after.reviews] == ["贺建国"]
    assert stats.catch_up(app).position > before

    # incremental tables equal a fresh replay, and a rebuild gives the same figures
    assert stats.verify(app) == []
    kernel_rebuild.rebuild(app)  # `liuhen journal rebuild` empties the statistics too
    again = stats.report(app, None, "2026", ALL)
    assert [h.value for h in again.headlines] == [
        h.value for h in stats.report(app, None, "2026", ALL).headlines
    ]
    assert _headline(again, "opened") == "12"
    assert stats.verify(app) == []

    # the workbook and the CLI
    _, data = stats.xlsx(app, None, "2026", ALL)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert {"总览", "各机构", "执法人员", "图表数据", "评议考核公式"} <= set(book.sheetnames)
    overview = {r[0]: r[1] for r in book["总览"].iter_rows(min_row=3, values_only=True)}
    assert overview["新立（登记）案件"] == "12"
    out = tmp_path / "report.xlsx"
    assert "已导出" in run("stats", "--period", "2026-11", "--xlsx", str(out))
    assert openpyxl.load_workbook(out)["总览"]["A1"].value.endswith("（2026年11月）")
    assert "一致" in run("stats", "--verify")
    assert "完好" in run("verify")
    _a_changed_row_is_found(app, run)
    assert "本期间没有记录" in run("stats", "--period", "2025-01")


def _a_changed_row_is_found(app, run) -> None:
    """A fact row changed behind the journal's back: both verifications say so."""
    from sqlalchemy import update

    from liuhen.kernel.db import store

    with app.engine.begin() as conn:
        conn.execute(
            update(store.T["stats_act"]).where(store.T["stats_act"].c.seq == 60).values(unit="x")
        )
    found = stats.verify(app)
    assert [d.key for d in found if d.table == "stats_act"] == ["60"]
    # the monthly sums were counted from the act as it was (stats.rollup): they differ too
    assert {d.table for d in found} == {"stats_act", "stats_unit_month", "stats_act_month"}
    assert "统计表 stats_act 的 60" in run("verify", code=1)
    run("stats", "--rebuild")
    assert stats.verify(app) == []


def test_pages_api_and_download_are_for_heads_and_supervisors(app) -> None:
    from fastapi.testclient import TestClient

    from liuhen.entrypoints.web import create_app
    from tests.integration.auth import login

    demo.seed(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhoulh", "zhifa-demo-2026")  # an officer: refused
        assert client.get("/stats").status_code == 403
        assert client.get("/api/v1/stats").status_code == 403
        login(client, "hejg", "fuze-demo-2026")  # the head: his agency
        page = client.get("/stats", params={"period": "2026"})
        assert page.status_code == 200
        assert "执法统计" in page.text and "某区文化和旅游局" in page.text
        assert "执法大队一中队" in page.text and "评议考核得分的计算" in page.text
        assert "/static/vendor/echarts-5.6.0.min.js" in page.text
        # the demo's limits raised no red card: 预警率 0.0% shows as good, not as a warning
        assert page.text.count('"stats-card rate lower-better clear"') == 1
        api = client.get("/api/v1/stats", params={"period": "2026-Q1"}).json()
        assert next(h["value"] for h in api["headlines"] if h["key"] == "opened") == "2"
        link = next(h["link"] for h in api["headlines"] if h["key"] == "opened")
        listed = client.get(link)
        assert listed.status_code == 200
        assert "某文旅罚〔2026〕3号" in listed.text and "某文旅罚〔2026〕5号" in listed.text
        assert "某文旅罚〔2026〕9号" not in listed.text  # opened in April
        empty = client.get("/stats", params={"period": "2025"})
        assert "本期间没有记录" in empty.text and "stats-data" not in empty.text
        bad = client.get("/stats", params={"period": "明年"})
        assert bad.status_code == 422 and "统计期间" in bad.text
        book = client.get("/stats.xlsx", params={"period": "2026"})
        assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert openpyxl.load_workbook(io.BytesIO(book.content))["各机构"]["A3"].value
        login(client, "sifaju", "jiandu-demo-2026")  # the supervisor: every agency
        every = client.get("/api/v1/stats", params={"period": "2026"}).json()
        assert every["scope"] == "全部机关"
        assert every["agencies"] == [{"key": "whlyj", "label": "某区文化和旅游局"}]
        one = client.get("/stats", params={"period": "2026", "agency": "whlyj"})
        assert '<option value="whlyj" selected>' in one.text


def test_evaluation_weights_are_the_agencys_journaled_setting(app, run) -> None:
    import pytest

    from liuhen.errors import ValidationError
    from liuhen.stats.score import DEFAULT_WEIGHTS

    demo.seed(app)
    before = stats.report(app, None, "2026", ALL)
    assert not before.score_rule.from_settings
    assert {w.indicator: w.weight for w in before.score_rule.weights} == DEFAULT_WEIGHTS
    # only the compliance rate counts: every unit's score is its share of cases without violations
    zero = ("av_coverage", "on_time_storage", "on_time_archive", "closing")
    args = ["--weight", "compliance=100"] + [a for k in zero for a in ("--weight", f"{k}=0")]
    out = run("stats", "--agency", "whlyj", *args)
    assert "已变更 whlyj 的评议考核权重" in out
    after = stats.report(app, None, "2026", Filters(agency="whlyj"))
    assert after.score_rule.from_settings and "案件无违规率×100" in after.score_rule.formula
    for unit in after.units:
        behind = stats.cases_behind(app, None, "2026", Filters(agency="whlyj"), "unit", unit.unit)
        assert behind.cases  # the unit's cases in the period
    assert {u.score for u in after.units} != {u.score for u in before.units}
    with pytest.raises(ValidationError) as exc:
        stats.set_weights(app, "whlyj", {"speed": "5"}, {"id": "admin", "role": "admin"})
    assert "不是评议考核的指标" in exc.value.problems[0].message


def test_a_head_sets_his_agencys_weights_on_the_page(app) -> None:
    from fastapi.testclient import TestClient

    from liuhen.entrypoints.web import create_app
    from tests.integration.auth import login

    demo.seed(app)
    with TestClient(create_app(app)) as client:
        login(client, "shenrl", "fazhi-demo-2026")  # a legal reviewer reads but may not set
        page = client.get("/stats", params={"period": "2026"})
        assert page.status_code == 200 and "调整本机关的权重" not in page.text
        login(client, "hejg", "fuze-demo-2026")
        page = client.get("/stats", params={"period": "2026"})
        assert "调整本机关的权重" in page.text and "默认值" in page.text
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        saved = client.post(
            "/stats/weights",
            data={"csrf": csrf, "period": "2026", "weight_compliance": "60", "weight_closing": "0"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        page = client.get(saved.headers["location"])
        assert "本机关设置" in page.text and "案件无违规率×60" in page.text
        assert "办结率×" not in page.text  # weight 0: not in the formula
