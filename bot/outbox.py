"""Delivering the outbox (``storage.models.Notification``): never lost, never twice, the urgent first.

A worker reserves a batch of due notifications, most urgent first (``priority``: an urgent notice before
everything else waiting, a routine notice to thousands after a single resident's news), with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL so that workers reserving at once get different rows; then takes
each one from ``pending`` to ``sending`` with a conditional update just before sending it, so any number
of workers in any number of processes never send the same one twice. A batch is delivered a few at a time
(``concurrency``) under a per-account rate (a token bucket in the shared store, so it holds across
workers). Within WeChat's 48-hour window a customer-service message is sent; outside it (or when WeChat
says the window is closed) the template message configured in content/notifications.yaml. WeChat failures
and time-outs are retried with exponential backoff (at most half an hour apart) for a day, so that an
outage of WeChat's API loses nothing; a notification WeChat refuses for good is recorded as
undeliverable, one that keeps failing past the day as failed (``community-bot outbox retry`` queues failed
ones again). A send that may have reached WeChat without an answer (a time-out after sending) is recorded
as ``unknown`` and not sent again, and so is a ``sending`` row a dead worker left behind once its claim
expires: WeChat has no idempotency key, so sending again could send twice. What a dead worker had only
reserved was never sent: its reservation lapses and another worker sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tortoise.exceptions import OperationalError

import content
from bot.metrics import Metrics
from bot.wechat.client import NO_ANSWER, WeChatAPIError, WeChatClient
from storage import outbox
from storage.kv import Store
from storage.models import Notification, NotificationStatus, Person

log = logging.getLogger(__name__)

SERVICE_WINDOW = dt.timedelta(hours=48)
CLAIM_FOR = dt.timedelta(minutes=2)
GIVE_UP_AFTER = dt.timedelta(hours=24)  # retried this long after it was recorded
MAX_DELAY = 1800.0  # seconds between attempts, at most
WINDOW_CLOSED = {45015, 45047}  # out of the 48-hour window / out of the customer-service message quota
REFUSED_FOR_GOOD = {40003, 43004, 43019, 40037, 47003}  # bad openid, unfollowed, blocked, bad template, data


class Undeliverable(Exception):
    pass


def log_round_failure(message: str, exc: Exception, **extra: object) -> None:
    """A round that failed is done again at the next one. SQLite's "database is locked", when several
    workers share one file and write at once, is that and nothing more: a warning; anything else, with
    its traceback."""
    if isinstance(exc, OperationalError) and "database is locked" in str(exc):
        log.warning(f"{message}: the database was busy; done again later", extra=extra)
    else:
        log.exception(message, extra=extra)


class OutboxWorker:
    def __init__(
        self,
        client: WeChatClient,
        clock: Callable[[], dt.datetime],
        *,
        batch: int = 20,
        poll: float = 1.0,
        max_attempts: int | None = None,
        base_delay: float = 10.0,
        give_up_after: dt.timedelta = GIVE_UP_AFTER,
        templates: dict[str, Any] | None = None,
        concurrency: int = 4,
        rate: float = 0.0,
        burst: float = 0.0,
        store: Store | None = None,
        claim_for: dt.timedelta = CLAIM_FOR,
        feeds: Sequence[Callable[[dt.datetime], Awaitable[int]]] = (),
        metrics: Metrics | None = None,
    ) -> None:
        """``templates``: the template messages by key (default: content/notifications.yaml). ``rate``:
        sends a second for the account at most, in bursts of ``burst``, counted in ``store`` (shared by
        every worker; 0: no limit). ``concurrency``: sends in flight at once in this worker. ``feeds``:
        what turns waiting work into outbox rows (a notice's audience, a batch at a time), called each
        round before the batch is reserved (``bot.feature.Feed``)."""
        self.client = client
        self.templates = (
            templates if templates is not None else content.load_yaml("notifications.yaml")["templates"]
        )
        self.clock = clock
        self.batch = batch
        self.poll = poll
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.give_up_after = give_up_after
        self.concurrency = max(1, concurrency)
        self.rate = rate
        self.burst = max(1.0, burst or rate)
        self.store = store
        self.claim_for = claim_for
        self.feeds = tuple(feeds)
        self.metrics = metrics or Metrics()  # deliveries by result
        self.name = f"{socket.gethostname()[:16]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:32]
        self._wake = asyncio.Event()
        self._stop: asyncio.Event | None = None

    def wake(self) -> None:
        """Something was just recorded in this process: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; the notifications in hand are always finished first (and what was
        only reserved is given back)."""
        self._stop = stop
        feeding = asyncio.ensure_future(self._feed_loop(stop)) if self.feeds else None
        while not stop.is_set():
            try:
                handled = await self._deliver_batch()
            except Exception as exc:
                log_round_failure("outbox round failed", exc)
                handled = 0
            if handled:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
        if feeding is not None:
            await feeding

    async def _feed_loop(self, stop: asyncio.Event) -> None:
        """The feeds, beside the sending (not held back by the account's rate): a batch at a time while
        there is work, then every ``poll`` seconds; each batch fed wakes the sending."""
        while not stop.is_set():
            if await self._feed():
                self._wake.set()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll)

    async def last_round(self) -> int:
        """After ``run`` has stopped: one more whole round for what was recorded meanwhile (the late replies
        of the turns finished at shutdown), sent rather than given back. Never beside ``run``: both would
        reserve under this worker's name, and ``run`` gives back what it holds when it stops."""
        self._stop = None
        return await self.run_once()

    async def run_once(self) -> int:
        """One round: a step of each feed (a batch of a notice's audience into outbox rows), give up on
        abandoned claims, then deliver a batch of what is due, most urgent first, ``concurrency`` at a
        time. Returns how many were handled (rows fed and notifications sent)."""
        fed = await self._feed()
        return fed + await self._deliver_batch()

    async def _feed(self) -> int:
        fed = 0
        for feed in self.feeds:
            try:
                fed += await feed(self.clock())
            except (
                Exception
            ) as exc:  # a feed that fails leaves the sending alone; its work waits for the next round
                log_round_failure("outbox feed failed", exc, feed=getattr(feed, "__name__", "?"))
        return fed

    async def _deliver_batch(self) -> int:
        now = self.clock()
        abandoned = await Notification.filter(status=NotificationStatus.SENDING, locked_until__lt=now).update(
            status=NotificationStatus.UNKNOWN, last_error="a worker stopped while sending: not sent again"
        )
        self.metrics.delivered("unknown", count=abandoned)
        reserved = await outbox.reserve(now, self.batch, now + self.claim_for, self.name)
        if not reserved:
            return 0
        people = {p.id: p for p in await Person.filter(id__in={n.person_id for n in reserved})}
        handled = 0
        queue = list(reserved)
        while queue:
            if self._stop is not None and self._stop.is_set():
                await outbox.release([n.id for n in queue], self.name)
                break
            allowed = await self._tokens(min(self.concurrency, len(queue)))
            handled += await self._wave(queue[:allowed], people)
            queue = queue[allowed:]
        return handled

    async def _wave(self, notes: list[Notification], people: dict[int, Person]) -> int:
        """Claim a few, send them at once, record the sent ones together (the others one by one). One
        person's are sent one after another, oldest first: the parts of a long reply arrive in order."""
        moment = self.clock()
        mine = await outbox.claim([n.id for n in notes], self.name, moment, moment + self.claim_for)
        claimed = sorted((n for n in notes if n.id in mine), key=lambda n: n.id)
        by_person: dict[int, list[Notification]] = {}
        for note in claimed:
            by_person.setdefault(note.person_id, []).append(note)

        async def in_order(theirs: list[Notification]) -> list[str | None]:
            return [await self._deliver(n, people.get(n.person_id)) for n in theirs]

        sent_by_person = await asyncio.gather(*(in_order(theirs) for theirs in by_person.values()))
        channels = {
            n.id: channel
            for theirs, results in zip(by_person.values(), sent_by_person, strict=True)
            for n, channel in zip(theirs, results, strict=True)
        }
        by_channel: dict[str, list[int]] = {}
        for note, channel in ((n, channels[n.id]) for n in claimed):
            if channel:
                by_channel.setdefault(channel, []).append(note.id)
        await outbox.sent(by_channel, self.name, self.clock())
        for channel, ids in by_channel.items():
            self.metrics.delivered("sent", channel, len(ids))
        return len(claimed)

    async def _tokens(self, wanted: int) -> int:
        """How many of ``wanted`` sends the account's rate allows now (at least one: it waits for that
        one). The tokens are counted in the shared store, so the rate holds across every worker."""
        if self.rate <= 0 or self.store is None:
            return wanted
        bucket = f"outbox:rate:{self.client.appid}"
        while True:
            allowed = 0
            try:
                while (
                    allowed < wanted
                    and (wait := await self.store.take_token(bucket, self.rate, self.burst)) == 0
                ):
                    allowed += 1
            except Exception:  # the shared store is away: one send at a time rather than none
                log.warning("the outbox's rate could not be counted", exc_info=True)
                return max(allowed, 1)
            if allowed:
                return allowed
            await asyncio.sleep(min(wait, 1.0))

    async def _deliver(self, note: Notification, person: Person | None) -> str | None:
        """Send one claimed notification; the channel when it was sent (recorded by the caller with the
        others of its wave), None when it was not (recorded here: retried, failed, unknown...)."""
        attempts = note.attempts + 1
        try:
            if person is None:
                raise Undeliverable("the person is gone")
            channel = await self._send(note, person)
        except Undeliverable as exc:
            await self._finish(note, NotificationStatus.UNDELIVERABLE, attempts, error=str(exc))
        except WeChatAPIError as exc:
            now = self.clock()
            delay = dt.timedelta(seconds=self._delay(attempts))
            waited = dt.timedelta(seconds=sum(self._delay(n) for n in range(1, attempts)))
            if exc.errcode in REFUSED_FOR_GOOD:
                await self._finish(note, NotificationStatus.UNDELIVERABLE, attempts, error=str(exc))
            elif exc.errcode == NO_ANSWER:  # WeChat may have it: never sent a second time blindly
                await self._finish(
                    note, NotificationStatus.UNKNOWN, attempts, error=f"no answer, may be delivered: {exc}"
                )
            elif (self.max_attempts is not None and attempts >= self.max_attempts) or (
                waited + delay > self.give_up_after  # retried for a day since the first attempt
            ):
                await self._finish(note, NotificationStatus.FAILED, attempts, error=str(exc))
            else:
                await Notification.filter(id=note.id).update(
                    status=NotificationStatus.PENDING,
                    attempts=attempts,
                    next_attempt_at=now + delay,
                    locked_until=None,
                    last_error=str(exc),
                )
                self.metrics.delivered("retry")
                log.warning(
                    "notification will be retried", extra={"notification": note.id, "attempts": attempts}
                )
        else:
            return channel
        return None

    def _delay(self, attempts: int) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones: doubling, at most MAX_DELAY."""
        return min(MAX_DELAY, self.base_delay * 2 ** min(attempts - 1, 20))

    async def _send(self, note: Notification, person: Person) -> str:
        if not person.openid:
            raise Undeliverable("the person does not follow the Official Account")
        last = person.last_message_at
        if last is not None and self.clock() - last < SERVICE_WINDOW:
            try:
                await self.client.send_text(person.openid, note.text)
                return "custom"
            except WeChatAPIError as exc:
                if exc.errcode not in WINDOW_CLOSED:
                    raise
        return await self._send_template(note, person.openid)

    async def _send_template(self, note: Notification, openid: str) -> str:
        spec = self.templates.get(note.template or "service_update") or {}
        if not spec.get("template_id"):
            raise Undeliverable(f"outside the 48-hour window and no template_id for {note.template!r}")
        values = {"text": note.text, **{k: str(v) for k, v in (note.template_data or {}).items()}}
        data = {key: str(pattern).format_map(_Blank(values)) for key, pattern in spec["fields"].items()}
        await self.client.send_template(openid, str(spec["template_id"]), data)
        return "template"

    async def _finish(
        self,
        note: Notification,
        status: NotificationStatus,
        attempts: int,
        *,
        channel: str = "",
        error: str = "",
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "attempts": attempts,
            "locked_until": None,
            "channel": channel,
        }
        if status is NotificationStatus.SENT:
            values["sent_at"] = self.clock()
        if error:
            values["last_error"] = error
        await Notification.filter(id=note.id).update(**values)
        self.metrics.delivered(status.value, channel or "none")
        if status is not NotificationStatus.SENT:
            log.warning("notification not delivered", extra={"notification": note.id, "status": status.value})


async def retry_failed(now: dt.datetime, *, unknown: bool = False, since: dt.datetime | None = None) -> int:
    """Queue failed notifications again (and, when asked, the unknown ones: the operator has checked they
    did not arrive); returns how many."""
    statuses = [NotificationStatus.FAILED] + ([NotificationStatus.UNKNOWN] if unknown else [])
    query = Notification.filter(status__in=statuses)
    if since is not None:
        query = query.filter(created_at__gte=since)
    return await query.update(
        status=NotificationStatus.PENDING, attempts=0, next_attempt_at=now, locked_until=None
    )


async def counts() -> dict[str, int]:
    """Notifications by status."""
    found = {status.value: 0 for status in NotificationStatus}
    for status in NotificationStatus:
        found[status.value] = await Notification.filter(status=status).count()
    return found


class _Blank(dict[str, str]):
    """Template data with missing keys left empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
