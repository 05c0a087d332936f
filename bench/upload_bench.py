"""Upload figures, all on one file of random bytes in one run: (a) SHA-256 of the file read from
disk, the hashing limit; (b) a bare uvicorn app that reads the body and discards it, the HTTP
receive limit; (c) the peer, tuspyserver's tus router (no hash, no fsync); (d) liuhen's tus upload
(hashed and durable). Prints throughput, the ratios (d)/(c), (d)/(b), (d)/(a) and the server's
peak memory during (c) and (d); then the dock import of small photos (new, then "already stored").
Prints figures; asserts nothing.

    .venv/bin/python -m bench.upload_bench [--size-mib 1024] [--photos 1000] [--chunk-mib 64]

(b), (c) and (d) use the same client library (requests; tuspy sends each chunk with requests),
each server is a separate uvicorn process on 127.0.0.1 started and stopped here; (c) and (d) use
the tuspy client with the same chunk size. (b′) is a reference: the tuspy client against a tus stub
that keeps nothing, the most any tus server can reach with this client and chunk size. (d) counts
only when the server's digest equals (a)'s. The file is read through the page cache, as a client
reading a file it has just written would. The dock import runs ``liuhen ingest`` as a subprocess
(its own figure and the wall time with process start-up are both printed). (c) needs
``pip install tuspyserver`` (imported only inside its function).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import requests
from PIL import Image

BLOCK = 64 << 20
DEVICE = "ZFJLY-01"

BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


async def sink(request):
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
    return JSONResponse({"bytes": received})


async def ready(request):
    return PlainTextResponse("ok")


TUS = {"Tus-Resumable": "1.0.0"}


async def stub_create(request):  # tus as seen by the client, nothing kept (b′)
    return Response(status_code=201, headers={**TUS, "Location": "/stub/1"})


async def stub_patch(request):
    offset = int(request.headers["upload-offset"])
    async for chunk in request.stream():
        offset += len(chunk)
    return Response(status_code=204, headers={**TUS, "Upload-Offset": str(offset)})


app = Starlette(
    routes=[
        Route("/sink", sink, methods=["PUT", "POST"]),
        Route("/", ready),
        Route("/stub", stub_create, methods=["POST"]),
        Route("/stub/{id}", stub_patch, methods=["PATCH"]),
    ]
)
"""

TUS_APP = """
import os

from fastapi import FastAPI
from tuspyserver import create_tus_router

app = FastAPI()
app.include_router(create_tus_router(files_dir=os.environ["BENCH_TUS_DIR"]))
"""


# --- helpers ------------------------------------------------------------------------------


def rate(nbytes: int, seconds: float) -> str:
    return f"{nbytes / seconds / 1e6:,.0f} MB/s（{nbytes / seconds / 1e9:.2f} GB/s）"


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settle() -> None:
    """Write back what earlier steps left dirty, so it does not land in the next measurement."""
    os.sync()


def make_file(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        left = size
        while left:
            n = min(BLOCK, left)
            fh.write(os.urandom(n))
            left -= n
        fh.flush()
        os.fsync(fh.fileno())


class Memory(threading.Thread):
    """Polls VmRSS of a process every 50 ms; VmHWM is read at the end as a cross-check."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stop_event = threading.Event()
        self.start_kib = self.read("VmRSS")
        self.peak_kib = self.start_kib
        self.hwm_kib = 0

    def read(self, field: str) -> int:
        try:
            text = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0
        m = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
        return int(m.group(1)) if m else 0

    def run(self) -> None:
        while not self.stop_event.wait(0.05):
            self.peak_kib = max(self.peak_kib, self.read("VmRSS"))

    def finish(self) -> None:
        self.stop_event.set()
        self.join()
        self.peak_kib = max(self.peak_kib, self.read("VmRSS"))
        self.hwm_kib = self.read("VmHWM")

    def report(self) -> str:
        return (
            f"服务进程内存：上传前 {mib(self.start_kib)}，上传中峰值 RSS {mib(self.peak_kib)}"
            f"（VmHWM {mib(self.hwm_kib)}）"
        )


@contextmanager
def server(cmd: list[str], env: dict[str, str], ready: str, log: Path):
    """Start a server process, wait until ``ready`` answers, terminate and wait at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(ready, timeout=2)
                    break
                except requests.ConnectionError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"服务未能启动：{' '.join(cmd)}\n{log.read_text(errors='replace')}"
                        ) from None
                    time.sleep(0.1)
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def uvicorn_cmd(app: str, app_dir: Path, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip


def station_token(data_dir: Path) -> dict[str, str]:
    """An initialised instance with the test agency registered and a collection station's
    token for one of its units: uploads need a signed-in caller, a token a registered unit."""
    from tests.integration import factory

    from liuhen.accounts import service as access
    from liuhen.kernel import instance
    from liuhen.kernel import settings as settings_mod

    st = settings_mod.load({"LIUHEN_DATA_DIR": str(data_dir)})
    instance.init(st)
    app = instance.open_app(st)
    factory.register(app)
    token = access.create_token(app, "基准采集站", ["officer"], "wl-zd1")
    app.engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def tus_upload(url: str, path: Path, chunk: int, headers: dict[str, str] | None = None):
    from tusclient import client as tus_client

    uploader = tus_client.TusClient(url, headers=headers or {}).uploader(
        str(path), chunk_size=chunk,
        metadata={"filename": path.name, "filetype": "application/octet-stream"},
    )  # fmt: skip
    start = time.perf_counter()
    uploader.upload()
    return time.perf_counter() - start, uploader.url


# --- the four measurements ----------------------------------------------------------------


def hash_limit(path: Path) -> tuple[float, str]:
    h = hashlib.sha256()
    start = time.perf_counter()
    with path.open("rb", buffering=0) as fh:
        while chunk := fh.read(BLOCK):
            h.update(chunk)
    return time.perf_counter() - start, h.hexdigest()


def bare_receive(tmp: Path, path: Path, size: int, chunk: int):
    """(b) one streamed PUT of the file; (b′) the tuspy client against a tus stub that keeps
    nothing, the ceiling of the tuspy client with this chunk size on this server stack."""
    (tmp / "bench_bare_app.py").write_text(BARE_APP)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = uvicorn_cmd("bench_bare_app:app", tmp, port)
    with server(cmd, {}, f"{base}/", tmp / "bare.log") as proc:
        mem = Memory(proc.pid)
        mem.start()
        with path.open("rb") as fh:
            start = time.perf_counter()
            resp = requests.put(f"{base}/sink", data=fh)
            took = time.perf_counter() - start
        mem.finish()
        stub, _ = tus_upload(f"{base}/stub", path, chunk)
    got = resp.json().get("bytes") if resp.ok else None
    if got != size:
        print(f"(b) 结果无效：服务端收到 {got} 字节，应为 {size}（HTTP {resp.status_code}）")
        return None, stub
    print(f"(b) 裸 uvicorn 接收（丢弃）：{rate(size, took)}，{took:.2f} 秒；{mem.report()}")
    print(
        f"(b′) 参考：tuspy 以同样分块发给不保存任何内容的 tus 桩（客户端上限）："
        f"{rate(size, stub)}，{stub:.2f} 秒"
    )
    return took, stub


def peer_tus(tmp: Path, path: Path, size: int, chunk: int) -> float | None:
    try:
        import tuspyserver  # noqa: F401  (imported only here: the bench runs without it)
    except ImportError:
        print("(c) 跳过：未安装 tuspyserver，无法测对等实现（.venv/bin/pip install tuspyserver）")
        return None
    peer_version = version("tuspyserver")
    (tmp / "bench_tus_app.py").write_text(TUS_APP)
    files = tmp / "tus-files"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = uvicorn_cmd("bench_tus_app:app", tmp, port)
    env = {"BENCH_TUS_DIR": str(files)}
    with server(cmd, env, f"{base}/openapi.json", tmp / "tus.log") as proc:
        mem = Memory(proc.pid)
        mem.start()
        try:
            took, url = tus_upload(f"{base}/files/", path, chunk)
        except Exception as exc:  # tusclient's errors: the figure is void, not the bench
            print(f"(c) 结果无效：上传失败：{exc!r}")
            return None
        finally:
            mem.finish()
    stored = files / url.rstrip("/").rsplit("/", 1)[-1]
    got = stored.stat().st_size if stored.exists() else None
    stored.unlink(missing_ok=True)  # never fsynced: dropped rather than written back during (d)
    if got != size:
        print(f"(c) 结果无效：tuspyserver 保存了 {got} 字节，应为 {size}")
        return None
    print(
        f"(c) tuspyserver {peer_version} + tuspy（不计算摘要、不 fsync）：{rate(size, took)}，"
        f"{took:.2f} 秒；{mem.report()}"
    )
    return took


def liuhen_tus(data_dir: Path, tmp: Path, path: Path, size: int, chunk: int, hexdigest: str):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"LIUHEN_DATA_DIR": str(data_dir), "LIUHEN_PORT": str(port), "LIUHEN_HOST": "127.0.0.1"}
    auth = station_token(data_dir)  # before the server starts: same data folder
    cmd = [sys.executable, "-m", "liuhen", "serve", "--no-demo"]
    with server(cmd, env, f"{base}/openapi.json", tmp / "liuhen.log") as proc:
        mem = Memory(proc.pid)
        mem.start()
        try:
            took, url = tus_upload(f"{base}/api/v1/uploads", path, chunk, auth)
        except Exception as exc:  # tusclient's errors: the figure is void, not the bench
            print(f"(d) 结果无效：上传失败：{exc!r}")
            return None
        finally:
            mem.finish()
        status = requests.get(url, headers=auth, timeout=30).json()
    expected = f"sha256:{hexdigest}"
    if status.get("status") != "complete" or status.get("digest") != expected:
        print(
            f"(d) 结果无效：状态 {status.get('status')}，摘要 {status.get('digest')}，"
            f"应为 {expected}"
        )
        return None
    print(
        f"(d) 留痕 tus 上传（SHA-256 + fsync + 入库记日志）：{rate(size, took)}，{took:.2f} 秒；"
        f"{mem.report()}"
    )
    print(f"    服务端摘要与 (a) 一致：{status['digest']}")
    return took


# --- dock import of photos ----------------------------------------------------------------


def make_photos(folder: Path, n: int) -> int:
    """``n`` distinct JPEGs of about 100–300 KB (noise compresses poorly, so size follows area)."""
    folder.mkdir(parents=True)
    rnd = random.Random(20260101)
    total = 0
    for i in range(n):
        w = rnd.randrange(416, 720) // 8 * 8
        h = w * 3 // 4
        img = Image.frombytes("RGB", (w, h), os.urandom(w * h * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        (folder / f"IMG_{i:05d}.JPG").write_bytes(buf.getvalue())
        total += buf.tell()
    return total


def run_ingest(env: dict[str, str], folder: Path) -> tuple[float, float | None, str]:
    cmd = [sys.executable, "-m", "liuhen", "ingest", str(folder), "--device", DEVICE]
    start = time.perf_counter()
    done = subprocess.run(
        cmd, env={**os.environ, **env, "COLUMNS": "300"}, capture_output=True, text=True
    )
    took = time.perf_counter() - start
    summary = next((ln for ln in done.stdout.splitlines() if "新存储" in ln), "")
    if done.returncode != 0 or not summary:
        tail = summary or done.stdout[-500:] + done.stderr[-500:]
        summary = f"（退出码 {done.returncode}）{tail}"
    inner = re.search(r"（([\d,.]+) 个/秒）", summary)
    return took, float(inner.group(1).replace(",", "")) if inner else None, summary.strip()


def photos(data_dir: Path, tmp: Path, n: int) -> None:
    folder = tmp / "DCIM"
    start = time.perf_counter()
    total = make_photos(folder, n)
    print(
        f"生成 {n} 张照片（{total / n / 1e3:,.0f} KB/张，共 {total / 1e6:,.0f} MB）"
        f"用时 {time.perf_counter() - start:.1f} 秒"
    )
    settle()
    env = {"LIUHEN_DATA_DIR": str(data_dir)}
    subprocess.run(
        [sys.executable, "-m", "liuhen", "device", "add", DEVICE, "--model", "X", "--unit", "u1"],
        env={**os.environ, **env}, check=True, capture_output=True,
    )  # fmt: skip
    for label in ("首次导入", "再次导入（已存储，识别跳过）"):
        took, inner, summary = run_ingest(env, folder)
        own = f"{inner:,.1f} 张/秒（命令自计）；" if inner else ""
        print(
            f"记录仪导入（liuhen ingest 子进程）{label}：{own}"
            f"{n / took:,.1f} 张/秒（含 CLI 进程启动，{took:.1f} 秒）\n"
            f"    命令汇总：{summary}"
        )


# --- main -----------------------------------------------------------------------------------


def ratio(d: float | None, other: float | None) -> str:
    if d is None or other is None:
        return "无（有一项结果无效或被跳过）"
    return f"{other / d:.2f}"  # times are compared, so throughput(d)/throughput(x) = t(x)/t(d)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--size-mib", type=int, default=1024)
    p.add_argument("--photos", type=int, default=1000)
    p.add_argument("--chunk-mib", type=int, default=64, help="tuspy 分块大小，(c) (d) 相同")
    args = p.parse_args()
    size, chunk = args.size_mib << 20, args.chunk_mib << 20
    with tempfile.TemporaryDirectory(prefix="liuhen-upload-bench-") as tmp_text:
        tmp = Path(tmp_text)
        path = tmp / "bench.bin"
        start = time.perf_counter()
        make_file(path, size)
        made = time.perf_counter() - start
        print(
            f"测试文件：{args.size_mib} MiB 随机字节（生成用时 {made:.1f} 秒）；"
            f"tuspy 分块 {args.chunk_mib} MiB；CPU {os.cpu_count()} 核"
        )
        a, hexdigest = hash_limit(path)
        print(f"(a) hashlib.sha256 读盘计算：{rate(size, a)}，{a:.2f} 秒")
        settle()
        b, b2 = bare_receive(tmp, path, size, chunk)
        settle()
        c = peer_tus(tmp, path, size, chunk)
        settle()
        data_dir = tmp / "liuhen-data"
        d = liuhen_tus(data_dir, tmp, path, size, chunk, hexdigest)
        print(f"比值 (d)/(c) 对等实现：{ratio(d, c)}（目标 ≥ 1.00）")
        print(f"比值 (d)/(b) HTTP 接收上限：{ratio(d, b)}（目标 ≥ 0.80）")
        print(f"比值 (d)/(a) 摘要计算上限：{ratio(d, a)}")
        print(f"参考比值 (d)/(b′) tuspy 客户端上限：{ratio(d, b2)}；(c)/(b′)：{ratio(c, b2)}")
        path.unlink()
        if args.photos:
            photos(data_dir, tmp, args.photos)


if __name__ == "__main__":
    main()
