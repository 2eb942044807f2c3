import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.messages import EventName, Kind
from bot.wechat.protocol import ProtocolError, SafeMode, escape_cdata, parse, render_text, split_text
from tests.wechat_sim import event_xml, message_xml, text_xml


def test_text() -> None:
    msg, account = parse(text_xml("o1", "你好", 42, created=1700000000))
    assert (msg.kind, msg.text, msg.user, msg.dedup_key, account) == (
        Kind.TEXT,
        "你好",
        "o1",
        "m:42",
        "gh_community",
    )


def test_voice_with_recognition_is_text() -> None:
    msg, _ = parse(
        message_xml(
            "o1", "voice", {"MediaId": "x", "Format": "amr", "Recognition": "楼道灯坏了", "MsgId": "7"}
        )
    )
    assert msg.kind is Kind.VOICE and msg.text == "楼道灯坏了" and msg.has_text


def test_voice_without_recognition() -> None:
    msg, _ = parse(message_xml("o1", "voice", {"MediaId": "x", "Format": "amr", "MsgId": "8"}))
    assert msg.kind is Kind.VOICE and not msg.has_text


def test_image_and_location() -> None:
    img, _ = parse(message_xml("o1", "image", {"PicUrl": "http://p/1.jpg", "MediaId": "m", "MsgId": "9"}))
    assert (img.kind, img.media_id, img.image_url) == (Kind.IMAGE, "m", "http://p/1.jpg")
    loc, _ = parse(
        message_xml(
            "o1",
            "location",
            {"Location_X": "25.04", "Location_Y": "102.71", "Scale": "15", "Label": "幸福里", "MsgId": "10"},
        )
    )
    assert loc.location is not None
    assert (loc.location.latitude, loc.location.longitude, loc.location.label) == (25.04, 102.71, "幸福里")


@pytest.mark.parametrize("msg_type", ["video", "shortvideo", "link", "miniprogrampage", "file"])
def test_other_kinds(msg_type: str) -> None:
    msg, _ = parse(message_xml("o1", msg_type, {"MediaId": "m", "Url": "http://x", "MsgId": "11"}))
    expected = {"video": Kind.VIDEO, "shortvideo": Kind.VIDEO, "link": Kind.LINK}.get(msg_type, Kind.UNKNOWN)
    assert msg.kind is expected


@pytest.mark.parametrize(
    ("event", "key", "expected", "expected_key"),
    [
        ("subscribe", None, EventName.SUBSCRIBE, ""),
        ("subscribe", "qrscene_xingfuli", EventName.SUBSCRIBE, "xingfuli"),
        ("unsubscribe", None, EventName.UNSUBSCRIBE, ""),
        ("SCAN", "xingfuli", EventName.SCAN, "xingfuli"),
        ("CLICK", "MENU_HELP", EventName.CLICK, "MENU_HELP"),
        ("VIEW", "https://example.org", EventName.VIEW, "https://example.org"),
        ("TEMPLATESENDJOBFINISH", None, EventName.TEMPLATE_DONE, ""),
        ("something_new", None, EventName.OTHER, ""),
    ],
)
def test_events(event: str, key: str | None, expected: EventName, expected_key: str) -> None:
    msg, _ = parse(event_xml("o1", event, key, created=1700000000))
    assert msg.kind is Kind.EVENT and msg.event is expected and msg.event_key == expected_key
    assert msg.dedup_key.startswith("e:o1:1700000000:")


def test_location_event() -> None:
    msg, _ = parse(event_xml("o1", "LOCATION", None, Latitude="25.1", Longitude="102.7", Precision="30"))
    assert msg.event is EventName.LOCATION and msg.location is not None and msg.location.latitude == 25.1


def test_events_without_msgid_dedup_by_user_time_event() -> None:
    a, _ = parse(event_xml("o1", "subscribe", None, created=1))
    b, _ = parse(event_xml("o1", "unsubscribe", None, created=1))
    c, _ = parse(event_xml("o1", "subscribe", None, created=1))
    assert a.dedup_key != b.dedup_key and a.dedup_key == c.dedup_key


BAD = [
    "",
    "not xml",
    "<xml><MsgType>text</MsgType></xml>",  # no sender
    "<xml><FromUserName>a</FromUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>"
    "<CreateTime>1</CreateTime></xml>",  # duplicated field
    "<xml><FromUserName>a</FromUserName><MsgType>text</MsgType><CreateTime>soon</CreateTime></xml>",
    "<xml><FromUserName>a</FromUserName><MsgType>location</MsgType><CreateTime>1</CreateTime>"
    "<Location_X>north</Location_X></xml>",
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    "<xml><FromUserName>&lol2;</FromUserName></xml>",  # entities are refused
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>',
]


@pytest.mark.parametrize("xml", BAD)
def test_malformed_is_a_4xx(xml: str) -> None:
    with pytest.raises(ProtocolError) as err:
        parse(xml)
    assert 400 <= err.value.status < 500


def test_cdata_escaped_in_replies() -> None:
    rendered = render_text("gh", "o1", "a]]><x>b", 1)
    assert "]]]]><![CDATA[>" in rendered
    assert escape_cdata("]]>") == "]]]]><![CDATA[>"
    assert xmltodict.parse(rendered)["xml"]["Content"] == "a]]><x>b"


def test_split_keeps_everything_within_the_limit() -> None:
    text = "\n".join(f"第{i}行：社区通知内容" * 3 for i in range(200))
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(c.encode()) <= 2048 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


def test_split_one_long_line() -> None:
    text = "长" * 3000
    chunks = split_text(text)
    assert all(len(c.encode()) <= 2048 for c in chunks) and "".join(chunks) == text


def test_short_text_is_one_chunk() -> None:
    assert split_text("你好") == ["你好"]


@pytest.mark.parametrize("text", ["好的", "a]]><x>b", "第一行\n第二行 & <b>", ""])
def test_rendered_reply_is_what_wechatpy_renders(text: str) -> None:
    from wechatpy.replies import TextReply

    expected = TextReply(source="gh_1", target="o-user", content=escape_cdata(text), time=1700000000).render()
    assert render_text("gh_1", "o-user", text, 1700000000) == expected


def _safe_mode() -> tuple[SafeMode, WeChatCrypto]:
    key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    return SafeMode("tok", key, "wxappid0001"), WeChatCrypto("tok", key, "wxappid0001")


def test_safe_mode_reads_what_wechatpy_seals_and_wechatpy_reads_ours() -> None:
    ours, theirs = _safe_mode()
    xml = "<xml><Content><![CDATA[楼道灯坏了]]></Content></xml>"
    sealed = theirs.encrypt_message(xml, "n1", "1700000000")
    fields = xmltodict.parse(sealed)["xml"]
    query = {"msg_signature": fields["MsgSignature"], "timestamp": "1700000000", "nonce": "n1"}
    assert (
        ours.decrypt(f"<xml><Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>".encode(), query) == xml
    )
    reply = ours.encrypt(xml, "n2", "1700000001")
    fields = xmltodict.parse(reply)["xml"]
    assert theirs.decrypt_message(reply, fields["MsgSignature"], "1700000001", "n2") == xml
    # wechatpy's envelope, field for field (its random prefix differs, so its Encrypt and signature do)
    shape = theirs.encrypt_message(xml, "n2", "1700000001")
    sealed = xmltodict.parse(shape)["xml"]
    expected = shape.replace(sealed["Encrypt"], fields["Encrypt"])
    assert reply == expected.replace(sealed["MsgSignature"], fields["MsgSignature"])


def test_safe_mode_refuses_another_appid_and_a_bad_signature() -> None:
    ours, _ = _safe_mode()
    other = WeChatCrypto("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxother")
    sealed = xmltodict.parse(other.encrypt_message("<xml/>", "n", "1"))["xml"]
    body = f"<xml><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>".encode()
    with pytest.raises(ProtocolError) as err:
        ours.decrypt(body, {"msg_signature": sealed["MsgSignature"], "timestamp": "1", "nonce": "n"})
    assert err.value.status == 403
    with pytest.raises(ProtocolError) as err:
        ours.decrypt(body, {"msg_signature": "0" * 40, "timestamp": "1", "nonce": "n"})
    assert (err.value.status, err.value.reason) == (403, "bad msg_signature")
