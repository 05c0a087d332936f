"""Holiday arrangements: importing a year (journaled) and the working calendar in force."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select

from liuhen.errors import ImportFormatError, Problem
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role
from liuhen.rules import yamlmarks
from liuhen.rules.calendar import WorkingCalendar, YearData


def parse(text: str) -> list[FieldValues]:
    """Years from a YAML or JSON file: one mapping or a list of them, each
    ``{year, holidays: [YYYY-MM-DD…], workdays: [YYYY-MM-DD…], source}``."""
    try:
        data, _lines = yamlmarks.load(text)  # duplicate keys, deep nesting, alias bombs refused
    except yamlmarks.YamlError as exc:
        raise ImportFormatError(
            "节假日文件不是有效的 YAML/JSON，未导入任何内容", [Problem(exc.message, None, exc.line)]
        ) from None
    items = data if isinstance(data, list) else [data]
    problems: list[Problem] = []
    years: list[FieldValues] = []  # each the fields of a registry.calendar act
    for i, item in enumerate(items):
        where = f"[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem("每一年应为一个映射", where))
            continue
        year = item.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            problems.append(Problem("year 应为 2000–2100 的年份", f"{where}.year"))
            continue
        lists: dict[str, list[str]] = {}
        for key in ("holidays", "workdays"):
            raw = item.get(key) or []
            if not isinstance(raw, list) or (key == "holidays" and not raw):
                problems.append(
                    Problem(
                        "应为日期列表" + ("（不能为空）" if key == "holidays" else ""),
                        f"{where}.{key}",
                    )
                )
                continue
            lists[key] = _days(raw, year, f"{where}.{key}", problems)
        both = set(lists.get("holidays", [])) & set(lists.get("workdays", []))
        if both:
            problems.append(
                Problem(f"同一天既是假日又是调休上班日：{'、'.join(sorted(both))}", where)
            )
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(Problem("必填：依据（如国务院办公厅通知的文号）", f"{where}.source"))
        years.append({"year": year, **lists, "source": str(source or "").strip()})
    if problems:
        raise ImportFormatError(f"节假日文件有 {len(problems)} 处问题，未导入任何内容", problems)
    return years


def _days(raw: list[Any], year: int, where: str, problems: list[Problem]) -> list[str]:
    """The dates of one list, sorted and each once; each bad one is a problem."""
    days = []
    for j, value in enumerate(raw):
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            problems.append(Problem(f"日期无效：{value}", f"{where}[{j}]"))
            continue
        if day.year != year:
            problems.append(Problem(f"{day} 不属于 {year} 年", f"{where}[{j}]"))
        days.append(day.isoformat())
    return sorted(set(days))


def import_years(app: App, text: str, by: str = "admin") -> list[Appended]:
    drafts = [
        record.build_draft(
            ActInput(
                "registry.calendar",
                app.clock.now().isoformat(),
                fields=y,
                recorded_by={"id": by, "role": Role.ADMIN.value},
            ),
            app.clock.now(),
        )
        for y in parse(text)
    ]
    return app.journal.append_all(drafts)


def imported_years(app: App) -> list[YearData]:
    t = store.CALENDAR_YEAR
    with app.engine.connect() as conn:
        rows = conn.execute(select(t)).mappings().all()
    return [
        YearData(
            int(r["year"]),
            frozenset(date.fromisoformat(d) for d in json.loads(r["holidays"])),
            frozenset(date.fromisoformat(d) for d in json.loads(r["workdays"])),
            r["source"],
        )
        for r in rows
    ]


def working_calendar(app: App) -> WorkingCalendar:
    return WorkingCalendar.default(imported_years(app), app.settings.timezone)
