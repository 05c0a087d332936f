"""The act-level numbers (issue 13): where the agency numbers a document type, the act form no
longer asks for the decision's 文号 (the system issues it on the document), and the rules read
the document's issued number into its act, so one number is the one of record."""

from __future__ import annotations

import html
from typing import Any

from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.rules.record import from_documents
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"
PENALTY = "{简称}罚决〔{年}〕{号}号"


def test_the_decision_form_leaves_its_number_to_the_system(app: Any) -> None:
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)  # the decision may be recorded from here on
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        url, act = f"/cases/{CASE}/record", {"act": "decision.decision"}
        # an agency that numbers no decisions: its officer types the number, if any
        typed = html.unescape(client.get(url, params=act).text)
        assert 'name="f_document_no"' in typed and "预计为" not in typed
        change = access.SettingsChange(short_name="某文旅",
                                       document_patterns={"penalty_decision": PENALTY})  # fmt: skip
        access.change_agency_settings(app, "wl", change, factory.ADMIN)
        page = client.get(url, params=act)
        assert page.status_code == 200, page.text[:500]
        text = html.unescape(page.text)
        assert 'name="f_document_no"' not in text
        assert "文号由系统按本机关规则在签发时编定（预计为 某文旅罚决〔2026〕1号）" in text


def _doc(seq: int, act: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "act": act, "occurred_at": "2026-11-20T10:00:00+08:00",
            "actors": [{"cert_no": "31010001"}], "body": {"fields": fields}}  # fmt: skip


def test_the_rules_read_the_issued_number_into_its_act() -> None:
    issued = "某文旅罚决〔2026〕3号"
    rec = from_documents(CASE, [
        _doc(1, "decision.decision", {"decided_on": "2026-11-20"}),
        _doc(2, "general.document", {"doc_type": "penalty_decision", "act_seq": 1,
                                     "number": issued}),
        _doc(3, "service.direct", {"document_no": issued}),
        _doc(4, "decision.decision", {"document_no": "某文旅罚决〔2025〕9号"}),
        _doc(5, "general.document", {"doc_type": "penalty_decision", "act_seq": 4,
                                     "number": "某文旅罚决〔2026〕4号"}),
        _doc(6, "decision.decision", {}),
        _doc(7, "general.document", {"doc_type": "prior_notice", "act_seq": 6,
                                     "number": "某文旅罚告〔2026〕1号"}),
    ])  # fmt: skip
    by_seq = {e.seq: e for e in rec.entries}
    assert by_seq[1].fields["document_no"] == issued  # the document's, for the 送达 to match
    assert by_seq[4].fields["document_no"] == "某文旅罚决〔2025〕9号"  # as the act recorded it
    assert "document_no" not in by_seq[6].fields  # another type's number is not the decision's
