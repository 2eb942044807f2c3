"""Serving the app on listening sockets of our own, accepting every waiting connection each time.

aiohttp's sites listen through ``loop.create_server``, so how new connections are accepted is the loop's
choice. asyncio's loop accepts every waiting connection (up to the backlog) when the socket is ready; uvloop
takes one a round of the loop (libuv/libuv#3696), so under a storm of new connections their first requests
wait in the kernel for seconds while the loop is busy. ``AcceptAllSite`` watches the listening socket itself
and accepts in batches, handing each connection to ``loop.connect_accepted_socket``: the accepting is the
same on both loops, and uvloop's faster transports serve the connections.

``run`` is ``aiohttp.web.run_app``'s life cycle for such sites: start, serve until ``GracefulExit``, then the
runner's graceful stop (in-flight requests finish within the shutdown timeout) and the loop's own cleanup.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import logging
import socket
from collections.abc import Iterable

from aiohttp import web

log = logging.getLogger("community_bot")

# accept() failures that mean "no resource now", not "no listener": asyncio's loop pauses accepting for a
# second on these (base_events' ACCEPT_RETRY_DELAY) rather than spinning on a socket that stays ready
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
ACCEPT_RETRY_DELAY = 1.0


def listening_sockets(host: str, port: int, *, backlog: int, reuse_port: bool) -> list[socket.socket]:
    """Bound, listening, non-blocking sockets for ``host`` (every address it resolves to), as asyncio's
    ``create_server`` makes them: SO_REUSEADDR, IPv6 sockets IPv6-only, SO_REUSEPORT when asked."""
    infos = socket.getaddrinfo(
        host or None, port, family=socket.AF_UNSPEC, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    sockets: list[socket.socket] = []
    seen: set[tuple[int, object]] = set()
    try:
        for family, kind, proto, _, address in infos:
            if (family, address) in seen:
                continue
            seen.add((family, address))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(backlog)
            sock.setblocking(False)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class AcceptAllSite(web.BaseSite):
    """A site on a listening socket of our own: each time it is ready, every waiting connection (up to the
    backlog) is accepted and handed to the loop as a connection of the runner's server."""

    __slots__ = ("_handshakes", "_loop", "_paused", "_sock")

    def __init__(self, runner: web.BaseRunner, sock: socket.socket, *, backlog: int = 128) -> None:
        super().__init__(runner, backlog=backlog)
        self._sock = sock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handshakes: set[asyncio.Task[object]] = set()
        self._paused: asyncio.TimerHandle | None = None

    @property
    def name(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    async def start(self) -> None:
        await super().start()
        self._loop = asyncio.get_running_loop()
        self._watch()

    def _watch(self) -> None:
        self._paused = None
        assert self._loop is not None
        self._loop.add_reader(self._sock.fileno(), self._accept_waiting)

    def _accept_waiting(self) -> None:
        server = self._runner.server
        loop = self._loop
        assert loop is not None
        if server is None:  # the runner is stopping
            return
        for _ in range(self._backlog):
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return  # none left waiting
            except OSError as exc:
                if exc.errno in _OUT_OF_RESOURCES:
                    log.error("cannot accept connections now; pausing", extra={"error": str(exc)})
                    loop.remove_reader(self._sock.fileno())
                    self._paused = loop.call_later(ACCEPT_RETRY_DELAY, self._watch)
                    return
                # the connection went before it was taken (ECONNABORTED and the like): take the next
                continue
            conn.setblocking(False)
            with contextlib.suppress(OSError):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            task: asyncio.Task[object] = loop.create_task(loop.connect_accepted_socket(server, conn))
            self._handshakes.add(task)
            task.add_done_callback(functools.partial(self._handed_over, conn))

    def _handed_over(self, conn: socket.socket, task: asyncio.Task[object]) -> None:
        self._handshakes.discard(task)
        if task.cancelled() or task.exception() is not None:  # never served: not left open
            conn.close()
            if not task.cancelled():
                log.warning("an accepted connection could not be served", exc_info=task.exception())

    async def stop(self) -> None:
        """Stop accepting (connections already accepted are the runner's to finish) and close the socket."""
        self._runner._check_site(self)
        if self._paused is not None:
            self._paused.cancel()
        if self._loop is not None:
            self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        self._runner._unreg_site(self)


def run(
    app: web.Application,
    loop: asyncio.AbstractEventLoop,
    sockets: Iterable[socket.socket],
    *,
    backlog: int,
    shutdown_timeout: float,
) -> None:
    """Serve ``app`` on ``sockets`` until ``web.GracefulExit`` (raised by a signal handler the caller set)
    or KeyboardInterrupt; then stop gracefully and close the loop, as ``web.run_app`` does."""
    runner = web.AppRunner(
        app, handle_signals=False, access_log=None, shutdown_timeout=shutdown_timeout, keepalive_timeout=75.0
    )

    async def serve() -> None:
        await runner.setup()
        try:
            for sock in sockets:
                await AcceptAllSite(runner, sock, backlog=backlog).start()
            await asyncio.Event().wait()  # until GracefulExit is raised into the loop
        finally:
            await runner.cleanup()

    asyncio.set_event_loop(loop)
    main = loop.create_task(serve())
    try:
        loop.run_until_complete(main)
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            if not main.done():  # done: it raised while starting, and that is already on its way out
                main.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    loop.run_until_complete(main)  # the graceful stop in serve()'s finally
            _cancel_rest(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def _cancel_rest(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what still runs after the graceful stop and let it finish (run_app's ``_cancel_tasks``)."""
    tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )
