"""Benchmark /wechat in safe mode: the bot against a bare aiohttp + wechatpy echo endpoint (the floor).

Both servers run as their own process on one worker; the load comes from this process: N concurrent
simulated residents, each holding a real multi-turn dialog, every request signed and AES-encrypted the way
WeChat does it (prepared before the clock starts so the client's own crypto does not limit the figures).

    python bench/run.py [--conversations 32] [--rounds 3] [--seconds 5] [--mix dialog|workflow|all]
                        [--no-redis] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from wechatpy.crypto import PrpCrypto, WeChatCrypto

ROOT = Path(__file__).resolve().parent.parent
TOKEN, APPID = "bench-token", "wxbench000000000"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# Two loops a resident might go round. "dialog": the message hot path the foundation owns (dedup, lock,
# dialog state, classification, reply; no workflow touches the database). "workflow": binding a home, where
# every step also reads or writes the database.
MIXES = {
    "dialog": ["你好", "帮助", "人工", "取消", "啊？", "谢谢", "菜单", "取消"],
    "workflow": ["你好", "绑定", "1", "3栋2单元502", "2", "取消", "帮助", "我的信息"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


@dataclass
class Prepared:
    query: dict[str, str]
    body: bytes


def prepare(user: str, count: int, first_id: int, key: bytes, script: list[str]) -> list[Prepared]:
    out = []
    ts = str(int(time.time()) + 5)
    prp = PrpCrypto(key)
    for i in range(count):
        text = script[i % len(script)]
        xml = (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{first_id + i}</MsgId></xml>"
        )
        nonce = secrets.token_hex(4)
        encrypted = prp.encrypt(xml, APPID).decode()
        query = {
            "signature": sign(TOKEN, ts, nonce),
            "timestamp": ts,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": sign(TOKEN, ts, nonce, encrypted),
            "openid": user,
        }
        body = f"<xml><ToUserName>gh_bench</ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        out.append(Prepared(query, body.encode()))
    return out


async def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as r:
                    if r.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


async def drive(
    url: str, conversations: int, seconds: float, warmup: float, label: str, script: list[str]
) -> dict[str, float]:
    key = WeChatCrypto(TOKEN, AES_KEY, APPID).key
    per_user = int(4000 * seconds / 10) + 400
    run_id = uuid.uuid4().hex[:6]
    plans = [
        prepare(f"bench-{label}-{run_id}-{u}", per_user, (u + 1) * 10_000_000, key, script)
        for u in range(conversations)
    ]
    latencies: list[float] = []
    errors: int = 0
    measuring = False
    stop = False

    async def resident(plan: list[Prepared], session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for item in plan:
            if stop:
                return
            started = time.perf_counter()
            async with session.post(url, params=item.query, data=item.body) as response:
                body = await response.read()
                ok = response.status == 200 and body.startswith(b"<xml>")
            if measuring:
                latencies.append(time.perf_counter() - started)
                errors += 0 if ok else 1

    connector = aiohttp.TCPConnector(limit=conversations * 2)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(resident(plan, session)) for plan in plans]
        await asyncio.sleep(warmup)
        measuring = True
        begun = time.perf_counter()
        await asyncio.sleep(seconds)
        measuring = False
        elapsed = time.perf_counter() - begun
        stop = True
        await asyncio.gather(*tasks)
    latencies.sort()
    n = len(latencies)
    return {
        "messages": n,
        "errors": errors,
        "msgs_per_s": n / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if n else float("nan"),
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
    }


def start(cmd: list[str], env: dict[str, str], cwd: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mix", choices=[*MIXES, "all"], default="all")
    parser.add_argument("--no-redis", action="store_true", help="use the in-process store")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="cb-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "DATABASE_URL", "REDIS_"))}
    env |= {
        "PYTHONPATH": str(ROOT),
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APPID": APPID,
        "WECHAT_AES_KEY": AES_KEY,
        "LOG_LEVEL": "WARNING",
        "REDIS_PREFIX": f"cbbench:{uuid.uuid4().hex[:6]}:",
    }
    env["DATABASE_URL"] = args.database_url or f"sqlite://{workdir}/bench.sqlite3"
    if not args.no_redis:
        env["REDIS_URL"] = args.redis_url

    floor_port, bot_port = free_port(), free_port()
    floor_cmd = [
        sys.executable,
        str(ROOT / "bench" / "echo_server.py"),
        TOKEN,
        AES_KEY,
        APPID,
        str(floor_port),
    ]
    floor = start(floor_cmd, env, workdir)
    for setup in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "bot.cli", *setup], env=env, cwd=workdir, check=True, capture_output=True
        )
    bot_cmd = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(bot_port)]
    bot = start(bot_cmd, env, workdir)
    mixes = list(MIXES) if args.mix == "all" else [args.mix]
    rounds: list[dict[str, dict[str, float]]] = []
    try:
        await wait_ready(f"http://127.0.0.1:{floor_port}/wechat")
        await wait_ready(f"http://127.0.0.1:{bot_port}/healthz")
        url = "http://127.0.0.1:{}/wechat"
        # Floor and bot take turns, several rounds: a noisy neighbour then weighs on both alike.
        for _ in range(args.rounds):
            current = {
                "floor": await drive(
                    url.format(floor_port),
                    args.conversations,
                    args.seconds,
                    args.warmup,
                    "floor",
                    MIXES["dialog"],
                )
            }
            for mix in mixes:
                current[f"bot/{mix}"] = await drive(
                    url.format(bot_port), args.conversations, args.seconds, args.warmup, mix, MIXES[mix]
                )
            for r in current.values():
                r["ratio"] = r["msgs_per_s"] / current["floor"]["msgs_per_s"]
            rounds.append(current)
    finally:
        for proc in (floor, bot):
            proc.terminate()
            proc.wait(timeout=30)
        if not args.no_redis:
            from storage.kv import RedisStore

            leftovers = RedisStore(args.redis_url, env["REDIS_PREFIX"])
            await leftovers.flush_prefix()
            await leftovers.close()

    store = "memory" if args.no_redis else "Redis"
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(
        f"/wechat, safe mode, {args.conversations} concurrent conversations, one worker, store={store}, "
        f"database={database}; {args.rounds} rounds of {args.seconds:.0f} s each, medians"
    )
    print(f"{'':14}{'msgs/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs floor':>10}{'  ratio per round'}")
    results: dict[str, dict[str, float]] = {}
    for label in rounds[0]:
        runs = [r[label] for r in rounds]
        med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        med["errors"] = sum(run["errors"] for run in runs)
        results[label] = med
        per_round = " ".join(f"{run['ratio']:.0%}" for run in runs)
        print(
            f"{label:14}{med['msgs_per_s']:9.0f}{med['p50_ms']:9.1f}{med['p99_ms']:9.1f}{int(med['errors']):8d}"
            f"{med['ratio']:10.0%}  {per_round}"
        )
    print("targets: bot/dialog >= 40% of the floor's throughput, p99 < 50 ms")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"{stamp}.json").write_text(
        json.dumps({"args": vars(args), "rounds": rounds, "medians": results}, indent=2)
    )
    return 0 if all(r["errors"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
