"""The demo deployment (content/demo.yaml): communities, buildings and staff, so the chat is useful."""

from __future__ import annotations

from typing import Any

import content
from storage.models import Building, Community, Person, Role, RoleName


async def has_communities() -> bool:
    return await Community.exists()


async def seed_demo() -> None:
    data: dict[str, Any] = content.load_yaml("demo.yaml")
    for spec in data["communities"]:
        community, _ = await Community.get_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "district": spec["district"], "phone": spec["phone"]},
        )
        word = spec.get("building_word", "")  # 组 in a village: its "buildings" are groups (3组15号)
        for number, body in spec["buildings"].items():
            # number: units, or number: {units: 2, name: A座} for a building with a name of its own
            units, name = (
                (body.get("units", 0), body.get("name", "")) if isinstance(body, dict) else (body, "")
            )
            await Building.get_or_create(
                community=community,
                number=int(number),
                defaults={"units": int(units), "name": name or (f"{number}{word}" if word else "")},
            )
        for member in spec["staff"]:
            person, _ = await Person.get_or_create(
                openid=member["openid"], defaults={"name": member["name"], "community": community}
            )
            for role in member["roles"]:
                await Role.get_or_create(person=person, community=community, role=RoleName(role))


async def reset_demo() -> None:
    """Remove the demo communities (and everything that belongs to them) and create them anew."""
    data: dict[str, Any] = content.load_yaml("demo.yaml")
    codes = [spec["code"] for spec in data["communities"]]
    openids = [m["openid"] for spec in data["communities"] for m in spec["staff"]]
    openids += [r["openid"] for r in (data.get("activity") or {}).get("residents", [])]
    await Person.filter(openid__in=openids).delete()
    await Community.filter(code__in=codes).delete()
    await seed_demo()
