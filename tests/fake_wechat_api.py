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
    answer_delay: float = 0.0  # seconds before answering a send it has already taken (a slow WeChat)
    _tokens: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    valid_tokens: set[str] = field(default_factory=set)
    base_url: str = ""
    media: dict[str, bytes] = field(default_factory=dict)
    login_codes: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> openid / unionid
    used_codes: set[str] = field(default_factory=set)
    phone_codes: dict[str, str] = field(default_factory=dict)  # getPhoneNumber code -> phone number
    app_secrets: dict[str, str] = field(default_factory=lambda: {"mp-secret": "MP"})  # secret -> token prefix
    mp_tokens: set[str] = field(default_factory=set)
    in_flight: int = 0  # sends being answered right now
    most_in_flight: int = 0
    qr_scenes: dict[str, str] = field(default_factory=dict)  # temporary QR codes made: ticket -> scene

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)
        app.router.add_post("/cgi-bin/message/template/send", self.template_send)
        app.router.add_post("/cgi-bin/menu/create", self.custom_send)
        app.router.add_post("/cgi-bin/qrcode/create", self.qrcode_create)
        app.router.add_get("/cgi-bin/media/get", self.media_get)
        app.router.add_get("/sns/jscode2session", self.jscode2session)
        app.router.add_post("/wxa/business/getuserphonenumber", self.phone_number)
        return app

    def of(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    async def stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call(request.path, dict(request.query), body))
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        secret = str(body.get("secret", ""))
        if secret in self.app_secrets:  # the mini-program's own token
            token = f"{self.app_secrets[secret]}-TOKEN-{next(self._tokens)}"
            self.mp_tokens.add(token)
            return web.json_response({"access_token": token, "expires_in": 7200})
        if secret != "test-secret":
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"TOKEN-{next(self._tokens)}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _authed_call(self, request: web.Request) -> web.Response | None:
        """Record the call; an error response when told to fail or the token is wrong, else None."""
        body = await request.json()
        self.calls.append(Call(request.path, dict(request.query), body))
        if self.answer_delay:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.answer_delay)
            finally:
                self.in_flight -= 1
        if self.fail_next:
            code = self.fail_next.pop(0)
            if code == 40001:
                self.valid_tokens.discard(request.query.get("access_token", ""))
            return web.json_response({"errcode": code, "errmsg": "fake failure"})
        if request.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return None

    async def custom_send(self, request: web.Request) -> web.Response:
        return await self._authed_call(request) or web.json_response({"errcode": 0, "errmsg": "ok"})

    async def template_send(self, request: web.Request) -> web.Response:
        refused = await self._authed_call(request)
        return refused or web.json_response({"errcode": 0, "errmsg": "ok", "msgid": len(self.calls)})

    async def qrcode_create(self, request: web.Request) -> web.Response:
        """A temporary parametric QR code: its ticket and the URL it encodes (``qr_scenes``: by ticket)."""
        refused = await self._authed_call(request)
        if refused:
            return refused
        body = self.calls[-1].body
        scene = str(body.get("action_info", {}).get("scene", {}).get("scene_str", ""))
        ticket = f"TICKET-{len(self.calls)}"
        self.qr_scenes[ticket] = scene
        return web.json_response(
            {
                "ticket": ticket,
                "expire_seconds": body.get("expire_seconds", 60),
                "url": f"http://weixin.qq.com/q/{ticket}",
            }
        )

    async def media_get(self, request: web.Request) -> web.Response:
        self.calls.append(Call(request.path, dict(request.query), {}))
        if request.query.get("access_token") not in self.valid_tokens:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        media = self.media.get(request.query.get("media_id", ""))
        if media is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=media, content_type="image/jpeg")

    async def jscode2session(self, request: web.Request) -> web.Response:
        self.calls.append(Call(request.path, dict(request.query), {}))
        code = request.query.get("js_code", "")
        if request.query.get("secret") != "mp-secret":
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        if code not in self.login_codes or code in self.used_codes:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        self.used_codes.add(code)
        return web.json_response({"session_key": "SESSION-KEY-SECRET", **self.login_codes[code]})

    async def phone_number(self, request: web.Request) -> web.Response:
        """getPhoneNumber: a one-time code for the number the user agreed to share (mini-program token)."""
        body = await request.json()
        self.calls.append(Call(request.path, dict(request.query), body))
        if self.fail_next:
            code = self.fail_next.pop(0)
            if code == 40001:
                self.mp_tokens.discard(request.query.get("access_token", ""))
            return web.json_response({"errcode": code, "errmsg": "fake failure"})
        if request.query.get("access_token") not in self.mp_tokens:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        code = str(body.get("code", ""))
        if code not in self.phone_codes or code in self.used_codes:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        self.used_codes.add(code)
        number = self.phone_codes[code]
        info = {"phoneNumber": number, "purePhoneNumber": number, "countryCode": "86"}
        return web.json_response({"errcode": 0, "errmsg": "ok", "phone_info": info})

    def sent_texts(self, user: str | None = None) -> list[str]:
        """Texts of the customer-service calls (attempts, whatever the fake answered)."""
        return [
            call.body["text"]["content"]
            for call in self.of("/cgi-bin/message/custom/send")
            if user is None or call.body.get("touser") == user
        ]
