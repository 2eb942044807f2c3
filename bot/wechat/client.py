"""The few outbound WeChat API calls, on aiohttp (wechatpy's client is synchronous; see WECHAT.md).

The access token comes from ``cgi-bin/stable_token`` (which does not rotate), is cached in the shared
store, and is refreshed under a lock so that however many workers ask, one fetches. Secrets and tokens
never appear in logs or error messages.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import aiohttp

from storage.kv import Store

log = logging.getLogger(__name__)

TOKEN_ERRORS = {40001, 40014, 42001}
_TOKEN_KEY = "wechat:access_token"
_SECRET_IN_URL = re.compile(r"(access_token|secret|js_code)=[^&\s]+")


class WeChatAPIError(Exception):
    def __init__(self, errcode: int, errmsg: str, api: str) -> None:
        super().__init__(f"{api}: errcode {errcode}: {redact(errmsg)}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.api = api


def redact(text: str) -> str:
    return _SECRET_IN_URL.sub(r"\1=***", text)


class WeChatClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        store: Store,
        *,
        appid: str,
        secret: str,
        base_url: str,
        timeout: float = 5.0,
    ) -> None:
        self._session = session
        self._store = store
        self._appid = appid
        self._secret = secret
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    @property
    def configured(self) -> bool:
        return bool(self._appid and self._secret)

    async def access_token(self, *, force_refresh: bool = False) -> str:
        if not force_refresh:
            cached = await self._store.get(_TOKEN_KEY)
            if cached:
                return cached
        async with self._store.lock("wechat:token-refresh", timeout=15, wait=15):
            cached = await self._store.get(_TOKEN_KEY)
            if cached and not force_refresh:
                return cached  # another worker refreshed while we waited
            body = {
                "grant_type": "client_credential",
                "appid": self._appid,
                "secret": self._secret,
                "force_refresh": False,
            }
            data = await self._call("POST", "/cgi-bin/stable_token", json_body=body)
            token = str(data["access_token"])
            lifetime = int(data.get("expires_in", 7200))
            await self._store.set(_TOKEN_KEY, token, max(60, lifetime - 300))
            return token

    async def send_text(self, openid: str, text: str) -> None:
        """A customer-service text message (allowed within 48 hours of the user's last message)."""
        await self._authed(
            "/cgi-bin/message/custom/send",
            {
                "touser": openid,
                "msgtype": "text",
                "text": {"content": text},
            },
        )

    async def _authed(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        token = await self.access_token()
        try:
            return await self._call("POST", path, json_body=body, token=token)
        except WeChatAPIError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            await self._store.delete(_TOKEN_KEY)
            token = await self.access_token(force_refresh=True)
            return await self._call("POST", path, json_body=body, token=token)  # one bounded retry

    async def _call(
        self, method: str, path: str, *, json_body: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        params = {"access_token": token} if token else None
        payload = json.dumps(json_body, ensure_ascii=False).encode() if json_body is not None else None
        try:
            async with self._session.request(
                method,
                self._base + path,
                params=params,
                data=payload,
                headers={"Content-Type": "application/json"},
                timeout=self._timeout,
            ) as response:
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WeChatAPIError(-2, redact(f"{type(exc).__name__}: {exc}"), path) from None
        if not isinstance(data, dict):
            raise WeChatAPIError(-3, "unexpected response", path)
        errcode = int(data.get("errcode") or 0)
        if errcode:
            raise WeChatAPIError(errcode, str(data.get("errmsg", "")), path)
        return data
