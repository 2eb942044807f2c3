"""The demo deployment (content/demo.yaml): communities, buildings and staff, so the chat is useful."""

from __future__ import annotations

from typing import Any

import content
from storage.models import Building, Community, CommunityKind, Person, Role, RoleName, StreetOffice


async def has_communities() -> bool:
    return await Community.exists()


async def seed_demo() -> None:
    data: dict[str, Any] = content.load_yaml("demo.yaml")
    for spec in data["communities"]:
        community, _ = await Community.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "district": spec["district"],
                "phone": spec["phone"],
                "kind": CommunityKind(spec.get("kind", "urban")),
            },
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
    for street in data.get("streets") or []:
        await _seed_street(street)


async def _seed_street(spec: dict[str, Any]) -> None:
    """A street office over some of the demo communities, its staff holding its role in each."""
    street, _ = await StreetOffice.get_or_create(
        code=spec["code"],
        defaults={"name": spec["name"], "district": spec.get("district", ""), "phone": spec.get("phone", "")},
    )
    communities = await Community.filter(code__in=spec["communities"]).order_by("id")
    await Community.filter(id__in=[c.id for c in communities]).update(street_office=street)
    for member in spec["staff"]:
        person, _ = await Person.get_or_create(
            openid=member["openid"], defaults={"name": member["name"], "community": communities[0]}
        )
        for community in communities:
            await Role.get_or_create(person=person, community=community, role=RoleName.STREET_OFFICE)


async def reset_demo() -> None:
    """Remove the demo communities (and everything that belongs to them) and create them anew."""
    data: dict[str, Any] = content.load_yaml("demo.yaml")
    codes = [spec["code"] for spec in data["communities"]]
    openids = [m["openid"] for spec in data["communities"] for m in spec["staff"]]
    openids += [r["openid"] for r in (data.get("activity") or {}).get("residents", [])]
    streets = data.get("streets") or []
    openids += [m["openid"] for spec in streets for m in spec["staff"]]
    await Person.filter(openid__in=openids).delete()
    await Community.filter(code__in=codes).delete()
    await StreetOffice.filter(code__in=[spec["code"] for spec in streets]).delete()
    await seed_demo()
