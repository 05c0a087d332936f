"""003 第十二条: an agency adjusts its document formats within bounds — the header, the title,
the remedy paragraph, a notice paragraph and the footer — journaled per document type
(``liuhen agency template``); its preview (``liuhen doc render --agency``), its documents
and their re-rendering read the wording the document was issued under."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from liuhen.archive import verify
from liuhen.documents import preview, wording
from liuhen.documents import service as documents
from tests.integration import factory
from tests.integration.auth import admin_client
from tests.integration.test_documents import (
    CASE,
    entry_fields,
    inquiry_request,
    signed_case,  # noqa: F401  (the fixture)
    stored_pdf,
)

ADMIN = {"id": "admin", "role": "admin"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
REMEDY = (
    "{当事人}不服本决定的，可于六十日内向{复议机关}申请行政复议，"
    "或于六个月内向{人民法院}提起行政诉讼。"
)


def words(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text (pdftotext), spaces and line breaks dropped."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return "".join(text.stdout.decode().split())


def test_the_cli_sets_shows_previews_refuses_and_resets(app, run, tmp_path):
    factory.register(app)
    shown = run("agency", "template", "wl", "penalty_decision", "--show")
    assert "内置格式" in shown and "救济途径" in shown and "文号规则" in shown
    made = run(
        "agency", "template", "wl", "penalty_decision",
        "--set", "抬头=某区文化市场综合行政执法队", "--set", f"救济途径={REMEDY}",
        "--set", r"页脚=执法队地址：某区文华路8号\n联系电话：0571-87001234",
    )  # fmt: skip
    assert "已记入日志" in made
    shown = run("agency", "template", "wl", "penalty_decision", "--show")
    assert "本机关格式" in shown and "某区文化市场综合行政执法队" in shown
    out = tmp_path / "preview.pdf"
    said = run("doc", "render", "penalty_decision", "--sample", "--agency", "wl", "--out", str(out))
    assert "按机关 wl 的文书格式" in said
    text = words(out.read_bytes(), tmp_path)
    assert "某区文化市场综合行政执法队" in text
    assert "当事人不服本决定的，可于六十日内向某区人民政府申请行政复议" in text
    assert "执法队地址：某区文华路8号" in text and "联系电话：0571-87001234" in text
    assert "可以在收到本决定书之日起六十日内" not in text

    refused = run("agency", "template", "wl", "penalty_decision", "--set", "字段=删去", code=2)
    assert "LH560" in refused and "没有可调整的文字块“字段”" in refused
    refused = run("agency", "template", "wl", "penalty_decision", "--set", "标题=", code=2)
    assert "LH561" in refused and "标题不能为空" in refused
    refused = run(
        "agency", "template", "wl", "penalty_decision", "--set", "救济途径=可以申请复查。", code=2
    )
    assert "LH561" in refused and "行政复议和行政诉讼" in refused
    refused = run("agency", "template", "wl", "penalty_decision", "--set", "页脚=" + "电" * 301,
                  code=2)  # fmt: skip
    assert "LH562" in refused and "不得超过 300 字" in refused
    assert "某区文化市场综合行政执法队" in run(
        "agency", "template", "wl", "penalty_decision", "--show"
    )  # fmt: skip  (nothing refused was kept)

    assert "恢复内置格式" in run("agency", "template", "wl", "penalty_decision", "--reset")
    run("doc", "render", "penalty_decision", "--sample", "--agency", "wl", "--out", str(out))
    text = words(out.read_bytes(), tmp_path)
    assert "某区文化市场综合行政执法队" not in text and "可以在收到本决定书之日起六十日内" in text


def test_an_issued_document_records_its_format_and_rerenders_with_it(signed_case, tmp_path):  # noqa: F811
    app, _opened, inquiry = signed_case
    set_ = wording.set_blocks(app, "wl", "inquiry_record", {
        "抬头": "某区文化市场综合行政执法队", "告知": "被询问人有权核对笔录，可以补正。",
        "页脚": "执法队地址：某区文华路8号",
    }, ADMIN)  # fmt: skip
    first = documents.issue(app, inquiry_request(inquiry))
    fields = entry_fields(app, first.seq)
    assert fields["template_version"] == set_.seq
    _digest, pdf = stored_pdf(app, first.seq)
    text = words(pdf, tmp_path)
    assert "某区文化市场综合行政执法队" in text and "询问笔录" in text
    assert "被询问人有权核对笔录，可以补正。" in text and "执法队地址：某区文华路8号" in text

    changed = wording.set_blocks(app, "wl", "inquiry_record", {"页脚": "联系电话：0571-87009999"},
                                 ADMIN)  # fmt: skip
    # the old document re-renders with the wording it was issued under, not today's
    again = words(preview.rerendered(app, CASE, first.seq), tmp_path)
    assert "执法队地址：某区文华路8号" in again and "0571-87009999" not in again
    assert "某区文化市场综合行政执法队" in again

    second = documents.issue(app, inquiry_request(inquiry, number="某文旅询〔2026〕2号"))
    assert entry_fields(app, second.seq)["template_version"] == changed.seq
    text = words(stored_pdf(app, second.seq)[1], tmp_path)
    assert "联系电话：0571-87009999" in text and "执法队地址" not in text
    assert "某区文化市场综合行政执法队" in text  # the blocks not given stay

    reset = wording.reset(app, "wl", "inquiry_record", ADMIN)
    third = documents.issue(app, inquiry_request(inquiry, number="某文旅询〔2026〕3号"))
    assert entry_fields(app, third.seq)["template_version"] == reset.seq  # the built-in again
    assert "某区文化市场综合行政执法队" not in words(stored_pdf(app, third.seq)[1], tmp_path)
    assert verify.verify(app).ok
    assert verify.check_files(app) == []


def test_the_admin_page_saves_refuses_keeping_the_text_and_resets(app):
    with admin_client(app) as client:
        page = client.get("/admin/formats?agency=wl&doc_type=penalty_decision")
        assert page.status_code == 200 and "文书格式" in page.text and "内置格式" in page.text
        assert 'name="block_remedy"' in page.text  # the decision tells the remedy
        token = CSRF.search(page.text)
        assert token
        url = "/admin/formats?agency=wl&doc_type=penalty_decision"
        typed = {"csrf": token.group(1), "block_header": "某区文化市场综合行政执法队",
                 "block_title": "", "block_remedy": "可以申请复查。", "block_notice": "",
                 "block_footer": "联系电话：0571-87001234"}  # fmt: skip
        refused = client.post(url, data=typed)
        assert refused.status_code == 422 and "LH561" in refused.text
        assert "救济途径须载明行政复议和行政诉讼的途径" in refused.text
        assert 'value="某区文化市场综合行政执法队"' in refused.text  # what was typed stays
        assert wording.in_force(app, "wl", "penalty_decision").version is None
        made = client.post(url, data={**typed, "block_remedy": REMEDY}, follow_redirects=False)
        assert made.status_code == 303, made.text[:2000]
        shown = client.get(made.headers["location"]).text
        assert "文书格式已保存" in shown and "本机关格式（日志序号" in shown
        now = wording.in_force(app, "wl", "penalty_decision")
        assert now.blocks == {"header": "某区文化市场综合行政执法队", "remedy": REMEDY,
                              "footer": "联系电话：0571-87001234"}  # fmt: skip
        reset = client.post(url, data={"csrf": token.group(1), "reset": "1"},
                            follow_redirects=False)  # fmt: skip
        assert reset.status_code == 303
        assert "已恢复内置格式" in client.get(reset.headers["location"]).text
        assert wording.in_force(app, "wl", "penalty_decision").blocks == {}
