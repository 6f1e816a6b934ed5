"""What a log line may hold: ids, counts and kinds; never names, phones, positions or texts.

Our own modules log only such values, at every level. Libraries are held to it here: those
that print statement parameters, request bodies or URLs with the token below WARNING are
kept at WARNING (INFO for PTB, whose INFO lines are start and stop), and PTB's one record
that prints a raw update is rewritten to its id.
"""

from __future__ import annotations

import logging

# The level each library logs from, whatever the root level (-v sets DEBUG).
LIBRARY_LEVELS: dict[str, int] = {
    # PTB at DEBUG logs its base URL (with the token) and every request's parameters.
    "telegram": logging.INFO,
    # URLs carry the bot token; HTTP/2 frames carry bodies.
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "hpack": logging.WARNING,
    # Database drivers print every statement with its parameters at DEBUG.
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    # The engine's own logging; `database.echo` turns it on with parameters hidden.
    "sqlalchemy": logging.WARNING,
    # The webhook's web server (PTB's is tornado): request lines and client addresses.
    "tornado": logging.WARNING,
    "uvicorn": logging.WARNING,
    "apscheduler": logging.WARNING,
    # Alembic narrates every start-up; prepare_database says in one line what changed.
    "alembic": logging.WARNING,
    # Charts and workbooks: font searches and image chunks, noise without use.
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
}

# PTB's webhook logs an update it cannot read with the whole update ("Received data was").
_RAW_UPDATE = "Received data was"


class RawUpdateFilter(logging.Filter):
    """Rewrites PTB's record of an unreadable webhook update to the update's id alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, without the update's content."""
        if isinstance(record.msg, str) and _RAW_UPDATE in record.msg:
            # logging keeps a lone mapping argument as the args themselves.
            data: object = record.args
            if isinstance(data, tuple):
                data = data[0] if data else None
            update_id = data.get("update_id") if isinstance(data, dict) else None
            error = record.exc_info[1] if record.exc_info else None
            record.msg = "update %s could not be read (%s); skipped"
            record.args = (update_id, type(error).__name__ if error else "unknown")
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def hold_libraries() -> None:
    """Set every library's level and PTB's filter (idempotent)."""
    for name, level in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(level)
    updater = logging.getLogger("telegram.ext.Updater")
    if not any(isinstance(f, RawUpdateFilter) for f in updater.filters):
        updater.addFilter(RawUpdateFilter())
