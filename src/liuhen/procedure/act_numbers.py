"""Which act field names the 文号 of the document the system issues for that act.

An act recorded a decision's number by hand (``document_no``, ``decision_no``) before documents
got their numbers from the agency's series (``kernel.numbering``). Where the agency numbers the
document type, the act form no longer asks for it and the document's issued number is the one
of record: the rules read it into the act (``rules.record``), so a 送达 naming that number
matches the decision it serves. A number the act did record (older cases, agencies that do not
number the type) stays as recorded.
"""

from __future__ import annotations

# act type → (its field holding the number, the document type whose issued number it is)
ACT_NUMBERS: dict[str, tuple[str, str]] = {
    "decision.decision": ("document_no", "penalty_decision"),
    "decision.summary": ("document_no", "summary_decision"),
    "investigation.seal": ("decision_no", "seal_decision"),
    "investigation.seize": ("decision_no", "seal_decision"),
    "investigation.release_seal": ("decision_no", "release_decision"),
    "investigation.release_seize": ("decision_no", "release_decision"),
}

NOTE = "文号由系统按本机关规则在签发时编定"
