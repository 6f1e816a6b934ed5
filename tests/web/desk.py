"""Signing in to the desk over HTTP, as a test's officer or supervisor."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from bot.services import Services
from tests.harness import start_code


async def sign_in(
    services: Services,
    client: httpx.AsyncClient,
    user_id: int = 1001,
    area: str = "hac thanh",
    role: str = "officer",
) -> str:
    """Make `user_id` an officer of `area` (or a supervisor), sign in; the page's CSRF token."""
    issued = await services.officers.invite(role, area, "cachly_bot")
    await services.officers.redeem(start_code(issued.link), user_id, f"Officer {user_id}")
    path = urlparse((await services.signins.issue(user_id)).url).path
    response = await client.get(path)
    assert response.status_code == 303
    page = await client.get("/canh-bao")
    return page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
