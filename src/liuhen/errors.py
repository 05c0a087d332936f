"""One error hierarchy: every failure a user can see carries a stable code and a Chinese message.

The CLI and the web layer each catch ``LiuhenError`` once; nothing else formats errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it."""

    message: str
    field: str | None = None
    line: int | None = None

    def render(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"第 {self.line} 行")
        if self.field:
            where.append(f"字段 {self.field}")
        return (("，".join(where) + "：") if where else "") + self.message


@dataclass
class LiuhenError(Exception):
    """Base of every user-facing failure; ``code`` is stable and documented, ``message`` Chinese."""

    message: str
    code: str = "LH000"
    problems: list[Problem] = field(default_factory=list)
    http_status: int = 400

    def __post_init__(self) -> None:
        # A refusal may name what was sent (an unknown key); a lone surrogate in it would make
        # the refusal itself fail to encode (a 500, a CLI traceback).
        self.message = _encodable(self.message)
        self.problems = [
            Problem(_encodable(p.message), _encodable(p.field) if p.field else p.field, p.line)
            for p in self.problems
        ]
        super().__init__(self.message)

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        if self.problems:
            text += "\n" + "\n".join("  - " + p.render() for p in self.problems)
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "problems": [
                {"message": p.message, "field": p.field, "line": p.line} for p in self.problems
            ],
        }


_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """``text`` with each lone surrogate (JSON allows ``"\\ud800"``) shown as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _kind(code: str, status: int) -> type[LiuhenError]:
    """Subclasses only fix the code and status; they exist so callers can catch by kind."""

    class _Kind(LiuhenError):
        def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
            super().__init__(
                message=message, code=code, problems=problems or [], http_status=status
            )

    return _Kind


class ValidationError(_kind("LH100", 422)):  # type: ignore[misc]
    """Input that does not satisfy an act type's fields or the catalog."""


class NotFoundError(_kind("LH104", 404)):  # type: ignore[misc]
    """A case, entry or officer that does not exist."""


class ConflictError(_kind("LH109", 409)):  # type: ignore[misc]
    """A duplicate case number or an act out of order."""


class PermissionDenied(_kind("LH103", 403)):  # type: ignore[misc]
    """A role that may not record this act."""


class ImportFormatError(_kind("LH120", 422)):  # type: ignore[misc]
    """A case import file that is malformed; nothing of it is journaled."""


class PackError(_kind("LH130", 422)):  # type: ignore[misc]
    """A rule pack that does not validate; each problem names file and line."""


class UploadConflict(_kind("LH140", 409)):  # type: ignore[misc]
    """An upload offset that does not match what the server holds, or an upload already ended."""


class ChecksumMismatch(_kind("LH141", 460)):  # type: ignore[misc]
    """The uploaded bytes do not have the digest the client announced; nothing was stored."""


class UploadGone(_kind("LH142", 410)):  # type: ignore[misc]
    """An upload that was terminated or refused; start a new one."""


class ConfigurationError(_kind("LH200", 500)):  # type: ignore[misc]
    """Settings or instance state (key, hash algorithm) that cannot work."""


class IntegrityError(_kind("LH300", 500)):  # type: ignore[misc]
    """The stored journal does not verify."""


class CheckpointRollback(_kind("LH301", 500)):  # type: ignore[misc]
    """The journal is shorter than, or does not extend, a tree head already signed: the tail
    was cut or rewritten, so signing now would sign the forgery; nothing is signed."""


# Archiving and retention (LH430–LH459): each refusal names what must happen first.


class CaseNotClosed(_kind("LH430", 409)):  # type: ignore[misc]
    """Archiving a case that has no 结案 entry: a dossier is made of a finished case."""


class AlreadyArchived(_kind("LH431", 409)):  # type: ignore[misc]
    """A second 归档 of the same case; the first dossier stands."""


class RetentionTooShort(_kind("LH432", 422)):  # type: ignore[misc]
    """A 保管期限 shorter than the rule pack requires, or not long-term where a trigger applies."""


class NotArchived(_kind("LH433", 409)):  # type: ignore[misc]
    """Holds and disposals concern archived cases only."""


class RetentionNotEnded(_kind("LH434", 409)):  # type: ignore[misc]
    """Disposal before the retention period has ended (or of a 长期/永久 record)."""


class HoldActive(_kind("LH435", 409)):  # type: ignore[misc]
    """A legal hold (复议、诉讼、审计…) covers the files: nothing is disposed until released."""


class DisposalNotApproved(_kind("LH436", 403)):  # type: ignore[misc]
    """No head's 同意 for exactly these files, or the approval was already carried out."""


class NotInCase(_kind("LH437", 422)):  # type: ignore[misc]
    """A digest that is not a file of this case (its documents, evidence or attachments)."""


class StorageLocked(_kind("LH438", 409)):  # type: ignore[misc]
    """The object store's lock (COMPLIANCE mode) has not expired; the storage refuses removal."""


class DeletionRefused(_kind("LH439", 405)):  # type: ignore[misc]
    """Any attempt to delete through the interface: records leave only by the disposal procedure."""


class ExportTargetExists(_kind("LH400", 409)):  # type: ignore[misc]
    """An export destination that already exists: an export never overwrites anything."""


class ExportIncomplete(_kind("LH401", 422)):  # type: ignore[misc]
    """Files the case's journal names are not in storage and were not disposed: nothing written."""


class ExportFailed(_kind("LH402", 500)):  # type: ignore[misc]
    """The export stopped midway (storage damaged, disk full); no bag was left behind."""
