"""What the device and media pages list for one user: only his units' devices, and the files
he stored that still wait to be bound to a case."""

from __future__ import annotations

from datetime import timedelta

from liuhen.access.policy import AGENCY_WIDE, User
from liuhen.accounts.service import Forbidden, case_scope
from liuhen.evidence import devices
from liuhen.evidence.devices import Device, DeviceHistory
from liuhen.evidence.schemas import MediaPage
from liuhen.evidence.service import list_media, media_scope
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role


def _units_seen(app: App, user: User) -> list[str] | None:
    """The units whose cases ``user`` sees (None: all, for the supervisor), and for the
    administrator, who registers every unit's cameras, every unit."""
    if Role.ADMIN in user.roles:
        return None
    scope = case_scope(app, user)
    return None if scope is None else (scope[0] or [])


def devices_for(app: App, user: User) -> list[Device]:
    """The registered devices of the units ``user`` sees."""
    units = _units_seen(app, user)
    return [d for d in devices.list_devices(app) if units is None or d.unit in units]


def device_for(app: App, user: User, device_no: str) -> DeviceHistory:
    """One device's history, if it belongs to a unit ``user`` sees."""
    data = devices.history(app, device_no)
    units = _units_seen(app, user)
    if units is not None and data.unit not in units:
        raise Forbidden("无权查看该设备")
    return data


def unbound_for(app: App, user: User) -> MediaPage:
    """Files stored more than a day ago and not yet bound to a case, that ``user`` may list;
    an officer without an agency-wide role sees those he recorded himself."""
    cutoff = (app.clock.now() - timedelta(days=1)).isoformat()
    return list_media(
        app, unbound=True, older_than=cutoff, officer=user.cert_no if Role.OFFICER in user.roles
        and not user.roles & AGENCY_WIDE else None, per_page=200,
        scope=media_scope(app, user),
    )  # fmt: skip
