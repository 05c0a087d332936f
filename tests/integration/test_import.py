"""Case import: kept times, imported marks, all-or-nothing refusals that name line and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from liuhen.archive import verify
from liuhen.cases import imports
from liuhen.cases import service as cases
from liuhen.errors import ImportFormatError
from tests.integration import factory

GOOD = (Path(__file__).parent / "cases" / "good.json").read_text("utf-8")


def count(app) -> int:
    with app.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM journal_entry")).scalar_one()


def test_import_keeps_times_and_marks_entries_imported(app):
    factory.register(app)
    number, appended = imports.import_text(app, GOOD)
    assert number == "某文旅罚〔2025〕88号"
    assert [a.seq for a in appended] == [6, 7, 8]
    case = cases.show_case(app, number)
    opening = case.stages[0].entries[0]
    assert opening.occurred_at == "2025-09-01T09:00:00+08:00"
    assert opening.imported is not None
    assert opening.imported.model_dump() == {
        "source": "某区行政执法信息平台（旧系统）",
        "recorded_at": "2025-09-01T10:30:00+08:00",
    }
    correction = case.stages[-1].entries[0]
    assert correction.corrects == 7
    assert correction.fields["changes"] == {"ended_at": "2025-09-02T14:50:00+08:00"}
    assert verify.verify(app).ok


def _mutated(fn) -> str:
    doc = json.loads(GOOD)
    fn(doc)
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _line_of(text_: str, needle: str, occurrence: int = 1) -> int:
    at = -1
    for _ in range(occurrence):
        at = text_.index(needle, at + 1)
    return text_[:at].count("\n") + 1


CASES = {
    "unknown act type": (
        lambda d: d["entries"][1].update(act="investigation.teleport"),
        "entries[1].act",
        '"investigation.teleport"',
    ),
    "missing required field": (
        lambda d: d["entries"][1]["fields"].pop("transcript"),
        "entries[1].fields.transcript",
        ('"fields": {', 2),
    ),
    "recorded before it happened": (
        lambda d: d["entries"][1].update(recorded_at="2025-09-02T13:00:00+08:00"),
        "entries[1].recorded_at",
        '"2025-09-02T13:00:00+08:00"',
    ),
    "occurred before the case opened": (
        lambda d: d["entries"][1].update(occurred_at="2025-08-01T13:00:00+08:00"),
        "entries[1].occurred_at",
        '"2025-08-01T13:00:00+08:00"',
    ),
    "naive time": (
        lambda d: d["entries"][0].update(occurred_at="2025-09-01T09:00:00"),
        "entries[0].occurred_at",
        '"2025-09-01T09:00:00"',
    ),
    "wrong kind": (
        lambda d: d["entries"][1]["fields"].update(identity_shown="是"),
        "entries[1].fields.identity_shown",
        '"identity_shown": "是"',
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_naming_line_and_field_and_nothing_is_journaled(app, name):
    factory.register(app)
    mutate, field, needle = CASES[name]
    bad = _mutated(mutate)
    before = count(app)
    with pytest.raises(ImportFormatError) as err:
        imports.import_text(app, bad)
    problems = {(p.field, p.line) for p in err.value.problems}
    assert any(f == field for f, _ in problems), problems
    line = next(line for f, line in problems if f == field)
    where = needle if isinstance(needle, tuple) else (needle,)
    assert line == _line_of(bad, *where), (problems, bad.splitlines()[line - 1])
    assert count(app) == before


def test_malformed_json_names_the_line(app):
    bad = GOOD.replace('"recorder": "李娜"', '"recorder": "李娜",,')
    with pytest.raises(ImportFormatError) as err:
        imports.import_text(app, bad)
    assert err.value.problems[0].line == _line_of(bad, ",,")


def test_unknown_officer_fails_in_the_database_and_rolls_back_everything(app):
    factory.register(app)
    bad = _mutated(lambda d: d["entries"][2].update(actors=["77777777"]))
    before = count(app)
    with pytest.raises(ImportFormatError, match="77777777"):
        imports.import_text(app, bad)
    assert count(app) == before
    assert cases.list_cases(app).total == 0
    assert verify.verify(app).ok


def test_existing_case_number_is_refused(app):
    factory.register(app)
    imports.import_text(app, GOOD)
    before = count(app)
    with pytest.raises(ImportFormatError, match="已存在"):
        imports.import_text(app, GOOD)
    assert count(app) == before


def test_first_entry_must_open_the_case(app):
    doc = json.loads(GOOD)
    doc["entries"] = copy.deepcopy(doc["entries"][1:2])
    with pytest.raises(ImportFormatError) as err:
        imports.import_text(app, json.dumps(doc, ensure_ascii=False, indent=1))
    assert any(p.field == "entries[0].act" for p in err.value.problems)


def test_an_older_public_notice_without_its_reason_is_imported_and_found_wanting(app):
    """002 第二十七条 asks for why the other modes failed: the form requires it, an older record
    that lacks it is still imported (refusing it would hide the whole case from the rules), and
    the 002 pack finds it missing."""
    from datetime import datetime

    from liuhen.compliance import packs
    from liuhen.compliance import service as compliance
    from liuhen.compliance.calendar import working_calendar
    from liuhen.errors import ValidationError
    from liuhen.kernel import record
    from liuhen.kernel.record import ActInput
    from liuhen.rules.engine import evaluate

    notice = {
        "document": "行政处罚决定书", "document_no": "某文旅罚〔2025〕88号",
        "recipient": {"name": "某区星光娱乐有限公司"}, "served_at": "2025-12-29T09:00:00+08:00",
        "place": "某区文化和旅游局公告栏", "server": "张伟",
        "medium": "区政府门户网站及当事人住所地张贴", "published_on": "2025-12-29",
        "period_days": 30,
    }  # fmt: skip

    def add(d: dict) -> None:
        d["entries"].append({
            "act": "service.public_notice", "occurred_at": "2025-12-29T09:00:00+08:00",
            "recorded_at": "2025-12-29T16:20:00+08:00", "actors": ["31010001", "31010002"],
            "recorded_by": {"id": "31010001", "role": "officer"}, "fields": notice,
        })  # fmt: skip

    factory.register(app)
    number, appended = imports.import_text(app, _mutated(add))
    rec, _ = compliance.case_record(app, number)
    pack = packs.load_pack("002", app.settings.data_dir)
    now = datetime.fromisoformat("2026-02-02T12:00:00+08:00")
    found = evaluate(pack, rec, now, working_calendar(app)).findings
    assert [(f.code, f.seqs) for f in found if f.rule == "documents.public_notice_service"] == [
        ("documents.public_notice_service:missing", (appended[-1].seq,))
    ]
    with pytest.raises(ValidationError) as err:  # a new record made on the form must state it
        record.record(app, ActInput(
            "service.public_notice", "2026-01-05T09:00:00+08:00", case=number,
            actors=["31010001", "31010002"], recorded_by={"id": "31010001", "role": "officer"},
            fields=notice,
        ))  # fmt: skip
    assert [p.field for p in err.value.problems] == ["fields.failed_modes"]
