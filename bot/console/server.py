"""Mounting the console on aiohttp: templates, static files, and each page behind its session, CSRF and
access checks, with an audit entry for every action."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from yarl import URL

import content
from bot.api.core import client_address
from bot.console.core import (
    PREFIX,
    ConsoleError,
    ConsolePage,
    ConsoleRequest,
    ConsoleServices,
    PublicPage,
    Rendered,
    url_for,
)
from bot.console.sessions import COOKIE, ConsoleSession, close_session, load_session, take_flash
from handlers.common.rules import Refusal
from storage.audit import Audited, record
from storage.models import Community, Person, StreetOffice
from storage.roles import holds_staff_role, works_for_street

log = logging.getLogger(__name__)

SERVICES = web.AppKey("console_services", ConsoleServices)
PAGES = web.AppKey("console_pages", tuple)  # every ConsolePage mounted


def all_pages(app: web.Application) -> list[ConsolePage]:
    """Every page mounted, in their menus' order."""
    pages: tuple[ConsolePage, ...] = app[PAGES]
    return sorted(pages, key=lambda p: p.nav_order)


CHINA = dt.timezone(dt.timedelta(hours=8))
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


def templates_dir() -> Path:
    return content.path("console/templates")


def static_dir() -> Path:
    return content.path("console/static")


def _static_url(versions: dict[str, str]) -> Callable[[str], str]:
    def static(name: str) -> str:
        return f"{PREFIX}/static/{name}?v={versions.get(name, '0')}"

    return static


def _local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(CHINA).strftime(fmt) if value is not None else ""


def mount(app: web.Application, pages: Sequence[ConsolePage | PublicPage]) -> None:
    """The console's pages, its own (sign-in, home, audit) and the features', and its static files."""
    from bot.console import pages as own

    versions = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10] for p in static_dir().iterdir() if p.is_file()
    }
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(text=content.text, static=_static_url(versions))
    env.filters["local"] = _local
    everything = [p for p in (*own.PAGES.all, *pages) if isinstance(p, ConsolePage)]
    app[PAGES] = tuple(everything)
    own.mount_public(app)
    for page in everything:
        app.router.add_route(page.method, PREFIX + page.path, _wrap(page), name=page.name)
    for public in (p for p in pages if isinstance(p, PublicPage)):
        app.router.add_get(public.path, _wrap_public(public), name=public.name)
    app.router.add_static(PREFIX + "/static", static_dir(), name="console.static")


# -- one page behind its checks ---------------------------------------------------------------------------
def _wrap(page: ConsolePage) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        services = request.app[SERVICES]
        signed = await signed_in(request, services)
        if signed is None:
            return to_signin(request)
        session, person = signed
        call = ConsoleRequest(
            request, services, page, person, session, client_address(request, services.trusted_proxies)
        )
        try:
            if page.method not in ("GET", "HEAD"):
                check_origin(request, services)
                call.form = await _form(request, page)
                check_token(request, call.form, session.csrf_matches)
            await _scope(call)
            result = await page.handler(call)
        except Refusal as refusal:
            await audit(call, "refused", refusal.key)
            if page.method == "GET":
                return await error_page(call, page.refusals.get(refusal.key, 422), refusal.text())
            await call.flash("error", refusal.text())
            return call.redirect(call.back(PREFIX))
        except ConsoleError as problem:
            if problem.status == 403:
                await audit(call, "forbidden", problem.key, always=True)
                call.community = call.street = None  # not even its name, nor its menu
            return await error_page(call, problem.status, content.text(problem.key, **problem.values))
        await audit(call, call.audit_outcome, call.audit_detail)
        if isinstance(result, Rendered):
            return await render(call, result)
        return result

    handle.__name__ = page.handler.__name__
    return handle


async def signed_in(request: web.Request, services: ConsoleServices) -> tuple[ConsoleSession, Person] | None:
    """The session of the request's cookie and its person, while they are staff somewhere."""
    token = request.cookies.get(COOKIE, "")
    session = await load_session(services.store, token, services.policy, services.wall_clock())
    if session is None:
        return None
    person = await Person.get_or_none(id=session.person_id)
    if person is None or not await holds_staff_role(person):
        await close_session(services.store, token)
        return None
    return session, person


def to_signin(request: web.Request) -> web.Response:
    """Not signed in: to the sign-in page, coming back here after it (htmx is told to go there whole)."""
    target = URL(PREFIX).with_query({"next": str(request.rel_url)} if request.method == "GET" else {})
    if request.headers.get("HX-Request") == "true":
        return web.Response(status=200, headers={"HX-Redirect": str(target)})
    return web.Response(status=303, headers={"Location": str(target)})


def check_origin(request: web.Request, services: ConsoleServices) -> None:
    """An action comes from our own pages: their Origin (or, without one, their Referer)."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source or source == "null" or not _ours(request, services, URL(source)):
        raise ConsoleError(403, "console.csrf")


def check_token(request: web.Request, form: Any, matches: Callable[[str], bool]) -> None:
    """...and carries the session's CSRF token: htmx's header, or the form's field."""
    sent = request.headers.get(CSRF_HEADER, "")
    field = form.get(CSRF_FIELD, "") if form is not None else ""
    if not matches(sent) and not (isinstance(field, str) and matches(field)):
        raise ConsoleError(403, "console.csrf")


def _ours(request: web.Request, services: ConsoleServices, source: URL) -> bool:
    configured = services.settings.console_url
    if configured:
        return source.origin() == URL(configured).origin()
    try:
        return bool(source.raw_authority) and source.raw_authority == request.host
    except ValueError:
        return False


async def _form(request: web.Request, page: ConsolePage) -> Any:
    try:
        if page.upload_limit:
            return await request.clone(client_max_size=page.upload_limit).post()
        return await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise Refusal("console.too_large") from None


async def _scope(call: ConsoleRequest) -> None:
    """The community or street office in the path, when the person may open the page there."""
    match = call.request.match_info
    if call.page.scope == "community":
        call.community = await Community.get_or_none(code=match["community"])
        if call.community is None:
            raise ConsoleError(404, "console.no_community")
        if not await call.page.allow(call.person, call.community.id):
            raise ConsoleError(403, "console.forbidden")
    elif call.page.scope == "street":
        call.street = await StreetOffice.get_or_none(code=match["street"])
        if call.street is None:
            raise ConsoleError(404, "console.no_community")
        if not await works_for_street(call.person, call.street.id):
            raise ConsoleError(403, "console.forbidden")


async def audit(call: ConsoleRequest, outcome: str, detail: str = "", *, always: bool = False) -> None:
    if not (always or call.page.audited):
        return
    target = call.audit_target or "/".join(
        f"{k}={v}" for k, v in call.request.match_info.items() if k not in ("community", "street")
    )
    entry = Audited(
        person_id=call.person.id,
        community_id=call.community.id if call.community else None,
        action=call.page.name,
        target=target,
        outcome=outcome,
        detail=detail,
        address=call.address,
    )
    await record(entry, call.now())


def _wrap_public(page: PublicPage) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            rendered = await page.handler(request)
        except ConsoleError as problem:
            message = content.text(problem.key, **problem.values)
            rendered = Rendered("public/error.html", {"message": message}, status=problem.status)
        values = {
            "layout": "public/base.html",
            "url": lambda name, query=None, **parts: url_for(request.app, name, query, **parts),
            **rendered.context,
        }
        response = aiohttp_jinja2.render_template(rendered.template, request, values, status=rendered.status)
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    handle.__name__ = page.handler.__name__
    return handle


# -- rendering --------------------------------------------------------------------------------------------
async def render(call: ConsoleRequest, page: Rendered) -> web.Response:
    flashed = await take_flash(call.services.store, call.session)
    values: dict[str, Any] = {
        "layout": "bare.html" if call.partial else "base.html",
        "me": call.person,
        "community": call.community,
        "street": call.street,
        "csrf": call.session.csrf,
        "flash": flashed,
        "nav": [] if call.partial else await navigation(call),
        "url": call.url,
        "path": str(call.request.rel_url),
        **page.context,
    }
    response = aiohttp_jinja2.render_template(page.template, call.request, values, status=page.status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def navigation(call: ConsoleRequest) -> list[tuple[str, str, bool]]:
    """The menu of the community (or street office) in view: (label, link, current) of each page the
    person may open there."""
    scope = call.page.scope
    if not scope or (call.community is None and call.street is None):
        return []
    here = call.request.path
    entries = []
    for page in all_pages(call.request.app):
        if not page.nav or page.method != "GET" or page.scope != scope:
            continue
        if call.community is not None and not await page.allow(call.person, call.community.id):
            continue
        link = call.url(page.name)
        entries.append((content.text(page.nav), link, here == link or here.startswith(link + "/")))
    return entries


async def error_page(call: ConsoleRequest, status: int, message: str) -> web.Response:
    return await render(call, Rendered("error.html", {"message": message}, status=status))


def page_link(app: web.Application, name: str, **parts: str) -> str:
    return url_for(app, name, None, **parts)
