"""A stand-in of the SMS Gateway for Android app's API (/3rdparty/v1), as its PyPI client calls it.

POST /messages with Basic auth (401 otherwise) takes {textMessage: {text}, phoneNumbers,
withDeliveryReport, ttl, priority, simNumber}, refuses a number that is not E.164 (400)
and a send over the rate (429), and answers 202 with the message state (Pending). The
phone then sends it: the webhooks registered through POST /webhooks get `sms:sent`, then
`sms:delivered` (the number exists) or `sms:failed` with a reason, each signed as the app
signs them (HMAC-SHA256 of the body then X-Timestamp, hex in X-Signature). A phone's reply
is an `sms:received` webhook.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import tornado.web

from standins.sms import charset
from standins.sms.base import SmsStandIn
from standins.sms.phones import Received, SimPhone

API = "/3rdparty/v1"
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
UNDELIVERABLE = "Invalid number"


@dataclass
class AndroidSms:
    """One message as the app queued it."""

    message_id: str
    phone: str
    text: str
    segments: int
    state: str
    request: dict[str, Any]


class AndroidStandIn(SmsStandIn):
    """The app's API and the phone behind it."""

    def __init__(
        self,
        *,
        login: str = "sms-user",
        password: str = "sms-password",
        signing_key: str = "webhook-key",
        device_id: str = "ffffffffceb0b1db0000018e937c815b",
        **base: Any,
    ) -> None:
        super().__init__(**base)
        self.login, self.password, self.signing_key = login, password, signing_key
        self.device_id = device_id
        self.sent: list[AndroidSms] = []
        self.webhooks: dict[str, dict[str, str]] = {}
        self.refused: list[tuple[int, str]] = []
        self._received = 0

    @property
    def base_url(self) -> str:
        """The API's base URL (the client's `base_url`)."""
        return f"http://127.0.0.1:{self.port}{API}"

    def routes(self) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]]:
        """Messages and webhooks."""
        return [
            (f"{API}/messages/?", _MessagesHandler, {"standin": self}),
            (f"{API}/messages/([^/]+)", _MessageHandler, {"standin": self}),
            (f"{API}/webhooks/?", _WebhooksHandler, {"standin": self}),
            (f"{API}/webhooks/([^/]+)", _WebhookHandler, {"standin": self}),
        ]

    def register_webhook(self, url: str, event: str) -> dict[str, str]:
        """Register a webhook (as POST /webhooks does)."""
        hook = {"id": uuid.uuid4().hex[:21], "url": url, "event": event}
        self.webhooks[hook["id"]] = hook
        return hook

    def authorised(self, header: str) -> bool:
        """Whether an Authorization header carries the app's credentials."""
        expected = base64.b64encode(f"{self.login}:{self.password}".encode()).decode()
        return hmac.compare_digest(header, f"Basic {expected}")

    def queue(self, request: dict[str, Any], skip_validation: bool) -> tuple[int, dict[str, Any]]:
        """The answer to POST /messages."""
        if self.over_rate():
            self.refused.append((429, "rate"))
            return 429, {"message": "Too Many Requests"}
        numbers = request.get("phoneNumbers")
        text = (request.get("textMessage") or {}).get("text")
        if not isinstance(numbers, list) or not numbers or not isinstance(text, str) or not text:
            self.refused.append((400, "payload"))
            return 400, {"message": "textMessage.text and phoneNumbers are required"}
        for number in numbers:
            if not skip_validation and not _E164.match(str(number)):
                self.refused.append((400, "phone"))
                return 400, {"message": f"failed to validate phone number: {number!r}"[:60]}
        message_id = str(request.get("id") or uuid.uuid4().hex[:21])
        segments = charset.segments(text) if charset.is_gsm7(text) else charset.ucs2_segments(text)
        for number in numbers:
            sms = AndroidSms(message_id, str(number), text, segments, "Pending", request)
            self.sent.append(sms)
            self.later(functools.partial(self._deliver, sms))
        return 202, {
            "id": message_id,
            "deviceId": self.device_id,
            "state": "Pending",
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [{"phoneNumber": n, "state": "Pending"} for n in numbers],
            "states": {"Pending": self.clock().isoformat()},
        }

    def state(self, message_id: str) -> dict[str, Any] | None:
        """The answer to GET /messages/{id}."""
        mine = [sms for sms in self.sent if sms.message_id == message_id]
        if not mine:
            return None
        return {
            "id": message_id,
            "deviceId": self.device_id,
            "state": mine[0].state,
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [{"phoneNumber": s.phone, "state": s.state} for s in mine],
        }

    async def _deliver(self, sms: AndroidSms) -> None:
        moment = self.clock().isoformat()
        base = {"messageId": sms.message_id, "phoneNumber": sms.phone, "simNumber": 1}
        sms.state = "Sent"
        await self.fire("sms:sent", {**base, "sentAt": moment})
        phone = self.phones.get(sms.phone)
        if phone is None:
            sms.state = "Failed"
            await self.fire("sms:failed", {**base, "failedAt": moment, "reason": UNDELIVERABLE})
            return
        phone.inbox.append(Received(sms.message_id, sms.text, sms.segments, self.clock()))
        self.notify()
        sms.state = "Delivered"
        await self.fire("sms:delivered", {**base, "deliveredAt": moment})

    async def reply(self, phone: SimPhone, text: str) -> int:
        """The owner of `phone` texts the gateway phone: an `sms:received` webhook."""
        self._received += 1
        payload = {
            "messageId": f"in-{self._received}",
            "message": text,
            "phoneNumber": phone.number,
            "simNumber": 1,
            "receivedAt": self.clock().isoformat(),
        }
        statuses = await self.fire("sms:received", payload)
        status = statuses[0] if statuses else 0
        phone.replies.append((text, status))
        return status

    async def fire(self, event: str, payload: dict[str, Any]) -> list[int]:
        """Send one event to every webhook registered for it, signed as the app signs."""
        statuses = []
        for hook in list(self.webhooks.values()):
            if hook["event"] != event:
                continue
            body = json.dumps(
                {
                    "deviceId": self.device_id,
                    "event": event,
                    "id": uuid.uuid4().hex[:21],
                    "payload": payload,
                    "webhookId": hook["id"],
                }
            ).encode()
            stamp = str(int(self.clock().timestamp()))
            signature = hmac.new(
                self.signing_key.encode(), body + stamp.encode(), hashlib.sha256
            ).hexdigest()
            headers = {
                "Content-Type": "application/json",
                "X-Signature": signature,
                "X-Timestamp": stamp,
            }
            status = await self.callback("POST", hook["url"], content=body, headers=headers)
            statuses.append(status)
        return statuses


class _Handler(tornado.web.RequestHandler):
    def initialize(self, standin: AndroidStandIn) -> None:
        self.standin = standin

    def prepare(self) -> None:
        if not self.standin.authorised(self.request.headers.get("Authorization", "")):
            self.set_status(401)
            self.finish({"message": "Unauthorized"})

    def answer(self, status: int, body: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def body(self) -> Any:
        try:
            return json.loads(self.request.body)
        except ValueError:
            return None


class _MessagesHandler(_Handler):
    def post(self, *args: str) -> None:
        request = self.body()
        if not isinstance(request, dict):
            self.answer(400, {"message": "not JSON"})
            return
        skip = self.get_query_argument("skipPhoneValidation", "false") == "true"
        self.answer(*self.standin.queue(request, skip))


class _MessageHandler(_Handler):
    def get(self, message_id: str) -> None:
        state = self.standin.state(message_id)
        if state is None:
            self.answer(404, {"message": "message not found"})
        else:
            self.answer(200, state)


class _WebhooksHandler(_Handler):
    def get(self, *args: str) -> None:
        self.answer(200, list(self.standin.webhooks.values()))

    def post(self, *args: str) -> None:
        request = self.body()
        if not isinstance(request, dict) or not request.get("url") or not request.get("event"):
            self.answer(400, {"message": "url and event are required"})
            return
        self.answer(201, self.standin.register_webhook(request["url"], request["event"]))


class _WebhookHandler(_Handler):
    def delete(self, hook_id: str) -> None:
        self.standin.webhooks.pop(hook_id, None)
        self.set_status(204)
        self.finish()
