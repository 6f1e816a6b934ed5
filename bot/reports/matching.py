"""Which of a commune's active cases a report may be about."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Case
from bot.text import fold
from geofence import zone_from_dict


async def match_cases(
    session: AsyncSession,
    commune_code: int,
    location: dict[str, Any] | None,
    text: str,
    distance_m: float,
) -> list[str]:
    """Codes of the commune's active cases whose home is near the location or named in the text."""
    cases = (
        await session.execute(
            select(Case.code, Case.zone, Case.address).where(
                Case.commune_code == commune_code, Case.status == "active"
            )
        )
    ).all()
    folded = fold(text)
    found: list[str] = []
    for code, zone, address in cases:
        near = False
        if location is not None and zone:
            try:
                edge = zone_from_dict(zone).edge_distance_m(location["lat"], location["lon"])
            except (ValueError, KeyError):
                edge = None  # a zone the geofence cannot read matches nothing
            near = edge is not None and edge <= distance_m
        # An address short enough to be a bare number would match any text.
        named = len(fold(address)) >= 6 and fold(address) in folded
        if near or named:
            found.append(code)
    return sorted(found)
