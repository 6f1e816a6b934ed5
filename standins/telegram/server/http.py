"""The stand-in's HTTP face on tornado: Bot API calls and file downloads."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import tornado.web

from standins.telegram.params import read_params
from standins.telegram.server.request import Connection, Request
from standins.telegram.wire import JSON, ApiError, bad

if TYPE_CHECKING:
    from standins.telegram.server.core import StandInCore


class ApiHandler(tornado.web.RequestHandler):
    """POST (or GET) /bot<token>/<method>."""

    def initialize(self, standin: StandInCore) -> None:
        self.standin = standin
        self.conn = Connection()

    def on_connection_close(self) -> None:
        self.conn.close()

    async def post(self, *args: str, **kwargs: str) -> None:
        token, method = args
        standin = self.standin
        standin._inflight += 1
        try:
            try:
                params = read_params(self.request)
            except (ValueError, ApiError) as error:
                body = (error if isinstance(error, ApiError) else bad(str(error))).body()
                self._answer(400, body)
                return
            files = {key: files[0] for key, files in self.request.files.items()}
            request = Request(params, files, self.conn)
            call, answer = await standin._handle(token, method, request)
            if request.cut:
                self.request.connection.close()  # type: ignore[union-attr]
            elif answer and not self.conn.gone:
                self._answer(call.status, call.response)
        finally:
            standin._inflight -= 1
            if standin._inflight == 0 and standin._idle is not None:
                standin._idle.set()

    get = post

    def _answer(self, status: int, body: JSON) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


class FileHandler(tornado.web.RequestHandler):
    """GET /file/bot<token>/<file_path>: downloads of stored files."""

    def initialize(self, standin: StandInCore) -> None:
        self.standin = standin

    def get(self, *args: str, **kwargs: str) -> None:
        token, path = args
        if token != self.standin.token:
            self.set_status(401)
            self.finish({"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        stored = self.standin._files_by_path.get(path)
        if stored is None:
            self.set_status(404)
            self.finish({"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.content)
