"""Fault tests: private servers the tests may crash (the shared ones are never restarted)."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import xmltodict

from tests.e2e.conftest import make_sim  # noqa: F401  (the real app, as the e2e tests start it)
from tests.wechat_sim import TOKEN, text_xml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivateRedis:
    url: str
    port: int
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """Crash it (SIGKILL: no goodbye to the clients)."""
        self.process.kill()
        self.process.wait(10)

    def start(self) -> None:
        """Start it again on the same port (empty: it keeps nothing on disk)."""
        self.process = _redis_server(self.port)


def _redis_server(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        for _ in range(100):
            try:
                if client.ping():
                    return process
            except redis.ConnectionError:
                time.sleep(0.05)
    finally:
        client.close()
    process.kill()
    raise AssertionError("the private redis-server did not start")


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    port = free_port()
    server = PrivateRedis(f"redis://127.0.0.1:{port}/0", port, _redis_server(port))
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait(10)


PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


@dataclass
class PrivatePostgres:
    url: str
    data: Path
    port: int

    def _ctl(self, *args: str) -> None:
        # the server's output goes to its log file: a pipe held open by it would never reach EOF
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> None:
        self._ctl("-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "-w", "start")

    def crash(self) -> None:
        self._ctl("-m", "immediate", "stop")


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    assert PG_BIN is not None, "PostgreSQL's server binaries are needed for the fault tests"
    root = Path(tempfile.mkdtemp(prefix="cb-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data = root / "data"
    subprocess.run(
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    server = PrivatePostgres(f"postgres://postgres@127.0.0.1:{port}/postgres", data, port)
    server.start()
    try:
        yield server
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def signed_post(port: int, xml: str) -> tuple[int, str]:
    timestamp, nonce = str(int(time.time())), "n0nce"
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    url = f"http://127.0.0.1:{port}/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}"
    request = urllib.request.Request(url, data=xml.encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def say(port: int, user: str, text: str, msg_id: int) -> str:
    """One message, delivered as WeChat does: again (up to 3 more times) when refused with a 503."""
    for _ in range(4):
        status, raw = signed_post(port, text_xml(user, text, msg_id))
        if status != 503:
            break
        time.sleep(1.0)
    assert status == 200, (status, raw)
    return "" if raw == "success" else str(xmltodict.parse(raw)["xml"]["Content"])


def health(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def wait_until(predicate: Callable[[], object], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("not in time")


def with_the_demo(env: dict[str, str], cwd: Path) -> None:
    """A new database brought to the latest migration with the demo communities in it, by the command
    line as an operator does it (in a process of its own: this one's Tortoise may be set up for SQLite)."""
    for step in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([sys.executable, "-m", "bot.cli", *step], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=180)  # fmt: skip
        assert done.returncode == 0, done.stderr
