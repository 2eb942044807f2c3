"""Which number an emergency needs, and the top-priority ticket for the grid worker."""

from __future__ import annotations

import datetime as dt

import content
from handlers.repairs import workflow as repairs
from handlers.repairs.categories import categories
from handlers.repairs.models import Ticket
from storage.models import Home, Person


def kind_of(text: str, before: str = "") -> str:
    """The first kind (content/emergency.yaml) whose words the message holds, else the message ``before``
    it (the one the resident was asked about: "有人在撬门锁" then "他还在"); medical otherwise."""
    kinds = content.load_yaml("emergency.yaml")["kinds"].items()
    for said in (text, before):
        for kind, spec in kinds:
            if any(word in said for word in spec["words"]):
                return str(kind)
    return "medical"


async def tell_grid_worker(person: Person, text: str, source_key: str, now: dt.datetime) -> Ticket:
    """File the emergency as a ticket for the grid workers' pool, at the resident's home, once per
    message (the same message answered twice files one ticket)."""
    category = categories()[content.load_yaml("emergency.yaml")["category"]]
    home = await Home.get(id=person.home_id)
    return await repairs.report(
        repairs.ReportRepair(
            reporter=person,
            community_id=home.community_id,
            category=category,
            description=text,
            source_key=f"emergency:{source_key}",
            building_id=home.building_id,
            unit=home.unit,
            place=content.text("emergency.at_home"),  # with the building and unit: the resident's home
        ),
        now,
    )
