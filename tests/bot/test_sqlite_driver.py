"""The SQLite adapter: a statement is one hand-off to aiosqlite's thread, and behaves as before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, exc, insert, select, update

from bot import sqlite_driver
from bot.config import DatabaseSettings
from bot.db import Database

METADATA = MetaData()
PEOPLE = Table(
    "people",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A small SQLite database of its own (the adapter is SQLite-only)."""
    db = Database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}"))
    async with db.engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    yield db
    await db.dispose()


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Counts the functions queued on aiosqlite's worker thread."""
    count = 0
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return await original(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)

    def read() -> int:
        nonlocal count
        seen, count = count, 0
        return seen

    return read


def test_the_default_database_uses_the_adapter(database: Database) -> None:
    assert sqlite_driver.available()
    assert database.engine.url.drivername == f"sqlite+{sqlite_driver.DRIVER}"
    assert database.engine.dialect.name == "sqlite"


async def test_a_write_and_its_commit_take_one_hand_off_each(
    database: Database, hand_offs: Callable[[], int]
) -> None:
    async with database.engine.connect() as connection:  # checked out before counting
        hand_offs()
        async with connection.begin():
            await connection.execute(insert(PEOPLE).values(name="Lan"))
            rows = (await connection.execute(select(PEOPLE.c.name))).all()
        # INSERT, SELECT, COMMIT; no cursor creation or closing of their own.
        assert hand_offs() == 3
        assert [tuple(row) for row in rows] == [("Lan",)]
        async with connection.begin():
            await connection.execute(select(PEOPLE.c.id))
        # A read opens no transaction in sqlite3, so there is nothing to commit.
        assert hand_offs() == 1


async def test_rowcount_returning_and_executemany_are_reported(database: Database) -> None:
    async with database.transaction() as session:
        result = await session.execute(
            insert(PEOPLE).returning(PEOPLE.c.id), [{"name": "An"}, {"name": "Bình"}]
        )
        assert sorted(result.scalars().all()) == [1, 2]
        await session.execute(insert(PEOPLE), [{"name": "Chi"}, {"name": "Dũng"}])
        renamed = update(PEOPLE).where(PEOPLE.c.id > 1).values(name=PEOPLE.c.name + "!")
        changed = await session.execute(renamed)
        assert changed.rowcount == 3  # type: ignore[attr-defined]
        await session.rollback()
    async with database.transaction() as session:
        assert list(await session.scalars(select(PEOPLE.c.name))) == []


async def test_a_failed_statement_rolls_back_and_the_connection_stays_usable(
    database: Database,
) -> None:
    async def twice() -> None:
        async with database.transaction() as session:
            await session.execute(insert(PEOPLE).values(name="Lan"))
            await session.execute(insert(PEOPLE).values(name="Lan"))

    with pytest.raises(exc.IntegrityError):
        await twice()
    async with database.transaction() as session:
        assert list(await session.scalars(select(PEOPLE.c.name))) == []
        await session.execute(insert(PEOPLE).values(name="Lan"))
    async with database.transaction() as session:
        assert list(await session.scalars(select(PEOPLE.c.name))) == ["Lan"]


async def test_rows_are_streamed_in_order_and_partly_read_results_are_dropped(
    database: Database,
) -> None:
    async with database.transaction() as session:
        await session.execute(insert(PEOPLE), [{"name": f"P{n:03d}"} for n in range(300)])
    async with database.engine.connect() as connection:
        result = await connection.execute(select(PEOPLE.c.name).order_by(PEOPLE.c.name))
        assert result.fetchone() == ("P000",)
        result.close()
        streamed = await connection.stream(select(PEOPLE.c.name).order_by(PEOPLE.c.name))
        names = [row.name async for row in streamed]
    assert names == [f"P{n:03d}" for n in range(300)]
