"""What cachly needs of an SMS gateway: send one text, and read what the gateway calls back.

Two gateways implement it: `brandname.BrandnameGateway`, the HTTP API of a Vietnamese
brandname aggregator (modelled on eSMS.vn), and `android.AndroidGateway`, the open-source
SMS Gateway for Android app on a commune's own phone (through its PyPI client). The
transport (`transport.py`) maps their errors onto the sender's; the SMS endpoints hand
each callback's raw request to `read_callback`, which verifies it and returns plain values
(a delivery report or an inbound SMS), so nothing above this seam knows a gateway's wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.case_files import FieldError, parse_phone


@dataclass(frozen=True, slots=True)
class SentSms:
    """A text the gateway accepted: its id (delivery reports name it) and segments charged."""

    message_id: str
    segments: int = 1


class DeliveryStatus(StrEnum):
    """Where a sent SMS is, as a delivery report tells it."""

    SENT = "sent"  # handed to the operator; no final word yet
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """A gateway's word on one SMS it sent."""

    message_id: str
    status: DeliveryStatus
    reason: str | None = None
    # The recipient in E.164 when the report names one.
    phone: str | None = None
    at: datetime | None = None

    @property
    def final(self) -> bool:
        """Whether the SMS's fate is settled (delivered or failed)."""
        return self.status is not DeliveryStatus.SENT


@dataclass(frozen=True, slots=True)
class InboundSms:
    """An SMS a person sent to the gateway's number."""

    phone: str  # E.164
    text: str
    received_at: datetime
    # The gateway's id for it, to drop a callback it repeats.
    message_id: str | None = None


Callback = DeliveryReport | InboundSms | None


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """A gateway's HTTP callback as it arrived (the endpoint copies it here untouched)."""

    method: str
    query: Mapping[str, str] = field(default_factory=dict)
    # Header names in lower case.
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


# ---- errors: what went wrong, for the transport to map ------------------------------------


class GatewayError(Exception):
    """A send the gateway did not accept; the subclass says why."""


class InvalidNumber(GatewayError):
    """The number cannot receive SMS (malformed, blocked, not a mobile): nothing will help."""


class RateLimited(GatewayError):
    """The gateway asks to slow down for `seconds`."""

    def __init__(self, seconds: float, description: str = "") -> None:
        super().__init__(description or f"rate limited for {seconds} s")
        self.seconds = seconds


class Unavailable(GatewayError):
    """The gateway could not be reached or failed (5xx): the SMS did not go out; try later."""


class MaybeSent(Unavailable):
    """The request went out but no answer came: the SMS may have been sent."""


class Rejected(GatewayError):
    """A refusal that trying again will not fix (credentials, brandname, content, balance)."""


class BadCallback(Exception):
    """A callback that is not the gateway's (bad signature, stale, malformed): refuse it."""


class SmsGateway(Protocol):
    """Sends an SMS and reads the gateway's callbacks."""

    async def send(self, phone: str, text: str) -> SentSms:
        """Send `text` (GSM-7) to `phone` (E.164); a GatewayError when it is not accepted."""
        ...

    def read_callback(self, request: CallbackRequest, now: datetime) -> Callback:
        """The delivery report or inbound SMS a callback holds (None: nothing for cachly).

        Raises BadCallback for a request the gateway did not send.
        """
        ...

    def answer(self, callback: Callback) -> tuple[int, str, bytes]:
        """The HTTP answer the gateway expects to a callback: status, content type, body."""
        ...

    async def aclose(self) -> None:
        """Close the gateway's connections."""
        ...


def e164(raw: str) -> str | None:
    """A Vietnamese number from a gateway ("0912...", "84912...", "+84912...") in E.164."""
    try:
        return parse_phone(raw)
    except FieldError:
        return None
