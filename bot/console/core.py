"""Declaring console pages: a handler, its path under /console, who may open it, its place in the menu.

A slice declares its pages in its ``console.py`` with a ``Pages`` collection, as it declares its API routes
with ``Routes``; ``Feature(console=pages.all)`` hands them to the app. A page whose path holds
``{community}`` opens for the people who pass its ``allow`` rule in that community (``storage.roles``: the
API's rules), one holding ``{street}`` for those who work for that street office; every page needs a
signed-in staff member. Handlers receive a ``ConsoleRequest`` and return ``Rendered`` (a template and its
values) or any aiohttp response (a redirect, an export). A workflow's ``Refusal`` on an action comes back
to the page as its sentence; on a read, as an error page with the status the page gives its key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy, MultiMapping

import content
from bot.api.core import IPNetwork
from bot.config import Settings
from bot.console.sessions import ConsoleSession, SessionPolicy, flash
from bot.wechat.client import WeChatClient
from storage.kv import Store
from storage.models import Community, Person, StreetOffice
from storage.roles import CommunityRule, is_staff

PREFIX = "/console"
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Rendered:
    """A template (under content/console/templates) and its values; the layout's own are added."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200


PageHandler = Callable[["ConsoleRequest"], Awaitable["Rendered | web.StreamResponse"]]
PublicHandler = Callable[[web.Request], Awaitable[Rendered]]


@dataclass(frozen=True)
class PublicPage:
    """A page anyone may open, without signing in (居务公开): its path from the site's root, outside
    /console; its template extends the ``layout`` it is given (``public/base.html``)."""

    path: str
    handler: PublicHandler
    name: str


@dataclass(frozen=True)
class ConsolePage:
    method: str
    path: str  # under /console; aiohttp's {name} and {name:regex} parts
    handler: PageHandler
    name: str  # unique: builds its links (``call.url(name, ...)``) and names its audit entries
    allow: CommunityRule = is_staff  # for a {community} page: who may open it there
    nav: str = ""  # content/messages.yaml key of its entry in the community's menu ("": not in the menu)
    nav_order: int = 100
    title: str = ""  # content/messages.yaml key of what an action does, as the audit log shows it
    tab: str = ""  # content/messages.yaml key of its entry in its slice's own tabs (``call.tabs(...)``)
    audit: bool | None = None  # write an audit entry (default: for every action, that is every non-GET)
    upload_limit: int = 0  # bytes: a form with a file (multipart) up to this size
    refusals: Mapping[str, int] = field(default_factory=dict)  # refusal key -> status of its error page

    @property
    def audited(self) -> bool:
        return self.method != "GET" if self.audit is None else self.audit

    @property
    def scope(self) -> str:
        """What the path is about: "community", "street" or "" (the person's own pages)."""
        return "community" if "{community}" in self.path else "street" if "{street}" in self.path else ""


class Pages:
    """A slice's console pages; ``pages.get(...)`` / ``pages.post(...)`` decorate handlers."""

    def __init__(self, feature: str, refusals: Mapping[str, int] | None = None) -> None:
        self.feature = feature
        self.refusals = dict(refusals or {})
        self.all: list[ConsolePage | PublicPage] = []

    def add(self, method: str, path: str, name: str, **spec: Any) -> Callable[[PageHandler], PageHandler]:
        def register(handler: PageHandler) -> PageHandler:
            spec.setdefault("refusals", self.refusals)
            self.all.append(ConsolePage(method=method, path=path, handler=handler, name=name, **spec))
            return handler

        return register

    def get(self, path: str, name: str, **spec: Any) -> Callable[[PageHandler], PageHandler]:
        return self.add("GET", path, name, **spec)

    def post(self, path: str, name: str, **spec: Any) -> Callable[[PageHandler], PageHandler]:
        return self.add("POST", path, name, **spec)

    def public(self, path: str, name: str) -> Callable[[PublicHandler], PublicHandler]:
        """A page without sign-in at ``path`` (from the site's root, e.g. ``/public/{community}``)."""

        def register(handler: PublicHandler) -> PublicHandler:
            self.all.append(PublicPage(path=path, handler=handler, name=name))
            return handler

        return register


class ConsoleError(Exception):
    """An error page: ``status`` and the sentence ``key`` of content/messages.yaml."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.values = values


@dataclass
class ConsoleServices:
    settings: Settings
    store: Store
    wechat: WeChatClient
    clock: Callable[[], dt.datetime]  # the app's clock (China time): what workflows are given
    wall_clock: Callable[[], float]  # seconds: session expiry
    trusted_proxies: tuple[IPNetwork, ...] = ()

    @property
    def policy(self) -> SessionPolicy:
        return SessionPolicy(self.settings.console_idle, self.settings.console_lifetime)


@dataclass
class ConsoleRequest:
    request: web.Request
    services: ConsoleServices
    page: ConsolePage
    person: Person
    session: ConsoleSession
    address: str  # the client's address (behind our trusted proxies, the one they saw)
    community: Community | None = None
    street: StreetOffice | None = None
    form: MultiDictProxy[Any] | None = None
    # what the audit entry of this request says it acted on and how (a handler may fill them in)
    audit_target: str = ""
    audit_detail: str = ""
    audit_outcome: str = "ok"  # "refused" when the handler answers a refusal itself (a form shown again)

    def now(self) -> dt.datetime:
        return self.services.clock()

    @property
    def query(self) -> MultiMapping[str]:
        return self.request.query

    @property
    def partial(self) -> bool:
        """An htmx request for a part of the page (the template renders its content block alone)."""
        return self.request.headers.get("HX-Request") == "true" and "HX-Boosted" not in self.request.headers

    def path_int(self, name: str) -> int:
        raw = self.request.match_info.get(name, "")
        if not raw.isdigit() or len(raw) > 9:
            raise ConsoleError(404, "console.not_found")
        return int(raw)

    def number(self, name: str) -> int | None:
        """A whole number of the query string (a filter, a page), None when not given; 400 when wrong."""
        raw = self.query.get(name, "")
        if not raw:
            return None
        if not raw.isdigit() or len(raw) > 9:
            raise ConsoleError(400, "console.bad_parameter", name=name)
        return int(raw)

    def day(self, name: str) -> dt.datetime | None:
        """A day of the query string (2026-11-30) as its first moment in China time; 400 when wrong."""
        raw = self.query.get(name, "")
        if not raw:
            return None
        try:
            return dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(), CHINA)
        except ValueError:
            raise ConsoleError(400, "console.bad_parameter", name=name) from None

    def choice(self, name: str, allowed: Iterable[str], default: str = "") -> str:
        """A value of the query string among ``allowed`` (``default`` when not given); 400 otherwise."""
        raw = self.query.get(name, "") or default
        if raw and raw not in set(allowed):
            raise ConsoleError(400, "console.bad_parameter", name=name)
        return raw

    def given(self, *names: str) -> dict[str, str]:
        """The query parameters among ``names`` that were given (what an export and the pager carry on)."""
        return {name: self.query[name] for name in names if self.query.get(name)}

    def paged(
        self, name: str, total: int, per_page: int, given: Mapping[str, str], export: str = ""
    ) -> dict[str, Any]:
        """What a list page's pager and export link need: the number of pages of ``total`` rows, each page's
        address under the page ``name`` with the filters ``given``, and the export ``export`` of the same."""
        found: dict[str, Any] = {
            "pages": max(1, -(-total // per_page)),
            "page_url": lambda n: self.url(name, query={**given, "page": n}),
        }
        if export:
            found["export"] = self.url(export, query=given)
        return found

    def status_links(
        self,
        name: str,
        statuses: Iterable[str],
        label: Callable[[str], str],
        given: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """What a list page's status tabs need: each status with its label, and its address under the page
        ``name`` (keeping the other filters ``given``, when given)."""
        kept = dict(given or {})
        return {
            "statuses": [(s, label(s)) for s in statuses],
            "status_label": label,
            "status_url": lambda s: self.url(name, query={**kept, "status": s}),
        }

    async def tabs(self, *names: str) -> list[tuple[str, str, bool]]:
        """A slice's own tabs: (label, link, current) of each page ``names`` the person may open here."""
        from bot.console.server import PAGES  # the mounted pages (server imports this module)

        pages = {p.name: p for p in self.request.app[PAGES]}
        here = self.request.path
        found = []
        for name in names:
            page = pages[name]
            if self.community is None or await page.allow(self.person, self.community.id):
                found.append((content.text(page.tab or page.nav), self.url(name)))
        # the current tab: the one whose page this is, or holds it (the longest such link)
        holding = [link for _, link in found if here == link or here.startswith(link + "/")]
        current = max(holding, key=len, default="")
        return [(label, link, link == current) for label, link in found]

    def fields(self, name: str) -> list[str]:
        """Every value of a repeated field of the posted form (checkboxes), stripped."""
        values = self.form.getall(name, []) if self.form is not None else []
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    def field(self, name: str, default: str = "") -> str:
        """A text field of the posted form, stripped."""
        value = self.form.get(name, default) if self.form is not None else default
        return value.strip() if isinstance(value, str) else default

    def url(self, name: str, query: Mapping[str, object] | None = None, **parts: object) -> str:
        """The path of the page ``name`` (its path parts; the current community's when it needs one)."""
        return url_for(self.request.app, name, query, **self._parts(parts))

    def _parts(self, parts: Mapping[str, object]) -> dict[str, str]:
        filled = {k: str(v) for k, v in parts.items()}
        if self.community is not None:
            filled.setdefault("community", self.community.code)
        if self.street is not None:
            filled.setdefault("street", self.street.code)
        return filled

    async def flash(self, kind: str, text: str) -> None:
        """A sentence for the next page this browser opens ("ok" or "error")."""
        await flash(self.services.store, self.session, kind, text)

    def redirect(self, location: str) -> web.Response:
        """See other: after an action, the page to show (htmx follows it and swaps its content in)."""
        return web.Response(status=303, headers={"Location": location})

    def navigate(self, location: str) -> web.Response:
        """After an action that leads to another page (a consultation launched): htmx loads it whole, so
        that the address follows; a plain form is sent there."""
        if self.request.headers.get("HX-Request") == "true":
            return web.Response(status=200, headers={"HX-Redirect": location})
        return self.redirect(location)

    def back(self, default: str) -> str:
        """Where an action returns to: the page it was posted from (ours), else ``default``."""
        referer = self.request.headers.get("Referer", "")
        return same_site_path(self.request, referer) or default


def url_for(app: web.Application, name: str, query: Mapping[str, object] | None = None, **parts: str) -> str:
    url = app.router[name].url_for(**parts)
    if query:
        url = url.with_query({k: str(v) for k, v in query.items() if v not in (None, "", False)})
    return str(url)


def same_site_path(request: web.Request, url: str) -> str:
    """``url``'s path and query when it points into this console on this host; "" otherwise."""
    from yarl import URL

    try:
        parsed = URL(url)
    except ValueError:
        return ""
    if parsed.is_absolute() and parsed.host != request.url.host:
        return ""
    path = parsed.path
    if not (path == PREFIX or path.startswith(PREFIX + "/")):
        return ""
    return str(parsed.relative())


def moment(raw: str) -> dt.datetime | None:
    """A form's date and time (``datetime-local``: 2026-12-05T18:00) in China time; None when not one."""
    try:
        parsed = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=CHINA) if parsed.tzinfo is None else parsed
