"""Test data made directly in the database, for tests that need a case in a given state."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from bot.db import Database
from bot.models import Case

HAC_THANH = 14797  # Phường Hạc Thành, Thanh Hóa
THANH_HOA = 38
_codes = itertools.count(1)


async def make_case(
    db: Database,
    now: datetime,
    *,
    status: str = "active",
    kind: str = "f1",
    commune_code: int = HAC_THANH,
    chat_id: int | None = None,
    full_name: str = "Nguyễn Văn An",
    phone: str = "+84912345678",
    zone: dict[str, Any] | None = None,
    **columns: Any,
) -> int:
    """Insert a case and return its id; an active case gets a chat and consent by default."""
    number = next(_codes)
    active = status == "active"
    case = Case(
        code=f"T{number:05d}",
        full_name=full_name,
        phone=phone,
        birth_year=1980,
        address="12 Lê Lợi",
        commune_code=commune_code,
        province_code=columns.pop("province_code", THANH_HOA),
        kind=kind,
        start_date=columns.pop("start_date", date(2026, 11, 20)),
        end_date=columns.pop("end_date", date(2026, 11, 20) + timedelta(days=14)),
        status=status,
        language="vi",
        zone=zone,
        home_status="set" if zone else "not_set",
        chat_id=chat_id if chat_id is not None else (900_000 + number if active else None),
        telegram_user_id=chat_id if chat_id is not None else (900_000 + number if active else None),
        consent_at=now if active else None,
        enrolled_at=now if active else None,
        created_at=now,
        updated_at=now,
        **columns,
    )
    async with db.transaction() as session:
        session.add(case)
        await session.flush()
        return case.id
