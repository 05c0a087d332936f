"""The 记录仪 pages and a case's upload page in the browser: the head registers a camera for the
officer, the officer records its pre-use check and uploads two files at once on a 768 px wide
screen, each file with its act, camera and recording times (pre-filled from the file: the
video's duration read by a hidden media element) and its own progress bar.
Screenshots: ``tests/browser/artifacts/devices-*.png`` and ``upload-*.png``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from PIL import Image
from playwright.sync_api import Browser, Locator, Page, Route, ViewportSize, expect

from tests.browser.conftest import DESKTOP, ConsoleLog, log_in
from tests.browser.test_pages import assert_fits
from tests.integration.server import Server

CASE = "某文旅罚〔2026〕18号"  # a demo case of the officer's squad (执法大队一中队)
DEVICE = "ZFJLY-DEMO-01"
NARROW: ViewportSize = {"width": 768, "height": 1024}
ZONE = "Asia/Shanghai"

# Records the values each row's <progress> takes (the script sets .value, which the element
# reflects to its attribute), per row, so per-file progress is seen without timing anything.
WATCH_PROGRESS = """() => {
  window.progressSeen = [];
  document.querySelectorAll('#upload-list .upload-row progress').forEach((bar, i) => {
    window.progressSeen[i] = [];
    new MutationObserver(() => window.progressSeen[i].push(Number(bar.value)))
      .observe(bar, { attributes: true, attributeFilter: ['value'] });
  });
}"""


def upload_files(page: Page, base_url: str, case: str, files: list[Path], act: int | str) -> None:
    """On the case's upload page: choose the files, the act each records, upload them all and
    wait until every row says it is done."""
    page.goto(f"{base_url}/cases/{quote(case)}/upload")
    page.locator("#upload-page input[type=file]").set_input_files([str(f) for f in files])
    rows = page.locator("#upload-list .upload-row")
    expect(rows).to_have_count(len(files))
    for i in range(len(files)):
        rows.nth(i).locator("select[name=act_seq]").select_option(str(act))
    page.get_by_role("button", name="上传全部").click()
    for i in range(len(files)):
        expect(rows.nth(i).locator(".status")).to_have_text("上传完成", timeout=60_000)


def _video(path: Path, seconds: int) -> Path:
    from tests.integration.test_evidence import write_video

    write_video(path, seconds=seconds, created="2026-11-20T07:00:00.000000Z")
    return path


def _shoot(page: Page, artifacts: Path, name: str) -> None:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0


def register_camera(browser: Browser, server: Server, console: ConsoleLog, artifacts: Path) -> None:
    """The head registers the demo officer's camera on the 记录仪 page."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id=ZONE)
    try:
        page = context.new_page()
        console.watch(page)
        log_in(page, server.url, "hejg", "fuze-demo-2026")
        page.goto(f"{server.url}/devices")
        form = page.locator("#register-device")
        form.get_by_label("设备编号").fill(DEVICE)
        form.get_by_label("型号").fill("DSJ-V9")
        form.get_by_label("所属机构").select_option(label="执法大队一中队")
        form.get_by_label("配发给").select_option(label="周立衡")
        with page.expect_navigation():
            form.get_by_role("button", name="登记").click()
        expect(page.get_by_role("status")).to_have_text("执法记录仪已登记（已记入日志）")
        expect(page.locator("table")).to_contain_text("周立衡")
        _shoot(page, artifacts, "devices-1366x768")
        page.set_viewport_size(NARROW)
        assert_fits(page)
        _shoot(page, artifacts, "devices-768")
    finally:
        context.close()


def check_camera(page: Page, server: Server, artifacts: Path) -> None:
    """The officer records his camera's pre-use check in the case the recording is for."""
    page.goto(f"{server.url}/devices/{DEVICE}")
    check = page.locator("#device-check")
    check.get_by_label("案件").select_option(CASE)
    check.get_by_label("电量（%）").fill("95")
    check.get_by_label("剩余存储空间（MB）").fill("30000")
    with page.expect_navigation():
        check.get_by_role("button", name="记录检查").click()
    expect(page.get_by_role("status")).to_have_text("使用前检查已记入所选案件")
    assert_fits(page)
    _shoot(page, artifacts, "devices-check-768")


def assert_prefilled(video: Locator, still: Locator) -> None:
    """Times from the files: the video ends when it was last modified and starts its duration
    (4 s, read by a hidden media element) earlier; the photo starts and ends then. His own
    camera is chosen for both."""
    expect(video.locator(".hint")).to_contain_text("时长 4 秒")
    ended = video.locator("input[name=ended_at]").input_value()
    started = video.locator("input[name=started_at]").input_value()
    span = datetime.fromisoformat(ended) - datetime.fromisoformat(started)
    assert span.total_seconds() == 4, (started, ended)
    assert still.locator("input[name=started_at]").input_value() == (
        still.locator("input[name=ended_at]").input_value()
    )
    for row in (video, still):
        assert row.locator("select[name=device]").input_value() == DEVICE


def choose_acts(video: Locator, still: Locator) -> list[str]:
    """The case's acts, labelled with their Chinese time: the newest for the video, the next
    for the photo."""
    options = video.locator("select[name=act_seq] option")
    assert options.count() > 2 and "年" in options.nth(1).inner_text()
    acts = [str(options.nth(i).get_attribute("value")) for i in range(1, options.count())]
    video.locator("select[name=act_seq]").select_option(acts[0])
    still.locator("select[name=act_seq]").select_option(acts[1])
    return acts[:2]


def test_officer_checks_his_camera_and_uploads_two_files_at_once(
    browser: Browser, server: Server, console: ConsoleLog, artifacts: Path, tmp_path: Path
) -> None:
    register_camera(browser, server, console, artifacts)
    clip = _video(tmp_path / "20261120_160000.mp4", seconds=4)
    photo = tmp_path / "20261120_160500.jpg"
    Image.new("RGB", (320, 240), (30, 120, 200)).save(photo)
    context = browser.new_context(viewport=NARROW, locale="zh-CN", timezone_id=ZONE)
    try:
        page = context.new_page()
        console.watch(page)
        log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
        check_camera(page, server, artifacts)
        page.goto(f"{server.url}/cases/{quote(CASE)}/upload")
        page.locator("#upload-page input[type=file]").set_input_files([str(clip), str(photo)])
        rows = page.locator("#upload-list .upload-row")
        expect(rows).to_have_count(2)
        video, still = rows.nth(0), rows.nth(1)
        assert_prefilled(video, still)
        acts = choose_acts(video, still)
        video.get_by_label("开始时已语音说明时间、地点、执法人员、事由").check()
        expect(still.get_by_label("开始时已语音说明时间、地点、执法人员、事由")).to_be_hidden()
        page.evaluate(WATCH_PROGRESS)
        # a time typed wrong is refused in the page (the other file goes), nothing typed is lost
        still.locator("input[name=ended_at]").fill("2026-11-20T14:00:00")
        page.get_by_role("button", name="上传全部").click()
        expect(still.locator(".status")).to_contain_text("结束记录时间早于开始记录时间")
        assert still.locator("select[name=act_seq]").input_value() == acts[1]
        assert_fits(page)
        _shoot(page, artifacts, "upload-refused-768")
        still.locator("input[name=ended_at]").fill(
            still.locator("input[name=started_at]").input_value()
        )
        page.get_by_role("button", name="上传全部").click()
        for row in (video, still):
            expect(row.locator(".status")).to_have_text("上传完成", timeout=60_000)
            expect(row.locator(".hint")).to_contain_text(f"设备 {DEVICE}")
        seen = page.evaluate("window.progressSeen")  # each file's own bar went to the end
        assert len(seen) == 2 and all(values and values[-1] == 1 for values in seen), seen
        expect(page.locator("#upload-summary a")).to_contain_text("全部 2 个文件已上传")
        assert_fits(page)
        _shoot(page, artifacts, "upload-done-768")
        page.set_viewport_size(DESKTOP)
        _shoot(page, artifacts, "upload-done-1366x768")
        listed = page.request.get(f"{server.url}/api/v1/media?case_number={quote(CASE)}").json()
        names = {m["name"]: m for m in listed["items"]}
        for name, act in ((clip.name, acts[0]), (photo.name, acts[1])):
            assert names[name]["device_no"] == DEVICE and names[name]["act_seq"] == int(act)
        started = datetime.fromisoformat(names[clip.name]["started_at"])
        assert str(started.tzinfo) == "UTC+08:00"  # the officer's wall clock, with its offset
        assert console.errors == []
    finally:
        context.close()


def test_a_broken_upload_resumes_and_keeps_what_was_typed(
    browser: Browser, server: Server, console: ConsoleLog, artifacts: Path, tmp_path: Path
) -> None:
    """The connection drops on every try of the body: the row says so and keeps its act,
    camera and times; 继续上传 resumes the same upload (created once) when it is back."""
    clip = _video(tmp_path / "20261120_170000.mp4", seconds=2)
    context = browser.new_context(viewport=NARROW, locale="zh-CN", timezone_id=ZONE)
    try:
        page = context.new_page()
        log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
        created: list[str] = []
        page.on(
            "request",
            lambda r: created.append(r.url) if r.method == "POST" and "/uploads" in r.url else None,
        )

        def drop(route: Route) -> None:
            if route.request.method == "PATCH":
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/api/v1/uploads/*", drop)
        page.goto(f"{server.url}/cases/{quote(CASE)}/upload")
        page.locator("#upload-page input[type=file]").set_input_files(str(clip))
        row = page.locator("#upload-list .upload-row").first
        expect(row.locator(".hint")).to_contain_text("时长 2 秒")
        act = row.locator("select[name=act_seq] option").nth(1).get_attribute("value")
        row.locator("select[name=act_seq]").select_option(act)
        started = row.locator("input[name=started_at]").input_value()
        page.get_by_role("button", name="上传全部").click()
        expect(row.locator(".status")).to_contain_text("可继续上传", timeout=30_000)
        expect(row.get_by_role("button", name="继续上传")).to_be_visible()
        assert row.locator("select[name=act_seq]").input_value() == act
        assert row.locator("input[name=started_at]").input_value() == started
        _shoot(page, artifacts, "upload-interrupted-768")
        page.unroute("**/api/v1/uploads/*")
        row.get_by_role("button", name="继续上传").click()
        expect(row.locator(".status")).to_have_text("上传完成", timeout=60_000)
        assert len(created) == 1, created  # the same upload, continued
        listed = page.request.get(f"{server.url}/api/v1/media?case_number={quote(CASE)}").json()
        assert any(
            m["name"] == clip.name and m["act_seq"] == int(act or 0) for m in listed["items"]
        )
    finally:
        context.close()


def test_a_file_the_browser_cannot_read_takes_the_times_it_records(
    browser: Browser, server: Server, console: ConsoleLog, tmp_path: Path
) -> None:
    """MPEG-4 Part 2 video, which Chromium does not play: the page cannot read its duration, so
    it leaves the times empty and the server takes the container's creation_time (PyAV)."""
    import av

    clip = tmp_path / "20261120_180000.mp4"
    with av.open(str(clip), "w") as out:
        out.metadata["creation_time"] = "2026-11-20T10:00:00.000000Z"
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for i in range(20):
            frame = av.VideoFrame.from_image(Image.new("RGB", (160, 96), (i * 10, 80, 160)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    context = browser.new_context(viewport=NARROW, locale="zh-CN", timezone_id=ZONE)
    try:
        page = context.new_page()
        log_in(page, server.url, "zhoulh", "zhifa-demo-2026")
        page.goto(f"{server.url}/cases/{quote(CASE)}/upload")
        page.locator("#upload-page input[type=file]").set_input_files(str(clip))
        row = page.locator("#upload-list .upload-row").first
        expect(row.locator(".hint")).to_contain_text("浏览器无法读取该文件的时长")
        assert row.locator("input[name=started_at]").input_value() == ""
        assert row.locator("input[name=ended_at]").input_value() == ""
        page.get_by_role("button", name="上传全部").click()
        expect(row.locator(".status")).to_have_text("上传完成", timeout=60_000)
        expect(row.locator(".hint")).to_contain_text("记录 2026年11月20日 18:00:00 至")
        listed = page.request.get(f"{server.url}/api/v1/media?case_number={quote(CASE)}").json()
        [found] = [m for m in listed["items"] if m["name"] == clip.name]
        assert found["started_at"] == "2026-11-20T18:00:00+08:00"  # creation_time, in Beijing
        assert found["ended_at"] == "2026-11-20T18:00:02+08:00"  # plus its two seconds
    finally:
        context.close()
