"""PostgreSQL crashing under a running server, and coming back: every message still gets an answer (a kind
one while the database is away), /healthz says so, and once it is back the bot works again without a
restart. A private PostgreSQL server is started for this (the shared one is never touched)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import xmltodict

from tests.e2e.test_cli import ROOT, clean_env
from tests.faults.conftest import free_port
from tests.wechat_sim import TOKEN, text_xml

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
    status, raw = signed_post(port, text_xml(user, text, msg_id))
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


def wait_until(predicate: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("not in time")


def test_the_database_crashes_and_comes_back(private_postgres: PrivatePostgres, tmp_path: Path) -> None:
    env = clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=private_postgres.url, WECHAT_TOKEN=TOKEN)
    for step in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([sys.executable, "-m", "bot.cli", *step], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_until(lambda: health(port) == 200)
        assert "请核对" in say(port, "o-db", "我住3栋2单元502", 1)
        assert "绑定成功" in say(port, "o-db", "1", 2)

        private_postgres.crash()
        wait_until(lambda: health(port) == 503)
        away = say(port, "o-db", "我的信息", 3)  # answered, kindly: never a 5xx or silence
        assert away and "人工" in away
        private_postgres.start()
        wait_until(lambda: health(port) == 200)
        back = say(port, "o-db", "我的信息", 4)
        assert "3栋2单元502" in back, back
    finally:
        server.terminate()
        server.wait(30)
