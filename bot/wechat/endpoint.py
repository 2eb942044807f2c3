"""The Official Account callback: GET verification and POST messages, in every push mode.

Order of work for a POST: size cap, timestamp window, signature (or msg_signature and decrypt), parse,
dedup, then the conversation turn under WeChat's 5-second deadline. Every protocol failure is a 4xx
with a log line; a turn that overruns the deadline is answered ``success`` and its reply sent later
through the customer-service API.

Under overload the deadline is counted from the request's arrival, not from when its handler began: the
kernel's account of when the request's bytes arrived, or else the event loop's lag (how late it runs what is
due), is the time a request waited unseen. When the turns running reach ``MAX_TURNS``, or too little of the
deadline is left, the message is answered ``success`` at once and its turn queued (its reply goes out as a
customer-service message). The queue holds no more than ``TURN_BACKLOG`` turns, nor more than
``TURN_BACKLOG_SECONDS`` of work at the rate turns are finishing; past it the answer is 503 and WeChat
delivers the message again. So is it for a message that waited unseen longer than ``SHED_WAIT`` (the kernel
tells how long ago the request's bytes arrived: ``TCP_INFO``), and while the loop keeps running later than
``SHED_LAG``: every message then costs the loop more than it has, whether queued or answered, and only
refusing before the body is read (no decryption, no parsing) lets it catch up before the requests waiting
unseen pass WeChat's deadline. Refusing the stale ones keeps the wait near ``SHED_WAIT`` however many arrive
(the idea of CoDel: act on how long work waited, not on how much waits), and it sees the requests that waited
in the kernel's listen queue, which the loop's lag does not.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from aiohttp import web

import content
from bot.background import Background
from bot.config import Settings
from bot.httputil import TooLarge, read_limited, unseen_for
from bot.messages import IncomingMessage
from bot.metrics import Metrics
from bot.runtime import Conversations, TurnOutcome
from bot.wechat import protocol
from bot.wechat.protocol import ProtocolError
from storage.turns import DONE, LATE

log = logging.getLogger(__name__)

# (openid, key, text): record a message for the outbox to deliver; the key makes a second record a no-op
SendLater = Callable[[str, str, str], Awaitable[None]]

_POLL = 0.05
_MARK_LATE_LIMIT = 0.5  # seconds: WeChat's deadline is near
_TURN_LIMIT = 60.0  # seconds a turn that overran the deadline may still take
_MIN_BUDGET = 0.5  # seconds of the deadline a turn needs to be worth starting in the request
_SHED_LOG_EVERY = 1.0  # seconds between log lines about refused messages
_CATCH_UP_LIMIT = 10.0  # seconds a queued turn waits at most for the loop to catch up before it starts


class Overloaded(Exception):
    """The queue of waiting turns is full: WeChat should deliver the message again later."""


class LoopLag:
    """How late the event loop runs what is due, which is how long a request may have waited before its
    handler began. ``value`` rises at once and falls off gently; ``sustained`` is the least lateness of the
    last few rounds, high only when the loop is behind round after round (overload), not after one long
    step (a model loaded, a pause of the machine)."""

    def __init__(self, every: float = 0.05, rounds: int = 3, calm_below: float = 0.5) -> None:
        self.every = every
        self.value = 0.0
        self.calm_below = calm_below  # a sustained lag at most this is calm
        self._recent: deque[float] = deque(maxlen=rounds)
        self._task: asyncio.Task[None] | None = None
        self._calm = asyncio.Event()  # set while calm: what waits for it wakes once, not on every poll
        self._calm.set()

    @property
    def sustained(self) -> float:
        recent = self._recent
        return min(recent) if len(recent) == recent.maxlen else 0.0

    def ensure_running(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._watch(), name="loop-lag")

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.every)
            self.record(max(0.0, loop.time() - start - self.every))

    def record(self, late: float) -> None:
        """One round of the watch: how late it ran."""
        self.value = max(late, self.value * 0.8)
        self._recent.append(late)
        if self.sustained <= self.calm_below:
            self._calm.set()
        else:
            self._calm.clear()

    async def wait_calm(self, most: float) -> None:
        """Until the loop is calm again, ``most`` seconds at the longest."""
        if self._calm.is_set():
            return
        try:
            async with asyncio.timeout(most):
                await self._calm.wait()
        except TimeoutError:
            pass

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None


class Throughput:
    """Turns finished per second over the last ``window`` seconds (or since the first of them, when that
    is sooner: a burst after a quiet spell is measured from its start)."""

    def __init__(self, window: float = 5.0) -> None:
        self.window = window
        self._done: deque[float] = deque()

    def note(self, now: float) -> None:
        self._done.append(now)
        self._trim(now)

    def rate(self, now: float) -> float:
        self._trim(now)
        if not self._done:
            return 0.0
        span = min(self.window, max(0.5, now - self._done[0]))
        return len(self._done) / span

    def _trim(self, now: float) -> None:
        done, since = self._done, now - self.window
        while done and done[0] < since:
            done.popleft()


class WeChatEndpoint:
    def __init__(
        self,
        settings: Settings,
        conversations: Conversations,
        send_later: SendLater,
        background: Background,
        clock: Callable[[], float] = time.time,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.conversations = conversations
        self.send_later = send_later
        self.background = background
        self.clock = clock
        self.crypto = (
            protocol.SafeMode(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
            if settings.safe_mode
            else None
        )
        self.lag = LoopLag(calm_below=settings.shed_lag / 2)
        self.turn_limit = _TURN_LIMIT  # seconds a turn answered `success` may still take
        self._slots = asyncio.Semaphore(max(1, settings.max_turns))
        self._queued: set[str] = set()  # dedup keys of the turns waiting for a slot
        self.finished = Throughput()  # turns finished, for the queue's bound in seconds of work
        self._shed, self._shed_logged = 0, -_SHED_LOG_EVERY  # refused since the last log line, and when

    def close(self) -> None:
        self.lag.stop()

    # -- GET: server verification -------------------------------------------------------------------
    async def verify(self, request: web.Request) -> web.Response:
        q = request.query
        try:
            protocol.check_signature(
                self.settings.wechat_token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", "")
            )
        except ProtocolError as exc:
            return self._refuse(exc, request)
        echostr = q.get("echostr", "")
        if not echostr:
            return self._refuse(ProtocolError(400, "missing echostr"), request)
        return web.Response(text=echostr)

    # -- POST: messages and events ------------------------------------------------------------------
    async def receive(self, request: web.Request) -> web.Response:
        self.lag.ensure_running()
        waited = unseen_for(request)  # as the kernel tells; else the loop's lag is the best guess
        arrived = time.monotonic() - max(self.lag.value, waited or 0.0)  # when it reached us
        try:
            # refused before any decryption or parsing: shedding must cost little
            if self._shedding() or (waited is not None and waited > self.settings.shed_wait):
                self._check_query(request)
                raise Overloaded
            body = await self._read_body(request)
            msg, account = self._open(body, request)
            text = await self._answer(msg, arrived)
        except ProtocolError as exc:
            return self._refuse(exc, request)
        except Overloaded:
            self.metrics.shed.inc()
            self._note_shed()
            return web.Response(status=503, headers={"Retry-After": "5"})
        return self._respond(text, msg, account, request)

    def _shedding(self) -> bool:
        """Refuse whatever comes now: the loop has been behind for several rounds, or no turn slot is free
        and the queue is full (any message would be refused after its body was read)."""
        if self.lag.sustained > self.settings.shed_lag:
            return True
        return self._slots.locked() and len(self._queued) >= self.backlog_limit()

    def backlog_limit(self) -> int:
        """How many turns may wait: ``TURN_BACKLOG`` at most, and no more than ``TURN_BACKLOG_SECONDS`` of
        work at the rate turns are finishing now, though always as many as run at once (a rate not yet
        known, or turns stuck on a dead store, still leave a queue that one round of slots drains)."""
        settings = self.settings
        if settings.turn_backlog_seconds <= 0:
            return settings.turn_backlog
        by_rate = int(self.finished.rate(time.monotonic()) * settings.turn_backlog_seconds)
        return min(settings.turn_backlog, max(settings.max_turns, by_rate))

    def _check_query(self, request: web.Request) -> None:
        """The query string's timestamp and signature (no body needed): a 503 only for WeChat."""
        q = request.query
        protocol.check_timestamp(q.get("timestamp", ""), self.clock(), self.settings.timestamp_window)
        if self.crypto is None or "signature" in q:
            protocol.check_signature(
                self.settings.wechat_token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", "")
            )

    def _note_shed(self) -> None:
        """Count a refused message; logged once a second with the count, never a line per message (under
        overload, a line per refusal took 8% of the process)."""
        self._shed += 1
        now = time.monotonic()
        if now - self._shed_logged >= _SHED_LOG_EVERY:
            log.warning("overloaded: messages left for WeChat to deliver again", extra={"count": self._shed})
            self._shed, self._shed_logged = 0, now

    async def _read_body(self, request: web.Request) -> bytes:
        try:
            body = await read_limited(request, self.settings.max_body_bytes)
        except TooLarge:
            raise ProtocolError(413, "body too large") from None
        if not body:
            raise ProtocolError(400, "empty body")
        return body

    def _open(self, body: bytes, request: web.Request) -> tuple[IncomingMessage, str]:
        q = request.query
        settings = self.settings
        protocol.check_timestamp(q.get("timestamp", ""), self.clock(), settings.timestamp_window)
        if self.crypto is not None:
            if q.get("encrypt_type", "raw") != "aes":
                raise ProtocolError(403, "plaintext refused in safe mode")
            if "signature" in q:
                protocol.check_signature(
                    settings.wechat_token, q["signature"], q["timestamp"], q.get("nonce", "")
                )
            xml = self.crypto.decrypt(body, q)
        else:
            protocol.check_signature(
                settings.wechat_token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", "")
            )
            # Compatible mode without our key: the body carries the plaintext fields beside Encrypt.
            try:
                xml = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "body is not UTF-8") from None
        return protocol.parse(xml)

    async def _answer(self, msg: IncomingMessage, arrived: float) -> str | None:
        """The reply text for a passive answer, or None for ``success`` (nothing now, or sent later)."""
        started = time.monotonic()
        budget = self.settings.reply_deadline - (started - arrived)
        if budget < min(_MIN_BUDGET, self.settings.reply_deadline / 2) or self._slots.locked():
            self._queue(msg, arrived)
            return None
        await self._slots.acquire()  # free: not locked, and nothing awaited since
        task = self.background.spawn(self._turn(msg, arrived), name=f"turn:{msg.dedup_key}")
        task.add_done_callback(lambda _: self._slots.release())
        done, _ = await asyncio.wait({task}, timeout=budget)
        if task not in done:
            log.warning("reply deadline passed, answering later", extra={"kind": msg.kind.value})
            self.metrics.late("deadline")

            def late(done: asyncio.Task[TurnOutcome | None]) -> None:
                self._late(msg, done)

            task.add_done_callback(late)
            # a turn stuck on a dead store or database is given up after a while, not kept forever; the
            # resident is then told, as for a queued turn given up, rather than never answered
            watchdog = asyncio.get_running_loop().call_later(self.turn_limit, self._give_up, msg, task, late)
            task.add_done_callback(lambda _: watchdog.cancel())
            try:
                async with asyncio.timeout(_MARK_LATE_LIMIT):
                    await self.conversations.turns.mark_late(msg.user, msg.dedup_key)
            except Exception:
                log.exception("could not mark a late turn; a retry may wait for it")
            return None
        outcome = task.result()
        if outcome is None:  # the turn could not even start (e.g. the store is down)
            return failed_turn_text()
        if outcome.duplicate:
            return await self._await_first(msg, outcome.previous, started)
        chunks = protocol.split_text(outcome.reply.text) if outcome.reply else []
        if len(chunks) > 1:
            self.background.spawn(self._send_all(msg, chunks[1:], first=2), name="reply-rest")
        return chunks[0] if chunks else None

    def _queue(self, msg: IncomingMessage, arrived: float) -> None:
        """Answer ``success`` now and run the turn when a slot is free; its reply goes out later."""
        if msg.dedup_key in self._queued:
            return  # WeChat's retry of a message already waiting here
        if len(self._queued) >= self.backlog_limit():
            raise Overloaded
        self._queued.add(msg.dedup_key)
        self.metrics.late("queued")
        self.background.spawn(self._queued_turn(msg, arrived), name=f"queued:{msg.dedup_key}")

    async def _queued_turn(self, msg: IncomingMessage, arrived: float) -> None:
        outcome: TurnOutcome | None = None  # given up: the resident is told to try again, not left waiting
        try:
            await self._loop_caught_up()
            async with self._slots:
                try:
                    outcome = await asyncio.wait_for(self._turn(msg, arrived, late=True), self.turn_limit)
                except TimeoutError:
                    log.warning("a queued turn was given up", extra={"kind": msg.kind.value})
        except asyncio.CancelledError:
            # shutting down before its turn came: WeChat was answered `success`, so say it was lost
            log.warning("a queued message was dropped at shutdown", extra={"user": msg.user})
            raise
        finally:
            self._queued.discard(msg.dedup_key)
        self._reply_later(msg, outcome)

    async def _loop_caught_up(self) -> None:
        """Wait while the loop runs late round after round: a queued turn's resident has had ``success``
        and can wait a moment, while every request waiting unseen has its deadline running, and each turn
        running at once lengthens every round of the loop. Bounded: a queued turn starts within a while."""
        await self.lag.wait_calm(_CATCH_UP_LIMIT)

    async def _turn(self, msg: IncomingMessage, arrived: float, late: bool = False) -> TurnOutcome | None:
        """The turn, timed from the message's arrival (a repeated delivery is no turn of its own)."""
        outcome: TurnOutcome | None = None
        try:
            outcome = await self.conversations.turn(msg, late=late)
            return outcome
        except Exception:
            log.exception("conversation turn failed", extra={"kind": msg.kind.value})
            return None
        finally:
            self.finished.note(time.monotonic())
            if outcome is None or not outcome.duplicate:
                self.metrics.turn(arrived)

    def _late(self, msg: IncomingMessage, task: asyncio.Task[TurnOutcome | None]) -> None:
        if not task.cancelled():  # cancelled: at shutdown (or given up, answered by _give_up)
            self._reply_later(msg, task.result())

    def _give_up(
        self,
        msg: IncomingMessage,
        task: asyncio.Task[TurnOutcome | None],
        late: Callable[[asyncio.Task[TurnOutcome | None]], None],
    ) -> None:
        """A turn answered ``success`` that ran past the turn limit: stopped, and the resident told."""
        log.warning("a late turn was given up", extra={"kind": msg.kind.value})
        task.remove_done_callback(late)
        task.cancel()
        self._reply_later(msg, None)

    def _reply_later(self, msg: IncomingMessage, outcome: TurnOutcome | None) -> None:
        """The reply of a turn WeChat was answered ``success`` for, handed to the outbox."""
        if outcome is None:
            text = failed_turn_text()
        elif outcome.duplicate:
            return
        else:
            text = outcome.reply.text
        if text:
            self.background.spawn(self._send_all(msg, protocol.split_text(text), first=1), name="late-reply")

    async def _send_all(self, msg: IncomingMessage, chunks: list[str], first: int) -> None:
        """Hand reply parts to the outbox (customer-service messages), numbered from ``first``."""
        try:
            for number, chunk in enumerate(chunks, start=first):
                await self.send_later(msg.user, f"reply:{msg.dedup_key}:{number}", chunk)
        except Exception:
            log.exception("could not record a reply for the outbox")

    async def _await_first(self, msg: IncomingMessage, previous: str | None, started: float) -> str | None:
        """A repeated delivery: answer what the first delivery answered (its first part), or ``success``."""
        deadline = started + self.settings.reply_deadline
        value = previous
        while True:
            if value is None or value == LATE:
                return None
            if value.startswith(DONE):
                text = value[len(DONE) :]
                return protocol.split_text(text)[0] if text else None
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(_POLL)
            value = await self.conversations.turns.outcome(msg.user, msg.dedup_key)

    def _respond(
        self, text: str | None, msg: IncomingMessage, account: str, request: web.Request
    ) -> web.Response:
        if not text:
            return web.Response(text="success")
        now = int(self.clock())
        xml = protocol.render_text(account, msg.user, text, now)
        if self.crypto is not None:
            xml = self.crypto.encrypt(xml, request.query.get("nonce", ""), str(now))
        return web.Response(text=xml, content_type="application/xml")

    @staticmethod
    def _refuse(exc: ProtocolError, request: web.Request) -> web.Response:
        log.warning(
            "wechat request refused",
            extra={"status": exc.status, "reason": exc.reason, "peer": request.remote or "-"},
        )
        return web.Response(status=exc.status, text=exc.reason)


def failed_turn_text() -> str:
    return content.text("common.error")
