"""``probe``: what an evidence file is, and whether it is whole, without ever refusing it.

Evidence is stored as received. A file that cannot be parsed is still evidence (of what was
handed over), so probing reports damage in ``problems``/``corrupt`` instead of raising; only a
path that cannot be read at all raises, because that is the caller's fault, not the file's.
"""

from __future__ import annotations

import logging
from pathlib import Path

from liuhen.evidence.media import sniff
from liuhen.evidence.media.avprobe import probe_recording
from liuhen.evidence.media.errors import MediaError
from liuhen.evidence.media.info import MediaInfo
from liuhen.evidence.media.photo import probe_photo

log = logging.getLogger(__name__)


def probe(path: Path) -> MediaInfo:
    """Photo first (Pillow reads EXIF), then recordings (FFmpeg), then magic bytes."""
    try:
        size = path.stat().st_size
        head = sniff.read_head(path)
    except OSError as exc:
        raise MediaError(f"无法读取文件：{path.name}（{exc.strerror or exc}）") from exc
    if size == 0:
        return MediaInfo(
            kind="unknown",
            media_type=sniff.guess_from_name(path),
            problems=("文件为空（0 字节）",),
            corrupt=True,
        )
    try:
        return _probe(path, head)
    except Exception as exc:
        # A parser bug must not cost us the evidence; log it loudly and flag the file.
        log.exception("probing %s failed unexpectedly", path)
        return MediaInfo(
            kind="unknown",
            media_type=sniff.guess_from_name(path),
            problems=(f"检测文件时发生意外错误，请人工核查（技术信息：{exc!r}）",),
            corrupt=True,
        )


def _probe(path: Path, head: bytes) -> MediaInfo:
    sniffed = sniff.sniff(head)
    if sniffed is not None and sniffed.kind == "photo" and sniffed.container in ("heif",):
        return MediaInfo(
            kind="photo",
            media_type=sniffed.media_type,
            container=sniffed.container,
            problems=("暂不支持解码该图像格式，未检查完整性，也无法生成缩略图",),
        )
    found = probe_photo(path) or probe_recording(path)
    if found is not None:
        return found
    if sniffed is not None:
        return MediaInfo(
            kind=sniffed.kind,
            media_type=sniffed.media_type,
            container=sniffed.container,
            problems=(
                f"文件头表明是 {sniffed.container} 格式，但无法解析其结构；"
                "文件可能不完整（例如录制中断）或已损坏",
            ),
            corrupt=True,
        )
    claimed = sniff.guess_from_name(path)
    if sniff.claims_media(claimed):
        return MediaInfo(
            kind="unknown",
            media_type=claimed,
            problems=(f"扩展名表明是 {claimed}，但内容无法识别为任何音视频或图像格式",),
            corrupt=True,
        )
    return MediaInfo(
        kind="unknown",
        media_type=claimed,
        problems=("不是可识别的音视频或照片格式，按原样保存",),
    )
