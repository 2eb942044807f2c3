"""The console's own pages: sign-in (a QR code to scan, or a code from the chat), home, sign-out, audit."""

from __future__ import annotations

import hashlib
import logging

import aiohttp_jinja2
import segno
from aiohttp import web
from yarl import URL

import content
from bot.api.core import client_address, rate_key
from bot.console import signin
from bot.console.core import PREFIX, ConsoleError, ConsoleRequest, ConsoleServices, Pages, Rendered
from bot.console.server import SERVICES, all_pages, check_origin, signed_in
from bot.console.sessions import COOKIE, close_session, open_session
from bot.wechat.client import WeChatAPIError
from storage.audit import Audited, community_log, record
from storage.models import Person
from storage.roles import holds_staff_role, oversees, staff_places

log = logging.getLogger(__name__)

PAGES = Pages("console")
PER_PAGE = 50
QR_PER_MINUTE = 20  # sign-in QR codes one address may have made in a minute
SIGN_INS = ("console.signin_qr", "console.signin_code")  # audit actions without a page of their own


# -- signed in ----------------------------------------------------------------------------------------------
@PAGES.get("/home", "console.home")
async def home(call: ConsoleRequest) -> Rendered | web.StreamResponse:
    """Where the person works: each community and street office, with the pages they may open there; one
    place only: its first page (the overview, for those who read its figures), unless ``?all=1``."""
    communities, streets = await staff_places(call.person)
    places = []
    for community in communities:
        links = []
        for page in all_pages(call.request.app):
            if page.nav and page.scope == "community" and await page.allow(call.person, community.id):
                links.append((content.text(page.nav), call.url(page.name, community=community.code)))
        places.append((community.name, links))
    for street in streets:
        links = [
            (content.text(page.nav), call.url(page.name, street=street.code))
            for page in all_pages(call.request.app)
            if page.nav and page.scope == "street"
        ]
        places.append((street.name, links))
    if len(places) == 1 and places[0][1] and not call.query.get("all"):
        return call.redirect(places[0][1][0][1])
    return Rendered("home.html", {"places": places})


@PAGES.post("/signout", "console.signout", title="console.action.signout")
async def sign_out(call: ConsoleRequest) -> web.StreamResponse:
    await close_session(call.services.store, call.session.token)
    response = call.redirect(PREFIX)
    response.del_cookie(COOKIE, path=PREFIX)
    return response


@PAGES.get("/c/{community}/audit", "console.audit", allow=oversees, nav="console.nav.audit", nav_order=900)
async def audit_log(call: ConsoleRequest) -> Rendered:
    """The community's audit log, for its committee and street office."""
    assert call.community is not None
    page = call.query.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    listed = await community_log(call.community.id, number, PER_PAGE)
    titles = {p.name: content.text(p.title) for p in all_pages(call.request.app) if p.title}
    titles |= {name: content.text(f"console.action.{name.removeprefix('console.')}") for name in SIGN_INS}
    pages = -(-listed.total // PER_PAGE)
    return Rendered("audit.html", {"listed": listed, "pages": pages, "titles": titles})


# -- signing in (before any session) --------------------------------------------------------------------
def mount_public(app: web.Application) -> None:
    app.router.add_get(PREFIX, entry, name="console.entry")
    app.router.add_get(PREFIX + "/", entry)
    app.router.add_get(PREFIX + "/signin/status", signin_status, name="console.signin_status")
    app.router.add_post(PREFIX + "/signin/code", signin_code, name="console.signin_code")


def _next(request: web.Request) -> str:
    """Where to go once signed in: a console page of this site, or the home."""
    wanted = URL(request.query.get("next", "") or PREFIX + "/home")
    ours = not wanted.is_absolute() and wanted.path.startswith(PREFIX + "/") and "//" not in wanted.path
    return str(wanted) if ours else PREFIX + "/home"


def _form_token(nonce: str) -> str:
    """The sign-in form's CSRF token: derived from the browser's own secret nonce (its cookie)."""
    return hashlib.sha256(f"console-signin:{nonce}".encode()).hexdigest()[:32]


async def entry(request: web.Request) -> web.StreamResponse:
    """``/console``: the home when signed in, else the sign-in page."""
    services = request.app[SERVICES]
    if await signed_in(request, services) is not None:
        raise web.HTTPSeeOther(_next(request))
    return await signin_page(request, services)


async def signin_page(request: web.Request, services: ConsoleServices, error: str = "") -> web.Response:
    nonce = request.cookies.get(signin.NONCE_COOKIE, "")
    state = await signin.scene_state(services.store, nonce) if nonce else None
    if state is None or state.get("person") is not None:
        nonce = signin.new_nonce()
        await signin.start_scene(services.store, nonce, client_address(request, services.trusted_proxies))

        state = {}
    qr_url = str(state.get("url") or "")
    address = client_address(request, services.trusted_proxies)
    if not qr_url and services.wechat.configured and await _may_make_qr(services, address):
        try:
            _, qr_url = await services.wechat.temporary_qr(signin.scene_of(nonce), signin.SCENE_TTL)
        except WeChatAPIError as exc:
            log.warning("console sign-in QR code not made", extra={"error": str(exc)})
        if qr_url:
            await signin.keep_qr(services.store, nonce, qr_url)
    qr_svg = segno.make(qr_url, error="m").svg_inline(scale=5, border=2) if qr_url else ""
    next_page = _next(request)
    values: dict[str, object] = {
        "layout": "base.html",
        "me": None,
        "community": None,
        "street": None,
        "nav": [],
        "flash": ("error", error) if error else None,
        "csrf": _form_token(nonce),
        "qr_svg": qr_svg,
        "next": next_page,
        "status_url": str(URL(PREFIX + "/signin/status").with_query({"next": next_page})),
        "path": str(request.rel_url),
    }
    response = aiohttp_jinja2.render_template("signin.html", request, values, status=422 if error else 200)
    response.headers["Cache-Control"] = "no-store"
    _set_cookie(response, request, services, signin.NONCE_COOKIE, nonce, signin.SCENE_TTL)
    return response


def _set_cookie(
    response: web.StreamResponse,
    request: web.Request,
    services: ConsoleServices,
    name: str,
    value: str,
    max_age: int,
) -> None:
    """HttpOnly, SameSite=Lax, for the console's paths only; Secure when it is served over https."""
    secure = request.secure or services.settings.console_url.startswith("https://")
    response.set_cookie(
        name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="Lax", secure=secure or None
    )


async def _may_make_qr(services: ConsoleServices, address: str) -> bool:
    """Each sign-in page costs a call to WeChat (whose daily quota is the account's): an address that opens
    too many in a minute is shown the code form alone."""
    return await services.store.incr(f"console:qr:{rate_key(address)}", ttl=60) <= QR_PER_MINUTE


async def signin_status(request: web.Request) -> web.StreamResponse:
    """The sign-in page's poll: once the QR code was scanned by a staff member, their session."""
    services = request.app[SERVICES]
    nonce = request.cookies.get(signin.NONCE_COOKIE, "")
    person_id = await signin.finish_scene(services.store, nonce) if nonce else None
    if person_id is not None:
        return await _signed_in_as(request, services, person_id, "console.signin_qr")
    if request.headers.get("HX-Request") != "true":  # a plain page load ("我已扫码"): back to the page
        raise web.HTTPSeeOther(str(URL(PREFIX).with_query({"next": _next(request)})))
    if nonce and await signin.scene_state(services.store, nonce) is not None:
        return aiohttp_jinja2.render_template("signin_wait.html", request, {"expired": False})
    # expired: htmx stops polling on 286
    return aiohttp_jinja2.render_template("signin_wait.html", request, {"expired": True}, status=286)


async def signin_code(request: web.Request) -> web.StreamResponse:
    """The code the chat gave ("登录后台"), typed on the page."""
    services = request.app[SERVICES]
    try:
        check_origin(request, services)
    except ConsoleError as problem:
        raise web.HTTPForbidden(text=content.text(problem.key)) from None
    form = await request.post()
    nonce = request.cookies.get(signin.NONCE_COOKIE, "")
    if not nonce or form.get("csrf") != _form_token(nonce):
        return await signin_page(request, services, content.text("console.signin_reload"))
    code = str(form.get("code", "")).strip().replace(" ", "")
    address = client_address(request, services.trusted_proxies)
    try:
        person_id = await signin.redeem_code(services.store, code, rate_key(address))
    except signin.TooManyTries:
        return await signin_page(request, services, content.text("console.code_too_many"))
    if person_id is None:
        return await signin_page(request, services, content.text("console.code_wrong"))
    return await _signed_in_as(request, services, person_id, "console.signin_code")


async def _signed_in_as(
    request: web.Request, services: ConsoleServices, person_id: int, action: str
) -> web.StreamResponse:
    person = await Person.get_or_none(id=person_id)
    if person is None or not await holds_staff_role(person):
        return await signin_page(request, services, content.text("console.no_access"))
    session = await open_session(services.store, person.id, services.policy, services.wall_clock())
    address = client_address(request, services.trusted_proxies)
    await record(Audited(person.id, None, action, address=address), services.clock())
    target = _next(request)
    if request.headers.get("HX-Request") == "true":
        response = web.Response(status=200, headers={"HX-Redirect": target})
    else:
        response = web.Response(status=303, headers={"Location": target})
    _set_cookie(response, request, services, COOKIE, session.token, services.settings.console_lifetime)
    response.del_cookie(signin.NONCE_COOKIE, path=PREFIX)
    return response
