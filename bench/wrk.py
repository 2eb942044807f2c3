"""Benchmark /wechat with wrk: the floor, the bot and WeRoBot, per mix, in one run.

    python bench/wrk.py [--database postgres|sqlite] [--rounds 3] [--seconds 5] [--connections 32]
                        [--mixes hot,services,first,repair] [--residents 5000] [--no-werobot] [--no-workers2]
    python bench/wrk.py --overload [...]          (issue 15: 4x the capacity, see bench/overload.py)

Every request is a distinct message signed and AES-encrypted as WeChat does in safe mode, built before the
clock starts (bench/safe_mode.py); wrk (bench/wechat.lua) sends them with one thread per connection, so a
connection's messages go in order and each resident, owned by one connection, speaks in turn. The servers
run on core 0 (taskset), wrk on core 1; ``--workers 2`` gets both cores and shares core 1 with wrk.

Mixes, each over the same residents bound to a home through the chat before the clock starts:
  hot       the dialog hot path: 你好, 帮助, 人工, 取消 ... (no workflow touches the database)
  services  service questions: the catalog's search and the office hours
  first     the first message of new residents (a new openid each message: the person is created)
  repair    whole repair reports to a ticket, six turns each (取消 first, for a report a round cut short)
The floor (bench/echo_server.py: verify, decrypt, parse, render, encrypt) answers the hot path each round.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import safe_mode
from bench.deploy import Deployment, deployment
from bench.servers import ROOT, Server, run_wrk

MIXES = {
    "hot": ["你好", "帮助", "人工", "取消", "啊？", "谢谢", "菜单", "取消"],
    "services": [
        "办居住证要带什么",
        "12348是什么电话",
        "老人助餐在哪",
        "法律援助电话",
        "失业了能领钱吗",
        "周六上班吗",
        "开居住证明要什么材料",
        "几点下班",
    ],
    "first": ["你好"],
    "repair": ["取消", "楼道灯坏了", "1", "2", "跳过", "1"],  # "2": not the neighbour's ticket, when offered
}
MESSAGES = 40_000  # per run, from --residents residents


def load_for(deploy: Deployment, mix: str, residents: int, connections: int, run: str) -> Path:
    script = MIXES[mix]
    if mix == "first":
        users = [f"n{deploy.tag}-{run.replace('/', '-')}-{i:05d}" for i in range(residents)]
    else:
        users = deploy.residents(residents)
        rounds = max(1, MESSAGES // (len(users) * len(script)))
        script = script * rounds
    load = deploy.workdir / "load"
    safe_mode.write_load(load, safe_mode.conversations(users, script, connections))
    return load


def measure(
    deploy: Deployment, server: Server, mix: str, args: argparse.Namespace, run: str
) -> dict[str, Any]:
    load = load_for(deploy, mix, args.residents, args.connections, run)
    tickets = deploy.query("tickets") if mix == "repair" else 0
    out = deploy.workdir / f"{run.replace('/', '-')}.json"
    result = run_wrk(server.url, load, args.connections, args.seconds, out, timeout="5s")
    counts = result["counts"]
    seconds = (counts["last_ms"] - counts["first_ms"]) / 1000  # first request sent to last answer
    figures = {
        "msgs_per_s": counts["responses"] / seconds,
        "p50_ms": result["latency_us"]["p50"] / 1000,
        "p99_ms": result["latency_us"]["p99"] / 1000,
        "max_ms": counts["max_ms"],
        "errors": counts["other"] + sum(result["errors"].values()),
        "success": counts["success"],  # answered `success`: nothing said, or said later
        "exhausted": counts["exhausted"],
    }
    if mix == "repair":
        figures["tickets"] = deploy.query("tickets") - tickets
        figures["tickets_per_s"] = figures["tickets"] / seconds
    line = f"  {run:28} {figures['msgs_per_s']:7.0f} msgs/s  p50 {figures['p50_ms']:5.1f}"
    line += f"  p99 {figures['p99_ms']:6.1f}  max {figures['max_ms']:6.0f} ms"
    line += f"  tickets {figures['tickets']}" if mix == "repair" else ""
    line += f"  errors {figures['errors']}" if figures["errors"] else ""
    line += "  (ran out of messages)" if figures["exhausted"] else ""
    print(line, flush=True)
    return figures


def summary(rounds: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Medians and ranges over rounds; shares of the floor measured in the same round."""
    out: dict[str, dict[str, Any]] = {}
    for label in rounds[0]:
        runs = [r[label] for r in rounds if label in r]
        shares = [r[label]["msgs_per_s"] / r["floor"]["msgs_per_s"] for r in rounds if label in r]
        row = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        row |= {
            "range": (min(r["msgs_per_s"] for r in runs), max(r["msgs_per_s"] for r in runs)),
            "share": statistics.median(shares),
            "share_range": (min(shares), max(shares)),
            "p99_range": (min(r["p99_ms"] for r in runs), max(r["p99_ms"] for r in runs)),
        }
        out[label] = row
    return out


def print_table(
    results: dict[str, dict[str, Any]], memory: dict[str, list[float]], args: argparse.Namespace
) -> None:
    print(f"\n/wechat safe mode, {args.connections} connections, wrk on core 1, servers on core 0, database "
          f"{args.database}, Redis; {args.rounds} rounds of {args.seconds:g} s: median (range)")  # fmt: skip
    print(f"{'':22}{'msgs/s':>20}{'share of floor':>22}{'p50 ms':>9}{'p99 ms':>18}")
    for label, r in results.items():
        lo, hi = r["range"]
        slo, shi = r["share_range"]
        plo, phi = r["p99_range"]
        extra = f"  tickets/s {r['tickets_per_s']:.0f}" if "tickets_per_s" in r else ""
        rate = f"{r['msgs_per_s']:7.0f} ({lo:5.0f}-{hi:5.0f})"
        share = f"{r['share']:8.0%} ({slo:4.0%}-{shi:4.0%})"
        print(f"{label:22}{rate}{share}{r['p50_ms']:9.1f}{r['p99_ms']:7.1f} ({plo:4.0f}-{phi:4.0f}){extra}")
    print("memory after the runs, MB per serving process (VmRSS; PSS, shared pages counted as a share):")
    for name, sizes in memory.items():
        print(f"  {name:30}" + ", ".join(f"{s:.0f}" for s in sizes))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-db", default="helper_bench", help="dropped and created anew")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--mixes", default="hot,services,first,repair")
    parser.add_argument("--no-werobot", action="store_true")
    parser.add_argument("--no-workers2", action="store_true")
    parser.add_argument("--werobot-server", choices=["gunicorn", "gevent"], default="gunicorn")
    parser.add_argument("--overload", action="store_true", help="issue 15's overload run instead")
    parser.add_argument("--overload-connections", type=int, default=1024)
    parser.add_argument("--overload-factor", type=float, default=4.0)
    parser.add_argument("--overload-seconds", type=float, default=30)
    parser.add_argument(
        "--client-start-ms", type=float, default=None,
        help="--overload: no request before this many ms after wrk starts (default 4 ms a connection, at"
        " least 2 s: the client's threads have started; 0: each sends as soon as its thread is up)",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="py-spy the bot during --overload")
    parser.add_argument(
        "--profile-seconds", type=float, default=None, help="--profile: only the first seconds of the load"
    )
    parser.add_argument("--bot-env", action="append", default=[], help="KEY=VALUE for the bot (--overload)")
    args = parser.parse_args()
    if args.overload:
        from bench.overload import run_overload

        return run_overload(args)
    mixes = args.mixes.split(",")
    rounds: list[dict[str, dict[str, Any]]] = []
    memory: dict[str, list[float]] = {}
    with deployment(args.database, postgres_db=args.postgres_db) as deploy:
        floor, bot = deploy.floor(), deploy.bot()
        peer = None if args.no_werobot else deploy.werobot(args.werobot_server)
        started = time.monotonic()
        deploy.bind_residents(bot, args.residents, args.connections)
        print(
            f"{args.residents} residents bound through the chat in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        servers = [("bot", bot)] + ([("werobot", peer)] if peer else [])
        for name, server in [("floor", floor), *servers]:  # warm up: imports, caches, connections
            measure(
                deploy, server, "hot", argparse.Namespace(**{**vars(args), "seconds": 2}), f"warm-up/{name}"
            )
        for n in range(args.rounds):
            current = {"floor": measure(deploy, floor, "hot", args, f"r{n}/floor")}
            for mix in mixes:
                for name, server in servers:
                    current[f"{name}/{mix}"] = measure(deploy, server, mix, args, f"r{n}/{name}/{mix}")
            rounds.append(current)
        memory = {"floor": floor.rss_mb(), "bot (1 worker)": bot.rss_mb(), "bot (1 worker) PSS": bot.pss_mb()}
        if peer:
            memory["werobot"] = peer.rss_mb()
        if not args.no_workers2:
            bot.stop()
            bot2 = deploy.bot(workers=2, cores="0,1")
            measure(deploy, bot2, "hot", argparse.Namespace(**{**vars(args), "seconds": 2}), "warm-up/bot-2w")
            for n in range(args.rounds):
                for mix in mixes:
                    rounds[n][f"bot-2w/{mix}"] = measure(deploy, bot2, mix, args, f"r{n}/bot-2w/{mix}")
            memory["bot (2 workers)"] = bot2.rss_mb()
            memory["bot (2 workers) PSS"] = bot2.pss_mb()
        outbox = deploy.query("outbox")
    results = summary(rounds)
    print_table(results, memory, args)
    print(f"outbox at the end: {outbox}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"wrk-{args.database}-{stamp}.json").write_text(
        json.dumps({"args": vars(args), "rounds": rounds, "summary": results, "memory": memory}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
