"""Probing recordings (video and audio) that FFmpeg can open."""

from __future__ import annotations

from pathlib import Path

import av
from av.container import InputContainer

from liuhen.evidence.media import geo, integrity, streams, times
from liuhen.evidence.media.info import GeoPoint, MediaInfo, MediaKind

# FFmpeg demuxer name -> (container name, MIME for video, MIME for audio-only).
_FORMATS: dict[str, tuple[str, str, str]] = {
    "matroska,webm": ("matroska", "video/x-matroska", "audio/x-matroska"),
    "mp3": ("mp3", "audio/mpeg", "audio/mpeg"),
    "wav": ("wav", "audio/wav", "audio/wav"),
    "avi": ("avi", "video/x-msvideo", "video/x-msvideo"),
    "mpegts": ("mpegts", "video/mp2t", "audio/mp2t"),
    "mpeg": ("mpeg", "video/mpeg", "audio/mpeg"),
    "flv": ("flv", "video/x-flv", "video/x-flv"),
    "ogg": ("ogg", "video/ogg", "audio/ogg"),
    "flac": ("flac", "audio/flac", "audio/flac"),
    "amr": ("amr", "audio/amr", "audio/amr"),
    "aac": ("aac", "audio/aac", "audio/aac"),
    "asf": ("asf", "video/x-ms-asf", "audio/x-ms-wma"),
}
_MOV_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"

# Where devices put their position, best first: Apple's ISO 6709 key (written with
# movflags=use_metadata_tags or by iPhones), then the classic ©xyz atom, which FFmpeg calls
# "location" (and also reports as "location-eng" with its language code).
LOCATION_KEYS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")


def probe_recording(path: Path) -> MediaInfo | None:
    """None when FFmpeg cannot open the file as a recording; the caller decides what it is."""
    try:
        container = streams.open_input(path)
    except (av.FFmpegError, OSError, UnicodeError):
        return None
    with container:
        if not streams.is_recording(container):
            return None
        video = streams.main_video(container)
        audio = streams.main_audio(container)
        chosen = [s for s in (video, audio) if s is not None]
        if not chosen:
            return None
        kind: MediaKind = "video" if video is not None else "audio"
        tags = {**_stream_tags(container), **dict(container.metadata)}
        problems: list[str] = []
        created = times.from_container(tags, problems)
        gps = _location(tags, problems)
        duration = streams.duration_seconds(container)
        if duration is None:
            problems.append("无法确定时长，未检查文件末尾是否完整")
        damage = integrity.check(container, chosen, duration)
        name, media_type = _describe(container.format.name, tags, kind)
        return MediaInfo(
            kind=kind,
            media_type=media_type,
            container=name,
            codecs=tuple(s.codec_context.codec.canonical_name for s in chosen),
            duration_seconds=duration,
            width=video.codec_context.width if video is not None else None,
            height=video.codec_context.height if video is not None else None,
            created_at=created,
            gps=gps,
            problems=tuple(damage + problems),
            corrupt=bool(damage),
        )


def _stream_tags(container: InputContainer) -> dict[str, str]:
    """Some cameras tag only the tracks; container-level tags, merged over these, win."""
    merged: dict[str, str] = {}
    for stream in reversed(container.streams):
        merged.update(stream.metadata)
    return merged


def _location(tags: dict[str, str], problems: list[str]) -> GeoPoint | None:
    for key in LOCATION_KEYS:
        if tags.get(key):
            try:
                return geo.from_iso6709(tags[key])
            except geo.GeoError as exc:
                problems.append(str(exc))
                return None
    return None


def _describe(demuxer: str, tags: dict[str, str], kind: MediaKind) -> tuple[str, str]:
    if demuxer == _MOV_FAMILY:
        return _describe_iso(tags.get("major_brand", "").strip(), kind)
    name, video_type, audio_type = _FORMATS.get(
        demuxer, (demuxer.split(",")[0], f"video/x-{demuxer}", f"audio/x-{demuxer}")
    )
    return name, video_type if kind == "video" else audio_type


def _describe_iso(brand: str, kind: MediaKind) -> tuple[str, str]:
    audio_only = kind == "audio"
    if brand == "qt":
        return "mov", "audio/quicktime" if audio_only else "video/quicktime"
    if brand.startswith("3g"):
        return "3gp", "audio/3gpp" if audio_only else "video/3gpp"
    if brand in ("M4A", "M4B"):
        return "m4a", "audio/mp4"
    return "mp4", "audio/mp4" if audio_only else "video/mp4"
