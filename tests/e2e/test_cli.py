"""The command line as a newcomer and an operator use it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REDIS_URL
from tests.fake_wechat_api import FakeWeChatAPI

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "DATABASE_URL", "REDIS_URL"))}
    env.update(extra)
    return env


def cli(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env or clean_env(PYTHONPATH=str(ROOT)),
    )


def test_chat_from_a_pipe_on_the_embedded_default(tmp_path: Path) -> None:
    """The README's first command: no configuration, a demo community, a whole conversation."""
    script = "绑定\n1\n3栋2单元502\n1\n我的信息\n/image\n/location 25.04 102.71 幸福里\n/nonsense\n取消\n"
    result = cli("chat", "--user", "newcomer", cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "欢迎关注" in out  # a new user is greeted first
    assert "居民: 绑定" in out and "绑定成功：幸福里社区 3栋2单元502" in out
    assert "身份：居民" in out
    assert "(/image" in out  # a bad slash command explains itself
    assert (tmp_path / "data" / "community-bot.sqlite3").exists()
    again = cli("chat", "--user", "newcomer", cwd=tmp_path, stdin="我的信息\n")
    assert "3栋2单元502" in again.stdout and "欢迎关注" not in again.stdout  # remembered across runs


def test_serve_refuses_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WECHAT_TOKEN", raising=False)
    assert main(["serve"]) == 2
    assert "WECHAT_TOKEN is not set" in capsys.readouterr().err


def test_several_workers_need_redis(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WECHAT_TOKEN", "t")
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["serve", "--workers", "2"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err


def test_bad_configuration_is_explained(tmp_path: Path) -> None:
    result = cli("chat", cwd=tmp_path, env=clean_env(PYTHONPATH=str(ROOT), WECHAT_AES_KEY="short"))
    assert result.returncode == 2 and "WECHAT_AES_KEY" in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy_answers(port: int, wanted: int, within: float = 90.0) -> list[bytes]:
    """Bodies of up to ``wanted`` 200 answers from /healthz, polling while the server starts (a liveness
    bound, not a speed: a start takes seconds, and several on a loaded machine)."""
    bodies: list[bytes] = []
    until = time.monotonic() + within
    while time.monotonic() < until:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    bodies.append(response.read())
        except OSError:
            time.sleep(0.1)
        if len(bodies) >= wanted:
            break
    return bodies


def test_serve_answers_health_and_stops_gracefully(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        bodies = healthy_answers(port, wanted=1)
        assert bodies and b'"database": true' in bodies[0] and b'"store": true' in bodies[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_staff_and_db_commands(tmp_path: Path) -> None:
    env = clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite://{tmp_path}/ops.sqlite3")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, cwd=tmp_path, env=env)

    assert "up to date" in run("db", "upgrade").stdout
    assert "no pending" in run("db", "pending").stdout
    assert "created" in run("demo").stdout
    newcomer = ["--community", "xingfuli", "--user", "o-new", "--role", "grid_worker"]
    granted = run("staff", "grant", *newcomer)
    assert "granted grid_worker" in granted.stdout, granted.stderr
    listing = run("staff", "list", "--community", "xingfuli").stdout
    assert "o-new" in listing and "demo-committee" in listing
    assert "revoked" in run("staff", "revoke", *newcomer).stdout
    assert "o-new" not in run("staff", "list", "--community", "xingfuli").stdout
    unknown = run("staff", "grant", "--community", "nowhere", "--user", "x", "--role", "volunteer")
    assert unknown.returncode == 2 and "xingfuli" in unknown.stdout
    assert "recreated" in run("demo", "--reset").stdout


def test_outbox_status_and_retry(tmp_path: Path) -> None:
    import sqlite3

    db_file = tmp_path / "ops.sqlite3"
    env = clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite://{db_file}")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, cwd=tmp_path, env=env)

    run("db", "upgrade")
    run("demo")
    with sqlite3.connect(db_file) as conn:  # two given up after an outage, one that may have arrived
        person = conn.execute("SELECT id FROM person LIMIT 1").fetchone()[0]
        for key, status in (("a", "failed"), ("b", "failed"), ("c", "unknown")):
            conn.execute(
                "INSERT INTO notification (person_id, key, text, template, template_data, status, channel,"
                " attempts, next_attempt_at, last_error, created_at) VALUES"
                " (?, ?, 't', '', '{}', ?, '', 50, '2026-11-30 00:00:00', '', '2026-11-30 00:00:00')",
                (person, key, status),
            )

    def counts() -> dict[str, int]:
        return {k: int(v) for k, v in re.findall(r"(\w+)\s+(\d+)", run("outbox", "status").stdout)}

    before = counts()
    assert (before["failed"], before["unknown"]) == (2, 1)
    assert "2 notifications queued again" in run("outbox", "retry").stdout
    after = counts()
    assert (after["failed"], after["unknown"], after["pending"]) == (0, 1, before["pending"] + 2)
    assert "1 notifications queued again" in run("outbox", "retry", "--unknown").stdout


@pytest.mark.redis_only
def test_several_workers_serve_and_stop(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(
        PYTHONPATH=str(ROOT), WECHAT_TOKEN="t", REDIS_URL=REDIS_URL, REDIS_PREFIX="cbtest:workers:"
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert len(healthy_answers(port, wanted=10)) == 10
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=40)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


async def start_cli(*args: str, cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    """The command in a subprocess while this test's event loop (and the fake WeChat API) keeps running."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_menu_push_installs_the_content_menu(tmp_path: Path, fake_api: FakeWeChatAPI) -> None:
    env = clean_env(
        PYTHONPATH=str(ROOT),
        WECHAT_APPID="wx1",
        WECHAT_SECRET="test-secret",
        WECHAT_API_BASE=fake_api.base_url,
        CONSOLE_URL="https://sq.example.cn/",
    )
    proc = await start_cli("menu", "push", cwd=tmp_path, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "menu installed" in out.decode()
    [call] = fake_api.of("/cgi-bin/menu/create")
    keys = [b.get("key") for b in call.body["button"]] + [
        s.get("key") for s in call.body["button"][1]["sub_button"]
    ]
    views = [s for b in call.body["button"] for s in b.get("sub_button", []) if s["type"] == "view"]
    assert views == [{"type": "view", "name": "居务公开", "url": "https://sq.example.cn/public"}]
    assert "MENU_BIND" in keys and "MENU_HELP" in keys


def test_every_menu_key_names_an_intent() -> None:
    import content
    from bot.app import classifier

    buttons = content.load_yaml("wechat_menu.yaml")["button"]
    keys = [b["key"] for b in buttons if "key" in b] + [
        s["key"] for b in buttons for s in b.get("sub_button", []) if s["type"] == "click"
    ]
    for key in keys:
        assert key.removeprefix("MENU_").lower() in classifier().specs, key


async def test_worker_delivers_the_outbox_alone_and_stops(
    tmp_path: Path, fake_api: FakeWeChatAPI, database: str
) -> None:
    """The test's own database (one back end per process: Tortoise does not switch back ends cleanly)."""
    import datetime as dt

    from storage.models import Notification, NotificationStatus, Person
    from storage.outbox import notify

    url = database
    env = clean_env(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=url,
        WECHAT_APPID="wx1",
        WECHAT_SECRET="test-secret",
        WECHAT_API_BASE=fake_api.base_url,
        OUTBOX_POLL="0.1",
    )
    now = dt.datetime.now(dt.UTC)
    person = await Person.create(openid="o-worker", last_message_at=now)
    await notify(person, "w1", "您的留言已有回复", now=now)
    proc = await start_cli("worker", cwd=tmp_path, env=env)
    try:
        for _ in range(300):
            if fake_api.sent_texts("o-worker"):
                break
            await asyncio.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert fake_api.sent_texts("o-worker") == ["您的留言已有回复"]
    assert (await Notification.get(key="w1")).status is NotificationStatus.SENT


def test_content_check_finds_problems(tmp_path: Path) -> None:
    ok = cli("content", "check", cwd=tmp_path)
    assert ok.returncode == 0 and "xingfuli: 60 entries" in ok.stdout and ok.stdout.strip().endswith("ok")
    local = tmp_path / "data" / "content" / "services"
    local.mkdir(parents=True)
    (local / "xingfuli.yaml").write_text(
        "entries:\n"
        "  legal_aid: {phone: '1234-56'}\n"  # a dead phone format
        "  broken: {name: 半截条目, line: legal}\n"  # missing fields
        "  copy: {name: 人民调解, line: nowhere, what: x, who: x, where: x, when: x, phone: '110',"
        " steps: [x], synonyms: [调解]}\n",  # a duplicate name, an unknown line, a synonym of another entry
        encoding="utf-8",
    )
    bad = cli("content", "check", cwd=tmp_path)
    assert bad.returncode == 1
    for piece in (
        "'1234-56' is not a phone number",
        "entries.broken: missing",
        "same name as mediation",
        "unknown line 'nowhere'",
        "warning: entries.copy.synonyms: '调解' also names mediation",
    ):
        assert piece in bad.stdout, bad.stdout
    refused = cli("content", "reload", cwd=tmp_path)
    assert refused.returncode == 1 and "not reloaded" in refused.stdout


def test_content_reload_reaches_a_running_server(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--dev", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/api/v1/communities/xingfuli/services/legal_aid"

    def where() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(json.loads(response.read())["where"])

    try:
        assert healthy_answers(port, wanted=1)
        with urllib.request.urlopen(url, timeout=5) as response:
            assert b"12348" in response.read()
        local = tmp_path / "data" / "content" / "services"
        local.mkdir(parents=True)
        (local / "xingfuli.yaml").write_text(
            "entries:\n  legal_aid: {where: 幸福里公共法律服务工作室（每周三下午）}\n", encoding="utf-8"
        )
        assert where() != "幸福里公共法律服务工作室（每周三下午）"  # not before the reload
        done = cli("content", "reload", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if where() == "幸福里公共法律服务工作室（每周三下午）":
                break
            time.sleep(0.1)
        else:
            proc.send_signal(signal.SIGTERM)
            logs = [line for line in proc.communicate(timeout=30)[1].splitlines() if '"request"' not in line]
            pytest.fail("the server did not reload the catalog: " + "\n".join(logs[-20:]))
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert not (tmp_path / "data" / "community-bot.pid").exists()
    missing = cli("content", "reload", cwd=tmp_path)
    assert missing.returncode == 1 and "no running server" in missing.stdout


def test_the_demo_has_a_wish_and_a_consultation_to_try(tmp_path: Path) -> None:
    script = "绑定\n1\n4栋1单元101\n1\n投票\n1\n1\n心愿墙\n"
    out = cli("chat", "--user", "trying", cwd=tmp_path, stdin=script).stdout
    assert "东门加装非机动车充电棚" in out and "已记录您家的投票：同意" in out
    assert "周六想找个志愿者陪我妈去市一院复查" in out
    again = cli("demo", "--reset", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    fresh = cli(
        "chat", "--user", "trying-again", cwd=tmp_path, stdin="绑定\n1\n4栋1单元101\n1\n投票\n"
    ).stdout
    assert fresh.count("东门加装非机动车充电棚") == 1  # recreated once, not twice


def test_each_chat_session_files_its_own_reports(tmp_path: Path) -> None:
    """Message ids of the terminal chat are unique across runs: a later session's report is a new ticket,
    never the number of an older one filed from a message with the same id."""
    bound = cli("chat", "--user", "again", cwd=tmp_path, stdin="绑定\n1\n3栋2单元502\n1\n")
    assert "绑定成功" in bound.stdout, bound.stdout + bound.stderr
    first = cli("chat", "--user", "again", cwd=tmp_path, stdin="楼道灯坏了好几天了\n1\n1\n跳过\n1\n")
    second = cli("chat", "--user", "again", cwd=tmp_path, stdin="5栋电梯又停了\n跳过\n1\n")
    numbers = [re.findall(r"工单号 (R\d{4}-\d{4})", run.stdout) for run in (first, second)]
    assert all(len(found) == 1 for found in numbers), first.stdout + second.stdout
    assert numbers[0] != numbers[1], second.stdout


def test_a_street_office_sets_up_its_communities(tmp_path: Path) -> None:
    """A street-office clerk on an empty database: the street office, a community with buildings and rooms,
    a village, a staff member named by phone who takes the role with the invite code in the chat."""
    env = clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite://{tmp_path}/street.sqlite3")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return cli(*args, cwd=tmp_path, env=env, stdin=stdin)

    made = run("street", "create", "xinhua", "--name", "新华街道", "--district", "盘龙区")
    assert made.returncode == 0 and "created street office xinhua" in made.stdout, made.stderr
    twice = run("street", "create", "xinhua", "--name", "新华街道")
    assert twice.returncode == 2 and "已经有了" in twice.stderr
    town = run(
        "community", "create", "xinhua-1", "--name", "新华社区", "--street", "xinhua",
        "--buildings", "1-6:2,7:1,8:0,A座:2", "--rooms", "1-6:6x2", "--hours", "周一至周五 9:00-17:00",
    )  # fmt: skip
    assert town.returncode == 0, town.stderr
    assert "新华街道 (xinhua)" in town.stdout and "homes: 144" in town.stdout and "A座 2单元" in town.stdout
    village = run("community", "create", "dacun", "--name", "大村", "--street", "xinhua", "--kind", "村",
                  "--buildings", "1-5")  # fmt: skip
    assert village.returncode == 0 and "1组, 2组, 3组, 4组, 5组" in village.stdout, village.stderr
    for bad, why in (
        (["--street", "nowhere"], "没有编号为 nowhere 的街道"),
        (["--buildings", "1-6:x"], "1-6:x"),
        (["--kind", "村", "--buildings", "1-5:2"], "村民小组没有单元"),
    ):
        refused = run("community", "create", "bad", "--name", "错", *bad)
        assert refused.returncode == 2 and why in refused.stderr, refused.stderr
    duplicate = run("community", "create", "dacun", "--name", "大村")
    assert duplicate.returncode == 2 and "已经有了" in duplicate.stderr
    unknown = run("community", "list", "--street", "nowhere")
    assert unknown.returncode == 2 and "没有编号为 nowhere 的街道" in unknown.stderr

    granted = run("staff", "grant", "--street", "xinhua", "--phone", "13812345678", "--name", "王芳")
    assert granted.returncode == 0 and "granted street_office in street office xinhua" in granted.stdout
    code = re.findall(r"invite code (\d{8})", granted.stdout)[0]
    shown = run("street", "show", "xinhua").stdout
    assert "王芳" in shown and "13812345678 (not yet on WeChat)" in shown and "dacun" in shown
    edited = run("community", "edit", "xinhua-1", "--office", "党群服务中心", "--verify-wishes", "yes",
                 "--buildings", "9:3")  # fmt: skip
    assert (
        "office: 党群服务中心" in edited.stdout and "wishes" in edited.stdout and "9栋 3单元" in edited.stdout
    )

    joined = run("chat", "--user", "wang-fang", stdin=f"加入 {code}\n")
    assert "欢迎加入" in joined.stdout, joined.stdout + joined.stderr
    listing = run("staff", "list", "--street", "xinhua").stdout
    assert listing.count("wang-fang") == 2 and "not yet on WeChat" not in listing  # both communities
    listed = run("community", "list").stdout
    assert "xinhua-1" in listed and "dacun" in listed and "xingfuli" not in listed  # no demo brought along
