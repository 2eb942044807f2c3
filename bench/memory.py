"""Where a serving worker's memory goes: VmRSS step by step while it loads what ``serve`` loads before
serving (bot/cli.py ``preload``), then after a few conversations and after a burst of messages.

    python bench/memory.py [--trace] [--burst-seconds 10] [--connections 64] [--residents 200]

One worker (as ``serve --workers 1`` runs it: the preload, then the app on a port) on SQLite, its own Redis
prefix (REDIS_URL, default db 0), the fake WeChat API for the late replies. The worker is this file run
with ``worker``: it measures VmRSS after each import group and each preload step, then serves; on SIGUSR1
it writes its VmRSS (and with ``--trace`` tracemalloc's top, which costs memory of its own: the RSS
figures of a traced run are not the worker's) to a report the driver prints. Steps are cumulative: an
import group counts only what the groups before it did not load already.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

IMPORT_GROUPS = (
    ("aiohttp, uvloop", ("aiohttp", "aiohttp.web", "uvloop")),
    ("tortoise (+ asyncpg, aiosqlite, pypika)", ("tortoise", "tortoise.contrib.postgres", "aiosqlite")),
    ("numpy", ("numpy",)),
    ("cryptography, wechatpy", ("cryptography", "bot.wechat.wechatpy_parts|wechatpy.crypto")),
    ("pydantic", ("pydantic",)),
    ("redis", ("redis", "redis.asyncio")),
    ("jieba (code only)", ("nlp.wordtable|jieba", "jieba")),
    ("jinja2, aiohttp_jinja2", ("jinja2", "aiohttp_jinja2")),
    ("prometheus_client", ("prometheus_client",)),
    ("yaml, cn2an", ("yaml", "cn2an")),
    ("openpyxl", ("openpyxl",)),
)


def mappings() -> dict[str, float]:
    """Resident MB by kind of mapping: the main heap, other anonymous memory (Python's arenas, numpy's
    big arrays, threads' malloc arenas and stacks), files (the interpreter and the extension modules);
    and the biggest anonymous ones (size in MB: resident MB)."""
    kinds: dict[str, float] = {}
    kind, size, biggest = "", 0, []
    for line in Path("/proc/self/smaps").read_text().splitlines():
        parts = line.split()
        if "-" in parts[0] and not parts[0].endswith(":"):
            name = parts[5] if len(parts) > 5 else ""
            kind = (
                "files" if name and not name.startswith("[") else "heap" if name == "[heap]" else "anonymous"
            )
        elif parts[0] == "Size:":
            size = int(parts[1])
        elif parts[0] == "Rss:":
            kinds[kind] = kinds.get(kind, 0.0) + int(parts[1]) / 1024
            if kind == "anonymous":
                biggest.append((int(parts[1]), size))
    for rss, size in sorted(biggest, reverse=True)[:6]:
        kinds[f"  {size / 1024:.0f} MB mapping"] = rss / 1024
    return kinds


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Steps:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []  # step, RSS after (MB), growth (MB)
        self._last = rss_kb()
        self.rows.append(("interpreter", self._last / 1024, self._last / 1024))

    def mark(self, name: str) -> None:
        now = rss_kb()
        self.rows.append((name, now / 1024, (now - self._last) / 1024))
        self._last = now


def worker(args: argparse.Namespace) -> None:
    import importlib
    import tracemalloc

    if args.trace:
        tracemalloc.start(args.trace_frames)
    steps = Steps()
    for name, modules in IMPORT_GROUPS:
        if name == "openpyxl" and not args.import_openpyxl:
            continue
        for names in modules:  # "this version's|the one before it"
            module, _, before = names.partition("|")
            try:
                found = importlib.import_module(module)
            except ModuleNotFoundError:
                found = importlib.import_module(before)
            if hasattr(found, "import_jieba"):
                found.import_jieba()  # as the bot imports it (this version: without pkg_resources)
        steps.mark(f"import {name}")
    import bot.cli
    from bot.config import load_settings

    settings = load_settings(None)
    import handlers

    steps.mark("import bot.cli, handlers")
    from bot.app import init_app  # the app's modules, as preload imports them

    steps.mark("import bot.app")
    handlers.features()
    steps.mark("import the features (handlers.*.feature)")
    handlers.configure(settings)
    steps.mark("handlers.configure (catalogs, their search and its tokenizer)")
    from nlp import tokenize

    for name in ("_table", "_dictionary"):  # this version's, or the one before it
        if hasattr(tokenize, name):
            getattr(tokenize, name)()
            steps.mark("jieba's dictionary")
    from nlp.model import intent_model

    intent_model()
    steps.mark("the intent model")
    from bot.app import classifier

    classifier()
    steps.mark("the rules' tokenizer (classifier)")
    bot.cli.preload(settings)  # what remains of it (gc.collect, gc.freeze)
    steps.mark("preload's gc.collect + gc.freeze")
    app = init_app(settings, prepare=False)
    loop = bot.cli.event_loop(settings)
    asyncio.set_event_loop(loop)
    from aiohttp import web

    stop = asyncio.Event()

    async def serve() -> None:  # one task, as web.run_app: the database's context is the handlers'
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port).start()
        steps.mark("the app started (database, Redis, outbox)")
        await stop.wait()
        await runner.cleanup()

    snapshots: list[tracemalloc.Snapshot] = []

    def report() -> None:
        gc.collect()
        if args.malloc_stats:
            sys._debugmallocstats()  # to the worker's log: pymalloc's arenas, used and free
        out: dict[str, Any] = {
            "rss_mb": rss_kb() / 1024,
            "mappings": mappings(),
            "steps": steps.rows,
            "modules": sorted({m.split(".")[0] for m in sys.modules}),
        }
        if tracemalloc.is_tracing():
            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
            out["traced_mb"] = tracemalloc.get_traced_memory()[0] / 1024 / 1024
            for key in ("filename", "lineno"):
                stats = snapshot.statistics(key)[: args.top]
                out[f"top_{key}"] = [(str(s.traceback[0]), s.size / 1024 / 1024, s.count) for s in stats]
            if snapshots:  # what grew since the first report (the preloaded worker)
                grown = snapshot.compare_to(snapshots[0], "lineno")[: args.top]
                out["top_grown"] = [
                    (str(s.traceback[0]), s.size_diff / 1024 / 1024, s.count_diff) for s in grown
                ]
            snapshots.append(snapshot)
        Path(args.report).write_text(json.dumps(out, ensure_ascii=False))

    loop.add_signal_handler(signal.SIGUSR1, report)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.run_until_complete(serve())


SCRIPTS = [
    ["你好", "帮助", "办居住证要带什么", "取消", "谢谢", "菜单", "法律援助电话", "取消"],
    ["老人助餐在哪", "12348是什么电话", "失业了能领钱吗", "周六上班吗", "开居住证明要什么材料", "几点下班"],
    ["取消", "楼道灯坏了", "1", "2", "跳过", "1", "我的报修"],
    ["小区门口的垃圾好几天没人清理了，味道很大", "我想投诉楼下的广场舞太吵", "有什么活动", "人工"],
]


def driver(args: argparse.Namespace) -> int:
    from bench import safe_mode
    from bench.deploy import Deployment, send_all
    from bench.servers import Server, python, run_wrk

    deploy = Deployment("sqlite")
    report = deploy.workdir / "memory.json"
    try:
        deploy.prepare()
        cmd = python(__file__, "worker", "--port", "{port}", "--report", str(report), "--top", str(args.top))
        cmd += ["--trace"] if args.trace else []
        cmd += ["--malloc-stats"] if args.malloc_stats else []
        cmd += ["--import-openpyxl"] if args.import_openpyxl else []
        server = Server("memory-worker", cmd, deploy.bot_env())
        deploy.servers.append(server.start(deploy.workdir))

        def measure(when: str) -> dict[str, Any]:
            report.unlink(missing_ok=True)
            assert server.proc is not None
            os.kill(server.proc.pid, signal.SIGUSR1)
            for _ in range(600):
                if report.exists():
                    break
                time.sleep(0.1)
            time.sleep(0.2)
            found: dict[str, Any] = json.loads(report.read_text())
            kinds = ", ".join(f"{k} {v:.1f}" for k, v in found["mappings"].items())
            print(f"\n== {when}: VmRSS {found['rss_mb']:.1f} MB ({kinds})", flush=True)
            return found

        first = measure("preloaded, before any message")
        print(f"{'step':64}{'VmRSS MB':>10}{'+MB':>8}")
        for name, total, grown in first["steps"]:
            print(f"{name:64}{total:10.1f}{grown:8.1f}")
        deploy.bind_residents(server, args.residents, min(32, args.residents))
        load = deploy.workdir / "load-few"
        users = deploy.residents(args.residents)
        plans = [[(u, text) for text in script] for u, script in zip(users, SCRIPTS * 100, strict=False)]
        safe_mode.write_load(load, plans)
        failed = asyncio.run(send_all(server.url, load))
        sent = sum(map(len, plans))
        few = measure(f"after binding {args.residents} residents and {sent} messages ({failed} failed)")
        for key in ("top_filename", "top_lineno", "top_grown"):
            if key in few:
                print(f"tracemalloc ({few['traced_mb']:.1f} MB traced), top by {key}:")
                for where, size, count in few[key]:
                    print(f"  {size:7.2f} MB {count:9} blocks  {where}")
        print("top-level modules loaded:", " ".join(m for m in few["modules"] if not m.startswith("_")))
        if args.burst_seconds:
            script = [t for s in SCRIPTS for t in s]
            rounds = max(1, 40_000 // (args.residents * len(script)))
            load = deploy.workdir / "load-burst"
            safe_mode.write_load(load, safe_mode.conversations(users, script * rounds, args.connections))
            out = deploy.workdir / "burst.json"
            result = run_wrk(server.url, load, args.connections, args.burst_seconds, out, timeout="5s")
            counts = result["counts"]
            answers = counts["responses"]
            print(f"\nburst: {args.connections} connections, {args.burst_seconds:g} s: {answers} answers")
            measure("after the burst")
            time.sleep(5)
            measure("5 s later")
        return 0
    finally:
        deploy.close()
        print(f"(the worker's log: {deploy.workdir}/memory-worker.log)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("role", nargs="?", default="driver", choices=["driver", "worker"])
    parser.add_argument("--trace", action="store_true", help="tracemalloc in the worker (its RSS grows)")
    parser.add_argument("--trace-frames", type=int, default=1)
    parser.add_argument("--malloc-stats", action="store_true", help="pymalloc's statistics in the log")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--import-openpyxl", action="store_true", help="import openpyxl as a step too")
    parser.add_argument("--burst-seconds", type=float, default=0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--report", default="")
    args = parser.parse_args()
    if args.role == "worker":
        worker(args)
        return 0
    return driver(args)


if __name__ == "__main__":
    sys.exit(main())
