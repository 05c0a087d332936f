"""Issue 11, finding 10 (hostile input): answered with the project's Chinese errors, never a
traceback or a 500.

An import file with a 5,000-digit integer or 100,000 levels of nesting, duplicate keys in an
import file, the same numbers and nesting in an API body, a date in the year 1, a rule pack set
for an agency that does not exist: each is refused with its code, its place (line and field) and
a Chinese reason, and nothing is journaled.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liuhen.accounts import service as access
from liuhen.accounts.auth_web import COOKIE
from liuhen.cases import imports
from liuhen.compliance import packs
from liuhen.entrypoints.web import create_app
from liuhen.errors import ImportFormatError, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.procedure.fields import EARLIEST
from tests.integration import factory
from tests.integration.auth import login, token_headers

GOOD = (Path(__file__).parents[1] / "integration" / "cases" / "good.json").read_text("utf-8")
HUGE = "9" * 5000
DEEP = "[" * 100_000 + "]" * 100_000
NOW = datetime(2026, 12, 1, tzinfo=timezone(timedelta(hours=8)))


def entries(app) -> int:
    t = store.T["journal_entry"]
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t)).scalar_one())


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    return text[:at].count("\n") + 1


def refused(text: str) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as info:
        imports.parse(text, NOW)
    return info.value


# --- import files ---------------------------------------------------------------------------


def test_a_5000_digit_integer_is_refused_with_its_line_and_field() -> None:
    bad = GOOD.replace('"identity_shown": true', f'"identity_shown": {HUGE}')
    err = refused(bad)
    assert err.code == "LH120"
    [problem] = err.problems
    assert problem.field == "entries[1].fields.identity_shown"
    assert problem.line == line_of(bad, HUGE)
    assert "位" in problem.message  # "数字位数过多" in Chinese, not Python's int-string limit


def test_100000_levels_of_nesting_are_refused_with_their_line() -> None:
    bad = GOOD.replace('"place": "某区人民路5号"', f'"place": {DEEP}')
    err = refused(bad)
    assert err.code == "LH120"
    [problem] = err.problems
    assert problem.line == line_of(bad, "[[[")
    assert problem.field is not None and problem.field.startswith("entries[1].place")
    assert "嵌套" in problem.message


@pytest.mark.parametrize("text", ["[" * 100_000, "{" + '"a":[' * 50_000, DEEP, "1" * 5000])
def test_deep_or_huge_documents_alone_are_refused_not_raised(text: str) -> None:
    err = refused(text)
    assert err.code == "LH120" and err.problems and err.problems[0].line == 1


def test_a_duplicate_key_is_refused_naming_the_key_and_its_line() -> None:
    bad = GOOD.replace('"recorder": "李娜"', '"recorder": "李娜",\n        "recorder": "王强"', 1)
    err = refused(bad)
    [problem] = err.problems
    assert "recorder" in problem.message and "重复" in problem.message
    assert problem.line == line_of(bad, '"recorder": "王强"')
    assert problem.field == "entries[1].fields.recorder"


def test_a_duplicate_top_level_key_is_refused_too() -> None:
    bad = GOOD.replace('"case": "某文旅罚〔2025〕88号"', '"case": "A",\n  "case": "B"', 1)
    [problem] = refused(bad).problems
    assert problem.field == "case" and problem.line == line_of(bad, '"case": "B"')


@pytest.mark.parametrize(
    ("text", "said"),
    [('{\n  "a": 1\n  "b": 2\n}', "缺少逗号"), ('{"a": 1,}', "键应为"), ("[1,]", "缺少值"),
     ('{"a": "x', "结束的双引号"), ("{} x", "多余内容")],
)  # fmt: skip
def test_a_syntax_error_is_said_in_chinese(text: str, said: str) -> None:
    [problem] = refused(text).problems
    assert said in problem.message and "Expecting" not in problem.message


def test_the_cli_answers_lh120_not_a_traceback(app, run, tmp_path: Path) -> None:
    factory.register(app)
    before = entries(app)
    for i, bad in enumerate(
        [
            GOOD.replace('"identity_shown": true', f'"identity_shown": {HUGE}'),
            GOOD.replace('"place": "某区人民路5号"', f'"place": {DEEP}'),
            GOOD.replace('"recorder": "李娜"', '"recorder": "李娜", "recorder": "王强"', 1),
            GOOD.replace('"act": "investigation.inquiry"', '"act\ud800": 1', 1),
        ]
    ):
        path = tmp_path / f"bad{i}.json"
        path.write_text(bad, "utf-8", errors="surrogatepass")
        output = run("case", "import", str(path), code=2)
        assert "LH120" in output and "Traceback" not in output
    assert entries(app) == before


# --- API bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"act": "investigation.inquiry", "occurred_at": ' + HUGE.encode() + b"}",
        b'{"act": ' + DEEP.encode() + b"}",
        b"[" * 100_000,
        b'{"act": "\xff\xfe"}',
    ],
    ids=["huge-integer", "deep", "deep-unclosed", "not-utf8"],
)
def test_an_unparsable_api_body_is_lh100_in_chinese(app, body: bytes) -> None:
    factory.register(app)
    number = factory.open_case(app).chain
    client = TestClient(create_app(app), raise_server_exceptions=False)
    before = entries(app)
    answer = client.post(
        f"/api/v1/cases/{quote(number, safe='')}/acts",
        content=body,
        headers={**token_headers(app), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    data = answer.json()
    assert data["code"] == "LH100"
    assert "请求" in data["message"] and "parsing" not in answer.text
    assert entries(app) == before


def test_an_unknown_field_with_a_lone_surrogate_is_lh100_not_500(app) -> None:
    factory.register(app)
    number = factory.open_case(app).chain
    inq = factory.inquiry_input(number)
    body = {"act": inq.act, "occurred_at": inq.occurred_at, "actors": inq.actors,
            "fields": {**inq.fields, "x\ud800": 1}}  # fmt: skip
    client = TestClient(create_app(app), raise_server_exceptions=False)
    answer = client.post(
        f"/api/v1/cases/{quote(number, safe='')}/acts",
        content=json.dumps(body).encode(),
        headers={**token_headers(app), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "LH100"


# --- absurd dates ---------------------------------------------------------------------------

ABSURD = ["0001-01-01T00:00:00+08:00", "1989-12-31T23:59:59+08:00", "1900-01-01T00:00:00Z"]


@pytest.mark.parametrize("when", ABSURD)
def test_an_absurd_occurred_at_is_refused_on_its_field(when: str) -> None:
    inp = factory.inquiry_input("某文旅罚〔2026〕1号")
    inp.occurred_at = when
    with pytest.raises(ValidationError) as info:
        record.build_draft(inp, NOW)
    [problem] = info.value.problems
    assert problem.field == "occurred_at"
    assert "1990" in problem.message


def test_the_floor_itself_is_accepted() -> None:
    inp = factory.inquiry_input("某文旅罚〔2026〕1号")
    inp.occurred_at = EARLIEST.isoformat()
    assert record.build_draft(inp, NOW).occurred_at == "1990-01-01T00:00:00+08:00"


@pytest.mark.parametrize("when", [*ABSURD, "9999-12-31T23:59:59-12:00", "2100-01-01T00:00:00Z"])
def test_an_absurd_time_field_is_refused_on_its_field(when: str) -> None:
    inp = factory.inquiry_input("某文旅罚〔2026〕1号")
    inp.fields = {**inp.fields, "started_at": when}
    with pytest.raises(ValidationError) as info:
        record.build_draft(inp, NOW)
    [problem] = info.value.problems
    assert problem.field == "fields.started_at"


@pytest.mark.parametrize("day", ["0001-01-01", "1989-12-31", "9999-12-31", "2100-01-01"])
def test_an_absurd_date_field_is_refused_on_its_field(day: str) -> None:
    """Every date field is a procedural date (decided, posted, a deadline): same range."""
    inp = factory.inquiry_input("某文旅罚〔2026〕1号")
    inp.act, inp.fields = "execution.demand_notice", {
        "document_no": "某文旅催〔2026〕1号", "decision_no": "某文旅罚决〔2026〕1号",
        "obligation": "缴纳罚款", "deadline": day, "method": "银行缴款", "statement_right": True,
    }  # fmt: skip
    with pytest.raises(ValidationError) as info:
        record.build_draft(inp, NOW)
    assert [p.field for p in info.value.problems] == ["fields.deadline"]
    inp.fields["deadline"] = "2026-12-15"
    assert record.build_draft(inp, NOW).body["fields"]["deadline"] == "2026-12-15"


def test_the_api_refuses_year_one_with_lh100_on_occurred_at(app) -> None:
    factory.register(app)
    number = factory.open_case(app).chain
    inq = factory.inquiry_input(number)
    client = TestClient(create_app(app), raise_server_exceptions=False)
    before = entries(app)
    for when, field in [("0001-01-01T00:00:00+08:00", "occurred_at"),
                        ("9999-12-31T23:59:59-12:00", "fields.started_at")]:  # fmt: skip
        body = {"act": inq.act, "occurred_at": inq.occurred_at, "actors": inq.actors,
                "fields": inq.fields}  # fmt: skip
        if field == "occurred_at":
            body["occurred_at"] = when
        else:
            body["fields"] = {**inq.fields, "started_at": when}
        answer = client.post(
            f"/api/v1/cases/{quote(number, safe='')}/acts", json=body, headers=token_headers(app)
        )
        assert answer.status_code == 422, answer.text
        assert [p["field"] for p in answer.json()["problems"]] == [field]
    assert entries(app) == before


@pytest.mark.parametrize("key", ["occurred_at", "recorded_at"])
def test_an_import_in_year_one_is_refused_on_its_line(key: str) -> None:
    doc = json.loads(GOOD)
    doc["entries"][0][key] = "0001-01-01T00:00:00+08:00"
    bad = json.dumps(doc, ensure_ascii=False, indent=2)
    err = refused(bad)
    fields = {p.field: p for p in err.problems}
    assert f"entries[0].{key}" in fields, err.problems
    assert fields[f"entries[0].{key}"].line == line_of(bad, "0001-01-01")


# --- rule pack for an agency that does not exist --------------------------------------------


def test_pack_use_for_an_unregistered_agency_is_refused_and_not_journaled(app, run) -> None:
    factory.register(app)
    before = entries(app)
    output = run("pack", "use", "001", "--reason", "按通知适用", "--agency", "NO-SUCH", code=2)
    assert "NO-SUCH" in output and "未登记" in output
    with pytest.raises(ValidationError, match="无法变更规则包") as info:
        packs.use_pack(app, "001", "按通知适用", "NO-SUCH")
    assert [p.field for p in info.value.problems] == ["agency"]
    assert entries(app) == before
    run("pack", "use", "001", "--reason", "按通知适用", "--agency", "wl")
    assert packs.pack_name_for(app, "wl") == "001"


# --- YAML files: rule packs and holiday calendars -------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)  # nine levels of nine aliases: 387 million values once expanded
HOSTILE_YAML = {
    "huge-integer": ("n: " + HUGE + "\n", 1),
    "deep": ("a: 1\nn: " + DEEP + "\n", 2),
    "no-such-date": ("a: 1\n\nn: 2026-13-45\n", 3),
    "alias-bomb": (BOMB, None),
    "recursive-alias": ("a: 1\nn: &r [*r]\n", 2),
    "list-as-key": ("a: 1\n? [x]\n: 1\n", 2),
    "duplicate": ("a: 1\na: 2\n", 2),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_a_hostile_pack_file_is_lh130_with_its_line(run, tmp_path: Path, name: str) -> None:
    text, line = HOSTILE_YAML[name]
    path = tmp_path / "local.yaml"
    path.write_text(text, "utf-8")
    output = run("pack", "validate", str(path), code=2)
    assert "LH130" in output and "Traceback" not in output
    if line is not None:
        assert f"第 {line} 行" in output, output


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_a_hostile_calendar_file_is_lh120_and_not_journaled(
    app, run, tmp_path: Path, name: str
) -> None:
    text, line = HOSTILE_YAML[name]
    path = tmp_path / "holidays.yaml"
    path.write_text(
        "year: 2026\nsource: 国办发明电〔2025〕1号\n" + text.replace("n:", "holidays:"), "utf-8"
    )
    before = entries(app)
    output = run("calendar", "import", str(path), code=2)
    assert "LH120" in output and "Traceback" not in output
    if line is not None:
        assert f"第 {line + 2} 行" in output, output
    assert entries(app) == before


# --- page forms -----------------------------------------------------------------------------


def test_a_page_form_with_hostile_values_is_refused_on_the_page(app) -> None:
    """The pages share the validation: deep JSON in a correction's changes, a 5,000-digit
    number and a date in the year 1 are shown back as problems (422), never a 500."""
    factory.register(app)
    number = factory.open_case(app).chain
    factory.inquiry(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    client = TestClient(create_app(app), raise_server_exceptions=False)
    login(client, "zhangw", "correct-horse-1")
    url = f"/cases/{quote(number, safe='')}/record"
    before = entries(app)
    for act, typed in [
        ("general.correction", {"f_changes": DEEP, "f_reason": "笔误", "corrects": "7"}),
        ("general.correction", {"f_changes": '{"a": ' + HUGE + "}", "f_reason": "笔误"}),
        ("investigation.inquiry", {"occurred_at": "0001-01-01T00:00"}),
    ]:
        form = client.get(url, params={"act": act})
        assert form.status_code == 200, form.text
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        data = {"csrf": csrf, "occurred_at": "2026-11-04T10:00", "actors": "31010001", **typed}
        answer = client.post(url, params={"act": act}, data=data, follow_redirects=False)
        assert answer.status_code == 422, (act, answer.status_code, answer.text[:300])
    assert entries(app) == before


def test_issuing_a_certificate_before_the_ca_exists_is_a_refusal_not_a_500(app) -> None:
    """Found by the signed-in fuzz run: POST /api/v1/admin/keys on an instance without a
    signing CA answered 500 LH200; it is a step out of order (409 LH109) in Chinese."""
    factory.register(app)
    access.create_user(app, "root", "admin-pass-2026", ["admin"], "管理员")
    token, csrf, _user = access.login(app, "root", "admin-pass-2026")
    with TestClient(create_app(app)) as client:
        client.cookies.set(COOKIE, token)
        answer = client.post(
            "/api/v1/admin/keys", json={"cert_no": "31010001"}, headers={"X-CSRF-Token": csrf}
        )
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "LH109" and "签名根证书尚未建立" in answer.json()["message"]


def test_a_json_key_given_twice_in_an_api_body_is_refused_not_last_wins(app) -> None:
    """Finding 10: duplicate keys were silently last-wins in API bodies as in import files."""
    factory.register(app)
    factory.open_case(app)
    number = quote("某文旅罚〔2026〕1号")
    body = (
        b'{"act": "investigation.inquiry", "occurred_at": "2026-11-03T10:00:00+08:00",'
        b' "fields": {"transcript": "a", "transcript": "b"}}'
    )
    with TestClient(create_app(app)) as client:
        answer = client.post(
            f"/api/v1/cases/{number}/acts", content=body,
            headers={**token_headers(app), "Content-Type": "application/json"},
        )  # fmt: skip
        assert answer.status_code == 422, answer.text
        refusal = answer.json()
        assert refusal["code"] == "LH100" and "“transcript”出现了两次" in refusal["message"]
        assert answer.headers["x-content-type-options"] == "nosniff"  # refused like any answer
        once = client.post(
            f"/api/v1/cases/{number}/acts", content=body.replace(b', "transcript": "b"', b""),
            headers={**token_headers(app), "Content-Type": "application/json"},
        )  # fmt: skip
    assert once.json()["code"] != "LH100" or "出现了两次" not in once.json()["message"]
    with app.engine.connect() as conn:
        acts = conn.execute(
            select(func.count()).select_from(store.ENTRY)
            .where(store.ENTRY.c.act == "investigation.inquiry")
        ).scalar()  # fmt: skip
    assert acts == 0  # the refused request recorded nothing
