"""Periodic ticks on PTB's JobQueue (APScheduler): a few, never one job per case.

Each tick asks a service for the work that is due at the clock's current time; the rows
in the database say what is due, so a restart loses nothing and repeats nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services
    from handlers.context import CachlyApplication, CachlyContext

logger = logging.getLogger(__name__)

# A busy event loop may start a tick late; it still runs, since it only reads what is due.
MISFIRE_GRACE_SECONDS = 30
# Releases happen at a set local time on the end date; a minute late is fine.
CASES_TICK_SECONDS = 60
# Planning a million cases takes a minute or two, so it is a job of its own and the
# check-ins tick never waits for it; a case is re-planned half a horizon before its plan
# ends, so once a minute is plenty.
PLANNING_SECONDS = 60


def register_jobs(application: CachlyApplication) -> None:
    """Schedule every periodic tick."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("PTB's job-queue extra is missing")
    job_kwargs = {"misfire_grace_time": MISFIRE_GRACE_SECONDS, "coalesce": True}
    # The ticks see every province and queue each row for its province's bot: one set of
    # ticks per process, whatever the number of bots (cachly/root.py).
    services: Services = application.bot_data.get("deployment", application.bot_data["services"])
    tick = services.settings.checkins.tick_seconds
    job_queue.run_repeating(
        checkins_tick, interval=tick, first=tick, name="checkins", job_kwargs=job_kwargs
    )
    job_queue.run_repeating(
        planning_tick,
        interval=PLANNING_SECONDS,
        first=1,
        name="planning",
        job_kwargs=job_kwargs,
    )
    job_queue.run_repeating(
        reports_purge_tick, interval=3600, first=60, name="reports.purge", job_kwargs=job_kwargs
    )
    job_queue.run_repeating(
        retention_tick, interval=3600, first=90, name="retention", job_kwargs=job_kwargs
    )
    alert_tick = services.settings.alerts.tick_seconds
    job_queue.run_repeating(
        alerts_tick, interval=alert_tick, first=alert_tick, name="alerts", job_kwargs=job_kwargs
    )
    job_queue.run_repeating(
        digest_tick, interval=60, first=30, name="digest", job_kwargs=job_kwargs
    )
    job_queue.run_repeating(
        cases_tick, interval=CASES_TICK_SECONDS, first=5, name="cases", job_kwargs=job_kwargs
    )


async def checkins_tick(context: CachlyContext) -> None:
    """Plan check-ins ahead, queue due prompts and reminders, close windows as missed."""
    report = await context.deployment.checkins.tick()
    if report != type(report)():
        logger.info("check-ins tick: %s", report)


async def planning_tick(context: CachlyContext) -> None:
    """Plan every case that needs it (the check-ins tick plans only a slice)."""
    planned = await context.services.checkins.plan()
    if planned:
        logger.info("planning: %d check-ins written", planned)


async def reports_purge_tick(context: CachlyContext) -> None:
    """Purge citizen reports (and their reporters' hashes) kept past reports.keep_days."""
    purged = await context.deployment.reports.purge()
    if purged:
        logger.info("reports purge: %d reports", purged)


async def retention_tick(context: CachlyContext) -> None:
    """Purge closed cases' locations and answers, and old messages' texts."""
    purged = await context.deployment.retention.purge()
    if purged.cases or purged.messages_cleared:
        logger.info(
            "retention: %d cases purged, %d messages cleared",
            purged.cases,
            purged.messages_cleared,
        )


async def cases_tick(context: CachlyContext) -> None:
    """Release cases whose end date has come; flag cases never enrolled by the deadline."""
    released = await context.deployment.cases.release_due()
    flagged = await context.deployment.cases.flag_unenrolled()
    if released or flagged:
        logger.info("cases tick: %d released, %d not enrolled in time", released, flagged)


async def alerts_tick(context: CachlyContext) -> None:
    """Escalate unacknowledged alerts past their deadline; raise home-not-set alerts."""
    done = await context.deployment.alerts.tick()
    if done:
        logger.info("alerts tick: %d escalated or raised", done)


async def digest_tick(context: CachlyContext) -> None:
    """Queue the daily digests once the configured local time has passed."""
    if await context.deployment.digests.tick():
        logger.info("daily digests queued")
