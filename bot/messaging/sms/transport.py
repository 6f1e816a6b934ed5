"""The SMS transport: the outbox sender's calls to a gateway, its errors as the sender's.

The sender renders a row with `text.render_stored` and calls this like any transport. The
call names a contact; the book gives its number and language, a location link is asked
for when the message wants one, the text is composed and the gateway sends it. Then the
row's reply codes replace the contact's (only once the gateway took the text: a question
that never left must not change what "1" means). An invalid or undeliverable number is
`Forbidden`, as a blocked bot is on Telegram, so the case is marked unreachable the same
way; a gateway's rate limit is `RetryAfter`, which pauses every send of the sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.messaging.contacts import ContactBook
from bot.messaging.sms import text as sms_text
from bot.messaging.sms.gateway import (
    GatewayError,
    InvalidNumber,
    MaybeSent,
    RateLimited,
    Rejected,
    SentSms,
    SmsGateway,
    Unavailable,
)
from bot.messaging.transport import (
    Forbidden,
    PermanentError,
    RetryAfter,
    TransientError,
    UnknownOutcome,
)


class LocationLinks(Protocol):
    """The one-time link to the web desk's location page, for a contact asked where they are."""

    async def link_for(self, contact_id: int) -> str | None:
        """A fresh link for the contact's open question, or None (no link can be given)."""
        ...


@dataclass(frozen=True, slots=True)
class SmsOptions:
    """How long an SMS may be, and where replies go when the sender cannot be answered."""

    max_segments: int = 2
    via: sms_text.ReplyVia | None = None


class SmsTransport:
    """Sends the sender's SMS calls through one gateway."""

    def __init__(
        self,
        gateway: SmsGateway,
        book: ContactBook,
        *,
        options: SmsOptions | None = None,
        links: LocationLinks | None = None,
    ) -> None:
        self._gateway = gateway
        self._book = book
        self._options = options or SmsOptions()
        self._links = links

    async def initialize(self) -> None:
        """Nothing to prepare: the gateway's client connects on demand."""

    async def shutdown(self) -> None:
        """Close the gateway's connections."""
        await self._gateway.aclose()

    async def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send one rendered SMS; the gateway's id as `receipt` (a noop sends nothing)."""
        if method == sms_text.NOOP:
            return {}
        if method != sms_text.SEND:
            raise PermanentError(f"not an SMS call: {method}")
        contact_id = params.get("contact_id")
        if not isinstance(contact_id, int):
            raise PermanentError("not a contact's chat")
        contact = await self._book.get(contact_id)
        if contact is None:
            raise PermanentError("no such contact")
        phone = contact.phone or contact.address
        draft = sms_text.Draft.from_params(params)
        link = None
        if draft.location and self._links is not None:
            link = await self._links.link_for(contact_id)
        options = self._options
        message = sms_text.compose(
            draft,
            contact.language,
            link=link,
            max_segments=options.max_segments,
            via=options.via,
        )
        # The codes are kept before the text leaves: a reply can come back faster than the
        # gateway's answer. A text that certainly did not leave gives the old ones back.
        await self._keep_codes(contact_id, draft)
        try:
            sent = await self._gateway.send(phone, message)
        except MaybeSent as error:
            raise UnknownOutcome(str(error)) from error  # it may be on the phone already
        except GatewayError as error:
            if draft.codes != sms_text.KEEP:
                await self._book.set_reply_codes(contact_id, contact.reply_codes)
            raise _mapped(error) from error
        await self._book.note_sent(contact_id, in_window=False)
        return _result(sent)

    async def _keep_codes(self, contact_id: int, draft: sms_text.Draft) -> None:
        if draft.codes == sms_text.REPLACE:
            await self._book.set_reply_codes(contact_id, dict(draft.reply_codes()))
        elif draft.codes == sms_text.CLEAR:
            await self._book.set_reply_codes(contact_id, {})


def _result(sent: SentSms) -> dict[str, Any]:
    # No message id: an SMS is never edited. The sender keeps the receipt on the row, and
    # delivery reports name it.
    return {"receipt": sent.message_id, "segments": sent.segments}


def _mapped(error: GatewayError) -> Exception:
    """The sender's error for a gateway's refusal."""
    if isinstance(error, InvalidNumber):
        return Forbidden(f"undeliverable number: {error}")
    if isinstance(error, RateLimited):
        return RetryAfter(error.seconds, str(error))
    if isinstance(error, Unavailable):
        return TransientError(str(error))
    if isinstance(error, Rejected):
        return PermanentError(str(error))
    return PermanentError(f"{type(error).__name__}: {error}")
