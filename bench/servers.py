"""The processes a benchmark run starts: the floor, the bot, WeRoBot, the fake WeChat API; and wrk."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SERVER_CORES = "0"  # the servers' core; wrk runs on the other
CLIENT_CORES = "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    cmd: list[str]
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    ready_path: str = "/healthz"
    cores: str = SERVER_CORES
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workdir: Path, timeout: float = 90) -> Server:
        self.log = workdir / f"{self.name.replace('/', '-').replace(' ', '_')}.log"
        cmd = ["taskset", "-c", self.cores, *[c.replace("{port}", str(self.port)) for c in self.cmd]]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=self.env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as r:
                    if r.status < 500:
                        return self
            except OSError as exc:  # refused, or an HTTP error status
                if getattr(exc, "code", 500) < 500:
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not start: see {self.log}")

    def pids(self) -> list[int]:
        """The processes serving: the server itself, or its workers when it supervises some."""
        assert self.proc is not None
        children = _children(self.proc.pid)
        return children or [self.proc.pid]

    def rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.pids()]

    def pss_mb(self) -> list[float]:
        return [pss_mb(pid) for pid in self.pids()]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    # multiprocessing's spawn context also starts a resource tracker: keep the ones serving (big ones)
    return [p for p in found if rss_mb(p) > 40]


def rss_mb(pid: int) -> float:
    """VmRSS of a process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size of a process, in MB: its pages shared with others (workers forked after the
    preload) counted as a share, so the workers' PSS add up to what they take together."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def run_wrk(
    url: str,
    load_dir: Path,
    connections: int,
    seconds: float,
    out: Path,
    *,
    record: bool = False,
    period_ms: float = 0.0,
    timeout: str = "10s",
    start_in_ms: float = 0.0,
) -> dict[str, Any]:
    """One wrk run over the request files in ``load_dir``; wrk on its own core, a thread per connection.
    ``start_in_ms`` (paced runs): no connection sends before then, so that the threads' own start (each
    reads and formats its requests: seconds of the client's core for a thousand threads) is over before
    the first request, and no answer's time includes a client thread still waiting for the core."""
    env = {**os.environ, "BENCH_OUT": str(out)}
    start_at = time.monotonic() * 1000 + start_in_ms if start_in_ms else 0.0  # CLOCK_MONOTONIC, as the Lua's
    cmd = [
        "taskset", "-c", CLIENT_CORES, "wrk",
        "-t", str(connections), "-c", str(connections), "-d", f"{math.ceil(seconds + start_in_ms / 1000)}s",
        "--timeout", timeout, "-s", str(BENCH / "wechat.lua"), url + "/wechat",
        "--", str(load_dir), "1" if record else "0", f"{period_ms:g}", f"{start_at:.0f}",
    ]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result
