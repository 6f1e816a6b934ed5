"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when asked), services."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text, update

from bot.clock import FakeClock
from bot.config import Settings, settings_from_mapping
from bot.db import Database
from bot.fresh import fresh_database
from bot.models import Base, Commune
from bot.services import Services
from tests.harness import Harness, running_bot

# A throwaway database for the suite; every table in it is emptied between tests.
TEST_DATABASE_ENV = "CACHLY_TEST_DATABASE_URL"
KEEP_TABLES = {"provinces", "communes", "alembic_version"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The suite's database, migrated from nothing and seeded with Thanh Hóa once."""
    url = os.environ.get(TEST_DATABASE_ENV) or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'cachly-test.sqlite3'}"
    )
    asyncio.run(_fresh_database(url))
    return url


async def _fresh_database(url: str) -> None:
    db = await fresh_database(make_settings(url), FakeClock())
    await db.dispose()


def make_settings(url: str, **tables: dict[str, object]) -> Settings:
    """Settings for tests: the test database plus any tables given."""
    raw: dict[str, object] = {"deployment": {"provinces": [38]}, **tables}
    return settings_from_mapping(raw, {"CACHLY_DATABASE_URL": url})


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand."""
    return FakeClock()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The migrated database, emptied of everything but the areas."""
    settings = make_settings(database_url)
    database = Database(settings.database)
    await empty_database(database)
    yield database
    await database.dispose()


async def empty_database(database: Database) -> None:
    """Delete every row but the areas (and the commune boundaries)."""
    emptied = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    async with database.transaction() as session:
        if database.settings.is_sqlite:
            # Without AUTOINCREMENT, SQLite numbers rows from 1 again once a table is empty.
            for table in emptied:
                await session.execute(table.delete())
        else:
            names = ", ".join(f'"{t.name}"' for t in emptied)
            await session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await session.execute(update(Commune).values(boundary=None, boundary_loaded_at=None))


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Default settings on the test database."""
    return make_settings(database_url)


@pytest.fixture
def services(settings: Settings, db: Database, clock: FakeClock) -> Services:
    """Every service on the test database and the fake clock."""
    return Services(settings, db, clock)


@pytest.fixture
def tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty working directory (so no cachly.toml is picked up)."""
    monkeypatch.chdir(tmp_path)
    for name in ("CACHLY_CONFIG", "CACHLY_DATABASE_URL", "CACHLY_TELEGRAM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def cli_env(
    tmp_cwd: Path, database_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """For `cachly` commands: a config naming the bot, in English, on the test database."""
    monkeypatch.setenv("CACHLY_DATABASE_URL", database_url)
    config = tmp_cwd / "cachly.toml"
    config.write_text(
        '[telegram]\nbot_username = "cachly_test_bot"\n[deployment]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    return config


@pytest.fixture
async def harness(settings: Settings, db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    """The real bot, polling the Bot API stand-in over HTTP on 127.0.0.1."""
    async with running_bot(settings, db, clock) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line follows the locale; tests set it where they mean to."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
