"""One error hierarchy: every failure a user can see carries a stable code and a Chinese message.

Every code is declared here, once, in ``CODES`` (its HTTP status and what it means, the text of
docs/errors.md), and every kind of failure a caller catches is a subclass defined here, so a new
refusal cannot take a number already in use or a status that contradicts the table.
``tests/unit/test_error_codes.py`` checks that each ``LH`` code in src/ is declared here.
The CLI and the web layer each catch ``LiuhenError`` once; nothing else formats errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it.

    ``message`` is what the person who typed it reads, naming the field by its label ("请填写
    案由"); ``field`` is the machine path ("fields.cause", "confirm.11010031") a form uses to
    put the message beside its input; ``label`` is that field's Chinese label and ``kind`` a
    stable word for the kind of problem (``KINDS``), for clients that act on it.
    """

    message: str
    field: str | None = None
    line: int | None = None
    label: str | None = None
    kind: str | None = None

    def render(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"第 {self.line} 行")
        if self.field:
            where.append(f"字段 {self.field}")
        return (("，".join(where) + "：") if where else "") + self.message


# The kinds of problem (``Problem.kind``): stable words a client may act on, with what they mean.
KINDS: Mapping[str, str] = MappingProxyType(
    {
        "required": "必填项未填写",
        "text": "应为文字，或含有无法识别的字符",
        "too_long": "超过长度限制",
        "number": "应为整数，或超出允许的范围",
        "money": "应为不超过两位小数的金额",
        "date": "应为日期，或超出可记录的范围",
        "datetime": "应为日期和时间，或超出可记录的范围",
        "choice": "应为所列选项之一（含“是”“否”）",
        "unknown": "没有这一字段或项",
        "format": "结构不符合要求（如应为列表、对象）",
        "actor": "没有填写执法人员",
        "officer": "执法证号未登记、已停用或不是执法人员",
        "signature": "签名人未确认，或不能在该签名栏签名",
        "reference": "所指的记录或文件不在本案中",
        "rule": "不符合程序规则",
    }
)


@dataclass(frozen=True)
class ErrorCode:
    """One stable code: the HTTP status it answers with and what it means, in Chinese.

    ``status`` is None for the bag verifiers' codes, which are findings printed by a program
    that runs without this package, never HTTP answers. ``message`` is the text shown when a
    refusal gives none of its own (so far only the login refusal, which must say the same
    whatever went wrong).
    """

    code: str
    status: int | None
    meaning: str
    message: str | None = None


def _declare(*codes: ErrorCode) -> Mapping[str, ErrorCode]:
    """The registry, refusing at import a code declared twice (a dict literal would keep the
    last silently)."""
    registry: dict[str, ErrorCode] = {}
    for declared in codes:
        if declared.code in registry:
            raise ValueError(f"错误代码 {declared.code} 重复声明")
        registry[declared.code] = declared
    return MappingProxyType(registry)


# In the order and words of docs/errors.md (tests/unit/test_error_codes.py compares the two).
CODES: Mapping[str, ErrorCode] = _declare(
    ErrorCode("LH000", 400, "未归类的错误"),
    ErrorCode(
        "LH100",
        422,
        "输入不符合事项目录或字段要求（每个问题给出字段路径；签名人未以本人密码确认的，"
        "字段为 `confirm.执法证号`）；接口请求格式错误（类型不符、缺少字段、不是 JSON）"
        "也以 LH100 答复，逐项给出位置和中文原因，不回显所发送的值",
    ),
    ErrorCode("LH103", 403, "当前角色无权记录该事项"),
    ErrorCode("LH104", 404, "案件、记录或页面不存在"),
    ErrorCode("LH109", 409, "冲突：如案件编号已存在"),
    ErrorCode("LH120", 422, "导入文件格式错误（每个问题给出行号与字段），未导入任何内容"),
    ErrorCode("LH130", 422, "规则包未通过校验（每个问题给出文件、行号与字段）"),
    ErrorCode(
        "LH140",
        409,
        "上传偏移与服务器记录不符，或上传已结束（客户端应先 HEAD 取得偏移再续传）",
    ),
    ErrorCode("LH141", 460, "上传文件的摘要与客户端声明的不符：未保存为证据"),
    ErrorCode("LH142", 410, "上传已终止或被拒绝，需重新上传"),
    ErrorCode("LH143", 412, "上传请求缺少 `Tus-Resumable: 1.0.0`"),
    ErrorCode("LH144", 415, "续传请求的 Content-Type 不是 `application/offset+octet-stream`"),
    ErrorCode("LH145", 416, "不支持或超出文件大小的 Range 请求"),
    ErrorCode("LH146", 422, "无法由该文件生成缩略图或浏览用副本（原文件照常保存并标记）"),
    ErrorCode(
        "LH147",
        422,
        "上传的文件已保存为证据，但未能归入所指定的案件（或未能记为证据）：原因见说明，"
        "上传状态为 `failed`；可用 `liuhen media bind` 重新归入",
    ),
    ErrorCode(
        "LH148",
        422,
        "事项附件未保存：不是 PDF、JPEG 或 PNG 文件（按文件内容识别），是空文件，或超过大小上限"
        "（LIUHEN_ATTACHMENT_MAX）；事项未记录，表单保留已填写的内容",
    ),
    ErrorCode(
        "LH150",
        401,
        "未登录、用户名或密码错误，或账户已暂时锁定（连续 5 次错误锁定 15 分钟）",
        message="用户名或密码错误，或账户已暂时锁定",
    ),
    ErrorCode("LH151", 403, "无权访问（如其他机构的案件），或缺少 CSRF 令牌"),
    ErrorCode("LH200", 500, "配置或实例状态错误（未初始化、密钥不符、摘要算法不符）"),
    ErrorCode("LH300", 500, "存储的日志未通过校验"),
    ErrorCode(
        "LH301",
        500,
        "日志比已签名的检查点短，或与之不一致（一致性证明不成立）："
        "日志末尾被删除或已签名的记录被改写，"
        "拒绝签署新检查点（`liuhen journal checkpoint` 以退出码 1 结束）；"
        "请运行 `liuhen verify` 查明原因",
    ),
    # Export and bag verification (LH400–LH429); the bag verifiers print LH410–LH423 themselves
    ErrorCode("LH400", 409, "导出目标（目录或 ISO 文件）已存在：导出从不覆盖"),
    ErrorCode(
        "LH401",
        422,
        "案件记录所载的文件不在存储中，且无销毁记录：未导出（逐个列出序号与摘要）",
    ),
    ErrorCode("LH402", 500, "导出中途失败（存储中的文件与摘要不符、磁盘已满等）：已清除半成品"),
    ErrorCode("LH410", None, "导出包结构错误：缺少 `bagit.txt`、`bag-info.txt` 或无法读取的文件"),
    ErrorCode("LH411", None, "载荷文件与载荷清单（SHA-256 或 SM3）不符、缺失或未列入清单"),
    ErrorCode("LH412", None, "标签文件（`bag-info.txt`、清单等）与标签清单不符"),
    ErrorCode("LH413", None, "`Payload-Oxum`（字节数与文件数）与载荷不符"),
    ErrorCode("LH414", None, "记录的规范文本算不出所列叶哈希，或不是规范文本、无法解析"),
    ErrorCode("LH415", None, "案件链断裂：前一条哈希不符、案内序号缺号或顺序错误、混入他案记录"),
    ErrorCode("LH416", None, "包含证明不能从记录算出签名检查点的树根"),
    ErrorCode("LH417", None, "检查点签名无效，或公钥文件无效（验证密钥字符串与 PEM 不一致）"),
    ErrorCode("LH418", None, "两个检查点之间的一致性证明无效"),
    ErrorCode("LH419", None, "文件的摘要与其日志记录所载摘要不符，或包中文件不是任何记录所载"),
    ErrorCode("LH420", None, "记录所载文件不在包中，且包内既无销毁记录、也未列为不予提供"),
    ErrorCode(
        "LH421",
        None,
        "不予提供没有包内依据：不提供正文的记录或未随包提供的文件，"
        "没有包内未被解除的保密标记覆盖它，或所称标记种类不符；"
        "称为导入的历史记录而所指记录并非导入；称为案卷而不是归档记录所附",
    ),
    ErrorCode(
        "LH422",
        None,
        "检查点不是由 `--key` 指定的公钥签署，或包内公钥不是该公钥，或 `--key` 无法读取",
    ),
    ErrorCode(
        "LH423",
        None,
        "不予提供声明 `data/journal/withholding.txt` 缺失（而包内有不予提供的记录或文件）、"
        "签名无效，或与 `entries.jsonl`、`withheld.json` 的摘要不符：导出后被改动",
    ),
    ErrorCode(
        "LH424",
        None,
        "文书的电子签名在其签名时刻（日志记录该文书的时间）未通过验证：证书不能链接到包内"
        "`data/journal/trust-anchors.pem` 中的信任锚、当时不在有效期内，或签名与文件不符"
        "（只由 `liuhen verify-bag` 检查）",
    ),
    # Archiving, retention and disposal (LH430–LH459)
    ErrorCode("LH430", 409, "案件尚未结案（无“结案”记录），不能归档"),
    ErrorCode("LH431", 409, "案件已经归档，不能重复归档"),
    ErrorCode(
        "LH432",
        422,
        "保管期限短于规则包的要求，"
        "或本案有长期保存的情形而所选不是“长期”“永久”（逐条列出情形及条文）",
    ),
    ErrorCode(
        "LH433",
        409,
        "案件尚未归档：保管期限自归档之日起计算，保全以外的保管操作只适用于已归档案件",
    ),
    ErrorCode("LH434", 409, "保管期限尚未届满（或为长期、永久，永不届满），不得审批或执行销毁"),
    ErrorCode("LH435", 409, "文件处于保全期间（复议、诉讼、审计等），须经负责人解除保全后方可销毁"),
    ErrorCode("LH436", 403, "没有负责人“同意”销毁这些文件的审批，或该审批已经执行"),
    ErrorCode("LH437", 422, "所列摘要不是本案的文书、音像记录或附件"),
    ErrorCode(
        "LH438",
        409,
        "对象存储的对象锁（合规模式）尚未到期，存储拒绝删除；到期后重新执行 `liuhen dispose run`",
    ),
    ErrorCode(
        "LH439",
        405,
        "接口不提供删除（或该地址不支持此请求方法）：记录和文件只能经销毁程序离开存储",
    ),
    # Confidentiality marks and parties' requests (LH460–LH489)
    ErrorCode(
        "LH460",
        403,
        "记录或文件带有保密标记（国家秘密、商业秘密、个人隐私），"
        "当前用户无权查看或下载（案件本身可以查看）",
    ),
    ErrorCode(
        "LH461",
        409,
        "查阅、复制申请的状态不允许该操作：尚未审批、已经审批、负责人不同意，"
        "或只申请查阅而要求提供复制件",
    ),
    # Search (LH490–LH499)
    ErrorCode("LH490", 422, "搜索词为空、超过 100 个字，或不含可搜索的文字（只有标点、空格）"),
    # Real-time review (LH520–LH529)
    ErrorCode(
        "LH520", 422, "实时调阅的筛选条件有误：不是可查看的执法单位，或不是事项目录中的事项类型"
    ),
    # Certificates of lawful external CAs (LH540–LH549)
    ErrorCode("LH540", 422, "登记为信任锚的证书不是 CA 证书，或文件中没有可读的证书"),
    ErrorCode("LH541", 422, "证书已过期或尚未生效：不能登记为信任锚，也不能导入为签名证书"),
    ErrorCode("LH542", 409, "该证书已登记为信任锚（或是本实例的根证书），不重复登记"),
    ErrorCode("LH543", 422, "导入的签名证书不能链接到任何已登记的信任锚（`liuhen ca trust`）"),
    ErrorCode("LH544", 422, "PKCS#12 文件无法读取、口令错误、缺少私钥或证书，或私钥与证书不匹配"),
    ErrorCode(
        "LH545", 422, "证书的密钥用法不含数字签名（digitalSignature）或不可否认（nonRepudiation）"
    ),
    # Agencies' document formats (LH560–LH569)
    ErrorCode("LH560", 422, "文书格式：该文书种类没有这一可调整的文字块（可调整的块见 --show）"),
    ErrorCode(
        "LH561", 422, "文书格式：必需的文字块为空、应为一行而分了行，或删去了法定内容（如救济途径）"
    ),
    ErrorCode("LH562", 422, "文书格式：文字块超过长度上限"),
)


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
            replace(
                p,
                message=_encodable(p.message),
                field=_encodable(p.field) if p.field else p.field,
                label=_encodable(p.label) if p.label else p.label,
            )
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
                {
                    "message": p.message,
                    "field": p.field,
                    "line": p.line,
                    "label": p.label,
                    "kind": p.kind,
                }
                for p in self.problems
            ],
        }


_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """``text`` with each lone surrogate (JSON allows ``"\\ud800"``) shown as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _kind(code: str) -> type[LiuhenError]:
    """Subclasses only fix the code (and so the status, from ``CODES``); they exist so callers
    can catch by kind."""
    declared = CODES[code]
    if declared.status is None:
        raise ValueError(f"{code} 不是接口答复的错误代码")
    status: int = declared.status

    class _Kind(LiuhenError):
        def __init__(
            self, message: str | None = None, problems: list[Problem] | None = None
        ) -> None:
            super().__init__(
                message=(declared.message or declared.meaning) if message is None else message,
                code=code,
                problems=problems or [],
                http_status=status,
            )

    return _Kind


class ValidationError(_kind("LH100")):  # type: ignore[misc]
    """Input that does not satisfy an act type's fields or the catalog."""


class NotFoundError(_kind("LH104")):  # type: ignore[misc]
    """A case, entry or officer that does not exist."""


class ConflictError(_kind("LH109")):  # type: ignore[misc]
    """A duplicate case number or an act out of order."""


class PermissionDenied(_kind("LH103")):  # type: ignore[misc]
    """A role that may not record this act."""


class ImportFormatError(_kind("LH120")):  # type: ignore[misc]
    """A case import file that is malformed; nothing of it is journaled."""


class PackError(_kind("LH130")):  # type: ignore[misc]
    """A rule pack that does not validate; each problem names file and line."""


class UploadConflict(_kind("LH140")):  # type: ignore[misc]
    """An upload offset that does not match what the server holds, or an upload already ended."""


class ChecksumMismatch(_kind("LH141")):  # type: ignore[misc]
    """The uploaded bytes do not have the digest the client announced; nothing was stored."""


class UploadGone(_kind("LH142")):  # type: ignore[misc]
    """An upload that was terminated or refused; start a new one."""


class ConfigurationError(_kind("LH200")):  # type: ignore[misc]
    """Settings or instance state (key, hash algorithm) that cannot work."""


class IntegrityError(_kind("LH300")):  # type: ignore[misc]
    """The stored journal does not verify."""


class CheckpointRollback(_kind("LH301")):  # type: ignore[misc]
    """The journal is shorter than, or does not extend, a tree head already signed: the tail
    was cut or rewritten, so signing now would sign the forgery; nothing is signed."""


# Archiving and retention (LH430–LH459): each refusal names what must happen first.


class CaseNotClosed(_kind("LH430")):  # type: ignore[misc]
    """Archiving a case that has no 结案 entry: a dossier is made of a finished case."""


class AlreadyArchived(_kind("LH431")):  # type: ignore[misc]
    """A second 归档 of the same case; the first dossier stands."""


class RetentionTooShort(_kind("LH432")):  # type: ignore[misc]
    """A 保管期限 shorter than the rule pack requires, or not long-term where a trigger applies."""


class NotArchived(_kind("LH433")):  # type: ignore[misc]
    """Holds and disposals concern archived cases only."""


class RetentionNotEnded(_kind("LH434")):  # type: ignore[misc]
    """Disposal before the retention period has ended (or of a 长期/永久 record)."""


class HoldActive(_kind("LH435")):  # type: ignore[misc]
    """A legal hold (复议、诉讼、审计…) covers the files: nothing is disposed until released."""


class DisposalNotApproved(_kind("LH436")):  # type: ignore[misc]
    """No head's 同意 for exactly these files, or the approval was already carried out."""


class NotInCase(_kind("LH437")):  # type: ignore[misc]
    """A digest that is not a file of this case (its documents, evidence or attachments)."""


class StorageLocked(_kind("LH438")):  # type: ignore[misc]
    """The object store's lock (COMPLIANCE mode) has not expired; the storage refuses removal."""


class DeletionRefused(_kind("LH439")):  # type: ignore[misc]
    """Any attempt to delete through the interface: records leave only by the disposal procedure."""


class ExportTargetExists(_kind("LH400")):  # type: ignore[misc]
    """An export destination that already exists: an export never overwrites anything."""


class ExportIncomplete(_kind("LH401")):  # type: ignore[misc]
    """Files the case's journal names are not in storage and were not disposed: nothing written."""


class ExportFailed(_kind("LH402")):  # type: ignore[misc]
    """The export stopped midway (storage damaged, disk full); no bag was left behind."""


class MediaError(_kind("LH146")):  # type: ignore[misc]
    """A thumbnail or proxy that cannot be made from this file; the message says why, in Chinese.
    Probing never raises it for bad content: evidence is kept as received and flagged instead."""


class NotBound(_kind("LH147")):  # type: ignore[misc]
    """The file is stored as evidence, but binding it to the named case failed."""


class AttachmentRefused(_kind("LH148")):  # type: ignore[misc]
    """A file attached to an act form that is not a PDF, JPEG or PNG by its content, or too big."""


class AuthError(_kind("LH150")):  # type: ignore[misc]
    """Not logged in, wrong credentials, locked: one code so nobody learns which it was."""


class Forbidden(_kind("LH151")):  # type: ignore[misc]
    """A user who may not see or do this (another agency's case, a missing CSRF token)."""


# Confidentiality marks and parties' requests (LH460–LH489).


class ConfidentialRecord(_kind("LH460")):  # type: ignore[misc]
    """The case is visible but this record is marked, and the user is not entitled to it."""


class DisclosureRefused(_kind("LH461")):  # type: ignore[misc]
    """A delivery or decision that the request's state does not allow."""


# Search (LH490–LH499).


class SearchQueryError(_kind("LH490")):  # type: ignore[misc]
    """A search that asks nothing (empty, only punctuation) or too much (over 100 characters)."""


# Real-time review (LH520–LH529).


class FeedFilterError(_kind("LH520")):  # type: ignore[misc]
    """A live-feed filter naming a unit the reader does not oversee or an act not in the catalog."""


# Certificates of lawful external CAs (LH540–LH549): each refusal says what the certificate lacks.


class NotACertificateAuthority(_kind("LH540")):  # type: ignore[misc]
    """A file offered as a trust anchor holding no certificate, or one that is not a CA's."""


class CertificateOutOfDate(_kind("LH541")):  # type: ignore[misc]
    """A certificate expired or not yet valid: it can neither anchor trust nor sign now."""


class AnchorExists(_kind("LH542")):  # type: ignore[misc]
    """A trust anchor registered twice (or the instance's own root offered as external)."""


class UntrustedCertificate(_kind("LH543")):  # type: ignore[misc]
    """An imported signing certificate whose issuer no registered anchor vouches for."""


class KeyBundleError(_kind("LH544")):  # type: ignore[misc]
    """A PKCS#12 file that cannot be opened, lacks a key or a certificate, or holds a key
    that is not the certificate's."""


class KeyUsageError(_kind("LH545")):  # type: ignore[misc]
    """A certificate whose key usage does not allow signing documents."""


# Agencies' document formats (LH560–LH569): an agency adjusts wording, never the fields.


class TemplateBlockUnknown(_kind("LH560")):  # type: ignore[misc]
    """A wording block the document type does not let an agency adjust."""


class TemplateBlockRequired(_kind("LH561")):  # type: ignore[misc]
    """A block a document needs left empty, split over lines, or stripped of what the law
    requires it to say."""


class TemplateBlockTooLong(_kind("LH562")):  # type: ignore[misc]
    """A wording block longer than the format's bound."""
