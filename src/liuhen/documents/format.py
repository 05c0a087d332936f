"""How values read on a Chinese enforcement document: dates, times, money in capitals.

Validated values are canonical (ISO dates, decimal strings); a printed form writes
"2026年3月1日9时30分" and "人民币伍仟元整", which is what a party and a court read.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _parse(value: str) -> date | datetime:
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def cn_date(value: str | None) -> str:
    """A date or the date part of a time, as 2026年3月1日; blank stays blank for handwriting."""
    if not value:
        return ""
    d = _parse(value)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_time(value: str | None) -> str:
    if not value:
        return ""
    d = datetime.fromisoformat(value)
    return f"{d.hour}时{d.minute:02d}分"


def cn_datetime(value: str | None) -> str:
    """Times are shown at their own offset: the wall clock the officers and the party saw."""
    if not value:
        return ""
    return f"{cn_date(value)}{cn_time(value)}"


def cn_span(start: str | None, end: str | None) -> str:
    """自…至… to the minute, with the date once when both fall on the same day."""
    if not start:
        return ""
    if not end:
        return f"{cn_datetime(start)}起"
    if cn_date(start) == cn_date(end):
        return f"{cn_datetime(start)}至{cn_time(end)}"
    return f"{cn_datetime(start)}至{cn_datetime(end)}"


def add_days(value: str, days: int) -> str:
    """The last day of a period of ``days`` days that starts on ``value`` (the first day counts)."""
    return (date.fromisoformat(value[:10]) + timedelta(days=days - 1)).isoformat()


def _group(n: int) -> str:
    """Capitals for 0 < n < 10000, with 零 for inner zero runs (1005 → 壹仟零伍)."""
    text = ""
    pending_zero = False
    for pos in range(3, -1, -1):
        digit = n // 10**pos % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[pos]
    return text


def rmb_upper(amount: str | None) -> str:
    """Money in the capital numerals that decisions and receipts use, so it cannot be altered."""
    if amount is None or amount == "":
        return ""
    cents = int((Decimal(amount) * 100).quantize(Decimal(1)))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups: list[int] = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text = ""
    zero = False  # a zero group between written ones: 壹亿零壹元
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            zero = bool(text)
            continue
        if text and (zero or value < 1000):
            text += "零"
        zero = False
        text += _group(value) + _GROUP_UNITS[index]
    if yuan:
        text += "元"
    if jiao == 0 and fen == 0:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return text


def yuan(amount: str | None) -> str:
    return f"{amount}元" if amount else ""


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "是" if value else "否"


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a long text: one paragraph or one 问/答 each."""
    if not text:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def index_cells(row: str) -> list[str]:
    """The six cells of a 卷内文件目录 row: 文号, 责任者, 题名, 日期, 页号, 备注."""
    cells = [c.strip() for c in row.replace("｜", "|").split("|")]
    return cells + [""] * (6 - len(cells))


# A provision as decisions cite it: 《名称》 then its article (第…条, 第…款, 第（…）项).
PROVISION = re.compile(r"^(《[^《》]+》)\s*(第\S+)$")
# A number someone typed before an item of a list the form numbers itself: "1." "1、" "（1）".
_LEADING_NUMBER = re.compile(
    r"^\s*(?:\d+\s*[.．、)）](?!\d)|[（(]\s*\d+\s*[)）]|[一二三四五六七八九十]+、)\s*"
)


def unnumbered(text: str | None) -> str:
    """An item of a numbered list without the number typed before it, so it is numbered once."""
    return _LEADING_NUMBER.sub("", text or "", count=1).strip()


def provisions(items: list[str] | None) -> str:
    """Provisions as one clause: 《A》第二十一条、第二十三条、《B》第六条 (a law named once for its
    articles that follow one another)."""
    parts: list[str] = []
    last_law = ""
    for item in items or []:
        found = PROVISION.match(item.strip())
        if found is None:
            parts.append(item.strip())
            last_law = ""
            continue
        law, article = found.groups()
        parts.append(article if law == last_law else law + article)
        last_law = law
    return "、".join(p for p in parts if p)
