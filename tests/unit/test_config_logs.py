import io
import json
import logging

import pytest

from bot.config import DEFAULT_API_BASE, ConfigError, load_settings
from bot.logs import JsonFormatter, request_id, scrub
from tests.wechat_sim import AES_KEY


def test_defaults_need_nothing() -> None:
    settings = load_settings(environ={})
    assert settings.wechat_api_base == DEFAULT_API_BASE
    assert settings.effective_database_url.startswith("sqlite://")
    assert settings.effective_database_url.endswith("data/community-bot.sqlite3")
    assert not settings.safe_mode and settings.redis_url == ""


def test_env_overrides_toml(tmp_path: pytest.TempPathFactory) -> None:
    cfg = tmp_path / "bot.toml"  # type: ignore[operator]
    cfg.write_text('wechat_token = "from-file"\nport = 9000\nREDIS_URL = "redis://file"\n', encoding="utf-8")
    settings = load_settings(str(cfg), environ={"WECHAT_TOKEN": "from-env", "DIALOG_TTL": "60"})
    assert (settings.wechat_token, settings.port, settings.redis_url, settings.dialog_ttl) == (
        "from-env",
        9000,
        "redis://file",
        60,
    )


def test_safe_mode_needs_a_valid_key_and_appid() -> None:
    assert load_settings(environ={"WECHAT_AES_KEY": AES_KEY, "WECHAT_APPID": "wx1"}).safe_mode
    with pytest.raises(ConfigError, match="43"):
        load_settings(environ={"WECHAT_AES_KEY": "short", "WECHAT_APPID": "wx1"})
    with pytest.raises(ConfigError, match="APPID"):
        load_settings(environ={"WECHAT_AES_KEY": AES_KEY})


def test_bad_values_are_named(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(ConfigError, match="PORT"):
        load_settings(environ={"PORT": "eighty"})
    cfg = tmp_path / "bad.toml"  # type: ignore[operator]
    cfg.write_text("nonsense = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nonsense"):
        load_settings(str(cfg), environ={})


def test_scrub_hides_phones_and_secrets() -> None:
    line = "call 13812345678 at /cgi-bin/token?appid=wx&secret=abc123&access_token=XYZ"
    cleaned = scrub(line)
    assert "13812345678" not in cleaned and "138****5678" in cleaned
    assert "abc123" not in cleaned and "XYZ" not in cleaned


def test_json_log_lines_carry_request_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id.set("req-1")
    try:
        logger.warning("resident phone 13912345678", extra={"status": 403})
    finally:
        request_id.reset(token)
    body = json.loads(stream.getvalue())
    assert body["request_id"] == "req-1" and body["status"] == 403
    assert "13912345678" not in body["message"]


def test_the_serving_loop_is_uvloop_unless_asyncio_is_asked_for() -> None:
    # either way the listening socket is ours and takes every waiting connection (tests/unit/test_serving.py)
    from bot.cli import event_loop

    for environ, module in (({}, "uvloop"), ({"EVENT_LOOP": "asyncio"}, "asyncio")):
        loop = event_loop(load_settings(environ=environ))
        try:
            assert type(loop).__module__.startswith(module)
        finally:
            loop.close()
    with pytest.raises(ConfigError, match="EVENT_LOOP"):
        load_settings(environ={"EVENT_LOOP": "trio"})
