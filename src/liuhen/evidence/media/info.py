"""What probing learns about one evidence file, in a shape that can be journaled as-is.

``as_dict`` is float-free on purpose: the journal canonicalises JSON (RFC 8785), and a float
duration would make the same file hash differently across platforms and serialisers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from liuhen.payloads import JsonObject

MediaKind = Literal["video", "audio", "photo", "unknown"]

_MILLIS = Decimal("0.001")


@dataclass(frozen=True)
class GeoPoint:
    """WGS 84 position as decimal strings, so no digit the device recorded is lost to floats."""

    lat: str
    lon: str
    alt: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"lat": self.lat, "lon": self.lon}
        if self.alt is not None:
            out["alt"] = self.alt
        return out


@dataclass(frozen=True)
class MediaInfo:
    """Facts about a file plus the problems a reviewer must know before relying on it.

    ``problems`` is wider than ``corrupt``: a file can be intact and still lack a capture time
    or carry one whose zone had to be assumed; both matter when the file is used as evidence.
    When ``corrupt`` is set, the first problem is the damage, so it can be quoted alone.
    """

    kind: MediaKind
    media_type: str
    container: str | None = None
    codecs: tuple[str, ...] = ()
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    created_at: datetime | None = None
    gps: GeoPoint | None = None
    problems: tuple[str, ...] = ()
    corrupt: bool = False

    @property
    def duration_text(self) -> str | None:
        """Milliseconds are what players and the journal agree on; finer digits are noise."""
        if self.duration_seconds is None:
            return None
        return str(Decimal(repr(self.duration_seconds)).quantize(_MILLIS, ROUND_HALF_UP))

    @property
    def ended_at(self) -> datetime | None:
        """Derived, never stored, so it cannot disagree with ``created_at`` and the duration."""
        text = self.duration_text
        if self.created_at is None or text is None:
            return None
        return self.created_at + timedelta(milliseconds=int(Decimal(text) * 1000))

    def as_dict(self) -> JsonObject:
        """The JSON kept with an upload (``meta.probe``) until the file is journaled."""
        return {
            "kind": self.kind,
            "media_type": self.media_type,
            "container": self.container,
            "codecs": list(self.codecs),
            "duration_seconds": self.duration_text,
            "width": self.width,
            "height": self.height,
            "created_at": iso(self.created_at),
            "ended_at": iso(self.ended_at),
            "gps": self.gps.as_dict() if self.gps else None,
            "problems": list(self.problems),
            "corrupt": self.corrupt,
        }


def iso(moment: datetime | None) -> str | None:
    """Whole seconds stay short; sub-second times keep milliseconds to match the duration."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
