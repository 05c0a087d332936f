"""The pages' one Jinja2 environment, shared by every feature's router.

One instance so the ``label`` filter (codes the record stores → Chinese) is installed once and
every page renders codes the same way. Each feature keeps its pages in its own ``templates/``
folder; this module's folder holds only what every page shares (``base.html``, the error and
refusal pages). The folders are found on disk rather than imported, since the kits sit below
the features; a page name must be unique across them (a test checks).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from liuhen.access.policy import RETENTION_READERS
from liuhen.procedure.catalog import CATEGORY_LABELS, DOCUMENT_TYPES, PROCEDURE_LABELS, Role
from liuhen.procedure.fields import SIGNER_ROLES

HERE = Path(__file__).parent
STATIC = HERE / "static"
SHARED = HERE / "templates"
FOLDERS = [SHARED, *sorted(f for f in HERE.parent.glob("*/templates") if f != SHARED)]
TEMPLATES = Jinja2Templates(directory=[str(folder) for folder in FOLDERS])
CODE_LABELS: dict[str, str] = {
    **{k.value: v for k, v in CATEGORY_LABELS.items()},
    **{k.value: v for k, v in PROCEDURE_LABELS.items()},
    **DOCUMENT_TYPES, **SIGNER_ROLES,
    "video": "视频", "audio": "音频", "photo": "照片", "unknown": "未知",
}  # fmt: skip


def label(value: Any) -> Any:
    """Chinese for the codes the record stores (penalty → 行政处罚); anything else unchanged."""
    return CODE_LABELS.get(value, value) if isinstance(value, str) else value


def when(value: Any, with_time: bool = True) -> str:
    """A recorded time as people read it on a page, "2026年8月5日 11:20", at the offset it was
    recorded with (the wall clock the officers saw); a date alone as "2026年8月5日". Anything
    that is not an ISO time is shown as it is, so a malformed import stays visible."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        if "T" not in value:
            d = date.fromisoformat(value)
            return f"{d.year}年{d.month}月{d.day}日"
        t = datetime.fromisoformat(value)
    except ValueError:
        return value
    day = f"{t.year}年{t.month}月{t.day}日"
    return f"{day} {t.hour:02d}:{t.minute:02d}" if with_time else day


TEMPLATES.env.filters["label"] = label
TEMPLATES.env.filters["when"] = when
# roles by name, never as string literals in a page
TEMPLATES.env.globals.update(Role=Role, RETENTION_READERS=RETENTION_READERS)

__all__ = ["CODE_LABELS", "FOLDERS", "STATIC", "TEMPLATES", "label", "when"]
