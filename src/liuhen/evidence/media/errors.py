"""The one failure the media adapter raises, so callers can tell "this file cannot be rendered"
apart from a bug, and the web layer shows it like every other ``LiuhenError``.

Probing never raises it for bad content: evidence is kept as received and flagged instead.
Only derived artefacts (thumbnails, proxies) refuse, because a broken rendering would mislead.
"""

from __future__ import annotations

from liuhen.errors import LiuhenError, Problem


class MediaError(LiuhenError):
    """A thumbnail or proxy that cannot be made from this file; the message says why, in Chinese."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message=message, code="LH146", problems=problems or [], http_status=422)
