"""The desk over ASGI for HTTP tests (no browser, no server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.services import Services
from web.app import create_app

BOT = "cachly_bot"


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the desk over `services` (the bot's @username known for links)."""
    app = create_app(services, secret="k" * 40, usernames=lambda _: BOT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk") as http:
        yield http
