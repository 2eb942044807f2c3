"""Our own expiring session tokens for the mini-program (WeChat's session_key never leaves the server).

Only a hash of each token is stored (in Redis, or the in-process store), so a leaked store leaks no token.
"""

from __future__ import annotations

import hashlib
import secrets

from storage.kv import Store

SESSION_TTL = 7 * 24 * 3600


def _key(token: str) -> str:
    return "session:" + hashlib.sha256(token.encode()).hexdigest()


def session_key(token: str) -> str:
    """Where a token's session is kept (its hash), to point it elsewhere later without keeping the token."""
    return _key(token)


async def repoint(store: Store, key: str, person_id: int, ttl: int = SESSION_TTL) -> None:
    """Point the session kept at ``key`` at another person (after the follower confirmed a link)."""
    if await store.get(key) is not None:
        await store.set(key, str(person_id), ttl)


async def create_session(store: Store, person_id: int, ttl: int) -> str:
    token = secrets.token_urlsafe(32)
    await store.set(_key(token), str(person_id), ttl)
    return token


async def session_person(store: Store, token: str) -> int | None:
    if not token or len(token) > 200:
        return None
    value = await store.get(_key(token))
    return int(value) if value and value.isdigit() else None


async def move_session(store: Store, token: str, person_id: int, ttl: int) -> None:
    """Point an existing token at another person (after two identities were linked)."""
    await store.set(_key(token), str(person_id), ttl)
