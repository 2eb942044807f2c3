"""The listening sockets of our own (bot/serving.py): every waiting connection taken, on either loop."""

import asyncio
import socket
import threading
import urllib.request
from collections.abc import Iterator

import pytest
from aiohttp import web

from bot import serving
from bot.cli import event_loop
from bot.config import load_settings

LOOPS = ["asyncio", "uvloop"]


@pytest.fixture(params=LOOPS)
def loop(request: pytest.FixtureRequest) -> Iterator[asyncio.AbstractEventLoop]:
    made = event_loop(load_settings(environ={"EVENT_LOOP": request.param}))
    assert type(made).__module__.startswith(request.param)
    yield made
    if not made.is_closed():
        made.close()


def _rounds(loop: asyncio.AbstractEventLoop, n: int) -> None:
    for _ in range(n):  # a round: the loop runs what is ready, once
        loop.call_soon(loop.stop)
        loop.run_forever()


def test_every_waiting_connection_is_taken_within_a_few_rounds(loop: asyncio.AbstractEventLoop) -> None:
    # twenty connections opened at once (the kernel completes their handshakes); counted in rounds of the
    # loop, not seconds. uvloop's own create_server takes one a round (libuv/libuv#3696): 9 of 20 here.
    runner = web.AppRunner(web.Application())
    loop.run_until_complete(runner.setup())
    (sock,) = serving.listening_sockets("127.0.0.1", 0, backlog=128, reuse_port=False)
    site = serving.AcceptAllSite(runner, sock, backlog=128)
    loop.run_until_complete(site.start())
    clients = [socket.create_connection(("127.0.0.1", site.port)) for _ in range(20)]
    try:
        _rounds(loop, 5)
        assert runner.server is not None and len(runner.server.connections) == 20
    finally:
        for client in clients:
            client.close()
        loop.run_until_complete(runner.cleanup())
    assert sock.fileno() == -1  # the listening socket is closed with the site


def test_a_request_in_flight_is_answered_before_the_stop(loop: asyncio.AbstractEventLoop) -> None:
    started = threading.Event()

    async def slow(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(0.3)
        return web.Response(text="done")

    app = web.Application()
    app.router.add_get("/slow", slow)
    sockets = serving.listening_sockets("127.0.0.1", 0, backlog=16, reuse_port=False)
    port = sockets[0].getsockname()[1]
    answers: list[str] = []

    def client() -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/slow", timeout=5) as response:
            answers.append(response.read().decode())

    def stop_when_started() -> None:
        if not started.is_set():
            loop.call_later(0.01, stop_when_started)
            return
        raise web.GracefulExit()  # as the SIGTERM handler does

    thread = threading.Thread(target=client)
    thread.start()
    loop.call_soon(stop_when_started)
    serving.run(app, loop, sockets, backlog=16, shutdown_timeout=5)
    thread.join(5)
    assert answers == ["done"]
    assert loop.is_closed()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_listening_sockets_share_a_port_when_asked() -> None:
    first = serving.listening_sockets("127.0.0.1", 0, backlog=8, reuse_port=True)
    port = first[0].getsockname()[1]
    second = serving.listening_sockets("127.0.0.1", port, backlog=8, reuse_port=True)
    try:
        with pytest.raises(OSError):  # without SO_REUSEPORT the port is taken
            serving.listening_sockets("127.0.0.1", port, backlog=8, reuse_port=False)
        assert all(not s.getblocking() for s in first + second)
    finally:
        for sock in first + second:
            sock.close()
