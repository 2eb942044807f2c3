"""One benchmark deployment: a database, the Redis prefix, the fake WeChat API, the servers, the residents."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import safe_mode
from bench.servers import CLIENT_CORES, ROOT, Server, python

# Known residents are bound to a home of the demo's 幸福里社区 through the chat, as a resident would.
BIND = ["绑定", "1", "{home}", "1"]
BUILDINGS = {1: 2, 2: 2, 3: 3, 4: 3, 5: 2, 6: 2, 7: 1}  # the demo's buildings with units


def home_of(i: int) -> str:
    """A home for resident ``i``: building, unit, floor 1-30, door 1-4."""
    units = [(b, u) for b, n in BUILDINGS.items() for u in range(1, n + 1)]
    b, u = units[i % len(units)]
    rest = i // len(units)
    return f"{b}栋{u}单元{rest // 4 % 30 + 1}{rest % 4 + 1:02d}"


@dataclass
class Deployment:
    database: str  # "sqlite" or "postgres"
    postgres_db: str = "helper_bench"
    postgres_admin: str = "postgres://postgres@127.0.0.1:5432"
    redis_url: str = field(default_factory=lambda: os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cb-wrk-")))
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    servers: list[Server] = field(default_factory=list)
    fake: Server | None = None

    @property
    def database_url(self) -> str:
        if self.database == "postgres":
            return f"{self.postgres_admin}/{self.postgres_db}"
        return f"sqlite://{self.workdir}/bench.sqlite3"

    @property
    def redis_prefix(self) -> str:
        return f"cbbench:{self.tag}:"

    def bot_env(self, **extra: str) -> dict[str, str]:
        assert self.fake is not None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "DATABASE_URL", "REDIS_"))}
        return env | {
            "PYTHONPATH": str(ROOT),
            "WECHAT_TOKEN": safe_mode.TOKEN,
            "WECHAT_APPID": safe_mode.APPID,
            "WECHAT_AES_KEY": safe_mode.AES_KEY,
            "WECHAT_SECRET": safe_mode.SECRET,
            "WECHAT_API_BASE": self.fake.url,  # never WeChat itself
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "REDIS_PREFIX": self.redis_prefix,
            "DATA_DIR": str(self.workdir),
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    def prepare(self) -> None:
        """The fake WeChat API (on the client's core), a fresh database with the demo communities."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.fake = Server("fake-wechat-api", python(str(ROOT / "bench" / "fake_api.py"), "{port}"), env)
        self.fake.cores = CLIENT_CORES
        self.fake.start(self.workdir)
        if self.database == "postgres":
            admin = ["-h", "127.0.0.1", "-U", "postgres"]
            subprocess.run(["dropdb", *admin, "--if-exists", self.postgres_db], check=True)
            subprocess.run(["createdb", *admin, self.postgres_db], check=True)
        for step in (["db", "upgrade"], ["demo"]):
            subprocess.run(
                python("-m", "bot.cli", *step),
                env=self.bot_env(),
                cwd=self.workdir,
                check=True,
                capture_output=True,
            )

    def bot(self, workers: int = 1, cores: str = "0", **extra: str) -> Server:
        cmd = python(
            "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "{port}", "--workers", str(workers)
        )
        server = Server(f"bot-{workers}w", cmd, self.bot_env(**extra), cores=cores)
        self.servers.append(server.start(self.workdir))
        deadline = time.monotonic() + 60
        while workers > 1 and len(server.pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.5)  # healthz answered from the first worker up: wait for the others too
        time.sleep(3 if workers > 1 else 0)
        return server

    def floor(self) -> Server:
        cmd = python(
            str(ROOT / "bench" / "echo_server.py"),
            safe_mode.TOKEN,
            safe_mode.AES_KEY,
            safe_mode.APPID,
            "{port}",
        )
        server = Server("floor", cmd, {**os.environ, "PYTHONPATH": str(ROOT)}, ready_path="/wechat")
        self.servers.append(server.start(self.workdir))
        return server

    def werobot(self, how: str = "gunicorn") -> Server:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "REDIS_URL": self.redis_url,
            "WEROBOT_PREFIX": f"werobot:{self.tag}:",
        }
        cmd = python(str(ROOT / "bench" / "werobot_app.py"), "{port}", how)
        server = Server(f"werobot-{how}", cmd, env, ready_path="/wechat")
        self.servers.append(server.start(self.workdir))
        return server

    def residents(self, count: int) -> list[str]:
        return [f"r{self.tag}-{i:05d}" for i in range(count)]

    def bind_residents(self, bot: Server, count: int, connections: int) -> None:
        """Bind ``count`` residents to homes through the chat (not measured); returns wrk's figures."""
        users = self.residents(count)
        plans: list[list[tuple[str, str]]] = [[] for _ in range(connections)]
        for i, user in enumerate(users):
            plans[i % connections] += [(user, t.format(home=home_of(i))) for t in BIND]
        load = self.workdir / "load-bind"
        safe_mode.write_load(load, plans)
        failed = asyncio.run(send_all(bot.url, load))
        bound = self.query("bound")
        if bound < count or failed:
            raise RuntimeError(f"{bound} of {count} residents bound, {failed} failed requests: see {bot.log}")

    def introduce_residents(self, bot: Server, count: int, connections: int) -> None:
        """Make ``count`` residents known to the bot with one 你好 each (not measured)."""
        load = self.workdir / "load-hello"
        safe_mode.write_load(load, safe_mode.conversations(self.residents(count), ["你好"], connections))
        failed = asyncio.run(send_all(bot.url, load))
        if failed:
            raise RuntimeError(f"{failed} failed requests introducing the residents: see {bot.log}")

    def query(self, what: str) -> Any:
        """A figure read from the database: ``bound`` residents, ``tickets``, ``replies`` (the late replies
        recorded in the outbox: {msgid: status}), ``outbox`` (notifications by status)."""
        code = (
            "import asyncio, json; from bench.db_figures import main; "
            f"print(json.dumps(asyncio.run(main({what!r}, {self.tag!r}))))"
        )
        done = subprocess.run(
            python("-c", code), env=self.bot_env(), cwd=ROOT, check=True, capture_output=True, text=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def fake_counters(self) -> dict[str, Any]:
        assert self.fake is not None
        with urllib.request.urlopen(self.fake.url + "/counters", timeout=30) as r:
            result: dict[str, Any] = json.loads(r.read())
            return result

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        if self.fake is not None:
            self.fake.stop()
        from storage.kv import RedisStore

        async def flush() -> None:
            for prefix in (self.redis_prefix, f"werobot:{self.tag}:"):
                store = RedisStore(self.redis_url, prefix)
                await store.flush_prefix()
                await store.close()

        asyncio.run(flush())


async def send_all(url: str, load: Path) -> int:
    """Send every request of ``load`` (set-up, not measured: wrk runs for a set time, this until done),
    one connection per file, in order; a 503 is sent again after a while, as WeChat does; returns how many
    were not answered 200."""
    import aiohttp

    async def one(session: aiohttp.ClientSession, path: Path) -> int:
        failed = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            _key, target, body = line.split("\t")
            for attempt in range(20):
                async with session.post(url + target, data=body.encode()) as response:
                    await response.read()
                if response.status != 503:
                    break
                await asyncio.sleep(0.5 * (attempt + 1))
            failed += response.status != 200
        return failed

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        results = await asyncio.gather(*(one(session, path) for path in sorted(load.glob("conn-*.req"))))
    return sum(results)


@contextmanager
def deployment(database: str, **kwargs: Any) -> Iterator[Deployment]:
    deploy = Deployment(database, **kwargs)
    try:
        deploy.prepare()
        yield deploy
    finally:
        deploy.close()


if __name__ == "__main__":
    sys.exit("run bench/wrk.py")
