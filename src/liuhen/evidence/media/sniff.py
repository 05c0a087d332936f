"""Recognising a container from its first bytes when no parser can open the file.

A body camera that loses power leaves an MP4 without its index (``moov``); FFmpeg then refuses
the file outright. The magic bytes still say it is a video, and that is what the reviewer needs
to hear: "a damaged video", not "an unknown file".
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from liuhen.evidence.media.info import MediaKind

HEAD_BYTES = 512
_TS_PACKET = 188
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"}
_QUICKTIME_FIRST_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


@dataclass(frozen=True)
class Sniffed:
    kind: MediaKind
    container: str
    media_type: str


# Containers told by their first bytes alone, checked after those above.
_PREFIXES: tuple[tuple[bytes, Sniffed], ...] = (
    (b"ID3", Sniffed("audio", "mp3", "audio/mpeg")),
    (b"OggS", Sniffed("audio", "ogg", "audio/ogg")),
    (b"fLaC", Sniffed("audio", "flac", "audio/flac")),
    (b"#!AMR", Sniffed("audio", "amr", "audio/amr")),
    (b"FLV\x01", Sniffed("video", "flv", "video/x-flv")),
    (b"\x00\x00\x01\xba", Sniffed("video", "mpeg", "video/mpeg")),
)


def read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def sniff(head: bytes) -> Sniffed | None:
    """Only signatures that cannot plausibly occur by chance at offset 0 are trusted."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_brand(head[8:12])
    if len(head) >= 8 and head[4:8] in _QUICKTIME_FIRST_BOXES:
        return Sniffed("video", "mov", "video/quicktime")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return Sniffed("video", "webm", "video/webm")
        return Sniffed("video", "matroska", "video/x-matroska")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return Sniffed("video", "avi", "video/x-msvideo")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return Sniffed("audio", "wav", "audio/wav")
    for prefix, sniffed in _PREFIXES:
        if head.startswith(prefix):
            return sniffed
    if len(head) > 2 * _TS_PACKET and head[0] == head[_TS_PACKET] == head[2 * _TS_PACKET] == 0x47:
        return Sniffed("video", "mpegts", "video/mp2t")
    return None


def _iso_brand(brand: bytes) -> Sniffed:
    if brand in _HEIF_BRANDS:
        return Sniffed("photo", "heif", "image/heic")
    if brand in (b"avif", b"avis"):
        return Sniffed("photo", "avif", "image/avif")
    if brand in (b"M4A ", b"M4B "):
        return Sniffed("audio", "m4a", "audio/mp4")
    if brand == b"qt  ":
        return Sniffed("video", "mov", "video/quicktime")
    if brand.startswith(b"3g"):
        return Sniffed("video", "3gp", "video/3gpp")
    return Sniffed("video", "mp4", "video/mp4")


def guess_from_name(path: Path) -> str:
    """The uploader's claim, used only when the content itself tells us nothing."""
    guessed, _ = mimetypes.guess_type(path.name, strict=False)
    return guessed or "application/octet-stream"


def claims_media(media_type: str) -> bool:
    return media_type.split("/", 1)[0] in ("video", "audio", "image")
