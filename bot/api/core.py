"""Declaring API routes: a handler with its request and response models, permission rule and errors.

``ApiRoute`` objects are registered on aiohttp and described in ``/api/v1/openapi.json`` from the same
declaration. Handlers receive an ``ApiRequest`` (the caller, the parsed body, path and query values) and
return a pydantic model (or None for 204). Every failure is an ``ApiError`` answered in one shape:
``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aiohttp import web
from annotated_types import MinLen
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from tortoise.queryset import QuerySet

from bot.api.sessions import SESSION_TTL
from bot.wechat.client import WeChatClient
from storage.kv import Store
from storage.models import Person
from storage.pages import M, PageSlice, page_slice


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: list[dict[str, str | int]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable: bad_request, unauthorized, forbidden, not_found, ...")
    message: str = Field(description="for people, in Chinese")
    details: list[dict[str, str | int]] | None = Field(
        default=None,
        description="what is wrong, item by item (an uploaded workbook: sheet, row, column, why)",
    )


class ErrorOut(BaseModel):
    error: ErrorBody


def _typable_text(schema: dict[str, Any]) -> None:
    """Write into a request body's schema what the server checks of its text (``StrictIn``)."""
    for prop in schema.get("properties", {}).values():
        _describe_text(prop)


# what str.strip() takes away (control characters aside); any typable character; one that is neither.
# Written for both Python's and JavaScript's regular expressions.
_SPACE = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_TYPABLE = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_SHOWN = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + _SPACE + "]"


def text_pattern(least: int) -> str:
    """Text with no control character and, once the spaces around it are stripped, ``least`` or more
    characters (what ``StrictIn`` takes; ``maxLength`` counts the text as sent)."""
    if least <= 0:
        return f"^{_TYPABLE}*$"
    if least == 1:
        return f"^[{_SPACE}]*{_SHOWN}(?:{_TYPABLE}*{_SHOWN})?[{_SPACE}]*$"
    return f"^[{_SPACE}]*{_SHOWN}{_TYPABLE}{{{least - 2},}}{_SHOWN}[{_SPACE}]*$"


def _describe_text(prop: dict[str, Any]) -> None:
    for key in ("anyOf", "oneOf", "allOf"):
        for option in prop.get(key, []):
            _describe_text(option)
    if isinstance(prop.get("items"), dict):
        _describe_text(prop["items"])
    if prop.get("type") != "string" or {"pattern", "enum", "const", "format"} & prop.keys():
        return  # a pattern of its own admits no control character (tests/unit/test_api_text.py checks)
    prop["pattern"] = text_pattern(int(prop.get("minLength", 0)))


class StrictIn(BaseModel):
    """Request bodies refuse unknown fields (a typo is an error, not silently ignored) and text with NUL
    or other control characters (PostgreSQL refuses NUL in text, and no person types them). Text is kept
    with the spaces around it stripped, and its ``min_length`` counts what is left; ``max_length`` counts
    the text as sent. The OpenAPI schema says exactly that (``text_pattern``), so a request the document
    calls well formed is never refused as malformed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_typable_text)

    @field_validator("*", mode="after")
    @classmethod
    def _typable(cls, value: Any, info: ValidationInfo) -> Any:
        metadata = cls.model_fields[str(info.field_name)].metadata
        least = next((m.min_length for m in metadata if isinstance(m, MinLen)), 0)
        if type(value) is str:  # not an enum's member, which is a str too
            return _stripped(value, least)
        if isinstance(value, list) and any(type(item) is str for item in value):
            return [_stripped(item, 0) if type(item) is str else item for item in value]
        return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _stripped(text: str, least: int) -> str:
    if _CONTROL.search(text):
        raise ValueError("control characters are not allowed in text")
    text = text.strip()
    if len(text) < least:
        raise ValueError(f"at least {least} characters besides spaces")
    return text


@dataclass
class ApiServices:
    store: Store
    wechat: WeChatClient
    clock: Callable[[], dt.datetime]
    session_ttl: int = SESSION_TTL
    rate_limit: int = 120  # per minute: per signed-in person, or per address for the rest
    login_rate_limit: int = 20  # per minute per address, for the routes declared ``limit="login"``
    trusted_proxies: tuple[IPNetwork, ...] = ()  # whose X-Forwarded-For is believed


@dataclass
class ApiRequest:
    request: web.Request
    services: ApiServices
    person: Person | None
    body: Any = None
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def caller(self) -> Person:
        assert self.person is not None, "route declared public"
        return self.person

    def now(self) -> dt.datetime:
        return self.services.clock()


# what an upload may be, by Content-Type, and the bytes such a file starts with
IMAGES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}

Handler = Callable[[ApiRequest], Awaitable["BaseModel | Binary | None"]]


@dataclass
class QueryParam:
    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False


PAGE_PARAMS = [
    QueryParam("page", {"type": "integer", "minimum": 1, "default": 1}, "1-based page number"),
    QueryParam(
        "per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "items per page"
    ),
]


@dataclass
class ApiRoute:
    method: str
    path: str  # relative to /api/v1, with {name} path parameters
    handler: Handler
    summary: str
    response: type[BaseModel] | None  # None: 204 No Content
    body: type[BaseModel] | None = None
    auth: bool = True
    status: int = 200
    errors: tuple[int, ...] = ()
    query: list[QueryParam] = field(default_factory=list)
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    tag: str = ""
    binary: bool = False  # the handler returns a Binary (an image, a file), not a model
    binary_types: tuple[str, ...] = ("image/jpeg", "image/png", "application/octet-stream")
    upload: bool = False  # the request body is a file (``call.body`` is a Binary): an image unless...
    upload_types: dict[str, bytes] = field(default_factory=lambda: dict(IMAGES))  # type -> first bytes
    upload_limit: int = 5 * 1024 * 1024
    upload_refused: str = "api.bad_image"  # the sentence for a body of another kind
    limit: str = ""  # "login": counted under the stricter per-address login limit as well
    # a workflow's refusal keys this route answers with another status than 422 (forbidden, not found,
    # conflict); declared once per slice by ``Routes(refusals=...)``, documented in the OpenAPI error list
    refusals: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # what the server checks is what the document says: an integer parameter has both bounds
        self.path_params = {name: bounded(schema) for name, schema in self.path_params.items()}
        self.query = [QueryParam(p.name, bounded(p.schema), p.description, p.required) for p in self.query]

    def refusal_status(self, key: str) -> int:
        return self.refusals.get(key, 422)


# the largest number a path or query parameter takes (nine digits: inside PostgreSQL's integer)
MAX_PARAMETER = 999_999_999


def bounded(schema: dict[str, Any]) -> dict[str, Any]:
    """An integer parameter's schema with its bounds written out (0 and ``MAX_PARAMETER`` unless given)."""
    if schema.get("type") != "integer":
        return schema
    return {"minimum": 0, "maximum": MAX_PARAMETER, **schema}


@dataclass(frozen=True)
class Binary:
    data: bytes
    content_type: str

    def served_type(self, allowed: tuple[str, ...]) -> str:
        """The type to serve it as: its own when the route documents it, else the generic one."""
        return self.content_type if self.content_type in allowed else "application/octet-stream"


class Routes:
    """A slice's routes; ``routes.add(...)`` decorates handlers. ``refusals`` maps the slice's refusal
    keys to their HTTP status (403, 404, 409); every other refusal is a 422, a broken rule."""

    def __init__(self, tag: str, refusals: dict[str, int] | None = None) -> None:
        self.tag = tag
        self.refusals = dict(refusals or {})
        self.all: list[ApiRoute] = []

    def add(self, method: str, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            spec.setdefault("refusals", self.refusals)
            self.all.append(ApiRoute(method=method, path=path, handler=handler, tag=self.tag, **spec))
            return handler

        return register


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(spec: str) -> tuple[IPNetwork, ...]:
    """``TRUSTED_PROXIES`` ("10.0.0.5, 172.16.0.0/12") as networks."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def client_address(request: web.Request, trusted: tuple[IPNetwork, ...]) -> str:
    """Who is asking: the connecting address, or behind our own proxies the nearest address in
    X-Forwarded-For that is not one of them (what a client writes there itself is never believed)."""
    remote = request.remote or "-"
    # several X-Forwarded-For lines are one list in order (RFC 9110): a proxy that adds its own line after
    # the client's must not leave the client's first line to be read as the proxy's
    lines = request.headers.getall("X-Forwarded-For", [])
    hops = [part.strip() for line in lines for part in line.split(",") if part.strip()]
    while address_within(remote, trusted) and hops:
        remote = hops.pop()
    return remote


def rate_key(address: str) -> str:
    """The bucket an address is counted in: an IPv4 address itself, an IPv6 one by its /64 (what one home
    or one phone is given, so that rotating inside it is no fresh limit)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def address_within(address: str, networks: Iterable[IPNetwork]) -> bool:
    """The address (an IPv4 one mapped into IPv6 taken as IPv4) is in one of ``networks``."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def bearer_token(request: web.Request) -> str:
    """The token of an ``Authorization: Bearer ...`` header, or ""."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


ItemT = TypeVar("ItemT")


class Paged(BaseModel, Generic[ItemT]):
    """One page of a list: its items, which page it is, how many a page holds, and how many in all. Each
    list's page model is ``class TicketPage(Paged[TicketOut])``: its own name in the OpenAPI document."""

    items: list[ItemT]
    page: int
    per_page: int
    total: int


def page_of(query: dict[str, Any]) -> tuple[int, int]:
    return int(query.get("page", 1)), int(query.get("per_page", 20))


async def paginate(query: QuerySet[M], params: dict[str, Any], *order: str) -> PageSlice[M]:
    """One page of ``query`` in ``order`` (the ``page`` / ``per_page`` parameters) and the total."""
    return await page_slice(query, *page_of(params), *order)


_CODES = {403: "forbidden", 404: "not_found", 409: "conflict", 422: "rule_violation"}


def refused(problem: Any, statuses: dict[str, int]) -> ApiError:
    """A workflow's refusal (a ``Refusal``: ``key`` and ``text()``) as the API's error: the status the
    route gives its key (422, a broken rule, when it names none), and the resident-facing sentence."""
    status = statuses.get(problem.key, 422)
    return ApiError(status, _CODES.get(status, "rule_violation"), problem.text())
