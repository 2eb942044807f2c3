"""A real browser for the console: Debian's chromium, headless, started once per test session.

Playwright's synchronous API drives it from one thread of its own (a browser belongs to the thread that
started it, and each test's event loop is new): ``Tab`` hands each step to that thread and awaits it, so
the test's loop keeps serving the app meanwhile. Playwright never downloads a browser here: it is pointed
at ``/usr/bin/chromium`` (``.ci/run`` installs it; missing, the tests fail, never skip).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.e2e.conftest import make_sim  # noqa: F401  (the app and its WeChat simulator)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("CONSOLE_SHOTS", "/tmp/console-shots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
T = TypeVar("T")


class BrowserThread:
    """The one thread that owns playwright and the browser."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None

    def start(self) -> None:
        def launch() -> None:
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

        self.executor.submit(launch).result(timeout=120)

    def stop(self) -> None:
        def close() -> None:
            if self.browser is not None:
                self.browser.close()
            if self.playwright is not None:
                self.playwright.stop()

        self.executor.submit(close).result(timeout=60)
        self.executor.shutdown()

    async def run(self, step: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, step)


@pytest.fixture(scope="session")
def chromium() -> Iterator[BrowserThread]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"no chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does)")
    thread = BrowserThread()
    thread.start()
    yield thread
    thread.stop()


class Tab:
    """One browser window (its own cookies) on the app: each call runs on the browser's thread."""

    def __init__(self, thread: BrowserThread, context: BrowserContext, page: Page, base: str) -> None:
        self.thread = thread
        self.context = context
        self.page = page
        self.base = base

    async def do(self, step: Callable[[Page], T]) -> T:
        return await self.thread.run(lambda: step(self.page))

    async def goto(self, path: str) -> int:
        response = await self.do(lambda p: p.goto(self.base + path))
        return response.status if response is not None else 0

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base)

    async def wait_for_path(self, prefix: str, timeout: float = 15_000) -> None:
        await self.do(
            lambda p: p.wait_for_url(lambda url: url.startswith(self.base + prefix), timeout=timeout)
        )

    async def text(self, selector: str = "body") -> str:
        return await self.do(lambda p: p.inner_text(selector))

    async def screenshots(self, name: str) -> list[Path]:
        """The page at phone and desktop width (whole page), saved under ``SHOTS``."""
        SHOTS.mkdir(parents=True, exist_ok=True)

        def shoot(p: Page) -> list[Path]:
            saved = []
            for label, size in (("390", PHONE), ("1280", DESKTOP)):
                p.set_viewport_size(size)
                path = SHOTS / f"{name}-{label}.png"
                p.screenshot(path=str(path), full_page=True)
                saved.append(path)
            p.set_viewport_size(DESKTOP)
            return saved

        return await self.do(shoot)


@pytest.fixture
async def open_tab(chromium: BrowserThread) -> AsyncIterator[Callable[[str], Any]]:
    """``await open_tab(base_url)``: a fresh browser window; all are closed after the test."""
    contexts: list[BrowserContext] = []

    async def open_one(base: str) -> Tab:
        def make() -> tuple[BrowserContext, Page]:
            assert chromium.browser is not None
            context = chromium.browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
            context.set_default_timeout(15_000)
            return context, context.new_page()

        context, page = await chromium.run(make)
        contexts.append(context)
        return Tab(chromium, context, page, base.rstrip("/"))

    yield open_one
    for context in contexts:
        await chromium.run(context.close)
