"""The figures a community and its street office are judged by (办结率, 满意度, 参与率, 志愿者...), for a
period: counted in SQL, a constant number of statements whatever the number of tickets or communities.

``community_overview`` and ``street_overview`` are what the staff console's overview and monthly report
(月报) render, every figure with links to its rows; ``public_overview`` is 居务公开's: aggregates only, no
names, no handler or building breakdown, no links. Who may read a community's figures: ``may_read``.
The definitions are in each subject's module: ``tickets``, ``wishes``, ``consultations``, ``messages``.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from handlers.figures.consultations import consultations
from handlers.figures.messages import messages
from handlers.figures.period import Period
from handlers.figures.tickets import section
from handlers.figures.views import CommunityFigures, Figures, Overview, PeriodOut, Scope
from handlers.figures.where import Where
from handlers.figures.wishes import volunteers, wishes
from handlers.register.models import Grid
from storage.models import OVERSEERS, Community, Person, Role, RoleName, StreetOffice
from storage.roles import roles_of

READERS = OVERSEERS | {RoleName.GRID_WORKER}  # the committee, the street office, grid workers


async def may_read(person: Person, community_id: int) -> bool:
    """May read the community's figures (a ``storage.roles.CommunityRule``). The links open the lists as
    they show the reader: a grid worker following one sees the rows of their own grid among them."""
    return bool(await roles_of(person, community_id) & READERS)


async def community_overview(community: Community, period: Period, now: dt.datetime) -> Overview:
    where = Where({community.id: community}, period, now)
    return await _overview(where, Scope(kind="community", code=community.code, name=community.name))


async def public_overview(community: Community, period: Period, now: dt.datetime) -> Overview:
    where = Where({community.id: community}, period, now, linked=False)
    return await _overview(where, Scope(kind="community", code=community.code, name=community.name))


async def street_overview(
    street: StreetOffice, period: Period, now: dt.datetime, *, by_place: bool = True
) -> Overview:
    """Every community of the street office, in all and one by one (none yet: all zero). ``by_place``
    off: without the breakdowns by grid and handler (every community's, in one list each)."""
    communities = await Community.filter(street_office_id=street.id).order_by("name", "id")
    where = Where({c.id: c for c in communities}, period, now, by_place=by_place)
    return await _overview(where, Scope(kind="street", code=street.code, name=street.name))


async def _overview(where: Where, scope: Scope) -> Overview:
    (
        (tickets, ticket_rows, backlog),
        (wish_total, wish_rows),
        (served, served_rows, top),
        counted,
        left,
    ) = await asyncio.gather(
        section(where), wishes(where), volunteers(where), consultations(where), messages(where)
    )
    consulted, consulted_rows, closed = counted
    messages_total, message_rows = left
    total = Figures(
        tickets=tickets.total,
        overdue_backlog=tickets.overdue_backlog,
        links=tickets.links,
        wishes=wish_total,
        volunteers=served,
        consultations=consulted,
        messages=messages_total,
    )
    communities = [
        CommunityFigures(
            community=c.code,
            name=c.name,
            tickets=ticket_rows[cid],
            overdue_backlog=backlog.get(cid, 0),
            links=where.backlog_links(cid),
            wishes=wish_rows[cid],
            volunteers=served_rows[cid],
            consultations=consulted_rows[cid],
            messages=message_rows[cid],
        )
        for cid, c in where.communities.items()
    ]
    return Overview(
        scope=scope,
        period=PeriodOut(start=where.period.start, end=where.period.end),
        at=where.now,
        total=total,
        communities=communities if scope.kind == "street" else [],
        tickets=tickets,
        volunteers=top,
        consultations=closed,
    )


async def street_roles(
    person: Person, street: StreetOffice
) -> tuple[list[Community], dict[int, set[RoleName]]]:
    """The street office's communities where the person holds its role (by name), and the person's roles in
    each community of the street office: two statements (the street office's lists)."""
    rows = await Role.filter(person_id=person.id, community__street_office_id=street.id).values(
        "community_id", "role"
    )
    roles: dict[int, set[RoleName]] = {}
    for row in rows:
        roles.setdefault(int(row["community_id"]), set()).add(RoleName(row["role"]))
    ids = [cid for cid, held in roles.items() if RoleName.STREET_OFFICE in held]
    return (list(await Community.filter(id__in=ids).order_by("name", "id")) if ids else []), roles


async def grid_name(grid_id: int) -> str | None:
    found = await Grid.get_or_none(id=grid_id)
    return (found.name or found.code) if found is not None else None


async def person_name(person_id: int) -> str | None:
    found = await Person.get_or_none(id=person_id)
    return found.name if found is not None else None


async def community_by_code(code: str) -> Community | None:
    return await Community.get_or_none(code=code)


async def all_communities() -> list[Community]:
    """Every community, by name: 居务公开's index."""
    return await Community.all().order_by("name", "id")
