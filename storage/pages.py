"""One page of a query and the total: the shape every list (API or chat) is read in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)
T = TypeVar("T")


@dataclass(frozen=True)
class PageSlice(Generic[T]):
    """A page of rows (models, or the views built from them) and where it stands in the whole list."""

    rows: list[T]
    page: int
    per_page: int
    total: int

    @property
    def meta(self) -> dict[str, int]:
        """The page fields every list response carries."""
        return {"page": self.page, "per_page": self.per_page, "total": self.total}


async def page_slice(query: QuerySet[M], page: int, per_page: int, *order: str) -> PageSlice[M]:
    """Page ``page`` (1-based) of ``query`` in ``order``, and how many rows there are in all: two
    statements, whatever the page size."""
    total = await query.count()
    rows = await query.order_by(*order).offset((page - 1) * per_page).limit(per_page)
    return PageSlice(list(rows), page, per_page, total)
