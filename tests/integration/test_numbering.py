"""Numbers the system issues: gap-free per agency, kind and year, assigned with the entry.

Case numbers and 文号 come from the agency's journaled settings; the counters are a projection
of the entries that used a number, rebuilt by replay and checked by ``verify``.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.errors import NotFoundError, ValidationError
from liuhen.kernel import instance, numbering, rebuild, record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.settings import Settings
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.tamper import bypass

NOW = datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI)
ADMIN = {"id": "admin", "role": "admin"}
SETTINGS = access.SettingsChange(
    short_name="某文旅",
    case_pattern="{简称}罚〔{年}〕{号}号",
    document_patterns={"penalty_decision": "{简称}罚决〔{年}〕{号}号"},
    review_body="某区人民政府",
    court="某区人民法院",
)


@pytest.fixture
def clocked(settings: Settings) -> Iterator[App]:
    instance.init(settings)
    app = instance.open_app(settings, clock=FixedClock(NOW))
    factory.register(app)
    yield app
    app.engine.dispose()


def opening(when: str = "2026-11-02T09:00:00+08:00", unit: str = "wl-zd1"):
    inp = factory.opening_input("", when)
    inp.case = None
    inp.fields["unit"] = unit
    return inp


def counters(app: App) -> dict[str, int]:
    t = store.NUMBER_COUNTER
    with app.engine.connect() as conn:
        return {r.key: int(r.last) for r in conn.execute(select(t.c.key, t.c.last))}


def test_settings_change_is_journaled_and_read_back(clocked):
    before = access.agency_settings(clocked, "wl")
    assert not before.recorded and before.short_name == "某区文化和旅游局"
    assert before.example("case", 2026) == "某区文化和旅游局立〔2026〕1号"
    first = access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    got = access.agency_settings(clocked, "wl")
    assert got.recorded and got.short_name == "某文旅" and got.court == "某区人民法院"
    assert got.review_body == "某区人民政府"
    assert got.example("penalty_decision", 2026) == "某文旅罚决〔2026〕1号"
    assert got.allows("investigation.inquiry")  # no list: every act
    SETTINGS.act_types = ["investigation.inquiry"]
    try:
        second = access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    finally:
        SETTINGS.act_types = []
    assert second.seq == first.seq + 1
    assert not access.agency_settings(clocked, "wl").allows("investigation.inspection")
    with clocked.engine.connect() as conn:
        acts = conn.execute(
            select(store.ENTRY.c.act).where(store.ENTRY.c.seq.in_([first.seq, second.seq]))
        ).scalars()
        assert list(acts) == ["registry.agency_settings"] * 2


def test_bad_settings_are_refused_whole(clocked):
    bad = access.SettingsChange(
        short_name="", case_pattern="{简称}立〔{年}〕号", document_patterns={"nope": "{号}"},
        numbers_used={"case/26": 3},
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        access.change_agency_settings(clocked, "wl", bad, ADMIN)
    where = {p.field for p in refused.value.problems}
    assert {"short_name", "case_pattern", "doc.nope", "numbers_used"} <= where
    assert not access.agency_settings(clocked, "wl").recorded
    with pytest.raises(NotFoundError):
        access.change_agency_settings(clocked, "nobody", SETTINGS, ADMIN)


def test_case_numbers_are_gap_free_per_year_and_restart(clocked):
    access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    got = [numbering.open_case(clocked, opening()).chain for _ in range(3)]
    assert got == [f"某文旅罚〔2026〕{n}号" for n in (1, 2, 3)]
    clocked.clock.advance(days=60)  # 2027-01-04
    nxt = numbering.open_case(clocked, opening("2027-01-03T09:00:00+08:00"))
    assert nxt.chain == "某文旅罚〔2027〕1号"
    # the year is the act's, in the instance's zone: 16:30 UTC is 00:30 in Shanghai
    late = numbering.open_case(clocked, opening("2026-12-31T16:30:00+00:00"))
    assert late.chain == "某文旅罚〔2027〕2号"
    early = numbering.open_case(clocked, opening("2026-12-31T23:00:00+08:00"))
    assert early.chain == "某文旅罚〔2026〕4号"
    assert counters(clocked) == {"wl/case/2026": 4, "wl/case/2027": 2}


def test_each_agency_has_its_own_series(clocked):
    access.add_agency(clocked, "ly", "某区旅游局", "某区", ADMIN)
    factory.add_unit(clocked, "ly-zd", "旅游执法队", agency="ly")
    factory.add_officer(clocked, "41010001", "周八", unit="ly-zd")
    access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    numbering.open_case(clocked, opening())
    other = opening(unit="ly-zd")
    other.actors = ["41010001"]
    assert numbering.open_case(clocked, other).chain == "某区旅游局立〔2026〕1号"
    assert numbering.open_case(clocked, opening()).chain == "某文旅罚〔2026〕2号"


def test_a_refused_opening_uses_no_number(clocked):
    access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    numbering.open_case(clocked, opening())
    bad = opening()
    bad.actors = ["99999999"]  # unregistered: refused inside the append transaction
    with pytest.raises(ValidationError):
        numbering.open_case(clocked, bad)
    unknown_unit = opening(unit="nowhere")
    with pytest.raises(ValidationError) as refused:
        numbering.open_case(clocked, unknown_unit)
    assert refused.value.problems[0].field == "fields.unit"
    assert numbering.open_case(clocked, opening()).chain == "某文旅罚〔2026〕2号"
    assert counters(clocked) == {"wl/case/2026": 2}


def test_typed_issued_field_is_refused(clocked):
    inp = factory.opening_input("某文旅罚〔2026〕9号")
    inp.fields["issued"] = "wl/case/2026/500"
    with pytest.raises(ValidationError) as refused:
        record.record(clocked, inp)
    assert refused.value.problems[0].field == "fields.issued"
    assert counters(clocked) == {}


def test_numbers_used_before_and_imported_cases_are_passed_over(clocked):
    SETTINGS.numbers_used = {"case/2026": 10}
    try:
        access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    finally:
        SETTINGS.numbers_used = {}
    factory.open_case(clocked, "某文旅罚〔2026〕11号")  # an explicit number (the import path)
    assert numbering.open_case(clocked, opening()).chain == "某文旅罚〔2026〕12号"


def test_rebuild_reproduces_counters_and_verify_notices_a_changed_one(clocked):
    access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    for _ in range(3):
        numbering.open_case(clocked, opening())
    before = counters(clocked)
    rebuild.rebuild(clocked)
    assert counters(clocked) == before == {"wl/case/2026": 3}
    assert access.agency_settings(clocked, "wl").short_name == "某文旅"
    assert verify.verify(clocked).ok
    with bypass(clocked) as conn:
        conn.execute(text("UPDATE number_counter SET last = 2 WHERE key = 'wl/case/2026'"))
    report = verify.verify(clocked)
    assert not report.ok
    assert any("number_counter" in d.render() for d in report.damages), report.damages
    rebuild.rebuild(clocked)
    assert verify.verify(clocked).ok


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_concurrent_openings_get_consecutive_numbers(settings: Settings, tmp_path: Path):
    """Two threads, each with its own application (its own journal writer, as two processes
    have), open cases at once: every number once, none skipped."""
    instance.init(settings)
    apps = [instance.open_app(settings, clock=FixedClock(NOW)) for _ in range(2)]
    factory.register(apps[0])
    access.change_agency_settings(apps[0], "wl", SETTINGS, ADMIN)
    got: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(app: App) -> None:
        start.wait()
        try:
            for _ in range(5):
                got.append(numbering.open_case(app, opening()).chain)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(apps[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(got) == sorted(f"某文旅罚〔2026〕{n}号" for n in range(1, 21))
    assert counters(apps[0]) == {"wl/case/2026": 20}
    for app in apps:
        app.engine.dispose()


# --- 文号 ----------------------------------------------------------------------------------

INQUIRY_PATTERN = {"inquiry_record": "{简称}询〔{年}〕{号:3}号"}


@pytest.fixture
def doc_case(clocked: App) -> tuple[App, int]:
    """A case of the agency numbering its 询问笔录, signing keys issued, one inquiry."""
    SETTINGS.document_patterns = INQUIRY_PATTERN
    try:
        access.change_agency_settings(clocked, "wl", SETTINGS, ADMIN)
    finally:
        SETTINGS.document_patterns = {"penalty_decision": "{简称}罚决〔{年}〕{号}号"}
    signing.init_ca(clocked, "某区文化和旅游局")
    for cert, _name in factory.OFFICERS:
        signing.issue(clocked, cert)
    factory.open_case(clocked)
    return clocked, factory.inquiry(clocked).seq


def inquiry_doc(act_seq: int, **overrides: object) -> documents.DocumentRequest:
    req = documents.DocumentRequest(
        case="某文旅罚〔2026〕1号",
        act_seq=act_seq, doc_type="inquiry_record",
        values=dict(DOC_TYPES["inquiry_record"].sample),
        signers=[{"role": "officer", "cert_no": "31010001"},
                 {"role": "officer", "cert_no": "31010002"}],
        recorded_by={"id": "31010001", "role": "officer"},
    )  # fmt: skip
    for key, value in overrides.items():
        setattr(req, key, value)
    return req


def fields_of(app: App, seq: int) -> dict:
    with app.engine.connect() as conn:
        body = conn.execute(select(store.ENTRY.c.body).where(store.ENTRY.c.seq == seq)).scalar()
    return dict(json.loads(str(body))["fields"])


def test_documents_get_their_number_when_issued_and_print_it(doc_case, tmp_path):
    app, act_seq = doc_case
    first = documents.issue(app, inquiry_doc(act_seq))
    second = documents.issue(app, inquiry_doc(act_seq))
    assert fields_of(app, first.seq)["number"] == "某文旅询〔2026〕001号"
    assert fields_of(app, second.seq)["number"] == "某文旅询〔2026〕002号"
    assert fields_of(app, second.seq)["issued"] == "wl/inquiry_record/2026/2"
    digest = fields_of(app, second.seq)["digest"]
    (tmp_path / "doc.pdf").write_bytes(b"".join(app.blobs.read(digest)))
    words = subprocess.run(
        ["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "某文旅询〔2026〕002号" in words
    # a typed number is refused, and a refused document uses none
    with pytest.raises(ValidationError) as typed:
        documents.issue(app, inquiry_doc(act_seq, number="某文旅询〔2026〕999号"))
    assert [p.field for p in typed.value.problems] == ["number"]
    with pytest.raises(ValidationError):
        documents.issue(app, inquiry_doc(act_seq, signers=[{"role": "officer", "cert_no": "99"}]))
    # a new version keeps its predecessor's number and takes none
    again = documents.issue(app, inquiry_doc(act_seq, supersedes=second.seq))
    assert fields_of(app, again.seq)["number"] == "某文旅询〔2026〕002号"
    assert "issued" not in fields_of(app, again.seq)
    third = documents.issue(app, inquiry_doc(act_seq))
    assert fields_of(app, third.seq)["number"] == "某文旅询〔2026〕003号"
    assert counters(app)["wl/inquiry_record/2026"] == 3
    assert verify.verify(app).ok


def test_a_number_taken_meanwhile_is_refused_for_rendering_again(doc_case):
    """The PDF is rendered with the number expected; if another document took it before the
    entry is written, the assignment refuses (``issue`` then renders with the next)."""
    app, act_seq = doc_case
    now = app.clock.now().isoformat()
    stale = numbering.expected_number(app, "某文旅罚〔2026〕1号", "inquiry_record", now)
    assert stale is not None and stale.number == "某文旅询〔2026〕001号"
    documents.issue(app, inquiry_doc(act_seq))  # takes 001
    late = record.ActInput(
        "general.document", now, case="某文旅罚〔2026〕1号", actors=["31010001"],
        recorded_by={"id": "31010001", "role": "officer"},
        fields={"doc_type": "inquiry_record", "act_seq": act_seq,
                "signatures": [{"role": "officer", "name": "张伟", "signed_at": now}]},
    )  # fmt: skip
    with pytest.raises(numbering.NumberTaken):
        numbering.record_numbered(
            app, late, numbering.assign_document_number(stale, app.settings.timezone)
        )
    assert counters(app)["wl/inquiry_record/2026"] == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_demo_numbers_on_from_its_cases(settings: Settings):
    """The demo agency's settings match the numbers its imported cases use, so the next case
    and the next 处罚决定书 do not repeat one of them."""
    from liuhen.demo import seed as demo

    instance.init(settings)
    app = instance.open_app(settings, clock=FixedClock(datetime(2026, 12, 31, 12, tzinfo=SHANGHAI)))
    try:
        demo.seed(app)  # its cases run to December
        found = access.agency_settings(app, "whlyj")
        assert found.short_name == "某文旅" and found.court == "某区人民法院"
        inp = opening()
        inp.fields["unit"] = "whlyj-zd1"
        inp.actors = ["11010023", "11010031"]
        assert numbering.open_case(app, inp).chain == "某文旅罚〔2026〕29号"
        now = app.clock.now().isoformat()
        expected = numbering.expected_number(app, "某文旅罚〔2026〕12号", "penalty_decision", now)
        assert expected is not None and expected.number == "某文旅罚决〔2026〕21号"
        assert verify.verify(app).ok
    finally:
        app.engine.dispose()


def test_forms_quote_the_numbers_the_system_issued(doc_case):
    """A form's 案件编号 starts as the case's number, a quoted 文号 as the one issued in the
    case, so neither is typed again."""
    from fastapi.testclient import TestClient

    from liuhen.entrypoints.web import create_app
    from tests.integration.auth import login

    app, act_seq = doc_case
    case = "某文旅罚〔2026〕1号"
    assert documents.quoted_numbers(app, case, "filing_approval") == {"case_no": case}
    assert documents.quoted_numbers(app, case, "demand_notice") == {}  # no decision issued yet
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        url = f"/cases/{case}/documents/new"
        form = client.get(url, params={"act_seq": act_seq - 1, "doc_type": "filing_approval"})
        assert form.status_code == 200, form.text[:500]
        assert f'value="{case}"' in form.text
        inquiry = client.get(url, params={"act_seq": act_seq, "doc_type": "inquiry_record"})
        assert "预计为 某文旅询〔2026〕001号" in inquiry.text
        assert 'name="number"' not in inquiry.text
