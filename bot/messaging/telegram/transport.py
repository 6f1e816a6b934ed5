"""The Bot API over plain HTTP: the outbox sender's transport.

The sender has its own connections, not the Application's Bot and its AIORateLimiter:
the sender owns pacing, and a rate limiter that retries RetryAfter by itself would hide
the flood signal the sender must obey (and cap a paid-broadcast deployment at 30 a second).

`HttpTransport` posts Bot API calls as JSON over a few keep-alive HTTP/1.1 connections
(h11 speaks the protocol) and maps the answers as PTB does. PTB's Bot over httpx costs 2 to
4 ms of CPU per call here (httpcore polls every pooled connection on each request and
retries a failing import each time), which capped the sender near 150 messages a second;
this costs about a tenth. `handlers.ptb_transport.PtbTransport` makes the same calls
through PTB, for comparison.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections import deque
from dataclasses import replace
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import h11
import httpx

from bot.config import OutboxSettings, Settings
from bot.messaging import transport as sender

# Parameters that upload a file when their value is bytes.
FILE_PARAMS = ("photo", "document")


# Telegram's own count of a bot's messages over any second: about 30 free, 1,000 with paid
# broadcasts (core.telegram.org/bots/faq). The sender paces at its configured rate under it.
FREE_LIMIT_PER_SECOND = 30.0
PAID_LIMIT_PER_SECOND = 1000.0


def telegram_outbox(outbox: OutboxSettings) -> OutboxSettings:
    """`outbox` with Telegram's own limit as the pacing's safety net."""
    limit = PAID_LIMIT_PER_SECOND if outbox.paid_broadcast else FREE_LIMIT_PER_SECOND
    return replace(outbox, limit_per_second=outbox.limit_per_second or limit)


# ---- the lean transport ---------------------------------------------------------------

# PTB's default Bot API address.
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
# An idle connection older than this is closed rather than reused: a server may drop idle
# connections (nginx after 75 s by default), and a request on a dropped one would fail.
IDLE_SECONDS = 30.0
# PTB strips these from error descriptions (and capitalises the rest); so do we, so that
# the outbox's last_error reads the same whichever transport sent the row.
_PREFIXES = ("Error: ", "[Error]: ", "Bad Request: ")


class _Connection:
    """One keep-alive HTTP/1.1 connection to the Bot API."""

    __slots__ = ("h11", "idle_since", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0

    def usable(self, now: float) -> bool:
        """Whether it can take another request (the server has not closed it, not too old)."""
        return (
            now - self.idle_since < IDLE_SECONDS
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        """Drop the connection without waiting."""
        self.writer.close()


class HttpTransport:
    """Posts the sender's Bot API calls as JSON over pooled keep-alive connections."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "",
        timeout: float = 10.0,
        max_connections: int = 100,
    ) -> None:
        url = urlsplit(base_url or DEFAULT_BASE_URL)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) Bot API base URL: {base_url!r}")
        self._tls = url.scheme == "https"
        self._host = url.hostname
        self._port = url.port or (443 if self._tls else 80)
        self._host_header = url.netloc.rsplit("@", 1)[-1]
        self._prefix = f"{url.path}{token}/"
        self._timeout = timeout
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: deque[_Connection] = deque()
        self._ssl: ssl.SSLContext | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpTransport:
        """A transport with as many connections as the sender has calls in flight."""
        outbox = settings.outbox
        return cls(
            settings.telegram.token,
            base_url=settings.telegram.base_url,
            timeout=outbox.request_timeout_seconds,
            max_connections=outbox.max_in_flight,
        )

    async def initialize(self) -> None:
        """Prepare TLS (certifi's roots, as httpx and PTB use); connections open on demand."""
        if self._tls and self._ssl is None:
            self._ssl = httpx.create_ssl_context()

    async def shutdown(self) -> None:
        """Close every idle connection (calls still open close theirs when they end)."""
        while self._idle:
            self._idle.pop().close()

    async def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call one Bot API method; TransportError subclasses say what went wrong."""
        body, content_type = _encode(params)
        # Set once the request is on its way: a failure after that leaves its fate unknown
        # (Telegram may have sent the message and only the answer was lost).
        sent: list[bool] = []
        try:
            async with self._slots, asyncio.timeout(self._timeout):
                status, payload = await self._post(self._prefix + method, body, content_type, sent)
        except TimeoutError as error:
            raise (sender.UnknownOutcome if sent else sender.TransientError)("Timed out") from error
        except (OSError, EOFError, h11.ProtocolError) as error:
            raise (sender.UnknownOutcome if sent else sender.TransientError)(
                f"network error: {error!r}"
            ) from error
        return _result(status, payload)

    async def _post(
        self, target: str, body: bytes, content_type: str, sent: list[bool]
    ) -> tuple[int, bytes]:
        conn = await self._connection()
        try:
            protocol = conn.h11
            conn.writer.write(
                protocol.send(
                    h11.Request(
                        method="POST",
                        target=target,
                        headers=[
                            ("Host", self._host_header),
                            ("Content-Type", content_type),
                            ("Content-Length", str(len(body))),
                        ],
                    )
                )
                + protocol.send(h11.Data(data=body))
                + protocol.send(h11.EndOfMessage())
            )
            sent.append(True)
            status, chunks = 0, []
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    protocol.receive_data(await conn.reader.read(65536))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    chunks.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise EOFError("the server closed the connection")
        except BaseException:
            # Timed out, cancelled or broken mid-request: its state is unknown, never reuse it.
            conn.close()
            raise
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()  # the server asked to close it (Connection: close)
        return status, b"".join(chunks)

    async def _connection(self) -> _Connection:
        """The most recently used idle connection still open, or a new one."""
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if conn.usable(now):
                return conn
            conn.close()
        reader, writer = await asyncio.open_connection(
            self._host,
            self._port,
            ssl=self._ssl if self._tls else None,
            server_hostname=self._host if self._tls else None,
        )
        return _Connection(reader, writer)


def _encode(params: dict[str, Any]) -> tuple[bytes, str]:
    """The request body: JSON, or multipart when a file is uploaded (as PTB sends it)."""
    files: dict[str, tuple[str, bytes]] = {}
    fields = params
    for name in FILE_PARAMS:
        value = params.get(name)
        if isinstance(value, bytes):
            if fields is params:
                fields = dict(params)
            content = value
            del fields[name]
            filename = str(fields.pop("filename", "chart.png" if name == "photo" else "file"))
            files[name] = (filename, content)
    if not files:
        return json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode(), (
            "application/json"
        )
    # Form fields are strings: objects and numbers go JSON-encoded, as PTB sends them.
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    request = httpx.Request("POST", "http://multipart", data=data, files=files)
    return request.read(), request.headers["Content-Type"]


def _result(status: int, payload: bytes) -> dict[str, Any]:
    """The call's result, or the sender's exception for its answer (PTB's mapping)."""
    try:
        answer = json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        answer = None
    if 200 <= status <= 299:
        if answer is None:
            raise sender.PermanentError("Invalid server response")
        result = answer.get("result")
        return result if isinstance(result, dict) else {}
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    if answer is not None:
        message = str(answer.get("description") or message)
        parameters = answer.get("parameters") or {}
        if isinstance(parameters, dict):
            if parameters.get("migrate_to_chat_id"):
                migrated = parameters["migrate_to_chat_id"]
                raise sender.PermanentError(
                    f"Group migrated to supergroup. New chat id: {migrated}"
                )
            if parameters.get("retry_after"):
                raise sender.RetryAfter(float(parameters["retry_after"]), message)
    stripped = message
    for prefix in _PREFIXES:
        stripped = stripped.removeprefix(prefix)
    if stripped != message:
        message = stripped.capitalize()
    if status == HTTPStatus.FORBIDDEN:
        raise sender.Forbidden(message)
    if status in (400, 401, 404, 409):
        raise sender.PermanentError(message)
    raise sender.TransientError(message)  # 5xx and anything else: worth another try


async def get_me(settings: Settings) -> dict[str, Any]:
    """Telegram's getMe for the configured token: whether it is valid, and the bot's name."""
    transport = HttpTransport(
        settings.telegram.token, base_url=settings.telegram.base_url, timeout=30.0
    )
    await transport.initialize()
    try:
        return await transport.call("getMe", {})
    finally:
        await transport.shutdown()
