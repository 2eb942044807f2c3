"""The register workbook over the API, for the committee and the street office of the community: the
template, the import (the .xlsx as the request body; every problem answered at once as a 422 with its
details, nothing written), and the export of the current register (care needs included: never for
residents)."""

from __future__ import annotations

from dataclasses import asdict

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, overseer_of
from bot.api.core import ApiError, ApiRequest, Binary, QueryParam, Routes
from handlers.register import import_queries
from handlers.register.import_sheets import XLSX, template_workbook
from handlers.register.import_workflow import import_register

routes = Routes("register")

ZIP = b"PK\x03\x04"  # an .xlsx is a zip archive
WORKBOOK_LIMIT = 20 * 1024 * 1024


class CountsOut(BaseModel):
    created: int
    updated: int
    left: int = Field(description="no longer in the workbook: residents moved out, grids removed...")


class ImportOut(BaseModel):
    dry_run: bool = Field(description="checked and counted, nothing saved")
    rows: int = Field(description="data rows read")
    counts: dict[str, CountsOut] = Field(
        description="buildings, homes, households, residents, grids, grid_staff, building_heads"
    )
    bindings_ended: int = Field(description="verified homes ended because their resident left the register")
    summary: list[str] = Field(description="the same, as sentences for the committee")


@routes.add(
    "GET",
    "/communities/{community}/register/template.xlsx",
    summary="The register workbook's template, with examples (committee, street office)",
    response=None,
    binary=True,
    binary_types=(XLSX,),
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def register_template(call: ApiRequest) -> Binary:
    community = await overseer_of(call)
    return Binary(template_workbook(rural=import_queries.is_rural(community)), XLSX)


@routes.add(
    "POST",
    "/communities/{community}/register/import",
    summary="Import the register workbook (.xlsx body), 422 lists every problem (committee, street office)",
    response=ImportOut,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 422),
    upload=True,
    upload_types={XLSX: ZIP, "application/octet-stream": ZIP},
    upload_limit=WORKBOOK_LIMIT,
    upload_refused="register_import.not_a_workbook",
    query=[
        QueryParam(
            "dry_run",
            {"type": "integer", "minimum": 0, "maximum": 1, "default": 0},
            "1: check and count only, save nothing",
        )
    ],
)
async def import_workbook(call: ApiRequest) -> ImportOut:
    community = await overseer_of(call)
    result = await import_register(community, call.body.data, call.now(), dry_run=bool(call.query["dry_run"]))
    if result.summary is None:
        raise ApiError(
            422,
            "invalid_workbook",
            content.text("register_import.invalid", count=len(result.problems)),
            details=[asdict(problem) for problem in result.problems],
        )
    summary = result.summary
    return ImportOut(
        dry_run=summary.dry_run,
        rows=summary.rows,
        counts={kind: CountsOut(**asdict(counts)) for kind, counts in summary.counts.items()},
        bindings_ended=summary.bindings_ended,
        summary=summary.lines(),
    )


@routes.add(
    "GET",
    "/communities/{community}/register.xlsx",
    summary="Export the register as a workbook in the template's layout (committee, street office)",
    response=None,
    binary=True,
    binary_types=(XLSX,),
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def export_register(call: ApiRequest) -> Binary:
    community = await overseer_of(call)
    return Binary(await import_queries.export_workbook(community), XLSX)
