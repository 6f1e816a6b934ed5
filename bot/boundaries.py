"""Commune boundaries: loading a GeoJSON file into the database and point → commune lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.areas import CommuneView, commune_view
from bot.clock import Clock
from bot.db import Database
from bot.models import Commune
from geofence import CommuneIndex, FeatureError


@dataclass(frozen=True)
class BoundaryLoad:
    """What a boundary file gave: how many communes were stored, and what was skipped."""

    loaded: int
    skipped: tuple[FeatureError, ...]


class BoundaryService:
    """Stores commune boundaries and finds the commune that contains a point."""

    def __init__(self, db: Database, clock: Clock, provinces: tuple[int, ...]) -> None:
        self._db = db
        self._clock = clock
        self._provinces = provinces
        self._index: CommuneIndex | None = None
        self._version: tuple[datetime | None, int] | None = None

    async def load(
        self, feature_collection: dict[str, Any], actor: str = audit.CLI
    ) -> BoundaryLoad:
        """Validate a FeatureCollection whole, then store every good feature's geometry."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            known = set(
                (
                    await session.scalars(
                        select(Commune.code).where(Commune.province_code.in_(self._provinces))
                    )
                ).all()
            )
            index, errors = CommuneIndex.from_geojson(feature_collection, known_codes=known)
            for feature in index.features:
                await session.execute(
                    update(Commune)
                    .where(Commune.code == feature.code)
                    .values(boundary=dict(feature.geometry), boundary_loaded_at=now)
                )
            audit.record(
                session,
                at=now,
                actor=actor,
                action="boundaries.load",
                subject_type="communes",
                subject_id=len(index),
                skipped=len(errors),
            )
        self._version = None
        return BoundaryLoad(loaded=len(index), skipped=tuple(errors))

    async def commune_at(self, lat: float, lon: float) -> CommuneView | None:
        """The served commune whose boundary contains the point, if boundaries are loaded."""
        async with self._db.transaction() as session:
            index = await self.index(session)
            code = index.lookup(lat, lon) if index is not None else None
            return await commune_view(session, code) if code is not None else None

    async def index(self, session: AsyncSession) -> CommuneIndex | None:
        """The served communes' boundaries as an index (None if none are loaded).

        Built once and kept: another process may load boundaries at any time, so a cheap
        version query decides whether the in-memory index is still the database's.
        """
        version_row = (
            await session.execute(
                select(func.max(Commune.boundary_loaded_at), func.count(Commune.boundary)).where(
                    Commune.province_code.in_(self._provinces), Commune.boundary.is_not(None)
                )
            )
        ).one()
        version = (version_row[0], int(version_row[1]))
        if version != self._version:
            rows = (
                await session.execute(
                    select(Commune.code, Commune.boundary).where(
                        Commune.province_code.in_(self._provinces), Commune.boundary.is_not(None)
                    )
                )
            ).all()
            self._index = (
                CommuneIndex.from_features((code, boundary) for code, boundary in rows)
                if rows
                else None
            )
            self._version = version
        return self._index
