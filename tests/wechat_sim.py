"""Acting as the WeChat server: messages signed and AES-encrypted exactly as WeChat builds them."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import xmltodict
from aiohttp.test_utils import TestClient
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from bot.wechat.protocol import escape_cdata

TOKEN = "test-token"
APPID = "wx0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the console gives
ACCOUNT = "gh_community"


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def text_xml(user: str, content: str, msg_id: int, created: int | None = None) -> str:
    return message_xml(user, "text", {"Content": content, "MsgId": str(msg_id)}, created)


def message_xml(user: str, msg_type: str, fields: dict[str, str], created: int | None = None) -> str:
    body = "".join(f"<{k}><![CDATA[{escape_cdata(v)}]]></{k}>" for k, v in fields.items())
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"{body}</xml>"
    )


def event_xml(user: str, event: str, key: str | None = None, created: int | None = None, **extra: str) -> str:
    fields = {"Event": event, **({"EventKey": key} if key is not None else {}), **extra}
    return message_xml(user, "event", fields, created)


class WeChatSim:
    """Posts to the bot's ``/wechat`` the way WeChat does, in ``plain``, ``compat`` or ``safe`` mode."""

    def __init__(self, client: TestClient[Any, Any], mode: str = "safe", path: str = "/wechat") -> None:
        self.client = client
        self.mode = mode
        self.path = path
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
        self.key = self.crypto.key

    def envelope(self, xml: str, timestamp: str, nonce: str) -> tuple[str, dict[str, str]]:
        query = {
            "signature": sign(TOKEN, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": "o-any",
        }
        if self.mode == "plain":
            return xml, query
        encrypted = PrpCrypto(self.key).encrypt(xml, APPID).decode()
        query |= {"encrypt_type": "aes", "msg_signature": sign(TOKEN, timestamp, nonce, encrypted)}
        if self.mode == "safe":
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            )
        else:  # compatible: the plaintext fields and Encrypt side by side
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        return body, query

    async def post(
        self,
        xml: str,
        *,
        timestamp: str | None = None,
        nonce: str | None = None,
        query: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        ts = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        body, params = self.envelope(xml, ts, nonce)
        if query is not None:
            params = query
        response = await self.client.post(self.path, params=params, data=body.encode())
        return response.status, await response.text()

    def reply(self, raw: str) -> dict[str, Any]:
        """The reply's fields (decrypted and its signature checked in safe mode)."""
        if raw == "success":
            return {}
        outer = xmltodict.parse(raw)["xml"]
        if "Encrypt" in outer:
            assert outer["MsgSignature"] == sign(TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
            inner = PrpCrypto(self.key).decrypt(outer["Encrypt"], APPID)
            return dict(xmltodict.parse(inner)["xml"])
        return dict(outer)

    async def say(self, user: str, text: str, msg_id: int) -> str:
        status, raw = await self.post(text_xml(user, text, msg_id))
        assert status == 200, raw
        return str(self.reply(raw).get("Content", ""))
