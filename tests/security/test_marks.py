"""Issue 11 finding 5: confidentiality marks must not leak.

A whole-case mark hides the case header; a document form does not pre-fill a marked record;
lowering or lifting a mark is the head's act; naming oneself as an actor does not put anyone
"on the case". Everything runs through the real services on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from liuhen.accounts import confidentiality
from liuhen.accounts import service as access
from liuhen.accounts.confidentiality import ConfidentialRecord
from liuhen.cases import service as cases
from liuhen.errors import PermissionDenied, ValidationError
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory

CASE = "某文旅罚〔2026〕1号"
ON_CASE = "31010001"  # named by the opening act
OUTSIDER = "31010003"  # same unit, not named by the opening act
HEAD = "31010009"
REVIEWER = "31010008"
PASSWORD = "mima-12345678"


@pytest.fixture
def marked_case(app):
    factory.register(app)
    factory.add_officer(app, HEAD, "赵局长", ("head",))
    factory.add_officer(app, REVIEWER, "钱审核", ("legal_reviewer",))
    factory.open_case(app)
    inquiry = factory.inquiry(app)
    users = {}
    for name, roles, cert in (
        ("zhangwei", ["officer"], ON_CASE),
        ("wangqiang", ["officer"], OUTSIDER),
        ("zhaoju", ["head"], HEAD),
        ("qian", ["legal_reviewer"], REVIEWER),
        ("sifa", ["supervisor"], None),
    ):
        users[name] = access.create_user(app, name, PASSWORD, roles, name, "wl-zd1", cert)
    return app, inquiry.seq, users


def mark(app, value, records=(), by=ON_CASE, role="officer"):
    return record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=CASE, actors=[by],
        fields={"mark": value, "records": list(records), "reason": "测试"},
        recorded_by={"id": by, "role": role},
    ))  # fmt: skip


def seen_by(app, user):
    case = cases.show_case(app, CASE)
    entries = [e for st in case.stages for e in st.entries]
    confidentiality.redact(case, confidentiality.marks_from(entries), user)
    return case


def entry_seen(app, user, seq):
    case = seen_by(app, user)
    return next(e for st in case.stages for e in st.entries if e.seq == seq)


def test_a_whole_case_mark_hides_the_header_from_those_not_entitled(marked_case):
    app, _seq, users = marked_case
    mark(app, "国家秘密")
    for name in ("wangqiang", "sifa"):
        case = seen_by(app, users[name])
        assert "擅自从事营业性演出" not in str(case.cause), name
        assert case.parties == [] and "滨江路" not in str(case.summary), name
        assert "国家秘密" in str(case.header_withheld)
        assert "夜色酒吧" not in repr(case), name  # nowhere: header, entries, fields
    for name in ("zhangwei", "zhaoju", "qian"):
        case = seen_by(app, users[name])
        assert case.cause == "未经许可擅自从事营业性演出", name
        assert case.parties[0]["name"] == "某区夜色酒吧"
        assert "header_withheld" not in case.model_fields_set
    # the case list shows the same header: withheld there too, for the same people
    listed = cases.list_cases(app).items
    confidentiality.redact_listing(app, listed, users["wangqiang"])
    assert listed[0].parties == [] and "擅自" not in listed[0].cause
    listed = cases.list_cases(app).items
    confidentiality.redact_listing(app, listed, users["zhangwei"])
    assert listed[0].cause == "未经许可擅自从事营业性演出"


def test_a_business_secret_on_the_case_is_shown_to_the_supervisor(marked_case):
    app, _seq, users = marked_case
    mark(app, "商业秘密")
    assert seen_by(app, users["sifa"]).cause == "未经许可擅自从事营业性演出"
    assert "header_withheld" in seen_by(app, users["wangqiang"]).model_fields_set


def test_the_document_form_does_not_prefill_a_marked_record(marked_case):
    app, seq, users = marked_case
    plain = confidentiality.act_fields(app, users["wangqiang"], CASE, seq)
    assert "不知道" in plain["transcript"]  # unmarked: pre-filled for a colleague of the unit
    mark(app, "个人隐私", [str(seq)])
    with pytest.raises(ConfidentialRecord) as refused:
        confidentiality.act_fields(app, users["wangqiang"], CASE, seq)
    assert refused.value.code == "LH460" and "个人隐私" in refused.value.message
    assert "不知道" in confidentiality.act_fields(app, users["zhangwei"], CASE, seq)["transcript"]
    assert confidentiality.act_fields(app, users["zhaoju"], CASE, seq)["transcript"]
    assert confidentiality.act_fields(app, users["zhangwei"], CASE, 999999) == {}


def test_lowering_a_mark_is_the_heads_act_raising_is_for_those_on_the_case(marked_case):
    app, seq, users = marked_case
    mark(app, "个人隐私", [str(seq)])
    mark(app, "国家秘密", [str(seq)])  # raising: the officer on the case may
    for lesser in ("个人隐私", "商业秘密", "无"):
        with pytest.raises(PermissionDenied) as lowered:
            mark(app, lesser, [str(seq)])
        assert lowered.value.code == "LH103" and "只有负责人" in lowered.value.message
    with pytest.raises(PermissionDenied):  # nor by the legal reviewer
        mark(app, "个人隐私", [str(seq)], by=REVIEWER, role="legal_reviewer")
    assert "国家秘密" in str(entry_seen(app, users["sifa"], seq).withheld)  # still closed
    mark(app, "个人隐私", [str(seq)], by=HEAD, role="head")  # the head may lower
    assert confidentiality.marks_of(app, CASE).of_entry(seq) == "个人隐私"
    assert entry_seen(app, users["sifa"], seq).fields["transcript"]  # the head opened it
    # the whole case: the same rule
    mark(app, "商业秘密")
    with pytest.raises(PermissionDenied):
        mark(app, "个人隐私")
    mark(app, "国家秘密", by=REVIEWER, role="legal_reviewer")  # a handler may raise
    with pytest.raises(PermissionDenied):
        mark(app, "国家秘密", [str(seq)], by=OUTSIDER)  # not on the case: may not mark
    assert confidentiality.marks_of(app, CASE).case_mark == "国家秘密"


def test_naming_oneself_as_an_actor_does_not_put_one_on_the_case(marked_case):
    app, seq, users = marked_case
    mark(app, "国家秘密", [str(seq)])
    # the outsider records an inquiry on his unit's case, naming himself
    factory.inquiry(app, who="刘某", actors=[OUTSIDER, "31010002"])
    header = confidentiality.case_header(app, CASE)
    assert OUTSIDER not in header["officers"]
    assert sorted(header["officers"]) == [ON_CASE, "31010002"]  # the opening act's officers
    marked = entry_seen(app, users["wangqiang"], seq)
    assert marked.fields == {} and "国家秘密" in str(marked.withheld)
    with pytest.raises(ConfidentialRecord):
        confidentiality.act_fields(app, users["wangqiang"], CASE, seq)


def test_a_mark_naming_a_non_ascii_digit_is_refused_not_a_crash(marked_case):
    app, _seq, _users = marked_case
    with pytest.raises(ValidationError) as bad:
        mark(app, "国家秘密", ["²", "٣"])
    assert [p.field for p in bad.value.problems] == ["fields.records[0]", "fields.records[1]"]
