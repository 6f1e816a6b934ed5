"""`cachly doctor`: is this deployment healthy? One line per check, non-zero on a failure."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.catalogue import plain
from bot.cli.base import schema_revisions
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database
from bot.messaging.status import outbox_status
from bot.messaging.telegram.transport import HttpTransport
from bot.messaging.transport import PermanentError, TransportError
from bot.messaging.zalo.usage import zns_usage
from bot.text import whole_number

# A message due this long ago and still not sent means the sender is stuck or not running.
STUCK_AFTER = timedelta(minutes=10)
# The Zalo template messages (each paid) are summed over this many days.
ZNS_DAYS = 30


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    ok: bool
    name: str
    detail: str


def doctor(settings: Settings, args: argparse.Namespace) -> int:
    """Run every check, print one line each, exit 1 if any failed."""
    checks = asyncio.run(run_checks(settings, args.language))
    for check in checks:
        print(f"{'✓' if check.ok else '✗'} {check.name}: {check.detail}")
    return 0 if all(check.ok for check in checks) else 1


async def run_checks(settings: Settings, language: str) -> list[Check]:
    """The configuration (it loaded), the database, the token, the webhook, the outbox."""
    checks = [Check(True, plain(language, "doctor.config"), plain(language, "doctor.config_ok"))]
    checks.extend(await _database_checks(settings, language))
    bots = settings.all_bots
    for bot in bots:
        found = await _telegram_checks(settings.for_bot(bot.key), language)
        if len(bots) > 1:
            # Several bots: each line says whose it is.
            found = [Check(c.ok, f"{c.name} [{bot.key}]", c.detail) for c in found]
        checks.extend(found)
    return checks


async def _database_checks(settings: Settings, language: str) -> list[Check]:
    name = plain(language, "doctor.database")
    db = Database(settings.database)
    try:
        try:
            current, head = await schema_revisions(db)
        except Exception as exc:
            problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return [
                Check(False, name, plain(language, "doctor.database_unreachable", problem=problem))
            ]
        if current != head:
            detail = plain(language, "doctor.schema_behind", current=current or "–", head=head)
            return [Check(False, name, detail)]
        checks = [Check(True, name, plain(language, "doctor.schema_ok", head=head))]
        now = SystemClock().now()
        async with db.transaction() as session:
            status = await outbox_status(session, now)
            usage = await zns_usage(session, now - timedelta(days=ZNS_DAYS))
        checks.append(_outbox_check(status, language, now))
        if settings.zalo.enabled:
            detail = plain(
                language,
                "doctor.zns_usage",
                days=ZNS_DAYS,
                sent=usage.sent,
                delivered=usage.delivered,
                cost=whole_number(language, usage.cost_vnd),
            )
            checks.append(Check(True, plain(language, "doctor.zns"), detail))
        return checks
    finally:
        await db.dispose()


def _outbox_check(status: Any, language: str, now: datetime) -> Check:
    name = plain(language, "doctor.outbox")
    counts = plain(
        language,
        "doctor.outbox_counts",
        due=status.pending_due,
        later=status.pending_later,
        sending=status.sending,
        failed=status.failed,
    )
    oldest = status.oldest_waiting
    if oldest is None:
        return Check(True, name, counts)
    # Waiting counts from when the row became due: a scheduled or backed-off row is not late.
    due_at = max(_aware(oldest.created_at), _aware(oldest.not_before))
    waited = max(timedelta(0), now - due_at)
    detail = plain(
        language,
        "doctor.outbox_oldest",
        counts=counts,
        id=oldest.id,
        purpose=oldest.purpose,
        minutes=int(waited.total_seconds() // 60),
    )
    return Check(waited < STUCK_AFTER, name, detail)


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive UTC datetimes back.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _telegram_checks(settings: Settings, language: str) -> list[Check]:
    token_name = plain(language, "doctor.token")
    if not settings.telegram.token:
        return [Check(False, token_name, plain(language, "doctor.no_token"))]
    transport = HttpTransport(
        settings.telegram.token, base_url=settings.telegram.base_url, timeout=30.0
    )
    await transport.initialize()
    try:
        try:
            me = await transport.call("getMe", {})
        except PermanentError:
            return [Check(False, token_name, plain(language, "admin.telegram_refused_token"))]
        except TransportError as exc:
            problem = str(exc).replace(settings.telegram.token, "…")
            detail = plain(language, "admin.telegram_unreachable", problem=problem)
            return [Check(False, token_name, detail)]
        checks = [Check(True, token_name, f"@{me.get('username', '')}")]
        info = await transport.call("getWebhookInfo", {})
        checks.append(_webhook_check(settings, info, language))
        return checks
    finally:
        await transport.shutdown()


def _webhook_check(settings: Settings, info: dict[str, Any], language: str) -> Check:
    name = plain(language, "doctor.webhook")
    url = str(info.get("url") or "")
    pending = int(info.get("pending_update_count") or 0)
    error = info.get("last_error_message")
    if settings.telegram.mode == "polling":
        if url:
            return Check(False, name, plain(language, "doctor.webhook_blocks_polling", url=url))
        return Check(True, name, plain(language, "doctor.polling", pending=pending))
    if url != settings.telegram.webhook_url:
        shown = url or "–"
        detail = plain(
            language, "doctor.webhook_other", url=shown, wanted=settings.telegram.webhook_url
        )
        return Check(False, name, detail)
    if error:
        when = info.get("last_error_date")
        at = (
            datetime.fromtimestamp(int(when), UTC).astimezone(settings.schedule.tz)
            if when
            else None
        )
        stamp = at.strftime("%d/%m %H:%M") if at else "–"
        detail = plain(language, "doctor.webhook_error", error=error, at=stamp, pending=pending)
        return Check(False, name, detail)
    return Check(True, name, plain(language, "doctor.webhook_ok", url=url, pending=pending))
