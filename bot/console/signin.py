"""Signing in to the console with WeChat's own identity: a scanned QR code, or a one-time code.

A browser that opens the sign-in page is given a secret nonce (in an HttpOnly cookie) and a temporary
parametric QR code whose scene is ``console:<nonce>``. When the account receives the scan of that scene
from a staff member, the chat side calls ``approve_scene``; the browser's next poll finds the person and
opens its session. The fallback: "登录后台" in the chat gives a one-time code (``issue_code``), typed on the
page (``redeem_code``), with wrong codes counted per address.
"""

from __future__ import annotations

import json
import secrets

from storage.kv import Store

SCENE_PREFIX = "console:"
SCENE_TTL = 300  # seconds a sign-in QR code (and its scene) lives
CODE_TTL = 300
CODE_DIGITS = 8
CODE_TRIES = 5  # wrong codes an address may type in ten minutes
CODE_WINDOW = 600
NONCE_COOKIE = "cb_console_signin"


def _scene_key(nonce: str) -> str:
    return "console:scene:" + nonce


def scene_of(nonce: str) -> str:
    return SCENE_PREFIX + nonce


def nonce_in(scene: str) -> str | None:
    """The nonce of a console scene (``console:<nonce>``); None for any other scene."""
    if not scene.startswith(SCENE_PREFIX):
        return None
    nonce = scene.removeprefix(SCENE_PREFIX)
    return nonce if 8 <= len(nonce) <= 48 and nonce.replace("-", "").replace("_", "").isalnum() else None


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


async def start_scene(store: Store, nonce: str, address: str) -> None:
    """A sign-in waiting for its scan, by a browser at ``address``."""
    await store.set(_scene_key(nonce), json.dumps({"address": address}), SCENE_TTL)


async def scene_state(store: Store, nonce: str) -> dict[str, object] | None:
    """What is known of a sign-in: its QR code's ``url``, the ``address`` that asked, and once scanned the
    ``person`` (an id); None when it has expired or was used."""
    raw = await store.get(_scene_key(nonce))
    return None if raw is None else dict(json.loads(raw))


async def keep_qr(store: Store, nonce: str, url: str) -> None:
    """Remember the QR code made for the sign-in, so that reloading the page shows it again."""
    state = await scene_state(store, nonce)
    if state is not None:
        await store.set(_scene_key(nonce), json.dumps({**state, "url": url}), SCENE_TTL)


async def approve_scene(store: Store, nonce: str, person_id: int) -> str | None:
    """The staff member who scanned a sign-in's QR code: the waiting browser is signed in as them at its
    next poll. Returns the browser's address, or None when the sign-in expired (or was used)."""
    state = await scene_state(store, nonce)
    if state is None or state.get("person") is not None:
        return None
    await store.set(_scene_key(nonce), json.dumps({**state, "person": person_id}), SCENE_TTL)
    return str(state.get("address", ""))


async def finish_scene(store: Store, nonce: str) -> int | None:
    """The person a scanned sign-in is for, once (the sign-in is used up); None while nobody scanned."""
    state = await scene_state(store, nonce)
    if state is None or state.get("person") is None:
        return None
    if not await store.set_if_absent(_scene_key(nonce) + ":used", "1", SCENE_TTL):
        return None  # two polls at once: one session
    await store.delete(_scene_key(nonce))
    person = state["person"]
    return int(person) if isinstance(person, int | str) else None


async def issue_code(store: Store, person_id: int) -> str:
    """A one-time sign-in code for the chat's "登录后台" (five minutes, eight digits)."""
    for _ in range(5):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if await store.set_if_absent(f"console:code:{code}", str(person_id), CODE_TTL):
            return code
    raise RuntimeError("no free console sign-in code")


class TooManyTries(Exception):
    """The address typed too many wrong codes lately."""


async def redeem_code(store: Store, code: str, address_bucket: str) -> int | None:
    """The person a typed code signs in (the code is used up); None when it is wrong or expired. Every code
    tried counts against the address, before it is looked at, so that many tries at once cannot each pass
    the check (``TooManyTries`` past ``CODE_TRIES`` in ten minutes)."""
    if await store.incr(f"console:codetry:{address_bucket}", ttl=CODE_WINDOW) > CODE_TRIES:
        raise TooManyTries
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    key = f"console:code:{code}"
    person = await store.get(key)
    if person is None or not await store.set_if_absent(key + ":used", "1", CODE_TTL):
        return None
    await store.delete(key)
    return int(person)
