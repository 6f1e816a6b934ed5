"""A tiny HTTP endpoint on 127.0.0.1 that keeps each callback a gateway stand-in makes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.messaging.sms.gateway import CallbackRequest


@dataclass
class Catcher:
    """The callbacks received, as the endpoints hand them to a gateway."""

    port: int = 0
    requests: list[CallbackRequest] = field(default_factory=list)

    def url(self, path: str) -> str:
        """The address of `path` on the catcher."""
        return f"http://127.0.0.1:{self.port}{path}"


class _Handler(tornado.web.RequestHandler):
    def initialize(self, catcher: Catcher) -> None:
        self.catcher = catcher

    def _keep(self) -> None:
        query = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        headers = {k.lower(): v for k, v in self.request.headers.get_all()}
        self.catcher.requests.append(
            CallbackRequest(self.request.method or "GET", query, headers, self.request.body)
        )
        self.finish("OK")

    def get(self, *args: str) -> None:
        self._keep()

    def post(self, *args: str) -> None:
        self._keep()


@asynccontextmanager
async def catching() -> AsyncIterator[Catcher]:
    """A catcher listening for the duration."""
    catcher = Catcher()
    app = tornado.web.Application([(r"/.*", _Handler, {"catcher": catcher})])
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    catcher.port = sockets[0].getsockname()[1]
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    try:
        yield catcher
    finally:
        server.stop()
        await server.close_all_connections()
