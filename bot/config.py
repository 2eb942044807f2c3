"""Settings from defaults, an optional TOML file (``--config``), then environment variables (highest)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_API_BASE = "https://api.weixin.qq.com"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = field(default="", repr=False)
    wechat_aes_key: str = field(default="", repr=False)
    wechat_api_base: str = DEFAULT_API_BASE
    wechat_mp_appid: str = ""  # the mini-program's own AppID and AppSecret (login)
    wechat_mp_secret: str = field(default="", repr=False)
    wechat_path: str = "/wechat"
    database_url: str = ""
    redis_url: str = ""
    redis_prefix: str = "cb:"
    redis_max_connections: int = 200  # per process; past it a command waits for a free connection
    data_dir: str = "./data"
    host: str = "0.0.0.0"
    port: int = 8080
    # protocol limits
    timestamp_window: int = 300
    max_body_bytes: int = 64 * 1024
    reply_deadline: float = 4.0
    max_turns: int = 128  # turns running at once per process; past it, answered `success` and queued
    turn_backlog: int = 2000  # queued turns per process; past it, 503 (WeChat delivers the message again)
    turn_backlog_seconds: float = 3.0  # and no more queued than the turns of this many seconds at the
    # rate turns are finishing now (the queue is drained within it; a late reply is not a minute late)
    shed_lag: float = 1.0  # seconds the event loop runs late past which a message is refused (503) before
    # its body is read: the refusal is cheap, and the loop catches up instead of answering everyone late
    # the serving event loop: "uvloop" (where installed; its transports are a fifth faster on the hot path)
    # or "asyncio". Either way the listening socket is our own and every waiting connection is accepted
    # each time it is ready (bot/serving.py: uvloop's own accept takes one a round, libuv/libuv#3696)
    event_loop: str = "uvloop"
    listen_backlog: int = 128  # connections the kernel holds until accepted (capped by net.core.somaxconn):
    # a full queue drops a new connection's handshake, and its request then waits seconds for a resend
    shed_wait: float = 1.0  # seconds a message waited unseen (in the kernel's queues and the loop), as the
    # kernel tells (TCP_INFO), past which it is refused (503) before its body is read: the wait stays short
    # conversation
    dialog_ttl: int = 30 * 60
    dedup_ttl: int = 10 * 60
    log_level: str = "INFO"
    outbox_poll: float = 1.0
    outbox_rate: float = 100.0  # sends a second for the account, across every worker (0: no limit)
    outbox_burst: int = 0  # sends at once after a quiet spell (0: as many as the rate)
    outbox_batch: int = 20  # notifications a worker reserves at a time
    outbox_concurrency: int = 4  # sends in flight at once per worker
    api_rate_limit: int = 120  # requests per minute per signed-in person (or per address without one)
    api_login_rate_limit: int = 20  # logins per minute per address (each costs a jscode2session call)
    trusted_proxies: str = (
        ""  # comma-separated addresses or networks of our reverse proxies (X-Forwarded-For)
    )
    # GET /metrics (Prometheus): with this bearer token from anywhere, else only from these networks
    metrics_token: str = field(default="", repr=False)
    metrics_networks: str = "127.0.0.0/8, ::1"
    repairs_autoclose_days: int = 7  # a resolved ticket nobody confirmed closes itself after this
    repairs_street_after_hours: int = 48  # escalated to the committee and still open: then the street office
    content_dir: str = (
        ""  # the deployment's own content (services/<community>.yaml); default DATA_DIR/content
    )
    # the staff console (/console)
    console_url: str = ""  # its public address (https://...): the only Origin its forms accept; https: Secure
    console_idle: int = 2 * 3600  # seconds without a request before a console session ends
    console_lifetime: int = 12 * 3600  # seconds a console session lasts at most, however busy
    periodic_every: float = 60.0  # seconds between the clock-driven rounds (escalation, auto-close)
    notices_receipt_hours: float = 2.0  # after this, the grid worker gets who of those with care needs
    # has not confirmed an urgent notice asking for a receipt (a notice may set its own)
    notices_fanout_batch: int = 2000  # residents an outbox worker turns into outbox rows at a time

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return "sqlite://" + str(Path(self.data_dir).expanduser().absolute() / "community-bot.sqlite3")

    @property
    def effective_content_dir(self) -> str:
        return self.content_dir or str(Path(self.data_dir).expanduser().absolute() / "content")

    @property
    def safe_mode(self) -> bool:
        return bool(self.wechat_aes_key)

    def validate(self) -> Settings:
        if self.wechat_aes_key:
            try:
                key = base64.b64decode(self.wechat_aes_key + "=", validate=True)
            except binascii.Error as exc:
                raise ConfigError(
                    "WECHAT_AES_KEY is not a valid EncodingAESKey (43 base64 characters)"
                ) from exc
            if len(self.wechat_aes_key) != 43 or len(key) != 32:
                raise ConfigError(
                    "WECHAT_AES_KEY must be the 43-character EncodingAESKey from the WeChat console"
                )
            if not self.wechat_appid:
                raise ConfigError("WECHAT_APPID is needed in safe mode (WECHAT_AES_KEY is set)")
        for name in ("trusted_proxies", "metrics_networks"):
            for part in filter(None, (p.strip() for p in getattr(self, name).split(","))):
                try:
                    ipaddress.ip_network(part, strict=False)
                except ValueError as exc:
                    raise ConfigError(f"{name.upper()}: {part!r} is not an address or a network") from exc
        if self.console_url and not self.console_url.startswith(("http://", "https://")):
            raise ConfigError("CONSOLE_URL must start with https:// (or http:// for a local trial)")
        if self.event_loop not in ("asyncio", "uvloop"):
            raise ConfigError(f"EVENT_LOOP must be asyncio or uvloop, got {self.event_loop!r}")
        if not self.wechat_path.startswith("/"):
            raise ConfigError("wechat_path must start with /")
        return self


_INT_FIELDS = {f.name for f in fields(Settings) if f.type in ("int", int)}
_FLOAT_FIELDS = {f.name for f in fields(Settings) if f.type in ("float", float)}


def _coerce(name: str, value: Any) -> Any:
    try:
        if name in _INT_FIELDS:
            return int(value)
        if name in _FLOAT_FIELDS:
            return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name.upper()} must be a number, got {value!r}") from exc
    return str(value)


def load_settings(config_file: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    names = {f.name for f in fields(Settings)}
    if config_file:
        try:
            with open(config_file, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {config_file}: {exc}") from exc
        for key, value in data.items():
            name = key.lower()
            if name not in names:
                raise ConfigError(f"unknown setting {key!r} in {config_file}")
            values[name] = _coerce(name, value)
    for name in names:
        env_value = env.get(name.upper())
        if env_value is not None and env_value != "":
            values[name] = _coerce(name, env_value)
    return replace(Settings(), **values).validate()
