"""A card as an e-mail in Chinese, and sending it through the configured SMTP server.

``LIUHEN_SMTP_URL`` names the server: ``smtp://host:port`` (STARTTLS when the server offers it)
or ``smtps://host:port``, with ``user:password@`` if it asks for a login. Nothing here decides
whom or when: the scan does (``warnings.cards``).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from liuhen.warnings.levels import LABELS, MEANING, Level
from liuhen.warnings.schemas import Card

TIMEOUT = 30  # seconds for the SMTP conversation

ADVICE = {
    Level.YELLOW: "请在期限届满前依法办结；确需延长的，依法报批并记录。",
    Level.RED: "该期限已届满，请立即处理，并说明逾期原因。",
}


def compose(card: Card, to: list[tuple[str, str]], sender: str, base_url: str = "") -> EmailMessage:
    """The message for ``card`` to ``to`` (name, address): the case, the time limit, its
    article, when it falls due and who answers for it."""
    level = Level(card.level)
    msg = EmailMessage()
    msg["Subject"] = f"【{LABELS[level]}】{card.case} {card.title}：{MEANING[level]}"
    msg["From"] = formataddr(("留痕期限预警", sender))
    msg["To"] = ", ".join(formataddr((name, address)) for name, address in to)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "liuhen")
    names = "、".join(dict.fromkeys(name for name, _ in to))
    lines = [
        f"{names}：",
        "",
        f"案件 {card.case}（{card.cause}）的一项办案期限{MEANING[level]}，"
        f"系统亮{LABELS[level]}预警。",
        "",
        f"期限：{card.title}",
        f"依据：{'；'.join(card.cite)}",
        f"届满时间：{card.due_text}",
        f"情况：{card.message}",
        f"责任人：{'、'.join(card.responsible) or '（未登记）'}",
        "",
        ADVICE[level],
        f"案件页面：{base_url}/cases/{card.case}#compliance",
        "",
        "本邮件由留痕系统的期限预警自动发出，同一期限的同一级别预警只发送一次；"
        "期限届满前办结的，预警自动解除。",
    ]
    msg.set_content("\n".join(lines), charset="utf-8")
    return msg


def send(url: str, msg: EmailMessage) -> None:
    """Hand ``msg`` to the server at ``url``; raises ``OSError``/``smtplib.SMTPException``."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        context = ssl.create_default_context()
        with smtplib.SMTP_SSL(host, port or 465, timeout=TIMEOUT, context=context) as smtp:
            _deliver(smtp, parts.username, parts.password, msg)
        return
    with smtplib.SMTP(host, port or 25, timeout=TIMEOUT) as smtp:
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        _deliver(smtp, parts.username, parts.password, msg)


def _deliver(smtp: smtplib.SMTP, user: str | None, password: str | None, msg: EmailMessage) -> None:
    if user:
        smtp.login(unquote(user), unquote(password or ""))
    smtp.send_message(msg)
