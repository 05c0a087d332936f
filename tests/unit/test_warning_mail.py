"""A card's e-mail: the card's colour and the case in the subject, the limit, its article, the
due time and who answers for it in the body, Chinese names in the headers intact."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from liuhen.warnings.mail import compose
from liuhen.warnings.schemas import Card

CARD = Card(
    id=1, case="某文旅罚〔2026〕1号", cause="未经许可擅自从事营业性演出", unit="wl-zd1",
    rule="deadline.decision", code="deadline.decision:overdue", level="red", level_label="红牌",
    title="自立案之日起九十日内作出行政处罚决定", message="…仍未见“行政执法决定”",
    cite=["《中华人民共和国行政处罚法》第六十条"], due_at="2027-01-31T23:59:59+08:00",
    due_text="2027年1月31日 23:59", raised_at="2027-02-01T10:00:00+08:00", cleared_at=None,
    cleared_by=None, emailed_at=None, handlers=["31010001"],
    responsible=["张伟", "赵局长（负责人）"],
)  # fmt: skip


def test_a_red_cards_mail_reads_in_chinese_after_the_wire() -> None:
    msg = compose(CARD, [("张伟", "zw@example.cn"), ("赵局长", "boss@example.cn")], "yj@x.cn")
    back = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(back, EmailMessage)
    assert back["Subject"] == f"【红牌】{CARD.case} {CARD.title}：已超过期限"
    assert back["To"].addresses[0].display_name == "张伟"
    assert [a.addr_spec for a in back["To"].addresses] == ["zw@example.cn", "boss@example.cn"]
    body = back.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())
    assert text.startswith("张伟、赵局长：")
    for line in ("期限：自立案之日起九十日内作出行政处罚决定",
                 "依据：《中华人民共和国行政处罚法》第六十条", "届满时间：2027年1月31日 23:59",
                 "责任人：张伟、赵局长（负责人）", "该期限已届满，请立即处理"):  # fmt: skip
        assert line in text, line
