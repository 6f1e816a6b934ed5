"""A brandname aggregator stand-in, shaped as eSMS.vn's API (SendMultipleMessage_V4_post_json).

It enforces what a brandname account does: the API key and secret (101), a registered
brandname (104), the customer-care SMS type (118), a Vietnamese number written as eSMS
wants it (108), a blocked number (99), unaccented GSM-7 content within the account's
segments and the account's send rate (HTTP 429 with Retry-After). eSMS documents no code
for refused content: the stand-in answers CONTENT_REFUSED, a code of its own. Each accepted
SMS reaches the phone if the number exists, and the delivery report goes to the request's
CallbackUrl as eSMS sends it (GET, SMSID, SendStatus 5, SendSuccess / SendFailed). A phone's
reply goes to cachly's MO URL as eSMS forwards a short-code MO (GET, signed with MD5).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import tornado.web

from standins.sms import charset
from standins.sms.base import SmsStandIn
from standins.sms.phones import Received, SimPhone

SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
CONTENT_REFUSED = "130"  # the stand-in's own: eSMS's table has no code for this
_NATIONAL = re.compile(r"^0\d{9}$")
_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class BrandnameSms:
    """One send as the aggregator recorded it."""

    sms_id: str
    phone: str  # E.164
    text: str
    segments: int
    request: dict[str, Any]


class BrandnameStandIn(SmsStandIn):
    """The aggregator: sends to simulated phones, reports delivery, forwards replies."""

    def __init__(
        self,
        *,
        api_key: str = "esms-key",
        secret_key: str = "esms-secret",
        brandnames: tuple[str, ...] = ("TYT-THANHHOA",),
        max_segments: int = 2,
        mo_url: str = "",
        mo_cpid: str = "cp-38",
        mo_private_key: str = "mo-private",
        service_number: str = "8079",
        keyword: str = "CL",
        blocked: tuple[str, ...] = (),
        **base: Any,
    ) -> None:
        super().__init__(**base)
        self.api_key, self.secret_key = api_key, secret_key
        self.brandnames = set(brandnames)
        self.max_segments = max_segments
        self.mo_url = mo_url
        self.mo_cpid, self.mo_private_key = mo_cpid, mo_private_key
        self.service_number, self.keyword = service_number, keyword
        self.blocked = set(blocked)
        self.sent: list[BrandnameSms] = []
        # Every answer given: (CodeResult or HTTP status, request fields without secrets).
        self.answers: list[tuple[str, dict[str, Any]]] = []
        self._mo_count = 0

    @property
    def url(self) -> str:
        """The send URL (cachly's brandname `url`)."""
        return f"http://127.0.0.1:{self.port}{SEND_PATH}"

    def routes(self) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]]:
        """The send endpoint."""
        return [(re.escape(SEND_PATH), _SendHandler, {"standin": self})]

    def submit(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The answer to one send request (HTTP status, JSON)."""
        if self.over_rate():
            return 429, {}
        code = self._check(request)
        public = {k: v for k, v in request.items() if k not in ("ApiKey", "SecretKey")}
        self.answers.append((code, public))
        if code != "100":
            return 200, {"CodeResult": code, "ErrorMessage": _ERRORS.get(code, "refused")}
        number = "+84" + str(request["Phone"])[1:]
        text = str(request["Content"])
        sms = BrandnameSms(uuid.uuid4().hex, number, text, charset.segments(text), public)
        self.sent.append(sms)
        phone = self.phones.get(number)
        if phone is not None:
            phone.inbox.append(Received(sms.sms_id, text, sms.segments, self.clock()))
            self.notify()
        callback = str(request.get("CallbackUrl") or "")
        if callback:
            self.later(lambda: self._report(callback, sms, delivered=phone is not None))
        return 200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms.sms_id}

    def _check(self, request: dict[str, Any]) -> str:
        if request.get("ApiKey") != self.api_key or request.get("SecretKey") != self.secret_key:
            return "101"
        if str(request.get("SmsType")) != "2":
            return "118"
        if request.get("Brandname") not in self.brandnames:
            return "104"
        phone = str(request.get("Phone", ""))
        if not _NATIONAL.match(phone):
            return "108"
        if "+84" + phone[1:] in self.blocked:
            return "99"
        text = request.get("Content")
        if not isinstance(text, str) or not text:
            return CONTENT_REFUSED
        unicode = str(request.get("IsUnicode", "0")) == "1"
        if not unicode and not charset.is_gsm7(text):
            return CONTENT_REFUSED
        count = charset.ucs2_segments(text) if unicode else charset.segments(text)
        if count > self.max_segments:
            return CONTENT_REFUSED
        return "100"

    async def _report(self, url: str, sms: BrandnameSms, *, delivered: bool) -> None:
        national = "0" + sms.phone.removeprefix("+84")
        query = {
            "SMSID": sms.sms_id,
            "SendFailed": "0" if delivered else "1",
            "SendStatus": "5",
            "SendSuccess": "1" if delivered else "0",
            "TotalPrice": str(sms.segments * 800),
            "TotalReceiver": "1",
            "TotalSent": "1",
            "RequestId": str(sms.request.get("RequestId", "")),
            "TypeId": "2",
            "telcoid": "1",
            "phonenumber": national,
        }
        await self.callback("GET", url, params=query)

    async def reply(self, phone: SimPhone, text: str) -> int:
        """The owner of `phone` texts "<keyword> <text>" to the short code: eSMS's MO GET."""
        self._mo_count += 1
        content = f"{self.keyword} {text}"
        smsid = f"mo-{self._mo_count}"
        moment = self.clock().astimezone(_VIETNAM).strftime("%Y%m%d%H%M%S")
        sign = hashlib.md5(
            f"{self.mo_cpid}{smsid}{content}{moment}{self.mo_private_key}".encode()
        ).hexdigest()
        query = {
            "sender": phone.number.lstrip("+"),
            "content": content,
            "serviceNumber": self.service_number,
            "keyword": self.keyword,
            "sign": sign,
            "cpid": self.mo_cpid,
            "smsid": smsid,
            "receiverTime": moment,
        }
        status = await self.request("GET", self.mo_url, params=query)
        phone.replies.append((text, status))
        return status


_ERRORS = {
    "99": "Phone number is blocked",
    "101": "Incorrect ApiKey or SecretKey",
    "104": "Brandname does not exist",
    "108": "Phone number is not in correct format",
    "118": "Unsupported message type",
    CONTENT_REFUSED: "Content is not GSM-7 or too long",
}


class _SendHandler(tornado.web.RequestHandler):
    def initialize(self, standin: BrandnameStandIn) -> None:
        self.standin = standin

    def post(self, *args: str, **kwargs: str) -> None:
        try:
            request = json.loads(self.request.body)
        except ValueError:
            request = None
        if not isinstance(request, dict):
            self.set_status(400)
            self.finish({"CodeResult": "99", "ErrorMessage": "not JSON"})
            return
        status, answer = self.standin.submit(request)
        self.set_status(status)
        if status == 429:
            self.set_header("Retry-After", "1")
        self.finish(answer)
