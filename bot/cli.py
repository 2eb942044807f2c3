"""``community-bot``: chat, serve, worker processes, database, demo data, street offices and communities,
staff roles."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

if TYPE_CHECKING:
    from bot.metrics import SharedFolder

log = logging.getLogger("community_bot")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def event_loop(settings: Settings) -> asyncio.AbstractEventLoop:
    """The serving loop (``EVENT_LOOP``): uvloop by default where it is installed, else asyncio's."""
    if settings.event_loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            log.info("uvloop is not installed: serving on asyncio's loop")
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.repl import run_chat

    settings = _settings(args)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run_chat(settings, args.user))
    return 0


def preload(settings: Settings) -> None:
    """What every worker reads and never writes, loaded before serving: the features, the catalogs and
    their search, jieba's dictionary and the intent model (most of a worker's memory). Then moved out of
    the garbage collector's reach (``gc.freeze``): its full collections no longer walk them (a pause on
    the hot path), and after a fork they no longer write to these pages, which stay shared between the
    workers (copy-on-write) instead of being copied into each."""
    import handlers
    from bot.app import classifier, init_app  # noqa: F401  (the app's modules too)

    handlers.configure(settings)
    classifier()
    gc.collect()
    give_back_freed_memory()
    gc.freeze()


def give_back_freed_memory() -> None:
    """Return to the system what the loading freed but glibc's malloc keeps in the heap (the YAML's and the
    model file's temporaries: about 7 MB), so that it is neither resident nor copied into every worker.
    Nothing where the C library is not glibc."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _serve_one(settings: Settings, host: str, port: int, reuse_port: bool, prepare: bool) -> None:
    from aiohttp import web

    from bot import serving
    from bot.app import init_app

    if multiprocessing.parent_process() is not None:  # a forked worker: not the supervisor's handlers
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
    setup_logging(settings.log_level)
    preload(settings)  # done already when forked from the supervisor: then instant
    app = init_app(settings, prepare=prepare)
    loop = event_loop(settings)
    stopping = False

    def graceful_once() -> None:
        """The first SIGTERM / SIGINT starts a graceful stop; another (a service manager signalling the
        whole process group, then the supervisor passing its own on) must not cut that stop short."""
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise web.GracefulExit()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, graceful_once)
    loop.add_signal_handler(signal.SIGHUP, _reload_content)
    sockets = serving.listening_sockets(host, port, backlog=settings.listen_backlog, reuse_port=reuse_port)
    serving.run(app, loop, sockets, backlog=settings.listen_backlog, shutdown_timeout=15)


def _reload_content() -> None:
    from bot.content_cli import reload_in_process

    errors = reload_in_process()
    if errors:
        log.error("content not reloaded", extra={"errors": errors})
    else:
        log.info("content reloaded")


def cmd_serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from bot.app import prepare_database

    settings = _settings(args)
    if not settings.wechat_token:
        if not args.dev:
            print(
                "community-bot serve: WECHAT_TOKEN is not set. Set it to the Token from the WeChat console "
                "(Settings > Basic configuration), or run with --dev to try the bot locally.",
                file=sys.stderr,
            )
            return 2
        settings = replace(settings, wechat_token="dev")
        print(
            "community-bot serve --dev: using the token 'dev' (never do this in production)", file=sys.stderr
        )
    host = args.host or settings.host
    port = args.port or settings.port
    workers = max(1, args.workers)
    if workers > 1 and not settings.redis_url:
        print(
            "community-bot serve: several workers share dialog state and deduplication through Redis; "
            "set REDIS_URL (or use --workers 1).",
            file=sys.stderr,
        )
        return 2
    setup_logging(settings.log_level)
    asyncio.run(prepare_database(settings))
    log.info(
        "serving",
        extra={
            "host": host,
            "port": port,
            "workers": workers,
            "path": settings.wechat_path,
            "safe_mode": settings.safe_mode,
        },
    )
    from bot.content_cli import pid_file

    pid_path = pid_file(settings)
    pid_path.parent.mkdir(parents=True, exist_ok=True)
    pid_path.write_text(str(os.getpid()))  # `community-bot content reload` signals this process
    try:
        if workers == 1:
            _serve_one(settings, host, port, False, False)
            return 0
        return _supervise(settings, host, port, workers)
    finally:
        with contextlib.suppress(OSError):
            if pid_path.read_text().strip() == str(os.getpid()):
                pid_path.unlink()


def _supervise(settings: Settings, host: str, port: int, workers: int) -> int:
    """Run ``workers`` processes on one port (SO_REUSEPORT). SIGTERM / SIGINT are passed on, so each
    finishes its replies in flight; when one worker dies the others are stopped too and the exit code
    says so, for the service manager to restart the whole. The workers share their metrics through a
    folder set in their environment before they start (``bot.metrics``), and before the preload."""
    from bot.metrics import SharedFolder

    with SharedFolder() as metrics:
        log.info("worker metrics", extra={"folder": metrics.path, "temporary": metrics.owned})
        return _run_workers(settings, host, port, workers, metrics)


def _run_workers(settings: Settings, host: str, port: int, workers: int, metrics: SharedFolder) -> int:
    # forked after the preload, the workers share its pages (a worker's own memory is then what it
    # writes); spawned (a fresh interpreter each) only if some thread runs here, which a fork would break
    preload(settings)
    forked = threading.active_count() == 1
    ctx = multiprocessing.get_context("fork") if forked else multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_serve_one, args=(settings, host, port, True, False)) for _ in range(workers)]
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, signal.SIGTERM)

    def pass_on(signum: int, _frame: object) -> None:
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, pass_on)  # content reload: every worker reads the files again
    for proc in procs:
        proc.start()
    multiprocessing.connection.wait([proc.sentinel for proc in procs])
    if not stopping:
        log.error("a worker exited; stopping the others")
        stop(signal.SIGTERM, None)
    for proc in procs:
        proc.join(timeout=30)
        metrics.worker_stopped(proc.pid)
        log.info("worker stopped", extra={"pid": proc.pid, "exitcode": proc.exitcode})
    # a worker stopped before it had installed its own handler ends by the signal itself: still a stop
    return 0 if stopping and all(proc.exitcode in (0, -signal.SIGTERM) for proc in procs) else 1


def cmd_worker(args: argparse.Namespace) -> int:
    """Deliver the outbox alone; SIGTERM / SIGINT finish the notification in hand, then stop."""
    from bot.app import run_outbox_worker

    settings = _settings(args)
    setup_logging(settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_outbox_worker(settings, stop)

    event_loop(settings).run_until_complete(main())
    return 0


def with_addresses(menu: dict[str, Any], console_url: str) -> dict[str, Any]:
    """The menu with ``{console_url}`` of its view buttons filled in; without a CONSOLE_URL they are left
    out (a page WeChat cannot open is worse than no button), with a word on stderr."""

    def filled(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for button in buttons:
            if "sub_button" in button:
                button = {**button, "sub_button": filled(button["sub_button"])}
            elif button.get("type") == "view":
                if not console_url:
                    print(f"menu: no CONSOLE_URL, button {button['name']} left out", file=sys.stderr)
                    continue
                button = {**button, "url": button["url"].replace("{console_url}", console_url.rstrip("/"))}
            out.append(button)
        return out

    return {**menu, "button": filled(menu["button"])}


def cmd_menu(args: argparse.Namespace) -> int:
    """Install the account menu from content/wechat_menu.yaml."""
    import aiohttp

    import content
    from bot.app import wechat_client
    from storage.kv import store_context

    settings = _settings(args)
    if not (settings.wechat_appid and settings.wechat_secret):
        print("community-bot menu push: set WECHAT_APPID and WECHAT_SECRET first", file=sys.stderr)
        return 2
    menu = with_addresses(content.load_yaml("wechat_menu.yaml"), settings.console_url)

    async def push() -> None:
        async with (
            store_context(settings.redis_url or None, settings.redis_prefix) as store,
            aiohttp.ClientSession() as session,
        ):
            await wechat_client(settings, session, store).create_menu(menu)

    asyncio.run(push())
    print(f"menu installed: {len(menu['button'])} buttons")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from storage import db

    settings = _settings(args)
    url = settings.effective_database_url
    if args.action == "upgrade":
        asyncio.run(db.upgrade(url))
        print("database is up to date")
    else:
        pending = asyncio.run(db.pending_migrations(url))
        print("\n".join(pending) if pending else "no pending migrations")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.app import prepare_database
    from storage import db, demo

    settings = _settings(args)

    async def run() -> None:
        await prepare_database(settings, seed_demo=False)
        await db.open_db(settings.effective_database_url)
        try:
            fresh = args.reset or not await demo.has_communities()
            await (demo.reset_demo() if args.reset else demo.seed_demo())
            if fresh:
                from bot.app import china_now
                from handlers.demo import seed_activity

                await seed_activity(china_now())
        finally:
            await db.close_db()

    asyncio.run(run())
    print("demo communities " + ("recreated" if args.reset else "created (existing ones kept)"))
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    from bot.staff_cli import run_staff

    return asyncio.run(run_staff(_settings(args), args))


def cmd_outbox(args: argparse.Namespace) -> int:
    """The outbox for an operator: how many by status; failed ones queued again after an outage."""
    from bot import outbox
    from bot.app import china_now
    from storage import db

    settings = _settings(args)

    async def run() -> None:
        await db.open_db(settings.effective_database_url)
        try:
            if args.action == "retry":
                since = dt.datetime.fromisoformat(args.since) if args.since else None
                if since is not None and since.tzinfo is None:
                    since = since.replace(tzinfo=china_now().tzinfo)
                queued = await outbox.retry_failed(china_now(), unknown=args.unknown, since=since)
                print(f"{queued} notifications queued again")
            else:
                for status, count in (await outbox.counts()).items():
                    print(f"{status:14} {count}")
        finally:
            await db.close_db()

    asyncio.run(run())
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from bot.register_cli import run_register

    return asyncio.run(run_register(_settings(args), args))


def cmd_street(args: argparse.Namespace) -> int:
    from bot.community_cli import run_street

    return asyncio.run(run_street(_settings(args), args))


def cmd_community(args: argparse.Namespace) -> int:
    from bot.community_cli import run_community

    return asyncio.run(run_community(_settings(args), args))


def cmd_content(args: argparse.Namespace) -> int:
    from bot.content_cli import cmd_content as run

    return run(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="community-bot", description=__doc__)
    parser.add_argument("--config", help="a TOML file of settings (environment variables override it)")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument(
        "--user", default="terminal-resident", help="who you are (an openid; demo-committee ...)"
    )
    chat.set_defaults(func=cmd_chat)

    serve = sub.add_parser("serve", help="run the WeChat callback server")
    serve.add_argument("--dev", action="store_true", help="allow running without WECHAT_TOKEN")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (needs REDIS_URL when > 1)")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="deliver notifications only (serve runs this too)")
    worker.set_defaults(func=cmd_worker)

    menu = sub.add_parser("menu", help="the Official Account's menu")
    menu.add_argument("action", choices=["push"])
    menu.set_defaults(func=cmd_menu)

    dbp = sub.add_parser("db", help="database schema")
    dbp.add_argument("action", choices=["upgrade", "pending"])
    dbp.set_defaults(func=cmd_db)

    demo = sub.add_parser("demo", help="create the demo communities")
    demo.add_argument("--reset", action="store_true", help="delete and recreate them")
    demo.set_defaults(func=cmd_demo)

    staff = sub.add_parser(
        "staff",
        help="grant, revoke and list roles",
        description="Name the person by --user (an openid) or by --phone: a phone number's grant waits for "
        "the person, who takes it with the invite code printed (加入 12345678 in the chat) or by proving the "
        "number in the mini-program. --street CODE --role street_office: every community of a street office.",
    )
    staff.add_argument("action", choices=["grant", "revoke", "list"])
    where = staff.add_mutually_exclusive_group(required=True)
    where.add_argument("--community", help="community code, e.g. xingfuli")
    where.add_argument("--street", help="street office code: the street_office role in all its communities")
    who = staff.add_mutually_exclusive_group()
    who.add_argument("--user", help="openid of the person")
    who.add_argument("--phone", help="mobile number of the person (not yet on WeChat: an invite code)")
    staff.add_argument(
        "--role",
        help="resident, volunteer, party_member, committee, grid_worker, property_staff, mediator, "
        "street_office",
    )
    staff.add_argument("--name", help="display name when the person is new: 王芳")
    staff.set_defaults(func=cmd_staff)

    box = sub.add_parser("outbox", help="notifications by status; queue failed ones again")
    box.add_argument("action", choices=["status", "retry"])
    box.add_argument(
        "--unknown",
        action="store_true",
        help="also those that may have arrived (after checking they did not: they could arrive twice)",
    )
    box.add_argument("--since", help="only those recorded since this date or time (2026-11-30, ISO)")
    box.set_defaults(func=cmd_outbox)

    register = sub.add_parser(
        "register", help="the household register workbook: the template, import (checked first), export"
    )
    register.add_argument("action", choices=["template", "import", "export"])
    register.add_argument("file", help="the .xlsx file to write (template, export) or to read (import)")
    register.add_argument("--community", help="community code (import, export)")
    register.add_argument("--dry-run", action="store_true", help="import: check and count, save nothing")
    register.add_argument("--rural", action="store_true", help="template: a village's examples (3组15号)")
    register.set_defaults(func=cmd_register)

    from bot.community_cli import add_parsers as add_set_up

    add_set_up(sub, cmd_street, cmd_community)

    contents = sub.add_parser("content", help="check the service catalog and calendar, or reload them")
    contents.add_argument("action", choices=["check", "reload"])
    contents.add_argument(
        "--pid", type=int, help="the server to reload (default: DATA_DIR/community-bot.pid)"
    )
    contents.set_defaults(func=cmd_content)

    from bot.nlp_cli import add_parser as add_nlp

    add_nlp(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"community-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from bot.app import StartupError

        if isinstance(exc, StartupError):
            print(f"community-bot: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
