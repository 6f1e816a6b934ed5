"""getUpdates answers read one update at a time, so that one unreadable update is skipped.

PTB parses a getUpdates answer as a whole: one update it cannot read fails the batch, and
the updater asks for the same batch again, for ever, logging its raw text (which may hold
a phone number). Here each update is tried on its own first; one that cannot be read is
logged by its id and replaced by an empty update with the same id, which no handler takes
and which moves the offset past it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)


class ReadableUpdates(HTTPXRequest):
    """The getUpdates connection: like PTB's, but an unreadable update is skipped."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """The answer's JSON with every update readable (an unreadable one left empty)."""
        try:
            answer = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            # PTB would log the whole body here.
            raise TelegramError("Invalid server response") from None
        if not isinstance(answer, dict):
            raise TelegramError("Invalid server response")
        if isinstance(answer.get("result"), list):
            read = (readable(item) for item in answer["result"])
            answer["result"] = [item for item in read if item is not None]
        return answer


def readable(item: Any) -> Any:
    """`item` if PTB can read it as an update, else an update with its id alone (or None)."""
    try:
        Update.de_json(item, None)
        return item
    except Exception as error:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            logger.warning("an update without an id could not be read; dropped")
            return None
        logger.warning("update %s could not be read (%s); skipped", update_id, type(error).__name__)
        return {"update_id": update_id}
