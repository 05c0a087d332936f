"""Is the file whole? Decoding only its first and last second answers that for the failures
evidence actually suffers (a camera losing power, an upload cut short) without reading
gigabytes: both leave the end of the file missing, and a garbage file fails at its start.

Damage in the middle of an otherwise intact file is not looked for here; the proxy job decodes
everything and refuses on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import av
from av.container import InputContainer
from av.packet import Packet
from av.stream import Stream

from liuhen.evidence.media.streams import MediaStream, decoded, error_text

HEAD_SECONDS = 1.0
TAIL_SECONDS = 1.0
# A stream ending this much before its declared end is truncated; less is normal muxing slack
# (audio and video rarely end on the same millisecond).
SLACK_SECONDS = 0.5
# How far past the head window packets may go before a silent stream is declared undecodable;
# bounds the reading when one stream is dead but the other is fine.
LOOKAHEAD_SECONDS = 10.0
# Seeking in MPEG-TS (and in MP4s with sparse keyframes) can land where the decoder must wait
# for a keyframe that only comes earlier; step further back until every stream yields frames.
# The last step bounds the reading for pathological keyframe intervals.
TAIL_BACKOFF_SECONDS = (TAIL_SECONDS, 5.0, 20.0, 60.0)
_KIND_NAMES = {"video": "视频", "audio": "音频"}


def check(
    container: InputContainer, streams: Sequence[MediaStream], duration: float | None
) -> list[str]:
    """Problems found; an empty list means both ends decoded as declared."""
    try:
        problems = _head(container, streams)
    except (av.FFmpegError, OSError) as exc:
        return [f"文件开头解码失败，文件已损坏或不是有效的音视频（技术信息：{error_text(exc)}）"]
    if duration is None or problems:
        return problems
    try:
        return _tail(container, streams, duration)
    except (av.FFmpegError, OSError) as exc:
        return [
            f"文件末尾解码失败，文件可能不完整（如录制或传输中断）（技术信息：{error_text(exc)}）"
        ]


def _head(container: InputContainer, streams: Sequence[MediaStream]) -> list[str]:
    first: dict[int, float] = {}
    spanned: dict[int, float] = {}
    corrupt: set[int] = set()
    earliest: float | None = None
    for packet in container.demux(*streams):
        at = _packet_time(packet)
        if at is not None:
            earliest = at if earliest is None else min(earliest, at)
            if at > earliest + HEAD_SECONDS + LOOKAHEAD_SECONDS:
                break
        index = packet.stream.index
        for frame in decoded(packet):
            if frame.is_corrupt:
                corrupt.add(index)
            if frame.time is None:
                continue
            first.setdefault(index, frame.time)
            spanned[index] = max(spanned.get(index, 0.0), frame.time - first[index])
        if all(spanned.get(s.index, -1.0) >= HEAD_SECONDS for s in streams):
            break
    problems = [f"文件开头无法解码出{_name(s)}" for s in streams if s.index not in first]
    problems += [f"文件开头的{_name(s)}帧已损坏" for s in streams if s.index in corrupt]
    return problems


def _tail(container: InputContainer, streams: Sequence[MediaStream], duration: float) -> list[str]:
    origin = (container.start_time or 0) / av.time_base
    for back in TAIL_BACKOFF_SECONDS:
        reached, corrupt = _decode_from(container, streams, origin + max(0.0, duration - back))
        if len(reached) == len(streams) or back >= duration:
            break
    problems = []
    for stream in streams:
        expected = _declared_end(stream, origin + duration) - origin
        got = reached.get(stream.index)
        if got is None:
            problems.append(f"文件不完整：末尾无法解码出{_name(stream)}")
        elif got - origin < expected - SLACK_SECONDS:
            problems.append(
                f"文件不完整：{_name(stream)}只能解码到 {got - origin:.3f} 秒，"
                f"文件记录的时长为 {expected:.3f} 秒"
            )
    problems += [f"文件末尾的{_name(s)}帧已损坏" for s in streams if s.index in corrupt]
    return problems


def _decode_from(
    container: InputContainer, streams: Sequence[MediaStream], start: float
) -> tuple[dict[int, float], set[int]]:
    """Seeks (to the keyframe before ``start``) and decodes to the end of the file."""
    container.seek(int(start * av.time_base))
    reached: dict[int, float] = {}
    corrupt: set[int] = set()
    for packet in container.demux(*streams):
        index = packet.stream.index
        for frame in decoded(packet):
            if frame.is_corrupt:
                corrupt.add(index)
            if frame.time is None:
                continue
            length = float(frame.duration * frame.time_base) if frame.time_base else 0.0
            reached[index] = max(reached.get(index, 0.0), frame.time + length)
    return reached, corrupt


def _declared_end(stream: Stream, container_end: float) -> float:
    """A stream's own length beats the container's: a late-starting audio track is not damage."""
    if stream.duration and stream.start_time is not None and stream.time_base:
        return float((stream.start_time + stream.duration) * stream.time_base)
    return container_end


def _packet_time(packet: Packet[Stream]) -> float | None:
    stamp = packet.pts if packet.pts is not None else packet.dts
    if stamp is None or packet.time_base is None:
        return None
    return float(stamp * packet.time_base)


def _name(stream: Stream) -> str:
    return _KIND_NAMES.get(stream.type, "数据")
