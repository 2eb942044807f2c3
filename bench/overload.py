"""Issue 15's overload run: the bot's capacity first, then about four times that offered, and an account of
every message.

wrk is a closed loop (a connection sends its next request when the last is answered), so many connections
are each paced to one request every ``period`` ms (bench/wechat.lua's delay()): 1024 connections at
``period = 1024 / (4 x capacity)`` offer four times the capacity for as long as the bot answers them within
the period, as an open stream of WeChat deliveries would, and the rate actually offered is reported.
Every message is distinct (its own MsgId) and recorded: its status, whether the answer was a reply or
``success``, and its latency. The bot's late replies (customer-service messages, through the outbox) go to
the fake WeChat API; after the run the outbox is left to drain, then each accepted message (200) is
counted as answered once (a reply in the response, or ``success`` and one late reply recorded and sent),
twice, or never. Goal: no answer later than 4.5 s, every accepted message answered exactly once.

    python bench/wrk.py --overload [--database postgres|sqlite] [--overload-connections 1024]
                        [--overload-factor 4] [--overload-seconds 30]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import safe_mode
from bench.deploy import Deployment, deployment
from bench.servers import CLIENT_CORES, run_wrk

SCRIPT = ["你好", "帮助", "办居住证要带什么", "取消", "谢谢", "菜单", "法律援助电话", "取消"]


def capacity(deploy: Deployment, bot: Any, args: argparse.Namespace) -> float:
    """The bot's throughput at 32 connections on this mix (messages answered in the response): the median
    of three runs."""
    rates = []
    for n in range(4):
        load = deploy.workdir / "load"
        users = deploy.residents(args.residents)
        safe_mode.write_load(load, safe_mode.conversations(users, SCRIPT, 32))
        result = run_wrk(bot.url, load, 32, 2 if n == 0 else args.seconds, deploy.workdir / "cap.json")
        counts = result["counts"]
        # answered in the response: a message answered `success` and queued is not capacity
        rate = counts["replied"] / ((counts["last_ms"] - counts["first_ms"]) / 1000)
        p99 = result["latency_us"]["p99"] / 1000
        print(f"  {'warm-up' if n == 0 else 'capacity'}: {rate:.0f} msgs/s, p99 {p99:.0f} ms", flush=True)
        if n:
            rates.append(rate)
    return statistics.median(rates)


def overload_load(
    deploy: Deployment, args: argparse.Namespace, period_ms: float
) -> tuple[Path, dict[str, str]]:
    """Enough messages for each connection to send one per period for the whole run, and then some."""
    per_connection = math.ceil(args.overload_seconds * 1000 / period_ms * 1.5) + 5
    users = deploy.residents(args.residents)
    conns = args.overload_connections
    rounds = math.ceil(per_connection / max(1, len(users) // conns) / len(SCRIPT))
    plans = [p[:per_connection] for p in safe_mode.conversations(users, SCRIPT * rounds, conns)]
    load = deploy.workdir / "load-overload"
    safe_mode.write_load(load, plans)
    owner = {}
    for path in load.glob("conn-*.req"):
        for line in path.read_text(encoding="utf-8").splitlines():
            key, target, _ = line.split("\t")
            owner[key] = target.rsplit("openid=", 1)[1]
    return load, owner


def listen_overflows() -> int:
    """Connections the kernel could not queue for accept() (TcpExtListenOverflows, machine-wide)."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split()[1:], values.split()[1:], strict=True))["ListenOverflows"])
    return 0


def drain(deploy: Deployment, most: float = 600) -> dict[str, int]:
    """Wait until the queued turns are done and the outbox has sent what it holds."""
    started, last, steady = time.monotonic(), -1, 0
    while time.monotonic() - started < most:
        time.sleep(5)
        outbox = deploy.query("outbox")
        sent = deploy.fake_counters()["custom_send"]
        busy = outbox.get("pending", 0) + outbox.get("sending", 0)
        steady = steady + 1 if sent == last and not busy else 0
        if steady >= 2:
            break
        last = sent
    print(f"  drained in {time.monotonic() - started:.0f} s: outbox {outbox}", flush=True)
    return dict(outbox)


def account(
    outcomes: Path, replies: dict[str, list[str]], owner: dict[str, str], fake: dict[str, Any]
) -> dict[str, Any]:
    seen: dict[str, tuple[int, str, float]] = {}
    sent: dict[str, float] = {}
    for line in outcomes.read_text().splitlines():
        key, status, kind, ms, at = line.split()
        seen[key] = (int(status), kind, float(ms))
        sent[key] = float(at)
    start = min(sent.values(), default=0.0)
    slow = sorted((sent[k] - start) / 1000 for k, (_, _, ms) in seen.items() if ms > 4500)
    replies = {key: parts for key, parts in replies.items() if key in owner}  # not the capacity runs'
    late = {key for key, parts in replies.items() if "sent" in parts}
    recorded_not_sent = {key for key, parts in replies.items() if "sent" not in parts}
    accepted = {key for key, (status, _, _) in seen.items() if status == 200}
    sync = {key for key in accepted if seen[key][1] == "r"}
    latencies = sorted(ms for _, _, ms in seen.values())
    statuses = Counter(status for status, _, _ in seen.values())
    expected = Counter(owner[key] for key in late)  # late replies sent, by resident
    received = Counter({user: n for user, n in fake["by_user"].items() if user in set(owner.values())})
    return {
        "responses": len(seen),
        "statuses": dict(statuses),
        "p50_ms": statistics.median(latencies) if latencies else 0,
        "p99_ms": latencies[int(len(latencies) * 0.99)] if latencies else 0,
        "max_ms": latencies[-1] if latencies else 0,
        "over_4500_ms": sum(ms > 4500 for ms in latencies),
        "over_5000_ms": sum(ms > 5000 for ms in latencies),
        "over_4500_by_status": dict(Counter(f"{s}{k}" for s, k, ms in seen.values() if ms > 4500)),
        "over_4500_sent_between_s": (round(slow[0], 1), round(slow[-1], 1)) if slow else None,
        "accepted": len(accepted),
        "answered_in_response": len(sync),
        "answered_later": len(accepted & late - sync),
        "answered_twice": len(sync & late),
        "never_answered": len(accepted - sync - late),
        "never_answered_recorded_not_sent": len((accepted - sync - late) & recorded_not_sent),
        "answered_later_busy": len({k for k in accepted & late if "busy" in replies[k]}),
        "late_reply_without_200": len(late - accepted),
        "late_replies_sent": len(late),
        "fake_api_received": sum(received.values()),
        "fake_api_extra": sum((received - expected).values()),
        "fake_api_missing": sum((expected - received).values()),
    }


def run_overload(args: argparse.Namespace) -> int:
    with deployment(args.database, postgres_db=args.postgres_db) as deploy:
        bot = deploy.bot(**dict(kv.split("=", 1) for kv in args.bot_env))
        deploy.introduce_residents(bot, args.residents, 32)
        cap = capacity(deploy, bot, args)
        conns = args.overload_connections
        period_ms = conns / (args.overload_factor * cap) * 1000
        load, owner = overload_load(deploy, args, period_ms)
        rss_before = bot.rss_mb()
        overflows = listen_overflows()
        offer = args.overload_factor * cap
        print(
            f"capacity {cap:.0f} msgs/s; offering {args.overload_factor:g}x = {offer:.0f} msgs/s: {conns} "
            f"connections, one request every {period_ms:.0f} ms each, {args.overload_seconds:g} s",
            flush=True,
        )
        profiler = None
        if args.profile:  # py-spy on the client's core, collapsed stacks of the serving process
            profile = deploy.workdir / "overload.folded"
            spy = ["py-spy", "record", "--pid", str(bot.pids()[0]), "--rate", "50", "--nonblocking"]
            seconds = args.profile_seconds or args.overload_seconds
            spy += ["--format", "raw", "--duration", f"{seconds:g}", "-o", str(profile)]
            profiler = subprocess.Popen(
                ["taskset", "-c", CLIENT_CORES, *spy], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        start_in = max(2000.0, conns * 4.0) if args.client_start_ms is None else args.client_start_ms
        result = run_wrk(
            bot.url, load, conns, args.overload_seconds, deploy.workdir / "overload.json",
            record=True, period_ms=period_ms, timeout="10s", start_in_ms=start_in,
        )  # fmt: skip
        ended = time.time()
        if profiler is not None:
            profiler.wait()
            print(f"  profile (collapsed stacks): {deploy.workdir / 'overload.folded'}", flush=True)
        counts = result["counts"]
        offered = counts["sent"] / args.overload_seconds
        outbox = drain(deploy)
        sent_at = sorted(t - ended for t in deploy.fake_counters()["sent_at"])
        figures = account(
            deploy.workdir / "overload.json.outcomes", deploy.query("replies"), owner, deploy.fake_counters()
        )
        figures |= {
            "capacity": cap,
            "offered_per_s": offered,
            "sent": counts["sent"],
            "no_response": counts["sent"] - counts["responses"],
            "wrk_timeouts": result["errors"]["timeout"],
            "listen_queue_overflows": listen_overflows() - overflows,  # the kernel's, machine-wide
            "late_replies_after_load_p50_s": statistics.median(sent_at) if sent_at else 0,
            "last_late_reply_after_load_s": sent_at[-1] if sent_at else 0,
            "rss_mb_before": rss_before,
            "rss_mb_after": bot.rss_mb(),
            "outbox": outbox,
        }
    print(
        "\noverload: "
        + ", ".join(f"{k}={v:.0f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    )
    return (
        0
        if figures["never_answered"] == 0 and figures["answered_twice"] == 0 and figures["max_ms"] <= 4500
        else 1
    )
