"""The `cachly` command line: run the bot, migrate the database, administer officers."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot import logs
from bot.catalogue import plain
from bot.catalogue import reasons as catalogue_reasons
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.db import Database, alembic_config
from bot.errors import UserError
from bot.messaging.telegram.transport import get_me
from bot.messaging.transport import PermanentError, TransportError
from bot.services import Services

logger = logging.getLogger("cachly")


class CommandFailed(Exception):
    """A command could not do its job; the message is the one line the admin reads."""


def main(
    argv: Sequence[str] | None = None, *, run_bot: Callable[[Settings], None] | None = None
) -> int:
    """The `cachly` command line; `run_bot` is how the composition root runs the bot."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    configure_logging(args.verbose)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"cachly: {exc}", file=sys.stderr)
        return 2
    language = settings.deployment.language
    args.run_bot = run_bot
    try:
        return int(args.handler(settings, args) or 0)
    except CommandFailed as exc:
        print(f"cachly: {exc}", file=sys.stderr)
        return 1
    except UserError as exc:
        print(f"cachly: {plain(language, exc.key, **exc.params)}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        # One line, and no statement parameters (the engine hides them): they are personal.
        problem = str(exc).splitlines()[0]
        print(
            f"cachly: {plain(language, 'admin.database_error', problem=problem)}", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        return 130


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr: ids, counts and kinds only, from us and every library (`bot.logs`)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # -v makes our own modules tell each update's kind and ids; libraries stay held.
    logs.hold_libraries()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachly", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML config file (default: cachly.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(title="commands")

    run = commands.add_parser("run", help="run the bot")
    run.set_defaults(handler=_cmd_run)

    db = commands.add_parser("db", help="database").add_subparsers(title="db commands")
    upgrade = db.add_parser("upgrade", help="apply migrations and seed the areas")
    upgrade.set_defaults(handler=_cmd_db_upgrade)

    admin = commands.add_parser("admin", help="officers and supervisors").add_subparsers(
        title="admin commands"
    )
    invite = admin.add_parser("invite", help="print a one-time link for a new officer")
    invite.add_argument("--role", choices=("officer", "supervisor"), default="officer")
    area = invite.add_mutually_exclusive_group(required=True)
    area.add_argument("--commune", help="commune code or name (officer)")
    area.add_argument("--province", help="province code or name (supervisor)")
    invite.set_defaults(handler=_cmd_admin_invite)

    listing = admin.add_parser("list", help="list officers, supervisors and invitations")
    listing.set_defaults(handler=_cmd_admin_list)

    revoke = admin.add_parser("revoke", help="revoke an officer or an unused invitation")
    target = revoke.add_mutually_exclusive_group(required=True)
    target.add_argument("--officer", type=int, metavar="ID")
    target.add_argument("--invitation", type=int, metavar="ID")
    revoke.set_defaults(handler=_cmd_admin_revoke)

    boundaries = admin.add_parser("load-boundaries", help="load commune boundaries (GeoJSON)")
    boundaries.add_argument("file", type=Path, help="a GeoJSON FeatureCollection")
    boundaries.set_defaults(handler=_cmd_admin_load_boundaries)

    outbox = admin.add_parser("outbox", help="pending, failed and the oldest waiting messages")
    outbox.set_defaults(handler=_cmd_admin_outbox)
    cases = commands.add_parser("cases", help="cases").add_subparsers(title="cases commands")
    importing = cases.add_parser("import", help="import cases from a CSV or XLSX file")
    importing.add_argument("file", type=Path, help="CSV or XLSX with Vietnamese or English headers")
    importing.add_argument("--commune", required=True, help="commune code or name")
    importing.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows of a file with errors"
    )
    importing.add_argument(
        "--links", type=Path, help="CSV of enrolment links to write (default: FILE-links.csv)"
    )
    importing.set_defaults(handler=_cmd_cases_import)
    return parser


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Services for one command: the embedded database migrated first, disposed after."""
    await prepare_database(settings, upgrade=settings.database.is_sqlite)
    services = Services(settings, Database(settings.database), SystemClock())
    try:
        yield services
    finally:
        await services.db.dispose()


async def prepare_database(settings: Settings, *, upgrade: bool) -> None:
    """Migrate (or check the schema is current) and seed the configured areas."""
    db = Database(settings.database)
    try:
        if upgrade:
            async with db.engine.connect() as connection:
                before = await connection.run_sync(_current_revision)
            await db.upgrade()
            async with db.engine.connect() as connection:
                after = await connection.run_sync(_current_revision)
            if after != before:
                logger.info("database schema upgraded from %s to %s", before or "nothing", after)
        else:
            async with db.engine.connect() as connection:
                current = await connection.run_sync(_current_revision)
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            if current != head:
                raise CommandFailed(
                    f"the database schema is at {current or 'nothing'}, not {head}: "
                    "run 'cachly db upgrade' first"
                )
        services = Services(settings, db, SystemClock())
        result = await services.areas.seed()
        if result.communes_added:
            logger.info(
                "areas ready: %d communes (%d added)", result.communes_total, result.communes_added
            )
    finally:
        await db.dispose()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.telegram.token:
        raise CommandFailed(plain(settings.deployment.language, "admin.no_token"))
    # The embedded database upgrades itself so a newcomer needs no extra step; a shared
    # PostgreSQL is migrated on purpose, by `cachly db upgrade`.
    asyncio.run(prepare_database(settings, upgrade=settings.database.is_sqlite))
    # Ask Telegram once ourselves first: PTB's own start-up would log a traceback (with the
    # token in the error text) before the one line an admin needs.
    asyncio.run(_check_token(settings))
    if not settings.reports.enabled:
        logger.warning("reports.secret is not set: /report is switched off")
    if args.run_bot is None:
        raise CommandFailed("this entry point cannot run the bot: use the `cachly` command")
    args.run_bot(settings)
    return 0


async def _check_token(settings: Settings) -> None:
    language = settings.deployment.language
    try:
        await get_me(settings)
    except PermanentError:
        raise CommandFailed(plain(language, "admin.telegram_refused_token")) from None
    except TransportError as exc:
        problem = str(exc).replace(settings.telegram.token, "…")
        raise CommandFailed(
            plain(language, "admin.telegram_unreachable", problem=problem)
        ) from None


def _cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    asyncio.run(prepare_database(settings, upgrade=True))
    print("database is up to date")
    return 0


def _cmd_admin_invite(settings: Settings, args: argparse.Namespace) -> int:
    language = settings.deployment.language

    async def invite() -> str:
        async with open_services(settings) as services:
            username = settings.telegram.bot_username or await _bot_username(settings)
            issued = await services.officers.invite(
                args.role, args.commune or args.province, username
            )
        area = issued.commune_name or issued.province_name
        expires = issued.expires_at.astimezone(settings.schedule.tz).strftime("%d/%m/%Y %H:%M")
        role = plain(language, f"role.{issued.role}")
        header = plain(language, "admin.invited", role=role, area=area, expires=expires)
        return f"{header}\n{issued.link}"

    print(asyncio.run(invite()))
    return 0


async def _bot_username(settings: Settings) -> str:
    if not settings.telegram.token:
        raise CommandFailed(plain(settings.deployment.language, "admin.no_username"))
    try:
        me = await get_me(settings)
    except TransportError:
        raise CommandFailed(plain(settings.deployment.language, "admin.no_username")) from None
    return str(me.get("username") or "")


def _cmd_admin_list(settings: Settings, _args: argparse.Namespace) -> int:
    language = settings.deployment.language
    tz = settings.schedule.tz

    async def listing() -> list[str]:
        async with open_services(settings) as services:
            officers = await services.officers.officers()
            invitations = await services.officers.invitations()
        lines = [plain(language, "admin.officers_header")]
        for o in officers:
            state = plain(language, "admin.status.revoked" if o.revoked else "admin.status.active")
            area = o.commune_name or o.province_name
            role = plain(language, f"role.{o.role}")
            lines.append(f"  #{o.id}  {role:<14} {state:<16} {area}  tg:{o.telegram_user_id}")
        if not officers:
            lines.append(plain(language, "admin.none"))
        lines.append(plain(language, "admin.invitations_header"))
        for i in invitations:
            expires = i.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
            area = i.commune_name or i.province_name
            role = plain(language, f"role.{i.role}")
            state = plain(language, f"admin.status.{i.status}")
            lines.append(f"  #{i.id}  {role:<14} {state:<16} {area}  {expires}")
        if not invitations:
            lines.append(plain(language, "admin.none"))
        return lines

    print("\n".join(asyncio.run(listing())))
    return 0


def _cmd_admin_revoke(settings: Settings, args: argparse.Namespace) -> int:
    language = settings.deployment.language

    async def revoke() -> str:
        async with open_services(settings) as services:
            if args.officer is not None:
                await services.officers.revoke_officer(args.officer)
                return plain(language, "admin.revoked_officer", id=args.officer)
            await services.officers.revoke_invitation(args.invitation)
            return plain(language, "admin.revoked_invitation", id=args.invitation)

    print(asyncio.run(revoke()))
    return 0


def _cmd_admin_load_boundaries(settings: Settings, args: argparse.Namespace) -> int:
    language = settings.deployment.language
    try:
        data = json.loads(args.file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CommandFailed(plain(language, "admin.file_not_found", file=args.file)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandFailed(plain(language, "admin.bad_geojson", problem=exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise CommandFailed(plain(language, "admin.bad_geojson", problem="no FeatureCollection"))

    async def load() -> list[str]:
        async with open_services(settings) as services:
            result = await services.boundaries.load(data)
        lines = [
            plain(language, "admin.boundary_skipped", index=e.index, reason=e.detail)
            for e in result.skipped
        ]
        lines.append(plain(language, "admin.boundaries_loaded", count=result.loaded))
        return lines

    print("\n".join(asyncio.run(load())))
    return 0


def _cmd_admin_outbox(settings: Settings, _args: argparse.Namespace) -> int:
    language = settings.deployment.language
    tz = settings.schedule.tz

    async def status() -> list[str]:
        async with open_services(settings) as services:
            found = await services.outbox.status()
        lines = [
            plain(
                language,
                "admin.outbox.counts",
                due=found.pending_due,
                later=found.pending_later,
                sending=found.sending,
                sent=found.sent,
                failed=found.failed,
            ),
            plain(
                language,
                "admin.outbox.attempts",
                attempts=found.attempts,
                retried=found.retried_rows,
            ),
        ]
        rows = [found.oldest_waiting] if found.oldest_waiting else []
        for header, group in (
            ("admin.outbox.oldest", rows),
            ("admin.outbox.failures", found.recent_failures),
        ):
            if not group:
                continue
            lines.append(plain(language, header))
            for row in group:
                created = row.created_at.astimezone(tz).strftime("%d/%m %H:%M:%S")
                lines.append(
                    f"  #{row.id}  {row.state:<8} p{row.priority:<3} {row.purpose:<12} "
                    f"{row.kind:<16} chat:{row.chat_id}  {created}  "
                    f"{plain(language, 'admin.outbox.tries', attempts=row.attempts)}"
                    + (f"  {row.last_error}" if row.last_error else "")
                )
        return lines

    print("\n".join(asyncio.run(status())))
    return 0


def _cmd_cases_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cases import ImportOutcome, links_file

    language = settings.deployment.language
    try:
        content = args.file.read_bytes()
    except OSError as exc:
        raise CommandFailed(f"{args.file}: {exc.strerror}") from None

    async def run() -> ImportOutcome:
        async with open_services(settings) as services:
            username = settings.telegram.bot_username or await _bot_username(settings)
            return await services.cases.import_file(
                args.file.name,
                content,
                bot_username=username,
                skip_invalid=args.skip_invalid,
                commune=args.commune,
            )

    outcome = asyncio.run(run())
    if outcome.problems:
        total, count = outcome.total_rows, len(outcome.problems)
        print(plain(language, "import.cli_problems", total=total, count=count))
        for row in outcome.problems:
            reasons = catalogue_reasons(language, ((p.key, dict(p.params)) for p in row.problems))
            print(plain(language, "import.problem_line", row=row.row, reasons=reasons))
    if not outcome.imported:
        if outcome.valid_rows:
            print(plain(language, "import.cli_nothing", valid=outcome.valid_rows))
        return 1
    links = args.links or args.file.with_name(f"{args.file.stem}-links.csv")
    links.write_bytes(links_file(outcome.created, settings.schedule.tz))
    count, commune = len(outcome.created), outcome.commune_name
    print(plain(language, "import.cli_done", count=count, commune=commune, path=links))
    return 0


if __name__ == "__main__":
    sys.exit(main())
