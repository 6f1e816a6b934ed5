"""Simulated Zalo users: they follow the OA, write, press buttons, share locations.

Each action changes what Zalo knows of them (following, the last interaction that opens the
48-hour window and resets its count) and posts the signed webhook event Zalo would post;
it returns the bot's HTTP status. `wait_for_message` waits for the next message they get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from standins.zalo.records import Person, Received
from standins.zalo.wire import JSON

if TYPE_CHECKING:
    from standins.zalo.server import ZaloStandIn


class ZaloUser:
    """One Zalo user and what the OA sent them."""

    def __init__(self, standin: ZaloStandIn, person: Person) -> None:
        self.standin = standin
        self.person = person
        self.user_id = person.user_id
        self.cursor = 0  # wait_for_message looks at messages from here

    # ---- state -------------------------------------------------------------------------

    @property
    def received(self) -> list[Received]:
        """Every message the OA sent them, oldest first."""
        return list(self.person.received)

    @property
    def last_message(self) -> Received | None:
        """The latest message they got."""
        return self.person.received[-1] if self.person.received else None

    # ---- actions -----------------------------------------------------------------------

    async def follow(self, ref: str | None = None, source: str = "oa_qr_code") -> int:
        """Follow the OA (from a QR code or link carrying `ref`)."""
        self.person.following = True
        if self.standin.limits.follow_opens_window:
            self._interacted()
        fields: JSON = {"follower": {"id": self.user_id}, "source": source}
        if ref is not None:
            fields["ref"] = ref
        fields["user_id_by_app"] = f"app-{self.user_id}"
        return await self._post(self.standin.event("follow", **fields))

    async def unfollow(self) -> int:
        """Stop following the OA."""
        self.person.following = False
        return await self._post(self.standin.event("unfollow", follower={"id": self.user_id}))

    async def send_text(self, text: str, *, key: str | None = None) -> int:
        """Write to the OA (signed with `key` instead of the OA's secret: a forgery)."""
        if key is None:
            self._interacted()
        return await self._post(self._message_event("user_send_text", {"text": text}), key=key)

    async def press(self, label: str, message: Received | None = None) -> int:
        """Press a button (by title or payload) of `message`, or of the latest with buttons."""
        if message is None:
            message = next((m for m in reversed(self.person.received) if m.buttons), None)
            if message is None:
                raise AssertionError(f"no message with buttons for {self.user_id}")
        button = message.button(label)
        if button["type"] not in ("oa.query.show", "oa.query.hide"):
            raise AssertionError(f"button {label!r} sends nothing to the OA: {button}")
        # A query button sends its payload as the user's message (hidden or shown).
        self._interacted()
        event = self._message_event("user_send_text", {"text": button["payload"]})
        return await self._post(event)

    async def share_location(
        self, latitude: float | str, longitude: float | str, *, text: str = ""
    ) -> int:
        """Share a location from Zalo's menu (coordinates as Zalo writes them: strings)."""
        self._interacted()
        coordinates = {"latitude": str(latitude), "longitude": str(longitude)}
        attachment = {"type": "location", "payload": {"coordinates": coordinates}}
        message: JSON = {"text": text, "attachments": [attachment]}
        return await self._post(self._message_event("user_send_location", message))

    async def acknowledge(self, message: Received) -> int:
        """Their phone got `message`: Zalo's delivery event (with a ZNS's tracking id)."""
        receipt: JSON = {"msg_id": message.msg_id}
        if message.tracking_id is not None:
            receipt["tracking_id"] = message.tracking_id
        event = self.standin.event(
            "user_received_message",
            sender={"id": self.user_id},
            recipient={"id": self.standin.oa_id},
            message=receipt,
        )
        return await self._post(event)

    async def send_event(self, name: str, message: JSON) -> int:
        """Post any message event of theirs (a sticker, a malformed location)."""
        self._interacted()
        return await self._post(self._message_event(name, message))

    # ---- waiting -----------------------------------------------------------------------

    async def wait_for_message(
        self,
        predicate: Callable[[Received], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (a safety net, not a way to wait)
    ) -> Received:
        """The next message they get after the last one waited for (that matches)."""
        found: list[Received] = []

        def arrived() -> bool:
            messages = self.person.received
            while self.cursor < len(messages):
                message = messages[self.cursor]
                self.cursor += 1
                if predicate is None or predicate(message):
                    found.append(message)
                    return True
            return False

        try:
            await self.standin.wait_until(arrived, timeout, f"a message to {self.user_id}")
        except AssertionError:
            got = [m.text[:60] or m.template_id for m in self.person.received]
            raise AssertionError(f"no new message to {self.user_id}; they have: {got}") from None
        return found[0]

    # ---- helpers -----------------------------------------------------------------------

    def _interacted(self) -> None:
        self.person.last_interaction = self.standin.now()
        self.person.window_count = 0

    def _message_event(self, name: str, message: JSON) -> JSON:
        return self.standin.event(
            name,
            sender={"id": self.user_id},
            recipient={"id": self.standin.oa_id},
            message={"msg_id": self.standin.next_msg_id(), **message},
            user_id_by_app=f"app-{self.user_id}",
        )

    async def _post(self, event: JSON, *, key: str | None = None) -> int:
        return await self.standin.post_event(event, key=key)
