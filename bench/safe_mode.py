"""Requests as WeChat sends them in safe mode, signed and AES-encrypted before the clock starts.

Each message becomes one line ``key<TAB>path?query<TAB>body`` (``key`` is its MsgId, which the bot's dedup
and its outbox keys are made of); a load of many connections is one file per connection
(``conn-0000.req`` ...), read by bench/wechat.lua, which sends a connection's lines in order: the turns of
one resident, kept on one connection, are sequential.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlencode

from wechatpy.crypto import PrpCrypto, WeChatCrypto

TOKEN, APPID = "bench-token", "wxbench000000000"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SECRET = "test-secret"  # what tests/fake_wechat_api.py accepts
ACCOUNT = "gh_bench"
PATH = "/wechat"

# MsgIds unique across runs (the bot's dedup key is the MsgId alone, as WeChat's are unique): milliseconds
# since the epoch times a million, then a counter; still within WeChat's 64 bits.
_msg_ids = itertools.count(int(time.time() * 1000) * 1_000_000)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class Signer:
    def __init__(self) -> None:
        self.prp = PrpCrypto(WeChatCrypto(TOKEN, AES_KEY, APPID).key)

    def line(self, user: str, text: str) -> str:
        """One text message from ``user``, as a request line; a fresh MsgId each time."""
        msg_id = next(_msg_ids)
        ts = str(int(time.time()))
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{user}]]>"
            f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        nonce = secrets.token_hex(4)
        encrypted = self.prp.encrypt(xml, APPID).decode()
        query = {
            "signature": sign(TOKEN, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": sign(TOKEN, ts, nonce, encrypted),
            "openid": user,
        }
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
        return f"{msg_id}\t{PATH}?{urlencode(query)}\t{body}"


Turns = Sequence[tuple[str, str]]  # (openid, text) in the order one connection sends them


def conversations(
    residents: Sequence[str], script: Sequence[str], connections: int
) -> list[list[tuple[str, str]]]:
    """Each resident says the whole ``script`` in order, on the connection that owns them (resident i on
    connection i mod ``connections``), one resident after the other: however early the clock stops a
    connection, what it sent is whole scripts."""
    return [
        [(user, text) for user in residents[conn::connections] for text in script]
        for conn in range(connections)
    ]


def write_load(directory: Path, plans: Iterable[Turns]) -> int:
    """Sign and write one request file per connection; returns the number of messages."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("conn-*.req"):
        old.unlink()
    signer = Signer()
    total = 0
    for conn, plan in enumerate(plans):
        lines = [signer.line(user, text) for user, text in plan]
        (directory / f"conn-{conn:04d}.req").write_text("\n".join(lines) + "\n", encoding="utf-8")
        total += len(lines)
    return total
