"""Communities' set-up (placeholder until the set-up work is merged): the roles granted to a phone number
become the person's who proves that number."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from storage.models import Person, PhoneGrant, Role
from storage.people import reassign


async def claim_phone_grants(person: Person, phone: str) -> list[PhoneGrant]:
    """``person`` proved ``phone``: the placeholder person kept for that number (staff named by phone, see
    ``storage.people.staff_by_phone``) is merged into them, and the roles granted to the number are
    theirs, the grants marked claimed. Returns the grants claimed now."""
    now = dt.datetime.now(dt.UTC)
    async with in_transaction():
        for placeholder in await Person.filter(phone=phone, openid=None, mp_openid=None).exclude(
            id=person.id
        ):
            await reassign(placeholder, person)
            if not person.name and placeholder.name:
                person.name = placeholder.name
            if person.community_id is None and placeholder.community_id is not None:
                person.community_id = placeholder.community_id
            await placeholder.delete()
        grants = list(await PhoneGrant.filter(phone=phone, claimed_by_id=None))
        for grant in grants:
            await Role.get_or_create(person=person, community_id=grant.community_id, role=grant.role)
            grant.claimed_by, grant.claimed_at = person, now
            await grant.save(update_fields=["claimed_by_id", "claimed_at"])
            if person.community_id is None:
                person.community_id = grant.community_id
        await person.save(update_fields=["name", "community_id"])
    return grants
