"""Database lifecycle: configuration, open/close, migrations.

The same code runs on SQLite (the embedded default, a file under ``./data/``) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.exceptions import IntegrityError
from tortoise.models import Model


def model_modules() -> list[str]:
    """The core tables and every feature's (``handlers.FEATURES``)."""
    import handlers

    return ["storage.models", *handlers.model_modules()]


MIGRATIONS_MODULE = "storage.migrations"


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``sqlite:///abs/path`` spellings; make the SQLite folder exist."""
    scheme = urlsplit(url).scheme
    if scheme == "postgresql":
        url = "postgres" + url[len("postgresql") :]
    if scheme == "sqlite":
        location = url[len("sqlite://") :]
        if location and location != ":memory:":
            Path(location).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return url


def is_sqlite(url: str) -> bool:
    return urlsplit(url).scheme == "sqlite"


async def _keep_session(_connection: object) -> None:
    """asyncpg's pool runs ``RESET ALL; UNLISTEN *; ...`` on every release, a round trip per query.
    We use no session state (no SET, LISTEN, advisory locks or cursors) and Tortoise closes its
    transactions, so there is nothing to reset."""


def _connection(url: str) -> str | dict[str, Any]:
    url = normalize_url(url)
    if is_sqlite(url):
        return url
    from tortoise.backends.base.config_generator import expand_db_url

    config = expand_db_url(url)
    config["credentials"]["reset"] = _keep_session
    config["credentials"].setdefault("maxsize", 10)
    return config


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(url)},
        "apps": {
            "models": {
                "models": model_modules(),
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "Asia/Shanghai",
    }


async def upgrade(url: str) -> None:
    """Apply every pending migration (``community-bot db upgrade``)."""
    from tortoise.migrations.api import migrate

    try:
        await migrate(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


async def pending_migrations(url: str) -> list[str]:
    """Names of migrations not yet applied."""
    from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

    config = tortoise_config(url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        executor = MigrationExecutor(connections.get("default"), config["apps"])
        steps = await executor.plan([MigrationTarget(app_label="models", name="__latest__")])
    finally:
        await Tortoise.close_connections()
    return [f"{s.migration.app_label}.{s.migration.name}" for s in steps if not s.backward]


async def open_db(url: str) -> None:
    await Tortoise.init(config=tortoise_config(url))


async def close_db() -> None:
    await Tortoise.close_connections()


async def ping() -> bool:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True


def __getattr__(name: str) -> Any:
    """``TORTOISE_ORM`` for Tortoise's own CLI (``tortoise -c storage.db.TORTOISE_ORM makemigrations``),
    built when asked for (the feature list is read then, not at import); opens nothing."""
    if name == "TORTOISE_ORM":
        return tortoise_config("sqlite://:memory:")
    raise AttributeError(name)


M = TypeVar("M", bound=Model)


async def once(model: type[M], source_key: str, make: Callable[[], Awaitable[M]]) -> M:
    """``make()`` the row for ``source_key`` unless it exists. When two deliveries of one message (or one
    client key) race, the unique ``source_key`` lets one insert; the other gets that row, not an error."""
    existing = await first_by(model, "source_key", source_key)
    if existing is not None:
        return existing
    try:
        return await make()
    except IntegrityError:
        found = await first_by(model, "source_key", source_key)
        if found is None:
            raise
        return found


async def first_by(model: type[M], column: str, value: object) -> M | None:
    """``model.get_or_none(column=value)`` for a unique column, on the hot path: one plain statement and
    the row made a model as Tortoise makes it (``_init_from_db``), without building the query through the
    query builder each time (which cost about twice the query itself, bench/profile_mixes.py)."""
    conn = connections.get("default")
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    column_sql = model._meta.fields_db_projection.get(column, column)
    sql = f'SELECT * FROM "{model._meta.db_table}" WHERE "{column_sql}" = {mark} LIMIT 1'
    _, rows = await conn.execute_query(sql, [value])
    return model._init_from_db(**rows[0]) if rows else None
