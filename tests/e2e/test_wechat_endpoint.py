"""/wechat end to end, with the tests acting as the WeChat server."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from bot.dispatcher import Context, Phase, Router, has_text
from storage.models import Person, StaffMessage
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import TOKEN, WeChatSim, event_xml, message_xml, sign, text_xml

ids = itertools.count(10_000)


# -- GET verification --------------------------------------------------------------------------------
async def test_get_verification(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    ts, nonce = str(int(time.time())), "n1"
    ok = await sim.client.get(
        "/wechat",
        params={"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "hello123"},
    )
    assert ok.status == 200 and await ok.text() == "hello123"
    bad = await sim.client.get(
        "/wechat", params={"signature": "0" * 40, "timestamp": ts, "nonce": nonce, "echostr": "x"}
    )
    assert bad.status == 403
    unsigned = await sim.client.get("/wechat", params={"echostr": "x"})
    assert unsigned.status == 403


# -- the three push modes ----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
async def test_text_round_trip_in_every_mode(make_sim: MakeSim, mode: str) -> None:
    sim = await make_sim(mode)
    status, raw = await sim.post(text_xml("o-mode", "你好", next(ids)))
    assert status == 200
    if mode != "plain":
        assert "<Encrypt>" in raw and "你好" not in raw
    reply = sim.reply(raw)
    assert reply["ToUserName"] == "o-mode" and reply["FromUserName"] == "gh_community"
    assert "小助手" in reply["Content"]


async def test_a_whole_conversation_in_safe_mode(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    user = "o-binder"
    assert "欢迎关注" in sim.reply((await sim.post(event_xml(user, "subscribe")))[1])["Content"]
    assert "哪个社区" in await sim.say(user, "我要绑定住址", next(ids))
    assert "门牌号" in await sim.say(user, "1", next(ids))
    assert "3栋2单元502" in await sim.say(user, "3-2-502", next(ids))
    assert "绑定成功" in await sim.say(user, "1", next(ids))
    assert (await Person.get(openid=user)).home_id is not None


# -- refusals ----------------------------------------------------------------------------------------
async def test_bad_signature_refused(make_sim: MakeSim) -> None:
    sim = await make_sim("plain")
    ts = str(int(time.time()))
    _, query = sim.envelope(text_xml("o1", "你好", next(ids)), ts, "n")
    query["signature"] = sign("wrong-token", ts, "n")
    status, _ = await sim.post(text_xml("o1", "你好", next(ids)), query=query)
    assert status == 403
    assert not await Person.exists(openid="o1")


@pytest.mark.parametrize("mode", ["plain", "safe"])
async def test_stale_timestamp_refused(make_sim: MakeSim, mode: str) -> None:
    sim = await make_sim(mode)
    status, _ = await sim.post(text_xml("o1", "你好", next(ids)), timestamp=str(int(time.time()) - 3600))
    assert status == 403


async def test_repeated_nonce_is_not_refused(make_sim: MakeSim) -> None:
    """WeChat's retries reuse the nonce; a nonce seen before must not be refused."""
    sim = await make_sim("safe")
    ts = str(int(time.time()))
    a = await sim.post(text_xml("o1", "你好", next(ids)), timestamp=ts, nonce="same")
    b = await sim.post(text_xml("o1", "谢谢", next(ids)), timestamp=ts, nonce="same")
    assert a[0] == b[0] == 200


async def test_tampered_msg_signature_refused(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    ts, nonce = str(int(time.time())), "n"
    body, query = sim.envelope(text_xml("o1", "你好", next(ids)), ts, nonce)
    query["msg_signature"] = "f" * 40
    response = await sim.client.post("/wechat", params=query, data=body.encode())
    assert response.status == 403


async def test_tampered_ciphertext_refused(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    ts, nonce = str(int(time.time())), "n"
    garbage = "A" * 64
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
    query = {
        "signature": sign(TOKEN, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": sign(TOKEN, ts, nonce, garbage),
    }
    response = await sim.client.post("/wechat", params=query, data=body.encode())
    assert response.status == 400


async def test_plaintext_refused_in_safe_mode(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    ts, nonce = str(int(time.time())), "n"
    query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}  # a valid query string
    response = await sim.client.post("/wechat", params=query, data=text_xml("o1", "绑定", 1).encode())
    assert response.status == 403
    assert not await Person.exists(openid="o1")


ENTITY_ATTACKS = [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><xml><ToUserName>a</ToUserName><FromUserName>&lol3;'
    "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><FromUserName>&xxe;</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
]


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("xml", ENTITY_ATTACKS)
async def test_entity_attacks_refused(make_sim: MakeSim, mode: str, xml: str) -> None:
    sim = await make_sim(mode)
    status, _ = await sim.post(xml)
    assert status == 400


@pytest.mark.parametrize("body", [b"", b"not xml", b"<xml><Encrypt>", "<xml>\u00e9</xml>".encode("latin-1")])
async def test_malformed_bodies_are_4xx(make_sim: MakeSim, body: bytes) -> None:
    for mode in ("plain", "safe"):
        sim = await make_sim(mode)
        ts, nonce = str(int(time.time())), "n"
        query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
        if mode == "safe":
            query |= {"encrypt_type": "aes", "msg_signature": sign(TOKEN, ts, nonce, "x")}
        response = await sim.client.post("/wechat", params=query, data=body)
        assert 400 <= response.status < 500, (mode, body, response.status)


async def test_oversize_body_refused(make_sim: MakeSim) -> None:
    sim = await make_sim("plain")
    status, _ = await sim.post(text_xml("o1", "长" * 40_000, next(ids)))
    assert status == 413


# -- every message type ------------------------------------------------------------------------------
MESSAGES = [
    (message_xml("o-t", "image", {"PicUrl": "http://p/1.jpg", "MediaId": "m", "MsgId": "201"}), "收到照片"),
    (
        message_xml(
            "o-t", "voice", {"MediaId": "m", "Format": "amr", "Recognition": "我要绑定住址", "MsgId": "202"}
        ),
        "哪个社区",
    ),
    (message_xml("o-t2", "voice", {"MediaId": "m", "Format": "amr", "MsgId": "203"}), "没听清"),
    (message_xml("o-t", "video", {"MediaId": "m", "ThumbMediaId": "t", "MsgId": "204"}), "暂时看不了"),
    (message_xml("o-t", "shortvideo", {"MediaId": "m", "ThumbMediaId": "t", "MsgId": "205"}), "暂时看不了"),
    (
        message_xml(
            "o-t3",
            "location",
            {"Location_X": "25.04", "Location_Y": "102.71", "Scale": "15", "Label": "幸福里", "MsgId": "206"},
        ),
        "我可以帮您",
    ),
    (
        message_xml("o-t", "link", {"Title": "t", "Description": "d", "Url": "http://x", "MsgId": "207"}),
        "暂时看不了",
    ),
    (message_xml("o-t", "brand_new_type", {"MsgId": "208"}), "暂时看不了"),
    (event_xml("o-e", "subscribe"), "欢迎关注"),
    (event_xml("o-e2", "subscribe", "qrscene_xingfuli", Ticket="t"), "欢迎关注幸福里社区"),
    (event_xml("o-e", "SCAN", "xingfuli", Ticket="t"), "欢迎回来"),
    # WeChat's own keys are longer than any community code: a welcome all the same, not a traceback
    (event_xml("o-e4", "subscribe", "last_trade_no_4200001234202611301234567890"), "欢迎关注"),
    (event_xml("o-e5", "SCAN", "x" * 500, Ticket="t"), "欢迎回来"),
    (event_xml("o-e6", "subscribe_scan_product", "6901234567892"), "欢迎关注"),
    (event_xml("o-e3", "CLICK", "MENU_HELP"), "我可以帮您"),
    (event_xml("o-e", "VIEW", "https://example.org"), None),
    (event_xml("o-e", "LOCATION", None, Latitude="25.1", Longitude="102.7", Precision="30"), None),
    (event_xml("o-e", "TEMPLATESENDJOBFINISH", None, MsgID="9", Status="success"), None),
    (event_xml("o-e", "unsubscribe"), None),
]


async def test_a_follow_from_a_product_scan_is_recorded_as_following(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    await sim.post(event_xml("o-p", "unsubscribe"))
    assert not (await Person.get(openid="o-p")).following
    status, raw = await sim.post(event_xml("o-p", "subscribe_scan_product", "6901234567892"))
    assert status == 200 and "欢迎关注" in sim.reply(raw)["Content"]
    assert (await Person.get(openid="o-p")).following


async def test_a_sender_that_cannot_be_an_openid_is_refused_at_the_edge(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    status, _ = await sim.post(text_xml("o" * 65, "你好", next(ids)))
    assert status == 400
    assert not await Person.filter(openid__startswith="ooooo").exists()


@pytest.mark.parametrize(("xml", "expected"), MESSAGES)
async def test_every_message_type(make_sim: MakeSim, xml: str, expected: str | None) -> None:
    sim = await make_sim("safe")
    status, raw = await sim.post(xml)
    assert status == 200
    if expected is None:
        assert raw == "success"
    else:
        assert expected in sim.reply(raw)["Content"]


# -- duplicates, deadline, length --------------------------------------------------------------------
async def test_concurrent_duplicate_deliveries_are_handled_once(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    user = "o-dup"
    assert "说说您的问题" in await sim.say(user, "人工", next(ids))
    xml = text_xml(user, "小区门口的井盖松了", next(ids))
    results = await asyncio.gather(*(sim.post(xml) for _ in range(4)))
    assert all(status == 200 for status, _ in results)
    contents = {sim.reply(raw).get("Content") for _, raw in results} - {None}
    assert len(contents) == 1 and "留言号" in contents.pop()
    assert await StaffMessage.filter(person__openid=user).count() == 1
    # a later retry still gets the same answer, not a second message
    status, raw = await sim.post(xml)
    assert status == 200 and (raw == "success" or "留言号" in sim.reply(raw)["Content"])
    assert await StaffMessage.filter(person__openid=user).count() == 1


def slow_router(delay: float) -> Router:
    router = Router("test.slow")

    @router.handle(has_text(), lambda ctx: ctx.msg.text == "慢", phase=Phase.GLOBAL)
    async def slow(ctx: Context) -> None:
        await asyncio.sleep(delay)
        ctx.say_text("慢慢来，已经办好了")

    @router.handle(has_text(), lambda ctx: ctx.msg.text == "长", phase=Phase.GLOBAL)
    async def long(ctx: Context) -> None:
        ctx.say_text("\n".join(f"第{i}条：社区公告内容很长很长" for i in range(300)))

    return router


async def wait_for(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_slow_handler_answered_before_the_deadline_then_sent(
    make_sim: MakeSim, fake_api: FakeWeChatAPI
) -> None:
    sim = await make_sim("safe", extra_routers=[slow_router(1.0)], reply_deadline=0.3)
    xml = text_xml("o-slow", "慢", next(ids))
    started = time.monotonic()
    status, raw = await sim.post(xml)
    assert status == 200 and raw == "success"
    assert time.monotonic() - started < 0.9
    retry_status, retry_raw = await sim.post(xml)  # WeChat's retry meanwhile: success, no second turn
    assert retry_status == 200 and retry_raw == "success"
    await wait_for(lambda: fake_api.sent_texts("o-slow"))
    await asyncio.sleep(0.1)
    assert fake_api.sent_texts("o-slow") == ["慢慢来，已经办好了"]
    assert len(fake_api.of("/cgi-bin/stable_token")) == 1


async def test_past_the_turn_limit_answered_at_once_and_replied_later(
    make_sim: MakeSim, fake_api: FakeWeChatAPI
) -> None:
    # one turn at a time: while it runs, others are answered `success` at once and replied to later
    sim = await make_sim(
        "safe", extra_routers=[slow_router(0.8)], max_turns=1, turn_backlog=2, turn_backlog_seconds=0
    )
    busy = asyncio.ensure_future(sim.post(text_xml("o-busy", "慢", next(ids))))
    await asyncio.sleep(0.2)
    waiting = text_xml("o-wait", "帮助", next(ids))
    started = time.monotonic()
    status, raw = await sim.post(waiting)
    assert (status, raw) == (200, "success") and time.monotonic() - started < 0.5
    again = await sim.post(waiting)  # WeChat's retry while it waits: not queued twice
    assert again == (200, "success")
    third = await sim.post(text_xml("o-third", "帮助", next(ids)))
    assert third == (200, "success")
    # the queue is full: WeChat is asked to deliver it again rather than the message being dropped
    full, _ = await sim.post(text_xml("o-4", "帮助", next(ids)))
    assert full == 503
    assert (await busy)[0] == 200
    await wait_for(lambda: fake_api.sent_texts("o-wait") and fake_api.sent_texts("o-third"))
    await asyncio.sleep(0.2)
    assert len(fake_api.sent_texts("o-wait")) == 1 and "我可以帮您" in fake_api.sent_texts("o-wait")[0]


async def test_a_queued_turn_given_up_tells_the_resident(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    from bot.app import ENDPOINT

    sim = await make_sim("safe", extra_routers=[slow_router(1.0)], max_turns=1)
    sim.client.server.app[ENDPOINT].turn_limit = 0.3
    busy = asyncio.ensure_future(sim.post(text_xml("o-first", "慢", next(ids))))
    await asyncio.sleep(0.1)
    assert await sim.post(text_xml("o-stuck", "慢", next(ids))) == (200, "success")  # queued
    await busy
    await wait_for(lambda: fake_api.sent_texts("o-stuck"), timeout=8)
    assert "出了点问题" in fake_api.sent_texts("o-stuck")[0]  # told, not left waiting


async def test_the_loop_lag_is_measured() -> None:
    from bot.wechat.endpoint import LoopLag

    lag = LoopLag(every=0.02)
    lag.ensure_running()
    await asyncio.sleep(0.05)
    time.sleep(0.3)  # the loop is blocked: everything due waits
    await asyncio.sleep(0.005)
    try:
        assert lag.value >= 0.2
    finally:
        lag.stop()


async def test_long_reply_is_split_not_lost(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    sim = await make_sim("safe", extra_routers=[slow_router(0)])
    status, raw = await sim.post(text_xml("o-long", "长", next(ids)))
    assert status == 200
    first = sim.reply(raw)["Content"]
    assert len(first.encode()) <= 2048
    whole = "\n".join(f"第{i}条：社区公告内容很长很长" for i in range(300))
    # every part sent, however slow the machine (a fixed pause lost the last parts under load, and so did
    # waiting for all but 300 characters: the last part may be shorter than that)
    bare = len(whole.replace("\n", ""))
    await wait_for(
        lambda: (
            sum(len(p.replace("\n", "")) for p in fake_api.sent_texts("o-long"))
            + len(first.replace("\n", ""))
            >= bare
        ),
        timeout=20.0,
    )
    await asyncio.sleep(0.2)  # and nothing more after them
    rest = fake_api.sent_texts("o-long")
    assert all(len(part.encode()) <= 2048 for part in rest)
    assert "".join([first, *rest]).replace("\n", "") == whole.replace("\n", "")


async def test_user_text_with_cdata_end_is_kept_and_escaped(make_sim: MakeSim) -> None:
    echo = Router("test.echo")

    @echo.handle(has_text(), lambda ctx: ctx.msg.text.startswith("echo "), phase=Phase.GLOBAL)
    async def say_back(ctx: Context) -> None:
        ctx.say_text(ctx.msg.text.removeprefix("echo "))

    for mode in ("plain", "safe"):
        sim = await make_sim(mode, extra_routers=[echo])
        status, raw = await sim.post(text_xml("o-cdata", "echo a]]><MsgType>evil</MsgType>", next(ids)))
        assert status == 200
        reply = sim.reply(raw)
        assert reply["Content"] == "a]]><MsgType>evil</MsgType>" and reply["MsgType"] == "text"
    user = "o-cdata2"
    await sim.say(user, "人工", next(ids))
    await sim.say(user, "a]]><evil/>", next(ids))
    assert (await StaffMessage.get(person__openid=user)).text == "a]]><evil/>"


async def test_healthz(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    response = await sim.client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"ok": True, "database": True, "store": True}
    assert response.headers["X-Request-Id"]


@pytest.mark.redis_only
async def test_duplicates_across_two_workers_are_handled_once(make_sim: MakeSim) -> None:
    """Two app instances (two worker processes' worth) on one Redis and one database."""
    first, second = await make_sim("safe"), await make_sim("safe")
    user = "o-two-workers"
    assert "说说您的问题" in await first.say(user, "人工", next(ids))
    xml = text_xml(user, "垃圾站的灯不亮", next(ids))
    results = await asyncio.gather(*(sim.post(xml) for sim in (first, second, first, second)))
    assert all(status == 200 for status, _ in results)
    assert await StaffMessage.filter(person__openid=user).count() == 1
    # the dialog state is shared too: the second worker continues what the first began
    assert "说说您的问题" in await second.say(user, "人工", next(ids))
    assert "留言号" in await first.say(user, "第二件事", next(ids))


async def test_shutdown_finishes_the_replies_in_flight(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    sim = await make_sim("safe", extra_routers=[slow_router(0.6)], reply_deadline=0.2)
    status, raw = await sim.post(text_xml("o-shutdown", "慢", next(ids)))
    assert status == 200 and raw == "success"
    await sim.client.close()  # the app shuts down while the turn is still running
    assert fake_api.sent_texts("o-shutdown") == ["慢慢来，已经办好了"]


async def test_a_body_sent_in_pieces_is_read_whole(make_sim: MakeSim) -> None:
    """No Content-Length, the body streamed in small chunks: still read whole (and capped when too big)."""
    sim = await make_sim("plain")
    ts, nonce = str(int(time.time())), "n"
    query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    xml = text_xml("o-chunks", "你好" + " " * 3000, next(ids)).encode()

    async def pieces(data: bytes, size: int = 100):  # type: ignore[no-untyped-def]
        for i in range(0, len(data), size):
            yield data[i : i + size]

    response = await sim.client.post("/wechat", params=query, data=pieces(xml))
    assert response.status == 200 and "小助手" in sim.reply(await response.text())["Content"]
    huge = await sim.client.post("/wechat", params=query, data=pieces(xml * 30, 4096))
    assert huge.status == 413


async def test_a_retry_of_a_queued_message_is_not_answered_again(
    make_sim: MakeSim, fake_api: FakeWeChatAPI
) -> None:
    # a queued message was answered `success` and its reply goes out through the outbox: a later delivery
    # of it (WeChat retries when that `success` came too late) answers `success`, not the reply again
    sim = await make_sim("safe", extra_routers=[slow_router(0.5)], max_turns=1, turn_backlog=2)
    busy = asyncio.ensure_future(sim.post(text_xml("o-busy2", "慢", next(ids))))
    await asyncio.sleep(0.1)
    waiting = text_xml("o-queued", "帮助", next(ids))
    assert await sim.post(waiting) == (200, "success")
    await busy
    await wait_for(lambda: fake_api.sent_texts("o-queued"))
    assert await sim.post(waiting) == (200, "success")
    await asyncio.sleep(0.2)
    assert len(fake_api.sent_texts("o-queued")) == 1


async def test_a_late_turn_given_up_tells_the_resident(make_sim: MakeSim, fake_api: FakeWeChatAPI) -> None:
    # answered `success` at the deadline, then stuck past the turn limit: stopped, and never left unanswered
    from bot.app import ENDPOINT

    sim = await make_sim("safe", extra_routers=[slow_router(2.0)], reply_deadline=0.2)
    sim.client.server.app[ENDPOINT].turn_limit = 0.5
    assert await sim.post(text_xml("o-stuck-late", "慢", next(ids))) == (200, "success")
    await wait_for(lambda: fake_api.sent_texts("o-stuck-late"), timeout=8)
    await asyncio.sleep(2.0)  # the turn itself never finishes: nothing more is sent
    assert len(fake_api.sent_texts("o-stuck-late")) == 1
    assert "出了点问题" in fake_api.sent_texts("o-stuck-late")[0]


async def full_backlog(make_sim: MakeSim) -> tuple[WeChatSim, asyncio.Future[tuple[int, str]]]:
    """One slow turn running, one queued: the next message finds no slot and a full queue."""
    sim = await make_sim("safe", extra_routers=[slow_router(1.0)], max_turns=1, turn_backlog=1)
    running = asyncio.ensure_future(sim.post(text_xml("o-running", "慢", next(ids))))
    await asyncio.sleep(0.2)
    assert await sim.post(text_xml("o-queued", "帮助", next(ids))) == (200, "success")
    return sim, running


async def test_refusals_under_overload_are_logged_once_not_per_message(
    make_sim: MakeSim, caplog: pytest.LogCaptureFixture
) -> None:
    sim, running = await full_backlog(make_sim)
    statuses = [(await sim.post(text_xml(f"o-shed-{i}", "帮助", next(ids))))[0] for i in range(5)]
    assert statuses == [503] * 5
    assert len([r for r in caplog.records if "overloaded" in r.getMessage()]) == 1
    assert (await running)[0] == 200


async def test_a_full_backlog_refuses_before_decrypting(make_sim: MakeSim) -> None:
    sim, running = await full_backlog(make_sim)
    ts, nonce, garbage = str(int(time.time())), "n", "A" * 64  # signed, but no message inside
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
    query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "encrypt_type": "aes",
             "msg_signature": sign(TOKEN, ts, nonce, garbage)}  # fmt: skip
    assert (await sim.client.post("/wechat", params=query, data=body.encode())).status == 503
    query["signature"] = "0" * 40  # not WeChat: refused as ever, never told to come back
    assert (await sim.client.post("/wechat", params=query, data=body.encode())).status == 403
    assert (await running)[0] == 200


def signed_garbage() -> tuple[dict[str, str], bytes]:
    """A request WeChat could have signed, with no message inside: refused before decryption, or a 4xx."""
    ts, nonce, garbage = str(int(time.time())), "n", "A" * 64
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
    query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "encrypt_type": "aes",
             "msg_signature": sign(TOKEN, ts, nonce, garbage)}  # fmt: skip
    return query, body.encode()


async def test_a_loop_behind_round_after_round_refuses_before_reading(make_sim: MakeSim) -> None:
    # overload: every round of the loop runs late, so every request waits unseen; the endpoint refuses
    # (503, WeChat delivers again) before reading the body, until the loop has caught up
    sim = await make_sim("safe", shed_lag=0.2)
    assert (await sim.post(text_xml("o-early", "帮助", next(ids))))[0] == 200  # the lag watch is running
    stop = asyncio.Event()

    async def hog() -> None:
        while not stop.is_set():
            time.sleep(0.3)  # the point: each round of the loop runs 0.3 s late
            await asyncio.sleep(0)

    hogging = asyncio.ensure_future(hog())
    await asyncio.sleep(1.5)
    try:
        query, body = signed_garbage()
        assert (await sim.client.post("/wechat", params=query, data=body)).status == 503  # never decrypted
        assert (await sim.post(text_xml("o-shed", "帮助", next(ids))))[0] == 503
    finally:
        stop.set()
        await hogging
    await asyncio.sleep(0.5)
    status, raw = await sim.post(text_xml("o-shed", "帮助", next(ids)))
    assert status == 200 and "我可以帮您" in sim.reply(raw)["Content"]


async def test_one_long_step_of_the_loop_refuses_nothing(make_sim: MakeSim) -> None:
    sim = await make_sim("safe", shed_lag=0.2)
    assert (await sim.post(text_xml("o-step", "帮助", next(ids))))[0] == 200
    await asyncio.sleep(0.2)
    time.sleep(0.8)  # one long step (a model loaded, the machine paused): not overload
    status, raw = await sim.post(text_xml("o-step", "帮助", next(ids)))
    assert status == 200 and "我可以帮您" in sim.reply(raw)["Content"]


async def test_the_queue_holds_seconds_of_work_at_the_rate_turns_finish(make_sim: MakeSim) -> None:
    from bot.app import ENDPOINT

    sim = await make_sim("safe", max_turns=4, turn_backlog=2000, turn_backlog_seconds=3.0)
    endpoint = sim.client.server.app[ENDPOINT]
    assert endpoint.backlog_limit() == 4  # no rate known yet: one round of the turn slots
    now = time.monotonic()
    for i in range(50):  # 50 turns over the last 5 seconds: 10 a second, 30 in 3 s
        endpoint.finished.note(now - 4.9 + i * 0.098)
    assert endpoint.backlog_limit() == 30
    for _ in range(20_000):  # far faster than the configured bound allows
        endpoint.finished.note(now)
    assert endpoint.backlog_limit() == 2000


def test_throughput_counts_a_burst_from_its_start() -> None:
    from bot.wechat.endpoint import Throughput

    meter = Throughput(window=5.0)
    assert meter.rate(100.0) == 0.0
    for i in range(10):  # ten turns in the first second of a burst after a quiet spell
        meter.note(100.0 + i * 0.1)
    assert meter.rate(101.0) == pytest.approx(10.0)
    assert meter.rate(106.5) == 0.0  # all older than the window


async def test_a_queued_turn_waits_while_the_loop_is_behind(make_sim: MakeSim) -> None:
    # its resident has had `success`; the requests waiting unseen have their deadline running
    from bot.app import ENDPOINT

    sim = await make_sim("safe", shed_lag=1.0)
    endpoint = sim.client.server.app[ENDPOINT]
    for late in (0.6, 0.7, 0.6):  # behind round after round (the watch is not running)
        endpoint.lag.record(late)
    waiting = asyncio.ensure_future(endpoint._loop_caught_up())
    await asyncio.sleep(0.3)
    assert not waiting.done()
    endpoint.lag.record(0.55)  # less behind, not yet calm (half of SHED_LAG)
    await asyncio.sleep(0.1)
    assert not waiting.done()
    for late in (0.0, 0.0, 0.0):  # caught up
        endpoint.lag.record(late)
    await asyncio.wait_for(waiting, 1.0)


async def _raw_post(sim: WeChatSim, xml: str, *, stall: float) -> int:
    """POST a message over a socket of its own, then hold the event loop for ``stall`` seconds before the
    server may see it: the request's bytes wait in the kernel, unseen by the loop, as under overload."""
    from urllib.parse import urlencode

    ts, nonce = str(int(time.time())), "n0nce"
    body, params = sim.envelope(xml, ts, nonce)
    data = body.encode()
    server = sim.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    head = (
        f"POST /wechat?{urlencode(params)} HTTP/1.1\r\nHost: {server.host}\r\n"
        f"Content-Type: text/xml\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + data)  # in the kernel at once: the socket's buffer is empty
    time.sleep(stall)  # the point: the loop runs nothing meanwhile (one long step, not overload)
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_a_message_that_waited_unseen_too_long_is_refused_before_reading(make_sim: MakeSim) -> None:
    # the kernel tells how long ago the request's bytes arrived (TCP_INFO); the loop's lag cannot see a
    # request that waited in the listen queue, and one long step of the loop is no overload
    sim = await make_sim("safe", shed_wait=0.3)
    assert (await sim.post(text_xml("o-wait", "帮助", next(ids))))[0] == 200
    assert await _raw_post(sim, text_xml("o-wait", "帮助", next(ids)), stall=0.6) == 503
    assert await _raw_post(sim, text_xml("o-wait", "帮助", next(ids)), stall=0.0) == 200


async def test_the_deadline_counts_from_when_the_bytes_arrived(make_sim: MakeSim) -> None:
    # a message that waited unseen for most of WeChat's deadline is answered `success` at once and its
    # turn queued (the reply follows as a customer-service message), not started with no time left
    sim = await make_sim("safe", shed_wait=10.0, reply_deadline=1.0)
    assert (await sim.post(text_xml("o-late", "帮助", next(ids))))[0] == 200
    from bot.app import ENDPOINT

    endpoint = sim.client.server.app[ENDPOINT]
    endpoint.lag.stop()  # only the kernel's account may tell: the loop's lag watch would see the stall too

    def queued() -> float:
        name, labels = "community_bot_late_replies_total", {"reason": "queued"}
        return endpoint.metrics.registry.get_sample_value(name, labels) or 0.0

    before = queued()
    assert await _raw_post(sim, text_xml("o-late", "帮助", next(ids)), stall=0.8) == 200
    assert queued() == before + 1
