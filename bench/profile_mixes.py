"""Where the bot's time goes, per mix: py-spy samples the serving process while wrk drives one mix.

    python bench/profile_mixes.py [--database postgres|sqlite] [--mixes hot,services,first,repair]
                                  [--seconds 10] [--residents 1000] [--top 25]

The deployment, residents and loads are bench/wrk.py's. For each mix, py-spy (on the client's core, 100
samples/s, idle frames dropped) records the bot's one worker for ``--seconds`` while wrk sends the mix; the
collapsed stacks are kept in the work directory (printed) and summarised as the share of samples spent in
each function (inclusive) and in each module (own time). Shares, not rates: they hold on a busy machine.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.deploy import deployment
from bench.servers import CLIENT_CORES, run_wrk
from bench.wrk import load_for


def summarise(folded: Path, top: int) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in folded.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += n
        leaf = frames[-1]
        own[_module(leaf)] += n
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples; inclusive share by function:"]
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  own time by module:")
    lines += [f"    {n / total:6.1%}  {mod}" for mod, n in own.most_common(top)]
    return "\n".join(lines)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (the wall clock is shared; this is its own)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _module(frame: str) -> str:
    """``func (path/to/module.py:12)`` -> the module's path, shortened to its package."""
    start = frame.rfind("(")
    where = frame[start + 1 : frame.rfind(":")] if start >= 0 else frame
    for marker in ("site-packages/", "lib/python3.11/", "wt-perf/", "main/"):
        if marker in where:
            return where.split(marker, 1)[1]
    return where


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-db", default="helper_bench_profile")
    parser.add_argument("--mixes", default="hot,services,first,repair")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-spy", action="store_true", help="CPU per message only")
    args = parser.parse_args()
    with deployment(args.database, postgres_db=args.postgres_db) as deploy:
        floor, bot = deploy.floor(), deploy.bot()
        deploy.bind_residents(bot, args.residents, args.connections)
        runs = [("floor", floor, "hot", False), ("bot", bot, "hot", False)]  # warm-up
        runs += [("floor", floor, "hot", True)] + [("bot", bot, mix, True) for mix in args.mixes.split(",")]
        for name, server, mix, recorded in runs:
            pid = server.pids()[0]
            load = load_for(deploy, mix, args.residents, args.connections, f"profile-{name}-{mix}")
            folded = deploy.workdir / f"{name}-{mix}.folded"
            spy = None
            if recorded and not args.no_spy:
                cmd = ["taskset", "-c", CLIENT_CORES, "py-spy", "record", "--pid", str(pid), "--rate", "100"]
                cmd += [
                    "--nonblocking",
                    "--format",
                    "raw",
                    "--duration",
                    f"{args.seconds:g}",
                    "-o",
                    str(folded),
                ]
                spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            out = deploy.workdir / f"{name}-{mix}.json"
            cpu = cpu_seconds(pid)
            result = run_wrk(server.url, load, args.connections, args.seconds if recorded else 3, out)
            cpu = cpu_seconds(pid) - cpu
            if not recorded:
                continue
            counts = result["counts"]
            rate = counts["responses"] / max(1e-9, (counts["last_ms"] - counts["first_ms"]) / 1000)
            per = 1000 * cpu / max(1, counts["responses"])
            print(f"\n== {name}/{mix}: {rate:.0f} msgs/s, p99 {result['latency_us']['p99'] / 1000:.1f} ms, "
                  f"{per:.2f} ms of CPU per message (the server's own)", flush=True)  # fmt: skip
            if spy is not None:
                spy.wait()
                print(f"  {folded}\n" + summarise(folded, args.top), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
