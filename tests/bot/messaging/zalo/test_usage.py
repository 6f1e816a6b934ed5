"""What the template messages cost: recorded on sending, delivered by Zalo's event, summed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.channels import Channel
from bot.cli.doctor import run_checks
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.messaging.contacts import ContactBook, contact_at
from bot.messaging.zalo.usage import ZnsLedger, ZnsUsage, zns_usage


async def test_each_template_message_is_kept_priced_and_its_delivery_noted(
    db: Database, clock: FakeClock
) -> None:
    async with db.transaction() as session:
        contact = await contact_at(session, Channel.ZALO, "8100000000000000001", clock.now())
        await session.flush()
        contact_id = contact.id
    ledger = ZnsLedger(db)
    for n, price in enumerate((300, 250)):
        await ledger.record(
            contact_id=contact_id,
            purpose="checkin_prompt",
            template_id="tpl",
            price_vnd=price,
            tracking_id=f"c{contact_id}-{n}",
            at=clock.now(),
        )
    assert await ledger.delivered(f"c{contact_id}-0", clock.now())
    assert not await ledger.delivered(f"c{contact_id}-0", clock.now())  # once
    assert not await ledger.delivered("someone-elses", clock.now())
    async with db.transaction() as session:
        assert await zns_usage(session, clock.now() - timedelta(days=1)) == ZnsUsage(2, 1, 550)
        assert await zns_usage(session, clock.now() + timedelta(seconds=1)) == ZnsUsage(0, 0, 0)
    assert (await ContactBook(db).get(contact_id)) is not None


async def test_the_doctor_shows_the_last_30_days_of_template_messages(
    settings: Settings, db: Database
) -> None:
    off = await run_checks(settings, "en")
    assert all("ZNS" not in check.name for check in off)
    on = replace(settings, zalo=replace(settings.zalo, enabled=True))
    [line] = [check for check in await run_checks(on, "en") if "ZNS" in check.name]
    assert line.detail == "last 30 days: 0 sent, 0 delivered, 0 VND"
