"""Officer onboarding: one-time invitations, binding, revocation, all in the audit log."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import alerts
from bot.access import WITHHELD
from bot.alerts import delivery_resent
from bot.clock import FakeClock
from bot.errors import UserError
from bot.messaging.recovery import recover
from bot.models import AuditEntry, Invitation, OutboxMessage
from bot.services import Services
from tests.factories import make_case
from tests.harness import start_code

HAC_THANH = 14797


async def test_invitation_binds_the_user_who_opens_it(services: Services) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    assert issued.link.startswith("https://t.me/cachly_bot?start=o_")
    code = start_code(issued.link)
    assert len(code) <= 64
    assert len(code) - 2 >= 22

    me = await services.officers.redeem(code, 1001, "Lan")
    assert (me.role, me.commune_name, me.province_name) == (
        "officer",
        "Phường Hạc Thành",
        "Thanh Hóa",
    )
    assert await services.officers.whoami(1001) == me


async def test_code_is_stored_only_as_a_hash(services: Services) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    code = start_code(issued.link)
    async with services.db.transaction() as session:
        stored = (await session.scalars(select(Invitation.code_hash))).all()
    assert stored
    assert all(code not in h and h != code for h in stored)


async def test_supervisor_is_tied_to_a_province(services: Services) -> None:
    issued = await services.officers.invite("supervisor", "Thanh Hóa", "cachly_bot")
    me = await services.officers.redeem(start_code(issued.link), 2002, "Minh")
    assert (me.role, me.province_name, me.commune_code) == ("supervisor", "Thanh Hóa", None)


@pytest.mark.parametrize("case", ["reused", "expired", "revoked", "made_up"])
async def test_unusable_codes_get_the_same_refusal(
    services: Services, clock: FakeClock, case: str
) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    code = start_code(issued.link)
    if case == "reused":
        await services.officers.redeem(code, 1, "First")
    elif case == "expired":
        clock.advance(timedelta(hours=72, seconds=1))
    elif case == "revoked":
        await services.officers.revoke_invitation(issued.id)
    else:
        code = "o_" + "A" * 32
    with pytest.raises(UserError) as caught:
        await services.officers.redeem(code, 2, "Second")
    assert caught.value.key == "invite.invalid"
    assert await services.officers.whoami(2) is None


async def test_revoked_officer_is_no_longer_an_officer(services: Services) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    me = await services.officers.redeem(start_code(issued.link), 1001, "Lan")
    await services.officers.revoke_officer(me.id)
    assert await services.officers.whoami(1001) is None
    listed = await services.officers.officers()
    assert [o.revoked for o in listed] == [True]


async def test_grants_and_revocations_are_audited(services: Services) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    me = await services.officers.redeem(start_code(issued.link), 1001, "Lan Nguyễn")
    await services.officers.revoke_officer(me.id)
    async with services.db.transaction() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [e.action for e in entries] == [
        "invitation.create",
        "officer.grant",
        "officer.revoke",
        "officer.access_end",
    ]
    assert entries[-1].details == {
        "reason": "revoked",
        "cancelled": 0,
        "neutralised": 0,
        "web_sessions": 0,
    }
    assert all("Lan" not in str(e.details) for e in entries)


async def test_unknown_commune_is_refused(services: Services) -> None:
    with pytest.raises(UserError) as caught:
        await services.officers.invite("officer", "atlantis", "cachly_bot")
    assert caught.value.key == "admin.unknown_commune"


async def test_invitations_list_shows_status(services: Services, clock: FakeClock) -> None:
    used = await services.officers.invite("officer", "hac thanh", "b")
    await services.officers.invite("officer", "hac thanh", "b")
    await services.officers.redeem(start_code(used.link), 5, "X")
    statuses = [i.status for i in await services.officers.invitations()]
    assert statuses == ["used", "pending"]
    clock.advance(timedelta(days=4))
    assert [i.status for i in await services.officers.invitations()] == ["used", "expired"]


async def test_simultaneous_openings_of_one_link_bind_one_officer(services: Services) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    code = start_code(issued.link)
    results = await asyncio.gather(
        *(services.officers.redeem(code, 3000 + n, "X") for n in range(5)),
        return_exceptions=True,
    )
    bound = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(bound) == 1
    assert len(refused) == 4


async def test_revoked_at_the_same_moment_is_used_or_revoked_never_both(
    services: Services,
) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    code = start_code(issued.link)
    redeemed, revoked = await asyncio.gather(
        services.officers.redeem(code, 3100, "X"),
        services.officers.revoke_invitation(issued.id),
        return_exceptions=True,
    )
    [invitation] = await services.officers.invitations()
    officer = await services.officers.whoami(3100)
    if invitation.status == "used":
        assert officer is not None
        assert isinstance(revoked, UserError)
    else:
        assert invitation.status == "revoked"
        assert officer is None
        assert isinstance(redeemed, UserError)


async def test_a_copy_queued_again_after_a_crash_is_withheld_from_a_revoked_officer(
    services: Services, clock: FakeClock
) -> None:
    for user in (1001, 1002):
        issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
        await services.officers.redeem(start_code(issued.link), user, f"Officer {user}")
    case_id = await make_case(services.db, clock.now())
    async with services.db.transaction() as session:
        await alerts.raise_alert(
            services.alerts.config,
            session,
            kind=alerts.SOS,
            commune_code=HAC_THANH,
            now=clock.now(),
            evidence={},
            case_id=case_id,
        )
        # A sender claimed both copies and died mid-call.
        for row in await session.scalars(select(OutboxMessage)):
            row.state, row.not_before = "sending", clock.now()
    revoked = await services.officers.whoami(1002)
    assert revoked is not None
    await services.officers.revoke_officer(revoked.id)
    clock.advance(timedelta(minutes=5))
    assert await recover(services.db, clock.now(), delivery_resent) == 2
    async with services.db.transaction() as session:
        again = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.created_at == clock.now())
            )
        )
        entries = list(await session.scalars(select(AuditEntry.action)))
    states = {row.chat_id: (row.state, row.last_error) for row in again if row.kind == "text"}
    assert states[1001] == ("pending", None)
    assert states[1002] == ("failed", WITHHELD)
    assert "officer.withheld" in entries
