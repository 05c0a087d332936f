"""Being "on a case" comes from assignment, never from naming oneself (issue 11, finding 5).

The opening act's officers handle the case until a head's 指派承办人员 replaces them; only
they (among officers) see the case's marked records.
"""

from __future__ import annotations

import pytest

from liuhen.access.policy import User
from liuhen.accounts import confidentiality
from liuhen.cases import service as cases
from liuhen.errors import LiuhenError, ValidationError
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput
from tests.integration import factory

CASE = "某文旅罚〔2026〕1号"
HEAD = {"id": "31019001", "role": "head"}


def officer(cert: str) -> User:
    return User(cert, cert, frozenset({"officer"}), unit="wl-zd2", agency="wl", cert_no=cert)


def assign(app: App, certs: list[str], by: dict[str, str] = HEAD) -> None:
    record.record(app, ActInput(
        "general.assignment", app.clock.now().isoformat(), case=CASE, recorded_by=by,
        fields={"officers": certs, "reason": "原承办人员调岗"},
    ))  # fmt: skip


def sees_marked_inquiry(app: App, user: User, seq: int) -> bool:
    case = cases.show_case(app, CASE)
    entries = [e for st in case.stages for e in st.entries]
    confidentiality.redact(case, confidentiality.marks_from(entries), user)
    inquiry = next(e for st in case.stages for e in st.entries if e.seq == seq)
    return "withheld" not in inquiry.model_fields_set


@pytest.fixture
def marked(app: App) -> tuple[App, int]:
    factory.register(app)
    factory.add_officer(app, "31019001", "赵局长", ("head",))
    factory.open_case(app)  # opened by 31010001 and 31010002
    seq = factory.inquiry(app).seq
    record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=CASE, actors=["31019001"],
        recorded_by=HEAD, fields={"mark": "个人隐私", "records": [str(seq)], "reason": "个人信息"},
    ))  # fmt: skip
    return app, seq


def test_naming_oneself_as_actor_does_not_put_one_on_the_case(marked: tuple[App, int]) -> None:
    app, seq = marked
    factory.inquiry(app, who="王某", actors=["31010003", "31010001"])
    assert cases.show_case(app, CASE).officers == ["31010001", "31010002"]
    assert not sees_marked_inquiry(app, officer("31010003"), seq)
    assert sees_marked_inquiry(app, officer("31010002"), seq)


def test_a_heads_assignment_replaces_the_case_officers(marked: tuple[App, int]) -> None:
    app, seq = marked
    assign(app, ["31010001", "31010003"])
    assert cases.show_case(app, CASE).officers == ["31010001", "31010003"]
    assert sees_marked_inquiry(app, officer("31010003"), seq)
    assert not sees_marked_inquiry(app, officer("31010002"), seq)  # reassigned away


def test_assignment_needs_two_registered_officers_and_a_head(marked: tuple[App, int]) -> None:
    app, _seq = marked
    with pytest.raises(ValidationError) as one:
        assign(app, ["31010001"])
    assert "至少指派两名执法人员" in str(one.value.as_dict())
    with pytest.raises(ValidationError) as unknown:
        assign(app, ["31010001", "99999999"])
    assert "99999999" in str(unknown.value.as_dict())
    with pytest.raises(LiuhenError):
        assign(app, ["31010001", "31010003"], by={"id": "31010001", "role": "officer"})
    assert cases.show_case(app, CASE).officers == ["31010001", "31010002"]
