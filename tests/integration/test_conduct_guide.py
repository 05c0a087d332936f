"""003 第二十条: an agency registers its 执法行为用语指引 (a file, journaled in the registry);
``liuhen agency guides`` lists it and ``liuhen pack show 003`` says, for each agency under 003,
whether it has registered one (the system keeps the file, it cannot judge its wording)."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from liuhen.accounts import service as access
from liuhen.compliance import packs
from liuhen.entrypoints.cli import cli
from liuhen.entrypoints.web import create_app
from liuhen.errors import NotFoundError, ValidationError
from tests.integration import factory
from tests.integration.auth import login

PDF = b"%PDF-1.4\n% conduct guide\n%%EOF\n"


def test_an_agency_registers_its_guide_and_pack_show_reports_it(app, env, monkeypatch, tmp_path):
    factory.register(app)
    packs.use_pack(app, "003", "测试", "wl")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result.output

    assert "某区文化和旅游局（wl）：未登记" in run("pack", "show", "003")
    guide = tmp_path / "用语指引.pdf"
    guide.write_bytes(PDF)
    done = run("agency", "guide", "wl", str(guide), "--title", "执法行为用语指引（2026版）",
               "--issued-on", "2026-03-01")  # fmt: skip
    assert "已登记 wl 的执法行为用语指引" in done
    assert "已登记《执法行为用语指引（2026版）》" in run("pack", "show", "003")
    listed = run("agency", "guides", "wl")
    assert "用语指引.pdf" in listed and "2026-03-01" in listed
    (kept,) = access.conduct_guides(app, "wl")
    assert kept.files[0]["media_type"] == "application/pdf"
    assert app.blobs.exists(str(kept.files[0]["digest"]))
    assert "执法行为用语指引" not in run("pack", "show", "002")


def test_a_guide_needs_a_registered_agency_and_a_file(app):
    factory.register(app)
    by = {"id": "admin", "role": "admin"}
    with pytest.raises(NotFoundError):
        access.register_guide(app, "nope", "指引", [{"digest": "sha256:" + "a" * 64}], by)
    with pytest.raises(ValidationError):
        access.register_guide(app, "wl", "指引", [], by)


def test_the_overview_page_says_whether_the_guide_is_registered(app, tmp_path):
    factory.register(app)
    packs.use_pack(app, "003", "测试", "wl")
    access.create_user(app, "boss", "correct-horse-9", ["head"], "赵局长", "wl-zd1", None)
    with TestClient(create_app(app)) as client:
        login(client, "boss", "correct-horse-9")
        assert "某区文化和旅游局：未登记" in client.get("/overview").text
        by = {"id": "admin", "role": "admin"}
        guide = tmp_path / "g.pdf"
        guide.write_bytes(PDF)
        digest = "sha256:" + hashlib.sha256(PDF).hexdigest()
        app.blobs.put_file(guide, digest)
        access.register_guide(app, "wl", "用语指引", [{"digest": digest, "name": "g.pdf"}], by)
        assert "某区文化和旅游局：已登记《用语指引》" in client.get("/overview").text
