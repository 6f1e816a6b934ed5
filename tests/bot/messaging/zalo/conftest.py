"""The Zalo channel against the Zalo stand-in: a client, a token keeper, contacts in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.messaging.zalo.client import ZaloClient, ZaloUrls
from bot.messaging.zalo.templates import ZnsParam, ZnsTemplate
from bot.messaging.zalo.tokens import TokenKeeper
from bot.messaging.zalo.transport import ZaloTransport
from standins.zalo import Limits, Template, ZaloStandIn

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROMPT_TEMPLATE = Template("tpl-prompt", {"message": 120, "date": 10, "time": 5}, price_vnd=300)
PROMPT = ZnsTemplate(
    "checkin_prompt",
    "tpl-prompt",
    (ZnsParam("message", "text", 120), ZnsParam("date", "date"), ZnsParam("time", "time")),
)


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact as the ContactBook gives it."""

    id: int
    address: str
    phone: str | None
    language: str = "vi"
    last_inbound_at: datetime | None = None
    window_sent: int = 0


class Contacts:
    """Contacts in memory, counted as the ContactBook counts them."""

    def __init__(self) -> None:
        self.by_id: dict[int, Contact] = {}
        self.sent: list[tuple[int, bool]] = []

    def add(self, contact: Contact) -> Contact:
        """Know a contact."""
        self.by_id[contact.id] = contact
        return contact

    def wrote(self, contact_id: int, at: datetime) -> None:
        """The person wrote: the window opens again, its count from zero."""
        contact = self.by_id[contact_id]
        self.by_id[contact_id] = dataclasses.replace(contact, last_inbound_at=at, window_sent=0)

    async def get(self, contact_id: int) -> Contact | None:
        """The contact, or None."""
        return self.by_id.get(contact_id)

    async def note_sent(self, contact_id: int, *, in_window: bool) -> None:
        """Count a message sent."""
        self.sent.append((contact_id, in_window))
        if in_window:
            contact = self.by_id[contact_id]
            self.by_id[contact_id] = dataclasses.replace(
                contact, window_sent=contact.window_sent + 1
            )


@pytest.fixture
async def zalo(clock: FakeClock) -> AsyncIterator[ZaloStandIn]:
    """The Zalo stand-in on the test's clock, with the prompt template registered."""
    async with ZaloStandIn(now=clock.now, limits=Limits(), templates=[PROMPT_TEMPLATE]) as server:
        yield server


@pytest.fixture
async def client(zalo: ZaloStandIn) -> AsyncIterator[ZaloClient]:
    """The channel's client pointed at the stand-in."""
    zalo_client = ZaloClient(ZaloUrls.all_at(zalo.base_url))
    yield zalo_client
    await zalo_client.aclose()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    """Where the keeper keeps the rotating refresh token (outside any repository)."""
    return tmp_path / "secrets" / "zalo-token.json"


@pytest.fixture
def keeper(
    zalo: ZaloStandIn, client: ZaloClient, clock: FakeClock, token_file: Path
) -> TokenKeeper:
    """A token keeper starting from the operator's first refresh token."""
    return TokenKeeper(
        client,
        app_id=zalo.app_id,
        app_secret=zalo.tokens.app_secret,
        state_file=token_file,
        clock=clock,
        initial_refresh_token=zalo.tokens.refresh_token,
    )


@pytest.fixture
def contacts() -> Contacts:
    """No contacts yet."""
    return Contacts()


@pytest.fixture
def transport(
    client: ZaloClient, keeper: TokenKeeper, contacts: Contacts, clock: FakeClock
) -> ZaloTransport:
    """The outbox sender's Zalo transport, with the prompt template."""
    return ZaloTransport(
        client,
        keeper,
        contacts,
        clock=clock,
        templates={PROMPT.purpose: PROMPT},
        tz=TZ,
        slow_down_seconds=2.0,
    )
