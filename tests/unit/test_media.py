"""Media adapter on real files: every input is generated here with PyAV and Pillow, nothing mocked.

The generated media are tiny (a few seconds, small frames) so the module stays fast, but they are
genuine H.264/AAC/MP3/JPEG/PNG files, written the way cameras and phones write them.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import shutil
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import av
import pytest
from PIL import ExifTags, Image, TiffImagePlugin

from liuhen.evidence.media import MediaError, make_proxy, make_thumbnail, probe
from liuhen.evidence.media.atomic import replace_when_done
from liuhen.evidence.media.geo import GeoError, from_iso6709
from liuhen.evidence.media.proxy import proxy_size

SHANGHAI = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")
FPS = 25
RATE = 44100


@dataclass(frozen=True)
class Media:
    dir: Path
    video: Path
    video_apple: Path
    video_1080: Path
    video_ts: Path
    audio: Path
    photo: Path
    photo_tokyo: Path
    png: Path
    truncated_video: Path
    truncated_photo: Path
    random_mp4: Path
    empty: Path
    text: Path


# --- generation -----------------------------------------------------------------------------


def _sine(start: int, count: int) -> bytes:
    return struct.pack(
        f"<{count}f",
        *(0.3 * math.sin(2 * math.pi * 440 * (start + k) / RATE) for k in range(count)),
    )


def _write_audio(out: av.container.OutputContainer, stream, seconds: float) -> None:
    total = int(RATE * seconds)
    for start in range(0, total, 1024):
        count = min(1024, total - start)
        frame = av.AudioFrame(format="flt", layout="mono", samples=count)
        frame.planes[0].update(_sine(start, count))
        frame.sample_rate = RATE
        frame.pts = start
        frame.time_base = Fraction(1, RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def write_video(
    path: Path,
    width: int,
    height: int,
    seconds: float,
    *,
    fps: int = FPS,
    audio: bool = True,
    metadata: dict[str, str] | None = None,
    options: dict[str, str] | None = None,
) -> None:
    """Frame i is filled with red = 3*i, so a thumbnail's colour tells which frame it came from."""
    with av.open(str(path), "w", options=options or {}) as out:
        out.metadata.update(metadata or {})
        video = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("aac", rate=RATE, layout="mono") if audio else None
        for i in range(int(fps * seconds)):
            image = Image.new("RGB", (width, height), (min(255, 3 * i), 100, 50))
            frame = av.VideoFrame.from_image(image)
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if sound is not None:
            _write_audio(out, sound, seconds)


def write_mp3(path: Path, seconds: float) -> None:
    with av.open(str(path), "w") as out:
        _write_audio(out, out.add_stream("mp3", rate=RATE, layout="mono"), seconds)


def _rational(value: str) -> TiffImagePlugin.IFDRational:
    fraction = Fraction(value)
    return TiffImagePlugin.IFDRational(fraction.numerator, fraction.denominator)


def write_photo(
    path: Path, *, orientation: int, offset: str | None, gps: dict[int, object]
) -> None:
    """400x200 pixels as stored; orientation 6 means a viewer shows it 200x400."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = "2024:05:01 10:03:04"
    if offset:
        exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    image = Image.new("RGB", (400, 200), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, 40, 200))  # a blue band on the stored left edge
    image.save(path, exif=exif, quality=90)


def truncate(src: Path, dest: Path) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    d = tmp_path_factory.mktemp("media")
    write_video(
        d / "bodycam.mp4",
        640,
        360,
        3,
        metadata={"creation_time": "2024-05-01T02:03:04Z", "location": "+31.2304+121.4737/"},
    )
    write_video(
        d / "phone.mp4",
        160,
        90,
        1,
        audio=False,
        options={"movflags": "use_metadata_tags"},
        metadata={
            "com.apple.quicktime.creationdate": "2024-05-01T10:03:04+0800",
            "com.apple.quicktime.location.ISO6709": "+31.2304+121.4737+010.500/",
        },
    )
    write_video(d / "hd.mp4", 1920, 1080, 0.5, fps=10, audio=False)
    # MPEG-TS: timestamps start at an offset and the one keyframe is far before the last second.
    write_video(d / "dashcam.ts", 160, 90, 2, fps=10)
    write_mp3(d / "interview.mp3", 3)
    write_photo(
        d / "scene.jpg",
        orientation=6,
        offset=None,
        gps={
            1: "N",
            2: (_rational("31"), _rational("13"), _rational("49.44")),
            3: "E",
            4: (_rational("121"), _rational("28"), _rational("25.32")),
            5: b"\x00",
            6: _rational("10.5"),
        },
    )
    write_photo(
        d / "tokyo.jpg",
        orientation=1,
        offset="+09:00",
        gps={
            1: "S",
            2: (_rational("33"), _rational("51"), _rational("54")),
            3: "W",
            4: (_rational("70"), _rational("39"), _rational("0")),
        },
    )
    Image.new("RGBA", (300, 200), (10, 200, 10, 255)).save(d / "plain.png")
    random_mp4 = d / "noise.mp4"
    random_mp4.write_bytes(random.Random(20240501).randbytes(64 * 1024))
    (d / "empty.mp4").write_bytes(b"")
    (d / "notes.txt").write_text("执法记录仪编号 A-01\n", encoding="utf-8")
    return Media(
        dir=d,
        video=d / "bodycam.mp4",
        video_apple=d / "phone.mp4",
        video_1080=d / "hd.mp4",
        video_ts=d / "dashcam.ts",
        audio=d / "interview.mp3",
        photo=d / "scene.jpg",
        photo_tokyo=d / "tokyo.jpg",
        png=d / "plain.png",
        truncated_video=truncate(d / "bodycam.mp4", d / "cut.mp4"),
        truncated_photo=truncate(d / "scene.jpg", d / "cut.jpg"),
        random_mp4=random_mp4,
        empty=d / "empty.mp4",
        text=d / "notes.txt",
    )


@pytest.fixture(scope="session")
def video_proxy(media: Media, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("proxy") / "bodycam.proxy.mp4"
    make_proxy(media.video, dest)
    return dest


# --- helpers --------------------------------------------------------------------------------


def top_level_boxes(path: Path) -> list[str]:
    """ISO BMFF box types in file order, read header by header (no full-file read)."""
    boxes = []
    total = path.stat().st_size
    with path.open("rb") as handle:
        pos = 0
        while pos + 8 <= total:
            handle.seek(pos)
            size, kind = struct.unpack(">I4s", handle.read(8))
            if size == 1:
                (size,) = struct.unpack(">Q", handle.read(8))
            elif size == 0:
                size = total - pos
            assert size >= 8, f"bad box size at {pos}"
            boxes.append(kind.decode("latin-1"))
            pos += size
    return boxes


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def no_floats(value: str) -> object:
    raise AssertionError(f"float in JSON: {value}")


def assert_json_float_free(info_dict: dict) -> None:
    json.loads(json.dumps(info_dict, ensure_ascii=False), parse_float=no_floats)


# --- probe ----------------------------------------------------------------------------------


def test_probe_video_reads_streams_time_and_location(media):
    info = probe(media.video)
    assert info.kind == "video"
    assert info.media_type == "video/mp4"
    assert info.container == "mp4"
    assert info.codecs == ("h264", "aac")
    assert info.duration_seconds == pytest.approx(3.0, abs=0.1)
    assert (info.width, info.height) == (640, 360)
    assert info.created_at == datetime(2024, 5, 1, 10, 3, 4, tzinfo=SHANGHAI)
    assert info.ended_at == info.created_at + timedelta(
        seconds=float(cast(str, info.duration_text))
    )
    assert info.gps is not None
    assert (info.gps.lat, info.gps.lon, info.gps.alt) == ("31.2304", "121.4737", None)
    assert info.corrupt is False
    assert info.problems == ()

    d = info.as_dict()
    assert_json_float_free(d)
    assert re.fullmatch(r"3\.0\d\d", d["duration_seconds"])
    assert d["created_at"] == "2024-05-01T10:03:04+08:00"
    assert d["ended_at"].startswith("2024-05-01T10:03:07")
    assert d["ended_at"].endswith("+08:00")
    assert d["gps"] == {"lat": "31.2304", "lon": "121.4737"}
    assert d["codecs"] == ["h264", "aac"]


def test_probe_reads_apple_keys_with_device_offset_and_altitude(media):
    info = probe(media.video_apple)
    assert info.kind == "video"
    assert info.codecs == ("h264",)
    assert info.as_dict()["created_at"] == "2024-05-01T10:03:04+08:00"
    assert info.gps is not None
    assert info.gps.as_dict() == {"lat": "31.2304", "lon": "121.4737", "alt": "10.5"}
    assert not info.corrupt


def test_probe_mpegts_with_offset_timestamps_and_sparse_keyframes(media):
    info = probe(media.video_ts)
    assert (info.kind, info.media_type, info.container) == ("video", "video/mp2t", "mpegts")
    assert info.codecs == ("h264", "aac")
    assert info.duration_seconds == pytest.approx(2.0, abs=0.1)
    assert info.corrupt is False, info.problems


def test_probe_audio(media):
    info = probe(media.audio)
    assert info.kind == "audio"
    assert info.media_type == "audio/mpeg"
    assert info.container == "mp3"
    assert info.codecs == ("mp3",)
    assert info.duration_seconds == pytest.approx(3.0, abs=0.15)
    assert (info.width, info.height) == (None, None)
    assert info.created_at is None
    assert info.ended_at is None
    assert info.corrupt is False
    assert any("创建时间" in p for p in info.problems)
    assert_json_float_free(info.as_dict())


def test_probe_photo_exif_time_gps_and_orientation(media):
    info = probe(media.photo)
    assert info.kind == "photo"
    assert info.media_type == "image/jpeg"
    assert info.codecs == ("jpeg",)
    assert (info.width, info.height) == (200, 400)  # as displayed, after EXIF orientation 6
    assert info.duration_seconds is None
    assert info.ended_at is None
    d = info.as_dict()
    assert d["created_at"] == "2024-05-01T10:03:04+08:00"
    assert d["gps"] == {"lat": "31.2304", "lon": "121.4737", "alt": "10.5"}
    assert info.corrupt is False
    assert any("北京时间" in p for p in info.problems)  # the assumed zone is reported
    assert_json_float_free(d)


def test_probe_photo_keeps_recorded_offset_and_hemispheres(media):
    info = probe(media.photo_tokyo)
    assert info.as_dict()["created_at"] == "2024-05-01T10:03:04+09:00"
    assert info.gps is not None
    assert (info.gps.lat, info.gps.lon) == ("-33.865", "-70.65")
    assert info.problems == ()


def test_probe_png_without_metadata(media):
    info = probe(media.png)
    assert info.kind == "photo"
    assert info.media_type == "image/png"
    assert (info.width, info.height) == (300, 200)
    assert info.created_at is None
    assert info.gps is None
    assert info.corrupt is False
    assert any("拍摄时间" in p for p in info.problems)


def test_probe_truncated_video_without_index_is_a_corrupt_video(media):
    info = probe(media.truncated_video)
    assert info.kind == "video"
    assert info.media_type == "video/mp4"
    assert info.corrupt is True
    assert info.problems
    assert all(CJK.search(p) for p in info.problems)


def test_probe_truncated_faststart_video_is_caught_by_decoding_the_end(video_proxy, tmp_path):
    # moov survives at the front, so the file opens; only decoding the last second shows the cut.
    cut = truncate(video_proxy, tmp_path / "cut-faststart.mp4")
    info = probe(cut)
    assert info.kind == "video"
    assert info.codecs == ("h264", "aac")
    assert info.corrupt is True
    assert any("末尾" in p or "不完整" in p for p in info.problems)


def test_probe_truncated_photo(media):
    info = probe(media.truncated_photo)
    assert info.kind == "photo"
    assert info.corrupt is True
    assert any("损坏" in p for p in info.problems)


def test_probe_random_bytes_are_unknown_and_flagged(media):
    info = probe(media.random_mp4)
    assert info.kind == "unknown"
    assert info.corrupt is True
    assert info.problems
    assert CJK.search(info.problems[0])
    assert_json_float_free(info.as_dict())


def test_probe_empty_file(media):
    info = probe(media.empty)
    assert info.kind == "unknown"
    assert info.corrupt is True
    assert any("空" in p for p in info.problems)


def test_probe_non_media_file_is_unknown_but_not_corrupt(media):
    # FFmpeg would "open" a .txt as a video (tty demuxer); it must not be called one.
    info = probe(media.text)
    assert info.kind == "unknown"
    assert info.corrupt is False
    assert info.problems


def test_probe_missing_file_raises_media_error(tmp_path):
    with pytest.raises(MediaError, match="无法读取"):
        probe(tmp_path / "missing.mp4")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+31.2304+121.4737/", ("31.2304", "121.4737", None)),
        ("+31.2304+121.4737+010.000/", ("31.2304", "121.4737", "10")),
        ("-33.8650-070.6500/", ("-33.865", "-70.65", None)),
        ("+3113.824+12128.422/", ("31.2304", "121.4737", None)),  # ±DDMM.M / ±DDDMM.M
        ("+311349.44+1212825.32/", ("31.2304", "121.4737", None)),  # ±DDMMSS / ±DDDMMSS
    ],
)
def test_iso6709_precisions(text, expected):
    point = from_iso6709(text)
    assert (point.lat, point.lon, point.alt) == expected


@pytest.mark.parametrize("text", ["", "31.2/121.4", "+0.0+0.0/", "+91.0+10.0/"])
def test_iso6709_rejects_unusable_positions(text):
    with pytest.raises(GeoError):
        from_iso6709(text)


# --- thumbnail ------------------------------------------------------------------------------


def test_video_thumbnail_is_a_jpeg_from_about_one_second(media, tmp_path):
    dest = tmp_path / "thumb.jpg"
    make_thumbnail(media.video, dest)
    with Image.open(dest) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 180)
        red = cast(tuple[int, ...], image.convert("RGB").getpixel((160, 90)))[0]
    assert abs(red - 3 * FPS) <= 12  # frame 25 (t = 1.0 s) has red 75; frame 0 would be 0


def test_photo_thumbnail_respects_exif_orientation(media, tmp_path):
    dest = tmp_path / "thumb.jpg"
    make_thumbnail(media.photo, dest, max_side=100)
    with Image.open(dest) as image:
        assert image.format == "JPEG"
        assert image.size == (50, 100)  # stored 400x200, shown upright 200x400
        rgb = image.convert("RGB")
        top = cast(tuple[int, ...], rgb.getpixel((25, 2)))
        bottom = cast(tuple[int, ...], rgb.getpixel((25, 97)))
    assert top[2] > 150  # orientation 6: the stored left edge (blue band) is now on top
    assert bottom[0] > 150


def test_png_thumbnail_within_max_side(media, tmp_path):
    dest = tmp_path / "thumb.jpg"
    make_thumbnail(media.png, dest, max_side=64)
    with Image.open(dest) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 64
        assert image.size == (64, 43)


# --- proxy ----------------------------------------------------------------------------------


def test_video_proxy_is_browser_playable_and_faststart(media, video_proxy):
    with av.open(str(video_proxy)) as proxy:
        assert [s.codec_context.name for s in proxy.streams] == ["h264", "aac"]
        video = proxy.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert video.codec_context.pix_fmt == "yuv420p"
        duration = cast(int, proxy.duration) / av.time_base
    assert duration == pytest.approx(probe(media.video).duration_seconds, abs=0.2)
    boxes = top_level_boxes(video_proxy)
    assert boxes.index("moov") < boxes.index("mdat")
    # The generated source is a camera-style file with the index at the end: the check can fail.
    source_boxes = top_level_boxes(media.video)
    assert source_boxes.index("moov") > source_boxes.index("mdat")
    assert not probe(video_proxy).corrupt


def test_hd_proxy_is_scaled_to_720p(media, tmp_path):
    dest = tmp_path / "hd.proxy.mp4"
    make_proxy(media.video_1080, dest)
    with av.open(str(dest)) as proxy:
        assert [s.codec_context.name for s in proxy.streams] == ["h264"]
        video = proxy.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        frames = sum(1 for _ in proxy.decode(video))
    assert frames == 5


def test_mpegts_proxy_starts_at_zero(media, tmp_path):
    dest = tmp_path / "dashcam.mp4"
    make_proxy(media.video_ts, dest)
    with av.open(str(dest)) as proxy:
        assert [s.codec_context.name for s in proxy.streams] == ["h264", "aac"]
        starts = [
            float(cast(int, s.start_time) * cast(Fraction, s.time_base)) for s in proxy.streams
        ]
        duration = cast(int, proxy.duration) / av.time_base
    assert max(starts) < 0.1
    assert duration == pytest.approx(2.0, abs=0.2)


def test_audio_proxy_is_aac_in_mp4(media, tmp_path):
    dest = tmp_path / "interview.m4a"
    make_proxy(media.audio, dest)
    with av.open(str(dest)) as proxy:
        assert [s.codec_context.name for s in proxy.streams] == ["aac"]
        duration = cast(int, proxy.duration) / av.time_base
        brand = proxy.metadata.get("major_brand", "").strip()
    assert duration == pytest.approx(3.0, abs=0.2)
    assert brand == "M4A"
    boxes = top_level_boxes(dest)
    assert boxes.index("moov") < boxes.index("mdat")
    info = probe(dest)
    assert (info.kind, info.media_type, info.corrupt) == ("audio", "audio/mp4", False)


@pytest.mark.parametrize(
    ("dimensions", "limit", "expected"),
    [
        ((1920, 1080), 720, (1280, 720)),
        ((640, 360), 720, (640, 360)),
        ((1080, 1920), 720, (404, 720)),
        ((641, 361), 720, (640, 360)),
    ],
)
def test_proxy_size_never_upscales_and_stays_even(
    dimensions: tuple[int, int], limit: int, expected: tuple[int, int]
) -> None:
    assert proxy_size(*dimensions, limit) == expected


# --- refusals and safety --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["audio", "random_mp4", "truncated_video", "truncated_photo", "empty", "text"]
)
def test_thumbnail_refuses_with_chinese_message(media, tmp_path, name):
    dest = tmp_path / "thumb.jpg"
    with pytest.raises(MediaError) as exc:
        make_thumbnail(getattr(media, name), dest)
    assert CJK.search(exc.value.message)
    assert exc.value.code == "LH146"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["photo", "png", "random_mp4", "truncated_video", "empty", "text"])
def test_proxy_refuses_with_chinese_message(media, tmp_path, name):
    dest = tmp_path / "proxy.mp4"
    with pytest.raises(MediaError) as exc:
        make_proxy(getattr(media, name), dest)
    assert CJK.search(exc.value.message)
    assert list(tmp_path.iterdir()) == []


def test_originals_are_byte_identical_after_derivation(media, tmp_path):
    originals = [media.video, media.audio, media.photo, media.png]
    before = {path: sha256(path) for path in originals}
    make_thumbnail(media.video, tmp_path / "v.jpg")
    make_proxy(media.video, tmp_path / "v.mp4")
    make_proxy(media.audio, tmp_path / "a.m4a")
    make_thumbnail(media.photo, tmp_path / "p.jpg")
    make_thumbnail(media.png, tmp_path / "png.jpg")
    assert {path: sha256(path) for path in originals} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.m4a",
        "p.jpg",
        "png.jpg",
        "v.jpg",
        "v.mp4",
    ]


def test_refuses_to_overwrite_the_original(media, tmp_path):
    original = shutil.copy(media.photo, tmp_path / "evidence.jpg")
    digest = sha256(original)
    with pytest.raises(MediaError, match="原始证据"):
        make_thumbnail(original, original)
    assert sha256(original) == digest


def test_interrupted_write_leaves_neither_result_nor_temp_file(media, tmp_path):
    dest = tmp_path / "proxy.mp4"

    def interrupted_job() -> None:
        with replace_when_done(media.video, dest) as tmp:
            tmp.write_bytes(b"half a proxy")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_job()
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_replaced_whole(media, tmp_path):
    dest = tmp_path / "thumb.jpg"
    dest.write_bytes(b"stale")
    make_thumbnail(media.png, dest)
    with Image.open(dest) as image:
        assert image.format == "JPEG"
