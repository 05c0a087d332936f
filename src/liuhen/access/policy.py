"""Who may see which case: pure rules over plain data, tested without a database.

An officer sees his unit's cases and those he works on; reviewers, heads and archivists see
their agency's; a supervisor (司法局) sees every case but records nothing; an administrator
manages people and settings, not cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liuhen.procedure.catalog import Role


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    roles: frozenset[str]
    unit: str | None = None
    agency: str | None = None
    cert_no: str | None = None
    machine: bool = False  # a collection station's token, not a person

    @property
    def sees_overview(self) -> bool:
        """Heads, legal reviewers and supervisors watch late and missing items agency-wide."""
        return bool(self.roles & OVERVIEW)

    @property
    def actor(self) -> dict[str, str]:
        """How the journal records who did something."""
        role = next(iter(sorted(self.roles)), Role.OFFICER)
        return {"id": self.cert_no or self.username, "role": Role.SYSTEM if self.machine else role}


AGENCY_WIDE = frozenset({Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST})
READ_ONLY = frozenset({Role.SUPERVISOR})
# Who records acts in cases: never the supervisor (read-only) nor the administrator.
RECORDERS = frozenset({Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST})
# Who watches late and missing items agency-wide: not the administrator, who holds no case role.
OVERVIEW = frozenset({Role.SUPERVISOR, Role.HEAD, Role.LEGAL_REVIEWER})
# who may read the retention list (保管期限); the page's guard and the menu both use it
RETENTION_READERS = frozenset({Role.ARCHIVIST, Role.HEAD, Role.LEGAL_REVIEWER, Role.SUPERVISOR})


def can_view_case(user: User, case: dict[str, Any], case_agency: str | None) -> bool:
    if user.roles & READ_ONLY or (Role.ADMIN in user.roles and not user.roles - {Role.ADMIN}):
        return bool(user.roles & READ_ONLY)
    if user.roles & AGENCY_WIDE and user.agency and user.agency == case_agency:
        return True
    if Role.OFFICER in user.roles:
        return case.get("unit") == user.unit or (user.cert_no or "") in (case.get("officers") or [])
    return False


def can_record(user: User) -> bool:
    return not (user.roles & READ_ONLY) and bool(user.roles & RECORDERS)
