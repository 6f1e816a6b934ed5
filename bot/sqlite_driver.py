"""SQLite through aiosqlite with one thread hand-off per statement.

aiosqlite runs every sqlite3 call on its own worker thread, and SQLAlchemy's adapter makes
one call per cursor operation: create the cursor, execute, fetch the rows, close. Each is a
hand-off to the thread and a wake-up of the event loop, and those hand-offs were most of
the CPU of a location check-in. This adapter does the four in one function on the worker
thread, so a statement costs one hand-off. Everything else (pooling, transactions, errors,
server-side cursors) is SQLAlchemy's aiosqlite dialect, unchanged.

It reaches into two internals: aiosqlite's ``Connection._execute`` (queue a function on
the worker thread; SQLAlchemy's own adapter uses the same queue) and the slots of
SQLAlchemy's adapted cursor. ``available()`` checks the first; the SQLite suite covers
both, and without ``_execute`` the stock dialect is used.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT

DRIVER = "cachly_aiosqlite"


class _NoStatement:
    """What a cursor reports before its first statement (DB-API defaults)."""

    description = None
    rowcount = -1
    lastrowid = None
    arraysize = 1


def _run(
    connection: aiosqlite.Connection, operation: str, parameters: Any
) -> tuple[sqlite3.Cursor, list[Any] | None]:
    # On the worker thread: execute, fetch everything and close, in one go.
    cursor = connection._conn.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else None
    finally:
        cursor.close()
    return cursor, rows


def _run_many(connection: aiosqlite.Connection, operation: str, parameters: Any) -> sqlite3.Cursor:
    cursor = connection._conn.cursor()
    try:
        cursor.executemany(operation, parameters)
    finally:
        cursor.close()
    return cursor


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statements each take one hand-off to the worker thread.

    After a statement it holds the closed sqlite3 cursor, whose description, rowcount and
    lastrowid stay readable, and the rows already fetched.
    """

    __slots__ = ()

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No hand-off here: the sqlite3 cursor is made with the first statement.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _NoStatement()  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            cursor, rows = await self._connection._execute(
                _run, self._connection, operation, parameters
            )
        self._cursor = cursor
        self._rows = collections.deque(rows or ())
        return cursor

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            self._cursor = await self._connection._execute(
                _run_many, self._connection, operation, seq_of_parameters
            )
        return self._cursor

    async def _async_soft_close(self) -> None:
        """Nothing to close: the sqlite3 cursor was closed on the worker thread."""

    def close(self) -> None:
        """Drop any rows not read; the sqlite3 cursor is already closed."""
        self._rows.clear()


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor  # type: ignore[assignment]

    def _idle(self) -> bool:
        # sqlite3 opens a transaction only before the first write, so a read-only unit of
        # work, and the pool's reset after a commit, have nothing to end: no hand-off then.
        # Reading the flag from this thread is safe: the connection is checked out to us
        # and no statement of ours is running on the worker thread.
        raw = self._connection._connection
        return raw is not None and not raw.in_transaction

    def rollback(self) -> None:
        """Roll back, unless no transaction is open."""
        if not self._idle():
            super().rollback()

    def commit(self) -> None:
        """Commit, unless no transaction is open."""
        if not self._idle():
            super().commit()


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        stock = super().connect(*arg, **kw)
        return _Connection(self, stock._connection)


class Dialect(SQLiteDialect_aiosqlite):
    """SQLAlchemy's aiosqlite dialect with the one-hand-off cursor."""

    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> _DBAPI:
        """The aiosqlite module, adapted as SQLAlchemy does, with our connection class."""
        return _DBAPI(aiosqlite, sqlite3)


def available() -> bool:
    """Whether the installed aiosqlite still has the internal this adapter relies on."""
    return callable(getattr(aiosqlite.Connection, "_execute", None))


registry.register(f"sqlite.{DRIVER}", __name__, "Dialect")
