"""A fake WeChat API server on loopback: records every call and can fail on demand."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeWeChatAPI:
    calls: list[Call] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # errcodes to answer with, in order
    token_delay: float = 0.0
    _tokens: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    valid_tokens: set[str] = field(default_factory=set)
    base_url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)
        return app

    def of(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    async def stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call(request.path, dict(request.query), body))
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if body.get("secret") != "test-secret":
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"TOKEN-{next(self._tokens)}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def custom_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call(request.path, dict(request.query), body))
        if self.fail_next:
            code = self.fail_next.pop(0)
            if code == 40001:
                self.valid_tokens.discard(request.query.get("access_token", ""))
            return web.json_response({"errcode": code, "errmsg": "fake failure"})
        if request.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def sent_texts(self, user: str | None = None) -> list[str]:
        ok = []
        for call in self.of("/cgi-bin/message/custom/send"):
            if user is None or call.body.get("touser") == user:
                ok.append(call.body["text"]["content"])
        return ok
