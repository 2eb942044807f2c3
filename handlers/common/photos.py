"""Keeping photos sent in the chat: WeChat's temporary media expire after 3 days, so they are downloaded
soon after they arrive (a clock-driven job) into their feature's photo table (a ticket's, a wish's)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import content
from bot.api.core import ApiError, Binary
from bot.wechat.client import WeChatAPIError, WeChatClient
from storage.base import Model

log = logging.getLogger(__name__)

MEDIA_LIFETIME = dt.timedelta(days=3)
GONE = {40007}  # invalid or expired media_id


async def fetch_photos(client: WeChatClient, now: dt.datetime, table: type[Model], limit: int = 20) -> int:
    """Download the photos of ``table`` (a model with media_id, data, content_type, created_at) not yet
    kept; returns how many were stored. A photo WeChat no longer has is marked
    so (its media id cleared) and not asked for again; other failures are tried again next round."""
    if not client.configured:
        return 0
    waiting = (
        await table.filter(data=None, media_id__not="", created_at__gte=now - MEDIA_LIFETIME)
        .limit(limit)
        .values_list("id", "media_id")
    )
    stored = 0
    for photo_id, media_id in waiting:
        try:
            data, content_type = await client.download_media(media_id)
        except WeChatAPIError as exc:
            if exc.errcode in GONE:
                await table.filter(id=photo_id).update(media_id="", content_type="gone")
            else:
                log.warning(
                    "photo download failed, will retry", extra={"photo": photo_id, "errcode": exc.errcode}
                )
            continue
        await table.filter(id=photo_id).update(data=data, content_type=content_type)
        stored += 1
    return stored


async def kept_photo(table: type[Model], photo_id: int, **owner: Any) -> Binary:
    """A photo of ``table`` already downloaded, as the API serves it; 404 when it is not (yet) kept."""
    photo: Any = await table.get_or_none(id=photo_id, **owner)
    if photo is None or photo.data is None:
        raise ApiError(404, "not_found", content.text("api.no_photo"))
    return Binary(bytes(photo.data), photo.content_type)
