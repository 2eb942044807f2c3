"""Text in request bodies: what the server takes is what the OpenAPI document says, to the character.

The server refuses control characters, strips the spaces around text and counts ``min_length`` on what is
left; the document says so with a pattern. Here both are checked on the same strings, and every body's own
patterns (a room number, a display name) are checked to admit no control character either.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError

import handlers
from bot.api.core import StrictIn, text_pattern
from bot.api.server import openapi


class Sample(StrictIn):
    free: str = ""
    one: str = Field(min_length=1, max_length=20)
    two: str = Field(default="ab", min_length=2, max_length=20)


def server_takes(field: str, text: str) -> bool:
    values = {"one": "x", field: text}
    try:
        Sample.model_validate(values)
    except ValidationError:
        return False
    return True


def document_takes(field: str, text: str) -> bool:
    prop = Sample.model_json_schema()["properties"][field]
    if len(text) > prop.get("maxLength", len(text)) or len(text) < prop.get("minLength", 0):
        return False
    return re.search(prop["pattern"], text) is not None


TEXT = st.text(
    alphabet=st.sampled_from(list("ab中 \t\n\r\x00\x01\x0b\x0c\x1c\x1f\x7f\x85\xa0\u2003\u3000\ufeff")),
    max_size=24,
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from(["free", "one", "two"]), text=TEXT)
def test_the_server_and_the_document_take_the_same_text(field: str, text: str) -> None:
    assert server_takes(field, text) == document_takes(field, text), (field, text)


def test_text_is_kept_stripped_and_its_length_counted_after() -> None:
    assert Sample.model_validate({"one": "  好 "}).one == "好"
    assert not server_takes("two", " 好 ")  # one character once stripped, though three were sent
    assert not server_takes("one", "\u3000 ")  # only spaces
    assert not server_takes("free", "ok\x00")
    assert re.fullmatch(text_pattern(2)[1:-1], "a \tb")


def _own_patterns(schema: Any) -> list[str]:
    found: list[str] = []
    if isinstance(schema, dict):
        if schema.get("type") == "string" and "pattern" in schema:
            found.append(schema["pattern"])
        for value in schema.values():
            found.extend(_own_patterns(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_own_patterns(value))
    return found


def request_patterns() -> list[str]:
    bodies: list[type[BaseModel]] = [r.body for r in handlers.api_routes() if r.body is not None]
    patterns = {p for body in bodies for p in _own_patterns(body.model_json_schema())}
    return sorted(patterns - {text_pattern(n) for n in range(0, 10)})


@pytest.mark.parametrize("pattern", request_patterns())
def test_a_fields_own_pattern_admits_no_control_character(pattern: str) -> None:
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=st.from_regex(pattern, fullmatch=True))
    def check(text: str) -> None:
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text), (pattern, text)

    check()


def test_two_models_of_one_name_cannot_describe_two_routes() -> None:
    class A(BaseModel):
        x: int

    first = A

    class A(BaseModel):  # type: ignore[no-redef]
        y: str

    from bot.api.core import ApiRoute

    async def handler(_call: Any) -> None:
        return None

    routes = [
        ApiRoute("POST", "/one", handler, "one", None, body=first),
        ApiRoute("POST", "/two", handler, "two", None, body=A),
    ]
    with pytest.raises(ValueError, match="named A"):
        openapi(routes)
    assert openapi(handlers.api_routes())["paths"]  # the real routes have no such pair
