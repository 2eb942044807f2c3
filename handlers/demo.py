"""The demo's activity (content/demo.yaml `activity`): a bound resident, a wish on the board, an open
consultation and a notice, made through the same workflows as real ones, so that a newcomer has something
to try."""

from __future__ import annotations

import datetime as dt
from typing import Any

import content
from handlers.notices import workflow as notices
from handlers.residents import workflow as residents
from handlers.votes import workflow as votes
from handlers.votes.models import PassRule, Per
from handlers.wishes import workflow as wishes
from nlp.slots import extract_address
from storage.models import Community, Person


async def seed_activity(now: dt.datetime) -> None:
    data: dict[str, Any] = content.load_yaml("demo.yaml").get("activity") or {}
    for spec in data.get("residents", []):
        community = await Community.get(code=spec["community"])
        person, _ = await Person.get_or_create(openid=spec["openid"], defaults={"name": spec["name"]})
        place = await residents.resolve_address(community, extract_address(spec["address"]))
        await residents.bind_home(person, place)
    for i, spec in enumerate(data.get("wishes", [])):
        person = await Person.get(openid=spec["by"])
        wish = await wishes.post(
            wishes.PostWish(
                resident=person,
                community=await Community.get(id=person.community_id),
                description=spec["text"],
                source_key=f"demo:wish:{i}",
                display_name=spec.get("display_name", ""),
            ),
            now,
        )
        if spec.get("approved_by"):
            await wishes.approve(wish.id, await Person.get(openid=spec["approved_by"]), now)
    for spec in data.get("consultations", []):
        await votes.launch(
            votes.LaunchConsultation(
                community=await Community.get(code=spec["community"]),
                by=await Person.get(openid=spec["by"]),
                title=spec["title"],
                background=spec.get("background", ""),
                options=tuple(spec["options"]),
                closes_at=now + dt.timedelta(days=int(spec["days"])),
                per=Per(spec.get("per", "person")),
                quorum=float(spec.get("quorum", 0)),
                rule=PassRule(spec.get("rule", "majority")),
                approve_option=spec["options"].index("同意") if "同意" in spec["options"] else None,
            ),
            now,
        )
    for i, spec in enumerate(data.get("notices", [])):
        await notices.write(
            notices.WriteNotice(
                community_id=(await Community.get(code=spec["community"])).id,
                by=await Person.get(openid=spec["by"]),
                title=spec["title"],
                text=spec["text"],
                source_key=f"demo:notice:{i}",
            ),
            now,
        )
