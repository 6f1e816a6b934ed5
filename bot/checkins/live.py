"""Live locations: each edit of a shared live location, judged with hysteresis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import alerts
from bot.checkins import display
from bot.checkins.chats import chat_language
from bot.checkins.fixes import fix_evidence, fix_values
from bot.checkins.values import LocationInput, LocationResult, LocationStatus
from bot.config import Settings
from bot.messaging.outbox import PRIORITY_REPLY, enqueue
from bot.models import Case, LiveStream, LocationFix
from geofence import (
    Fix,
    FixKind,
    StreamEvent,
    TrackerState,
    Verdict,
    advance,
    check_evidence,
    judge,
    zone_from_dict,
)


class LiveEdits:
    """Follows live locations: an alert when one leaves home, a note when it comes back."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._alerts = alerts.AlertConfig.from_settings(settings)

    async def edit(
        self, session: AsyncSession, message: LocationInput, now: datetime
    ) -> LocationResult:
        """One edit of a live location: hysteresis, then an alert or "back home"; silent."""
        streams = list(
            await session.scalars(
                select(LiveStream)
                .where(
                    LiveStream.chat_id == message.chat_id,
                    LiveStream.message_id == message.message_id,
                )
                .with_for_update()
            )
        )
        language = self._settings.deployment.language
        for stream in streams:
            if stream.stopped_at is not None:
                continue
            if not message.live_period:
                # Telegram sends a last edit without live_period when sharing stops.
                stream.stopped_at = now
                stream.stopped_early = now < stream.expires_at
                continue
            # The result speaks the language of the last person told of a breach.
            language = await self._follow(session, stream, message, now) or language
        return LocationResult(LocationStatus.SILENT, language)

    async def _follow(
        self, session: AsyncSession, stream: LiveStream, message: LocationInput, now: datetime
    ) -> str | None:
        """Judge one edit for one stream, record the fix when the tracker takes it.

        Returns the language the person was told a breach in, if they were.
        """
        geo = self._settings.geofence
        case = await session.get(Case, stream.case_id)
        if case is None:
            return None
        fix = Fix(message.lat, message.lon, message.accuracy_m, message.date, FixKind.LIVE)
        previous = Fix.from_dict(stream.last_fix) if stream.last_fix else None
        rejection = check_evidence(
            fix,
            forwarded=False,
            is_venue=False,
            message_date=message.date,
            now=now,
            previous=previous,
            settings=geo,
        )
        if rejection is not None:
            return None
        stream.last_fix_at, stream.last_fix = fix.taken_at, fix.to_dict()
        if case.zone is None or case.home_status != "set":
            return None
        verdict = judge(zone_from_dict(case.zone), fix, geo)
        step = advance(TrackerState.from_dict(stream.tracker), fix, verdict, geo)
        if step.ignored:
            return None
        stream.tracker = step.state.to_dict()
        values = fix_values(
            case.id, fix, verdict, now, checkin_id=stream.checkin_id, stream_id=stream.id
        )
        session.add(LocationFix(**values))
        if step.event is StreamEvent.BREACH:
            return await _breach(self._alerts, session, case, fix, verdict, now)
        if step.event is StreamEvent.RETURNED:
            # The open out-of-zone alert is updated (back home).
            await alerts.note_back_home(self._alerts, session, case.id, now)
        return None


async def _breach(
    config: alerts.AlertConfig,
    session: AsyncSession,
    case: Case,
    fix: Fix,
    verdict: Verdict,
    now: datetime,
) -> str | None:
    """A live location left the home zone: alert the station, and tell the person.

    Returns the language the person was told in (None for a case without a chat).
    """
    await alerts.raise_alert(
        config,
        session,
        kind=alerts.OUT_OF_ZONE,
        commune_code=case.commune_code,
        now=now,
        evidence={
            **fix_evidence(fix, verdict.distance_m, verdict.accuracy_m, None),
            "live": True,
        },
        case_id=case.id,
    )
    if case.chat_id is None:
        return None
    # The person is told too, kindly and plainly, not only the station.
    language = await chat_language(session, case.chat_id, [case])
    enqueue(
        session,
        chat_id=case.chat_id,
        province=case.province_code,
        content=display.live_breach(language, case.full_name),
        priority=PRIORITY_REPLY,
        purpose="location_breach",
        now=now,
        ref_id=case.id,
    )
    return language
