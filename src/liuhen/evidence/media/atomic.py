"""Derived files appear complete or not at all.

Thumbnail and proxy jobs run in the background and can be killed at any moment; a half-written
proxy under the final name would look valid to the web layer and play a truncated recording.
Writing beside ``dest`` keeps the final rename on one filesystem, where it is atomic.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from liuhen.durable import fsync_dir, fsync_file
from liuhen.evidence.media.errors import MediaError


@contextmanager
def replace_when_done(src: Path, dest: Path) -> Iterator[Path]:
    """Yields a temp path to write; renames it to ``dest`` only if the block completes."""
    if dest.exists() and dest.resolve() == src.resolve():
        raise MediaError("输出文件不能是原始证据文件本身，原件只读")
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.part")
    # Not mkstemp: its 0600 mode would survive the rename and hide the file from the web server.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        fsync_file(tmp)
        os.replace(tmp, dest)
    except BaseException:
        # BaseException too: a cancelled job (KeyboardInterrupt, SystemExit) must not leave debris.
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(dest.parent)
