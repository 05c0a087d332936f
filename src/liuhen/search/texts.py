"""What text each record gives the index: a case's header, an entry's fields, a document.

Only what a person wrote or read is indexed: names, numbers, facts, notes. Digests, signatures,
times and record numbers are left out (nobody searches a hash, and a time matched by its digits
would flood every search for a year). Pure: takes the row and the entry as read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from liuhen.procedure.catalog import DOCUMENT_TYPES, act_type

DOCUMENT = "general.document"
# entries that are no text of the case: viewings, the marks themselves (what they protect is
# marked on the records they name), registry entries
SKIPPED = frozenset({"general.review_access", "general.confidentiality"})
SKIPPED_KEYS = frozenset({"digest", "signatures", "act_seq", "supersedes", "records", "issued"})
# an act's own codes, not words: the case's unit, category and procedure (a party's or a
# person's "unit" further down is his 工作单位, a name worth finding)
CODE_FIELDS = frozenset({"unit", "category", "procedure"})
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?$")
DIGEST = re.compile(r"^(sha256|sm3):[0-9a-f]{16,}$")
TITLE_MAX = 200


@dataclass(frozen=True, slots=True)
class Text:
    """One searchable text: its kind (``case``, ``document``, ``act``), the entry it comes from
    (None: the case's header), a title and the text itself."""

    kind: str
    seq: int | None
    title: str
    body: str


def strings(value: Any, key: str = "") -> Iterator[str]:
    """The written strings in a field value, depth first, leaving out what nobody searches."""
    if key in SKIPPED_KEYS:
        return
    if isinstance(value, str):
        text = value.strip()
        if text and not TIME.match(text) and not DIGEST.match(text):
            yield text
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, key)


def header(number: str, cause: str, summary: str, parties: str) -> Text:
    """A case's header: its number and cause (the title), its parties by name, ID number and
    organisation, and what the case is about."""
    named: list[str] = []
    for party in json.loads(parties or "[]"):
        if isinstance(party, dict):
            named += [str(party[k]) for k in ("name", "id_no", "unit") if party.get(k)]
        elif isinstance(party, str):
            named.append(party)
    body = "；".join([*dict.fromkeys(named), summary.strip()] if summary else named)
    return Text("case", None, f"{number} {cause}"[:TITLE_MAX], body)


def entry(seq: int, act: str, body: dict[str, Any]) -> Text | None:
    """An entry's text, or None when it has none worth finding (a viewing, a mark, a media
    file without a note). A document entry is a ``document`` titled by its kind and 文号."""
    if act in SKIPPED or act.startswith("registry."):
        return None
    fields = body.get("fields") or {}
    if act == DOCUMENT:
        kind = str(fields.get("doc_type", ""))
        title = " ".join(t for t in (DOCUMENT_TYPES.get(kind, kind), fields.get("number")) if t)
        texts = [*strings(fields.get("content")), *strings(fields.get("refusal_reason"))]
        return Text("document", seq, str(title)[:TITLE_MAX] or "执法文书", "；".join(texts))
    spec = act_type(act)
    texts = list(strings({k: v for k, v in fields.items() if k not in CODE_FIELDS}))
    if body.get("place"):
        texts.insert(0, str(body["place"]))
    if not texts:
        return None
    return Text("act", seq, (spec.label if spec else act)[:TITLE_MAX], "；".join(texts))
