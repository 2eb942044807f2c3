"""The few things SQLite and PostgreSQL spell differently, and the one query Tortoise cannot build: a
median per group.

- A time between two columns, in hours: ``julianday`` differences on SQLite (which stores ISO text with
  its offset and reads it back right), ``date_part('epoch', ...)`` on PostgreSQL.
- A number in a JSON column: ``json_extract`` on SQLite, ``->>`` on PostgreSQL (JSONB).
- Months (``month_bucket``) are China's months on both, whatever the server's zone: ``to_char`` at the
  offset on PostgreSQL; on SQLite a CASE over the period's month bounds, passed as parameters (its own date
  functions would read the stored offset and answer in UTC).
- The median of a group (the middle value, or the two middle values' mean): PostgreSQL's ordered-set
  aggregate ``percentile_cont(0.5)``; on SQLite the middle rows by ``ROW_NUMBER()`` and ``COUNT(*)`` over a
  window partitioned by the group (SQLite 3.25+). Both give the same number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tortoise import connections
from tortoise.expressions import Case, Q, RawSQL, When
from tortoise.queryset import QuerySet

from handlers.figures.period import Period


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


def hours_between(table: str, since: str, until: str) -> RawSQL:
    """``until - since`` of a row of ``table``, in hours (a float)."""
    a, b = f'"{table}"."{since}"', f'"{table}"."{until}"'
    if dialect() == "sqlite":
        return RawSQL(f"((julianday({b}) - julianday({a})) * 24.0)")
    return RawSQL(f"(date_part('epoch', {b} - {a}) / 3600.0)")  # float8: sorts faster than numeric


def json_number(table: str, column: str, key: str) -> RawSQL:
    """The number under ``key`` of a JSON object column (0 when the key or the object is missing)."""
    if not key.isidentifier():
        raise ValueError(key)
    if dialect() == "sqlite":
        return RawSQL(f'COALESCE(json_extract("{table}"."{column}", \'$.{key}\'), 0)')
    return RawSQL(f'COALESCE(("{table}"."{column}" ->> \'{key}\')::numeric, 0)')


def month_bucket(table: str, field: str, months: Sequence[Period], now: dt.datetime) -> Case | RawSQL:
    """The month (in ``now``'s time zone) a row's ``field`` falls in, as YYYY-MM: on PostgreSQL by
    ``to_char`` at that offset, on SQLite a CASE over the months (NULL outside them)."""
    if dialect() != "sqlite":
        offset = now.utcoffset() or dt.timedelta()
        hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)  # east of UTC: positive
        zone = f"{hours:+03d}:{minutes:02d}"
        return RawSQL(f"to_char(\"{table}\".\"{field}\" AT TIME ZONE INTERVAL '{zone}', 'YYYY-MM')")
    whens = []
    for month in months:
        start, end = month.bounds(now)
        bounds: dict[str, Any] = {f"{field}__gte": start, f"{field}__lt": end}
        whens.append(When(Q(**bounds), then=month_key(month)))
    return Case(*whens, default=None)


def month_key(month: Period) -> str:
    return f"{month.start:%Y-%m}"


def number(value: Any) -> float:
    """A number as the drivers read it back (PostgreSQL's numeric arrives as Decimal)."""
    return float(value) if isinstance(value, Decimal | int | float) else float(str(value))


async def medians(query: QuerySet[Any], group: str | None, value: RawSQL) -> dict[Any, float]:
    """The median of ``value`` over the rows of ``query`` in each ``group`` (a field, a related field
    or an annotation of ``query``; None: one group, keyed None): one statement."""
    keys = ("g", "v")
    inner = query.annotate(v=value)
    if group is None:
        inner = inner.annotate(g=RawSQL("0"))
        rows = inner.values(*keys)
    else:
        rows = inner.values(g=group, v="v")
    sql, params = _parameterized(rows)
    if dialect() == "sqlite":
        windowed = (
            f"SELECT g, v, ROW_NUMBER() OVER (PARTITION BY g ORDER BY v) AS rn, "
            f"COUNT(*) OVER (PARTITION BY g) AS n FROM ({sql}) AS per_row WHERE v IS NOT NULL"
        )
        middle = (
            f"SELECT g, AVG(v) AS m FROM ({windowed}) AS ranked "
            "WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY g"
        )
    else:
        middle = (
            f"SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS m FROM ({sql}) AS per_row "
            "WHERE v IS NOT NULL GROUP BY g"
        )
    found = await connections.get("default").execute_query_dict(middle, params)
    return {None if group is None else row["g"]: number(row["m"]) for row in found}


def _parameterized(query: Any) -> tuple[str, list[Any]]:
    """The SQL of a Tortoise query and its parameters, as it would run them (what ``Subquery`` does)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    return str(sql), list(params)
