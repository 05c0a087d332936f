"""Browser-playable copies of recordings, so reviewers can watch evidence without downloading
a multi-gigabyte original in a codec their browser may not have.

The proxy is a convenience, never the evidence: the original is only read, and the proxy is
written under a temporary name and renamed when complete. Frames are streamed through the
encoder one at a time, so memory stays bounded whatever the length of the recording.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from liuhen.evidence.media import streams
from liuhen.evidence.media.atomic import replace_when_done
from liuhen.evidence.media.errors import MediaError
from liuhen.evidence.media.probe import probe

X264_OPTIONS = {"preset": "veryfast", "crf": "26"}
# Browsers seek to keyframes; one every two seconds keeps scrubbing responsive.
KEYFRAME_SECONDS = 2
# Rates the AAC encoder accepts; anything else (e.g. 12 kHz voice recorders) is resampled.
_AAC_RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000}
_FALLBACK_RATE = Fraction(30)


def make_proxy(src: Path, dest: Path, max_height: int = 720) -> None:
    """H.264/AAC MP4 for video, AAC in MP4 (m4a) for audio, ``moov`` first (faststart)."""
    if max_height < 2:
        raise ValueError("max_height 必须不小于 2")
    info = probe(src)
    if info.corrupt:
        reason = info.problems[0] if info.problems else "文件已损坏"
        raise MediaError(f"文件“{src.name}”已损坏或不完整，无法生成播放副本：{reason}")
    if info.kind not in ("video", "audio"):
        names = {"photo": "照片", "unknown": "无法识别的文件"}
        raise MediaError(f"{names.get(info.kind, info.kind)}不是音视频，无法生成播放副本")
    with replace_when_done(src, dest) as tmp:
        try:
            _transcode(src, tmp, max_height)
        except av.FFmpegError as exc:
            raise MediaError(
                f"转码“{src.name}”失败，源文件可能在中段损坏（技术信息：{streams.error_text(exc)}）"
            ) from exc


def _transcode(src: Path, tmp: Path, max_height: int) -> None:
    with streams.open_input(src) as source:
        video = streams.main_video(source)
        audio = streams.main_audio(source)
        # The temp name has no useful extension, so the muxer is named: "ipod" writes a proper
        # m4a (brand M4A) for audio, "mp4" the rest; both honour faststart.
        muxer = "mp4" if video is not None else "ipod"
        with av.open(str(tmp), "w", format=muxer, options={"movflags": "faststart"}) as out:
            # Recordings from MPEG-TS cameras start at arbitrary timestamps; the proxy starts at 0.
            origin = Fraction(source.start_time or 0, av.time_base)
            video_track = _VideoTrack(out, video, max_height, origin) if video else None
            audio_track = _AudioTrack(out, audio, origin) if audio else None
            chosen = [s for s in (video, audio) if s is not None]
            for packet in source.demux(*chosen):
                for frame in streams.decoded(packet):
                    if isinstance(frame, VideoFrame) and video_track is not None:
                        video_track.feed(frame)
                    elif isinstance(frame, AudioFrame) and audio_track is not None:
                        audio_track.feed(frame)
            for track in (video_track, audio_track):
                if track is not None:
                    track.flush()


def _shifted(pts: int | None, time_base: Fraction | None, origin: Fraction) -> int | None:
    if pts is None or not time_base:
        return pts
    return pts - round(origin / time_base)


class _VideoTrack:
    """Rescale to the proxy size and encode with libx264, keeping the source's timing."""

    def __init__(
        self, out: OutputContainer, source: VideoStream, max_height: int, origin: Fraction
    ) -> None:
        width, height = proxy_size(
            source.codec_context.width, source.codec_context.height, max_height
        )
        rate = source.average_rate or source.guessed_rate or _FALLBACK_RATE
        self.out = out
        self.origin = origin
        # The source's clock, so variable-frame-rate recordings keep their real timing.
        self.time_base = source.time_base or Fraction(1, 90000)
        self.encoder = out.add_stream("libx264", rate=rate, options=dict(X264_OPTIONS))
        self.encoder.width = width
        self.encoder.height = height
        self.encoder.pix_fmt = "yuv420p"
        self.encoder.codec_context.time_base = self.time_base
        self.encoder.codec_context.gop_size = max(1, round(rate * KEYFRAME_SECONDS))
        source.codec_context.thread_type = "AUTO"
        self.last_pts: int | None = None

    def feed(self, frame: VideoFrame) -> None:
        pts = _shifted(frame.pts, frame.time_base or self.time_base, self.origin)
        if pts is None or (self.last_pts is not None and pts <= self.last_pts):
            # Missing or repeated stamps (broken muxers) would make the encoder refuse the frame.
            pts = 0 if self.last_pts is None else self.last_pts + 1
        self.last_pts = pts
        scaled = frame.reformat(
            width=self.encoder.width, height=self.encoder.height, format="yuv420p"
        )
        scaled.pts = pts
        scaled.time_base = frame.time_base or self.time_base
        self.out.mux(self.encoder.encode(scaled))

    def flush(self) -> None:
        self.out.mux(self.encoder.encode(None))


class _AudioTrack:
    """Encode to AAC; PyAV's encoder resamples and re-chunks to AAC's 1024-sample frames."""

    def __init__(self, out: OutputContainer, source: AudioStream, origin: Fraction) -> None:
        rate = source.rate if source.rate in _AAC_RATES else 48000
        mono = source.codec_context.layout.nb_channels == 1
        self.out = out
        self.origin = origin
        self.encoder = out.add_stream("aac", rate=rate, layout="mono" if mono else "stereo")
        self.encoder.bit_rate = 64_000 if mono else 128_000

    def feed(self, frame: AudioFrame) -> None:
        frame.pts = _shifted(frame.pts, frame.time_base, self.origin)
        self.out.mux(self.encoder.encode(frame))

    def flush(self) -> None:
        self.out.mux(self.encoder.encode(None))


def proxy_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """Never upscale; keep the aspect ratio; both sides even, as yuv420p requires."""
    target_height = min(height, max_height)
    target_width = round(width * target_height / max(height, 1))
    return max(2, target_width - target_width % 2), max(2, target_height - target_height % 2)
