"""A real ``liuhen serve`` process for tests that need HTTP, restarts and kills."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], port: int | None = None, *, demo: bool = False) -> None:
        """``demo=True`` lets the first start seed the demo cases (the default passes --no-demo)."""
        self.env = {**os.environ, **env}
        self.chosen = port is None  # a port picked here may be taken by another worker first
        self.port = port or free_port()
        self.demo = demo
        self.env["LIUHEN_PORT"] = str(self.port)
        self.proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        args = [sys.executable, "-m", "liuhen", "serve"] + ([] if self.demo else ["--no-demo"])
        self.proc = subprocess.Popen(
            args, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        # a first start seeds the demo: it renders and signs its 76 documents, minutes on a
        # loaded 2-core machine
        deadline = time.monotonic() + 600
        while True:
            try:
                httpx.get(f"{self.url}/openapi.json", timeout=2)
                return self
            except httpx.TransportError:
                if self.proc.poll() is not None:
                    output = self.proc.stdout.read() if self.proc.stdout else ""
                    if self.chosen and "address already in use" in output.lower():
                        # free_port() only found the port free: under xdist another worker's
                        # server can bind it in between; try another
                        self.port = free_port()
                        self.env["LIUHEN_PORT"] = str(self.port)
                        return self.start()
                    raise RuntimeError(output) from None
                if time.monotonic() > deadline:
                    raise RuntimeError("liuhen serve did not start within 600 s") from None
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, like a power cut for the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@contextmanager
def running(env: dict[str, str]) -> Iterator[Server]:
    server = Server(env).start()
    try:
        yield server
    finally:
        server.stop()
