"""One user's inbox page: what waits for him at each step of the approval chain, the parties'
requests a head decides, the document blocks only he may sign and the collective discussions
his pack demands, all within the cases he may see (found by ``inbox.service``)."""

from __future__ import annotations

from dataclasses import dataclass

from liuhen.access.policy import User
from liuhen.inbox import service
from liuhen.inbox.service import Inbox, Unsigned
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


@dataclass(frozen=True, slots=True)
class Desk:
    """The inbox page: what waits (``found``), and the steps and blocks of the user's roles,
    each with its title."""

    found: Inbox
    sections: list[tuple[str, str]]  # step, title
    signing: list[tuple[Block, str, list[Unsigned]]]  # block, title, documents


def inbox(app: App, user: User) -> Desk:
    """What the inbox page shows ``user``."""
    found = service.inbox(app, user)
    sections = [
        (key, title) for key, title, role in STEPS
        if role in user.roles or Role.SUPERVISOR in user.roles
    ]  # fmt: skip
    signing = [
        (block, title, found.unsigned[block]) for block, title, role in BLOCKS
        if role in user.roles and user.cert_no
    ]  # fmt: skip
    return Desk(found, sections, signing)
