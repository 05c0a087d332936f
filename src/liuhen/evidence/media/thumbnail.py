"""Small JPEG previews for case pages, from the frame a viewer would recognise, never the
original's bytes: thumbnails are shown to people, the original is only ever read.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from liuhen.evidence.media import streams
from liuhen.evidence.media.atomic import replace_when_done
from liuhen.evidence.media.errors import MediaError
from liuhen.evidence.media.info import MediaInfo
from liuhen.evidence.media.photo import open_photo
from liuhen.evidence.media.probe import probe

# A body camera's first frames are often black or still focusing; one second in shows the scene.
FRAME_AT_SECONDS = 1.0
JPEG_QUALITY = 85


def make_thumbnail(src: Path, dest: Path, max_side: int = 320) -> None:
    """Writes a JPEG no larger than ``max_side`` on either side, replacing ``dest`` atomically."""
    if max_side < 1:
        raise ValueError("max_side 必须为正整数")
    info = probe(src)
    _require_renderable(info, src)
    image = _video_frame(src, max_side) if info.kind == "video" else _photo(src, max_side)
    with replace_when_done(src, dest) as tmp:
        image.save(tmp, format="JPEG", quality=JPEG_QUALITY)


def _require_renderable(info: MediaInfo, src: Path) -> None:
    if info.corrupt:
        reason = info.problems[0] if info.problems else "文件已损坏"
        raise MediaError(f"文件“{src.name}”已损坏或不完整，无法生成缩略图：{reason}")
    if info.kind == "photo" and info.width is None:
        reason = "；".join(info.problems) or "暂不支持该图像格式"
        raise MediaError(f"无法解码照片“{src.name}”，无法生成缩略图：{reason}")
    if info.kind not in ("video", "photo"):
        names = {"audio": "音频文件", "unknown": "无法识别的文件"}
        raise MediaError(f"{names.get(info.kind, info.kind)}没有可显示的画面，无法生成缩略图")


def _video_frame(src: Path, max_side: int) -> Image.Image:
    """Decodes from the start rather than seeking: with long GOPs a seek lands on the same
    keyframe anyway, and one second of decoding is cheap and bounded.
    """
    chosen: Image.Image | None = None
    with streams.open_input(src) as container:
        video = streams.main_video(container)
        if video is None:
            raise MediaError("文件中没有视频画面，无法生成缩略图")
        video.codec_context.thread_type = "AUTO"
        width, height = _fit(video.codec_context.width, video.codec_context.height, max_side)
        for frame in container.decode(video):
            if chosen is None or (frame.time is not None and frame.time >= FRAME_AT_SECONDS):
                # PyAV 18 ships to_image() without annotations; it returns a PIL image.
                chosen = frame.to_image(width=width, height=height)  # type: ignore[no-untyped-call]
            if frame.time is not None and frame.time >= FRAME_AT_SECONDS:
                break
    if chosen is None:
        raise MediaError("视频中没有可解码的画面，无法生成缩略图")
    return chosen


def _photo(src: Path, max_side: int) -> Image.Image:
    with open_photo(src) as image:
        image.draft("RGB", (max_side, max_side))  # JPEG: decode at reduced scale, less memory
        upright = ImageOps.exif_transpose(image)
        flat = _on_white(upright)
        flat.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return flat


def _on_white(image: Image.Image) -> Image.Image:
    """JPEG has no alpha; transparent areas become white, as a viewer shows them, not black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))
