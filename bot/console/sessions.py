"""Console sessions in the shared store: a random token in an HttpOnly cookie, only its hash kept.

A session ends after ``idle`` seconds without a request, after ``lifetime`` seconds whatever happens, or
when its person signs out. Each carries its own CSRF token, which every form and htmx request sends back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from storage.kv import Store

COOKIE = "cb_console"
_TOUCH_EVERY = 60.0  # seconds: a session's idle clock is written again at most this often


def _key(token: str) -> str:
    return "console:session:" + hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ConsoleSession:
    token: str
    person_id: int
    csrf: str
    started: float  # wall-clock seconds
    seen: float

    def csrf_matches(self, sent: str) -> bool:
        return bool(sent) and hmac.compare_digest(sent.encode(), self.csrf.encode())


@dataclass(frozen=True)
class SessionPolicy:
    idle: int
    lifetime: int

    def ttl(self, started: float, now: float) -> float:
        """How long the session is kept from ``now``: the idle time, never past its lifetime."""
        return min(float(self.idle), started + self.lifetime - now)


async def open_session(store: Store, person_id: int, policy: SessionPolicy, now: float) -> ConsoleSession:
    token = secrets.token_urlsafe(32)
    session = ConsoleSession(token, person_id, secrets.token_urlsafe(24), now, now)
    await _save(store, session, policy.ttl(now, now))
    return session


async def load_session(store: Store, token: str, policy: SessionPolicy, now: float) -> ConsoleSession | None:
    """The session of a cookie's token, its idle clock restarted; None when it is unknown or has ended."""
    if not token or len(token) > 200:
        return None
    raw = await store.get(_key(token))
    if raw is None:
        return None
    data = json.loads(raw)
    session = ConsoleSession(token, int(data["p"]), str(data["c"]), float(data["s"]), float(data["t"]))
    ttl = policy.ttl(session.started, now)
    if ttl <= 0 or now - session.seen >= policy.idle:
        await store.delete(_key(token))
        return None
    if now - session.seen >= _TOUCH_EVERY:
        session = ConsoleSession(token, session.person_id, session.csrf, session.started, now)
        await _save(store, session, ttl)
    return session


async def close_session(store: Store, token: str) -> None:
    await store.delete(_key(token))


async def _save(store: Store, session: ConsoleSession, ttl: float) -> None:
    body = {"p": session.person_id, "c": session.csrf, "s": session.started, "t": session.seen}
    await store.set(_key(session.token), json.dumps(body), max(1.0, ttl))


# -- a flash: one sentence shown on the next page a session opens (after an action's redirect) ------------
async def flash(store: Store, session: ConsoleSession, kind: str, text: str) -> None:
    await store.set(_key(session.token) + ":flash", json.dumps([kind, text]), 300)


async def take_flash(store: Store, session: ConsoleSession) -> tuple[str, str] | None:
    key = _key(session.token) + ":flash"
    raw = await store.get(key)
    if raw is None:
        return None
    await store.delete(key)
    kind, text = json.loads(raw)
    return str(kind), str(text)
