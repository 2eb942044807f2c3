"""Mounting the declared routes on aiohttp: auth, rate limits, validation, one error shape, OpenAPI."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

import content
from bot.api.core import (
    PAGE_PARAMS,
    ApiError,
    ApiRequest,
    ApiRoute,
    ApiServices,
    Binary,
    ErrorOut,
    QueryParam,
    bearer_token,
    client_address,
    rate_key,
)
from bot.api.sessions import session_person
from bot.httputil import TooLarge, read_limited
from handlers.common.rules import Refusal
from storage.models import Person

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
SERVICES = web.AppKey("api_services", ApiServices)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "rule_violation",
    429: "too_many_requests",
}


def error_response(
    status: int, code: str, message: str, details: list[dict[str, str | int]] | None = None
) -> web.Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return web.json_response({"error": error}, status=status)


@web.middleware
async def api_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Inside /api/v1 every failure, even aiohttp's own 404 and 405, has the one error shape."""
    if not request.path.startswith(PREFIX):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _STATUS_CODES.get(exc.status, "error")
        response = error_response(
            exc.status, code, content.text(f"api.{code}" if exc.status in _STATUS_CODES else "api.error")
        )
        if "Allow" in exc.headers:  # a 405 says which methods the path has
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("api handler failed", extra={"path": request.path})
        return error_response(500, "internal", content.text("api.internal"))


def mount(app: web.Application, routes: list[ApiRoute]) -> None:
    for route in routes:
        app.router.add_route(route.method, PREFIX + route.path, _wrap(route))
    spec = openapi(routes)

    async def openapi_json(_request: web.Request) -> web.Response:
        return web.json_response(spec)

    app.router.add_get(PREFIX + "/openapi.json", openapi_json)


def _wrap(route: ApiRoute) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        services = request.app[SERVICES]
        person = await _limited_caller(services, route, request)
        call = ApiRequest(
            request=request,
            services=services,
            person=person,
            path=_path_values(route, request),
            query=_query_values(route.query, request),
            body=await _upload(request, route)
            if route.upload
            else await _body(route.body, request)
            if route.body
            else None,
        )
        try:
            result = await route.handler(call)
        except Refusal as refusal:
            status = route.refusal_status(refusal.key)
            raise ApiError(status, _STATUS_CODES.get(status, "rule_violation"), refusal.text()) from None
        if result is None:
            return web.Response(status=204)
        if isinstance(result, Binary):
            return web.Response(
                body=result.data, content_type=result.served_type(route.binary_types), status=route.status
            )
        return web.json_response(result.model_dump(mode="json"), status=route.status)

    handle.__name__ = route.handler.__name__
    return handle


async def _limited_caller(services: ApiServices, route: ApiRoute, request: web.Request) -> Person | None:
    """The signed-in caller (None on a public route), counted against the rate limits: a person by their
    verified identity; everyone else, a bad or random token included, by their address; logins also under
    their own per-address limit."""
    address = rate_key(client_address(request, services.trusted_proxies))
    if route.limit == "login":
        await _count(services, f"rate:login:{address}", services.login_rate_limit)
    token = bearer_token(request) if route.auth else ""
    person_id = await session_person(services.store, token) if token else None
    person = await Person.get_or_none(id=person_id) if person_id else None
    if person is not None:
        await _count(services, f"rate:p:{person.id}", services.rate_limit)
        return person
    await _count(services, f"rate:a:{address}", services.rate_limit)
    if route.auth:
        raise ApiError(401, "unauthorized", content.text("api.unauthorized"))
    return None


async def _count(services: ApiServices, bucket: str, limit: int) -> None:
    if await services.store.incr(bucket, ttl=60) > limit:
        raise ApiError(429, "too_many_requests", content.text("api.too_many_requests"))


def _bad(message_key: str, **values: Any) -> ApiError:
    return ApiError(400, "bad_request", content.text(message_key, **values))


def _path_values(route: ApiRoute, request: web.Request) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, schema in route.path_params.items():
        raw = request.match_info.get(name, "")
        if schema.get("type") == "integer":
            values[name] = _checked_integer(name, raw, schema)
        else:
            values[name] = _checked_string(name, raw, schema)
    return values


def _checked_integer(name: str, raw: str, schema: dict[str, Any]) -> int:
    """A number inside the bounds the document gives (``ApiRoute`` writes both out)."""
    if not re.fullmatch(r"-?[0-9]{1,10}", raw) or not schema["minimum"] <= int(raw) <= schema["maximum"]:
        raise _bad("api.bad_parameter", name=name)
    return int(raw)


def _checked_string(name: str, raw: str, schema: dict[str, Any]) -> str:
    if "enum" in schema and raw not in schema["enum"]:
        raise _bad("api.bad_parameter", name=name)
    if not re.fullmatch(schema.get("pattern", r".{1,64}").removeprefix("^").removesuffix("$"), raw):
        raise _bad("api.bad_parameter", name=name)
    return raw


def _query_values(params: list[QueryParam], request: web.Request) -> dict[str, Any]:
    values: dict[str, Any] = {}
    known = {p.name for p in params}
    for name in request.query:
        if name not in known:
            raise _bad("api.bad_parameter", name=name)
    for param in params:
        raw = request.query.get(param.name)
        if raw is None:
            if param.required:
                raise _bad("api.missing_parameter", name=param.name)
            if "default" in param.schema:
                values[param.name] = param.schema["default"]
            continue
        if param.schema.get("type") == "integer":
            values[param.name] = _checked_integer(param.name, raw, param.schema)
        else:
            values[param.name] = _checked_string(param.name, raw, param.schema)
    return values


async def _upload(request: web.Request, route: ApiRoute) -> Binary:
    """A file body of a kind the route takes (an image: JPEG or PNG), as its Content-Type says and its
    first bytes confirm."""
    kind = request.content_type
    try:
        data = await read_limited(request, route.upload_limit)
    except TooLarge:
        raise ApiError(413, "too_large", content.text("api.too_large")) from None
    magic = route.upload_types.get(kind)
    if magic is None:  # a kind the route does not take
        raise ApiError(415, "unsupported_media_type", content.text(route.upload_refused))
    if not data.startswith(magic):  # the declared kind, but the bytes are something else
        raise ApiError(422, "unreadable_file", content.text(route.upload_refused))
    return Binary(data, kind)


async def _body(model: type[BaseModel], request: web.Request) -> BaseModel:
    try:
        raw = await request.read()
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _bad("api.bad_json") from None
    if not isinstance(data, dict):
        raise _bad("api.bad_json")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise _bad("api.bad_field", field=where) from None


# -- OpenAPI ----------------------------------------------------------------------------------------
def openapi(routes: list[ApiRoute]) -> dict[str, Any]:
    components: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, part in [*schema.pop("$defs", {}).items(), (model.__name__, schema)]:
            # two slices' models of one name would silently describe one route with the other's fields
            if components.get(name, part) != part:
                raise ValueError(f"two API models are named {name}: give one another name")
            components[name] = part
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    error = {"content": {"application/json": {"schema": ref(ErrorOut)}}}
    paths: dict[str, Any] = {}
    for route in routes:
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": schema}
            for name, schema in route.path_params.items()
        ] + [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "schema": p.schema,
                "description": p.description,
            }
            for p in route.query
        ]
        responses: dict[str, Any] = {}
        if route.binary:
            binary = {"schema": {"type": "string", "format": "binary"}}
            responses[str(route.status)] = {
                "description": "OK",
                "content": dict.fromkeys(route.binary_types, binary),
            }
        elif route.response is None:
            responses[str(route.status if route.status != 200 else 204)] = {"description": "done"}
        else:
            responses[str(route.status)] = {
                "description": "OK",
                "content": {"application/json": {"schema": ref(route.response)}},
            }
        codes = set(route.errors) | {429} | {route.refusal_status(key) for key in route.refusals}
        if route.upload:
            codes |= {413, 415, 422}
        if route.body or route.upload or route.query or route.path_params:
            codes.add(400)
        if route.auth:
            codes.add(401)
        for code in sorted(codes):
            responses[str(code)] = {"description": _STATUS_CODES.get(code, "error"), **error}
        operation: dict[str, Any] = {
            "operationId": route.handler.__name__,
            "summary": route.summary,
            "tags": [route.tag],
            "parameters": parameters,
            "responses": responses,
        }
        if route.upload:
            binary_body = {"schema": {"type": "string", "format": "binary"}}
            operation["requestBody"] = {
                "required": True,
                "content": dict.fromkeys(route.upload_types, binary_body),
            }
        elif route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(route.body)}},
            }
        if route.auth:
            operation["security"] = [{"bearer": []}]
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "community-bot mini-program API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


__all__ = ["PAGE_PARAMS", "SERVICES", "mount", "openapi"]
