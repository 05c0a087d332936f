"""Forms for every act type, generated from the catalog, that keep what was typed.

The same ``FieldSpec`` that validates an entry describes its form, so a new act type gets its
form for free. Text comes back from the browser; ``parse`` turns it into typed values and
collects every problem, and a refused form is shown again with the officer's text intact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from liuhen.errors import Problem
from liuhen.kernel import jsonlines
from liuhen.procedure.fields import FieldKind, FieldSpec


class Form(Protocol):
    """Anything with a field list: an act type or a document type (the web kit knows neither)."""

    @property
    def fields(self) -> Sequence[FieldSpec]: ...


LOCAL_OFFSET = "+08:00"


def widget(spec: FieldSpec) -> str:
    """Which input the template draws for a field."""
    return {
        FieldKind.TEXT: "text", FieldKind.LONGTEXT: "textarea", FieldKind.INT: "number",
        FieldKind.SEQ: "number", FieldKind.MONEY: "money", FieldKind.DATE: "date",
        FieldKind.DATETIME: "datetime", FieldKind.BOOL: "bool", FieldKind.CHOICE: "choice",
        FieldKind.PERSON: "person", FieldKind.PERSONS: "lines", FieldKind.ITEMS: "lines",
        FieldKind.TEXTS: "lines",
    }.get(spec.kind, "json")  # fmt: skip


def local_datetime(text: str) -> str:
    """A ``datetime-local`` value carries no zone; the agency's offset is the officer's."""
    text = text.strip()
    if len(text) == 16:  # YYYY-MM-DDTHH:MM
        text += ":00"
    return text if ("+" in text[10:] or text.endswith("Z")) else text + LOCAL_OFFSET


def parse(act: Form, form: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """Typed field values from form text; problems for what cannot even be read."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in act.fields:
        name = f"f_{spec.name}"
        kind = widget(spec)
        if kind == "person":
            person = {k: form.get(f"{name}.{k}", "").strip() for k in ("name", "phone", "address")}
            if any(person.values()):
                values[spec.name] = {k: v for k, v in person.items() if v}
            continue
        raw = form.get(name, "")
        if not raw.strip():
            continue
        if kind in ("number",):
            try:
                values[spec.name] = int(raw)
            except ValueError:
                problems.append(Problem("应为整数", f"fields.{spec.name}"))
        elif kind == "bool":
            values[spec.name] = raw == "true"
        elif kind == "datetime":
            values[spec.name] = local_datetime(raw)
        elif kind == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            values[spec.name] = (
                lines if spec.kind is FieldKind.TEXTS else [{"name": n} for n in lines]
            )
        elif kind == "json":
            # locate(), not json.loads: bounded nesting and digits (json.loads ends deep input
            # in RecursionError, a 500) and no silently repeated keys, as for import files
            try:
                values[spec.name], _lines = jsonlines.locate(raw)
            except jsonlines.Refused as exc:
                problems.append(Problem(f"应为 JSON：{exc.message}", f"fields.{spec.name}"))
            except ValueError:
                problems.append(Problem("应为 JSON", f"fields.{spec.name}"))
        else:
            values[spec.name] = raw
    return values, problems


def actors(form: dict[str, str]) -> list[str]:
    return [a.strip() for a in form.get("actors", "").replace("，", ",").split(",") if a.strip()]


def as_form(spec: Form, values: dict[str, Any]) -> dict[str, str]:
    """Recorded values typed back into a generated form, so a document starts from what its
    act already recorded instead of being typed twice (the inverse of ``parse``)."""
    out: dict[str, str] = {}
    for f in spec.fields:
        v, w, name = values.get(f.name), widget(f), f"f_{f.name}"
        if v is None:
            continue
        if w == "person" and isinstance(v, dict):
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
