"""Where a value sits in a parsed document, so errors in imported files and rule packs can name
the line a person has to fix."""

from __future__ import annotations

Path = tuple[str | int, ...]


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path`` or of its nearest located ancestor."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
