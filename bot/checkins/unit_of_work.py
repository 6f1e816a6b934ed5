"""A unit of work on a plain Core connection, with BEGIN deferred on PostgreSQL.

The location hot path writes through it: fewer round trips than an ORM session's
transaction, and an ORM session joins the same transaction only when needed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db import Database


class UnitOfWork:
    """A unit of work on a Core connection; an ORM session joins its transaction on demand.

    On PostgreSQL the unit reads outside a transaction and opens one only for a second
    write: a location check-in (one read, then one statement writing the fix, the check-in
    and the conversation's end together) then costs two round trips, not four (BEGIN and
    COMMIT). A single statement is atomic on its own, so nothing can be half-written; any
    write that may be followed by another goes through `write`, which opens the
    transaction first. SQLite opens its transaction by itself at the first write.
    """

    def __init__(self, connection: AsyncConnection, *, deferred_begin: bool) -> None:
        self.connection = connection
        self.flow: str | None = None  # the user's conversation, as read with the cases
        self._session: AsyncSession | None = None
        self._outside = deferred_begin  # True while no transaction is open (PostgreSQL)
        self._last: tuple[Any, dict[str, Any]] | None = None

    async def _begin(self) -> None:
        if self._outside:
            self._outside = False
            connection = self.connection
            # Ends SQLAlchemy's own record of the reads (nothing on the server); the next
            # statement opens the transaction, at the engine's isolation level.
            await connection.commit()
            await connection.execution_options(
                isolation_level=connection.dialect.default_isolation_level
            )
            await connection.begin()  # for an ORM session to join (not to own and roll back)
        if self._last is not None:
            statement, params = self._last
            self._last = None
            await self.connection.execute(statement, params)

    async def write(self, statement: Any, params: dict[str, Any]) -> Any:
        """Execute a write inside the unit's transaction (opened now if need be)."""
        await self._begin()
        return await self.connection.execute(statement, params)

    async def write_last(self, statement: Any, params: dict[str, Any]) -> None:
        """A write that may be the unit's only one: held back, and run alone if it is."""
        if not self._outside:
            await self.connection.execute(statement, params)
            return
        if self._last is not None:
            await self._begin()
        self._last = (statement, params)

    async def session(self) -> AsyncSession:
        """An ORM session on the same connection and transaction (for alerts, dialogues)."""
        await self._begin()
        if self._session is None:
            self._session = AsyncSession(bind=self.connection)
        return self._session

    async def finish(self, ok: bool) -> None:
        """Write what is left (on success) and let go of the session; the caller commits."""
        if ok and self._last is not None:
            statement, params = self._last
            self._last = None
            await self.connection.execute(statement, params)
        if self._session is not None:
            if ok:
                await self._session.flush()
            await self._session.close()


@asynccontextmanager
async def unit_of_work(db: Database) -> AsyncIterator[UnitOfWork]:
    """A unit of work: committed on success, rolled back on any error."""
    async with db.engine.connect() as connection:
        deferred = not db.settings.is_sqlite
        if deferred:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.begin()
        unit = UnitOfWork(connection, deferred_begin=deferred)
        try:
            yield unit
            await unit.finish(ok=True)
        except BaseException:
            await unit.finish(ok=False)
            await connection.rollback()
            raise
        await connection.commit()
