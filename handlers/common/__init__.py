"""Help, menu, cancel, hand-off to a person, events, and the kind fallback."""

from handlers.common.fallback import router as fallback_router
from handlers.common.globals import router as global_router
from handlers.common.staff_messages import router as staff_messages_router

__all__ = ["fallback_router", "global_router", "staff_messages_router"]
