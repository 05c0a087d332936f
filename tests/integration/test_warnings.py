"""Early warning (预警) on a real database and a real SMTP server on loopback: a case nearing its
decision deadline gets a yellow card, passing it a red one, meeting it clears the card; each
card is e-mailed once, in Chinese, to the case's officer and his head; inboxes and /warnings show
the cards to them and to supervisors, not to an officer of another unit."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput
from liuhen.warnings import service as warnings
from tests.integration import factory
from tests.integration.auth import login

NEAR = "某文旅罚〔2026〕1号"  # opened 2 November: 90 days end on 31 January 23:59
MET = "某文旅罚〔2026〕2号"  # opened 3 November: ends 1 February 23:59, decided in time
TITLE = "自立案之日起九十日内作出行政处罚决定"
JAN20 = datetime(2027, 1, 20, 10, 0, tzinfo=SHANGHAI)  # eleven days before: no card
JAN28 = datetime(2027, 1, 28, 10, 0, tzinfo=SHANGHAI)  # within 3 working days: yellow
FEB1 = datetime(2027, 2, 1, 10, 0, tzinfo=SHANGHAI)  # NEAR's passed: red


class Inbox:
    """The SMTP server's handler: every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield f"smtp://127.0.0.1:{port}", handler
    finally:
        server.stop()


def _people(app: App) -> None:
    factory.register(app)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.add_officer(app, "31020001", "周强", unit="wl-zd2")
    for user, roles, name, unit, cert in (
        ("zhangw", ["officer"], "张伟", "wl-zd1", "31010001"),  # NEAR's and MET's officer
        ("wangq", ["officer"], "王强", "wl-zd1", "31010003"),  # same unit, not his cases
        ("zhouq", ["officer"], "周强", "wl-zd2", "31020001"),  # another unit
        ("boss", ["head"], "赵局长", "wl-zd1", None),
        ("jiandu", ["supervisor"], "监督员", None, None),
        ("fazhi", ["legal_reviewer"], "法制员", "wl-zd1", None),
    ):
        access.create_user(app, user, "correct-horse-1", roles, name, unit, cert)
        access.set_email(app, user, f"{user}@example.cn")


def _decide(app: App, case: str, when: str) -> None:
    record.record(app, ActInput(
        "decision.decision", when, case=case, actors=["31010001", "31010002"],
        recorded_by=factory.OFFICER,
        fields={"party": {"name": "某区夜色酒吧"}, "facts": "当事人未经许可擅自从事营业性演出。",
                "kinds": ["罚款"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
                "content": "罚款人民币5000元。", "performance": "十五日内缴纳。",
                "remedy": "六十日内申请行政复议。", "decided_on": when[:10],
                "document_no": f"某文旅罚决〔2027〕{case[-2]}号"},
    ))  # fmt: skip


def _cards(app: App) -> dict[tuple[str, str], Any]:
    return {
        (c.case, c.level): c
        for c in warnings.cards_for(app, access.get_user(app, "jiandu"), open_only=False)
    }


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_cards_rise_yellow_then_red_clear_when_met_and_are_mailed_once(app, smtp):
    url, server = smtp
    app.settings = dataclasses.replace(app.settings, smtp_url=url, smtp_sender="yujing@example.cn")
    app.clock = FixedClock(JAN20)
    _people(app)
    factory.open_case(app, NEAR)
    factory.open_case(app, MET, when="2026-11-03T09:00:00+08:00")

    first = warnings.scan(app)
    assert (first.raised, first.emailed) == (0, 0) and not server.messages  # eleven days out

    app.clock.current = JAN28
    found = warnings.scan(app)
    assert (found.raised, found.emailed, found.open_yellow, found.open_red) == (2, 2, 2, 0)
    cards = _cards(app)
    assert set(cards) == {(NEAR, "yellow"), (MET, "yellow")}
    assert cards[NEAR, "yellow"].due_text == "2027年1月31日 23:59"
    assert cards[NEAR, "yellow"].handlers == ["31010001", "31010002"]  # its two officers
    for rcpt, msg in server.messages:
        assert sorted(rcpt) == ["boss@example.cn", "zhangw@example.cn"]  # officer and head
        assert msg["Subject"].startswith("【黄牌】") and TITLE in msg["Subject"]
        assert "yujing@example.cn" in msg["From"]
    text = {m["Subject"].split()[0][4:]: _text(m) for _, m in server.messages}
    assert set(text) == {NEAR, MET}
    for needle in (
        f"案件 {NEAR}",
        "期限将至",
        f"期限：{TITLE}",
        "第六十条",  # limit, article
        "届满时间：2027年1月31日 23:59",
        "责任人：张伟、李娜、赵局长（负责人）",
    ):
        assert needle in text[NEAR], needle
    assert warnings.scan(app).emailed == 0 and len(server.messages) == 2  # never twice

    app.clock.current = datetime(2027, 1, 29, 11, 0, tzinfo=SHANGHAI)
    _decide(app, MET, "2027-01-29T09:00:00+08:00")  # MET's limit met in time
    assert warnings.scan(app).cleared == 1
    met = _cards(app)[MET, "yellow"]
    assert met.cleared_by == warnings.MET and met.cleared_at is not None

    app.clock.current = FEB1
    passed = warnings.scan(app)
    assert (passed.raised, passed.emailed, passed.open_yellow, passed.open_red) == (1, 1, 0, 1)
    cards = _cards(app)
    assert (MET, "red") not in cards  # met in time: no red card
    assert cards[NEAR, "yellow"].cleared_by == warnings.ESCALATED
    rcpt, red = server.messages[-1]
    assert red["Subject"].startswith(f"【红牌】{NEAR}") and "已超过期限" in _text(red)
    assert sorted(rcpt) == ["boss@example.cn", "zhangw@example.cn"]
    assert warnings.scan(app).emailed == 0 and len(server.messages) == 3  # one per card level

    app.clock.current = datetime(2027, 2, 2, 10, 0, tzinfo=SHANGHAI)
    _decide(app, NEAR, "2027-02-02T09:00:00+08:00")  # late, but met: the red card clears
    done = warnings.scan(app)
    assert (done.cleared, done.open_yellow, done.open_red) == (1, 0, 0)
    assert _cards(app)[NEAR, "red"].cleared_by == warnings.MET

    start, end = datetime(2027, 1, 1, tzinfo=SHANGHAI), datetime(2027, 2, 3, tzinfo=SHANGHAI)
    (unit,) = [r for r in warnings.rates(app, start, end) if r.key == "wl-zd1"]
    assert (unit.cases, unit.cases_warned, unit.cases_red) == (2, 2, 1)
    assert (unit.yellow, unit.red, unit.cleared, unit.rate) == (2, 1, 2, 1.0)
    # MET's yellow: 25 hours (28th 10:00 → 29th 11:00); NEAR's red: 24 hours (1st → 2nd)
    assert unit.mean_hours_to_clear == pytest.approx(24.5)
    (officer,) = [r for r in warnings.rates(app, start, end, "officer") if r.key == "31010001"]
    assert (officer.name, officer.cases_warned, officer.red) == ("张伟", 2, 1)


def test_a_mail_server_down_leaves_the_card_to_send_at_the_next_scan(app, smtp):
    url, server = smtp
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"smtp://127.0.0.1:{s.getsockname()[1]}"
    app.settings = dataclasses.replace(app.settings, smtp_url=dead)
    app.clock = FixedClock(JAN28)
    _people(app)
    factory.open_case(app, NEAR)
    failed = warnings.scan(app)
    assert (failed.raised, failed.emailed, failed.mail_failed) == (1, 0, 1)
    assert _cards(app)[NEAR, "yellow"].emailed_at is None
    app.settings = dataclasses.replace(app.settings, smtp_url=url)
    assert warnings.scan(app).emailed == 1 and len(server.messages) == 1
    assert _cards(app)[NEAR, "yellow"].recipients == ["zhangw@example.cn", "boss@example.cn"]


def _card_line(page: str, case: str) -> str:
    at = page.index('id="warning"')
    section = page[at : page.index("</section>", at)]
    return section if case in section else ""


def test_inboxes_and_the_warnings_page_show_the_cards_to_whom_they_concern(app):
    app.clock = FixedClock(JAN28)
    _people(app)
    factory.open_case(app, NEAR)
    with TestClient(create_app(app)) as client:  # no scan ran: the pages catch up themselves
        for user, sees in (("zhangw", True), ("boss", True), ("wangq", False), ("zhouq", False)):
            login(client, user, "correct-horse-1")
            inbox = client.get("/inbox").text
            assert ('id="warning"' in inbox and NEAR in _card_line(inbox, NEAR)) is sees, user
            page = client.get("/warnings")
            assert page.status_code == 200
            assert (NEAR in page.text and "黄牌" in page.text) is sees, user
            if sees:
                line = _card_line(inbox, NEAR)
                assert "期限将至，届满时间 2027年1月31日 23:59" in line and TITLE in line
                assert '<span class="warn-card warn-yellow">黄牌</span>' in line
                assert (
                    "2027年1月31日 23:59" in page.text
                    and "张伟、李娜、赵局长（负责人）" in page.text
                )
        login(client, "jiandu", "correct-horse-1")  # the supervisor: every unit's, no inbox item
        assert NEAR in client.get("/warnings").text
        assert 'id="warning"' not in client.get("/inbox").text
        api = client.get("/api/v1/warnings").json()
        assert [(c["case"], c["level"], c["level_label"]) for c in api] == [
            (NEAR, "yellow", "黄牌")
        ]
        login(client, "fazhi", "correct-horse-1")
        assert client.get("/warnings").status_code == 403

        app.clock = FixedClock(FEB1)
        login(client, "zhangw", "correct-horse-1")
        line = _card_line(client.get("/inbox").text, NEAR)
        assert '<span class="warn-card warn-red">红牌</span>' in line and "已超过期限" in line
        assert "warn-yellow" not in line  # the yellow card gave way to the red one


def test_the_agencys_window_decides_when_the_yellow_card_comes(app):
    app.clock = FixedClock(JAN20)
    _people(app)
    factory.open_case(app, NEAR)
    change = access.SettingsChange(short_name="某文旅", warning_days=1)
    access.change_agency_settings(app, "wl", change, factory.ADMIN)
    assert access.agency_settings(app, "wl").warning_days == 1
    # Thursday 28th: one working day reaches to Friday 29th 23:59, short of the 31st
    assert warnings.scan(app, now=JAN28, send=False).raised == 0
    friday = datetime(2027, 1, 29, 10, 0, tzinfo=SHANGHAI)  # to Monday 1 February 23:59
    assert warnings.scan(app, now=friday, send=False).raised == 1


def test_the_commands_scan_list_and_count(app, run):
    now = datetime.now(SHANGHAI)
    _people(app)
    # whatever the day: one case due tomorrow night (within any window), one long overdue
    factory.open_case(app, NEAR, when=(now - timedelta(days=89)).isoformat())
    factory.open_case(app, MET, when=(now - timedelta(days=120)).isoformat())
    scanned = json.loads(run("warnings", "scan", "--json", "--no-mail"))
    assert (scanned["raised"], scanned["open_yellow"], scanned["open_red"]) == (2, 1, 1)
    assert "新亮预警 0 张" in run("warnings", "scan")  # nothing new, no server: no e-mail
    listed = {c["case"]: c for c in json.loads(run("warnings", "list", "--json"))}
    assert (listed[NEAR]["level_label"], listed[MET]["level_label"]) == ("黄牌", "红牌")
    assert listed[MET]["title"] == TITLE and listed[MET]["emailed_at"] is None
    assert "红牌" in run("warnings", "list") and TITLE[:6] in run("warnings", "list")
    since = (now - timedelta(days=1)).isoformat()
    (unit,) = json.loads(run("warnings", "rates", "--from", since, "--json"))
    assert (unit["key"], unit["cases_warned"], unit["yellow"], unit["red"]) == ("wl-zd1", 2, 1, 1)
    assert "已设置" in run("user", "email", "wangq", "wq@example.cn")
    assert "LH100" in run("user", "email", "wangq", "not-an-address", code=2)
    assert "到期前 2 个工作日" in run("agency", "settings", "wl", "--warning-days", "2")
