"""Issue 15's figures at scale, on an instance ``bench.bulk`` generated (100,000 cases /
5,000,000 entries is the aim): the statistics page's data (dashboard), search, the full anomaly
scan, and anomaly detection keeping up with appends. Prints a table (figure, p50, p95, target);
asserts nothing.

    .venv/bin/python -m bench.bulk --cases 100000            # once: the instance
    .venv/bin/python -m bench.supervision_scale [--rounds 20] [--db liuhen_bench_scale]
        [--data-dir /tmp/liuhen_bench_scale] [--append-rounds 3]
        [--parts dashboard,http,search,scan,incremental]

Dashboard: ``stats.service.report`` (what ``/stats`` and ``/api/v1/stats`` call) as the
supervisor, for one agency and for every agency, for a month and a year; then the same as HTTP
GETs of ``/stats`` and ``/api/v1/stats`` with the supervisor signed in. Search: 50 queries of
words the cases use, through ``search.service.search`` as the supervisor. Full scan:
``supervision.service.scan``. Incremental detection: cases appended through the journal's
normal ``append_all`` (one case a unit), about 3,000 entries a round, then the supervision's
catch-up; the appends per second it handles are the round's entries over append + detection
time, and the detection alone over its own time.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from sqlalchemy import func, select

from bench import bulk
from bench.common import p50_p95
from liuhen.access.policy import User
from liuhen.accounts.service import create_user, get_user
from liuhen.entrypoints.web import SEARCH_SOURCES
from liuhen.errors import NotFoundError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.search import service as search
from liuhen.search.index import Source
from liuhen.stats import service as stats
from liuhen.supervision import service as supervision

QUERIES = [
    "演出许可证", "营业性演出", "未成年人", "网吧", "上网服务", "星河文化传播", "询问笔录",
    "现场检查", "执法记录仪", "罚款", "没收违法所得", "责令改正", "送达", "陈述申辩", "听证",
    "法定代表人", "营业执照", "当事人", "行政处罚决定书", "催告", "强制执行", "人民法院",
    "扣押", "查封", "解除", "鉴定", "投诉", "举报", "立案", "结案", "归档", "负责人审批",
    "集体讨论", "法制审核", "调取证据", "娱乐场所", "歌舞", "出版物", "印刷", "艺术培训",
    "旅行社", "文物", "噪音", "消防", "存储卡", "进货单据", "执法证件", "营业面积",
    "烟花爆竹", "演出门票",
]  # fmt: skip
TARGETS = {"dashboard": 1000.0, "search": 200.0, "scan": 300_000.0}
SEARCH_OFFICER = "bench_officer"
PARTS = ("dashboard", "http", "search", "scan", "incremental")
INCREMENTAL = ("detect_new", "catch_up_incremental", "incremental", "catch_up")


def _timed(f: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        out.append((time.perf_counter() - t) * 1000)
    return out


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, figure: str, times: list[float], target: float | None, unit: str = "ms") -> None:
        p50, p95 = p50_p95(times)
        mark = "" if target is None else ("达标" if p95 < target else "未达标")
        aim = "" if target is None else f"< {target:,.0f} {unit}"
        self.rows.append((figure, f"{p50:,.1f}", f"{p95:,.1f}", aim, mark))
        print(f"  {figure}：p50 {p50:,.1f} {unit}，p95 {p95:,.1f} {unit} {aim} {mark}", flush=True)

    def line(self, figure: str, value: str, target: str, mark: str) -> None:
        self.rows.append((figure, value, "", target, mark))
        print(f"  {figure}：{value} {target} {mark}", flush=True)

    def render(self) -> str:
        head = ("指标", "p50", "p95", "目标", "")
        lines = [" | ".join(head), " | ".join("---" for _ in head)]
        lines += [" | ".join(r) for r in self.rows]
        return "\n".join(lines)


def _periods(app: App) -> tuple[str, str]:
    """Last month and last year by the clock: whole periods full of cases."""
    today = app.clock.now().date()
    first = date(today.year, today.month, 1)
    last_month = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return f"{last_month.year}-{last_month.month:02d}", str(today.year - 1)


def dashboard(app: App, table: Table, rounds: int, agency: str) -> None:
    user = get_user(app, bulk.SUPERVISOR[0])
    stats.catch_up(app)
    for period in _periods(app):
        for label, filters in ((f"机关 {agency}", stats.Filters(agency=agency)),
                               ("全部机关", stats.Filters())):  # fmt: skip
            times = _timed(partial(stats.report, app, user, period, filters), rounds)
            table.add(f"统计（stats.report，{label}，{period}）", times, TARGETS["dashboard"])


def dashboard_http(app: App, table: Table, rounds: int, agency: str) -> None:
    from fastapi.testclient import TestClient
    from tests.integration.auth import login

    from liuhen.entrypoints.web import create_app

    with TestClient(create_app(app)) as client:
        answer = login(client, *bulk.SUPERVISOR)
        assert answer.status_code in (302, 303), answer.text[:200]
        for period in _periods(app):
            for path in ("/stats", "/api/v1/stats"):
                for query in (f"period={period}&agency={agency}", f"period={period}"):
                    url = f"{path}?{query}"
                    first = client.get(url)
                    assert first.status_code == 200, (url, first.text[:200])
                    times = _timed(partial(client.get, url), rounds)
                    table.add(f"统计 HTTP GET {url}", times, TARGETS["dashboard"])


def search_officer(app: App) -> User:
    """An officer of the first case's unit, on that case (an account made once, journaled):
    he finds his unit's cases and those he handles, a tenth of them at 10,000 cases."""
    try:
        return get_user(app, SEARCH_OFFICER)
    except NotFoundError:
        pass
    with app.engine.connect() as conn:
        unit, officers = conn.execute(
            select(store.CASE.c.unit, store.CASE.c.officers).order_by(store.CASE.c.number)
        ).first() or ("", "[]")
    cert = (json.loads(officers) or [None])[0]
    return create_user(
        app, SEARCH_OFFICER, "mima-12345678", ["officer"], "检索执法人员", unit, cert
    )


def search_figures(
    app: App, table: Table, with_anomalies: bool = True, as_officer: bool = False
) -> None:
    """Without the anomaly source, then with every source the web app searches: the anomaly
    source reads the anomaly list, which first detects what no scan has judged yet (on an
    instance generated without the scan, all of it: ``with_anomalies`` False leaves it out).
    ``as_officer``: the same again as an officer of one unit (``search_officer``)."""
    user = get_user(app, bulk.SUPERVISOR[0])
    if as_officer:
        search_as(app, table, search_officer(app), "一个单位的执法人员", with_anomalies)
    search_as(app, table, user, "监督人员", with_anomalies)


def search_as(app: App, table: Table, user: User, who: str, with_anomalies: bool) -> None:
    runs: list[tuple[str, tuple[Source, ...]]] = []
    fewer = tuple(s for s in SEARCH_SOURCES if s.kind != "anomaly")
    if len(fewer) < len(SEARCH_SOURCES):
        runs.append(("，不含异常说明来源", fewer))
    if with_anomalies or not runs:
        runs.append(("", SEARCH_SOURCES))
    for label, sources in runs:
        search.search(app, user, QUERIES[0], sources)  # the index caught up first
        times, found, totals = [], 0, []
        for q in QUERIES:
            t = time.perf_counter()
            page = search.search(app, user, q, sources)
            times.append((time.perf_counter() - t) * 1000)
            found += page.total > 0
            totals.append(page.total)
        slowest = sorted(zip(times, QUERIES, totals, strict=True), reverse=True)[:3]
        print("    最慢：" + "；".join(f"“{q}”{ms:,.0f} 毫秒（{n} 条）" for ms, q, n in slowest))
        figure = f"检索（{len(QUERIES)} 个词，{found} 个有结果，{who}{label}）"
        table.add(figure, times, TARGETS["search"])


def scan_figure(app: App, table: Table, rounds: int) -> None:
    times = []
    for _ in range(rounds):
        result = supervision.scan(app)
        times.append(result.seconds * 1000)
        print(f"    扫描 {result.cases} 件案件、{result.entries} 条记录，{result.anomalies} 个异常")
    table.add("异常全量扫描（supervision.scan）", times, TARGETS["scan"])


def _agencies(app: App) -> list[bulk.Agency]:
    with app.engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(store.AGENCY)).scalar() or 1)
    return [bulk.agency(k) for k in range(n)]


def incremental(app: App, table: Table, rounds: int, per_round: int = 3000) -> None:
    """Rounds of appends through the normal path, each followed by the incremental detection.
    The cases appended are generated as the bulk ones are, each between two generated cases of
    its agency, through ``Journal.append_all`` a case each."""
    name = next(n for n in INCREMENTAL if hasattr(supervision, n))
    detect = getattr(supervision, name)
    print(f"    增量检测函数：supervision.service.{name}")
    detect(app)  # start from a caught-up position
    agencies = _agencies(app)
    templates = bulk.templates(50)
    latest = max(t for tpl in templates for t in tpl.times)
    back = app.clock.now() - latest - timedelta(days=1)
    with app.engine.connect() as conn:
        cases = int(conn.execute(select(func.count()).select_from(store.CASE)).scalar() or 1)
    # between the generated cases, as far apart as they are: an officer in one case at a time
    apart = timedelta(minutes=bulk.SPREAD_DAYS * 1440 * len(agencies) / cases)
    stamp = app.clock.now().strftime("%m%d%H%M%S")  # a run's own case numbers
    handled, alone, appends = [], [], []
    k = 0
    for r in range(rounds):
        n = 0
        t = time.perf_counter()
        while n < per_round:
            agency = agencies[k % len(agencies)]
            delta = back - apart * (k // len(agencies) + 0.5)
            number = f"增量{stamp}-{r + 1}-{k + 1}号"
            rows = bulk.case(templates[k % len(templates)], number, delta, agency)
            n += len(app.journal.append_all(bulk.as_drafts(rows)))
            k += 1
        appended = time.perf_counter() - t
        t = time.perf_counter()
        detect(app)
        detected = time.perf_counter() - t
        appends.append(n / appended)
        alone.append(n / detected)
        handled.append(n / (appended + detected))
        say = f"    第 {r + 1} 轮：追加 {n} 条 {appended:.1f} 秒，检测 {detected:.1f} 秒"
        print(say, flush=True)
    for label, values in (("经正常接口追加（条/秒）", appends), ("增量检测处理（条/秒）", alone),
                          ("追加并检测（条/秒）", handled)):  # fmt: skip
        p50, _ = p50_p95(values)
        worst = min(values)
        mark = "达标" if worst >= 3000 else "未达标"
        target = "≥ 3,000 条/秒" if label != "经正常接口追加（条/秒）" else ""
        table.line(f"{label}（{name}）", f"中位 {p50:,.0f}，最慢 {worst:,.0f}", target,
                   mark if target else "")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", default=bulk.PG_DB)
    p.add_argument("--data-dir", default=bulk.DATA_DIR)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--scan-rounds", type=int, default=1)
    p.add_argument("--append-rounds", type=int, default=3)
    p.add_argument("--parts", default=",".join(PARTS), help="figures measured: " + ",".join(PARTS))
    p.add_argument("--anomaly-search", action="store_true", help="search with the anomaly source")
    p.add_argument(
        "--search-officer", action="store_true",
        help=f"search as an officer of one unit too (the account {SEARCH_OFFICER}, made once)",
    )  # fmt: skip
    args = p.parse_args()
    app = bulk.open_app(args.db, args.data_dir)
    try:
        with app.engine.connect() as conn:
            size = conn.execute(store.HEAD.select()).mappings().one()["size"]
            cases = conn.execute(select(func.count()).select_from(store.CASE)).scalar()
        print(f"PostgreSQL 数据库 {args.db}：{cases} 件案件，{size} 条记录", flush=True)
        table = Table()
        agency = "whlyj"
        wanted = args.parts.split(",")
        parts: dict[str, Callable[[], None]] = {
            "dashboard": partial(dashboard, app, table, args.rounds, agency),
            "http": partial(dashboard_http, app, table, args.rounds, agency),
            "search": partial(
                search_figures,
                app,
                table,
                "scan" in wanted or args.anomaly_search,
                args.search_officer,
            ),
            "scan": partial(scan_figure, app, table, args.scan_rounds),
            "incremental": partial(incremental, app, table, args.append_rounds),
        }
        for name, part in parts.items():
            if name not in wanted:
                continue
            try:
                part()
            except Exception as exc:  # the other figures are still worth having
                print(f"  {name} 失败：{type(exc).__name__}: {exc}", flush=True)
        print()
        print(f"{cases} 件案件，{size} 条记录：")
        print(table.render())
    finally:
        app.engine.dispose()


if __name__ == "__main__":
    main()
