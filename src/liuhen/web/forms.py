"""Forms for every act type, generated from the catalog, that keep what was typed.

The same ``FieldSpec`` that validates an entry describes its form, so a new act type gets its
form for free. Text comes back from the browser; ``parse`` turns it into typed values and
collects every problem, and a refused form is shown again with the officer's text intact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from liuhen.errors import Problem
from liuhen.kernel import jsonlines
from liuhen.payloads import FieldValues
from liuhen.procedure.fields import FieldKind, FieldSpec
from liuhen.web import persons_form


class Form(Protocol):
    """Anything with a field list: an act type or a document type (the web kit knows neither)."""

    @property
    def fields(self) -> Sequence[FieldSpec]: ...


# A person's parts a form may post (``f_party.id_no``): the act forms draw name, phone and
# address; the document forms every part a printed form names (the party's labelled details).
PERSON_PARTS = ("name", "gender", "age", "id_no", "unit", "title", "phone", "address")


def widget(spec: FieldSpec) -> str:
    """Which input the template draws for a field."""
    return {
        FieldKind.TEXT: "text", FieldKind.LONGTEXT: "textarea", FieldKind.INT: "number",
        FieldKind.SEQ: "number", FieldKind.MONEY: "money", FieldKind.DATE: "date",
        FieldKind.DATETIME: "datetime", FieldKind.BOOL: "bool", FieldKind.CHOICE: "choice",
        FieldKind.PERSON: "person", FieldKind.PERSONS: "lines", FieldKind.ITEMS: "lines",
        FieldKind.TEXTS: "lines",
    }.get(spec.kind, "json")  # fmt: skip


def input_ids(form: Form, *, person_parts: bool = True) -> list[str]:
    """The ids of a generated form's inputs in page order, so a refusal's problems can be shown
    beside them (``web.field_errors``); a person's phone and address only where the form draws
    them (``person_parts``)."""
    ids: list[str] = []
    for spec in form.fields:
        if not spec.form:
            continue
        name = f"f_{spec.name}"
        ids.append(name)
        if person_parts and widget(spec) == "person":
            ids += [f"{name}.phone", f"{name}.address"]
    return ids


def local_datetime(text: str, zone: tzinfo) -> str:
    """A ``datetime-local`` value carries no zone; the agency's is the officer's.

    The offset is the one ``zone`` has at that local time, so a zone with summer time gets the
    right one for the date; +08:00 for the default Asia/Shanghai. Callers pass the instance's
    zone (``app.settings.timezone``, from ``LIUHEN_TIMEZONE``): the kit reads no settings.
    """
    text = text.strip()
    if len(text) == 16:  # YYYY-MM-DDTHH:MM
        text += ":00"
    if "+" in text[10:] or text.endswith("Z"):
        return text
    return text + _offset_at(text, zone)


def _offset_at(text: str, zone: tzinfo) -> str:
    """``zone``'s ISO offset at local time ``text``; text that is no naive time is refused later
    whatever offset it gets, so it gets the zone's offset on a fixed day."""
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        local = None
    if local is None or local.tzinfo is not None:
        local = datetime(2000, 1, 1)  # noqa: DTZ001 - a wall time whose zone is attached below
    offset = local.replace(tzinfo=zone).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(abs(int(offset.total_seconds())), 60)
    hours_minutes = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return hours_minutes + (f":{seconds:02d}" if seconds else "")


def parse(act: Form, form: dict[str, str], zone: tzinfo) -> tuple[FieldValues, list[Problem]]:
    """Typed field values from form text; problems for what cannot even be read. Local times
    take ``zone``'s offset (see ``local_datetime``)."""
    values: FieldValues = {}
    problems: list[Problem] = []
    for spec in act.fields:
        if not spec.form:  # someone else's to record: not read from this form
            continue
        name = f"f_{spec.name}"
        kind = widget(spec)
        if kind == "lines" and spec.kind is FieldKind.PERSONS and not form.get(name, "").strip():
            people, unread = persons_form.read_many(spec, form)  # the act form's editor
            problems += unread
            if people:
                values[spec.name] = people
            continue
        if kind == "person":
            person: dict[str, Any] = {k: form.get(f"{name}.{k}", "").strip() for k in PERSON_PARTS}
            if f"{name}.kind" in form:  # the act form's editor: its parts, kept ones included
                edited, _bad = persons_form.read_one(form, name)
                person |= {k: v for k, v in (edited or {}).items() if k != "age"}
            if any(person.values()):
                if person["age"]:
                    if not person["age"].isdigit():
                        problems.append(Problem(
                            f"{spec.label}的年龄须为整数", f"fields.{spec.name}",
                            label=spec.label, kind="number",
                        ))  # fmt: skip
                    else:
                        person["age"] = int(person["age"])
                values[spec.name] = {k: v for k, v in person.items() if v not in ("", None)}
            continue
        raw = form.get(name, "")
        if not raw.strip():
            continue
        try:
            values[spec.name] = _typed(spec, kind, raw, zone)
        except _Unreadable as exc:
            problems.append(Problem(
                f"{spec.label}{exc.args[0]}", f"fields.{spec.name}", label=spec.label,
                kind=exc.args[1],
            ))  # fmt: skip
    return values, problems


class _Unreadable(Exception):
    """Field text that cannot be read as its kind: what is wrong (after the field's label) and
    the kind of problem (``liuhen.errors.KINDS``)."""


def _typed(spec: FieldSpec, kind: str, raw: str, zone: tzinfo) -> Any:
    """One field's value from its non-blank text."""
    if kind in ("number",):
        try:
            return int(raw)
        except ValueError:
            raise _Unreadable("须为整数", "number") from None
    if kind == "bool":
        return raw == "true"
    if kind == "datetime":
        return local_datetime(raw, zone)
    if kind == "lines":
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        return lines if spec.kind is FieldKind.TEXTS else [{"name": n} for n in lines]
    if kind == "json":
        # locate(), not json.loads: bounded nesting and digits (json.loads ends deep input
        # in RecursionError, a 500) and no silently repeated keys, as for import files
        try:
            value, _lines = jsonlines.locate(raw)
        except jsonlines.Refused as exc:
            raise _Unreadable(f"的填写格式不正确（应为 JSON：{exc.message}）", "format") from None
        except ValueError:
            raise _Unreadable("的填写格式不正确（应为 JSON）", "format") from None
        return value
    return raw


ACTOR = "actor:"  # a checked officer of the act form's picker: ``actor:<cert_no>``


def actors(form: dict[str, str]) -> list[str]:
    """The acting officers: those checked in the picker (``actor:<cert_no>``, in page order),
    then those typed by certificate number (``actors``, comma-separated: officers of another
    unit, and API-era clients), each once."""
    checked = [v.strip() for k, v in form.items() if k.startswith(ACTOR) and v.strip()]
    typed = [a.strip() for a in form.get("actors", "").replace("，", ",").split(",") if a.strip()]
    return list(dict.fromkeys(checked + typed))


def as_form(spec: Form, values: FieldValues) -> dict[str, str]:
    """Recorded values typed back into a generated form, so a document starts from what its
    act already recorded instead of being typed twice (the inverse of ``parse``)."""
    out: dict[str, str] = {}
    for f in spec.fields:
        v, w, name = values.get(f.name), widget(f), f"f_{f.name}"
        if v is None:
            continue
        if w == "person" and isinstance(v, dict):
            out |= {f"{name}.{k}": str(v[k]) for k in PERSON_PARTS if v.get(k) is not None}
            out[name + ".name"] = str(v.get("name") or "")
        elif w == "lines" and isinstance(v, list):
            out[name] = "\n".join(x if isinstance(x, str) else str(x.get("name", "")) for x in v)
        elif w == "bool":
            out[name] = "true" if v else "false"
        elif w == "datetime":
            out[name] = str(v)[:16]
        elif w == "json":
            out[name] = json.dumps(v, ensure_ascii=False)
        else:
            out[name] = str(v)
    return out
