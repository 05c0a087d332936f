"""Every hearing participant signs the 听证笔录 on its page (003 第十六条), in a real Chromium: the
officer records a hearing whose participants are the applicant, his 委托代理人, a 第三人 and the
officer in charge; under the record's preview the applicant signs as the party and the agent
and the third party each on a pad of his own, or one of them is noted as having refused or
left. A participant with neither is refused, what the others drew kept. The issued record
carries each hand (the case's API) and prints each name. At 1366×768 and at 768 px;
screenshots land in ``tests/browser/artifacts/``."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api._generated import APIRequestContext

from liuhen.demo.seed import DEMO_USERS
from tests.browser.conftest import (
    DESKTOP,
    TABLET,
    ConsoleLog,
    PageFactory,
    fill,
    log_in,
    own_demo_server,
)
from tests.browser.test_pages import assert_fits, screenshot, visit
from tests.integration.server import Server

OFFICER = next(u for u in DEMO_USERS if u[0] == "zhoulh")  # 周立衡, the hearing's host
PARTNER = next(u for u in DEMO_USERS if u[0] == "dengjm")  # 邓家明, its clerk
CAUSE = "某区星光KTV未经许可擅自从事营业性演出"
PARTICIPANTS = [
    {"name": "蒋卫东", "role": "听证申请人"},
    {"name": "温志诚", "role": "委托代理人"},
    {"name": "赵小梅", "role": "第三人"},
    {"name": "周立衡", "role": "案件承办人"},
]

own_server = own_demo_server("hearing_pads")  # the cases made here
# the module's server seeds the demo first: minutes on a loaded 2-core machine
pytestmark = pytest.mark.timeout(1800)


def click(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def draw(page: Page, pad: Locator) -> None:
    """A stroke across the pad with the mouse, as a finger would."""
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 0.1 * box["width"], box["y"] + 0.3 * box["height"])
    page.mouse.down()
    for x, y in ((0.3, 0.7), (0.5, 0.3), (0.7, 0.7), (0.9, 0.4)):
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
    page.mouse.up()


def record_hearing(page: Page, url: str) -> tuple[str, int]:
    """Opens a case on the form and records its hearing through the API with the officer's
    session; the case's number and the hearing's seq."""
    visit(page, url + "/cases/new?act=initiation.ex_officio")
    fill(page, {
        "f_cause": CAUSE, "f_category": "penalty", "f_procedure": "ordinary",
        "f_parties.0.name": "某区星光KTV", "f_summary": "巡查发现该KTV未经许可组织演出。",
        "f_source": "日常巡查发现", "f_reason": "涉嫌违反《营业性演出管理条例》第六条。",
        "f_handler_opinion": "建议立案调查。",
    })  # fmt: skip
    click(page, "记入案件")
    found = re.search(r"/cases/([^/]+)/documents/new", page.url)
    assert found, page.url
    number = unquote(found.group(1))
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    acts = f"{url}/api/v1/cases/{quote(number, safe='')}/acts"
    made = page.request.post(acts, headers={"X-CSRF-Token": token},
        data={"act": "investigation.hearing", "occurred_at": "2026-12-01T09:30:00+08:00",
              "actors": [OFFICER[5], PARTNER[5]], "place": "某区文化和旅游局听证室",
              "fields": {"host": "周立衡", "clerk": "邓家明", "place": "某区文化和旅游局听证室",
                         "started_at": "2026-12-01T09:30:00+08:00",
                         "ended_at": "2026-12-01T11:00:00+08:00", "participants": PARTICIPANTS,
                         "transcript": "承办人陈述事实和拟处罚意见；代理人请求从轻处罚。"}},
    )  # fmt: skip
    assert made.status == 201, made.text()
    return number, int(made.json()["seq"])


def preview_hearing_record(page: Page, url: str, number: str, seq: int) -> None:
    """The 听证笔录 form for the hearing, filled and previewed."""
    visit(
        page,
        f"{url}/cases/{quote(number, safe='')}/documents/new?act_seq={seq}&doc_type=hearing_record",
    )
    expect(page.locator("h1")).to_have_text("制作：听证笔录")
    fill(page, {
        "sign_recorder": str(PARTNER[5]), "party_name": "蒋卫东", "f_form": "公开举行",
        "f_members": "无", "f_applicant.name": "蒋卫东", "f_legal_rep": "蒋卫东",
        "f_agents": "温志诚", "f_third_parties": "赵小梅",
    })  # fmt: skip
    click(page, "预览")
    expect(page.locator("h1")).to_have_text("预览：听证笔录")


def issued(request: APIRequestContext, url: str, number: str) -> dict[str, object]:
    """The fields of the case's newest 听证笔录 as the case's API lists them."""
    case = request.get(f"{url}/api/v1/cases/{quote(number, safe='')}").json()
    entries = [e for stage in case["stages"] for e in stage["entries"]]
    docs = [e for e in entries if (e.get("fields") or {}).get("doc_type") == "hearing_record"]
    assert docs, json.dumps(case, ensure_ascii=False)[:2000]
    return dict(docs[-1]["fields"])


def pdf_words(request: APIRequestContext, url: str, digest: str, out: Path) -> str:
    """The issued PDF's text, spaces dropped; its first page kept as PNG beside it."""
    out.write_bytes(request.get(f"{url}/api/v1/documents/{digest}/pdf").body())
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out),
                    str(out.with_suffix(""))], check=True)  # fmt: skip
    text = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, check=True)
    return "".join(text.stdout.decode().split())


def confirm_partner(page: Page) -> None:
    row = page.locator(".confirm-row", has=page.locator(f"input[value='{PARTNER[5]}']"))
    row.locator("input[type=password]").fill(PARTNER[1])


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1366x768", "768"])
def test_the_agent_and_the_third_party_each_sign_on_a_pad_of_their_own(
    open_page: PageFactory,
    own_server: Server,
    console: ConsoleLog,
    artifacts: Path,
    viewport: dict[str, int],
) -> None:
    url = own_server.url
    page = open_page(viewport, anonymous=True)
    log_in(page, url, OFFICER[0], OFFICER[1])
    number, seq = record_hearing(page, url)
    preview_hearing_record(page, url, number, seq)
    size = f"{viewport['width']}"
    # one pad per participant the hearing lists who signs by hand beside the applicant
    pads = page.locator("canvas.participant-pad")
    expect(pads).to_have_count(2)
    expect(page.locator("#participant-signatures h3")).to_have_text(
        ["委托代理人：温志诚", "第三人：赵小梅"]
    )
    draw(page, page.locator("#signature-pad"))
    draw(page, page.locator("#participant-pad-1"))
    expect(page.locator("#participant-pad-1-status")).to_have_text("已签名")
    confirm_partner(page)
    assert_fits(page)
    screenshot(page, artifacts, f"hearing-01-pads-{size}.png")

    # the third party neither signed nor is noted: refused, what the others drew kept
    click(page, "制作并签名")
    expect(page.get_by_role("alert").first).to_contain_text("听证笔录")
    pad = page.locator("#participant-pad-2")
    expect(pad).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-participant-pad-2")).to_contain_text(
        "第三人赵小梅须核对笔录后在其签名板手写签名"
    )
    expect(page.locator("#participant-pad-1-status")).to_have_text("已签名")
    expect(page.locator("#signature-status")).to_have_text("已签名")
    tech = page.locator("#refusal details.tech").text_content() or ""
    assert "LH100" in tech and "participant_png_2" in tech, tech  # the stable code, the pad
    assert_fits(page)
    screenshot(page, artifacts, f"hearing-02-refused-{size}.png")

    draw(page, pad)
    confirm_partner(page)
    click(page, "制作并签名")
    assert page.get_by_role("alert").count() == 0, page.locator("main").inner_text()
    fields = issued(page.request, url, number)
    signatures = fields["signatures"]
    assert isinstance(signatures, list)
    hands = [s["name"] for s in signatures if s.get("method") == "手写签名"]
    assert hands == ["蒋卫东", "温志诚", "赵小梅"], signatures
    assert "participant_notes" not in fields
    words = pdf_words(
        page.request, url, str(fields["digest"]), artifacts / f"hearing-03-{size}.pdf"
    )
    assert "委托代理人温志诚：" in words and "第三人赵小梅：" in words
    assert console.errors == []


def test_a_third_party_who_left_is_noted_instead_of_signing(
    open_page: PageFactory, own_server: Server, console: ConsoleLog, artifacts: Path
) -> None:
    url = own_server.url
    page = open_page(DESKTOP, anonymous=True)
    log_in(page, url, OFFICER[0], OFFICER[1])
    number, seq = record_hearing(page, url)
    preview_hearing_record(page, url, number, seq)
    draw(page, page.locator("#signature-pad"))
    draw(page, page.locator("#participant-pad-1"))
    page.get_by_label("赵小梅拒绝签字/中途退出").check()
    confirm_partner(page)
    click(page, "制作并签名")  # ticked, no note: refused at the note
    note = page.locator("#participant_note_2")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#participant-2")).to_contain_text(
        "请注明第三人赵小梅拒绝签字或中途退出的情况"
    )
    expect(page.get_by_label("赵小梅拒绝签字/中途退出")).to_be_checked()
    note.fill("听证中途退出，未签字")
    confirm_partner(page)
    screenshot(page, artifacts, "hearing-04-left-1366x768.png")
    click(page, "制作并签名")
    assert page.get_by_role("alert").count() == 0, page.locator("main").inner_text()
    fields = issued(page.request, url, number)
    signatures = fields["signatures"]
    assert isinstance(signatures, list)
    assert [s["name"] for s in signatures if s.get("method") == "手写签名"] == [
        "蒋卫东", "温志诚",
    ]  # fmt: skip
    assert fields["participant_notes"] == ["赵小梅：听证中途退出，未签字"]
    words = pdf_words(page.request, url, str(fields["digest"]), artifacts / "hearing-05-left.pdf")
    assert "第三人赵小梅：（听证中途退出，未签字）" in words
    assert console.errors == []
