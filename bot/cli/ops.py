"""`cachly run`, `cachly db upgrade` and `cachly db backup FILE`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.catalogue import plain
from bot.cli.base import CommandFailed, prepare_database
from bot.config import Settings
from bot.messaging.telegram.transport import get_me
from bot.messaging.transport import PermanentError, TransportError

logger = logging.getLogger("cachly")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run the bot through the composition root's `run_bot`."""
    language = args.language
    bots = [settings.for_bot(bot.key) for bot in settings.all_bots]
    if not all(bot.telegram.token for bot in bots):
        raise CommandFailed(plain(language, "admin.no_token"))
    if len(bots) > 1 and settings.telegram.mode == "webhook":
        raise CommandFailed(plain(language, "cli.bots_webhook"))
    # The embedded database upgrades itself so a newcomer needs no extra step; a shared
    # PostgreSQL is migrated on purpose, by `cachly db upgrade`.
    asyncio.run(prepare_database(settings, language, upgrade=settings.database.is_sqlite))
    # Ask Telegram once ourselves first: PTB's own start-up would log a traceback (with the
    # token in the error text) before the one line an admin needs.
    for bot in bots:
        asyncio.run(check_token(bot, language))
    if not settings.reports.enabled:
        logger.warning("reports.secret is not set: /report is switched off")
    if args.run_bot is None:
        raise CommandFailed(plain(language, "cli.no_runner"))
    if getattr(args, "port", None):
        # One configuration for every worker; each is started on its own port.
        settings = replace(settings, telegram=replace(settings.telegram, webhook_port=args.port))
    args.run_bot(settings)
    return 0


def web(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the web desk through the composition root's `run_web` (Telegram not needed)."""
    language = args.language
    asyncio.run(prepare_database(settings, language, upgrade=settings.database.is_sqlite))
    if not settings.web.secret:
        logger.warning("web.secret is not set: sessions end when the desk restarts")
    if args.run_web is None:
        raise CommandFailed(plain(language, "cli.no_runner"))
    args.run_web(settings, args.host or settings.web.host, args.port or settings.web.port)
    return 0


async def check_token(settings: Settings, language: str) -> None:
    """Fail with one line (without the token) when Telegram refuses it or cannot be reached."""
    try:
        await get_me(settings)
    except PermanentError:
        raise CommandFailed(plain(language, "admin.telegram_refused_token")) from None
    except TransportError as exc:
        problem = str(exc).replace(settings.telegram.token, "…")
        raise CommandFailed(
            plain(language, "admin.telegram_unreachable", problem=problem)
        ) from None


def db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    """Apply the migrations and seed the areas."""
    asyncio.run(prepare_database(settings, args.language, upgrade=True))
    print(plain(args.language, "cli.db_up_to_date"))
    return 0


def sqlite_path(settings: Settings) -> Path:
    """The embedded database's file (relative to the working directory, as the engine opens it)."""
    return Path(make_url(settings.database.url).database or "")


def db_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Copy the live SQLite database safely, or say how to back up PostgreSQL."""
    language = args.language
    if not settings.database.is_sqlite:
        raise CommandFailed(plain(language, "cli.backup_postgres", file=args.file))
    source, target = sqlite_path(settings), Path(args.file)
    if not source.is_file():
        raise CommandFailed(plain(language, "admin.file_not_found", file=source))
    if target.exists():
        raise CommandFailed(plain(language, "cli.backup_exists", file=target))
    copy_sqlite(source, target)
    size = target.stat().st_size
    print(plain(language, "cli.backup_done", source=source, file=target, size=size))
    return 0


def copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: one consistent snapshot while other connections keep writing."""
    # One step (pages=-1) reads the whole database in one read transaction: in WAL mode the
    # writers go on, and the copy is the database as it was when the step began.
    live = sqlite3.connect(source, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        live.close()
