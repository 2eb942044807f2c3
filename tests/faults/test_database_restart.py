"""PostgreSQL crashing under a running server, and coming back: every message still gets an answer (a kind
one while the database is away), /healthz says so, and once it is back the bot works again without a
restart. A private PostgreSQL server is started for this (the shared one is never touched)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.e2e.test_cli import ROOT, clean_env
from tests.faults.conftest import PrivatePostgres, free_port, health, say, wait_until, with_the_demo
from tests.wechat_sim import TOKEN


def test_the_database_crashes_and_comes_back(private_postgres: PrivatePostgres, tmp_path: Path) -> None:
    env = clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=private_postgres.url, WECHAT_TOKEN=TOKEN)
    with_the_demo(env, tmp_path)
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
