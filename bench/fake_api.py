"""The tests' fake WeChat API (tests/fake_wechat_api.py) as a process of its own, for the benchmark.

The bot's WECHAT_API_BASE points here (never at WeChat); ``GET /counters`` says what it received: the
customer-service messages by recipient, for the overload run's accounting.

    python bench/fake_api.py PORT
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_wechat_api import FakeWeChatAPI

SEND = "/cgi-bin/message/custom/send"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build() -> web.Application:
    fake = FakeWeChatAPI()
    app = fake.app()
    sent_at: list[float] = []  # when each customer-service message arrived (wall clock)

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == SEND:
            sent_at.append(time.time())
        return await handler(request)

    app.middlewares.append(timed)

    async def counters(_request: web.Request) -> web.Response:
        sends = fake.of(SEND)
        by_user = Counter(str(call.body.get("touser", "")) for call in sends)
        paths = Counter(call.path for call in fake.calls)
        return web.json_response(
            {"custom_send": len(sends), "by_user": by_user, "paths": paths, "sent_at": sent_at}
        )

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/counters", counters)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(build(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
