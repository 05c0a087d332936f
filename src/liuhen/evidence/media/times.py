"""Capture times from container tags and EXIF, always returned timezone-aware.

Container ``creation_time`` is UTC by the QuickTime/Matroska convention, so it is shown in the
agency's zone (Asia/Shanghai) the way officers read clocks. An offset the device recorded
itself (Apple's creationdate, EXIF OffsetTimeOriginal) is kept, because it says where the
device was. EXIF without an offset is local time of an unknown zone; Asia/Shanghai is assumed
and the assumption reported, never silently made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

from liuhen.clock import SHANGHAI

# Before this, a "capture time" is a device whose clock was never set (1970, 2000-01-01 …).
_PLAUSIBLE_FROM = datetime(2001, 1, 1, tzinfo=UTC)
_EXIF_DATETIME = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")

# Keys in priority order: Apple's tag carries the device's own offset, creation_time does not.
CONTAINER_TIME_KEYS = ("com.apple.quicktime.creationdate", "creation_time")


def from_container(tags: Mapping[str, str], problems: list[str]) -> datetime | None:
    for key in CONTAINER_TIME_KEYS:
        raw = tags.get(key)
        if not raw:
            continue
        try:
            moment = datetime.fromisoformat(raw.strip())
        except ValueError:
            problems.append(f"容器中的时间标签 {key} 无法识别：{raw!r}")
            continue
        if moment.tzinfo is None:
            problems.append("容器创建时间未含时区，按 UTC 推定")
            moment = moment.replace(tzinfo=UTC)
        if moment.utcoffset() == timedelta(0):
            moment = moment.astimezone(SHANGHAI)
        _check_plausible(moment, problems)
        return moment
    problems.append("文件未记录创建时间")
    return None


def from_exif(original: object, offset: object, problems: list[str]) -> datetime | None:
    """``original`` is DateTimeOriginal, ``offset`` OffsetTimeOriginal (either may be absent)."""
    if original is None:
        problems.append("照片未记录拍摄时间（EXIF DateTimeOriginal）")
        return None
    match = _EXIF_DATETIME.match(str(original).strip("\x00 "))
    try:
        if not match:
            raise ValueError(original)
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        stamp = datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        problems.append(f"照片拍摄时间无法识别：{original!r}")
        return None
    zone = _exif_zone(offset)
    if zone is None:
        problems.append("照片拍摄时间未含时区，按北京时间（UTC+08:00）推定")
        moment = stamp
    else:
        moment = stamp.replace(tzinfo=zone)
    _check_plausible(moment, problems)
    return moment


def _exif_zone(offset: object) -> timezone | None:
    match = _EXIF_OFFSET.match(str(offset).strip("\x00 ")) if offset else None
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)


def _check_plausible(moment: datetime, problems: list[str]) -> None:
    if moment < _PLAUSIBLE_FROM:
        problems.append(f"记录的时间 {moment.isoformat()} 早于 2001 年，设备时钟可能未设置")
