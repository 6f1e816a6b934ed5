"""The `cachly` command line: run the bot, migrate the database, administer officers."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from sqlalchemy.exc import SQLAlchemyError

from bot import logs
from bot.catalogue import LANGUAGES, plain
from bot.cli import admin, cases, doctor, ops, webhook
from bot.cli.base import CommandFailed
from bot.cli.language import cli_language
from bot.config import ConfigError, Settings, load_settings
from bot.errors import UserError

__all__ = ["CommandFailed", "configure_logging", "main"]


def main(
    argv: Sequence[str] | None = None,
    *,
    run_bot: Callable[[Settings], None] | None = None,
    run_web: Callable[[Settings, str, int], None] | None = None,
) -> int:
    """The `cachly` command line; `run_bot` and `run_web` are how the root runs them."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    configure_logging(args.verbose)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        language = cli_language(args.lang, os.environ, "vi")
        if args.handler is doctor.doctor:
            print(f"✗ {plain(language, 'doctor.config')}: {exc}")
            return 1
        print(f"cachly: {exc}", file=sys.stderr)
        return 2
    args.language = language = cli_language(args.lang, os.environ, settings.deployment.language)
    args.run_bot = run_bot
    args.run_web = run_web
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
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the output (default: the locale, then deployment.language)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(title="commands")

    run = commands.add_parser("run", help="run the bot")
    run.add_argument(
        "--port", type=int, help="webhook mode: this worker's port (default: telegram.webhook_port)"
    )
    run.set_defaults(handler=ops.run)
    web = commands.add_parser("web", help="serve the web desk and the public page")
    web.add_argument("--host", help="address to listen on (default: web.host)")
    web.add_argument("--port", type=int, help="port to listen on (default: web.port)")
    web.set_defaults(handler=ops.web)
    commands.add_parser(
        "doctor", help="check configuration, database, token, webhook and outbox"
    ).set_defaults(handler=doctor.doctor)
    _db_commands(commands)
    _admin_commands(commands)
    _webhook_commands(commands)
    _cases_commands(commands)
    return parser


Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _db_commands(commands: Commands) -> None:
    db = commands.add_parser("db", help="database").add_subparsers(title="db commands")
    upgrade = db.add_parser("upgrade", help="apply migrations and seed the areas")
    upgrade.set_defaults(handler=ops.db_upgrade)
    backup = db.add_parser("backup", help="copy the live SQLite database safely")
    backup.add_argument("file", type=Path, help="the copy to write (must not exist)")
    backup.set_defaults(handler=ops.db_backup)


def _admin_commands(commands: Commands) -> None:
    admins = commands.add_parser("admin", help="officers and supervisors").add_subparsers(
        title="admin commands"
    )
    invite = admins.add_parser("invite", help="print a one-time link for a new officer")
    invite.add_argument("--role", choices=("officer", "supervisor"), default="officer")
    area = invite.add_mutually_exclusive_group(required=True)
    area.add_argument("--commune", help="commune code or name (officer)")
    area.add_argument("--province", help="province code or name (supervisor)")
    invite.set_defaults(handler=admin.admin_invite)

    listing = admins.add_parser("list", help="list officers, supervisors and invitations")
    listing.set_defaults(handler=admin.admin_list)

    revoke = admins.add_parser("revoke", help="revoke an officer or an unused invitation")
    target = revoke.add_mutually_exclusive_group(required=True)
    target.add_argument("--officer", type=int, metavar="ID")
    target.add_argument("--invitation", type=int, metavar="ID")
    revoke.set_defaults(handler=admin.admin_revoke)

    boundaries = admins.add_parser("load-boundaries", help="load commune boundaries (GeoJSON)")
    boundaries.add_argument("file", type=Path, help="a GeoJSON FeatureCollection")
    boundaries.set_defaults(handler=admin.admin_load_boundaries)

    outbox = admins.add_parser("outbox", help="pending, failed and the oldest waiting messages")
    outbox.set_defaults(handler=admin.admin_outbox)


def _webhook_commands(commands: Commands) -> None:
    hooks = commands.add_parser("webhook", help="register each bot's webhook with Telegram")
    group = hooks.add_subparsers(title="webhook commands")
    group.add_parser("set", help="register each bot's URL and secret").set_defaults(
        handler=webhook.webhook_set
    )
    group.add_parser("info", help="what Telegram has for each bot").set_defaults(
        handler=webhook.webhook_info
    )
    group.add_parser("delete", help="remove each bot's webhook").set_defaults(
        handler=webhook.webhook_delete
    )


def _cases_commands(commands: Commands) -> None:
    group = commands.add_parser("cases", help="cases").add_subparsers(title="cases commands")
    importing = group.add_parser("import", help="import cases from a CSV or XLSX file")
    importing.add_argument("file", type=Path, help="CSV or XLSX with Vietnamese or English headers")
    importing.add_argument("--commune", required=True, help="commune code or name")
    importing.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows of a file with errors"
    )
    importing.add_argument(
        "--links", type=Path, help="CSV of enrolment links to write (default: FILE-links.csv)"
    )
    importing.set_defaults(handler=cases.cases_import)


if __name__ == "__main__":
    sys.exit(main())
