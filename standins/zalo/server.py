"""ZaloStandIn: the OA API, ZNS and OAuth on one port of 127.0.0.1, enforcing Zalo's rules.

It answers as Zalo does (HTTP 200, `{"error": <code>, ...}`) and refuses what Zalo refuses:
an invalid or expired access token, a spent refresh token, a message to someone who does
not follow the OA or whose 48-hour window is closed or used up (8 messages), a text over
2,000 characters, more than 5 buttons, an unregistered template or parameters other than
the template's own (or too long), a phone number without Zalo, more requests a second
than its limit. Every call is recorded; simulated people (users.py) act through signed
webhook events posted to the URL a test gives it.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal, Self
from urllib.parse import parse_qs

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

from standins.zalo import wire
from standins.zalo.auth import TokenAuthority
from standins.zalo.checks import canonical_phone, message_problem, template_data_problem
from standins.zalo.limits import Limits, too_fast, window_refusal
from standins.zalo.records import Call, Person, Received, Template
from standins.zalo.users import ZaloUser
from standins.zalo.wire import JSON


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected answer to the next message call (CS or ZNS)."""

    # pass: answered as usual (so that the next fault hits a later call)
    kind: Literal["pass", "bad_gateway", "cut", "error"]
    code: int = 0  # for "error": the Zalo error code to answer
    deliver: bool = True  # for "cut": deliver the message, then lose the answer


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook event posted to the bot, and the HTTP status it answered."""

    event: JSON
    status: int


class ZaloStandIn:
    """Zalo's OA API for tests; use as ``async with ZaloStandIn(...) as zalo``."""

    def __init__(
        self,
        *,
        app_id: str = "3600000000000000001",
        app_secret: str = "stand-in-app-secret",
        oa_id: str = "5790000000000000001",
        oa_secret_key: str = "stand-in-oa-secret-key",
        refresh_token: str = "rt-initial",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        limits: Limits | None = None,
        templates: Iterable[Template] = (),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_id = app_id
        self.oa_id = oa_id
        self.oa_secret_key = oa_secret_key
        self.now = now
        self.monotonic = monotonic
        self.limits = limits or Limits()
        self.tokens = TokenAuthority(app_id, app_secret, refresh_token, now)
        self.templates = {template.template_id: template for template in templates}
        self.people: dict[str, Person] = {}
        self.users: dict[str, ZaloUser] = {}
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []
        self.webhook_url: str | None = None
        self.faults: deque[Fault] = deque()
        self.zns_sent = 0
        self.zns_cost_vnd = 0
        self.port = 0
        self._recent: dict[str, deque[float]] = {}
        self._msg_ids = itertools.count(1)
        self._waiters: set[asyncio.Event] = set()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._http: httpx.AsyncClient | None = None

    # ---- lifecycle ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The one base URL of the OA API, OAuth and ZNS here."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        app = tornado.web.Application(
            [(r"(/.*)", _Handler, {"standin": self})], log_function=lambda handler: None
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        self._http = httpx.AsyncClient(timeout=10.0)

    async def stop(self) -> None:
        """Close the server and the webhook client."""
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
            await server.close_all_connections()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ---- people and templates ----------------------------------------------------------

    def user(self, user_id: str, phone: str | None = None) -> ZaloUser:
        """A simulated Zalo user (the same object per id); `phone` lets ZNS reach them."""
        if user_id not in self.users:
            person = Person(user_id, canonical_phone(phone) if phone else None)
            self.people[user_id] = person
            self.users[user_id] = ZaloUser(self, person)
        return self.users[user_id]

    def register_template(self, template: Template) -> None:
        """A ZNS template Zalo approved for this OA."""
        self.templates[template.template_id] = template

    def inject(self, *faults: Fault) -> None:
        """Answer the next message calls with these faults, one each."""
        self.faults.extend(faults)

    # ---- inspection --------------------------------------------------------------------

    def calls_to(self, path: str) -> list[Call]:
        """Every recorded call of one path."""
        return [call for call in self.calls if call.path == path]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 (a safety net, not a way to wait)
        what: str = "the condition",
    ) -> None:
        """Wait until `condition()` holds (checked after every call the stand-in answers)."""
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            async with asyncio.timeout(timeout):
                while not condition():
                    event.clear()
                    await event.wait()
        except TimeoutError:
            raise AssertionError(f"{what} not reached within {timeout}s") from None
        finally:
            self._waiters.discard(event)

    def _changed(self) -> None:
        for event in self._waiters:
            event.set()

    # ---- webhook events ----------------------------------------------------------------

    def sign(self, body: bytes, timestamp: str, key: str | None = None) -> str:
        """The X-ZEvent-Signature Zalo sends: mac=sha256(app id + body + timestamp + key)."""
        secret = self.oa_secret_key if key is None else key
        material = self.app_id.encode() + body + timestamp.encode() + secret.encode()
        return "mac=" + hashlib.sha256(material).hexdigest()

    def event(self, name: str, **fields: object) -> JSON:
        """An event as Zalo posts it, stamped with the stand-in's clock."""
        stamp = str(int(self.now().timestamp() * 1000))
        return {
            "app_id": self.app_id,
            "oa_id": self.oa_id,
            "event_name": name,
            "timestamp": stamp,
            **fields,
        }

    async def post_event(self, event: JSON, *, key: str | None = None) -> int:
        """Post a signed event to the webhook (signed with `key` to forge one); its status."""
        if self.webhook_url is None or self._http is None:
            raise AssertionError("no webhook URL given to the Zalo stand-in")
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            wire.SIGNATURE_HEADER: self.sign(body, str(event["timestamp"]), key),
            "Content-Type": "application/json",
        }
        response = await self._http.post(self.webhook_url, content=body, headers=headers)
        self.deliveries.append(Delivery(event, response.status_code))
        self._changed()
        return response.status_code

    def next_msg_id(self) -> str:
        """A message id as Zalo writes them (hex)."""
        return f"{next(self._msg_ids):032x}"

    # ---- the API -----------------------------------------------------------------------

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[Call, Fault | None]:
        """Answer one request; the fault to apply to the answer, if one was injected."""
        fault = None
        if path in (wire.CS_PATH, wire.ZNS_PATH) and self.faults:
            fault = self.faults.popleft()
        if path == wire.TOKEN_PATH:
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            call = Call(path, dict(form), self.now())
            call.answer = self.tokens.refresh(headers.get("secret_key", ""), form)
        else:
            params = _json(body)
            call = Call(path, params, self.now())
            if fault is not None and fault.kind == "error":
                call.answer = wire.error(fault.code, "injected")
            elif fault is not None and fault.kind == "bad_gateway":
                call.answer = {}
            else:
                call.answer = self._message_call(path, headers.get("access_token"), params)
        self.calls.append(call)
        self._changed()
        return call, fault

    def _message_call(self, path: str, token: str | None, params: JSON) -> JSON:
        if path not in (wire.CS_PATH, wire.ZNS_PATH):
            return wire.error(-209, "API not supported")
        refusal = self.tokens.refusal(token, zns=path == wire.ZNS_PATH)
        if refusal is not None:
            return refusal
        recent = self._recent.setdefault(path, deque())
        if too_fast(self.limits, recent, self.monotonic()):
            return wire.error(wire.RATE_LIMITED, "Request exceeds the rate limit")
        if path == wire.CS_PATH:
            return self._cs(params)
        return self._zns(params)

    def _cs(self, params: JSON) -> JSON:
        recipient, message = params.get("recipient"), params.get("message")
        if not isinstance(recipient, dict) or not isinstance(message, dict):
            return wire.error(wire.PARAMETER_INVALID, "recipient and message are required")
        problem = message_problem(message)
        if problem is not None:
            return problem
        person = self.people.get(str(recipient.get("user_id", "")))
        if person is None:
            return wire.error(wire.PARAMETER_INVALID, "user_id is invalid")
        if not person.following:
            return wire.error(wire.NOT_FOLLOWER, "User has not followed the OA")
        reason = window_refusal(person, self.now())
        if reason is not None:
            return wire.error(wire.INTERACTION_EXPIRED, reason)
        person.window_count += 1
        attachment = message.get("attachment") or {}
        buttons = list(attachment.get("payload", {}).get("buttons", [])) if attachment else []
        received = Received(
            self.next_msg_id(), "cs", self.now(), str(message.get("text", "")), buttons
        )
        person.received.append(received)
        return wire.success({"message_id": received.msg_id, "user_id": person.user_id})

    def _zns(self, params: JSON) -> JSON:
        phone = canonical_phone(str(params.get("phone", "")))
        if phone is None:
            return wire.error(wire.ZNS_PHONE_INVALID, "Phone number invalid")
        template = self.templates.get(str(params.get("template_id", "")))
        if template is None:
            return wire.error(wire.ZNS_TEMPLATE_INVALID, "Template ID invalid")
        data = params.get("template_data")
        problem = template_data_problem(template, data)
        if problem is not None:
            return wire.error(wire.ZNS_DATA_INVALID, problem)
        tracking = params.get("tracking_id")
        if tracking is not None and (not isinstance(tracking, str) or len(tracking) > 48):
            return wire.error(wire.PARAMETER_INVALID, "tracking_id is invalid")
        person = next((p for p in self.people.values() if p.phone == phone), None)
        if person is None:
            return wire.error(wire.ZNS_NO_ZALO_ACCOUNT, "Zalo account not existed")
        assert isinstance(data, dict)
        received = Received(
            self.next_msg_id(),
            "zns",
            self.now(),
            template_id=template.template_id,
            template_data={str(k): str(v) for k, v in data.items()},
            tracking_id=tracking,
        )
        person.received.append(received)
        self.zns_sent += 1
        self.zns_cost_vnd += template.price_vnd
        sent_time = str(int(self.now().timestamp() * 1000))
        quota = {"dailyQuota": "500", "remainingQuota": str(max(0, 500 - self.zns_sent))}
        return wire.success({"msg_id": received.msg_id, "sent_time": sent_time, "quota": quota})


class _Handler(tornado.web.RequestHandler):
    def initialize(self, standin: ZaloStandIn) -> None:
        self.standin = standin

    async def post(self, *args: str, **kwargs: str) -> None:
        path = args[0]
        headers = {name.lower(): value for name, value in self.request.headers.get_all()}
        call, fault = self.standin.handle(path, headers, self.request.body)
        if fault is not None and fault.kind == "cut":
            self.request.connection.close()  # type: ignore[union-attr]
            return
        if fault is not None and fault.kind == "bad_gateway":
            self.set_status(502)
            self.finish("Bad Gateway")
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(call.answer, ensure_ascii=False).encode())


def _json(body: bytes) -> JSON:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
