"""Names for the JSON the record carries whose shape is data, not code.

An act's or a document's field values are shaped by the catalog (``procedure/acts.yaml``,
``procedure/documents.yaml``) and checked at run time by the procedure's validators; a journal
entry's document, a checkpoint note or a bag's manifest is JSON read from or written to disk. A
static type can say no more of them than "a JSON object", so they get these two names, which at
least say which of the two a value is. Anything whose shape the code fixes (a row, a page of a
list, a result, a response) is a dataclass or a Pydantic model instead, never one of these.
"""

from __future__ import annotations

from typing import Any, TypeAlias

FieldValues: TypeAlias = dict[str, Any]  # an act's or a document's fields, by field name
JsonObject: TypeAlias = dict[str, Any]  # a JSON object as stored, exchanged or parsed
