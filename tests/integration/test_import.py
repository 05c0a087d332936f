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
