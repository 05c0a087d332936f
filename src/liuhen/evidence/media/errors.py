"""The one failure the media adapter raises, so callers can tell "this file cannot be rendered"
apart from a bug, and the web layer shows it like every other ``LiuhenError``.

Probing never raises it for bad content: evidence is kept as received and flagged instead.
Only derived artefacts (thumbnails, proxies) refuse, because a broken rendering would mislead.
``MediaError`` is declared in ``liuhen.errors`` with every other code; this module keeps the
name the media package imports.
"""

from __future__ import annotations

from liuhen.errors import MediaError as MediaError
