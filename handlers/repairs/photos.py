"""Keeping residents' photos: WeChat's temporary media expire after 3 days, so they are downloaded into the
ticket soon after it is filed (a clock-driven job), and staff see them through the API."""

from __future__ import annotations

import datetime as dt
import logging

from bot.wechat.client import WeChatAPIError, WeChatClient
from handlers.repairs.models import TicketPhoto

log = logging.getLogger(__name__)

MEDIA_LIFETIME = dt.timedelta(days=3)
GONE = {40007}  # invalid or expired media_id


async def fetch_photos(client: WeChatClient, now: dt.datetime, limit: int = 20) -> int:
    """Download photos not yet kept; returns how many were stored. A photo WeChat no longer has is marked
    so (its media id cleared) and not asked for again; other failures are tried again next round."""
    if not client.configured:
        return 0
    waiting = await TicketPhoto.filter(
        data=None, media_id__not="", created_at__gte=now - MEDIA_LIFETIME
    ).limit(limit)
    stored = 0
    for photo in waiting:
        try:
            data, content_type = await client.download_media(photo.media_id)
        except WeChatAPIError as exc:
            if exc.errcode in GONE:
                await TicketPhoto.filter(id=photo.id).update(media_id="", content_type="gone")
            else:
                log.warning(
                    "photo download failed, will retry", extra={"photo": photo.id, "errcode": exc.errcode}
                )
            continue
        await TicketPhoto.filter(id=photo.id).update(data=data, content_type=content_type)
        stored += 1
    return stored
