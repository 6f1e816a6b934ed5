"""How updates reach the bot (getUpdates or a webhook) and how it answers callback queries."""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

from standins.telegram.server.core import StandInCore
from standins.telegram.server.request import Request, wake
from standins.telegram.wire import JSON, QUERY_INVALID, ApiError, bad

# What setWebhook accepts as secret_token (Bot API: 1-256 characters A-Z, a-z, 0-9, _ and -).
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class UpdateMethods(StandInCore):
    """getUpdates long polls, the webhook settings, answerCallbackQuery."""

    async def _get_updates(self, request: Request) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = request.params
        offset = int(params.get("offset") or 0)
        if offset < 0:  # the last -offset updates; all earlier ones are forgotten
            while len(self._updates) > -offset:
                self._updates.popleft()
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while not self._updates and not self._closing and not request.conn.gone:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._polling += 1
            wake(self._call_waiters)  # for wait_for_poll
            try:
                await request.conn.wait(self._poll_waiters, remaining)
            finally:
                self._polling -= 1
        return list(itertools.islice(self._updates, limit))

    async def _set_webhook(self, request: Request) -> Any:
        if not request.params.get("url"):
            return await self._delete_webhook(request)
        params = request.params
        url = str(params["url"])
        if not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise bad("secret token contains unallowed characters")
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        self.webhook = dict(params)
        return True

    async def _delete_webhook(self, request: Request) -> Any:
        self.webhook = None
        if request.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _get_webhook_info(self, request: Request) -> Any:
        info: JSON = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates:
            info["allowed_updates"] = self._allowed_updates
        if self.webhook is not None and self.webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        return info

    async def _answer_callback_query(self, request: Request) -> Any:
        query_id = str(request.params.get("callback_query_id", ""))
        chat_id = self._queries.pop(query_id, None)
        if chat_id is None:
            raise bad(QUERY_INVALID)
        request.chat_id = chat_id
        if len(str(request.params.get("text", ""))) > 200:
            raise bad("MESSAGE_TOO_LONG")
        return True
