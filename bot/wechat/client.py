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
# our own codes for calls WeChat never answered: NOT_SENT when the request cannot have reached WeChat (no
# connection, a gateway's error page) and is safe to send again; NO_ANSWER when it may have arrived (a
# time-out or a dropped connection after sending) and sending again could deliver it twice
NOT_SENT = -2
NO_ANSWER = -4
_TOKEN_KEY = "wechat:access_token"
_MP_TOKEN_KEY = "wechat:mp_access_token"
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
        miniprogram_appid: str = "",
        miniprogram_secret: str = "",
    ) -> None:
        self._session = session
        self._store = store
        self._appid = appid
        self._secret = secret
        self._base = base_url.rstrip("/")
        self._miniprogram_appid = miniprogram_appid
        self._miniprogram_secret = miniprogram_secret
        # connecting has its own bound, so that "never reached WeChat" is told apart from "no answer"
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(3.0, timeout))

    @property
    def appid(self) -> str:
        return self._appid

    @property
    def configured(self) -> bool:
        return bool(self._appid and self._secret)

    async def access_token(self, *, force_refresh: bool = False) -> str:
        """The Official Account's access token."""
        return await self._token(self._appid, self._secret, _TOKEN_KEY, force_refresh=force_refresh)

    async def miniprogram_token(self, *, force_refresh: bool = False) -> str:
        """The mini-program's access token (the Official Account's when no mini-program is configured)."""
        if not self._miniprogram_appid or self._miniprogram_appid == self._appid:
            return await self.access_token(force_refresh=force_refresh)
        return await self._token(
            self._miniprogram_appid, self._miniprogram_secret, _MP_TOKEN_KEY, force_refresh=force_refresh
        )

    async def _token(self, appid: str, secret: str, key: str, *, force_refresh: bool) -> str:
        if not force_refresh:
            cached = await self._store.get(key)
            if cached:
                return cached
        lock = "wechat:token-refresh" if key == _TOKEN_KEY else f"{key}:refresh"
        async with self._store.lock(lock, timeout=15, wait=15):
            cached = await self._store.get(key)
            if cached and not force_refresh:
                return cached  # another worker refreshed while we waited
            body = {
                "grant_type": "client_credential",
                "appid": appid,
                "secret": secret,
                "force_refresh": False,
            }
            try:
                data = await self._call("POST", "/cgi-bin/stable_token", json_body=body)
            except WeChatAPIError as exc:
                if exc.errcode != NO_ANSWER:
                    raise
                # only the token went unanswered (asking for it again is harmless): the call it was for
                # never left, so it may safely be made again
                raise WeChatAPIError(NOT_SENT, f"no access token: {exc.errmsg}", exc.api) from None
            token = str(data["access_token"])
            lifetime = int(data.get("expires_in", 7200))
            await self._store.set(key, token, max(60, lifetime - 300))
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

    async def send_image(self, openid: str, media_id: str) -> None:
        await self._authed(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}},
        )

    async def send_news(self, openid: str, title: str, description: str, url: str, picurl: str = "") -> None:
        article = {"title": title, "description": description, "url": url, "picurl": picurl}
        await self._authed(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "news", "news": {"articles": [article]}},
        )

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str = "", miniprogram_page: str = ""
    ) -> int:
        """A template message (works outside the 48-hour window); returns WeChat's msgid."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        if miniprogram_page and self._miniprogram_appid:
            body["miniprogram"] = {"appid": self._miniprogram_appid, "pagepath": miniprogram_page}
        result = await self._authed("/cgi-bin/message/template/send", body)
        return int(result.get("msgid", 0))

    async def temporary_qr(self, scene: str, expire_seconds: int) -> tuple[str, str]:
        """A temporary parametric QR code (QR_STR_SCENE) whose scan is the event ``SCAN`` (or ``subscribe``
        with ``qrscene_``) carrying ``scene``: its ticket and the URL the code encodes."""
        body = {
            "expire_seconds": expire_seconds,
            "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}},
        }
        data = await self._authed("/cgi-bin/qrcode/create", body)
        return str(data.get("ticket", "")), str(data.get("url", ""))

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self._authed("/cgi-bin/menu/create", menu)

    async def download_media(self, media_id: str, max_bytes: int = 10 * 1024 * 1024) -> tuple[bytes, str]:
        """A temporary media file (WeChat keeps them 3 days): its bytes and content type."""
        for attempt in (1, 2):
            token = await self.access_token(force_refresh=attempt == 2)
            try:
                return await self._download(
                    "/cgi-bin/media/get", {"access_token": token, "media_id": media_id}, max_bytes
                )
            except WeChatAPIError as exc:
                if exc.errcode not in TOKEN_ERRORS or attempt == 2:
                    raise
                await self._store.delete(_TOKEN_KEY)
        raise AssertionError("unreachable")

    async def jscode2session(self, code: str) -> dict[str, str]:
        """Exchange a mini-program login code: openid, session_key and (sometimes) unionid.
        The session_key is for the server only; never hand it to the client."""
        params = {
            "appid": self._miniprogram_appid or self._appid,
            "secret": self._miniprogram_secret or self._secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        data = await self._call("GET", "/sns/jscode2session", params=params)
        return {k: str(v) for k, v in data.items() if k in ("openid", "session_key", "unionid")}

    async def phone_number(self, code: str) -> str:
        """The phone number a mini-program user agreed to share (getPhoneNumber's one-time ``code``), as
        WeChat verified it: the number without its country code."""
        body = {"code": code}
        token = await self.miniprogram_token()
        try:
            data = await self._call("POST", "/wxa/business/getuserphonenumber", json_body=body, token=token)
        except WeChatAPIError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            await self._store.delete(_MP_TOKEN_KEY)
            token = await self.miniprogram_token(force_refresh=True)
            data = await self._call("POST", "/wxa/business/getuserphonenumber", json_body=body, token=token)
        info = data.get("phone_info") or {}
        number = str(info.get("purePhoneNumber") or "") if isinstance(info, dict) else ""
        if not number:
            raise WeChatAPIError(-3, "no phone number in the answer", "/wxa/business/getuserphonenumber")
        return number

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

    async def _download(self, path: str, params: dict[str, str], max_bytes: int) -> tuple[bytes, str]:
        try:
            async with self._session.get(self._base + path, params=params, timeout=self._timeout) as response:
                kind = response.headers.get("Content-Type", "")
                body = await response.content.read(max_bytes + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WeChatAPIError(-2, redact(f"{type(exc).__name__}: {exc}"), path) from None
        if len(body) > max_bytes:
            raise WeChatAPIError(-4, "media larger than allowed", path)
        if kind.startswith(("application/json", "text/plain")):
            data = json.loads(body or b"{}")
            raise WeChatAPIError(int(data.get("errcode", -3)), str(data.get("errmsg", "")), path)
        return body, kind

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        token: str | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        params = {**(params or {}), **({"access_token": token} if token else {})}
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
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    if response.status >= 500:  # a gateway's error page: WeChat never took it
                        raise WeChatAPIError(NOT_SENT, f"HTTP {response.status}", path) from None
                    raise
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise WeChatAPIError(NOT_SENT, redact(f"{type(exc).__name__}: {exc}"), path) from None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WeChatAPIError(NO_ANSWER, redact(f"{type(exc).__name__}: {exc}"), path) from None
        if not isinstance(data, dict):
            raise WeChatAPIError(-3, "unexpected response", path)
        errcode = int(data.get("errcode") or 0)
        if errcode:
            raise WeChatAPIError(errcode, str(data.get("errmsg", "")), path)
        return data
