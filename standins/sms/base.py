"""What both SMS stand-ins share: a tornado server on 127.0.0.1, phones, a send-rate window,
and callbacks to cachly made over real HTTP and awaited by `settle`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

from standins.sms.phones import SimPhone


class SmsStandIn:
    """A gateway stand-in's lifecycle, phones and outgoing callbacks."""

    def __init__(
        self,
        *,
        rate_per_second: int = 20,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        retry_seconds: float = 10.0,
        retries: int = 5,
    ) -> None:
        self.port = 0
        self.phones: dict[str, SimPhone] = {}
        # Every callback made to cachly: (url, HTTP status of cachly's answer).
        self.callbacks: list[tuple[str, int]] = []
        self.rate_per_second = rate_per_second
        # A callback cachly does not answer with a 2xx is made again (the Android app waits
        # 10 s, then doubles; eSMS tries 5 times): `retry_seconds` is the first wait.
        self.retry_seconds = retry_seconds
        self.retries = retries
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._window = (0, 0)  # (second, sends in it)
        self._server: tornado.httpserver.HTTPServer | None = None
        self._client: httpx.AsyncClient | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()

    def routes(self) -> list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]]:
        """The stand-in's handlers."""
        raise NotImplementedError

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1 on the running event loop."""
        app = tornado.web.Application(self.routes(), log_function=lambda handler: None)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        self._client = httpx.AsyncClient(timeout=10.0)

    async def stop(self) -> None:
        """Finish the callbacks under way, then close."""
        await self.settle()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
            await server.close_all_connections()

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

    def phone(self, number: str) -> SimPhone:
        """The simulated phone of an E.164 number (it exists from now on)."""
        return self.phones.setdefault(number, SimPhone(number))

    def over_rate(self) -> bool:
        """Whether one more send this second is over the stand-in's rate (and count it)."""
        second = int(self._monotonic())
        start, count = self._window
        if start != second:
            start, count = second, 0
        if count >= self.rate_per_second:
            return True
        self._window = (start, count + 1)
        return False

    def notify(self) -> None:
        """Something a test may wait for happened (an SMS reached a phone, a callback ended)."""
        self._changed.set()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 (a safety net, not a way to wait)
        describe: str = "the condition",
    ) -> None:
        """Until `predicate()` holds, woken by each change; fails after `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"no {describe} within {timeout}s") from None

    def later(self, make: Callable[[], Any]) -> None:
        """Run a callback coroutine after the current answer; `settle` awaits it."""
        task = asyncio.get_running_loop().create_task(make())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def settle(self) -> None:
        """Wait for every callback made so far (and those they led to)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def callback(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        """Call cachly back as a gateway does: again, with backoff, until it answers 2xx."""
        wait = self.retry_seconds
        for _ in range(self.retries):
            status = await self.request(
                method, url, params=params, content=content, headers=headers
            )
            if 200 <= status < 300:
                return status
            await asyncio.sleep(wait)  # the gateway's retry policy, scaled down in tests
            wait *= 2
        return await self.request(method, url, params=params, content=content, headers=headers)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        """Call cachly; its answer's status (0 when it could not be reached), recorded."""
        assert self._client is not None, "the stand-in is not started"
        # Parameters join the URL's own query (a CallbackUrl may carry a token).
        target = httpx.URL(url).copy_merge_params(params) if params else httpx.URL(url)
        try:
            response = await self._client.request(method, target, content=content, headers=headers)
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        self.callbacks.append((url, status))
        self.notify()
        return status
