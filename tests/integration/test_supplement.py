"""补充附件 (general.supplement): a 邮寄送达 is recorded before its 回执 comes back; the 回执 is
added afterwards as a journaled supplement naming the act (by the signed-in user, from the
button on the act, the API or the command line), and the kept rule counts it for that act. A
file not said to be the 回执 (the office's own 送达回证, a 付邮凭证) does not pass for it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from liuhen.entrypoints.cli import cli
from liuhen.entrypoints.web import create_app
from liuhen.kernel.instance import App
from tests.integration.auth import token_headers
from tests.integration.test_act_attachments import (  # noqa: F401 (client_fixture: fixture)
    CASE,
    PDF,
    URL,
    _mails,
    _post,
    client_fixture,
    entries,
    kept,
)

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _kept(app: App, seq: int) -> list[str]:
    return [f.code for f in kept(app, seq)]


def _supplements(app: App) -> list[dict]:
    return entries(app, "general.supplement")


def _supplement(client: TestClient, seq: int, files, kinds: list[str]):
    page = client.get(URL, params={"act": "general.supplement", "act_seq": seq}).text
    assert f'<option value="{seq}" selected>' in page  # the act the button named
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    form = {"csrf": csrf.group(1), "occurred_at": "2026-11-09T09:00", "actor:31010001": "31010001",
            "f_act_seq": str(seq), "f_note": "回执已退回", "attachment_kinds": kinds}  # fmt: skip
    return client.post(URL, params={"act": "general.supplement"}, data=form, files=files,
                       follow_redirects=False)  # fmt: skip


def test_the_receipt_come_back_is_supplemented_from_the_act_and_kept(client, app):
    assert _post(client, []).status_code == 303  # recorded before the 回执 came back
    (mail,) = _mails(app)
    assert _kept(app, mail["seq"]) == ["documents.mail_receipt_kept:missing"]
    page = client.get(f"/cases/{CASE}").text
    assert f"record?act=general.supplement&amp;act_seq={mail['seq']}" in page
    # no file: nothing to supplement
    empty = _supplement(client, mail["seq"], [], ["邮寄回执"])
    assert empty.status_code == 422 and "补充附件须至少选择一个文件" in empty.text
    # a scan said to be the 付邮凭证 is not the 回执
    slip = [("attachments", ("详情单.jpg", JPEG, "image/jpeg"))]
    assert _supplement(client, mail["seq"], slip, ["付邮凭证"]).status_code == 303
    assert _kept(app, mail["seq"]) == ["documents.mail_receipt_kept:missing"]
    receipt = [("attachments", ("EMS回执.pdf", PDF, "application/pdf"))]
    assert _supplement(client, mail["seq"], receipt, ["邮寄回执"]).status_code == 303
    assert _kept(app, mail["seq"]) == []
    last = _supplements(app)[-1]
    assert last["fields"]["act_seq"] == mail["seq"]
    assert last["recorded_by"] == {"id": "31010001", "role": "officer"}
    assert last["attachments"][0]["kinds"] == ["邮寄回执"]
    page = client.get(f"/cases/{CASE}").text
    assert "EMS回执.pdf" in page and "邮寄回执" in page


def test_the_api_and_the_command_line_supplement_too(client, app, env, monkeypatch, tmp_path):
    assert _post(client, []).status_code == 303
    (mail,) = _mails(app)
    with TestClient(create_app(app), headers=token_headers(app)) as api:
        done = api.post(f"/api/v1/cases/{CASE}/acts/{mail['seq']}/supplement",
                        data={"attachment_kinds": ["付邮凭证"], "note": "详情单"},
                        files=[("attachments", ("详情单.jpg", JPEG, "image/jpeg"))])  # fmt: skip
        assert done.status_code == 201, done.text
        assert done.json()["act"] == "general.supplement"
        wrong = api.post(f"/api/v1/cases/{CASE}/acts/{mail['seq']}/supplement",
                         data={"attachment_kinds": ["回证"]},
                         files=[("attachments", ("x.pdf", PDF, "application/pdf"))])  # fmt: skip
        assert wrong.status_code == 422 and "附件类别应为" in wrong.text
    assert _kept(app, mail["seq"]) == ["documents.mail_receipt_kept:missing"]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    scan = tmp_path / "回执.pdf"
    scan.write_bytes(PDF)
    args = ["case", "supplement", CASE, str(mail["seq"]), str(scan), "--kind", "邮寄回执"]
    result = CliRunner().invoke(cli, [*args, "--by", "31010001"])
    assert result.exit_code == 0, result.output
    assert "补充 1 个附件" in result.output
    assert _kept(app, mail["seq"]) == []
    assert [s["attachments"][0]["kinds"] for s in _supplements(app)] == [["付邮凭证"], ["邮寄回执"]]
