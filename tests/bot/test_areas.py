"""Areas seeded from vietnam-provinces and found without diacritics."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db import Database
from bot.models import Commune
from bot.services import Services


async def test_thanh_hoa_has_its_166_communes(db: Database) -> None:
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Commune).where(Commune.province_code == 38)
        )
    assert count == 166


async def test_seeding_again_adds_nothing(services: Services) -> None:
    result = await services.areas.seed()
    assert (result.provinces_added, result.communes_added, result.communes_total) == (0, 0, 166)


async def test_name_without_diacritics_finds_the_ward(services: Services) -> None:
    found = await services.areas.find_communes("hac thanh")
    assert found[0].name == "Phường Hạc Thành"
    assert found[0].province_name == "Thanh Hóa"
    assert (await services.areas.commune("HẠC THÀNH")) == found[0]
    assert (await services.areas.commune("phuong hac thanh")) == found[0]


async def test_code_finds_the_ward(services: Services) -> None:
    found = await services.areas.commune("14797")
    assert found is not None
    assert found.name == "Phường Hạc Thành"


async def test_nothing_outside_the_served_provinces(services: Services) -> None:
    # Hoàn Kiếm is in Hà Nội, which this deployment does not serve.
    assert await services.areas.find_communes("hoan kiem") == []
    assert await services.areas.commune("") is None
