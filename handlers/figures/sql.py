"""The few things SQLite and PostgreSQL spell differently, and the queries Tortoise cannot build:
medians, and several breakdowns of one set of rows in one statement.

- A time between two columns, in hours: ``julianday`` differences on SQLite (which stores ISO text with
  its offset and reads it back right), ``date_part('epoch', ...)`` on PostgreSQL.
- A number in a JSON column: ``json_extract`` on SQLite, ``->>`` on PostgreSQL (JSONB).
- Months (``month_bucket``) are China's months on both, whatever the server's zone: on PostgreSQL the
  month's first instant at the offset (``date_trunc``, a timestamp: cheap to group by; ``month_text``
  writes it YYYY-MM once per group, not once per row); on SQLite a CASE over the period's month bounds,
  passed as parameters (its own date functions would read the stored offset and answer in UTC).
- The median of a group (the middle value, or the two middle values' mean): PostgreSQL's ordered-set
  aggregate ``percentile_cont(0.5)``; on SQLite the middle rows by ``ROW_NUMBER()`` and ``COUNT(*)`` over a
  window partitioned by the group (SQLite 3.25+). Both give the same number.
- Breakdowns (``breakdowns``: sums and medians of one set of rows by each of several columns, and in all):
  on PostgreSQL one pass over the rows, ``GROUPING SETS`` hashed in memory, each group's values gathered
  (``array_agg``) and their median taken once per group; on SQLite the rows as a common table expression,
  grouped by each column in a UNION ALL (``sums_by``, ``medians_by``), keys as text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tortoise import connections
from tortoise.expressions import Case, Q, RawSQL, When

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
    """The month (in ``now``'s time zone) a row's ``field`` falls in: on PostgreSQL its first instant at
    that offset (``month_text`` writes it YYYY-MM), on SQLite YYYY-MM by a CASE over the months (NULL
    outside them)."""
    if dialect() != "sqlite":
        offset = now.utcoffset() or dt.timedelta()
        hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)  # east of UTC: positive
        zone = f"{hours:+03d}:{minutes:02d}"
        return RawSQL(f"date_trunc('month', \"{table}\".\"{field}\" AT TIME ZONE INTERVAL '{zone}')")
    whens = []
    for month in months:
        start, end = month.bounds(now)
        bounds: dict[str, Any] = {f"{field}__gte": start, f"{field}__lt": end}
        whens.append(When(Q(**bounds), then=month_key(month)))
    return Case(*whens, default=None)


def month_text(column: str) -> str:
    """SQL: a ``month_bucket`` column as YYYY-MM (``month_key``'s spelling)."""
    return column if dialect() == "sqlite" else f"to_char({column}, 'YYYY-MM')"


def month_key(month: Period) -> str:
    return f"{month.start:%Y-%m}"


def number(value: Any) -> float:
    """A number as the drivers read it back (PostgreSQL's numeric arrives as Decimal)."""
    return float(value) if isinstance(value, Decimal | int | float) else float(str(value))


def flag(condition: Q) -> Case:
    """1 where ``condition`` holds, else 0: a column to sum."""
    return Case(When(condition, then=RawSQL("1")), default=RawSQL("0"))  # type: ignore[arg-type]


Breakdowns = dict[str, dict[str | None, dict[str, float]]]


async def sums_by(rows: Any, dims: Sequence[str], measures: Sequence[str]) -> Breakdowns:
    """For each of ``dims`` (columns of the values query ``rows``), the sums of ``measures`` (its number
    columns) per value of that column: one statement, ``rows`` computed once (a common table expression,
    which PostgreSQL materialises when used more than once) and grouped once per dimension.
    ``{dim: {value as text (None for NULL): {measure: sum}}}``."""
    sql, params = _parameterized(rows)
    sums = ", ".join(f"SUM({m}) AS {m}" for m in measures)
    branches = [f"SELECT '{d}' AS dim, CAST({d} AS TEXT) AS k, {sums} FROM base GROUP BY {d}" for d in dims]
    found = await _run(f"WITH base AS ({sql}) " + " UNION ALL ".join(branches), params)
    out: Breakdowns = {d: {} for d in dims}
    for row in found:
        out[row["dim"]][row["k"]] = {m: number(row[m] or 0) for m in measures}
    return out


Medians = dict[str, dict[str | None, float]]
TOTAL = "total"  # the dimension of one group: every row


async def medians_by(rows: Any, dims: Sequence[str], *, where: str = "", total: bool = False) -> Medians:
    """For each of ``dims`` (columns of the values query ``rows``; ``total``: and over all of them, keyed
    ``TOTAL`` and None), the median of its column ``v`` per value: one statement. ``where``: a 0/1 column
    of ``rows`` that must be 1."""
    sql, params = _parameterized(rows)
    keep = f"v IS NOT NULL AND {where} = 1" if where else "v IS NOT NULL"
    groups = [(f"'{d}'", f"CAST({d} AS TEXT)", d) for d in dims]
    if total:
        groups.append((f"'{TOTAL}'", "NULL", ""))
    branches = []
    for dim, key, by in groups:
        if dialect() == "sqlite":
            part = f"PARTITION BY {by} " if by else ""
            ranked = (
                f"SELECT {key} AS k, v, ROW_NUMBER() OVER ({part}ORDER BY v) AS rn, "
                f"COUNT(*) OVER ({part.strip()}) AS n FROM base WHERE {keep}"
            )
            branches.append(
                f"SELECT {dim} AS dim, k, AVG(v) AS m FROM ({ranked}) AS ranked "
                "WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY k"
            )
        else:
            grouped = f" GROUP BY {by}" if by else ""
            branches.append(
                f"SELECT {dim} AS dim, {key} AS k, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS m "
                f"FROM base WHERE {keep}{grouped}"
            )
    found = await _run(f"WITH base AS ({sql}) " + " UNION ALL ".join(branches), params)
    out: Medians = {d: {} for d in (*dims, *([TOTAL] if total else []))}
    for row in found:
        if row["m"] is not None:
            out[row["dim"]][row["k"]] = number(row["m"])
    return out


async def breakdowns(
    rows: Any,
    dims: Sequence[str],
    measures: Sequence[str],
    *,
    where: str,
    keys: Mapping[str, Callable[[str], str]] | None = None,
    parts: int = 1,
) -> tuple[Breakdowns, Medians]:
    """For each of ``dims`` (columns of the values query ``rows``), per value of that column: the sums of
    ``measures`` (its number columns) and the median of its column ``v`` over the rows whose 0/1 column
    ``where`` is 1; and that median over all of them (``TOTAL``, keyed None). ``keys``: SQL of a
    dimension's key from its column (``month_text``; by default the column as text).

    PostgreSQL: ``parts`` statements side by side (each on a connection, and a core, of its own), each one
    pass over the rows grouped by its share of the dimensions (``GROUPING SETS``: a set per dimension, and
    the empty set in the first), each group's values gathered once and their median taken once per group.
    SQLite: two statements, ``sums_by`` and ``medians_by``."""
    if dialect() == "sqlite":
        return await sums_by(rows, dims, measures), await medians_by(rows, dims, where=where, total=True)
    sql, params = _parameterized(rows)
    n = max(1, min(parts, len(dims)))
    shares = [list(dims[i::n]) for i in range(n)]
    found = await asyncio.gather(
        *(
            _grouped(sql, params, share, measures, where=where, keys=keys or {}, total=i == 0)
            for i, share in enumerate(shares)
        )
    )
    sums: Breakdowns = {d: {} for d in dims}
    medians: Medians = {d: {} for d in (*dims, TOTAL)}
    for share, rows_found in zip(shares, found, strict=True):
        everyone = (1 << len(share)) - 1  # GROUPING's bits: 1 for a column not grouped by, the first highest
        for row in rows_found:
            if row["g_"] == everyone:
                dim, key = TOTAL, None
            else:
                dim = next(d for i, d in enumerate(share) if not row["g_"] >> (len(share) - 1 - i) & 1)
                key = row[dim]
                sums[dim][key] = {m: number(row[m] or 0) for m in measures}
            if row["m_"] is not None:
                medians[dim][key] = number(row["m_"])
    return sums, medians


async def _grouped(
    sql: str,
    params: list[Any],
    dims: Sequence[str],
    measures: Sequence[str],
    *,
    where: str,
    keys: Mapping[str, Callable[[str], str]],
    total: bool,
) -> list[dict[str, Any]]:
    """PostgreSQL: the rows of ``sql`` grouped by each of ``dims`` (``total``: and all together), with a
    ``GROUPING`` bitmask ``g_``, the keys as text, the sums and the median ``m_``."""
    columns = ", ".join(dims)
    sets = ", ".join([f"({d})" for d in dims] + (["()"] if total else []))
    grouped = (
        f"SELECT GROUPING({columns}) AS g_, {columns}, "
        + "".join(f"SUM({m}) AS {m}, " for m in measures)
        + f"array_agg(v) FILTER (WHERE v IS NOT NULL AND {where} = 1) AS v_ "
        f"FROM base GROUP BY GROUPING SETS ({sets})"
    )
    texts = [keys.get(d, lambda c: f"CAST({c} AS TEXT)")(d) for d in dims]
    # the median of a group's values, unnested in the select list (streamed, not stored first)
    median = "(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM (SELECT unnest(v_) AS x) AS xs)"
    statement = (
        f"WITH base AS ({sql}) SELECT g_, "
        + "".join(f"{text} AS {d}, " for d, text in zip(dims, texts, strict=True))
        + "".join(f"{m}, " for m in measures)
        + f"{median} AS m_ FROM ({grouped}) AS grouped"
    )
    return await _run(statement, params)


async def _run(statement: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(await connections.get("default").execute_query_dict(statement, params))


def _parameterized(query: Any) -> tuple[str, list[Any]]:
    """The SQL of a Tortoise query and its parameters, as it would run them (what ``Subquery`` does)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    return str(sql), list(params)
