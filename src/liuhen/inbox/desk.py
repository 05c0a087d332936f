"""One user's inbox: what waits for him at each step of the approval chain, the parties'
requests a head decides, the document blocks only he may sign and the collective discussions
his pack demands, all within the cases he may see."""

from __future__ import annotations

from typing import Any

from liuhen.access.policy import User
from liuhen.accounts.service import case_header, case_scope
from liuhen.disclosure import service as disclosure
from liuhen.inbox.service import collective, to_sign, waiting
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.procedure.fields import Block

STEPS = (  # the approval chain's steps, and the role each waits for
    ("legal_review", "待法制审核", Role.LEGAL_REVIEWER),
    ("head_approval", "待负责人审批", Role.HEAD),
    ("archive", "已结案待归档", Role.ARCHIVIST),
)
BLOCKS = (  # blocks only their holders sign, from their own logins (002 第三十八条)
    (Block.REVIEWER, "待在审核人栏签名的文书", Role.LEGAL_REVIEWER),
    (Block.APPROVER, "待在批准人栏签名的文书", Role.HEAD),
)


def inbox(app: App, user: User) -> dict[str, Any]:
    """What the inbox page shows ``user``."""
    scope = case_scope(app, user)
    units = None if scope is None else scope[0]
    with app.engine.connect() as conn:
        found = waiting(conn, units)
    sections = [
        (key, title) for key, title, role in STEPS
        if role in user.roles or Role.SUPERVISOR in user.roles
    ]  # fmt: skip
    pending = None
    if Role.HEAD in user.roles:  # parties' requests wait for the head (001 第二十一条)
        mine = None if scope is None else set(scope[0] or [])
        pending = [
            r for r in disclosure.requests(app, pending=True)
            if mine is None or case_header(app, r["case"])["unit"] in mine
        ]  # fmt: skip
    with app.engine.connect() as conn:
        unsigned = to_sign(conn, units)
    signing = [
        (block, title, unsigned[block]) for block, title, role in BLOCKS
        if role in user.roles and user.cert_no
    ]  # fmt: skip
    # 行政处罚法 第五十七条第二款: where the pack demands it, the heads discuss first
    discuss = collective(app, units) if Role.HEAD in user.roles else None
    return {
        "waiting": found,
        "sections": sections,
        "requests": pending,
        "signing": signing,
        "collective": discuss,
    }


def awaits_approver(app: App, number: str) -> bool:
    """Whether a document of the case still waits for the head's own signature in its
    approver's block (after his approval the page sends him to sign it)."""
    with app.engine.connect() as conn:
        return any(d["number"] == number for d in to_sign(conn, None)[Block.APPROVER])
