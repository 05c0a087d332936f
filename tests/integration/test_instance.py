"""Instance facts fixed at init (hash algorithm, key), and crash safety of appends."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest
from sqlalchemy import text

from liuhen.archive import verify
from liuhen.errors import ConfigurationError
from liuhen.hashing import SM3
from liuhen.journal import merkle
from liuhen.kernel import instance, proofs
from liuhen.kernel import settings as settings_mod
from tests.integration import factory


def test_sm3_instance_hashes_proves_and_verifies_with_sm3(env):
    st = settings_mod.load({**env, "LIUHEN_HASH": "sm3"})
    assert instance.init(st)
    app = instance.open_app(st)
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    cp = proofs.checkpoint(app)
    assert "hash sm3" in cp.note
    proof = proofs.inclusion(app, 7)
    assert proof.hash == "sm3"
    with app.engine.connect() as conn:
        data = conn.execute(text("SELECT canonical FROM journal_entry WHERE seq = 7")).scalar_one()
    assert merkle.leaf_hash(SM3, bytes(data)).hex() == proof.leaf_hash
    merkle.verify_inclusion(
        SM3,
        6,
        7,
        bytes.fromhex(proof.leaf_hash),
        [bytes.fromhex(p) for p in proof.path],
        cp.root,
    )
    assert verify.verify(app).ok
    app.engine.dispose()
    with pytest.raises(ConfigurationError, match="sm3"):
        instance.open_app(settings_mod.load({**env, "LIUHEN_HASH": "sha256"}))


def test_init_is_idempotent_and_key_mismatch_is_refused(settings):
    assert instance.init(settings)
    assert not instance.init(settings)
    app = instance.open_app(settings)
    origin = app.origin
    app.engine.dispose()
    settings.key_path.unlink()
    with pytest.raises(ConfigurationError, match="liuhen init"):
        instance.open_app(settings)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    settings.key_path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    with pytest.raises(ConfigurationError, match="公钥不符"):
        instance.open_app(settings)
    assert origin.startswith("liuhen.local/")


def _append_forever(env: dict[str, str]) -> None:
    app = instance.open_app(settings_mod.load(env))
    n = 0
    while True:
        n += 1
        factory.open_case(app, f"崩溃〔2026〕{os.getpid()}-{n}号")
        factory.inquiry(app, f"崩溃〔2026〕{os.getpid()}-{n}号")


def test_a_writer_killed_mid_write_leaves_the_journal_whole(app, env):
    factory.register(app)
    proofs.checkpoint(app)
    ctx = multiprocessing.get_context("spawn")
    victims = [ctx.Process(target=_append_forever, args=(env,)) for _ in range(2)]
    for p in victims:
        p.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with app.engine.connect() as conn:
            if conn.execute(text("SELECT COUNT(*) FROM journal_entry")).scalar_one() > 200:
                break
        time.sleep(0.05)
    for p in victims:
        assert p.pid is not None
        os.kill(p.pid, signal.SIGKILL)
        p.join()
    report = verify.verify(app)
    assert report.ok, report.damages
    assert report.entries > 200
    factory.open_case(app, "崩溃之后〔2026〕1号")  # the survivors can keep appending
    proofs.checkpoint(app)
    assert verify.verify(app).ok
