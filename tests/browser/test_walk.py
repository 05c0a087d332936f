"""One case from complaint to archive, through the pages only, as each role would do it.

An officer opens the case from a complaint, records an inquiry, uploads a real video with the
page's tus client, has the party sign the inquiry record on a tablet's signature pad, drafts
the decision and sends its 案件处理审批表; the legal reviewer finds it in her inbox, records the
review and signs her block of the 法制审核意见书; the head finds the 案件处理审批表 in his inbox
and approves it on its approval page, his opinion printed in his box (002 第三十八条); only then
does the officer decide and issue the numbered 行政处罚决定书 under his own key, serve it with a
signed receipt, record payment and close; the archivist files it from the inbox; the supervisor
reads it and can change nothing.
Key pages are saved to ``tests/browser/artifacts/walk-*.png``.

The walk has its own server: the other browser tests count the twelve demo cases.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import DESKTOP, TABLET, ConsoleLog, demo_server, fill, log_in
from tests.browser.test_pages import assert_fits
from tests.browser.test_upload_page import upload_files
from tests.integration.server import Server

OFFICER = ("zhoulh", "zhifa-demo-2026", "11010023")
REVIEWER = ("shenrl", "fazhi-demo-2026", "11010085")
HEAD = ("hejg", "fuze-demo-2026", "11010101")
ARCHIVIST = ("chenghm", "dangan-demo-2026")
SUPERVISOR = ("sifaju", "jiandu-demo-2026")
PARTY = "星河网吧（经营者李某）"
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def walk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo instance whose officer holds a signing certificate and whose agency holds its
    seal (``liuhen ca`` as an admin would run it once), so documents can be signed from the
    pages."""
    srv = demo_server(tmp_path_factory, "walk")
    try:
        for args in (
            ["ca", "init", "--name", "某区文化和旅游局"],
            *(["ca", "issue", who[2]] for who in (OFFICER, REVIEWER, HEAD)),
            ["ca", "seal", "whlyj"],  # the agency's seal, which its 决定书 carries
        ):
            subprocess.run(
                [sys.executable, "-m", "liuhen", *args],
                env=srv.env, check=True, capture_output=True, timeout=120,
            )  # fmt: skip
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.integration.test_evidence import write_video

    path = tmp_path_factory.mktemp("clip") / "20261120_150000.mp4"
    write_video(path, seconds=2)
    return path


def when(hours_ago: float) -> str:
    """A ``datetime-local`` value in the agency's zone (what the officer would type)."""
    return (datetime.now(BEIJING) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


def today() -> str:
    return datetime.now(BEIJING).strftime("%Y-%m-%d")


def shot(page: Page, artifacts: Path, name: str) -> None:
    path = artifacts / f"walk-{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 0


def submit(page: Page, button: str) -> int:
    """Submit, expect the case page back, and return the new entry's sequence number."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    alert = page.get_by_role("alert")
    assert alert.count() == 0, alert.first.inner_text()
    match = re.search(r"#seq-(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def record(page: Page, act: str, values: dict[str, str]) -> int:
    """From the case page: choose the act, fill its form, record it."""
    page.get_by_label("记录事项").select_option(act)
    with page.expect_navigation():
        page.get_by_role("button", name="填写").click()
    fill(page, values)
    return submit(page, "记入案件")


def sign(page: Page, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw on the signature pad with the pointer, in fractions of its size."""
    box = page.locator("#signature-pad").bounding_box()
    assert box is not None
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
        page.mouse.up()


NAME_STROKES = [
    [(0.1, 0.3), (0.2, 0.7), (0.3, 0.3)],
    [(0.4, 0.6), (0.5, 0.3), (0.6, 0.7), (0.7, 0.4)],
    [(0.75, 0.5), (0.9, 0.5)],
]


def entry(page: Page, seq: int) -> str:
    return page.locator(f"#seq-{seq}").inner_text()


def pdf_images(page: Page, server: Server, seq: int) -> int:
    """Images in the issued PDF of document entry ``seq``, fetched as the page's user."""
    href = page.locator(f"#seq-{seq} a", has_text="查看文书 PDF").get_attribute("href")
    assert href
    response = page.request.get(server.url + href)
    assert response.ok and response.body().startswith(b"%PDF")
    return sum(len(p.images) for p in PdfReader(io.BytesIO(response.body())).pages)


def pdf_text(page: Page, server: Server, seq: int) -> str:
    """The text of document entry ``seq``'s PDF as pdftotext reads it, fetched as the page's
    user."""
    href = page.locator(f"#seq-{seq} a", has_text="查看文书 PDF").get_attribute("href")
    assert href
    response = page.request.get(server.url + href)
    assert response.ok
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=response.body(),
        capture_output=True,
        check=True,
    ).stdout.decode()


def test_a_case_from_complaint_to_archive(
    browser: Browser,
    walk_server: Server,
    clip: Path,
    console: ConsoleLog,
    artifacts: Path,
) -> None:
    server = walk_server

    def person(who: tuple[str, ...]) -> Page:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = context.new_page()
        console.watch(page)
        log_in(page, server.url, who[0], who[1])
        assert page.url == server.url + "/", f"{who[0]} 登录失败，停在 {page.url}"
        return page

    # 执法人员: complaint → case ------------------------------------------------------------
    officer = person(OFFICER)
    officer.get_by_role("link", name="登记投诉举报").click()
    expect(officer.locator("h1")).to_have_text("记录：投诉举报登记")
    expect(officer.locator("#f_category option[value=penalty]")).to_have_text("行政处罚")
    expect(officer.locator("#f_category")).to_have_value("penalty")  # the usual case, chosen
    expect(officer.locator("#f_procedure")).to_have_value("ordinary")
    fill(officer, {
        "f_cause": "涉嫌接纳未成年人进入互联网上网服务营业场所",
        "f_parties.0.name": PARTY,
        "f_summary": "群众电话举报星河网吧夜间接纳未成年人上网。",
        "f_complainant.name": "王某", "f_complainant.phone": "13800000000",
        "f_real_name": "true", "f_channel": "电话", "f_received_at": when(30),
        "f_content": "11月19日晚十点有多名中学生在星河网吧上网。",
    })  # fmt: skip
    assert_fits(officer)
    shot(officer, artifacts, "01-complaint-form-1366x768")
    expect(officer.locator("#case-number-note")).to_contain_text("由系统按本机关规则自动编号")
    submit(officer, "记入案件")
    # the agency's next number: the demo's cases use 某文旅罚〔2026〕28号 and below
    expect(officer.locator("h1")).to_have_text(re.compile(r"^某文旅罚〔\d{4}〕\d+号$"))
    case = officer.locator("h1").inner_text()
    case_url = f"{server.url}/cases/{quote(case)}"

    inquiry = record(officer, "investigation.inquiry", {  # at the scene: two officers
        "actors": "11010047", "place": "星河网吧", "f_subject.name": "李某", "f_relation": "经营者",
        "f_started_at": when(3), "f_ended_at": when(2.5), "f_identity_shown": "true",
        "f_rights_notified": "true", "f_recorder": "韩晓雯",
        "f_transcript": "问：11月19日晚是否有未成年人上网？\n答：有三名，没有核验身份证。",
    })  # fmt: skip
    assert "李某" in entry(officer, inquiry)

    # a real video through the case's upload page (tus), bound to the inquiry
    upload_files(officer, server.url, case, [clip], inquiry)
    officer.goto(case_url)
    media = officer.request.get(f"{server.url}/api/v1/media?case_number={quote(case)}").json()
    bound = [m for m in media["items"] if m["name"] == clip.name]
    assert len(bound) == 1 and bound[0]["act_seq"] == inquiry, media

    # the inquiry record, signed by the party on the tablet's pad
    officer.set_viewport_size(TABLET)
    officer.locator(f"#seq-{inquiry}").get_by_role("link", name="询问笔录").click()
    expect(officer.locator("h1")).to_have_text("制作：询问笔录")
    fill(officer, {
        "party_name": "李某",
        "f_cause": "涉嫌接纳未成年人进入互联网上网服务营业场所",
        "f_started_at": when(3), "f_ended_at": when(2.5), "f_place": "星河网吧",
        "f_inquirers": f"周立衡（{OFFICER[2]}）", "f_recorder": "韩晓雯",
        "f_subject.name": "李某", "f_relation": "经营者", "f_identity_shown": "true",
        "f_rights_notified": "true",
        "f_transcript": "问：11月19日晚是否有未成年人上网？\n答：有三名，没有核验身份证。",
    })  # fmt: skip
    assert_fits(officer)
    shot(officer, artifacts, "02-document-form-768")
    # the party reads the rendered document (预览) and signs below it, its content locked
    with officer.expect_navigation():
        officer.get_by_role("button", name="预览", exact=True).click()
    expect(officer.locator("h1")).to_have_text("预览：询问笔录")
    expect(officer.locator("img.preview-page").first).to_be_visible()
    officer.locator("#signature-pad").scroll_into_view_if_needed()
    expect(officer.locator("#signature-status")).to_have_text("未签名")
    sign(officer, [[(0.2, 0.2), (0.8, 0.8)]])
    expect(officer.locator("#signature-status")).to_have_text("已签名")
    officer.get_by_role("button", name="清除重签").click()  # a slip: clear and sign again
    expect(officer.locator("#signature-status")).to_have_text("未签名")
    assert officer.locator("#party_signature_png").input_value() == ""
    sign(officer, NAME_STROKES)
    png = officer.locator("#party_signature_png").input_value()
    assert png.startswith("iVBORw0KGgo")  # base64 of the PNG signature
    assert_fits(officer)
    shot(officer, artifacts, "02-signature-form-768")
    signed = submit(officer, "制作并签名")
    text = entry(officer, signed)
    assert "李某" in text and "手写签名" in text and "以电子签名签署（有效" in text, text
    assert pdf_images(officer, server, signed) >= 1  # the drawn signature is in the PDF
    assert_fits(officer)
    shot(officer, artifacts, "03-case-768")
    officer.set_viewport_size(DESKTOP)

    officer.get_by_label("记录事项").select_option("decision.draft")
    with officer.expect_navigation():
        officer.get_by_role("button", name="填写").click()
    expect(officer.locator("[name=f_drafter]")).to_have_value("周立衡")  # who fills it in
    fill(officer, {
        "f_facts": "当事人于11月19日晚接纳三名未成年人上网。",
        "f_evidence": "询问笔录\n执法记录仪视频",
        "f_legal_basis": "《互联网上网服务营业场所管理条例》第三十一条",
        "f_factors": "初次违法，配合调查。", "f_proposal": "警告，并处罚款五千元。",
        "f_amount": "5000",
    })  # fmt: skip
    with officer.expect_navigation():
        officer.get_by_role("button", name="记入案件", exact=True).click()
    draft = int(re.search(r"act_seq=(\d+)", officer.url).group(1))  # type: ignore[union-attr]
    # the draft goes on to its 案件处理审批表, prefilled from the case and the draft, which the
    # officer sends to the head with his opinion, signing his own block
    expect(officer.locator("h1")).to_have_text("制作：案件处理审批表")
    expect(officer.locator("[name=f_proposal]")).to_have_value("警告，并处罚款五千元。")
    expect(officer.locator("[name=f_cause]")).to_have_value(
        "涉嫌接纳未成年人进入互联网上网服务营业场所"
    )
    expect(officer.locator("[name=sign_officer]")).to_have_value(OFFICER[2])
    handler = "事实清楚，证据确凿，建议给予警告并处罚款五千元。"
    fill(officer, {"f_party.name": PARTY, "f_handler_opinion": handler})
    sent = submit(officer, "制作并签名")
    assert "承办人 周立衡" in entry(officer, sent), entry(officer, sent)
    officer.context.close()

    # 法制审核人员: inbox → review ----------------------------------------------------------
    reviewer = person(REVIEWER)
    reviewer.get_by_role("link", name="待办").click()
    waiting = reviewer.locator("section", has=reviewer.locator("h2", has_text="待法制审核"))
    expect(waiting.get_by_role("link", name=case)).to_be_visible()
    shot(reviewer, artifacts, "04-inbox-legal-review-1366x768")
    waiting.get_by_role("link", name=case).click()
    reviewer.get_by_label("记录事项").select_option("decision.legal_review")
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="填写").click()
    expect(reviewer.locator("[name=f_reviewer]")).to_have_value("沈若兰")
    fill(reviewer, {
        "f_submitted_on": today(), "f_facts": "事实清楚。",
        "f_evidence": "证据确实充分。", "f_legal_basis": "适用依据正确。",
        "f_procedure": "程序合法。", "f_handling": "裁量适当。",
        "f_opinion": "同意草拟的处理建议。", "f_conclusion": "同意",
    })  # fmt: skip
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="记入案件", exact=True).click()
    review = int(re.search(r"act_seq=(\d+)", reviewer.url).group(1))  # type: ignore[union-attr]
    assert review > draft
    # the review goes on to its 法制审核意见书, signed in the reviewer's block from her login
    expect(reviewer.locator("h1")).to_have_text("制作：法制审核意见书")
    expect(reviewer.locator("[name=sign_reviewer]")).to_have_value(REVIEWER[2])
    fill(reviewer, {
        "f_cause": "涉嫌接纳未成年人进入互联网上网服务营业场所", "f_party.name": PARTY,
        "f_handlers": f"周立衡（{OFFICER[2]}）",
        "f_submitting_unit": "执法大队一中队", "f_submitted_on": today(),
    })  # fmt: skip
    fill(reviewer, {"sign_approver": HEAD[2]})  # she cannot sign for the head: refused
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="制作并签名", exact=True).click()
    expect(reviewer.get_by_role("alert")).to_contain_text("须由其本人登录后签名")
    expect(reviewer.locator("[name=f_submitting_unit]")).to_have_value("执法大队一中队")
    fill(reviewer, {"sign_approver": ""})
    opinion = submit(reviewer, "制作并签名")
    assert "法制审核人员 沈若兰" in entry(reviewer, opinion)
    assert "以电子签名签署" in entry(reviewer, opinion)
    assert "同意草拟的处理建议" in entry(reviewer, review)
    reviewer.context.close()

    # 负责人: inbox → approval ---------------------------------------------------------------
    head = person(HEAD)
    head.goto(server.url + "/inbox")
    waiting = head.locator("section", has=head.locator("h2", has_text="待负责人审批"))
    expect(waiting.get_by_role("link", name=case)).to_be_visible()
    shot(head, artifacts, "05-inbox-head-approval-1366x768")
    # the reviewed draft's 案件处理审批表 waits for him: he approves it on its approval page,
    # never on the bare approval act's form
    item = waiting.locator(".inbox-item", has_text=case)
    expect(item).to_contain_text("法制审核后待负责人审批")
    expect(item).to_contain_text("案件处理审批表")
    expect(head.locator("a[href*='act=decision.head_approval']")).to_have_count(0)
    with head.expect_navigation():
        item.get_by_role("link", name="审批").click()
    expect(head.locator("h1")).to_have_text("审批：《案件处理审批表》")
    head.get_by_label("同意", exact=True).check()
    head.locator("#opinion").fill("同意，按拟定意见作出处罚决定。")
    shot(head, artifacts, "05b-approval-page-1366x768")
    with head.expect_navigation():
        head.get_by_role("button", name="下一步：确认").click()
    expect(head.locator(".approval-confirm")).to_contain_text("同意，按拟定意见作出处罚决定。")
    with head.expect_navigation():
        head.get_by_role("button", name="确认签署").click()
    countersigned = int(head.url.rsplit("#seq-", 1)[1])
    text = entry(head, countersigned)
    assert "承办人 周立衡" in text and "负责人 贺建国" in text, text
    assert "意见：同意，按拟定意见作出处罚决定。" in text, text  # his box's opinion
    approval = countersigned + 1  # the approval the rules read, recorded as he signed
    assert "同意，按拟定意见作出处罚决定" in entry(head, approval)
    printed = pdf_text(head, server, countersigned)  # and printed in his row of the form
    assert "同意，按拟定意见作出处罚决定。" in printed and "贺建国" in printed, printed
    head.goto(server.url + "/inbox")
    expect(head.locator("section", has_text="待负责人审批").get_by_text(case)).to_have_count(0)
    head.context.close()

    # 执法人员: decide, issue the 决定书, serve with a signed receipt, payment, close ---------
    officer = person(OFFICER)
    officer.goto(case_url)
    # the decision starts from the draft the head approved, the agency's remedy and today: the
    # officer types nothing the case already holds
    officer.get_by_label("记录事项").select_option("decision.decision")
    with officer.expect_navigation():
        officer.get_by_role("button", name="填写").click()
    for name, value in (
        ("f_party.name", PARTY), ("f_facts", "当事人于11月19日晚接纳三名未成年人上网。"),
        ("f_kinds", "警告\n罚款"), ("f_content", "警告，并处罚款五千元。"),
        ("f_legal_basis", "《互联网上网服务营业场所管理条例》第三十一条"),
        ("f_decided_on", today()),
    ):  # fmt: skip
        expect(officer.locator(f"[name='{name}']")).to_have_value(value)
    expect(officer.locator("[name=f_amount]")).to_have_value(re.compile(r"^5000(\.00)?$"))
    expect(officer.locator("[name=f_remedy]")).to_have_value(
        re.compile("某区人民政府.*某区人民法院")
    )
    expect(officer.locator("[name=f_performance]")).to_have_value(re.compile("十五日内"))
    decided = submit(officer, "记入案件")
    # its 决定书, issued by the officer now that the head approved, gets the agency's next 文号
    # when issued: the act form does not ask for it; the document form starts from the case
    # and the act (复议机关 and 法院 from the agency's settings) and names the provision broken
    officer.goto(f"{case_url}/documents/new?act_seq={decided}&doc_type=penalty_decision")
    expect(officer.locator("h1")).to_have_text("制作：行政处罚决定书")
    expect(officer.locator("[name=f_review_body]")).to_have_value("某区人民政府")
    expect(officer.locator("[name=f_court]")).to_have_value("某区人民法院")
    expect(officer.locator("[name=sign_officer]")).to_have_value(OFFICER[2])
    fill(officer, {"f_violated": "《互联网上网服务营业场所管理条例》第二十一条"})
    shot(officer, artifacts, "05c-decision-form-1366x768")
    issued = submit(officer, "制作并签名")
    found = re.search(r"某文旅罚决〔2026〕\d+号", entry(officer, issued))
    assert found, entry(officer, issued)
    decision_no = found.group(0)
    # the 送达 starts from the document just issued and the officer serving it
    officer.get_by_label("记录事项").select_option("service.direct")
    with officer.expect_navigation():
        officer.get_by_role("button", name="填写").click()
    expect(officer.locator("[name=f_document_no]")).to_have_value(decision_no)
    expect(officer.locator("[name=f_document]")).to_have_value("行政处罚决定书")
    expect(officer.locator("[name=f_server]")).to_have_value("周立衡")
    fill(officer, {"f_recipient.name": "李某", "f_served_at": when(0.2), "f_place": "星河网吧"})
    served = submit(officer, "记入案件")
    officer.locator(f"#seq-{served}").get_by_role("link", name="送达回证").click()
    # the receipt repeats the 送达 it records: only who signs it is asked
    for name, value in (
        ("f_document", "行政处罚决定书"), ("f_document_no", decision_no),
        ("f_recipient.name", "李某"), ("f_place", "星河网吧"), ("f_method", "直接送达"),
    ):  # fmt: skip
        expect(officer.locator(f"[name='{name}']")).to_have_value(value)
    expect(officer.locator("[name=f_served_at]")).not_to_have_value("")
    expect(officer.locator("[name=f_servers]")).to_have_value(re.compile("周立衡"))
    fill(officer, {"party_name": "李某"})
    shot(officer, artifacts, "06-service-receipt-form-1366x768")
    with officer.expect_navigation():  # the recipient reads the receipt, then signs below it
        officer.get_by_role("button", name="预览", exact=True).click()
    officer.locator("#signature-pad").scroll_into_view_if_needed()
    sign(officer, NAME_STROKES)
    receipt = submit(officer, "制作并签名")
    text = entry(officer, receipt)
    assert "受送达人 李某 手写签名" in text and "送达人 周立衡" in text, text  # their blocks
    assert pdf_images(officer, server, receipt) >= 1
    officer.get_by_label("记录事项").select_option("execution.compliance")
    with officer.expect_navigation():
        officer.get_by_role("button", name="填写").click()
    expect(officer.locator("[name=f_decision_no]")).to_have_value(decision_no)
    expect(officer.locator("[name=f_paid_amount]")).to_have_value(re.compile(r"^5000(\.00)?$"))
    fill(officer, {"f_status": "全部履行", "f_fulfilled_on": today(),
                   "f_receipt_no": "JK2026112001"})  # fmt: skip
    submit(officer, "记入案件")
    record(officer, "archiving.closing", {
        "f_outcome": "执行完毕", "f_report": "当事人已全部履行，建议结案。",
    })  # fmt: skip
    expect(officer.locator("p.meta").first).to_contain_text("已结案")
    assert_fits(officer)
    shot(officer, artifacts, "07-case-closed-1366x768")
    officer.context.close()

    # 档案管理人员: inbox → 立卷归档 -------------------------------------------------------
    archivist = person(ARCHIVIST)
    archivist.goto(server.url + "/inbox")
    waiting = archivist.locator("section", has=archivist.locator("h2", has_text="已结案待归档"))
    expect(waiting.get_by_role("link", name=case)).to_be_visible()
    shot(archivist, artifacts, "08-inbox-archive-1366x768")
    waiting.get_by_role("link", name=case).click()
    # 归档 only with its dossier: not among the acts recorded by hand
    expect(archivist.locator("select[name=act] option[value='archiving.archive']")).to_have_count(0)
    archived = submit(archivist, "立卷归档")
    text = entry(archivist, archived)
    assert "归档" in text and "程慧敏" in text and f"{today()[:4]}-{case}" in text, text
    expect(archivist.get_by_role("button", name="立卷归档")).to_have_count(0)
    shot(archivist, artifacts, "09-case-archived-1366x768")
    archivist.context.close()

    # 监督人员: reads everything, records nothing ---------------------------------------------
    supervisor = person(SUPERVISOR)
    supervisor.goto(case_url)
    expect(supervisor.locator("h1")).to_have_text(case)
    for absent in ("form.record-act", "#upload-form", "form.archive", "a[href*='documents/new']"):
        expect(supervisor.locator(absent)).to_have_count(0)
    assert supervisor.request.get(f"{case_url}/upload").status == 403  # nor uploads
    for seq in (inquiry, signed, review, approval, receipt, archived):
        expect(supervisor.locator(f"#seq-{seq}")).to_be_visible()
    assert_fits(supervisor)
    shot(supervisor, artifacts, "10-case-supervisor-1366x768")
    supervisor.set_viewport_size(TABLET)
    assert_fits(supervisor)
    shot(supervisor, artifacts, "11-case-supervisor-768")
    supervisor.context.close()

    assert console.errors == []
