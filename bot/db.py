"""Engine, sessions and migrations."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, event, exc, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import migrations
from bot import sqlite_driver
from bot.config import DatabaseSettings

SQLITE_BUSY_TIMEOUT_MS = 5000
# PostgreSQL connections are replaced after this long, before a server or a proxy's idle
# timeout can close them under a query.
POOL_RECYCLE_S = 1800


class Database:
    """One engine and one session factory per process; a unit of work per service call."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self.engine: AsyncEngine = make_engine(settings)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def with_info(self, **info: Any) -> Database:
        """The same engine, with sessions that carry `info` (a bot's routing: bot/routing.py)."""
        view = copy.copy(self)
        view.sessions = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        return view

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Open a session in a transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def upgrade(self) -> None:
        """Apply every pending migration."""
        async with self.engine.connect() as connection:
            if self.settings.is_sqlite:
                # SQLite's batch migrations recreate tables; with foreign keys enforced that
                # would cascade or fail. The pragma only works outside a transaction.
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            try:
                await connection.run_sync(_upgrade_with_connection)
                await connection.commit()
            finally:
                if self.settings.is_sqlite:
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def make_engine(settings: DatabaseSettings) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, a busy timeout and foreign keys."""
    # Statement parameters hold names, phone numbers and coordinates: keep them out of
    # exception messages, which end up in logs.
    kwargs: dict[str, Any] = {"echo": settings.echo, "hide_parameters": True}
    url = make_url(settings.url)
    if settings.is_sqlite:
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        if url.drivername == "sqlite+aiosqlite" and sqlite_driver.available():
            # The same driver with one thread hand-off per statement (bot/sqlite_driver.py).
            url = url.set(drivername=f"sqlite+{sqlite_driver.DRIVER}")
    else:
        # Not pool_pre_ping: it costs a round trip (and a sizeable part of a location
        # check-in's CPU) at every checkout. A restarted server is still survived: asyncpg
        # reads its socket all the time, so a connection the server closed is seen closed
        # at once, and the checkout below discards it and the pool retries with a new one
        # (SQLAlchemy's documented "disconnect on checkout"); an error that still hits a
        # dead connection mid-query invalidates the pool, and pool_recycle retires
        # connections before idle timeouts close them silently.
        kwargs["pool_recycle"] = POOL_RECYCLE_S
    engine = create_async_engine(url, **kwargs)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine.sync_engine, "checkout", _discard_closed)
    event.listen(engine.sync_engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


def _without_nul(
    _connection: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    # PostgreSQL's text cannot hold a NUL character, and anyone can type one (a code in
    # /case, a report, a name): it is dropped at the database's door, for every
    # statement, rather than failing the update; on SQLite too, so both store the same.
    if executemany:
        return statement, [_clean(row) for row in parameters]
    return statement, _clean(parameters)


def _clean(parameters: Any) -> Any:
    if isinstance(parameters, tuple | list):
        if any(isinstance(value, str) and "\x00" in value for value in parameters):
            return type(parameters)(_no_nul(value) for value in parameters)
        return parameters
    if isinstance(parameters, dict) and any(
        isinstance(value, str) and "\x00" in value for value in parameters.values()
    ):
        return {key: _no_nul(value) for key, value in parameters.items()}
    return parameters


def _no_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


def _discard_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # No round trip: asyncpg's own flag, set when the server closed the socket.
    raw = getattr(dbapi_connection, "_connection", None)
    if raw is not None and raw.is_closed():
        raise exc.DisconnectionError("the server closed the connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the sender, the scheduler ticks and update handlers read while one writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(url: str | None = None) -> AlembicConfig:
    """An Alembic configuration pointing at the packaged migrations."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade_with_connection(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
