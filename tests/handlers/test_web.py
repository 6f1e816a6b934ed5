"""/web: an officer gets a one-time sign-in link to the desk; anyone else is refused."""

from __future__ import annotations

import re

from tests.harness import Harness


async def test_web_sends_an_officer_a_sign_in_link_that_opens_a_session(harness: Harness) -> None:
    lan = await harness.officer(1001)
    await lan.send_text("/web")
    reply = await lan.wait_for_message(lambda m: "/dang-nhap/" in (m.text or ""))
    assert "10 phút" in (reply.text or "")
    found = re.search(r"/dang-nhap/([A-Za-z0-9_-]+)", reply.text or "")
    assert found is not None
    token = await harness.services.signins.redeem(found.group(1))
    user = await harness.services.signins.user(token)
    assert user is not None
    assert user.commune_name == "Phường Hạc Thành"


async def test_web_is_refused_to_someone_who_is_not_an_officer(harness: Harness) -> None:
    stranger = harness.user(4242)
    await stranger.send_text("/web")
    reply = await stranger.wait_for_message()
    assert reply.text == "Bạn không có quyền làm việc này."
