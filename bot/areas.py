"""Provinces and communes: seeding from the official list and forgiving search."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vietnam_provinces import Province as OfficialProvince
from vietnam_provinces import Ward as OfficialWard

from bot.db import Database
from bot.models import Commune, Province
from bot.text import bare_name, fold


@dataclass(frozen=True)
class CommuneView:
    """A commune as shown to users."""

    code: int
    name: str
    province_code: int
    province_name: str


@dataclass(frozen=True)
class SeedResult:
    """What a seeding run changed."""

    provinces_added: int
    communes_added: int
    communes_total: int


class AreaService:
    """Seeds and finds provinces and communes."""

    def __init__(self, db: Database, provinces: tuple[int, ...]) -> None:
        self._db = db
        self._provinces = provinces

    async def seed(self) -> SeedResult:
        """Insert the configured provinces and their communes; running it again adds nothing."""
        async with self._db.transaction() as session:
            known_provinces = set((await session.scalars(select(Province.code))).all())
            known_communes = set((await session.scalars(select(Commune.code))).all())
            provinces_added = communes_added = 0
            for code in self._provinces:
                official = OfficialProvince.from_code(code)  # type: ignore[arg-type]
                if code not in known_provinces:
                    session.add(
                        Province(
                            code=code,
                            name=official.name,
                            codename=official.codename,
                            division_type=official.division_type.value,
                        )
                    )
                    provinces_added += 1
                # Provinces must exist before their communes reference them.
                await session.flush()
                for ward in OfficialWard.iter_by_province(official.code):
                    if int(ward.code) in known_communes:
                        continue
                    session.add(
                        Commune(
                            code=int(ward.code),
                            province_code=code,
                            name=ward.name,
                            codename=ward.codename,
                            division_type=ward.division_type.value,
                            folded_name=fold(ward.name),
                        )
                    )
                    communes_added += 1
            await session.flush()
            total = len((await session.scalars(select(Commune.code))).all())
        return SeedResult(provinces_added, communes_added, total)

    async def find_communes(self, query: str, limit: int = 8) -> list[CommuneView]:
        """Communes of this deployment whose code or name matches, best first."""
        async with self._db.transaction() as session:
            return await find_communes(session, query, self._provinces, limit)

    async def commune(self, query: str) -> CommuneView | None:
        """The one commune a code or an exact (folded) name designates, if any."""
        async with self._db.transaction() as session:
            return await resolve_commune(session, query, self._provinces)

    async def province(self, query: str) -> tuple[int, str] | None:
        """The served province a code or a name designates, if any."""
        async with self._db.transaction() as session:
            return await resolve_province(session, query, self._provinces)


async def find_communes(
    session: AsyncSession, query: str, provinces: tuple[int, ...], limit: int = 8
) -> list[CommuneView]:
    """Search communes by code or by name, ignoring diacritics and case."""
    text = query.strip()
    statement = (
        select(Commune, Province.name).join(Province).where(Commune.province_code.in_(provinces))
    )
    if text.isdecimal():
        statement = statement.where(Commune.code == int(text))
    else:
        folded = fold(text)
        if not folded:
            return []
        statement = statement.where(Commune.folded_name.contains(folded, autoescape=True))
    rows = (await session.execute(statement)).all()
    folded = fold(text)

    def rank(row: tuple[Commune, str]) -> tuple[int, int, str]:
        commune = row[0]
        bare = fold(bare_name(commune.name))
        # An exact name beats a name that starts with the query, which beats any substring.
        exactness = (
            0 if folded in (bare, commune.folded_name) else 1 if bare.startswith(folded) else 2
        )
        return (exactness, len(commune.name), commune.folded_name)

    ordered = sorted(((c, p) for c, p in rows), key=rank)
    return [
        CommuneView(code=c.code, name=c.name, province_code=c.province_code, province_name=p)
        for c, p in ordered[:limit]
    ]


async def resolve_commune(
    session: AsyncSession, query: str, provinces: tuple[int, ...]
) -> CommuneView | None:
    """A commune by code, or by a name that matches exactly one commune."""
    matches = await find_communes(session, query, provinces, limit=50)
    if query.strip().isdecimal():
        return matches[0] if matches else None
    folded = fold(query)
    exact = [m for m in matches if folded in (fold(m.name), fold(bare_name(m.name)))]
    if len(exact) == 1:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


async def resolve_province(
    session: AsyncSession, query: str, provinces: tuple[int, ...]
) -> tuple[int, str] | None:
    """A served province by code or name."""
    rows = (await session.execute(select(Province.code, Province.name))).all()
    text = query.strip()
    for code, name in rows:
        if code not in provinces:
            continue
        if (text.isdecimal() and int(text) == code) or fold(text) in (
            fold(name),
            fold(bare_name(name)),
        ):
            return code, name
    return None


async def commune_view(session: AsyncSession, code: int) -> CommuneView:
    """A commune with its province's name."""
    commune, province = (
        await session.execute(
            select(Commune, Province.name).join(Province).where(Commune.code == code)
        )
    ).one()
    return CommuneView(commune.code, commune.name, commune.province_code, province)
