"""The chat side of residents: 绑定 (community, then home, then confirm), 我的信息, invite codes."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, pattern, state
from handlers.common import formats
from handlers.common.answers import choose, is_any, is_no, is_skip, is_yes
from handlers.common.pause import answers
from handlers.common.rules import Refusal
from handlers.register import verify_queries, verify_workflow
from handlers.residents import queries, workflow
from handlers.residents.queries import HomeAddress, RoleName, role_label
from nlp.slots import Address, extract_address, extract_mobile, extract_room
from nlp.tokenize import normalize, strip_punctuation
from nlp.understand import LABEL_INTENT

router = Router("residents")
router.menu_entry("bind", order=50)
router.menu_entry("my_info", order=60)

CHANGE = "bind:change"
COMMUNITY = "bind:community"
ADDRESS = "bind:address"
CONFIRM = "bind:confirm"
WHO = "bind:who"  # a registered community: the name or phone checked against the register
SWITCH = "bind:switch"
answers(CHANGE, COMMUNITY, ADDRESS, CONFIRM, WHO, intents=("bind",))  # "我住在3栋..." is the answer

_JOIN = re.compile(r"^\s*(?:加入|邀请码)\s*(\d{6,8})\s*$")
# the options of each numbered question, and the words that stand for them besides their labels
_CHANGE = {
    1: ("更换", "换", "换一个", "换住址", "重新绑定", "搬家了", "改住址"),
    2: ("不换", "保持", "不变", "保持不变", "不用换"),
}
_CONFIRM = {
    1: ("确认", "对的", "没错", "是这个"),
    2: ("重新填写", "重填", "重新填", "填错了", "改一下", "修改"),
}
_SKIP = frozenset({"跳过", "不方便", "不想说", "不说", "不知道", "不告诉你"})
_NAME_LEAD = ("我的名字叫", "我的名字是", "名字叫", "名字是", "我叫", "我是", "姓名", "名字", "本人")


def role_in_text(text: str) -> RoleName | None:
    for name, body in content.load_yaml("roles.yaml").items():
        if any(word in text for word in body["words"]):
            return RoleName(name)
    return None


# -- entry points -----------------------------------------------------------------------------------
async def start_binding(
    ctx: Context, after: str | None = None, said: str = "", words: str = "", add: bool = False
) -> None:
    """Begin 绑定; ``after`` is the intent to resume once bound (a workflow that needed a home), in the
    resident's first ``words`` (so what they said is not asked again); ``said``: the request's own words,
    read for the community and home they name ("我家住在幸福里三栋二单元五零二"); ``add``: a second home,
    the first one kept."""
    ctx.dialog.clear()
    if after:
        ctx.dialog.update(after=after, after_words=words[:1000])
    if said and not extract_address(said).empty:
        ctx.dialog.update(said=said)
    person = await ctx.person()
    current = await queries.home_of(person)
    if add and current is not None:  # a second home; without a first it is simply 绑定
        ctx.dialog.update(add=True)
    elif current is not None and not after and await verify_queries.home_status(person) == "unverified":
        # bound before the community's register: checked now, the home kept
        ctx.dialog.set(WHO, community=current.community.id, building=current.building.id)
        ctx.dialog.update(unit=current.unit, room=current.room)
        ctx.say("verify.ask_who")
        return
    elif current is not None and not after:
        ctx.dialog.set(CHANGE)
        ctx.say("residents.already_bound", address=current.describe())
        return
    await _ask_community(ctx)


_HOME = "residents.home"  # in ctx.data: (the person's home id, their home) read this turn


async def home_this_turn(ctx: Context) -> HomeAddress | None:
    """The sender's home, read once a turn: a report's first turn asks twice (is there one, and where)."""
    person = await ctx.person()
    kept = ctx.data.get(_HOME)
    if kept is None or kept[0] != person.home_id:  # not read yet, or bound elsewhere since
        kept = ctx.data[_HOME] = (person.home_id, await queries.home_of(person))
    home: HomeAddress | None = kept[1]
    return home


async def require_home(ctx: Context, then: str) -> HomeAddress | None:
    """For workflows that need a home: the bound home, or start binding and resume ``then`` after."""
    home = await home_this_turn(ctx)
    if home is None:
        ctx.say("residents.bind_first")
        await start_binding(ctx, after=then, words=ctx.msg.text.strip() if ctx.msg.has_text else "")
    return home


# words that ask to bind or move, beside a home named ("我搬到3栋了", "换个地址")
_REBIND = re.compile(r"绑定|绑|更换|换|搬|改|登记|认证|新家|不住|地址")


# a relative's home named, with what is wrong there: "我爸住5栋1单元 他们楼道堆满了旧沙发纸箱子"
_SOMEONE_ELSES = re.compile(
    r"(?<![跟和同])(?:爸|妈|爷爷|奶奶|外婆|外公|姥姥|姥爷|父母|老人家?|儿子|女儿|闺女|亲戚|婆婆|公公|岳母|丈母娘|老丈人)"
    r"(?:家)?(?:住(?:在)?|在)\s*\d"
)


_A_MATTER = frozenset({"repair", "complaint", "wish", "service", "vote", "propose"})
SURE_ENOUGH = 0.4  # the model's next reading, once binding is set aside


@router.handle(intent("bind"), idle())
async def bind(ctx: Context) -> None:
    known = await _home_introduced(ctx)
    if known is not None:  # "我是4栋2单元602住户，…": who is speaking, not a new home
        ctx.say("residents.home_known", home=known.home())
        return
    if await _about_someone_elses_home(ctx):
        return
    await start_binding(ctx, said=ctx.msg.text)  # "我住3栋2单元502": the home is already said


async def _about_someone_elses_home(ctx: Context) -> bool:
    """A relative's home named with a matter of its own, and no word of binding: the matter, as the model's
    next reading has it (the report then asks where, with that home as the place)."""
    text = ctx.msg.text if ctx.msg.has_text else ""
    prediction = ctx.classification.prediction
    if prediction is None or not _SOMEONE_ELSES.search(text) or _REBIND.search(text):
        return False
    other = prediction.without("bind")
    intent_name = LABEL_INTENT.get(other.label)
    if intent_name not in _A_MATTER or other.probability < SURE_ENOUGH:
        return False
    return await ctx.redirect(intent_name, text)


async def _home_introduced(ctx: Context) -> HomeAddress | None:
    """The bound home, when the message names it and asks nothing about binding or moving."""
    said = extract_address(ctx.msg.text) if ctx.msg.has_text else Address()
    if said.empty or _REBIND.search(ctx.msg.text):
        return None
    home = await queries.home_of(await ctx.person())
    if home is None or said.letter or said.building != home.building.number:
        return None
    return home if (said.unit or 0, said.room or home.room) == (home.unit, home.room) else None


@router.handle(state(CHANGE))
async def change(ctx: Context) -> None:
    # "需要更换吗？ 1 更换住址 2 不用了"
    choice = (
        choose(ctx.msg.text, ["更换住址", "不用了"], synonyms=_CHANGE, yes=1, no=2)
        if ctx.msg.has_text
        else None
    )
    if choice == 1:
        await _ask_community(ctx)
    elif choice == 2:
        ctx.dialog.clear()
        ctx.say("residents.keep_home")
    elif ctx.msg.has_text and ctx.intent not in _NOT_ELSEWHERE and not _ABOUT_MOVING.search(ctx.msg.text):
        # "我妈今年满80了…要怎么申请？", "那我投弃权": not about moving; the home stays, the request answered
        ctx.dialog.clear()
        await ctx.dispatcher.feed(ctx)
    else:
        ctx.reask("residents.change_again")


# at "需要更换吗？", what is still about the home ("怎么换", "房子卖了 要搬走了 户口要迁吗"), or no request
_NOT_ELSEWHERE = frozenset({None, "bind", "chitchat", "thanks", "greet", "cancel", "help", "my_info"})
_ABOUT_MOVING = re.compile(r"换|搬|改|迁|卖|租出去|出租|住址|地址|绑")


# -- step 1: which community ------------------------------------------------------------------------
async def _ask_community(ctx: Context) -> None:
    preset = None if ctx.dialog.data.get("add") else (await ctx.person()).community_id
    found = await queries.communities()
    said = str(ctx.dialog.data.get("said") or "")
    named = [c for c in found if _names(c.name, said)]
    if said and not named:  # 我住3栋2单元502: the community where that home exists
        named = await workflow.communities_with(extract_address(said))
    if preset is not None or len(found) == 1 or len(named) == 1:
        community = next((c for c in found if c.id == preset), named[0] if len(named) == 1 else found[0])
        await _ask_address(ctx, community.id, community.name)
        return
    if not found:
        ctx.dialog.clear()
        ctx.say("residents.no_communities")
        return
    ctx.dialog.set(COMMUNITY, communities=[c.id for c in found])
    ctx.say("residents.ask_community", options=content.numbered([c.name for c in found]))


@router.handle(state(COMMUNITY), has_text())
async def community_answer(ctx: Context) -> None:
    ids: list[int] = list(ctx.dialog.data.get("communities") or [])
    offered = [c for c in await queries.communities() if c.id in ids]
    names = [next((c.name for c in offered if c.id == i), "") for i in ids]
    choice = choose(ctx.msg.text, names, synonyms=community_words(names))  # "1", "幸福里", "我住幸福里"
    picked = [c for c in offered if choice and c.id == ids[choice - 1]]
    said = extract_address(ctx.msg.text)
    if not picked and not said.empty:  # "3栋2单元502": the one community where that home exists, if one
        homes = {c.id for c in await workflow.communities_with(said)}
        picked = [c for c in offered if c.id in homes]
        if len(picked) == 1:
            ctx.dialog.update(said=ctx.msg.text)  # read again as the answer to the address question
    if len(picked) != 1:
        ctx.reask("residents.community_again", options=content.numbered(names))
        return
    await _ask_address(ctx, picked[0].id, picked[0].name)


def community_words(names: list[str]) -> dict[int, tuple[str, ...]]:
    """A community's name without 社区 / 小区 (幸福里 for 幸福里社区), for answers like "我住幸福里"."""
    stems = {i: name.removesuffix("社区").removesuffix("小区") for i, name in enumerate(names, start=1)}
    return {i: (stem,) for i, stem in stems.items() if len(stem) >= 2}


def _names(community: str, text: str) -> bool:
    """``text`` names the community: 幸福里社区, or 幸福里 alone."""
    return bool(text) and (community in text or community.removesuffix("社区") in text)


@router.handle(state(COMMUNITY))
async def community_not_text(ctx: Context) -> None:
    names = [
        c.name for c in await queries.communities() if c.id in (ctx.dialog.data.get("communities") or [])
    ]
    ctx.reask("residents.community_again", options=content.numbered(names))


# -- step 2: which home -----------------------------------------------------------------------------
async def _ask_address(ctx: Context, community_id: int, name: str) -> None:
    said = str(ctx.dialog.data.pop("said", "") or "")
    ctx.dialog.set(ADDRESS, community=community_id, partial={})
    if said:  # the home was in the request itself: read it as the answer
        await _take_address(ctx, said)
        return
    example = (
        "residents.example_village" if await queries.is_village(community_id) else "residents.example_address"
    )
    ctx.say("residents.ask_address", community=name, example=content.text(example))


@router.handle(state(ADDRESS), has_text())
async def address_answer(ctx: Context) -> None:
    await _take_address(ctx, ctx.msg.text)


async def _take_address(ctx: Context, text: str) -> None:
    community = await queries.community(ctx.dialog.data["community"])
    assert community is not None
    said = extract_address(text)
    if said.empty:  # a bare "502", or a village's "15号": the room, the rest is asked for
        said = Address(room=extract_room(text))
    if said.empty:
        village = await queries.is_village(community.id)
        ctx.reask("residents.village_address_again" if village else "residents.address_again")
        return
    partial = Address(**dict(ctx.dialog.data.get("partial") or {}))
    where = said if said.has_building else partial  # a building and its letter go together
    merged = Address(
        building=where.building,
        letter=where.letter,
        unit=said.unit if said.unit is not None else partial.unit,
        room=said.room or partial.room,
    )
    try:
        home = await workflow.resolve_address(community, merged)
        await verify_queries.check_on_register(home)
    except Refusal as problem:
        keep = {k: v for k, v in vars(merged).items() if v is not None}
        if problem.key in ("residents.no_such_building", "verify.not_on_register"):
            keep = {}  # a refused address is dropped whole: nothing of it joins the next answer
        if problem.key == "residents.no_such_unit":
            keep.pop("unit", None)
        ctx.dialog.update(partial=keep)
        ctx.say_text(problem.text())  # progress, not a wrong answer: no retry counted
        return
    ctx.dialog.set(CONFIRM, building=home.building.id, unit=home.unit, room=home.room)
    ctx.say("residents.confirm", address=home.describe())


@router.handle(state(ADDRESS))
async def address_not_text(ctx: Context) -> None:
    ctx.reask("residents.address_again")


# -- step 3: confirm --------------------------------------------------------------------------------
@router.handle(state(CONFIRM))
async def confirm(ctx: Context) -> None:
    labels = ["确认", "重新填写"]
    choice = choose(ctx.msg.text, labels, synonyms=_CONFIRM, yes=1, no=2) if ctx.msg.has_text else None
    data = ctx.dialog.data
    if choice not in (1, 2):
        ctx.reask("residents.confirm_again")
        return
    home = await queries.address(data["community"], data["building"], int(data["unit"]), str(data["room"]))
    if choice == 2:
        await _ask_address(ctx, home.community.id, home.community.name)
        return
    if verify_queries.in_force(home.community):
        ctx.dialog.set(WHO)
        ctx.say("verify.ask_who")
        return
    await _bind(ctx, home)


# -- step 4, in a community with a register: who the resident is ----------------------------------------
@router.handle(state(WHO), has_text())
async def who_answer(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    phone = extract_mobile(text) or ""
    skipped = not phone and (ctx.word in _SKIP or is_skip(text) or is_no(text))
    name = "" if phone or skipped or is_yes(text) or is_any(text) else _name_in(text)
    if not (phone or name or skipped):
        ctx.reask("verify.who_again")
        return
    data = ctx.dialog.data
    home = await queries.address(data["community"], data["building"], int(data["unit"]), str(data["room"]))
    await _bind(ctx, home, name=name, phone=phone)


@router.handle(state(WHO))
async def who_not_text(ctx: Context) -> None:
    ctx.reask("verify.who_again")


def _name_in(text: str) -> str:
    """A name as a resident says it: 王芳, 我叫王芳, 我是王芳。 (empty when it does not look like one)."""
    said = strip_punctuation(normalize(text)).replace(" ", "")
    for lead in _NAME_LEAD:
        if said.startswith(lead):
            said = said[len(lead) :]
            break
    if not 2 <= len(said) <= 8 or any(ch.isdigit() for ch in said) or said in _SKIP:
        return ""
    return said


async def _bind(ctx: Context, home: HomeAddress, name: str = "", phone: str = "") -> None:
    data = ctx.dialog.data
    add = bool(data.get("add"))
    bound = await verify_workflow.bind(
        await ctx.person(), home, ctx.now(), name=name, phone=phone, keep_others=add
    )
    after, words = data.get("after"), str(data.get("after_words") or "")
    ctx.dialog.clear()
    address = home.describe()
    if add:
        ctx.say(
            "verify.added" if bound.verified else "verify.added_pending", address=address, number=bound.number
        )
    elif not bound.verified:
        ctx.say("verify.bound_pending", address=address, number=bound.number)
    elif verify_queries.in_force(home.community):
        ctx.say("verify.bound_verified", address=address)
    else:
        ctx.say("residents.bound", address=address)
    if after:
        if words:
            what = ctx.services.classifier.label(after)
            ctx.say("residents.carry_on", what=what, words=formats.clip(words, 40))
        await ctx.redirect(after, words)


# -- a second home, and which one is in use -------------------------------------------------------------
@router.handle(command("添加住址", "增加住址", "增加一处住址", "添加一处住址", "再绑定一处住址"))
async def add_home(ctx: Context) -> None:
    await start_binding(ctx, said=ctx.data["command"].args, add=True)  # 添加住址 4栋1单元101


@router.handle(command("切换住址", "切换地址", "切换到另一处住址", args=False))
async def switch_home(ctx: Context) -> None:
    ctx.dialog.clear()
    places = await verify_queries.places_of(await ctx.person())
    if not places:
        current = await queries.home_of(await ctx.person())
        if current is None:
            ctx.say("verify.no_home")
        else:
            ctx.say("verify.only_one", address=current.describe())
        return
    if len(places) == 1:
        ctx.say("verify.only_one", address=places[0].address)
        return
    ctx.dialog.set(SWITCH, ids=[p.binding_id for p in places], labels=[p.address for p in places])
    ctx.say("verify.switch_list", options=content.numbered(_place_labels(places)))


def _place_labels(places: list[verify_queries.Place]) -> list[str]:
    return [
        p.address
        + (content.text("verify.pending_mark") if p.pending else "")
        + (content.text("verify.current_mark") if p.current else "")
        for p in places
    ]


@router.handle(state(SWITCH))
async def switch_answer(ctx: Context) -> None:
    ids: list[int] = list(ctx.dialog.data.get("ids") or [])
    labels: list[str] = list(ctx.dialog.data.get("labels") or [])
    choice = choose(ctx.msg.text, labels) if ctx.msg.has_text else None
    if choice is None:
        ctx.reask("verify.switch_again", options=content.numbered(labels))
        return
    address = await verify_workflow.switch(await ctx.person(), ids[choice - 1])
    ctx.dialog.clear()
    ctx.say("verify.switched", address=address.describe())


# -- who am I ---------------------------------------------------------------------------------------
@router.handle(intent("my_info"), idle())
async def my_info(ctx: Context) -> None:
    home = await queries.home_of(await ctx.person())
    roles = await queries.roles_of(await ctx.person())
    labels = "、".join(role_label(r) for r in RoleName if r in roles) or content.text("residents.no_roles")
    if home is None:
        ctx.say("residents.info_unbound", roles=labels)
    else:
        pending = await verify_queries.home_status(await ctx.person()) == "pending"
        address = home.describe() + (content.text("verify.pending_mark") if pending else "")
        ctx.say("residents.info", address=address, roles=labels)


# -- linking the mini-program ------------------------------------------------------------------------
@router.handle(intent("link_mp"), idle())
async def link_mini_program(ctx: Context) -> None:
    code = await workflow.new_link_code(ctx.services.store, await ctx.person())
    ctx.say("residents.link_code", code=code)


@router.handle(command("确认关联", args=False))
async def confirm_link(ctx: Context) -> None:
    """The follower confirms that the mini-program asking to link is theirs."""
    if await workflow.confirm_link(ctx.services.store, await ctx.person()) is None:
        ctx.say("residents.no_link_request")
        return
    ctx.say("residents.linked")


# -- invite codes -----------------------------------------------------------------------------------
@router.handle(intent("invite"), idle(), lambda ctx: not _JOIN.match(ctx.msg.text))
async def invite(ctx: Context) -> None:
    role = role_in_text(ctx.msg.text)
    community = await queries.community((await ctx.person()).community_id)
    if community is None:
        ctx.say("residents.invite_not_allowed")
        return
    if role is None or role is RoleName.RESIDENT:
        ctx.say("residents.invite_which_role")
        return
    code = await workflow.create_invite(await ctx.person(), community, role, ctx.now())
    ctx.say("residents.invite_created", code=code.code, role=role_label(role), community=community.name)


@router.handle(pattern(_JOIN))
async def join(ctx: Context) -> None:
    used = await workflow.join(ctx.services.store, await ctx.person(), ctx.data["match"].group(1), ctx.now())
    ctx.dialog.clear()
    ctx.say("residents.joined", community=used.community.name, role=role_label(used.role))
