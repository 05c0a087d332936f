"""A refusal laid out on its form: each problem beside the input it concerns.

A refusal's problems name machine paths ("fields.cause", "confirm.11010031", "sign.reviewer");
a person reads them beside the input they typed into. ``FieldErrors`` places each problem at
one input of the page (by the input's ``id``), gives the page what it needs to mark that input
(``aria-invalid``, ``aria-describedby``, focus on the first) and the summary at the top, whose
entries link to the inputs in the order the page shows them. A problem no input holds stays
in the summary, unlinked, last.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from liuhen.errors import LiuhenError, Problem

_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Entry:
    """One line of the summary: the message, and the input it links to (None: no input)."""

    message: str
    target: str | None


def input_for(path: str, inputs: Sequence[str], aliases: Mapping[str, str]) -> str | None:
    """The input (by id) a problem at ``path`` is shown beside, or None.

    ``path`` is tried whole, then without its last part ("fields.subject.phone", then
    "fields.subject"), each first through ``aliases`` (path → input id, for what a page names
    differently) and then by the forms' naming: ``fields.x`` is input ``f_x``, ``refusal.reason``
    is ``refusal_reason``.
    """
    known = set(inputs)
    part = path
    while part:
        for candidate in (aliases.get(part), _named(part)):
            if candidate is not None and candidate in known:
                return candidate
        part = _parent(part)
    return None


def _named(path: str) -> str:
    if path.startswith("fields."):
        return "f_" + _INDEX.sub("", path.removeprefix("fields."))
    return _INDEX.sub("", path).replace(".", "_")


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rpartition(".")[0]


class FieldErrors:
    """Where each problem of ``error`` is shown on a form whose inputs are ``inputs`` (their
    ids, in the order the page shows them)."""

    def __init__(
        self,
        error: LiuhenError | None,
        inputs: Sequence[str],
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.error = error
        self._at: dict[str, list[Problem]] = {}
        self.summary: list[Entry] = []
        problems = error.problems if error is not None else []
        for p in problems:
            target = input_for(p.field, inputs, aliases or {}) if p.field else None
            if target is not None:
                self._at.setdefault(target, []).append(p)
            self.summary.append(Entry(p.message, target))
        # in the order of the page, top to bottom; what no input holds, last
        order = {name: i for i, name in enumerate(inputs)}
        self.summary.sort(key=lambda e: order.get(e.target or "", len(order)))
        self.first = next((i for i in inputs if i in self._at), None)

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def count(self) -> int:
        return len(self.summary)

    def at(self, input_id: str) -> list[str]:
        """The messages shown beside ``input_id``, each once."""
        return list(dict.fromkeys(p.message for p in self._at.get(input_id, [])))

    def attrs(self, input_id: str) -> Markup:
        """The attributes that mark an invalid input: read with its message, focused if first."""
        if input_id not in self._at:
            return Markup("")
        out = f' aria-invalid="true" aria-describedby="err-{escape(input_id)}"'
        if input_id == self.first:
            out += " autofocus"
        return Markup(out)

    def css(self, input_id: str) -> str:
        """The class added to the block around an invalid input."""
        return " invalid" if input_id in self._at else ""

    def note(self, input_id: str) -> Markup:
        """The messages beside ``input_id``, as the element ``aria-describedby`` names."""
        messages = self.at(input_id)
        if not messages:
            return Markup("")
        lines = Markup("<br>").join(escape(m) for m in messages)
        return Markup('<p class="field-error" id="err-{}">{}</p>').format(input_id, lines)
