"""``liuhen case list``: the web list's search, filters, sort and columns on the command line."""

from __future__ import annotations

import json

import pytest

from liuhen.cli.common import out
from liuhen.compliance import packs
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory

A, B, C = "某文旅罚〔2026〕1号", "某文旅罚〔2026〕2号", "某文旅罚〔2026〕3号"
ZHAO = "31020001"


@pytest.fixture
def listed(run, app):
    factory.register(app)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.add_officer(app, ZHAO, "赵六", unit="wl-zd2")
    factory.open_case(app, A)
    factory.inquiry(app, A)
    other = factory.opening_input(B, "2026-11-03T09:00:00+08:00")
    other.fields.update(unit="wl-zd2", cause="擅自变更演出节目",
                        parties=[{"name": "某区星光KTV", "address": "某区湖滨路1号"}])  # fmt: skip
    other.actors[:] = [ZHAO, "31010001"]
    record.record(app, other)
    factory.open_case(app, C, "2026-11-04T09:00:00+08:00")
    factory.inquiry(app, C, actors=["31010003"])  # one officer: a violation
    return app


def numbers(run, *args: str) -> list[str]:
    return [c["number"] for c in json.loads(run("case", "list", "--json", *args))["items"]]


def test_columns_are_the_web_lists(run, listed, monkeypatch):
    monkeypatch.setattr(out, "_width", 200)  # the runner's 80 columns would fold the cells
    text = run("case", "list")
    assert "案件（共 3 件，第 1/1 页）" in text
    for column in ("案件编号", "案由", "当事人", "阶段", "承办", "期限/违规"):
        assert column in text
    assert "记录数" not in text  # it counted views
    assert "某区星光KTV" in text and "执法大队二中队" in text and "赵六" in text
    assert "天后到期" in text and "违规 1" in text
    item = json.loads(run("case", "list", "--json", "--search", C))["items"][0]
    assert item["violations"] == 1 and item["acts"] == 2 and item["next_due_at"]


def test_search_filters_and_sort(run, listed):
    assert numbers(run, "--search", "星光") == [B]
    assert numbers(run, "-q", "赵六") == [B]  # an officer by name
    assert numbers(run, "--unit", "wl-zd2") == [B]
    assert numbers(run, "--violations") == [C]
    assert numbers(run, "--overdue") == []
    assert numbers(run, "--officer", ZHAO) == [B]
    assert numbers(run, "--mine", "31010002") == [C, A]
    assert numbers(run, "--stage", "investigation", "--sort", "number") == [A, C]
    assert numbers(run, "--sort", "due") == [A, B, C]
    assert numbers(run, "--limit", "2", "--page", "2") == [A]
    assert "没有符合条件的案件" in run("case", "list", "--search", "没有这个")


def test_bad_options_are_refused_in_chinese(run, listed):
    refused = run("case", "list", "--sort", "bogus", code=2)
    assert "未知的排序方式" in refused or "查询条件有误" in refused
    assert "页码从 1 开始" in run("case", "list", "--limit", "500", code=2)


def test_a_closed_case_reads_awaiting_archiving(run, listed, monkeypatch):
    packs.use_pack(listed, "001", "测试")
    record.record(listed, ActInput(
        "archiving.closing", listed.clock.now().isoformat(), case=A,
        actors=["31010001", "31010002"], recorded_by=factory.OFFICER,
        fields={"closed_on": listed.clock.now().date().isoformat(), "outcome": "不予处罚",
                "report": "违法行为轻微并及时改正，不予处罚。"},
    ))  # fmt: skip
    item = json.loads(run("case", "list", "--json", "--search", A))["items"][0]
    assert item["awaiting_archive"] is True and "归档" in item["next_due_title"]
    monkeypatch.setattr(out, "_width", 200)
    row = next(line for line in run("case", "list").splitlines() if A in line)
    assert "待归档" in row  # first line of its 期限/违规 cell; then the archive deadline
    assert "天后到期" in run("case", "list", "--search", A).split("待归档")[1]
