"""A fresh PostgreSQL database for a benchmark run, dropped after it (as the tests do)."""

from __future__ import annotations

import uuid

import asyncpg


async def fresh_database(url: str) -> tuple[str, str]:
    """(the URL of a new database on the server of ``url``, the maintenance DSN to drop it with)."""
    base = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
    name = f"cbbench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(base + "/postgres", timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{base}/{name}", base + "/postgres"


async def drop_database(url: str, admin: str) -> None:
    conn = await asyncpg.connect(admin, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()
