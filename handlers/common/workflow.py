"""Common's writes: a resident's message for staff and its answer, following and unfollowing."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

import content
from handlers.common import formats
from handlers.common.queries import MessageView, community_by_code, number_of
from handlers.common.rules import Refusal
from storage.models import Community, Person, Role, RoleName, StaffMessage
from storage.outbox import notify
from storage.roles import answers_messages

ANSWERERS = (RoleName.COMMITTEE, RoleName.GRID_WORKER)  # who is told of new messages and may answer


async def record_message(person: Person, text: str, now: dt.datetime) -> str:
    """Keep the message for staff and tell those who answer; returns its number (H0012)."""
    async with in_transaction():
        note = await StaffMessage.create(
            person=person, community_id=person.community_id, text=text.strip()[:2000], created_at=now
        )
        if person.community_id is not None:
            for role in await Role.filter(
                community_id=person.community_id, role__in=ANSWERERS
            ).prefetch_related("person"):
                await notify(
                    role.person,
                    f"staff_message:{note.id}:new:{role.person.id}",
                    content.text(
                        "common.staff_new_message",
                        number=number_of(note.id),
                        text=formats.clip(note.text, 80),
                    ),
                    now=now,
                )
    return number_of(note.id)


async def add_to_message(message_id: int, person: Person, words: str) -> str | None:
    """A line the resident adds to their own message while it waits; its number, or None (answered)."""
    message = await StaffMessage.get_or_none(id=message_id, person=person, status="open")
    if message is None:
        return None
    message.text = formats.added(message.text, words, 4000)
    await message.save(update_fields=["text"])
    return number_of(message.id)


async def answer(message_id: int, staff: Person, text: str, now: dt.datetime) -> MessageView:
    """Answer an open message once (the first answer wins); the resident is told."""
    message = await StaffMessage.get_or_none(id=message_id)
    if message is None or not await answers_messages(staff, message.community_id):
        raise Refusal("common.no_such_message")
    if len(text.strip()) < 2:
        raise Refusal("common.answer_too_short")
    number = number_of(message.id)
    async with in_transaction():
        if not await StaffMessage.filter(id=message.id, status="open").update(
            status="answered", answer=text.strip()[:2000], answered_at=now
        ):
            raise Refusal("common.already_answered", number=number)
        await notify(
            await Person.get(id=message.person_id),
            f"staff_message:{message.id}:answer",
            content.text(
                "common.told_answer", number=number, question=formats.clip(message.text, 40), answer=text
            ),
            now=now,
            template="service_update",
            template_data={"title": number, "status": content.text("common.answered")},
        )
    return MessageView.of(await StaffMessage.get(id=message.id))


async def follow(person: Person, scene: str) -> Community | None:
    """A follow (or a scan of a community's QR code): a person without a home is placed in the scene's
    community; returns that community, if the scene names one."""
    community = await community_by_code(scene)
    if community is not None and person.home_id is None:
        person.community = community
    person.following = True
    await person.save()
    return community


async def unfollow(person: Person) -> None:
    person.following = False
    await person.save(update_fields=["following"])
