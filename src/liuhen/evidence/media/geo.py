"""Positions from the two places devices put them: ISO 6709 strings in MP4/QuickTime tags and
the EXIF GPS IFD in photos. Arithmetic is exact (Decimal/Fraction) so the strings we keep
reproduce what the device wrote rather than a float's approximation of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from liuhen.evidence.media.info import GeoPoint

# Seven decimals of a degree is about a centimetre: finer digits are conversion noise.
_QUANTUM = Decimal("0.0000001")
_ISO6709 = re.compile(
    r"^(?P<lat>[+-]\d+(?:\.\d*)?)(?P<lon>[+-]\d+(?:\.\d*)?)(?P<alt>[+-]\d+(?:\.\d*)?)?"
    r"(?:CRS[^/]*)?/?$"
)

# EXIF GPS IFD tag numbers (Exif 2.32, table 15).
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_GPS_ALT_REF, _GPS_ALT, _GPS_STATUS = 5, 6, 9


class GeoError(ValueError):
    """A position tag is present but unusable; the caller turns it into a reviewer problem."""


def decimal_text(value: Decimal) -> str:
    """Plain notation without trailing zeros: "31.2304", "10", never "1E+1" or "-0"."""
    normal = value.quantize(_QUANTUM).normalize()
    return "0" if normal.is_zero() else f"{normal:f}"


def from_iso6709(text: str) -> GeoPoint:
    """Accepts every ISO 6709 precision (±DD.D, ±DDMM.M, ±DDDMMSS.S), not only Apple's degrees."""
    match = _ISO6709.match(text.strip())
    if not match:
        raise GeoError(f"位置标签格式无法识别：{text!r}")
    lat = _sexagesimal(match["lat"], degree_digits=2)
    lon = _sexagesimal(match["lon"], degree_digits=3)
    alt = Decimal(match["alt"]) if match["alt"] else None
    return _point(lat, lon, alt)


def _sexagesimal(text: str, degree_digits: int) -> Decimal:
    """ISO 6709 tells the unit by how many integer digits there are, not by separators."""
    sign = -1 if text[0] == "-" else 1
    body = text[1:]
    integer, _, fraction = body.partition(".")
    extra = len(integer) - degree_digits
    if extra <= 0:  # degrees; be lenient with writers that drop the leading zero
        return sign * Decimal(body)
    value = Decimal(integer[-2:] + ("." + fraction if fraction else ""))
    if extra == 2:  # ±DDMM.M
        return sign * (Decimal(integer[:-2]) + value / 60)
    if extra == 4:  # ±DDMMSS.S
        minutes = Decimal(integer[-4:-2])
        return sign * (Decimal(integer[:-4]) + minutes / 60 + value / 3600)
    raise GeoError(f"位置标签精度格式无法识别：{text!r}")


def from_exif(gps: Mapping[int, Any]) -> GeoPoint | None:
    """None when the IFD has no fix; ``GeoError`` when it claims one that cannot be read."""
    if _GPS_LAT not in gps or _GPS_LON not in gps:
        return None
    if str(gps.get(_GPS_STATUS, "A")).strip().upper() == "V":
        raise GeoError("照片 GPS 状态为“无效测量”（V），坐标不可用")
    lat = _dms(gps[_GPS_LAT]) * _hemisphere(gps.get(_GPS_LAT_REF), "N", "S")
    lon = _dms(gps[_GPS_LON]) * _hemisphere(gps.get(_GPS_LON_REF), "E", "W")
    alt = None
    if _GPS_ALT in gps:
        below = gps.get(_GPS_ALT_REF) in (1, b"\x01", "1")
        alt = _exact(gps[_GPS_ALT]) * (-1 if below else 1)
    return _point(lat, lon, alt)


def _dms(value: Any) -> Decimal:
    parts = list(value) if isinstance(value, tuple | list) else [value]
    if not 1 <= len(parts) <= 3:
        raise GeoError("照片 GPS 坐标格式无法识别")
    total = Decimal(0)
    for part, scale in zip(parts, (1, 60, 3600), strict=False):
        total += _exact(part) / scale
    return total


def _exact(value: Any) -> Decimal:
    """Pillow hands out IFDRational; its float() would already have lost digits."""
    try:
        if hasattr(value, "numerator") and hasattr(value, "denominator"):
            ratio = Fraction(int(value.numerator), int(value.denominator))
            return Decimal(ratio.numerator) / Decimal(ratio.denominator)
        return Decimal(str(value))
    except (ZeroDivisionError, InvalidOperation, ValueError, TypeError) as exc:
        raise GeoError("照片 GPS 数值无效") from exc


def _hemisphere(ref: Any, positive: str, negative: str) -> int:
    text = ref.decode("ascii", "replace") if isinstance(ref, bytes) else str(ref or positive)
    letter = text.strip("\x00 ").upper()[:1] or positive
    if letter not in (positive, negative):
        raise GeoError(f"照片 GPS 方位标记无法识别：{text!r}")
    return -1 if letter == negative else 1


def _point(lat: Decimal, lon: Decimal, alt: Decimal | None) -> GeoPoint:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeoError(f"坐标超出范围：纬度 {lat}，经度 {lon}")
    if lat.is_zero() and lon.is_zero():
        # Devices without a fix commonly write 0,0; a point in the Gulf of Guinea is not evidence.
        raise GeoError("坐标为 0,0，通常表示设备未定位，已忽略")
    return GeoPoint(
        decimal_text(lat), decimal_text(lon), None if alt is None else decimal_text(alt)
    )
