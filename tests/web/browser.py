"""A real headless Chromium (Debian's) for the desk's tests, and the desk served over HTTP.

Playwright's sync API runs on a thread of its own (one browser per test module); the test's
event loop keeps serving the desk with uvicorn meanwhile, so a page load never blocks it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from bot.services import Services
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 360, "height": 740}
T = TypeVar("T")


class BrowserThread:
    """Chromium driven from one thread; `run` hands it work and awaits the result."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright: Playwright | None = None
        self.browser: Browser | None = None

    def start(self) -> None:
        """Start Playwright and Chromium (a fresh temporary profile) on the thread."""

        def launch() -> None:
            self._playwright = sync_playwright().start()
            self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        self._pool.submit(launch).result(timeout=60)

    def stop(self) -> None:
        """Close Chromium and Playwright, then the thread."""

        def close() -> None:
            if self.browser is not None:
                self.browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        self._pool.submit(close).result(timeout=60)
        self._pool.shutdown()

    async def run(self, work: Callable[[Browser], T]) -> T:
        """Run `work(browser)` on the browser's thread without blocking the event loop."""
        assert self.browser is not None
        browser = self.browser
        return await asyncio.wrap_future(self._pool.submit(work, browser))

    async def page(self, work: Callable[[Page], T], viewport: ViewportSize = DESKTOP) -> T:
        """Run `work` on a fresh page in a fresh context (no cookies), closed afterwards."""

        def in_context(browser: Browser) -> T:
            context = browser.new_context(viewport=viewport)
            try:
                return work(context.new_page())
            finally:
                context.close()

        return await self.run(in_context)


@asynccontextmanager
async def serving(
    services: Services, usernames: Callable[[int], str] | None = None
) -> AsyncIterator[str]:
    """The desk served by uvicorn on 127.0.0.1 (a free port); yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(services, secret="s" * 40, usernames=usernames)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn's Server offers no event to await
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot under tests/artifacts/screenshots (kept by CI)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page: Page) -> bool:
    """Whether the page fits its viewport's width."""
    width: Any = page.evaluate("document.documentElement.scrollWidth")
    return int(width) <= int(page.viewport_size["width"] if page.viewport_size else 0)
