"""`cachly admin ...`: officers, supervisors, invitations, boundaries, the outbox."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.catalogue import plain
from bot.cli.base import CommandFailed, open_services
from bot.config import Settings
from bot.messaging.telegram.transport import get_me
from bot.messaging.transport import TransportError
from bot.services import Services


async def bot_username(settings: Settings, language: str) -> str:
    """The bot's @username: configured, or asked of Telegram with the token."""
    if settings.telegram.bot_username:
        return settings.telegram.bot_username
    if not settings.telegram.token:
        raise CommandFailed(plain(language, "admin.no_username"))
    try:
        me = await get_me(settings)
    except TransportError:
        raise CommandFailed(plain(language, "admin.no_username")) from None
    return str(me.get("username") or "")


async def usernames(settings: Settings, language: str) -> dict[int, str]:
    """Each served province's bot @username (links name the bot of their province)."""
    names: dict[int, str] = {}
    for bot in settings.all_bots:
        username = await bot_username(settings.for_bot(bot.key), language)
        names.update(dict.fromkeys(bot.provinces, username))
    return names


async def area_province(services: Services, area: str) -> int | None:
    """The province of a commune or province named on the command line (None: unknown)."""
    commune = await services.areas.commune(area)
    if commune is not None:
        return commune.province_code
    province = await services.areas.province(area)
    return province[0] if province is not None else None


def admin_invite(settings: Settings, args: argparse.Namespace) -> int:
    """Print a one-time invitation link."""
    language = args.language

    async def invite() -> str:
        async with open_services(settings, language) as services:
            area = args.commune or args.province
            # The invitation is opened through the bot of its province (an unknown area is
            # refused by invite itself, whichever name is passed).
            province = await area_province(services, area)
            names = await usernames(settings, language)
            username = names.get(province or 0) or next(iter(names.values()))
            issued = await services.officers.invite(
                args.role, args.commune or args.province, username
            )
        area = issued.commune_name or issued.province_name
        expires = issued.expires_at.astimezone(settings.schedule.tz).strftime("%d/%m/%Y %H:%M")
        role = plain(language, f"role.{issued.role}")
        header = plain(language, "admin.invited", role=role, area=area, expires=expires)
        return f"{header}\n{issued.link}"

    print(asyncio.run(invite()))
    return 0


def admin_list(settings: Settings, args: argparse.Namespace) -> int:
    """Officers, supervisors and invitations with their status."""
    language = args.language
    tz = settings.schedule.tz

    async def listing() -> list[str]:
        async with open_services(settings, language) as services:
            officers = await services.officers.officers()
            invitations = await services.officers.invitations()
        lines = [plain(language, "admin.officers_header")]
        for o in officers:
            state = plain(language, "admin.status.revoked" if o.revoked else "admin.status.active")
            area = o.commune_name or o.province_name
            role = plain(language, f"role.{o.role}")
            lines.append(f"  #{o.id}  {role:<14} {state:<16} {area}  tg:{o.telegram_user_id}")
        if not officers:
            lines.append(plain(language, "admin.none"))
        lines.append(plain(language, "admin.invitations_header"))
        for i in invitations:
            expires = i.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
            area = i.commune_name or i.province_name
            role = plain(language, f"role.{i.role}")
            state = plain(language, f"admin.status.{i.status}")
            lines.append(f"  #{i.id}  {role:<14} {state:<16} {area}  {expires}")
        if not invitations:
            lines.append(plain(language, "admin.none"))
        return lines

    print("\n".join(asyncio.run(listing())))
    return 0


def admin_revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke an officer or an unused invitation."""
    language = args.language

    async def revoke() -> str:
        async with open_services(settings, language) as services:
            if args.officer is not None:
                await services.officers.revoke_officer(args.officer)
                return plain(language, "admin.revoked_officer", id=args.officer)
            await services.officers.revoke_invitation(args.invitation)
            return plain(language, "admin.revoked_invitation", id=args.invitation)

    print(asyncio.run(revoke()))
    return 0


def admin_load_boundaries(settings: Settings, args: argparse.Namespace) -> int:
    """Store commune boundaries from a GeoJSON file."""
    language = args.language
    try:
        data = json.loads(args.file.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CommandFailed(plain(language, "admin.file_not_found", file=args.file)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandFailed(plain(language, "admin.bad_geojson", problem=exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise CommandFailed(
            plain(
                language, "admin.bad_geojson", problem=plain(language, "cli.no_feature_collection")
            )
        )

    async def load() -> list[str]:
        async with open_services(settings, language) as services:
            result = await services.boundaries.load(data)
        lines = [
            plain(language, "admin.boundary_skipped", index=e.index, reason=e.detail)
            for e in result.skipped
        ]
        lines.append(plain(language, "admin.boundaries_loaded", count=result.loaded))
        return lines

    print("\n".join(asyncio.run(load())))
    return 0


def admin_outbox(settings: Settings, args: argparse.Namespace) -> int:
    """What waits to be sent, what failed, the oldest waiting."""
    language = args.language
    tz = settings.schedule.tz

    async def status() -> list[str]:
        async with open_services(settings, language) as services:
            found = await services.outbox.status()
        lines = [
            plain(
                language,
                "admin.outbox.counts",
                due=found.pending_due,
                later=found.pending_later,
                sending=found.sending,
                sent=found.sent,
                failed=found.failed,
            ),
            plain(
                language,
                "admin.outbox.attempts",
                attempts=found.attempts,
                retried=found.retried_rows,
            ),
        ]
        rows = [found.oldest_waiting] if found.oldest_waiting else []
        for header, group in (
            ("admin.outbox.oldest", rows),
            ("admin.outbox.failures", found.recent_failures),
        ):
            if not group:
                continue
            lines.append(plain(language, header))
            for row in group:
                created = row.created_at.astimezone(tz).strftime("%d/%m %H:%M:%S")
                lines.append(
                    f"  #{row.id}  {row.state:<8} p{row.priority:<3} {row.purpose:<12} "
                    f"{row.kind:<16} chat:{row.chat_id}  {created}  "
                    f"{plain(language, 'admin.outbox.tries', attempts=row.attempts)}"
                    + (f"  {row.last_error}" if row.last_error else "")
                )
        return lines

    print("\n".join(asyncio.run(status())))
    return 0
