"""The audit log: every grant, revocation and change, with who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditEntry

SYSTEM = "system"
CLI = "admin:cli"


def officer_actor(officer_id: int) -> str:
    """The actor label of an officer or supervisor."""
    return f"officer:{officer_id}"


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: object,
    **details: Any,
) -> None:
    """Add an audit entry to the current unit of work (no names, phones or coordinates)."""
    session.add(
        AuditEntry(
            at=at,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            details=details,
        )
    )
