"""`cachly cases import FILE --commune X`: the same validation as in chat."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress

from bot.cases import ImportOutcome, links_file
from bot.catalogue import plain
from bot.catalogue import reasons as catalogue_reasons
from bot.cli.admin import usernames
from bot.cli.base import CommandFailed, open_services
from bot.config import Settings


def cases_import(settings: Settings, args: argparse.Namespace) -> int:
    """Import a case list and write the enrolment links file."""
    language = args.language
    try:
        content = args.file.read_bytes()
    except OSError as exc:
        raise CommandFailed(
            plain(language, "cli.unreadable_file", file=args.file, problem=exc.strerror)
        ) from None

    async def run() -> ImportOutcome:
        async with open_services(settings, language) as services:
            username = await usernames(settings, language)
            with _progress_bar(plain(language, "cli.import_progress")) as progress:
                return await services.cases.import_file(
                    args.file.name,
                    content,
                    bot_username=username,
                    skip_invalid=args.skip_invalid,
                    commune=args.commune,
                    progress=progress,
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


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], Awaitable[None]] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing in a pipe or a log."""
    if not sys.stderr.isatty():
        yield None
        return
    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)

        async def advance(checked: int, total: int) -> None:
            bar.update(task, completed=checked, total=total)

        yield advance
