"""Periodic ticks on PTB's JobQueue (APScheduler): a few, never one job per case.

Each tick asks a service for the work that is due at the clock's current time; the rows
in the database say what is due, so a restart loses nothing and repeats nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import CachlyApplication

# A busy event loop may start a tick late; it still runs, since it only reads what is due.
MISFIRE_GRACE_SECONDS = 30


def register_jobs(application: CachlyApplication) -> None:
    """Schedule every periodic tick."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("PTB's job-queue extra is missing")
    job_kwargs = {"misfire_grace_time": MISFIRE_GRACE_SECONDS, "coalesce": True}
    del job_kwargs  # used by the ticks the domain modules add below
