"""The floor: a bare aiohttp + wechatpy endpoint that verifies, decrypts, parses, renders and encrypts.

No dedup, no state, no database: the least any safe-mode WeChat bot must do per message.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
import time

from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply


def build(token: str, aes_key: str, appid: str) -> web.Application:
    crypto = WeChatCrypto(token, aes_key, appid)

    async def handle(request: web.Request) -> web.Response:
        q = request.query
        expected = hashlib.sha1("".join(sorted([token, q["timestamp"], q["nonce"]])).encode()).hexdigest()
        if not hmac.compare_digest(expected, q.get("signature", "")):
            return web.Response(status=403)
        xml = crypto.decrypt_message(await request.read(), q["msg_signature"], q["timestamp"], q["nonce"])
        msg = parse_message(xml)
        reply = TextReply(message=msg, content="收到：" + getattr(msg, "content", "")).render()
        return web.Response(text=crypto.encrypt_message(reply, q["nonce"], str(int(time.time()))))

    app = web.Application()
    app.router.add_post("/wechat", handle)
    return app


if __name__ == "__main__":
    token, aes_key, appid, port = sys.argv[1:5]
    try:  # the same event loop as the bot's server, so the floor stays a floor
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:
        import asyncio

        loop = asyncio.new_event_loop()
    web.run_app(
        build(token, aes_key, appid), host="127.0.0.1", port=int(port), print=None, access_log=None, loop=loop
    )
