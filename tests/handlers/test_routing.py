"""Routing: what reaches which handler, and what is left unanswered on purpose."""

from __future__ import annotations

from tests.harness import Harness


async def test_live_location_edits_from_a_stranger_get_one_answer_not_one_per_edit(
    harness: Harness,
) -> None:
    stranger = harness.user(61, first_name="Khách")
    message_id = await stranger.send_location(19.8071, 105.7761, live_period=900)
    first = await stranger.wait_for_message()
    for step in range(3):
        await stranger.edit_live_location(message_id, 19.8071 + step * 0.0001, 105.7761)
    # A later command is answered next: nothing was said in between about the edits.
    await stranger.send_text("/whoami")
    after = await stranger.wait_for_message()
    assert after.text == "Bạn chưa được đăng ký là cán bộ y tế."
    sent = [m for m in stranger.messages if m.message_id not in (first.message_id,)]
    assert [m.text for m in sent] == [after.text]
