"""Export figures: time to export one case (N inquiries, one video of S seconds, dossier
rendered at export), time for each verifier, and the bag's size. Prints figures; asserts nothing.

    .venv/bin/python -m bench.export_bench [--entries 200] [--seconds 20]
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.integration import factory
from tests.integration.test_evidence import write_video
from tests.integration.test_export import ACCESSOR, CASE, make_dock

from liuhen.archive import bag_verify, export
from liuhen.evidence import devices, ingest
from liuhen.evidence import service as evidence
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        st = settings_mod.load({"LIUHEN_DATA_DIR": str(root / "data")})
        instance.init(st)
        app = instance.open_app(st)
        factory.register(app)
        devices.register(app, {"device_no": "ZFJLY-07", "model": "DSJ-V9", "unit": "wl-zd1",
                               "officer": "31010001", "status": "在用"})  # fmt: skip
        opened = factory.open_case(app)
        for i in range(args.entries):
            factory.inquiry(app, who=f"证人{i}")
        dock = make_dock(root)
        write_video(dock / "20261103_101000.mp4", seconds=args.seconds)
        ingest.ingest(app, dock, "ZFJLY-07")
        clip = evidence.list_media(app, kind="video").items[0]
        evidence.bind(app, clip.digest, CASE, opened.seq, factory.OFFICER)
        gc.collect()  # a full collection of what came before is no part of what is timed
        started = time.perf_counter()
        result = export.export_case(app, CASE, root / "bag", accessor=ACCESSOR)
        exported = time.perf_counter() - started
        gc.collect()  # a full collection of what came before is no part of what is timed
        started = time.perf_counter()
        ok = bag_verify.verify_bag(root / "bag").ok
        mine = time.perf_counter() - started
        gc.collect()  # a full collection of what came before is no part of what is timed
        started = time.perf_counter()
        code = subprocess.run(
            [sys.executable, "-I", str(root / "bag/verify_bag.py"), str(root / "bag")],
            capture_output=True,
        ).returncode
        theirs = time.perf_counter() - started
        app.engine.dispose()
    print(f"案件记录 {result.entries} 条，载荷 {result.files} 个文件 {result.octets / 1e6:.1f} MB")
    print(f"导出（含导出时生成案卷）：{exported:.2f} s")
    print(f"liuhen verify-bag：{mine:.2f} s（{'通过' if ok else '未通过'}）")
    print(f"verify_bag.py（独立进程）：{theirs:.2f} s（退出码 {code}）")


if __name__ == "__main__":
    main()
