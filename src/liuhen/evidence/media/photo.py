"""Probing still photos with Pillow, which (unlike FFmpeg) reads EXIF: capture time, GPS and
orientation are what make a photo usable as evidence.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import ExifTags, Image, ImageFile

from liuhen.evidence.media import geo, times
from liuhen.evidence.media.info import MediaInfo
from liuhen.evidence.media.sniff import guess_from_name

# Formats phones, cameras and scanners produce. Anything else Pillow might identify (icons,
# PostScript, raw MPEG headers) is not treated as a photo.
PHOTO_FORMATS = ("JPEG", "MPO", "PNG", "TIFF", "WEBP", "GIF", "BMP", "AVIF")
# EXIF orientations 5-8 turn the picture a quarter; width and height swap on screen.
_QUARTER_TURNS = {5, 6, 7, 8}
# A multi-picture JPEG (MPO) is served and viewed as a JPEG; "image/mpo" helps nobody.
_MIME = {"MPO": "image/jpeg"}


@contextmanager
def open_photo(path: Path) -> Iterator[ImageFile.ImageFile]:
    """Large phone panoramas exceed Pillow's bomb warning threshold yet are genuine evidence;
    the hard limit (twice that) still protects the worker from a real decompression bomb.
    """
    Image.init()  # Pillow registers plugins lazily, and ``formats`` must name registered ones
    formats = [name for name in PHOTO_FORMATS if name in Image.OPEN]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path, formats=formats) as image:
            yield image


def probe_photo(path: Path) -> MediaInfo | None:
    """None when Pillow does not recognise a photo format; damage is reported, not raised."""
    try:
        with open_photo(path) as image:
            return _describe(image)
    except Image.DecompressionBombError:
        return MediaInfo(
            kind="photo",
            media_type=guess_from_name(path),
            problems=("图像像素数超出安全上限，未解码检查",),
        )
    except (OSError, SyntaxError, ValueError):
        # UnidentifiedImageError is an OSError: not a photo at all.
        return None


def _describe(image: ImageFile.ImageFile) -> MediaInfo:
    fmt = image.format or "unknown"
    problems: list[str] = []
    exif = image.getexif()
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    created = times.from_exif(
        exif_ifd.get(ExifTags.Base.DateTimeOriginal),
        exif_ifd.get(ExifTags.Base.OffsetTimeOriginal),
        problems,
    )
    try:
        gps = geo.from_exif(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except geo.GeoError as exc:
        problems.append(str(exc))
        gps = None
    width, height = image.size
    if exif.get(ExifTags.Base.Orientation) in _QUARTER_TURNS:
        width, height = height, width
    damage = _decode(image)
    return MediaInfo(
        kind="photo",
        media_type=_MIME.get(fmt) or Image.MIME.get(fmt, f"image/{fmt.lower()}"),
        container=fmt.lower(),
        codecs=(fmt.lower(),),
        width=width,
        height=height,
        created_at=created,
        gps=gps,
        problems=tuple(damage + problems),
        corrupt=bool(damage),
    )


def _decode(image: ImageFile.ImageFile) -> list[str]:
    """Decoding every byte is the only way to see truncation. JPEG's DCT scaling decodes all of
    the entropy-coded data at 1/8 size, so a 50-megapixel photo costs 1/64 of the memory.
    """
    if image.format in ("JPEG", "MPO"):
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        return [f"图像数据不完整或已损坏（技术信息：{exc}）"]
    return []
