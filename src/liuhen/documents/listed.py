"""The officers a form lists (检查人员、询问人、执法人员) sign it, checked before it is issued.

A 笔录 that names two inspectors and carries one signature is worthless as evidence of two
officers' presence (行政处罚法 第四十二条第一款、第五十五条第二款). The rules engine finds it in
the journal, imported records too (``documents.officers_signed``); here the officer's own form
is refused before anything is signed. Only a listed officer named by the certificate number of a
registered officer can be told apart here: one listed by name alone is left to the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from liuhen.documents.types import DocType
from liuhen.errors import Problem
from liuhen.payloads import FieldValues
from liuhen.procedure.fields import Block

# The fields of the forms that list the officers who did the act, by name and certificate.
LISTED_FIELDS = ("inquirers", "inspectors", "officers")
_CERT = re.compile(r"\d{6,}")
# The blocks an officer signs in: one who signs a 笔录 as its 记录人 has signed it.
OFFICER_BLOCKS = (Block.OFFICER, Block.RECORDER, Block.HOST, Block.SERVER)


def unsigned_listed(
    doc: DocType,
    values: FieldValues,
    signers: Collection[dict[str, str]],
    refusal_certs: Collection[str],
    registered: Callable[[list[str]], dict[str, str]],
) -> list[Problem]:
    """A problem for each listed registered officer who signs in none of the officers' blocks
    (``signers``: the request's {"role", "cert_no"}) nor as a witness of the party's refusal;
    ``registered`` gives cert_no → name of the registered officers among the numbers given."""
    signing = {s.get("cert_no") for s in signers if s.get("role") in OFFICER_BLOCKS}
    signing |= set(refusal_certs)
    listed: list[tuple[str, str, str, str]] = []  # field, its label, the entry, the number
    for spec in doc.fields:
        if spec.name not in LISTED_FIELDS:
            continue
        label = spec.label.split("（")[0]
        for entry in values.get(spec.name) or []:
            listed += [(spec.name, label, str(entry), c) for c in _CERT.findall(str(entry))]
    if not listed:
        return []
    known = registered(sorted({cert for *_, cert in listed}))
    return [
        Problem(
            f"列明的{label}“{entry}”未签名：应由其在场签名（在签名栏填写其执法证号并确认），"
            "未参与的请从列明的人员中删去（行政处罚法 第四十二条第一款）",
            f"fields.{name}", label=label, kind="signature",
        )
        for name, label, entry, cert in listed
        if cert in known and cert not in signing
    ]  # fmt: skip
