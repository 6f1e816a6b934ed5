"""The outbox sender's transport for Zalo: a free message in the window, else a template.

For each row (`render.SEND`, naming the contact) it reads the contact and decides:

1. the person wrote within 48 hours and fewer than 8 messages went out since (Zalo's free
   window, README.md): customer-service messages, each counted on the contact;
2. otherwise, a ZNS template registered for the row's purpose, to the contact's phone,
   counted and priced (`stats.zns_sent`, `stats.zns_cost_vnd`);
3. otherwise `OutsideWindow` (a `Forbidden`): Zalo cannot reach them now, the caller
   falls back to SMS.

Zalo's answers become the sender's errors: a refused access token is replaced once and the
call tried again; the OA's rate limit or quota is `RetryAfter`; "not a follower / no
recent interaction" means the window is closed after all (the template, or OutsideWindow);
a request whose answer was lost is `UnknownOutcome` (so is a text cut in parts of which
only the first went out), a network error before sending is `TransientError`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.messaging.markup import plain_text
from bot.messaging.message import Text, from_json
from bot.messaging.transport import (
    OutsideWindow,
    PermanentError,
    RetryAfter,
    TransientError,
    UnknownOutcome,
)
from bot.messaging.zalo import render, wire
from bot.messaging.zalo.client import ZaloClient, ZaloError, ZaloNetworkError
from bot.messaging.zalo.templates import ZnsTemplate
from bot.messaging.zalo.tokens import TokenKeeper, TokenUnavailable

logger = logging.getLogger(__name__)

# How long every send waits after Zalo says the OA sends too fast (it gives no figure).
SLOW_DOWN_SECONDS = 5.0


class Contact(Protocol):
    """What the transport reads of a contact (bot/messaging/contacts.py's ContactInfo)."""

    @property
    def id(self) -> int: ...
    @property
    def address(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    @property
    def last_inbound_at(self) -> datetime | None: ...
    @property
    def window_sent(self) -> int: ...


class ZnsRecorder(Protocol):
    """Where each template message sent is kept, priced (bot/messaging/zalo/usage.py)."""

    async def record(
        self,
        *,
        contact_id: int,
        purpose: str,
        template_id: str,
        price_vnd: int,
        tracking_id: str,
        at: datetime,
    ) -> None:
        """Keep one template message Zalo accepted."""
        ...


class Contacts(Protocol):
    """The contacts as the transport reads and counts them (the ContactBook)."""

    async def get(self, contact_id: int) -> Contact | None:
        """The contact, or None."""
        ...

    async def note_sent(self, contact_id: int, *, in_window: bool) -> None:
        """A message went out to the contact (counted against the window if in it)."""
        ...


@dataclass
class ZaloStats:
    """What the transport sent, for the outbox statistics."""

    cs_sent: int = 0  # free customer-service messages
    zns_sent: int = 0  # template messages
    zns_cost_vnd: int = 0  # their price, as configured per template
    outside_window: int = 0  # rows Zalo could not carry (the caller tries SMS)
    edits_dropped: int = 0  # edits Zalo cannot make and that changed nothing worth a message


class ZaloTransport:
    """Sends outbox rows to Zalo contacts within Zalo's rules."""

    def __init__(
        self,
        client: ZaloClient,
        tokens: TokenKeeper,
        contacts: Contacts,
        *,
        clock: Clock,
        templates: Mapping[str, ZnsTemplate],
        tz: ZoneInfo,
        ledger: ZnsRecorder | None = None,
        slow_down_seconds: float = SLOW_DOWN_SECONDS,
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._contacts = contacts
        self._clock = clock
        self._templates = dict(templates)
        self._tz = tz
        self._slow_down = slow_down_seconds
        self._ledger = ledger
        self.stats = ZaloStats()

    async def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send one rendered row (`render.SEND`); what was sent, or a TransportError."""
        if method != render.SEND:
            raise PermanentError(f"not a Zalo call: {method}")
        contact = await self._contacts.get(int(params["contact_id"]))
        if contact is None:
            raise PermanentError("no such Zalo contact")
        content = from_json(str(params["kind"]), dict(params["body"]))
        parts = render.messages(content, contact.language, edit=bool(params.get("edit")))
        if not parts:
            self.stats.edits_dropped += 1
            return {}
        purpose = str(params.get("purpose") or "")
        if self.window_open(contact, len(parts)):
            try:
                return await self._send_cs(contact, parts)
            except _WindowClosed:
                pass  # Zalo's count and ours disagreed: the window is closed after all
        words = plain_text(content.text) if isinstance(content, Text) else ""
        return await self._send_zns(contact, purpose, words)

    def window_open(self, contact: Contact, messages: int = 1) -> bool:
        """Whether `messages` more free messages may go to the contact now."""
        last = contact.last_inbound_at
        if last is None:
            return False
        if last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        return (
            self._clock.now() < last + wire.WINDOW
            and contact.window_sent + messages <= wire.WINDOW_MESSAGES
        )

    # ---- the free message ----------------------------------------------------------------

    async def _send_cs(self, contact: Contact, parts: list[render.Message]) -> dict[str, Any]:
        ids: list[str] = []
        for index, part in enumerate(parts):
            try:
                ids.append(await self._cs(contact.address, part))
            except _WindowClosed:
                if index == 0:
                    raise
                raise UnknownOutcome("the window closed after part of the text") from None
            except (TransientError, RetryAfter) as error:
                if index == 0:
                    raise
                # Sending the row again would repeat what was already delivered.
                raise UnknownOutcome(f"part {index + 1} of {len(parts)}: {error}") from error
            await self._noted(contact.id, in_window=True)
            self.stats.cs_sent += 1
        return {"via": "cs", "zalo_message_ids": ids}

    async def _cs(self, user_id: str, message: render.Message) -> str:
        token = await self._token()
        try:
            try:
                return await self._client.send_cs(token, user_id, message)
            except ZaloError as error:
                if error.code not in wire.TOKEN_ERRORS:
                    raise
                token = await self._replace(token)
                return await self._client.send_cs(token, user_id, message)
        except ZaloError as error:
            if error.code in wire.WINDOW_CLOSED:
                raise _WindowClosed from error
            raise self._mapped(error) from error
        except ZaloNetworkError as error:
            raise _network(error) from error

    # ---- the template --------------------------------------------------------------------

    async def _send_zns(self, contact: Contact, purpose: str, words: str) -> dict[str, Any]:
        template = self._templates.get(purpose)
        if template is None or not contact.phone:
            self.stats.outside_window += 1
            raise OutsideWindow("Zalo's free window is closed and no template fits")
        now = self._clock.now()
        data = template.data(words, now, self._tz)
        tracking = f"c{contact.id}-{secrets.token_hex(6)}"
        phone = contact.phone.removeprefix("+")
        token = await self._token()
        try:
            try:
                receipt = await self._zns(token, phone, template, data, tracking)
            except ZaloError as error:
                if error.code not in wire.TOKEN_ERRORS:
                    raise
                token = await self._replace(token)
                receipt = await self._zns(token, phone, template, data, tracking)
        except ZaloError as error:
            if error.code in (wire.ZNS_NO_ZALO_ACCOUNT, wire.ZNS_PHONE_INVALID):
                self.stats.outside_window += 1
                raise OutsideWindow(f"no Zalo account for the number ({error.code})") from error
            if error.code == wire.ZNS_PAYMENT_FAILED:
                self.stats.outside_window += 1
                raise OutsideWindow("the OA's ZNS account is out of money") from error
            if error.code in (
                wire.ZNS_TEMPLATE_INVALID,
                wire.ZNS_DATA_INVALID,
                wire.ZNS_TEMPLATE_NOT_APPROVED,
            ):
                logger.error("ZNS template for %s refused (%s): check config", purpose, error.code)
            raise self._mapped(error) from error
        except ZaloNetworkError as error:
            raise _network(error) from error
        await self._noted(contact.id, in_window=False)
        self.stats.zns_sent += 1
        self.stats.zns_cost_vnd += template.price_vnd
        if self._ledger is not None:
            try:
                await self._ledger.record(
                    contact_id=contact.id,
                    purpose=purpose,
                    template_id=template.template_id,
                    price_vnd=template.price_vnd,
                    tracking_id=tracking,
                    at=now,
                )
            except Exception:
                # It went out: failing the row now would send it again.
                logger.exception("ZNS sent to contact %s but not recorded", contact.id)
        return {"via": "zns", "zalo_message_ids": [receipt.msg_id], "tracking_id": tracking}

    async def _zns(
        self,
        token: str,
        phone: str,
        template: ZnsTemplate,
        data: dict[str, str],
        tracking: str,
    ) -> Any:
        return await self._client.send_zns(
            token,
            phone=phone,
            template_id=template.template_id,
            template_data=data,
            tracking_id=tracking,
        )

    async def _noted(self, contact_id: int, *, in_window: bool) -> None:
        """Count a message that went out; a failure here must not make the row go again."""
        try:
            await self._contacts.note_sent(contact_id, in_window=in_window)
        except Exception:
            logger.exception("Zalo message to contact %s sent but not counted", contact_id)

    # ---- tokens and errors ---------------------------------------------------------------

    async def _token(self) -> str:
        try:
            return await self._tokens.access_token()
        except TokenUnavailable as error:
            raise TransientError(str(error)) from error
        except ZaloNetworkError as error:
            raise TransientError(f"token refresh: {error}") from error

    async def _replace(self, stale: str) -> str:
        try:
            return await self._tokens.replace(stale)
        except TokenUnavailable as error:
            raise TransientError(str(error)) from error
        except ZaloNetworkError as error:
            raise TransientError(f"token refresh: {error}") from error

    def _mapped(self, error: ZaloError) -> Exception:
        if error.code in wire.SLOW_DOWN:
            return RetryAfter(self._slow_down, f"Zalo: slow down ({error.code})")
        if error.code in wire.TOKEN_ERRORS or error.code == wire.ZNS_UNKNOWN:
            return TransientError(f"Zalo error {error.code}")
        return PermanentError(f"Zalo error {error.code}: {error.message}"[:200])


class _WindowClosed(Exception):
    """Zalo says the person cannot get a free message now."""


def _network(error: ZaloNetworkError) -> Exception:
    if error.sent:
        return UnknownOutcome(str(error))
    return TransientError(str(error))
