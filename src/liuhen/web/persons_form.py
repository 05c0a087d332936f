"""The act form's editor of parties: each person in labelled parts instead of a line of text.

An officer records a party as the documents print it: 公民 with 身份证号码, 法人或者其他组织
with 统一社会信用代码 and 法定代表人（负责人）, 个体工商户. Inputs are named by the value's path
(``f_party.id_no`` for a ``person`` field, ``f_parties.1.phone`` for the second of a
``persons`` field), so a refusal's problems land beside the part they concern. Parts the case
already knew that the editor does not draw (a party's 身份, 性别, 年龄, 单位, 职务) ride along as
hidden inputs, so a party pre-filled from the case is recorded as the case holds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from liuhen.errors import Problem
from liuhen.procedure.fields import FieldKind, FieldSpec

# the kinds of party the 行政处罚 documents distinguish; the stored value keeps it as the 身份
TYPES = {"citizen": "公民", "org": "法人或者其他组织", "sole": "个体工商户"}
_ROLE_OF = {"org": TYPES["org"], "sole": TYPES["sole"]}
# what the id number is called for each kind (static/party_editor.js says the same)
ID_LABELS = {
    "citizen": "身份证号码",
    "org": "统一社会信用代码",
    "sole": "统一社会信用代码或经营者身份证号码",
}
EDITED = ("name", "id_no", "address", "phone", "legal_rep")
KEPT = ("role", "gender", "age", "unit", "title")
MAX_ROWS = 50  # more parties than any case names; bounds what a post can make the server read
_RESIDENT_ID = re.compile(r"^\d{6}[\d*]{8}\d{3}[\dXx]$")


def is_editor(spec: FieldSpec, form: Mapping[str, str] | None = None) -> bool:
    """Whether the field is drawn in parts: a person, or persons unless ``form`` posted them
    the older way, a name a line (clients of the plain form), which is shown back as typed."""
    if spec.kind is FieldKind.PERSONS and form is not None:
        name = f"f_{spec.name}"
        return not (form.get(name, "").strip() and not row_indices(form, name))
    return spec.kind in (FieldKind.PERSON, FieldKind.PERSONS)


def kind_of(person: Mapping[str, Any]) -> str:
    """Which of ``TYPES`` a recorded person is, read from what it holds."""
    role = str(person.get("role") or "")
    if TYPES["sole"] in role:
        return "sole"
    if TYPES["org"] in role or person.get("legal_rep"):
        return "org"
    no = str(person.get("id_no") or "")
    if "gender" in person or "age" in person or _RESIDENT_ID.match(no):
        return "citizen"
    return "org" if len(no) == 18 else "citizen"


def read_one(form: Mapping[str, str], prefix: str) -> tuple[dict[str, Any] | None, list[str]]:
    """One person from inputs ``prefix.part``, or None when all are blank; the parts that
    cannot be read (an age that is no number)."""
    parts: dict[str, Any] = {k: form.get(f"{prefix}.{k}", "").strip() for k in (*EDITED, *KEPT)}
    if not any(parts.values()):
        return None, []
    kind = form.get(f"{prefix}.kind", "").strip()
    if kind in _ROLE_OF and not parts["role"]:
        parts["role"] = _ROLE_OF[kind]
    elif kind == "citizen" and parts["role"] in _ROLE_OF.values():
        parts["role"] = ""
    bad = []
    if parts["age"]:
        if parts["age"].isdigit():
            parts["age"] = int(parts["age"])
        else:
            bad.append("age")
    return {k: v for k, v in parts.items() if v != ""}, bad


def row_indices(form: Mapping[str, str], name: str) -> list[int]:
    """The rows of a ``persons`` editor the form holds (``name.3.part``), in order."""
    found: set[int] = set()
    head = name + "."
    for key in form:
        if key.startswith(head):
            index = key[len(head) :].partition(".")[0]
            if index.isdigit() and int(index) < MAX_ROWS:
                found.add(int(index))
    return sorted(found)


def read_many(
    spec: FieldSpec, form: Mapping[str, str]
) -> tuple[list[dict[str, Any]] | None, list[Problem]]:
    """A ``persons`` field from its editor's rows (blank rows left out), or None when the form
    has no rows (a client posting the field as lines of names)."""
    name = f"f_{spec.name}"
    rows = row_indices(form, name)
    if not rows:
        return None, []
    people: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i in rows:
        person, bad = read_one(form, f"{name}.{i}")
        if person is None:
            continue
        for part in bad:
            problems.append(Problem(
                f"{spec.label}第 {len(people) + 1} 项的年龄须为整数",
                f"fields.{spec.name}[{len(people)}].{part}", label=spec.label, kind="number",
            ))  # fmt: skip
        people.append(person)
    return people, problems


def aliases(specs: Sequence[FieldSpec], form: Mapping[str, str]) -> dict[str, str]:
    """Problem path → input id for the ``persons`` editors: the validation counts the parties
    recorded (blank rows left out), the page its rows."""
    out: dict[str, str] = {}
    for spec in specs:
        if spec.kind is not FieldKind.PERSONS:
            continue
        name = f"f_{spec.name}"
        rows = [i for i in row_indices(form, name) if read_one(form, f"{name}.{i}")[0]]
        first = (rows or row_indices(form, name) or [0])[0]
        out[f"fields.{spec.name}"] = f"{name}.{first}.name"
        for n, i in enumerate(rows):
            out[f"fields.{spec.name}[{n}]"] = f"{name}.{i}.name"
            for part in (*EDITED, "age"):
                out[f"fields.{spec.name}[{n}].{part}"] = f"{name}.{i}.{part}"
    return out


def input_ids(specs: Sequence[FieldSpec], form: Mapping[str, str]) -> list[str]:
    """The editors' input ids in page order (a ``person``'s name input is ``f_x`` itself)."""
    ids: list[str] = []
    for spec in specs:
        name = f"f_{spec.name}"
        if not spec.form or not is_editor(spec):
            continue
        if not is_editor(spec, form):
            ids.append(name)
        elif spec.kind is FieldKind.PERSON:
            ids += [name] + [f"{name}.{p}" for p in EDITED[1:]]
        else:
            for i in row_indices(form, name) or [0]:
                ids += [f"{name}.{i}.{p}" for p in EDITED]
    return ids


def rows(spec: FieldSpec, form: Mapping[str, str]) -> list[tuple[str, dict[str, str]]]:
    """What the editor draws for a field: each person's input prefix and its parts' text
    (``kind`` included)."""
    name = f"f_{spec.name}"
    if spec.kind is FieldKind.PERSON:
        prefixes = [name]
    else:
        prefixes = [f"{name}.{i}" for i in row_indices(form, name) or [0]]
    out = []
    for prefix in prefixes:
        parts = {k: form.get(f"{prefix}.{k}", "") for k in ("kind", *EDITED, *KEPT)}
        if parts["kind"] not in TYPES:
            parts["kind"] = kind_of({k: v for k, v in parts.items() if v})
        out.append((prefix, parts))
    return out


def as_form(spec: FieldSpec, value: Any) -> dict[str, str]:
    """A recorded person (or list of them) typed back into the editor's inputs."""
    name = f"f_{spec.name}"
    people = value if isinstance(value, list) else [value]
    out: dict[str, str] = {}
    for i, person in enumerate(people[:MAX_ROWS]):
        if not isinstance(person, Mapping):
            continue
        prefix = name if spec.kind is FieldKind.PERSON else f"{name}.{i}"
        kind = kind_of(person)
        out[f"{prefix}.kind"] = kind
        for part in (*EDITED, *KEPT):
            v = person.get(part)
            if v is None or (part == "role" and v == _ROLE_OF.get(kind)):
                continue
            out[f"{prefix}.{part}"] = str(v)
        if spec.kind is FieldKind.PERSON:
            break
    return out
