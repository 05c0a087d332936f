"""Opening audio/video with FFmpeg (PyAV) and choosing the streams that carry the recording.

Shared by probing, thumbnails and proxies so all three agree on what "the video" of a file is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.packet import Packet
from av.stream import Disposition, Stream
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

MediaStream = VideoStream | AudioStream

# Demuxers FFmpeg will happily "open" that are not recordings: text rendered as video (tty),
# and still images, which Pillow handles with EXIF intact.
_NOT_RECORDINGS = {"tty", "image2", "txt", "lavfi", "data", "bin"}


def open_input(path: Path) -> InputContainer:
    """Tags from cheap devices are often GBK, not UTF-8; replacing beats refusing the file."""
    return av.open(str(path), mode="r", metadata_errors="replace")


def is_recording(container: InputContainer) -> bool:
    name = container.format.name
    return name not in _NOT_RECORDINGS and not name.endswith("_pipe")


def main_video(container: InputContainer) -> VideoStream | None:
    """Cover art inside an audio file is a video stream too; it is not the recording."""
    for stream in container.streams.video:
        if not stream.disposition & Disposition.attached_pic:
            return stream
    return None


def main_audio(container: InputContainer) -> AudioStream | None:
    return container.streams.audio[0] if container.streams.audio else None


def duration_seconds(container: InputContainer) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    ends = [
        float(s.duration * s.time_base)
        for s in container.streams
        if s.duration and s.time_base and s.type in ("video", "audio")
    ]
    return max(ends) if ends else None


def error_text(exc: BaseException) -> str:
    """FFmpeg's own wording, kept as technical detail after the Chinese explanation."""
    return getattr(exc, "strerror", None) or str(exc)


def decoded(packet: Packet[Stream]) -> Iterator[VideoFrame | AudioFrame]:
    """Frames of a packet from a recording stream; the filter only narrows the type for mypy."""
    for frame in packet.decode():
        if isinstance(frame, VideoFrame | AudioFrame):
            yield frame
