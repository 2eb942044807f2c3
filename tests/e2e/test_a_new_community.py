"""A whole day of a new community, as a street office puts it on the bot: the street office and two
communities from the command line, a register of about 2,000 residents imported (its mistakes reported,
corrected, imported again), the first committee member named by phone, residents binding and verified by
the register or confirmed by the committee, the grid worker proving their phone in the mini-program and
getting their building's tickets, a visit recorded, and a household that votes once."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

from bot.app import china_now
from handlers.register.models import Binding, BindingMethod, BindingStatus, Household, Resident, Visit
from handlers.repairs.models import Ticket
from handlers.votes import workflow as votes
from handlers.votes.models import Ballot, PassRule, Per
from storage.models import Community, Person, Role, RoleName
from tests.e2e.conftest import MakeSim
from tests.e2e.test_cli import ROOT, clean_env
from tests.fake_wechat_api import FakeWeChatAPI
from tests.register_books import generated

API = "/api/v1"
ids = iter(range(7_000_000, 7_999_999))


def cli(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(PYTHONPATH=str(ROOT), DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


async def test_a_day_of_a_new_community(
    make_sim: MakeSim, fake_api: FakeWeChatAPI, database: str, tmp_path: Path
) -> None:
    # -- morning: the street office sets up, from the command line --------------------------------------
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = cli(database, tmp_path, *args)
        assert done.returncode in (0, 1), done.stderr
        return done

    assert run("street", "create", "xinhua", "--name", "新华街道").returncode == 0
    assert run("community", "create", "xinhua-1", "--name", "新华社区", "--street", "xinhua",
               "--buildings", "1-10:3").returncode == 0  # fmt: skip
    assert run("community", "create", "dacun", "--name", "大村", "--street", "xinhua", "--kind", "rural",
               "--buildings", "1-5").returncode == 0  # fmt: skip
    granted = run("staff", "grant", "--community", "xinhua-1", "--phone", "13700009999", "--name", "王主任",
                  "--role", "committee")  # fmt: skip
    code = re.findall(r"invite code (\d{8})", granted.stdout)[0]

    # -- the committee's spreadsheet: about 2,000 residents, two mistakes, then corrected ---------------
    book = generated(2000, 10)
    assert 1900 <= len(book.people) <= 2100
    good_phone, good_unit = book.people[5][5], book.people[40][1]
    book.people[5][5], book.people[40][1] = "1390000", "9"
    (tmp_path / "register.xlsx").write_bytes(book.xlsx())
    refused = run("register", "import", "--community", "xinhua-1", "register.xlsx")
    assert refused.returncode == 1
    assert "1390000" in refused.stdout and "单元" in refused.stdout, refused.stdout
    assert await Resident.all().count() == 0  # nothing half-imported
    book.people[5][5], book.people[40][1] = good_phone, good_unit
    (tmp_path / "register.xlsx").write_bytes(book.xlsx())
    imported = run("register", "import", "--community", "xinhua-1", "register.xlsx")
    assert imported.returncode == 0, imported.stdout
    community = await Community.get(code="xinhua-1")
    assert community.register_at is not None
    assert await Resident.filter(community=community).count() == len(book.people)

    # -- the first committee member takes the role granted to their phone --------------------------------
    sim = await make_sim("safe", wechat_mp_appid="wxmp", wechat_mp_secret="mp-secret")
    assert "新华社区" in await sim.say("oa-director", f"加入 {code}", next(ids))
    director = await Person.get(openid="oa-director")
    assert RoleName.COMMITTEE in {r.role for r in await Role.filter(person=director, community=community)}

    # -- residents bind: one by phone, one by name, one the register does not know -----------------------
    head, spouse = book.people[0], book.people[1]  # 1栋1单元101: a household of at least two
    assert head[:3] == spouse[:3] and head[5] and spouse[4]

    async def bind(user: str, who: str) -> str:
        await sim.say(user, "绑定", next(ids))
        await sim.say(user, "新华社区", next(ids))
        await sim.say(user, "1栋1单元101", next(ids))
        assert "为了核对住户信息" in await sim.say(user, "1", next(ids))
        return await sim.say(user, who, next(ids))

    assert "核对通过" in await bind("oa-head", head[5])
    assert "核对通过" in await bind("oa-spouse", spouse[4])
    stranger = await bind("oa-stranger", "赵六")
    number = re.findall(r"编号 (B\d+)", stranger)[0]
    assert "需要社区工作人员确认" in stranger
    assert "已确认" in await sim.say("oa-director", f"确认绑定 {number}", next(ids))
    stranger_binding = await Binding.get(person__openid="oa-stranger")
    assert (stranger_binding.status, stranger_binding.method) == (
        BindingStatus.VERIFIED,
        BindingMethod.CONFIRMED,
    )

    # -- the grid worker of 1栋 proves their phone in the mini-program: their grid is theirs -------------
    worker_phone = book.rows["网格"][0][4]
    fake_api.login_codes["grid-login"] = {"openid": "mp-grid-1"}
    token = (await (await sim.client.post(f"{API}/auth/login", json={"code": "grid-login"})).json())["token"]
    fake_api.phone_codes["grid-phone"] = worker_phone
    proven = await sim.client.post(
        f"{API}/me/phone", headers={"Authorization": f"Bearer {token}"}, json={"code": "grid-phone"}
    )
    assert proven.status == 200, await proven.text()
    worker = await Person.get(mp_openid="mp-grid-1")
    assert RoleName.GRID_WORKER in {r.role for r in await Role.filter(person=worker, community=community)}

    # a resident's complaint in 1栋 goes to that grid worker, not to everyone
    user = "oa-head"
    await sim.say(user, "楼上天天半夜拖椅子，吵得睡不着", next(ids))
    for answer in ("1", "1", "跳过", "1", "1"):
        reply = await sim.say(user, answer, next(ids))
        if "工单号" in reply:
            break
    ticket = await Ticket.get(reporter__openid=user)
    assert ticket.assignee_id == worker.id and ticket.building_id is not None
    auth = {"Authorization": f"Bearer {token}"}
    grid = await (await sim.client.get(f"{API}/me/grid", headers=auth)).json()
    assert grid["open_tickets"] >= 1 and any(b.startswith("1") for b in grid["buildings"])
    visit = await sim.client.post(
        f"{API}/communities/xinhua-1/visits",
        headers=auth,
        json={
            "building": 1,
            "unit": 1,
            "room": "101",
            "name": head[4],
            "found": "楼上噪音，已上门劝导",
            "follow_up": "下周回访",
        },
    )
    assert visit.status == 201, await visit.text()
    assert (await Visit.get()).resident_id == (await Resident.get(name=head[4], home__room="101")).id

    # -- a household votes once ----------------------------------------------------------------------------
    now = china_now()
    c = await votes.launch(
        votes.LaunchConsultation(
            community=community,
            by=director,
            title="1栋楼道加装声控灯",
            background="楼道灯常亮费电，拟改为声控灯。",
            options=("同意", "不同意"),
            closes_at=now + dt.timedelta(days=7),
            buildings=(1,),
            per=Per.HOUSEHOLD,
            quorum=0.3,
            rule=PassRule.MAJORITY,
            approve_option=0,
        ),
        now,
    )
    await sim.say("oa-head", "投票", next(ids))
    await sim.say("oa-head", "1", next(ids))
    assert "已记录您家的投票" in await sim.say("oa-head", "1", next(ids))
    await sim.say("oa-spouse", "投票", next(ids))
    await sim.say("oa-spouse", "1", next(ids))
    assert "已经有家人投过票了" in await sim.say("oa-spouse", "2", next(ids))
    assert await Ballot.filter(consultation=c).count() == 1
    registered = await Household.filter(community=community, home__building__number=1, active=True).count()
    assert registered > 50 and await votes.electorate(c) == registered  # not the three bound homes
