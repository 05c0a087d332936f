"""Settings, read from the environment once by a factory (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from liuhen.errors import ConfigurationError
from liuhen.hashing import HashAlg, get_alg

# Every setting, its default and what it is for: the one place a default is written (``load``
# reads it from here; ``$LIUHEN_DATA_DIR`` stands for the resolved data directory). Tests check
# that docs/settings.md names each.
SETTINGS: dict[str, tuple[str, str]] = {
    "LIUHEN_DATA_DIR": ("./data", "数据目录：SQLite 文件、检查点签名密钥、本地文件存储"),
    "LIUHEN_DATABASE_URL": (
        "sqlite:///$LIUHEN_DATA_DIR/liuhen.db",
        "数据库地址；规模部署用 postgresql+psycopg://用户@主机/库名",
    ),
    "LIUHEN_HASH": ("sha256", "摘要算法：sha256（默认）或 sm3；初始化后不可更改"),
    "LIUHEN_TIMEZONE": ("Asia/Shanghai", "机关所在地时区，用于记录时间与期限计算"),
    "LIUHEN_BLOB_URL": (
        "file://$LIUHEN_DATA_DIR/blobs",
        "音像与文件存储：本地目录 file://路径，或 s3://存储桶/前缀?endpoint=地址",
    ),
    "LIUHEN_BLOB_LOCK_DAYS": ("1830", "S3 对象锁（合规模式）的保留天数，默认约五年"),
    "LIUHEN_UPLOAD_MAX": ("68719476736", "单个上传文件的最大字节数，默认 64 GiB"),
    "LIUHEN_ATTACHMENT_MAX": ("20971520", "事项表单上传的单个附件的最大字节数，默认 20 MiB"),
    "LIUHEN_HOST": ("127.0.0.1", "liuhen serve 监听地址"),
    "LIUHEN_PORT": ("8000", "liuhen serve 监听端口"),
    "LIUHEN_EXPORT_SM3": ("0", "导出包另附 SM3 载荷清单（1 为是；实例摘要为 sm3 时总是附上）"),
    "LIUHEN_COOKIE_SECURE": ("0", "会话 Cookie 带 Secure 属性（1 为是；经 HTTPS 服务时须开启）"),
    "LIUHEN_SESSION_IDLE_MINUTES": ("30", "会话闲置超过此分钟数即失效，须重新登录"),
    "LIUHEN_SMTP_URL": ("", "预警邮件的发信服务器：smtp://主机:端口 或 smtps://；为空不发邮件"),
    "LIUHEN_SMTP_SENDER": ("liuhen@localhost", "预警邮件的发件人地址"),
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    hash_alg: HashAlg
    timezone: ZoneInfo
    host: str
    port: int
    blob_url: str
    blob_lock_days: int
    upload_max: int
    export_sm3: bool
    cookie_secure: bool
    session_idle_minutes: int
    smtp_url: str = ""  # empty: no e-mail (warnings still reach the inboxes)
    smtp_sender: str = "liuhen@localhost"
    attachment_max: int = 20 * 1024 * 1024  # an act form's attached file (a scan, a photo)

    @property
    def key_path(self) -> Path:
        return self.data_dir / "keys" / "checkpoint.ed25519"


def default(key: str, data_dir: Path | None = None) -> str:
    """The documented default of ``key``; one under ``$LIUHEN_DATA_DIR`` needs ``data_dir``."""
    text = SETTINGS[key][0]
    prefix, marker, rest = text.partition("$LIUHEN_DATA_DIR/")
    if not marker:
        return text
    if data_dir is None:
        raise ValueError(f"{key} 的默认值取决于数据目录")
    return prefix + str(data_dir / rest)


def zone(env: Mapping[str, str] | None = None) -> ZoneInfo:
    """The agency's time zone, ``LIUHEN_TIMEZONE``: for code that has no ``Settings`` at hand
    (a form's local time) yet must agree with what ``load`` gives the app."""
    env = os.environ if env is None else env
    try:
        return ZoneInfo(env.get("LIUHEN_TIMEZONE", default("LIUHEN_TIMEZONE")))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"未知时区：{env.get('LIUHEN_TIMEZONE')}") from None


def load(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env

    def get(key: str) -> str:
        return env.get(key, default(key))

    data_dir = Path(get("LIUHEN_DATA_DIR")).expanduser().resolve()
    url = env.get("LIUHEN_DATABASE_URL") or default("LIUHEN_DATABASE_URL", data_dir)
    if not url.startswith(("sqlite:///", "postgresql+psycopg://", "postgresql://")):
        raise ConfigurationError(
            "LIUHEN_DATABASE_URL 只支持 sqlite:/// 或 postgresql+psycopg:// 开头的地址"
        )
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    tz = zone(env)
    port_text = get("LIUHEN_PORT")
    if not port_text.isdigit():
        raise ConfigurationError(f"LIUHEN_PORT 应为端口号：{port_text}")
    blob_url = env.get("LIUHEN_BLOB_URL") or default("LIUHEN_BLOB_URL", data_dir)
    if not blob_url.startswith(("file://", "s3://")):
        raise ConfigurationError("LIUHEN_BLOB_URL 只支持 file://路径 或 s3://存储桶")
    numbers = {}
    for key in (
        "LIUHEN_BLOB_LOCK_DAYS",
        "LIUHEN_UPLOAD_MAX",
        "LIUHEN_SESSION_IDLE_MINUTES",
        "LIUHEN_ATTACHMENT_MAX",
    ):
        text = get(key)
        if not text.isdigit() or int(text) <= 0:
            raise ConfigurationError(f"{key} 应为正整数：{text}")
        numbers[key] = int(text)
    return Settings(
        blob_url=blob_url,
        blob_lock_days=numbers["LIUHEN_BLOB_LOCK_DAYS"],
        upload_max=numbers["LIUHEN_UPLOAD_MAX"],
        data_dir=data_dir,
        database_url=url,
        hash_alg=get_alg(get("LIUHEN_HASH")),
        timezone=tz,
        host=get("LIUHEN_HOST"),
        port=int(port_text),
        export_sm3=_flag(get("LIUHEN_EXPORT_SM3"), "LIUHEN_EXPORT_SM3"),
        cookie_secure=_flag(get("LIUHEN_COOKIE_SECURE"), "LIUHEN_COOKIE_SECURE"),
        session_idle_minutes=numbers["LIUHEN_SESSION_IDLE_MINUTES"],
        smtp_url=_smtp_url(get("LIUHEN_SMTP_URL").strip()),
        smtp_sender=get("LIUHEN_SMTP_SENDER").strip(),
        attachment_max=numbers["LIUHEN_ATTACHMENT_MAX"],
    )


def _smtp_url(url: str) -> str:
    if url and not url.startswith(("smtp://", "smtps://")):
        raise ConfigurationError("LIUHEN_SMTP_URL 只支持 smtp://主机:端口 或 smtps://主机:端口")
    return url


def _flag(value: str, key: str) -> bool:
    text = value.strip().lower()
    if text not in ("0", "1", "true", "false", "yes", "no", ""):
        raise ConfigurationError(f"{key} 应为 0 或 1：{text}")
    return text in ("1", "true", "yes")
