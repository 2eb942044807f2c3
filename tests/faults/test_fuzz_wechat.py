"""The WeChat endpoint fuzzed with bodies WeChat would never send, signed and encrypted as WeChat does (so
that they reach the parser and the turn) and raw: every answer is a 2xx or a 4xx, never a 5xx, and nothing
unreadable becomes a person."""

from __future__ import annotations

import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.models import Person
from tests.e2e.conftest import MakeSim
from tests.wechat_sim import ACCOUNT

FIELDS = [
    "Content",
    "MsgId",
    "Event",
    "EventKey",
    "MediaId",
    "PicUrl",
    "Recognition",
    "Location_X",
    "Location_Y",
    "Scale",
    "Label",
    "Url",
    "Latitude",
    "Longitude",
    "Ticket",
    "Format",
    "CreateTime",
    "FromUserName",
    "MsgType",
    "ToUserName",
]
TYPES = ["text", "image", "voice", "video", "shortvideo", "location", "link", "event", "file", "", "TEXT"]
EVENTS = [
    "subscribe",
    "unsubscribe",
    "SCAN",
    "LOCATION",
    "CLICK",
    "VIEW",
    "subscribe_scan_product",
    "templatesendjobfinish",
    "MASSSENDJOBFINISH",
    "",
    "x" * 300,
]
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "]]>",
            "<xml>",
            "&amp;",
            "0",
            "-1",
            "1e309",
            "nan",
            "99999999999999999999",
            "取消",
            "帮助",
            "我住3栋2单元502",
            "楼道灯坏了",
            "x" * 3000,
        ]
    ),
)


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """An XML message as WeChat shapes them, with fields missing, repeated, nested, empty or absurd."""
    user = draw(st.one_of(st.just("o-fuzz"), st.text(min_size=0, max_size=80)))
    parts = [f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"]
    parts.append(f"<FromUserName><![CDATA[{user.replace(']]>', '')}]]></FromUserName>")
    parts.append(
        f"<CreateTime>{draw(st.sampled_from([str(int(time.time())), '', 'abc', '-5']))}</CreateTime>"
    )
    parts.append(f"<MsgType><![CDATA[{draw(st.sampled_from(TYPES))}]]></MsgType>")
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(FIELDS))
        value = draw(st.sampled_from(EVENTS)) if name == "Event" else draw(texts)
        value = value.replace("]]>", "")
        if draw(st.integers(0, 9)) == 0:
            parts.append(f"<{name}><{name}>{value}</{name}></{name}>")  # nested
        else:
            parts.append(f"<{name}><![CDATA[{value}]]></{name}>")
    draw(st.randoms()).shuffle(parts)
    body = "<xml>" + "".join(parts) + "</xml>"
    if draw(st.integers(0, 9)) == 0:
        body = body[: draw(st.integers(0, len(body)))]  # cut short
    return body


async def test_fuzzed_messages_never_make_a_5xx(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    statuses: list[int] = []

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=bodies())
    def collect(body: str) -> None:
        cases.append(body)

    cases: list[str] = []
    collect()
    for body in cases:
        status, raw = await sim.post(body)
        assert status < 500, (body, raw)
        statuses.append(status)
    assert 200 in statuses and 400 in statuses  # both the readable and the unreadable were seen
    assert not await Person.filter(openid="").exists()
    longest = max([len(p) for p in await Person.all().values_list("openid", flat=True) if p] or [0])
    assert longest <= 64


async def test_raw_bytes_and_broken_envelopes_are_4xx(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    rng = random.Random(7)
    good_body, good_query = sim.envelope(
        "<xml><FromUserName>o</FromUserName></xml>", str(int(time.time())), "n1"
    )
    for _ in range(200):
        kind = rng.randrange(4)
        if kind == 0:  # random bytes under a valid signature
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600)))
            query = good_query
        elif kind == 1:  # the envelope with its ciphertext damaged
            cut = rng.randrange(len(good_body))
            body = (good_body[:cut] + "A" * rng.randrange(0, 40) + good_body[cut + 1 :]).encode()
            query = good_query
        elif kind == 2:  # the query damaged
            body = good_body.encode()
            query = {
                k: (v[: rng.randrange(len(v) + 1)] if rng.random() < 0.5 else v)
                for k, v in good_query.items()
            }
        else:  # nothing at all, or far too much
            body = b"" if rng.random() < 0.5 else b"<xml>" + b"a" * 70_000 + b"</xml>"
            query = good_query
        response = await sim.client.post(sim.path, params=query, data=body)
        assert response.status < 500, (kind, body[:80], await response.text())
