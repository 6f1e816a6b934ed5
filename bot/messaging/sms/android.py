"""A commune's own phone as the gateway: SMS Gateway for Android through its PyPI client.

The open-source app (sms-gate.app, github.com/capcom6/android-sms-gateway) turns an
Android phone into an SMS gateway: cachly posts each text to its API (the phone's own
server in Local mode, or the project's cloud or a private server relaying to the phone)
with `android-sms-gateway` 4.3 (`AsyncAPIClient.send`, POST /3rdparty/v1/messages, over
httpx), and the app sends it from the phone's SIM at the SIM plan's price. Replies and
delivery reports come back as the app's webhooks (`sms:received`, `sms:sent`,
`sms:delivered`, `sms:failed`): JSON {event, payload, deviceId, id, webhookId}, signed
with HMAC-SHA256 over the raw body followed by the X-Timestamp header, hex in X-Signature,
with the signing key set in the app (Settings → Webhooks).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import android_sms_gateway as asg
import httpx
from android_sms_gateway import errors as asg_errors
from android_sms_gateway.ahttp import HttpxAsyncHttpClient

from bot.messaging.sms import gsm
from bot.messaging.sms.gateway import (
    BadCallback,
    Callback,
    CallbackRequest,
    DeliveryReport,
    DeliveryStatus,
    InboundSms,
    InvalidNumber,
    MaybeSent,
    RateLimited,
    Rejected,
    SentSms,
    Unavailable,
    e164,
)
from bot.messaging.sms.settings import AndroidSettings

RECEIVED, SENT, DELIVERED, FAILED = "sms:received", "sms:sent", "sms:delivered", "sms:failed"
SIGNATURE_HEADER, TIMESTAMP_HEADER = "x-signature", "x-timestamp"


class AndroidGateway:
    """Sends through the app's API with its own client and reads the app's webhooks."""

    def __init__(
        self, settings: AndroidSettings, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self._settings = settings
        # Made on the first send: a process that only reads webhooks opens no connections.
        self._http = client
        self._client: Any = None

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http, self._client = None, None

    def _api(self) -> Any:
        if self._client is None:
            s = self._settings
            self._http = self._http or httpx.AsyncClient(timeout=s.timeout_seconds)
            self._client = asg.AsyncAPIClient(
                s.login or None,
                s.password,
                base_url=s.base_url,
                http_client=HttpxAsyncHttpClient(self._http),
            )
        return self._client

    async def send(self, phone: str, text: str) -> SentSms:
        """Queue one SMS on the phone; the app's message id."""
        s = self._settings
        message = asg.Message(
            phone_numbers=[phone],
            text_message=asg.TextMessage(text=text),
            with_delivery_report=True,
            sim_number=s.sim_number,
            ttl=s.ttl_seconds,
            priority=s.priority,
        )
        try:
            state = await self._api().send(message)
        except asg_errors.APIError as error:
            raise _mapped(error, s.rate_limit_seconds) from error
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise Unavailable(f"not reached: {type(error).__name__}") from error
        except httpx.HTTPError as error:
            raise MaybeSent(f"no answer: {type(error).__name__}") from error
        except (KeyError, ValueError, TypeError) as error:
            # A 2xx the client could not read: the phone may have queued it.
            raise MaybeSent(f"an unreadable answer: {type(error).__name__}") from error
        for recipient in state.recipients:
            if recipient.state == asg.ProcessState.Failed:
                raise InvalidNumber(f"refused at once: {recipient.error or 'no reason'}")
        return SentSms(str(state.id), gsm.segments(text))

    # ---- webhooks ------------------------------------------------------------------------

    def read_callback(self, request: CallbackRequest, now: datetime) -> Callback:
        """An `sms:*` webhook as plain values, once its signature and time are checked."""
        self._verify(request, now)
        try:
            envelope: Any = json.loads(request.body)
        except ValueError:
            raise BadCallback("a body that is not JSON") from None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("payload"), dict):
            raise BadCallback("not a webhook envelope")
        event, payload = envelope.get("event"), envelope["payload"]
        try:
            if event == RECEIVED:
                return _received(payload)
            if event in (SENT, DELIVERED, FAILED):
                return _report(event, payload)
        except (KeyError, TypeError, ValueError):
            raise BadCallback(f"a malformed {event} payload") from None
        return None  # system:ping, mms:*, ...: nothing for cachly

    def _verify(self, request: CallbackRequest, now: datetime) -> None:
        key = self._settings.signing_key
        if not key:
            raise BadCallback("no signing key configured: webhooks are refused")
        stamp = request.headers.get(TIMESTAMP_HEADER, "")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        try:
            sent_at = int(stamp)
        except ValueError:
            raise BadCallback("no timestamp") from None
        if abs(now.timestamp() - sent_at) > self._settings.webhook_tolerance_seconds:
            raise BadCallback("a stale or future timestamp")
        if not hmac.compare_digest(signature.lower(), webhook_signature(key, request.body, stamp)):
            raise BadCallback("a bad signature")

    def answer(self, callback: Callback) -> tuple[int, str, bytes]:
        """The app wants a 2xx within 30 s, or it retries with backoff."""
        return 200, "text/plain", b"OK"


def webhook_signature(key: str, body: bytes, timestamp: str) -> str:
    """The app's signature of a webhook: HMAC-SHA256 of the body then the timestamp, hex."""
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def _received(payload: dict[str, Any]) -> InboundSms | None:
    # Read by hand: the client's SmsReceivedPayload requires a `sender` field that the app's
    # documented payload (messageId, message, phoneNumber, simNumber, receivedAt) lacks.
    phone = e164(str(payload["phoneNumber"]))
    if phone is None:
        return None  # not a Vietnamese number: nobody cachly knows
    received = _moment(payload["receivedAt"])
    if received is None:
        raise ValueError("no receivedAt")
    message_id = payload.get("messageId")
    return InboundSms(
        phone, str(payload["message"]), received, str(message_id) if message_id else None
    )


def _moment(raw: object) -> datetime | None:
    """An ISO time of the app (the phone's zone, or Z) in UTC."""
    if not isinstance(raw, str):
        return None
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _report(event: str, payload: dict[str, Any]) -> DeliveryReport:
    # The client library has no classes for these; their fields are the app's documented ones.
    status = {
        SENT: DeliveryStatus.SENT,
        DELIVERED: DeliveryStatus.DELIVERED,
        FAILED: DeliveryStatus.FAILED,
    }[event]
    at = _moment(payload.get({SENT: "sentAt", DELIVERED: "deliveredAt", FAILED: "failedAt"}[event]))
    raw_phone = payload.get("phoneNumber")
    return DeliveryReport(
        str(payload["messageId"]),
        status,
        str(payload.get("reason") or "no reason") if status is DeliveryStatus.FAILED else None,
        e164(raw_phone) if isinstance(raw_phone, str) else None,
        at,
    )


def _mapped(error: Exception, rate_limit_seconds: float) -> Exception:
    """The gateway error for an API error of the client (status code and its body)."""
    status = getattr(error, "status_code", None)
    body = getattr(error, "response", None) or {}
    message = str(body.get("message", "")) if isinstance(body, dict) else ""
    if status == 429:
        return RateLimited(rate_limit_seconds, "HTTP 429")
    if status == 400 and "phone" in message.lower():
        return InvalidNumber("HTTP 400: the number was refused")
    if status is not None and status == 504:
        return MaybeSent("HTTP 504")  # the server gave up waiting: it may have queued it
    if status is not None and status >= 500:
        return Unavailable(f"HTTP {status}")
    return Rejected(f"HTTP {status}")
