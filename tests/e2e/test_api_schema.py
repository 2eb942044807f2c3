"""The OpenAPI document against the live app, checked by schemathesis: no 5xx, every response as documented.

The app runs for real (its own thread and event loop, a TCP port on loopback) with the fake WeChat API beside
it; schemathesis generates requests from /api/v1/openapi.json, valid and invalid, as a committee member.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from bot.api.server import SERVICES
from bot.api.sessions import create_session
from bot.app import init_app
from bot.config import Settings
from storage import demo
from storage.models import Person
from tests.conftest import REDIS_URL, empty_tables
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import APPID, TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveApp:
    base_url: str
    token: str


@pytest.fixture
def live_app(database_url: str) -> Iterator[LiveApp]:
    port, api_port = free_port(), free_port()
    ready = threading.Event()
    box: dict[str, object] = {}
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        fake = FakeWeChatAPI()
        api_runner = web.AppRunner(fake.app())
        await api_runner.setup()
        await web.TCPSite(api_runner, "127.0.0.1", api_port).start()
        app = init_app(
            Settings(
                wechat_token=TOKEN,
                wechat_appid=APPID,
                wechat_secret="test-secret",
                wechat_mp_appid="wxmp",
                wechat_mp_secret="mp-secret",
                wechat_api_base=f"http://127.0.0.1:{api_port}",
                database_url=database_url,
                redis_url=REDIS_URL,
                redis_prefix="cbtest:schema:",
                api_rate_limit=100_000,
                api_login_rate_limit=100_000,
            ),
            prepare=False,
            seed_demo=False,
        )
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            await empty_tables(database_url)
            await demo.seed_demo()
            boss = await Person.get(openid="demo-committee")
            box["token"] = await create_session(app[SERVICES].store, boss.id, 3600)
        except Exception as exc:  # let the test see why setting up failed
            box["error"] = exc
        ready.set()
        await stop.wait()
        await runner.cleanup()
        await api_runner.cleanup()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    assert ready.wait(60), "the app did not start"
    try:
        # a failed set-up stops the app too: left running, its outbox worker would take later tests' rows
        if "error" in box:
            raise AssertionError("setting up the live app failed") from box["error"]  # type: ignore[arg-type]
        yield LiveApp(f"http://127.0.0.1:{port}", str(box["token"]))
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


# A request the document calls well formed is never a 400: the document says every limit the server
# checks (integer bounds, text without control characters, lengths after the spaces around are stripped).
# It may still break a rule no schema can say (a building that does not exist, a closed consultation,
# something already done): a documented 422 or 409, or the 404 / 403 of a thing that is not the caller's;
# or a 429 where a limit is the rule (five wrong link codes hold an identity back, whatever their shape).
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429"]
CHECKS = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_behaves_as_documented(live_app: LiveApp, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{live_app.base_url}/api/v1/openapi.json", config=CHECKS)
    headers = {"Authorization": f"Bearer {live_app.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @settings(
            max_examples=15,  # per operation and mode: 25 cost about 10 s more a run
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            # A negative case may be about the headers themselves (no Authorization): then send it as made.
            header_negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
            response = case.call(base_url=live_app.base_url, headers=None if header_negative else headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            case.validate_response(response)  # every check schemathesis has ("--checks all")

        check()
