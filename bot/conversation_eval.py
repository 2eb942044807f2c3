"""``community-bot nlp conversations --file F``: whole conversations, written by people who never saw the
code, replayed against the real bot and judged by what they left behind.

Each conversation names the resident's home, what should come of it (``expect:``) and the resident's lines
(``居民:``), which are sent one by one whatever the bot answers (the writer's imagined ``小助手:`` lines are
not used). Each runs on a fresh copy of the demo database, as a new resident bound to that home, so that one
conversation's report is no duplicate for the next. Then the database says what came of it: a ticket with
its category and place, a wish, the household's vote, a message for the staff, or nothing; for a service
question, the replies or the catalog entries they show must name the keyword; for an emergency, the replies
must give the number (and any ticket filed must be the emergency's own).

    ## c01
    home: 3栋2单元502
    expect: repair category=公共照明 building=3 unit=2
    居民: 楼道灯坏了好几天了
    居民: 是的
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings

KINDS = ("repair", "wish", "vote", "service", "emergency", "message", "nothing")
_ASKED_AGAIN = re.compile(r"没太明白|没看懂|没听懂|请再回复一次")


@dataclass
class Conversation:
    name: str
    home: str
    kind: str
    expect: dict[str, str]
    lines: list[str]


@dataclass
class Outcome:
    conversation: Conversation
    passed: bool
    found: str  # what came of it, in a few words
    transcript: list[tuple[str, str]] = field(default_factory=list)  # (resident, bot)
    asked_again: int = 0  # turns the bot said it did not understand, or asked the same again


def parse(text: str) -> list[Conversation]:
    """The conversations of a file; ValueError naming the first malformed one."""
    found: list[Conversation] = []
    for block in re.split(r"^##\s*", text, flags=re.M)[1:]:
        head, *rest = block.splitlines()
        home, kind, expect, lines = "", "", {}, []
        for raw in rest:
            line = raw.strip()
            if line.startswith("home:"):
                home = line.removeprefix("home:").strip()
            elif line.startswith("expect:"):
                words = line.removeprefix("expect:").split()
                kind = words[0] if words else ""
                expect = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            elif line.startswith("居民:") or line.startswith("居民："):
                lines.append(line[3:].strip())
        name = head.strip()
        if kind not in KINDS or not lines or not home:
            raise ValueError(
                f"conversation {name!r}: needs home:, expect: <{'|'.join(KINDS)}> and 居民: lines"
            )
        found.append(Conversation(name, home, kind, expect, lines))
    return found


async def _prepare_template(path: Path) -> None:
    """The demo deployment in a SQLite file, made once and copied for each conversation."""
    from bot.app import prepare_database

    await prepare_database(Settings(database_url=f"sqlite://{path}"), seed_demo=True)


async def _judge(conv: Conversation, person_id: int, replies: list[str]) -> tuple[bool, str]:
    from handlers.repairs.categories import categories
    from handlers.repairs.models import Ticket
    from handlers.votes.models import Ballot, Consultation
    from handlers.wishes.models import Wish
    from storage.models import Building, StaffMessage

    tickets = await Ticket.filter(reporter_id=person_id).order_by("id")
    wishes = await Wish.filter(resident_id=person_id).count()
    ballots = await Ballot.filter(voter_id=person_id).order_by("-id").limit(1)
    messages = await StaffMessage.filter(person_id=person_id).count()
    said = "\n".join(replies)
    filed = []
    for t in tickets:
        building = await Building.get_or_none(id=t.building_id) if t.building_id else None
        label = categories()[t.category].label if t.category in categories() else t.category
        filed.append(f"repair {label} {building.number if building else '-'}/{t.unit or '-'}")
    if wishes:
        filed.append(f"wish x{wishes}")
    vote = ""
    if ballots:
        consultation = await Consultation.get(id=ballots[0].consultation_id)
        vote = "、".join(consultation.options[i] for i in ballots[0].choices)
        filed.append(f"vote {vote}")
    if messages:
        filed.append(f"message x{messages}")
    found = "; ".join(filed) or "nothing filed"
    want = conv.expect
    if conv.kind == "repair":
        ok = any(
            f.startswith(f"repair {want.get('category', '')} ")
            and ("building" not in want or f.split()[-1].split("/")[0] == want["building"])
            and ("unit" not in want or f.split()[-1].split("/")[1] == want["unit"])
            for f in filed
        )
        return ok and len(tickets) == 1, found
    if conv.kind == "wish":
        return wishes == 1 and not tickets, found
    if conv.kind == "vote":
        return vote == want.get("option"), found
    if conv.kind == "message":
        return messages >= 1 and not tickets and not wishes, found
    if conv.kind == "nothing":
        return not filed, found
    if conv.kind == "emergency":  # the grid worker told at the resident's word files an emergency ticket
        number = want.get("number", "")
        named = bool(number) and number in said
        urgent_only = all(t.category == "emergency" for t in tickets)
        return named and urgent_only and not wishes, f"{found} (the replies name {number}: {named})"
    keyword = want.get("keyword", "")
    named = bool(keyword) and (keyword in said or keyword in _entries_shown(said))
    return named and not tickets and not wishes, f"{found} (the replies name {keyword}: {named})"


def _entries_shown(said: str) -> str:
    """The catalog entries the replies showed (their 【name】), as text: an answer about 残疾人证办理 is the
    answer to a question about 残疾证, though the reply does not spell it so."""
    import content

    entries = content.load_yaml("services/catalog.yaml")["entries"]
    shown = set(re.findall(r"【([^】]+)】", said))
    return "\n".join(str(entry) for entry in entries.values() if entry.get("name") in shown)


# a resident line that is only this stands for a photo sent (WeChat's chat records show one so)
PHOTO_LINES = frozenset({"[图片]", "[圖片]", "[照片]", "[相片]"})


async def run_one(conv: Conversation, template: Path, workdir: Path) -> Outcome:
    from bot.app import open_runtime
    from bot.messages import IncomingMessage, Kind
    from handlers.residents import workflow as residents
    from nlp.slots import extract_address
    from storage.models import Community, Person

    db_file = workdir / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template, db_file)
    settings = Settings(database_url=f"sqlite://{db_file}")
    outcome = Outcome(conv, False, "")
    try:
        async with open_runtime(settings, prepare=False, seed_demo=False) as runtime:
            user = f"eval-{conv.name}"
            community = await Community.get(code="xingfuli")
            person = await Person.create(openid=user, name="")
            place = await residents.resolve_address(community, extract_address(conv.home))
            await residents.bind_home(person, place)
            replies: list[str] = []
            previous = ""
            for line in conv.lines:
                key = f"e:{uuid.uuid4().hex}"
                if line.strip() in PHOTO_LINES:  # a photo sent, as chat transcripts show it
                    msg = IncomingMessage(
                        user=user,
                        kind=Kind.IMAGE,
                        media_id=key,
                        image_url="eval.jpg",
                        dedup_key=key,
                        channel="terminal",
                    )
                else:
                    msg = IncomingMessage(
                        user=user, kind=Kind.TEXT, text=line, dedup_key=key, channel="terminal"
                    )
                reply = await runtime.conversations.handle(msg)
                text = reply.text if reply else ""
                if _ASKED_AGAIN.search(text) or (text and text == previous):
                    outcome.asked_again += 1
                previous = text
                replies.append(text)
                outcome.transcript.append((line, text))
            outcome.passed, outcome.found = await _judge(conv, person.id, replies)
    finally:
        db_file.unlink(missing_ok=True)
    return outcome


async def run_all(convs: list[Conversation]) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="cb-convs-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.db"
        await _prepare_template(template)
        return [await run_one(conv, template, workdir) for conv in convs]


def report(outcomes: list[Outcome], worst: int) -> str:
    by_kind: dict[str, Counter[str]] = {}
    for o in outcomes:
        counts = by_kind.setdefault(o.conversation.kind, Counter())
        counts["n"] += 1
        counts["passed"] += o.passed
        counts["turns"] += len(o.conversation.lines)
        counts["asked_again"] += o.asked_again
    lines = [f"{'kind':<10}{'n':>4}{'right':>8}{'asked again (of turns)':>24}"]
    total: Counter[str] = Counter()
    for kind in KINDS:
        if kind not in by_kind:
            continue
        c = by_kind[kind]
        total.update(c)
        lines.append(
            f"{kind:<10}{c['n']:>4}{c['passed'] / c['n']:>8.0%}{c['asked_again']:>14} of {c['turns']:<4}"
        )
    lines.append(
        f"{'all':<10}{total['n']:>4}{total['passed'] / max(total['n'], 1):>8.1%}"
        f"{total['asked_again']:>14} of {total['turns']:<4}"
    )
    failed = [o for o in outcomes if not o.passed][:worst]
    for o in failed:
        conv = o.conversation
        lines.append(f"\n-- {conv.name}: expected {conv.kind} {conv.expect}; got {o.found}")
        for said, answer in o.transcript:
            lines.append(f"   居民: {said}")
            lines.append("   小助手: " + answer.replace("\n", " / ")[:160])
    return "\n".join(lines)


def evaluate(path: Path, worst: int = 20) -> int:
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    convs = parse(path.read_text(encoding="utf-8"))
    outcomes = asyncio.run(run_all(convs))
    print(f"== conversations in {path.name}: {len(convs)}, judged by what they left in the database")
    print(report(outcomes, worst))
    return 0
