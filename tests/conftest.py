"""Shared fixtures: an initialised instance on SQLite and on the real PostgreSQL server.

PostgreSQL tests never skip: if the server is down the suite fails, because CI must exercise it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.instance import App

PG_ADMIN = os.environ.get(
    "LIUHEN_TEST_PG_ADMIN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
PG_DB = os.environ.get("LIUHEN_TEST_PG_DB", "liuhen_test")
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


def _worker_db() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{PG_DB}_{worker}" if worker else PG_DB


@pytest.fixture(scope="session")
def pg_url() -> str:
    from tests import demo_template as templates

    name = _worker_db()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            templates.created(conn, name)
        else:  # made by an earlier run: commits need not wait for the disk either
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def reset_pg(url: str) -> None:
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(scope="session", autouse=True)
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``liuhen.demo.seed.seed`` copies a demo seeded once per run into a fresh instance
    (``tests/demo_template.py``) instead of signing its 76 documents again."""
    from liuhen.demo import seed as demo
    from tests import demo_template

    root = demo_template.worker_root(tmp_path_factory.getbasetemp())
    demo_template.configure(root, PG_ADMIN, PG_DB, _worker_db())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo, "seed", demo_template.seed)
        yield


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def env(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    values = {"LIUHEN_DATA_DIR": str(tmp_path / "data")}
    if backend == "postgres":
        url = request.getfixturevalue("pg_url")
        reset_pg(url)
        values["LIUHEN_DATABASE_URL"] = url
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> settings_mod.Settings:
    return settings_mod.load(env)


@pytest.fixture
def app(settings: settings_mod.Settings) -> Iterator[App]:
    from tests import demo_template

    demo_template.init(settings)  # a copy of one initialised once per run, where it fits
    application = instance.open_app(settings)
    yield application
    application.engine.dispose()


S3_ENDPOINT = os.environ.get("LIUHEN_TEST_S3", "http://127.0.0.1:8433")


@pytest.fixture(scope="session")
def s3_client():
    """The SeaweedFS server ``scripts/services.sh`` starts; tests fail (never skip) without it."""
    import boto3
    from botocore.config import Config

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "liuhen-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "liuhen-test")
    return boto3.client(
        "s3", endpoint_url=S3_ENDPOINT, region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip


@pytest.fixture(scope="session")
def s3_locked_bucket(s3_client) -> str:
    """One object-locked bucket per run (each bucket costs the server whole volumes)."""
    import secrets

    name = f"liuhen-{secrets.token_hex(6)}"
    s3_client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


@pytest.fixture
def s3_bucket(s3_locked_bucket) -> str:
    """The locked bucket; tests separate themselves by key prefix (see ``s3_prefix``)."""
    return s3_locked_bucket


@pytest.fixture
def s3_prefix() -> str:
    import secrets

    return f"t{secrets.token_hex(6)}"


@pytest.fixture
def run(env: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    """``liuhen`` commands in-process against this test's instance; checks the exit code."""
    from typer.testing import CliRunner

    from liuhen.entrypoints.cli import cli

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    return invoke
