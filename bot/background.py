"""Tasks that outlive the request that started them (late replies); drained on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], name: str = "") -> asyncio.Task[T]:
        task = asyncio.create_task(coro, name=name or None)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception(), extra={"task": task.get_name()})

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float = 15.0) -> None:
        """Let running tasks finish (graceful shutdown); cancel what is still running after ``timeout``."""
        while self._tasks:
            tasks = set(self._tasks)
            _, still = await asyncio.wait(tasks, timeout=timeout)
            if still:
                log.warning("cancelling unfinished tasks at shutdown", extra={"count": len(still)})
                for task in still:
                    task.cancel()
                await asyncio.gather(*still, return_exceptions=True)
                return
