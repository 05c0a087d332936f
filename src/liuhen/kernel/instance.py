"""The instance: its database, its checkpoint key, and the journal service built on them.

``liuhen init`` fixes the hash algorithm and creates the Ed25519 key once; everything later
reads them from here, so a restarted process can never start a second, differently hashed tree.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from sqlalchemy import Engine, Table, insert, select

from liuhen.clock import Clock, SystemClock
from liuhen.errors import ConfigurationError
from liuhen.hashing import HashAlg, get_alg
from liuhen.journal.checkpoint import public_key_bytes
from liuhen.kernel import jobs
from liuhen.kernel.blobs.open import open_store
from liuhen.kernel.blobs.store import BlobStore
from liuhen.kernel.db import migrate
from liuhen.kernel.db.engine import make_engine
from liuhen.kernel.db.models import Instance
from liuhen.kernel.journal import Journal
from liuhen.kernel.settings import Settings
from liuhen.procedure import projection

INSTANCE: Table = Instance.__table__  # type: ignore[assignment]


@dataclass
class App:
    """Everything a use case needs, built once per process (the composition root)."""

    settings: Settings
    engine: Engine
    alg: HashAlg
    origin: str
    key: Ed25519PrivateKey
    clock: Clock
    journal: Journal
    blobs: BlobStore


def _write_key(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    return key


def _read_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise ConfigurationError(f"找不到检查点签名密钥 {path}，请先运行 liuhen init") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} 不是 Ed25519 私钥")
    return key


def is_initialised(engine: Engine) -> bool:
    if migrate.current(engine) is None:
        return False
    with engine.connect() as conn:
        return conn.execute(select(INSTANCE.c.id)).first() is not None


def init(settings: Settings, clock: Clock | None = None) -> bool:
    """Create schema, key and instance row; returns False when the instance already existed."""
    clock = clock or SystemClock(settings.timezone)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        jobs.ensure_schema(engine)
        if is_initialised(engine):
            return False
        key = (
            _read_key(settings.key_path)
            if settings.key_path.exists()
            else _write_key(settings.key_path)
        )
        origin = f"liuhen.local/{secrets.token_hex(6)}"
        with engine.begin() as conn:
            conn.execute(
                insert(INSTANCE).values(
                    id=1,
                    origin=origin,
                    hash_alg=settings.hash_alg.name,
                    public_key=public_key_bytes(key.public_key()),
                    created_at=clock.now().isoformat(),
                    # its (empty) projections follow today's rules: no rebuild to come
                    projection_rules=projection.RULES_VERSION,
                )
            )
        return True
    finally:
        engine.dispose()


def open_app(settings: Settings, clock: Clock | None = None) -> App:
    """The wired application for an initialised instance; refuses mismatched settings."""
    clock = clock or SystemClock(settings.timezone)
    engine = make_engine(settings.database_url)
    if not is_initialised(engine):
        raise ConfigurationError("实例尚未初始化，请先运行 liuhen init")
    with engine.connect() as conn:
        row = conn.execute(select(INSTANCE)).mappings().one()
    alg = get_alg(row["hash_alg"])
    if alg.name != settings.hash_alg.name:
        raise ConfigurationError(
            f"本实例使用 {alg.name} 摘要，与 LIUHEN_HASH={settings.hash_alg.name} 不符；"
            "摘要算法在初始化后不可更改"
        )
    key = _read_key(settings.key_path)
    if public_key_bytes(key.public_key()) != bytes(row["public_key"]):
        raise ConfigurationError("签名密钥与实例登记的公钥不符")
    return App(
        settings=settings,
        engine=engine,
        alg=alg,
        origin=row["origin"],
        key=key,
        clock=clock,
        journal=Journal(engine, alg, clock),
        blobs=open_store(settings),
    )
