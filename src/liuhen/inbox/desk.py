"""The inbox page: what waits for the signed-in user (found by ``inbox.service``), grouped by
kind, the most urgent group first, with the counts the page opens with."""

from __future__ import annotations

from dataclasses import dataclass

from liuhen.access.policy import User
from liuhen.cases.service import Judge
from liuhen.inbox import service
from liuhen.inbox.items import Action, Item, Kind, Urgency
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role


@dataclass(frozen=True, slots=True)
class Group:
    kind: Kind
    items: list[Item]


@dataclass(frozen=True, slots=True)
class Desk:
    """The page: counts, the groups, and when nothing waits, a sentence and where to go."""

    total: int
    overdue: int
    soon: int  # due today or within items.SOON_DAYS, not yet overdue
    groups: list[Group]
    idle: str = ""
    elsewhere: Action | None = None


def inbox(app: App, user: User, judge: Judge | None = None) -> Desk:
    """What the inbox page shows ``user``."""
    found = service.inbox(app, user, judge)
    order = {k.code: i for i, k in enumerate(found.kinds)}
    by_kind: dict[str, list[Item]] = {}
    for item in found.items:  # already most urgent first
        by_kind.setdefault(item.kind, []).append(item)
    kinds = {k.code: k for k in found.kinds}
    groups = sorted(
        (Group(kinds[code], items) for code, items in by_kind.items()),
        key=lambda g: (g.items[0].sort_key(), order[g.kind.code]),
    )
    urgencies = [i.urgency for i in found.items]
    idle, elsewhere = "", None
    if not found.items:
        idle, elsewhere = _idle(user)
    return Desk(
        len(found.items), urgencies.count(Urgency.OVERDUE), urgencies.count(Urgency.SOON),
        groups, idle, elsewhere,
    )  # fmt: skip


def _idle(user: User) -> tuple[str, Action]:
    """Why nothing waits, and the page where this user's work is instead."""
    if Role.SUPERVISOR in user.roles:
        return (
            "监督人员查阅案件、不在案件中记录，没有需要您办理的事项。",
            Action("查看逾期与缺失", "/overview"),
        )
    if not user.roles - {Role.ADMIN}:
        return "系统管理员管理人员和设置，不承办案件。", Action("系统管理", "/admin/users")
    return "目前没有需要您办理的事项。", Action("查看案件", "/")
