"""Test back ends: the real thing, chosen by environment.

- ``DATABASE_URL`` unset: SQLite files in a temporary folder. Set to ``postgres://...``: a fresh database
  is created on that server for the run and dropped at the end.
- ``REDIS_URL`` unset: the in-process store. Set: a Redis server, each test under its own key prefix.
A configured server that cannot be reached is an error, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import asyncpg
import pytest
from aiohttp.test_utils import TestServer
from tortoise import Tortoise, connections
from tortoise.exceptions import OperationalError

from bot.app import build_conversations, classifier
from bot.runtime import Conversations
from storage import db
from storage.kv import MemoryStore, RedisStore, Store
from tests.fake_wechat_api import FakeWeChatAPI

# every app the tests build checks that no two handlers of one phase answer the same message
os.environ["COMMUNITY_BOT_STRICT_DISPATCH"] = "1"

PG_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")


def _pg_admin_dsn(url: str) -> tuple[str, str]:
    """(dsn of the server's maintenance database, the base URL without a database name)."""
    base = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
    return base + "/postgres", base


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if PG_URL and not db.is_sqlite(PG_URL):
        admin, base = _pg_admin_dsn(PG_URL)
        name = f"cbtest_{uuid.uuid4().hex[:10]}"

        async def create() -> None:
            conn = await asyncpg.connect(admin, timeout=10)
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        async def drop() -> None:
            conn = await asyncpg.connect(admin, timeout=10)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(create())  # an unreachable server fails here, loudly
        url = f"{base}/{name}"
        asyncio.run(db.upgrade(url))
        yield url
        asyncio.run(drop())
    else:
        url = "sqlite://" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        asyncio.run(db.upgrade(url))
        yield url


async def empty_tables(database_url: str) -> None:
    """Every table emptied (and, on PostgreSQL, its ids restarted); the database must be open."""
    conn = connections.get("default")
    tables = [model._meta.db_table for model in Tortoise.apps["models"].values()]  # from the features
    if db.is_sqlite(database_url):
        deletes = "".join(
            f'DELETE FROM "{table}"; DELETE FROM sqlite_sequence WHERE name="{table}";' for table in tables
        )
        await conn.execute_script(f"PRAGMA foreign_keys = OFF; {deletes} PRAGMA foreign_keys = ON;")
    else:
        # An app started just before (its outbox worker and clock-driven rounds read several tables) can
        # deadlock with TRUNCATE, which locks them all; PostgreSQL then aborts one of the two: try again.
        for attempt in range(5):
            try:
                await conn.execute_script(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
                return
            except (OperationalError, asyncpg.exceptions.DeadlockDetectedError) as exc:
                # Tortoise passes asyncpg's deadlock through untranslated (it is no OperationalError)
                if "deadlock" not in str(exc) or attempt == 4:
                    raise
                await asyncio.sleep(0.1 * (attempt + 1))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[str]:
    """An open, empty database (tables truncated before each test)."""
    await db.open_db(database_url)
    await empty_tables(database_url)
    yield database_url
    await Tortoise.close_connections()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[Store]:
    if redis_url:
        redis_store = RedisStore(redis_url, prefix=f"cbtest:{uuid.uuid4().hex[:8]}:")
        if not await redis_store.ping():
            raise RuntimeError(f"REDIS_URL={redis_url} is set but the server cannot be reached")
        yield redis_store
        await redis_store.flush_prefix()
        await redis_store.close()
    else:
        memory = MemoryStore()
        yield memory
        await memory.close()


@pytest.fixture
async def fake_api(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> FakeWeChatAPI:
    """The fake WeChat API server on loopback."""
    api = FakeWeChatAPI()
    server = await aiohttp_server(api.app())
    api.base_url = str(server.make_url("")).rstrip("/")
    return api


@pytest.fixture(scope="session", autouse=True)
def _warm_nlp() -> None:
    classifier()  # jieba's dictionary once per test session


@pytest.fixture
async def seeded(database: str) -> str:
    from storage.demo import seed_demo

    await seed_demo()
    return database


@pytest.fixture
def conversations(seeded: str, store: Store) -> Conversations:
    return build_conversations(store)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "redis_only: needs a Redis server shared between processes (REDIS_URL)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without REDIS_URL the run is the embedded default, where several processes share nothing: the
    tests about sharing state between worker processes are deselected (and said so), not skipped."""
    if REDIS_URL:
        return
    shared = [item for item in items if item.get_closest_marker("redis_only")]
    if shared:
        config.hook.pytest_deselected(items=shared)
        items[:] = [item for item in items if not item.get_closest_marker("redis_only")]


def pytest_report_header() -> list[str]:
    db_name = "PostgreSQL " + PG_URL.rsplit("@", 1)[-1] if PG_URL and not db.is_sqlite(PG_URL) else "SQLite"
    lines = [f"community-bot back ends: database={db_name}, store={'Redis' if REDIS_URL else 'memory'}"]
    if not REDIS_URL:
        lines.append("tests marked redis_only (several worker processes sharing Redis) are deselected")
    return lines
