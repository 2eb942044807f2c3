"""WeChat callback protocol: signatures, timestamps, decrypt, parse into ``IncomingMessage``, render.

wechatpy does the XML and AES work; everything here turns its many failure modes into ``ProtocolError``
with an HTTP status, never an unhandled exception (see WECHAT.md for what fuzzing found).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
from collections.abc import Mapping
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.messages import EventName, IncomingMessage, Kind, Location
from bot.wechat.wechatpy_parts import BaseMessage, WeChatCrypto, parse_message

MAX_REPLY_BYTES = 2048
_ENCRYPT = re.compile(rb"<Encrypt><!\[CDATA\[([A-Za-z0-9+/=]{1,65536})\]\]></Encrypt>")


class ProtocolError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, signature: str, timestamp: str, nonce: str) -> None:
    if not (signature and timestamp and nonce):
        raise ProtocolError(403, "missing signature parameters")
    if not hmac.compare_digest(sign(token, timestamp, nonce).encode(), signature.encode()):
        raise ProtocolError(403, "bad signature")


def check_timestamp(timestamp: str, now: float, window: int) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise ProtocolError(403, "malformed timestamp") from None
    if abs(now - sent) > window:
        raise ProtocolError(403, "stale timestamp")


def _encrypted_field(body: bytes) -> object:
    """The envelope's Encrypt value. The usual shape is matched directly (base64 only, so nothing in it
    can be markup); anything else goes through the full XML parser, entities refused."""
    match = _ENCRYPT.search(body)
    if match:
        return match.group(1).decode("ascii")
    try:
        return xmltodict.parse(body.decode("utf-8"))["xml"]["Encrypt"]
    except (ExpatError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(400, f"malformed envelope: {type(exc).__name__}") from None


class SafeMode:
    """WeChat's safe-mode envelope (AES-256-CBC, the key's first 16 bytes as IV, PKCS#7 to 32 bytes), as
    wechatpy's ``WeChatCrypto`` does it, with the cipher built once rather than per message (wechatpy makes
    a new ``PrpCrypto`` and AES cipher for every decrypt and every encrypt)."""

    def __init__(self, token: str, aes_key: str, appid: str) -> None:
        key = WeChatCrypto(token, aes_key, appid).key  # wechatpy's own checks of the key
        self.token = token
        self.appid = appid
        self._appid = appid.encode()
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    def decrypt(self, body: bytes, query: Mapping[str, str]) -> str:
        """Decrypt a safe-mode body; the signature is checked here (constant time) before any AES work."""
        msg_signature = query.get("msg_signature", "")
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        encrypted = _encrypted_field(body)
        if not isinstance(encrypted, str) or not msg_signature:
            raise ProtocolError(400 if msg_signature else 403, "malformed envelope or missing msg_signature")
        if not hmac.compare_digest(
            sign(self.token, timestamp, nonce, encrypted).encode(), msg_signature.encode()
        ):
            raise ProtocolError(403, "bad msg_signature")
        try:
            decryptor = self._cipher.decryptor()
            plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
            content = plain[16 : -plain[-1]]
            (length,) = struct.unpack(">I", content[:4])
            xml = content[4 : length + 4].decode()
            appid = content[length + 4 :].decode()
        except (struct.error, UnicodeDecodeError, ValueError, binascii.Error, IndexError, TypeError) as exc:
            raise ProtocolError(400, f"cannot decrypt: {type(exc).__name__}") from None
        if appid != self.appid:
            raise ProtocolError(403, "message for another appid")
        return xml

    def encrypt(self, xml: str, nonce: str, timestamp: str) -> str:
        """The reply envelope, as ``WeChatCrypto.encrypt_message`` writes it."""
        text = xml.encode()
        prefix = secrets.token_hex(8).encode()  # 16 random bytes WeChat ignores
        raw = prefix + struct.pack(">I", len(text)) + text + self._appid
        pad = 32 - len(raw) % 32
        encryptor = self._cipher.encryptor()
        sealed = encryptor.update(raw + bytes([pad]) * pad) + encryptor.finalize()
        encrypt = base64.b64encode(sealed).decode()
        signature = sign(self.token, timestamp, nonce, encrypt)
        return (
            f"<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<MsgSignature><![CDATA[{signature}]]>"
            f"</MsgSignature>\n<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>"
        )


_EVENTS = {
    "subscribe": EventName.SUBSCRIBE,
    "subscribe_scan": EventName.SUBSCRIBE,
    "subscribe_scan_product": EventName.SUBSCRIBE,  # followed from a product scan (扫一扫商品)
    "unsubscribe": EventName.UNSUBSCRIBE,
    "scan": EventName.SCAN,
    "location": EventName.LOCATION,
    "click": EventName.CLICK,
    "view": EventName.VIEW,
    "templatesendjobfinish": EventName.TEMPLATE_DONE,
}


def _field(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):  # a duplicated or nested element: xmltodict makes a list or dict
        raise ProtocolError(400, f"malformed field {name}")
    return value


def _float(data: Mapping[str, Any], name: str) -> float:
    try:
        return float(_field(data, name) or 0)
    except ValueError:
        raise ProtocolError(400, f"malformed number in {name}") from None


# longest accepted at the edge: an openid is 28 characters (the column holds 64); an EventKey is ours (a QR
# scene, a menu key) or WeChat's own (last_trade_no_..., a product barcode), kept only as far as we read it
MAX_OPENID = 64
MAX_EVENT_KEY = 128


def parse(xml: str) -> tuple[IncomingMessage, str]:
    """The message, and the account id (ToUserName) to answer from."""
    try:
        raw: BaseMessage | None = parse_message(xml)
    except (ExpatError, KeyError, AttributeError, TypeError, ValueError) as exc:
        raise ProtocolError(400, f"malformed message: {type(exc).__name__}") from None
    if raw is None:
        raise ProtocolError(400, "empty message")
    data: Mapping[str, Any] = raw._data
    user, account = _field(data, "FromUserName"), _field(data, "ToUserName")
    msg_type = _field(data, "MsgType").lower()
    created = _field(data, "CreateTime")
    if not user or not msg_type or not created.isdigit():
        raise ProtocolError(400, "message lacks FromUserName, MsgType or CreateTime")
    if len(user) > MAX_OPENID:
        raise ProtocolError(400, "FromUserName is not an openid")
    msg_id = _field(data, "MsgId")
    common: dict[str, Any] = {"user": user, "created_at": int(created)}
    if msg_type == "event":
        name = _field(data, "Event").lower()
        event = _EVENTS.get(name, EventName.OTHER)
        event_key = _field(data, "EventKey")[:MAX_EVENT_KEY]
        if name == "subscribe" and event_key.startswith("qrscene_"):
            event_key = event_key.removeprefix("qrscene_")
        location = None
        if event is EventName.LOCATION:
            location = Location(_float(data, "Latitude"), _float(data, "Longitude"))
        msg = IncomingMessage(
            kind=Kind.EVENT,
            dedup_key=f"e:{user}:{created}:{name}:{event_key}",
            event=event,
            event_key=event_key,
            location=location,
            **common,
        )
        return msg, account
    dedup = f"m:{msg_id}" if msg_id else f"m:{user}:{created}"
    if msg_type == "text":
        msg = IncomingMessage(kind=Kind.TEXT, dedup_key=dedup, text=_field(data, "Content"), **common)
    elif msg_type == "voice":
        msg = IncomingMessage(
            kind=Kind.VOICE,
            dedup_key=dedup,
            text=_field(data, "Recognition"),
            media_id=_field(data, "MediaId"),
            **common,
        )
    elif msg_type == "image":
        msg = IncomingMessage(
            kind=Kind.IMAGE,
            dedup_key=dedup,
            media_id=_field(data, "MediaId"),
            image_url=_field(data, "PicUrl"),
            **common,
        )
    elif msg_type == "location":
        scale = _field(data, "Scale")
        loc = Location(
            _float(data, "Location_X"),
            _float(data, "Location_Y"),
            _field(data, "Label"),
            int(scale) if scale.isdigit() else None,
        )
        msg = IncomingMessage(kind=Kind.LOCATION, dedup_key=dedup, location=loc, **common)
    elif msg_type in ("video", "shortvideo"):
        msg = IncomingMessage(kind=Kind.VIDEO, dedup_key=dedup, media_id=_field(data, "MediaId"), **common)
    elif msg_type == "link":
        msg = IncomingMessage(kind=Kind.LINK, dedup_key=dedup, url=_field(data, "Url"), **common)
    else:
        msg = IncomingMessage(kind=Kind.UNKNOWN, dedup_key=dedup, **common)
    return msg, account


def escape_cdata(text: str) -> str:
    """wechatpy puts text in CDATA without escaping; ``]]>`` in user text would end it early."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def render_text(account: str, user: str, text: str, now: int) -> str:
    """A text reply, as wechatpy's ``TextReply(...).render()`` writes it (tests/unit/test_protocol.py)."""
    return (
        f"<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[{escape_cdata(text)}]]></Content>\n"
        f"<FromUserName><![CDATA[{account}]]></FromUserName>\n<ToUserName><![CDATA[{user}]]></ToUserName>\n"
        f"<CreateTime>{int(now)}</CreateTime>\n</xml>"
    )


def split_text(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """Chunks of at most ``limit`` UTF-8 bytes, cut at line ends where possible; nothing is dropped."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:  # a single over-long line: cut by characters
            room = limit - len(current.encode())
            head = _prefix_within(line, room) if room > 0 else ""
            if not head:
                chunks.append(current)
                current = ""
                continue
            chunks.append(current + head)
            current, line = "", line[len(head) :]
        if len((current + line).encode()) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current or not chunks:
        chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()] or [""]


def _prefix_within(text: str, budget: int) -> str:
    size = 0
    for i, ch in enumerate(text):
        size += len(ch.encode())
        if size > budget:
            return text[:i]
    return text
