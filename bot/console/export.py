"""Every console list as an Excel workbook (the 台账 the street office asks for), its filters applied.

A list page builds its rows with the same filters as the page shows, and hands them here with the column
headers: ``xlsx_response("工单", headers, rows)``. Times are written in China time (Excel has no time zones).
openpyxl (5 MB) is imported by the first export, not by every serving process.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

CHINA = dt.timezone(dt.timedelta(hours=8))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | bool | dt.datetime | dt.date | None


def _cell(sheet: Any, value: Cell) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(CHINA).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula: residents' words ("=...") are text
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    bold = Font(bold=True)
    heading = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, filename: str = ""
) -> web.Response:
    """The rows as a download named ``filename`` (default: the title and today's date)."""
    name = filename or f"{title}-{dt.datetime.now(CHINA):%Y%m%d}.xlsx"
    return workbook_download(workbook_bytes(title, headers, rows), name)


def workbook_download(body: bytes, filename: str) -> web.Response:
    """A workbook made elsewhere (the register's own layout) as a download named ``filename``."""
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return web.Response(
        body=body,
        content_type=XLSX,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
