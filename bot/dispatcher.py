"""Routers, filters and the dispatcher, in the spirit of aiogram 3.

A feature declares a ``Router`` and decorates handlers with filters. Every handler belongs to a phase,
and the dispatcher tries the phases in order, whatever order the features were registered in:

1. ``GLOBAL``: WeChat events and the global words (取消, 帮助, 人工) when they are the whole message;
2. ``COMMAND``: a command at the start of the message (接单 12, 认领 W2611-0001, 我的报修);
3. ``DIALOG``: the step of the dialog in progress (states are namespaced by their feature);
4. ``INTENT``: what a message outside a dialog is about (the classifier's intent);
5. ``FALLBACK``: the catalog's catch-all, menu picks, and the kind answer to anything else.

A filter returns a bool, or a dict whose items are added to ``ctx.data`` for the handler (``command()``
gives a ``CommandObject``, ``pattern()`` its match), so handlers never match again. A filter made here
carries the phase it implies (``state()``: DIALOG, ``intent()``: INTENT...); a handler's phase is the
first phase its filters imply, or the one it names. Within GLOBAL, COMMAND and INTENT no two handlers may
answer the same message: ``Dispatcher(strict=True)`` (the tests) checks every message against all of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import content
from bot.dialog import Dialog
from bot.messages import EventName, IncomingMessage, Kind, Reply
from nlp.tokenize import normalize, simplified, strip_punctuation
from nlp.understand import Understanding, Understood

if TYPE_CHECKING:
    from storage.kv import Store
    from storage.models import Person

log = logging.getLogger(__name__)

FilterResult = bool | dict[str, Any]
Filter = Callable[["Context"], FilterResult]
Handler = Callable[["Context"], Awaitable[None]]


class Phase(enum.IntEnum):
    GLOBAL = 1
    COMMAND = 2
    DIALOG = 3
    INTENT = 4
    FALLBACK = 5


class DispatchConflict(RuntimeError):
    """Two handlers of one phase answer the same message: the outcome would depend on registration order."""


def _tagged(check: Filter, phase: Phase) -> Filter:
    check.phase = phase  # type: ignore[attr-defined]
    return check


@dataclass(frozen=True)
class CommandObject:
    """What ``command()`` parsed: the command word as written and the rest of the message."""

    word: str
    args: str


@dataclass(frozen=True)
class MenuEntry:
    """One line of the 帮助 menu; choosing it dispatches ``intent`` (its label is the intent's, from
    content/intents.yaml)."""

    intent: str
    order: int = 100


@dataclass
class Services:
    """What handlers may use besides the message: built once by the composition root."""

    current_classifier: Callable[[], Understanding]  # the one in use: a content reload builds another
    store: Store
    global_words: dict[str, frozenset[str]]
    clock: Callable[[], dt.datetime]

    @property
    def classifier(self) -> Understanding:
        return self.current_classifier()


class Context:
    def __init__(
        self, msg: IncomingMessage, dialog: Dialog, services: Services, dispatcher: Dispatcher
    ) -> None:
        if msg.text and (plain := simplified(msg.text)) != msg.text:  # 轉告 read, and kept, as 转告
            msg = dataclasses.replace(msg, text=plain)
        self.msg = msg
        self.dispatcher = dispatcher
        self._person: Person | None = None
        self.dialog = dialog
        self.services = services
        self.data: dict[str, Any] = {}
        self.reply = Reply()
        self.forced_intent: str | None = None
        self.redirects = 0
        self.handled_phase: Phase | None = None  # the phase of the handler that took the message

    # -- who ---------------------------------------------------------------------------------------
    async def person(self) -> Person:
        """The sender, loaded (or created) on first use: many turns never need the database."""
        if self._person is None:
            from storage.db import first_by
            from storage.models import Person

            self._person = await first_by(Person, "openid", self.msg.user) or await _create_person(
                self.msg.user
            )
        return self._person

    async def touch_person(self, *, known: bool = True) -> None:
        """Record that the person wrote now (WeChat's 48-hour customer-service window), creating them on
        first contact; ``known``: they have written before, as far as the turn store remembers."""
        from storage.people import touch

        self._person = await touch(self.msg.user, self.now(), known=known)

    # -- understanding -------------------------------------------------------------------------
    @functools.cached_property
    def classification(self) -> Understood:
        if self.forced_intent:
            return Understood(self.forced_intent, candidates=(self.forced_intent,))
        if not self.msg.has_text:
            return Understood(None, source="none")
        return self.services.classifier.classify(self.msg.text)

    @property
    def intent(self) -> str | None:
        return self.classification.intent

    def asks_for(self, *intents: str) -> bool:
        """The message is a clear request for one of ``intents`` by the rules (a command or a short
        message): what a dialog step checks before leaving its question for another workflow. What the
        model reads into an answer ("同意吧" sounds like voting) never takes a resident out of a step."""
        return self.classification.source == "rule" and self.intent in intents

    @functools.cached_property
    def word(self) -> str:
        """The message reduced to its bare word: "取消！" -> "取消"."""
        return strip_punctuation(normalize(self.msg.text))

    def now(self) -> dt.datetime:
        return self.services.clock()

    # -- answering -----------------------------------------------------------------------------
    def say(self, key: str, /, **values: Any) -> None:
        self.reply.parts.append(content.text(key, **values))

    def say_text(self, text: str) -> None:
        self.reply.parts.append(text)

    async def redirect(self, intent: str, text: str = "") -> bool:
        """Continue as if the resident had asked for ``intent`` (a menu pick, a 'did you mean' answer),
        in the words ``text`` when given (a request taken up again after binding)."""
        return await self.dispatcher.redirect(self, intent, text)

    def reask(self, key: str, /, **values: Any) -> None:
        """An unexpected answer: ask again kindly; after a few tries also show the ways out."""
        self.say(key, **values)
        if self.dialog.retry() >= 3:
            self.say("common.way_out")


async def _create_person(openid: str, **values: Any) -> Person:
    """Create on first contact; one query, not get_or_create's transaction (the user's lock is held, so
    a race is only possible with another transport, and then the unique openid settles it)."""
    from tortoise.exceptions import IntegrityError

    from storage.models import Person

    try:
        return await Person.create(openid=openid, **values)
    except IntegrityError:
        return await Person.get(openid=openid)


@dataclass(frozen=True)
class Registered:
    phase: Phase
    filters: tuple[Filter, ...]
    handler: Handler
    router: str
    last: bool = False

    @functools.cached_property
    def firsts(self) -> frozenset[str] | None:
        """The characters a message this handler answers can start with (its ``command()`` words', its
        ``pattern()``'s), so the dispatcher passes over the other commands without running their filters;
        None: any message may match."""
        for check in self.filters:
            chars = getattr(check, "firsts", None)
            if chars is not None:
                return frozenset(chars)
        return None

    @functools.cached_property
    def states(self) -> frozenset[str | None] | None:
        """The dialog states a ``state()`` filter of this handler allows (None: any), so the dispatcher
        passes over the other steps' handlers without running their filters."""
        for check in self.filters:
            names = getattr(check, "states", None)
            if names is not None:
                return frozenset(names)
        return None


class Router:
    def __init__(self, name: str, *, last: bool = False) -> None:
        """``last``: in each phase, after every other router (the catch-all fallback)."""
        self.name = name
        self.last = last
        self.handlers: list[Registered] = []
        self.menu: list[MenuEntry] = []

    def handle(self, *filters: Filter, phase: Phase | None = None) -> Callable[[Handler], Handler]:
        """Register a handler; its phase is ``phase``, else the first one its filters imply (a handler
        whose filters imply none must name it)."""
        implied = sorted(p for p in (getattr(f, "phase", None) for f in filters) if p is not None)
        chosen = phase or (implied[0] if implied else None)
        if chosen is None:
            raise TypeError(f"{self.name}: a handler with no phase-giving filter must name its phase")

        def register(handler: Handler) -> Handler:
            self.handlers.append(Registered(chosen, filters, handler, self.name, self.last))
            return handler

        return register

    def menu_entry(self, intent: str, order: int = 100) -> None:
        self.menu.append(MenuEntry(intent, order))


_EXCLUSIVE = (Phase.GLOBAL, Phase.COMMAND, Phase.INTENT)


class Dispatcher:
    def __init__(self, routers: Iterable[Router], *, strict: bool = False) -> None:
        self.routers = list(routers)
        self.strict = strict
        # phase by phase; within a phase, routers in the order given (only FALLBACK relies on it)
        self.handlers = sorted(
            (r for router in self.routers for r in router.handlers), key=lambda r: (r.phase, r.last)
        )

    @property
    def menu(self) -> list[MenuEntry]:
        return sorted((e for r in self.routers for e in r.menu), key=lambda e: e.order)

    @functools.cached_property
    def known_states(self) -> frozenset[str | None]:
        """Every dialog state some handler answers (a state outside it is from an older version)."""
        return frozenset(state for entry in self.handlers for state in entry.states or ())

    async def feed(self, ctx: Context) -> bool:
        """Run the first matching handler, phase by phase; False when none matched."""
        current = ctx.dialog.state
        starts = _starts(ctx)
        for index, entry in enumerate(self.handlers):
            if entry.states is not None and current not in entry.states:
                continue
            if entry.firsts is not None and entry.firsts.isdisjoint(starts):
                if self.strict:
                    self._check_gate(ctx, entry)
                continue
            found = _match(entry.filters, ctx)
            if found is None:
                continue
            if self.strict and entry.phase in _EXCLUSIVE:
                self._check_alone(ctx, entry, index)
            ctx.data.update(found)
            if ctx.handled_phase is None:  # the outermost handler (a nested feed must not overwrite it)
                ctx.handled_phase = entry.phase
            log.debug("dispatch", extra={"handler": f"{entry.router}.{entry.handler.__name__}"})
            await entry.handler(ctx)
            return True
        return False

    @staticmethod
    def _check_gate(ctx: Context, passed: Registered) -> None:
        """Strict mode: a handler passed over for its first characters would not have matched."""
        if _match(passed.filters, ctx) is not None:
            raise DispatchConflict(
                f"{passed.router}.{passed.handler.__name__} answers {ctx.msg.text!r} though it starts with"
                f" none of {sorted(passed.firsts or ())}"
            )

    def _check_alone(self, ctx: Context, chosen: Registered, index: int) -> None:
        for other in self.handlers[index + 1 :]:
            if other.phase != chosen.phase:
                return
            if _match(other.filters, ctx) is not None:
                raise DispatchConflict(
                    f"{chosen.router}.{chosen.handler.__name__} and {other.router}.{other.handler.__name__}"
                    f" both answer {ctx.msg.text!r} in phase {chosen.phase.name}"
                )

    async def redirect(self, ctx: Context, intent: str, text: str = "") -> bool:
        """Handle the current message again as if it had said ``intent`` (a menu or 'did you mean' pick,
        an account-menu click). The message becomes a text carrying that intent: empty, or ``text`` (the
        words of a request that waited, so nothing it said is asked again)."""
        if ctx.redirects >= 3:
            raise RuntimeError(f"redirect loop at intent {intent!r}")
        ctx.redirects += 1
        ctx.dialog.clear()
        ctx.msg = dataclasses.replace(ctx.msg, kind=Kind.TEXT, text=text, event=None, event_key="")
        ctx.__dict__.pop("word", None)
        ctx.forced_intent = intent
        ctx.__dict__.pop("classification", None)
        return await self.feed(ctx)


def _starts(ctx: Context) -> frozenset[str]:
    """The first characters a command or pattern may see: the message's own (``pattern()`` matches the
    text as sent, ``command()`` its stripped start) and its bare word's (``command()`` compares that)."""
    if not ctx.msg.has_text:
        return frozenset()
    text = ctx.msg.text
    lead = _NOT_WORD.match(text)
    after = lead.end() if lead else 0
    return frozenset((text[:1], text.lstrip()[:1], text[after : after + 1], ctx.word[:1]))


_NOT_WORD = re.compile(r"\W*")
_WORD = re.compile(r"\w")


def _match(filters: tuple[Filter, ...], ctx: Context) -> dict[str, Any] | None:
    found: dict[str, Any] | None = None
    for check in filters:
        result = check(ctx)
        if not result:
            return None
        if isinstance(result, dict):
            if found is None:
                found = {}
            found.update(result)
    return {} if found is None else found


def first_chars(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of ``regex`` (with ``match``, at the start) begins with, read from the
    parsed pattern: a literal, a class of literals, alternatives of those, a group or a repeat of at least
    one. None when it cannot say (a range, a category, a possibly empty start, a flag changing case)."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # an unreadable pattern just gets no gate
        return None
    found = _firsts(list(parsed))
    if found is None or not found or regex.flags & re.ASCII:  # ASCII: \W also takes 汉字
        return None
    if regex.flags & re.IGNORECASE and any(ch.lower() != ch.upper() or not ch.isalpha() for ch in found):
        return None  # case folds beyond lower and upper (K, the Kelvin sign; ſ): no gate where case counts
    return frozenset(found)


def _firsts(items: list[Any]) -> set[str] | None:
    from re import _constants as sre  # type: ignore[attr-defined]

    if not items:
        return None  # an empty pattern matches anything
    op, arg = items[0]
    if op is sre.AT:  # ^ and the like take no character
        return _firsts(items[1:])
    if op is sre.LITERAL:
        return {chr(arg)}
    if op is sre.IN:
        chars = set()
        for inner, value in arg:
            if inner is not sre.LITERAL:
                return None
            chars.add(chr(value))
        return chars
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            chars_of = _firsts(list(branch))
            if chars_of is None:
                return None
            union |= chars_of
        return union
    if op is sre.SUBPATTERN:
        _, add_flags, _, inner = arg
        return None if add_flags & re.IGNORECASE else _firsts(list(inner))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, _, inner = arg
        if low >= 1:
            return _firsts(list(inner))
        # a leading \s* or \W*: what follows starts the message once spaces (or all but word characters)
        # are passed over, which _starts() also reads; only when what follows cannot be such a character
        skipped = list(inner)
        if len(skipped) == 1 and skipped[0][0] is sre.IN and len(skipped[0][1]) == 1:
            inner_op, category = skipped[0][1][0]
            after = _firsts(items[1:])
            if inner_op is not sre.CATEGORY or after is None:
                return None
            if category is sre.CATEGORY_SPACE and not any(ch.isspace() for ch in after):
                return after
            if category is sre.CATEGORY_NOT_WORD and all(_WORD.match(ch) for ch in after):
                return after
        return None
    return None


# -- filters ---------------------------------------------------------------------------------------
def intent(*names: str) -> Filter:
    def check(ctx: Context) -> FilterResult:
        return ctx.intent in names

    return _tagged(check, Phase.INTENT)


def state(*names: str | None) -> Filter:
    """Matches when the dialog is in one of ``names`` (``None``: no dialog)."""

    def check(ctx: Context) -> FilterResult:
        return ctx.dialog.state in names

    check.states = names  # type: ignore[attr-defined]
    return _tagged(check, Phase.DIALOG)


def command(*words: str, args: bool = True) -> Filter:
    """The message is one of ``words``, or (``args``) starts with one followed by what the command takes:
    ``{"command": CommandObject(word, rest)}``. Longer words are tried first (催办 before 催)."""
    ordered = sorted(words, key=len, reverse=True)

    def check(ctx: Context) -> FilterResult:
        if not ctx.msg.has_text:
            return False
        text = ctx.msg.text.strip()
        for word in ordered:
            if ctx.word == word:
                return {"command": CommandObject(word, "")}
            if args and text.startswith(word):
                return {"command": CommandObject(word, text[len(word) :].strip(" ：:，,"))}
        return False

    if all(ordered):
        check.firsts = frozenset(word[0] for word in ordered)  # type: ignore[attr-defined]
    return _tagged(check, Phase.COMMAND)


def pattern(regex: re.Pattern[str]) -> Filter:
    """A command with a shape (接单 12, 答复 H0012 ...): ``{"match": the re.Match}``."""

    def check(ctx: Context) -> FilterResult:
        found = regex.match(ctx.msg.text) if ctx.msg.has_text else None
        return {"match": found} if found else False

    check.firsts = first_chars(regex)  # type: ignore[attr-defined]
    return _tagged(check, Phase.COMMAND)


def idle() -> Filter:
    """No dialog in progress: no state, or an ``idle:`` state (a menu shown, a 'did you mean' offered)
    where a fresh request is welcome."""

    def check(ctx: Context) -> FilterResult:
        return ctx.dialog.state is None or ctx.dialog.state.startswith("idle:")

    return check


def kind(*kinds: Kind) -> Filter:
    def check(ctx: Context) -> FilterResult:
        return ctx.msg.kind in kinds

    return check


def event(*names: EventName) -> Filter:
    def check(ctx: Context) -> FilterResult:
        return ctx.msg.kind is Kind.EVENT and ctx.msg.event in names

    return _tagged(check, Phase.GLOBAL)


def global_word(name: str) -> Filter:
    """The message is exactly one of the global words for ``name`` (取消, 帮助, 人工...)."""

    def check(ctx: Context) -> FilterResult:
        return ctx.msg.has_text and ctx.word in ctx.services.global_words.get(name, frozenset())

    return _tagged(check, Phase.GLOBAL)


def has_text() -> Filter:
    def check(ctx: Context) -> FilterResult:
        return ctx.msg.has_text

    return check
