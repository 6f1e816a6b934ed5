"""A Vietnamese brandname SMS gateway over HTTP, modelled on eSMS.vn's API (V4, 2025 docs).

Sending is one JSON POST per SMS (eSMS `SendMultipleMessage_V4_post_json`, SmsType 2, a
customer-care brandname message): API key and secret, the registered brandname, the
phone, unaccented content (IsUnicode 0) and a CallbackUrl for the delivery report. The
answer's CodeResult 100 means accepted (not delivered); SMSID names the message.
Delivery reports come as eSMS sends them, an HTTP GET on the CallbackUrl with SMSID,
SendStatus (5 done, 4 refused, 1/2/7 under way), SendSuccess and SendFailed counts.

A brandname is one-way: a person cannot answer it. Replies go to the aggregator's short
code ("đầu số", e.g. 8079) with a keyword ("CL 2"), and eSMS forwards each as an HTTP GET
(sender, content, keyword, smsid, receiverTime, cpid, sign = MD5(cpid + smsid + content +
receiverTime + private key)). Every wire name is configurable (`fields`), so another
aggregator (SpeedSMS, VNPT, Viettel) with the same shape needs settings, not code; what
eSMS's documents did not say (a rate-limit code, content errors) is mapped by HTTP status
and the configurable code lists.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

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
from bot.messaging.sms.settings import (
    CALLBACK_TOKEN,
    MO_TIME_FORMAT,
    STATUS_DONE,
    STATUS_REFUSED,
    VIETNAM,
    BrandnameSettings,
)


class BrandnameGateway:
    """Sends through the aggregator's JSON API and reads its delivery reports and MOs."""

    def __init__(
        self, settings: BrandnameSettings, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self._settings = settings
        # Made on the first send: a process that only reads callbacks opens no connections.
        self._client = client

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._settings.timeout_seconds)
        return self._client

    async def send(self, phone: str, text: str) -> SentSms:
        """Post one SMS; the aggregator's SMSID when it accepts it."""
        s = self._settings
        body: dict[str, str] = {
            s.name("api_key"): s.api_key,
            s.name("secret_key"): s.secret_key,
            s.name("brandname"): s.brandname,
            s.name("phone"): provider_phone(phone, s.phone_format),
            s.name("text"): text,
            s.name("sms_type"): s.sms_type,
            s.name("unicode"): "0",
            s.name("request_id"): uuid.uuid4().hex,
        }
        if s.sandbox:
            body[s.name("sandbox")] = "1"
        if s.callback_url:
            body[s.name("callback_url")] = callback_url(s.callback_url, s.callback_token)
        try:
            response = await self._http().post(s.url, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise Unavailable(f"not reached: {type(error).__name__}") from error
        except httpx.HTTPError as error:
            raise MaybeSent(f"no answer: {type(error).__name__}") from error
        return self._answer(response, text)

    def _answer(self, response: httpx.Response, text: str) -> SentSms:
        s = self._settings
        if response.status_code == 429:
            raise RateLimited(_retry_after(response, s.rate_limit_seconds), "HTTP 429")
        if response.status_code >= 500:
            raise Unavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise Rejected(f"HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            # Accepted or not, nobody can say: the sender treats it as a lost answer.
            raise MaybeSent("an answer that is not JSON")
        code = str(answer.get(s.name("result"), ""))
        reason = f"code {code}: {_scrub(str(answer.get(s.name('error')) or ''))}".rstrip(": ")
        if code in s.ok_codes:
            message_id = str(answer.get(s.name("message_id")) or "")
            if not message_id:
                raise MaybeSent("accepted without a message id")
            return SentSms(message_id, gsm.segments(text))
        if code in s.invalid_number_codes:
            raise InvalidNumber(reason)
        if code in s.rate_limit_codes:
            raise RateLimited(s.rate_limit_seconds, reason)
        raise Rejected(reason)

    # ---- callbacks -----------------------------------------------------------------------

    def read_callback(self, request: CallbackRequest, now: datetime) -> Callback:
        """A delivery report (on the CallbackUrl) or a reply to the short code (an MO)."""
        values = _values(request)
        s = self._settings
        if s.name("mo_sign") in values or s.name("mo_sender") in values:
            return self._mo(values)
        if s.name("report_id") in values:
            return self._report(request, values)
        raise BadCallback("neither a delivery report nor an MO")

    def _report(self, request: CallbackRequest, values: Mapping[str, str]) -> DeliveryReport:
        s = self._settings
        if s.callback_token and not hmac.compare_digest(
            request.query.get(CALLBACK_TOKEN, ""), s.callback_token
        ):
            raise BadCallback("a delivery report without our token")
        status = values.get(s.name("report_status"), "")
        succeeded = _count(values.get(s.name("report_success")))
        failed = _count(values.get(s.name("report_failed")))
        if status == STATUS_REFUSED:
            verdict, reason = DeliveryStatus.FAILED, "refused by the aggregator"
        elif status == STATUS_DONE and succeeded > 0:
            verdict, reason = DeliveryStatus.DELIVERED, None
        elif status == STATUS_DONE and failed > 0:
            verdict, reason = DeliveryStatus.FAILED, "not delivered by the operator"
        else:
            verdict, reason = DeliveryStatus.SENT, None
        raw_phone = values.get(s.name("report_phone"))
        return DeliveryReport(
            values[s.name("report_id")], verdict, reason, e164(raw_phone) if raw_phone else None
        )

    def _mo(self, values: Mapping[str, str]) -> InboundSms | None:
        s = self._settings
        cpid, smsid = values.get(s.name("mo_cpid"), ""), values.get(s.name("mo_id"), "")
        content, moment = values.get(s.name("mo_content"), ""), values.get(s.name("mo_time"), "")
        if not s.mo_private_key:
            raise BadCallback("replies through the short code are not configured")
        expected = mo_sign(cpid, smsid, content, moment, s.mo_private_key)
        if cpid != s.mo_cpid or not hmac.compare_digest(
            values.get(s.name("mo_sign"), "").lower(), expected
        ):
            raise BadCallback("an MO with a bad signature")
        try:
            received = datetime.strptime(moment, MO_TIME_FORMAT).replace(tzinfo=VIETNAM)
        except ValueError:
            raise BadCallback("an MO without a readable time") from None
        phone = e164(values.get(s.name("mo_sender"), ""))
        if phone is None:
            return None  # not a Vietnamese number: nobody cachly knows
        # The short code's keyword ("CL 2") is the service's, not the person's answer.
        keyword = values.get(s.name("mo_keyword"), "")
        text = _without_keyword(content, keyword)
        return InboundSms(phone, text, received.astimezone(UTC), smsid or None)

    def answer(self, callback: Callback) -> tuple[int, str, bytes]:
        """What the callback's HTTP response says: eSMS wants XML for an MO (no reply text:
        cachly answers through the outbox), anything for a report."""
        if isinstance(callback, InboundSms):
            body = (
                "<ClientResponse><Message></Message>"
                f"<Smsid>{_xml(callback.message_id or '')}</Smsid>"
                "<Receiver></Receiver></ClientResponse>"
            )
            return 200, "application/xml", body.encode()
        return 200, "text/plain", b"OK"


def mo_sign(cpid: str, smsid: str, content: str, moment: str, private_key: str) -> str:
    """eSMS's signature of an MO: MD5 of the values and the private key, in hex."""
    # eSMS's scheme, not ours to choose: MD5 here is a shared-secret check, not a password.
    digest = hashlib.md5(f"{cpid}{smsid}{content}{moment}{private_key}".encode())
    return digest.hexdigest()


def provider_phone(phone: str, style: str) -> str:
    """An E.164 number as the provider wants it written."""
    digits = phone.lstrip("+")
    if style == "e164":
        return "+" + digits
    if style == "international":
        return digits
    if digits.startswith("84"):
        return "0" + digits[2:]
    return digits


def callback_url(url: str, token: str) -> str:
    """The CallbackUrl with our token in its query, so a report can be told from a forgery."""
    if not token:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{CALLBACK_TOKEN}={token}"


def _values(request: CallbackRequest) -> dict[str, str]:
    """A callback's fields, from its query (eSMS's GET) or a form or JSON body (a POST)."""
    values = dict(request.query)
    if not request.body:
        return values
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            data: Any = json.loads(request.body)
        except ValueError:
            raise BadCallback("a body that is not JSON") from None
        if not isinstance(data, dict):
            raise BadCallback("a JSON body that is not an object")
        values.update({str(k): "" if v is None else str(v) for k, v in data.items()})
    elif "form" in content_type:
        form = httpx.QueryParams(request.body.decode("utf-8", "replace"))
        values.update(dict(form.items()))
    return values


def _count(raw: str | None) -> int:
    try:
        return int(float(raw or "0"))
    except ValueError:
        return 0


def _retry_after(response: httpx.Response, default: float) -> float:
    try:
        return max(1.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return default


def _without_keyword(content: str, keyword: str) -> str:
    text = content.strip()
    if keyword and text[: len(keyword)].casefold() == keyword.casefold():
        return text[len(keyword) :].strip()
    return text


# A provider's error text may echo the number it refused: long digit runs are cut out.
_DIGITS = re.compile(r"\+?\d{7,}")


def _scrub(text: str) -> str:
    return _DIGITS.sub("…", text)[:120]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
