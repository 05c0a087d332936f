"""Every form with an approver's block says what his signature records (``APPROVER_RECORDS``):
a form added without a row would otherwise be signed and leave the rules nothing to read."""

from __future__ import annotations

from liuhen.documents.approvals import APPROVER_RECORDS, HEAD_APPROVAL
from liuhen.documents.types import DOC_TYPES
from liuhen.procedure.catalog import act_type
from liuhen.procedure.fields import Block


def test_every_form_the_head_approves_has_a_row():
    approved = {d.code for d in DOC_TYPES.values() if Block.APPROVER in d.signers}
    missing = approved - set(APPROVER_RECORDS)
    assert not missing, f"add these to approvals.APPROVER_RECORDS: {sorted(missing)}"


def test_each_row_records_a_known_act():
    for code, records in APPROVER_RECORDS.items():
        if records is not None:
            assert act_type(records.act) is not None, code
    assert APPROVER_RECORDS["filing_approval"] is not None
    assert APPROVER_RECORDS["filing_approval"].act == HEAD_APPROVAL
