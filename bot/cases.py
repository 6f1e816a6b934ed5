"""Cases: registration, import, enrolment by one-time link, home anchoring, lifecycle, export.

Authorisation lives here: an officer sees and changes only their commune's cases, a
supervisor only their province's; anything else is answered as if the case did not exist.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts import CONSENT_REFUSED, UNREACHABLE, commune_officers, number, raise_alert
from bot.areas import CommuneView, commune_view, resolve_commune
from bot.case_files import (
    FIELDS,
    VI_HEADERS,
    CaseDraft,
    FieldError,
    Problem,
    RowProblem,
    display_phone,
    draft_from_row,
    normalise_code,
    read_table,
    write_csv,
    write_xlsx,
)
from bot.catalogue import plain, t
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.dialogues import DialogueState, current_dialogue, end_dialogue, save_dialogue
from bot.errors import NotAuthorised, UserError
from bot.messaging.outbox import (
    PRIORITY_REPLY,
    callback_button,
    enqueue,
    enqueue_text,
    inline_keyboard,
)
from bot.models import Case, Checkin, Commune, LocationFix, Officer
from bot.officers import OFFICER, SUPERVISOR, require_officer
from bot.preferences import language_of
from bot.text import fold
from bot.tokens import deep_link, hash_code, new_code
from geofence import Fix, ZoneError, check_evidence, make_circle

PENDING = "pending"
ACTIVE = "active"
HOSPITALIZED = "hospitalized"
TRANSFERRED = "transferred"
RELEASED = "released"
CANCELLED = "cancelled"
STATUSES = (PENDING, ACTIVE, HOSPITALIZED, TRANSFERRED, RELEASED, CANCELLED)
# Cases the commune still looks after; the others are closed.
OPEN_STATUSES = (PENDING, ACTIVE, HOSPITALIZED)

HOME_NOT_SET = "not_set"
HOME_PROPOSED = "proposed"
HOME_SET = "set"

ENROL_PREFIX = "p_"
# No 0/O, 1/I/L: a code read out over the phone or copied from paper stays unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# Conversations this module keeps for people.
ENROL_FLOW = "enrol"
HOME_FLOW = "home"
IMPORT_FLOW = "import"
REGISTER_FLOW = "register"

EXTEND = "extend"
RELEASE = "release"
HOSPITALIZE = "hospitalize"
TRANSFER = "transfer"
ACTIONS = (EXTEND, RELEASE, HOSPITALIZE, TRANSFER)
MAX_EXTEND_DAYS = 60
RELEASE_BATCH = 500


@dataclass(frozen=True)
class CaseView:
    """A case as officers see it."""

    id: int
    code: str
    full_name: str
    phone: str
    birth_year: int | None
    address: str
    commune_code: int
    commune_name: str
    kind: str
    source_code: str | None
    start_date: date
    end_date: date
    status: str
    home_status: str
    zone: dict[str, Any] | None
    enrolled: bool
    enrol_overdue: bool
    consent_refused: bool
    day: int
    total_days: int
    last_checkin_at: datetime | None
    last_location_at: datetime | None
    last_verdict: str | None
    last_distance_m: float | None

    @property
    def phone_display(self) -> str:
        """The phone number as people write it in Vietnam."""
        return display_phone(self.phone)


@dataclass(frozen=True)
class IssuedLink:
    """A case with a fresh enrolment link; the code exists only here."""

    case: CaseView
    link: str
    expires_at: datetime


@dataclass(frozen=True)
class ImportOutcome:
    """What an import found and, when it went ahead, the cases it created."""

    total_rows: int
    valid_rows: int
    problems: tuple[RowProblem, ...]
    created: tuple[IssuedLink, ...]
    commune_name: str

    @property
    def imported(self) -> bool:
        """Whether anything was written."""
        return bool(self.created)


@dataclass(frozen=True)
class Invitation:
    """What a person sees when they open an enrolment link."""

    case_id: int
    full_name: str
    commune_name: str
    start_date: date
    end_date: date


@dataclass(frozen=True)
class ConsentPending:
    """A person who opened a link but has not agreed: can they agree now, or need a new link?"""

    invitation: Invitation
    can_agree: bool


@dataclass(frozen=True)
class Enrolled:
    """The outcome of a consent answer."""

    full_name: str
    code: str
    agreed: bool
    home_needed: bool
    end_date: date


@dataclass(frozen=True)
class PersonStatus:
    """What a person sees with /status."""

    full_name: str
    status: str
    day: int
    total_days: int
    end_date: date
    home_status: str
    next_checkin: datetime | None


@dataclass(frozen=True)
class ChangePreview:
    """A lifecycle change checked and ready to confirm."""

    case: CaseView
    action: str
    days: int | None = None
    new_end_date: date | None = None
    target: CommuneView | None = None


@dataclass(frozen=True)
class ExportFiles:
    """The same list as XLSX and as CSV."""

    basename: str
    xlsx: bytes
    csv: bytes
    rows: int


def new_case_code() -> str:
    """A random case code of unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def isolation_day(start: date, end: date, today: date) -> tuple[int, int]:
    """(day of isolation, total days): day 1 is the start date; the end date is release day."""
    total = max(1, (end - start).days)
    return max(0, min((today - start).days + 1, total)), total


class CaseService:
    """Everything officers and people do with cases."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._cases = settings.cases
        self._provinces = settings.deployment.provinces

    # ---- helpers ---------------------------------------------------------------------

    def today(self) -> date:
        """The date in the deployment's time zone."""
        return self._clock.now().astimezone(self._settings.schedule.tz).date()

    def _ttl(self) -> timedelta:
        return timedelta(hours=self._cases.link_ttl_hours)

    # ---- registration and import -----------------------------------------------------

    async def register(
        self, telegram_user_id: int, draft: CaseDraft, bot_username: str
    ) -> IssuedLink:
        """Register one case in the officer's commune and issue its enrolment link."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await _commune_officer(session, telegram_user_id)
            assert officer.commune_code is not None
            commune = await commune_view(session, officer.commune_code)
            existing = await _open_duplicate(session, commune.code, draft.phone, draft.full_name)
            if existing is not None:
                raise UserError("cases.duplicate", code=existing.code)
            source_id = await _source_id(session, draft.source_code, officer)
            case = await self._create(
                session, draft, commune, source_id, audit.officer_actor(officer.id), officer.id
            )
            code = self._new_link(case, now)
            await end_dialogue(session, telegram_user_id)
            return IssuedLink(
                await _view(session, case, self.today(), now, self._cases.enrol_deadline_hours),
                deep_link(bot_username, code),
                case.enrolment_expires_at or now,
            )

    async def source_case(self, telegram_user_id: int, code: str) -> CaseView:
        """A case the caller may name as the source of an F1 (must be visible to them)."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await _visible_case(session, officer, code)
            return await self._view(session, case)

    async def import_file(
        self,
        filename: str,
        content: bytes,
        *,
        bot_username: str,
        skip_invalid: bool = False,
        telegram_user_id: int | None = None,
        commune: str | None = None,
    ) -> ImportOutcome:
        """Validate a whole file; import it only if it is clean or the caller skips bad rows.

        An officer imports into their commune (`telegram_user_id`); the command line names
        the commune. Nothing is written when rows are bad and `skip_invalid` is false.
        """
        table = read_table(
            filename,
            content,
            max_bytes=self._cases.import_max_bytes,
            max_rows=self._cases.import_max_rows,
        )
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as session:
            officer: Officer | None = None
            if telegram_user_id is not None:
                officer = await _commune_officer(session, telegram_user_id)
                assert officer.commune_code is not None
                target = await commune_view(session, officer.commune_code)
                actor = audit.officer_actor(officer.id)
            else:
                found = await resolve_commune(session, commune or "", self._provinces)
                if found is None:
                    raise UserError("admin.unknown_commune", query=commune or "")
                target, actor = found, audit.CLI
            open_cases = (
                await session.execute(
                    select(Case.phone, Case.full_name, Case.code).where(
                        Case.commune_code == target.code, Case.status.in_(OPEN_STATUSES)
                    )
                )
            ).all()
            known = {(phone, fold(name)): code for phone, name, code in open_cases}
            sources = await _source_ids(session, table, officer, target)
            seen: dict[tuple[str, str], int] = {}
            problems: list[RowProblem] = []
            valid: list[tuple[CaseDraft, int | None]] = []
            for number, values in table.rows:
                result = draft_from_row(values, today)
                if isinstance(result, tuple):
                    problems.append(RowProblem(number, result))
                    continue
                issues = list(_date_problems(result, today, self._cases.days_for(result.kind)))
                key = (result.phone, fold(result.full_name))
                if key in known:
                    issues.append(Problem("cases.problem.duplicate", (("code", known[key]),)))
                elif key in seen:
                    issues.append(Problem("cases.problem.repeated", (("row", seen[key]),)))
                if result.home is not None:
                    try:
                        make_circle(*result.home, self._cases.home_radius_m, self._geo())
                    except ZoneError as error:
                        issues.append(Problem(f"cases.zone.{error.code.removeprefix('zone.')}"))
                source_id = None
                if result.source_code:
                    source_id = sources.get(result.source_code)
                    if source_id is None:
                        issues.append(
                            Problem("cases.problem.no_source", (("code", result.source_code),))
                        )
                seen.setdefault(key, number)
                if issues:
                    problems.append(RowProblem(number, tuple(issues)))
                else:
                    valid.append((result, source_id))
            outcome = ImportOutcome(len(table.rows), len(valid), tuple(problems), (), target.name)
            if (problems and not skip_invalid) or not valid:
                return outcome
            created: list[IssuedLink] = []
            for draft, source_id in valid:
                case = await self._create(
                    session,
                    draft,
                    target,
                    source_id,
                    actor,
                    officer.id if officer else None,
                    log=False,
                )
                code = self._new_link(case, now)
                view = await _view(session, case, today, now, self._cases.enrol_deadline_hours)
                created.append(
                    IssuedLink(
                        view, deep_link(bot_username, code), case.enrolment_expires_at or now
                    )
                )
            audit.record(
                session,
                at=now,
                actor=actor,
                action="case.import",
                subject_type="commune",
                subject_id=target.code,
                rows=len(table.rows),
                imported=len(created),
                skipped=len(problems),
                cases=[link.case.id for link in created],
            )
            if telegram_user_id is not None:
                await end_dialogue(session, telegram_user_id)
            return ImportOutcome(
                len(table.rows), len(valid), tuple(problems), tuple(created), target.name
            )

    async def _create(
        self,
        session: AsyncSession,
        draft: CaseDraft,
        commune: CommuneView,
        source_id: int | None,
        actor: str,
        officer_id: int | None,
        *,
        log: bool = True,
    ) -> Case:
        now, today = self._clock.now(), self.today()
        start = draft.start_date or today
        end = draft.end_date or start + timedelta(days=self._cases.days_for(draft.kind))
        zone = None
        if draft.home is not None:
            try:
                zone = make_circle(*draft.home, self._cases.home_radius_m, self._geo()).to_dict()
            except ZoneError as error:
                raise FieldError(f"cases.zone.{error.code.removeprefix('zone.')}") from None
        case = Case(
            code=await _unique_code(session),
            full_name=draft.full_name,
            phone=draft.phone,
            birth_year=draft.birth_year,
            address=draft.address,
            commune_code=commune.code,
            province_code=commune.province_code,
            kind=draft.kind,
            source_case_id=source_id,
            start_date=start,
            end_date=end,
            status=PENDING,
            language=self._settings.deployment.language,
            zone=zone,
            home_status=HOME_SET if zone else HOME_NOT_SET,
            created_by=officer_id,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        await session.flush()
        if log:
            audit.record(
                session,
                at=now,
                actor=actor,
                action="case.register",
                subject_type="case",
                subject_id=case.id,
                commune=commune.code,
                kind=draft.kind,
                start=start.isoformat(),
                end=end.isoformat(),
                home=zone is not None,
            )
        return case

    def _new_link(self, case: Case, now: datetime) -> str:
        code = new_code(ENROL_PREFIX)
        case.enrolment_code_hash = hash_code(code)
        case.enrolment_expires_at = now + self._ttl()
        return code

    def _geo(self) -> Any:
        return self._settings.geofence

    async def new_link(self, telegram_user_id: int, code: str, bot_username: str) -> IssuedLink:
        """Issue a fresh enrolment link for a case not yet enrolled; the old one stops working."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await _visible_case(session, officer, code)
            if case.status != PENDING:
                raise UserError("cases.already_enrolled", code=case.code)
            secret = self._new_link(case, now)
            case.enrol_overdue_at = None
            case.updated_at = now
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.link",
                subject_type="case",
                subject_id=case.id,
            )
            return IssuedLink(
                await self._view(session, case),
                deep_link(bot_username, secret),
                case.enrolment_expires_at or now,
            )

    # ---- enrolment -------------------------------------------------------------------

    async def open_link(
        self, code: str, telegram_user_id: int, chat_id: int, language: str | None = None
    ) -> Invitation:
        """A person opened their link: remember which case they must consent to.

        `language` is the one the notice is shown in, so a later change can show it again.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            case = await _case_by_link(session, hash_code(code), now)
            await _ask_consent_in_dialogue(
                session, telegram_user_id, chat_id, case, hash_code(code), language, now
            )
            audit.record(
                session,
                at=now,
                actor=f"person:{telegram_user_id}",
                action="case.link_opened",
                subject_type="case",
                subject_id=case.id,
            )
            commune = await commune_view(session, case.commune_code)
            return Invitation(
                case.id,
                case.full_name,
                commune.name,
                case.start_date,
                case.end_date,
            )

    async def pending_consent(
        self, telegram_user_id: int, chat_id: int, language: str
    ) -> ConsentPending | None:
        """The case this person was asked to agree to and has not (unanswered or refused).

        When its link still works the consent question is opened again (in `language`), so
        the buttons shown with the notice work; otherwise they need a new link.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await current_dialogue(session, telegram_user_id, now)
            case: Case | None = None
            if state is not None and state.flow == ENROL_FLOW and state.chat_id == chat_id:
                case = await session.get(Case, int(state.data.get("case_id", 0)))
            if case is None or case.status != PENDING:
                case = await session.scalar(
                    select(Case)
                    .where(
                        Case.telegram_user_id == telegram_user_id,
                        Case.status == PENDING,
                        Case.consent_refused_at.is_not(None),
                    )
                    .order_by(Case.consent_refused_at.desc(), Case.id.desc())
                    .limit(1)
                )
            if case is None:
                return None
            link = case.enrolment_code_hash
            can_agree = (
                link is not None
                and case.enrolment_expires_at is not None
                and case.enrolment_expires_at > now
            )
            if can_agree and link is not None:
                await _ask_consent_in_dialogue(
                    session, telegram_user_id, chat_id, case, link, language, now
                )
            commune = await commune_view(session, case.commune_code)
            return ConsentPending(
                Invitation(case.id, case.full_name, commune.name, case.start_date, case.end_date),
                can_agree,
            )

    async def answer_consent(
        self, telegram_user_id: int, chat_id: int, case_id: int, agree: bool, language: str
    ) -> Enrolled:
        """Consent binds the chat to the case; refusal binds nothing and tells the officers."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            state = await current_dialogue(session, telegram_user_id, now)
            if (
                state is None
                or state.flow != ENROL_FLOW
                or state.data.get("case_id") != case_id
                or state.chat_id != chat_id
            ):
                raise UserError("enrol.invalid")
            case = await _case_by_link(session, str(state.data.get("link")), now)
            actor = f"person:{telegram_user_id}"
            if not agree:
                case.consent_refused_at = now
                # Who refused, so /status can tell them how to agree later; the chat stays
                # unbound (chat_id), so nothing is asked of them and no check-in starts.
                case.telegram_user_id = telegram_user_id
                case.updated_at = now
                await end_dialogue(session, telegram_user_id)
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="case.consent_refused",
                    subject_type="case",
                    subject_id=case.id,
                )
                await raise_alert(
                    session,
                    kind=CONSENT_REFUSED,
                    commune_code=case.commune_code,
                    now=now,
                    evidence={"case": case.code},
                    case_id=case.id,
                )
                return Enrolled(case.full_name, case.code, False, False, case.end_date)
            case.chat_id = chat_id
            case.telegram_user_id = telegram_user_id
            case.consent_at = now
            case.consent_refused_at = None
            case.enrolled_at = now
            case.status = ACTIVE
            case.language = language
            # Single use: the hash goes, so the link opens nothing any more.
            case.enrolment_code_hash = None
            case.enrolment_expires_at = None
            case.updated_at = now
            audit.record(
                session,
                at=now,
                actor=actor,
                action="case.consent",
                subject_type="case",
                subject_id=case.id,
            )
            home_needed = case.zone is None
            if home_needed:
                await _ask_home_in_dialogue(session, telegram_user_id, chat_id, now)
            else:
                await end_dialogue(session, telegram_user_id)
            await _tell_officers(
                session, case, "cases.notice.enrolled", now, name=case.full_name, code=case.code
            )
            return Enrolled(case.full_name, case.code, True, home_needed, case.end_date)

    # ---- home anchoring --------------------------------------------------------------

    async def propose_home(
        self,
        telegram_user_id: int,
        chat_id: int,
        fix: Fix,
        *,
        forwarded: bool,
        is_venue: bool,
        message_date: datetime,
    ) -> list[str]:
        """A person sent their location at home: the officers are asked to confirm it.

        Every case of the chat still without a home takes the same pin (a household).
        Returns the names of those cases.
        """
        now = self._clock.now()
        rejection = check_evidence(
            fix,
            forwarded=forwarded,
            is_venue=is_venue,
            message_date=message_date,
            now=now,
            settings=self._geo(),
        )
        if rejection is not None:
            raise UserError(f"home.rejected.{rejection.reason.value}")
        async with self._db.transaction() as session:
            cases = list(
                await session.scalars(
                    select(Case)
                    .where(
                        Case.chat_id == chat_id,
                        Case.status == ACTIVE,
                        Case.home_status != HOME_SET,
                    )
                    .order_by(Case.id)
                )
            )
            if not cases:
                await end_dialogue(session, telegram_user_id)
                raise UserError("home.nothing_to_set")
            for case in cases:
                case.proposed_home = {"lat": fix.lat, "lon": fix.lon, "accuracy_m": fix.accuracy_m}
                case.home_status = HOME_PROPOSED
                case.updated_at = now
                audit.record(
                    session,
                    at=now,
                    actor=f"person:{telegram_user_id}",
                    action="case.home_proposed",
                    subject_type="case",
                    subject_id=case.id,
                )
                await self._send_pin(session, case, now)
            await end_dialogue(session, telegram_user_id)
            return [case.full_name for case in cases]

    async def _send_pin(self, session: AsyncSession, case: Case, now: datetime) -> None:
        home = case.proposed_home or {}
        accuracy = home.get("accuracy_m")
        for officer in await commune_officers(session, case.commune_code):
            language = await language_of(session, officer.telegram_user_id)
            params: dict[str, Any] = {
                "chat_id": officer.telegram_user_id,
                "latitude": home["lat"],
                "longitude": home["lon"],
            }
            if accuracy is not None:
                params["horizontal_accuracy"] = min(float(accuracy), 1500.0)
            enqueue(
                session,
                chat_id=officer.telegram_user_id,
                method="sendLocation",
                params=params,
                priority=PRIORITY_REPLY,
                purpose="home_pin",
                now=now,
                ref_id=case.id,
            )
            text = t(
                language,
                "home.officer_check",
                name=case.full_name,
                code=case.code,
                address=case.address or "—",
                accuracy=plain(language, "home.accuracy", metres=round(accuracy))
                if accuracy is not None
                else plain(language, "home.accuracy_unknown"),
            )
            keyboard = inline_keyboard(
                [
                    [
                        callback_button(plain(language, "home.accept"), f"hm:y:{case.id}"),
                        callback_button(plain(language, "home.reject"), f"hm:n:{case.id}"),
                    ]
                ]
            )
            enqueue_text(
                session,
                chat_id=officer.telegram_user_id,
                text=text,
                priority=PRIORITY_REPLY,
                purpose="home_pin",
                now=now,
                reply_markup=keyboard,
                ref_id=case.id,
            )

    async def decide_home(self, telegram_user_id: int, case_id: int, accept: bool) -> CaseView:
        """An officer accepts the pin (the zone is built from it) or rejects it (asked again)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await session.get(Case, case_id)
            if case is None or not _may_see(officer, case):
                raise NotAuthorised()
            if case.home_status != HOME_PROPOSED or case.proposed_home is None:
                raise UserError("home.already_decided", code=case.code)
            home = case.proposed_home
            if accept:
                try:
                    zone = make_circle(
                        home["lat"], home["lon"], self._cases.home_radius_m, self._geo()
                    )
                except ZoneError as error:
                    raise UserError(f"cases.zone.{error.code.removeprefix('zone.')}") from None
                case.zone = zone.to_dict()
                case.home_status = HOME_SET
                key = "home.person_accepted"
            else:
                case.home_status = HOME_NOT_SET
                key = "home.person_rejected"
            case.proposed_home = None
            case.updated_at = now
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.home_set" if accept else "case.home_rejected",
                subject_type="case",
                subject_id=case.id,
            )
            if case.chat_id is not None and case.status == ACTIVE:
                if not accept and case.telegram_user_id is not None:
                    await _ask_home_in_dialogue(session, case.telegram_user_id, case.chat_id, now)
                await _tell_person(
                    session,
                    case,
                    key,
                    now,
                    keyboard=None if accept else await _location_keyboard(session, case),
                    name=case.full_name,
                )
            return await self._view(session, case)

    # ---- lifecycle -------------------------------------------------------------------

    async def list_cases(
        self, telegram_user_id: int, include_closed: bool = False
    ) -> list[CaseView]:
        """The caller's commune's cases (a supervisor: the province's), open ones by default."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = _scope(select(Case), officer).order_by(Case.status, Case.end_date, Case.id)
            if not include_closed:
                statement = statement.where(Case.status.in_(OPEN_STATUSES))
            return await self._views(session, list(await session.scalars(statement)))

    async def case(self, telegram_user_id: int, code: str) -> CaseView:
        """One case the caller may see, by its code."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await _visible_case(session, officer, code)
            return await _view(
                session,
                case,
                self.today(),
                self._clock.now(),
                self._cases.enrol_deadline_hours,
                latest=True,
            )

    async def preview_change(
        self,
        telegram_user_id: int,
        code: str,
        action: str,
        *,
        days: int | None = None,
        commune: str | None = None,
    ) -> ChangePreview:
        """Check a lifecycle change before the officer confirms it; nothing is written."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await _visible_case(session, officer, code)
            return await self._check_change(session, case, action, days, commune)

    async def _check_change(
        self,
        session: AsyncSession,
        case: Case,
        action: str,
        days: int | None,
        commune: str | None,
    ) -> ChangePreview:
        if action not in ACTIONS:
            raise UserError("auth.not_allowed")
        allowed = (PENDING, ACTIVE) if action == HOSPITALIZE else OPEN_STATUSES
        if case.status not in allowed:
            raise UserError("cases.closed", code=case.code)
        view = await self._view(session, case)
        if action == EXTEND:
            if days is None or not 1 <= days <= MAX_EXTEND_DAYS:
                raise UserError("cases.bad_days", limit=MAX_EXTEND_DAYS)
            return ChangePreview(view, action, days, case.end_date + timedelta(days=days))
        if action == TRANSFER:
            target = await resolve_commune(session, commune or "", self._provinces)
            if target is None:
                raise UserError("admin.unknown_commune", query=commune or "")
            if target.code == case.commune_code:
                raise UserError("cases.same_commune")
            return ChangePreview(view, action, target=target)
        return ChangePreview(view, action)

    async def apply_change(
        self,
        telegram_user_id: int,
        case_id: int,
        action: str,
        *,
        days: int | None = None,
        commune: str | None = None,
    ) -> ChangePreview:
        """Make a confirmed lifecycle change, re-checking rights and state first."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await session.get(Case, case_id, with_for_update=True)
            if case is None or not _may_see(officer, case):
                raise NotAuthorised()
            preview = await self._check_change(session, case, action, days, commune)
            actor = audit.officer_actor(officer.id)
            details: dict[str, Any] = {}
            if action == EXTEND:
                assert preview.new_end_date is not None
                details = {
                    "from": case.end_date.isoformat(),
                    "to": preview.new_end_date.isoformat(),
                }
                case.end_date = preview.new_end_date
                await _tell_person(
                    session,
                    case,
                    "cases.person.extended",
                    now,
                    name=case.full_name,
                    end=case.end_date.strftime("%d/%m/%Y"),
                )
            elif action == RELEASE:
                await self._close(session, case, RELEASED, now, "cases.person.released")
            elif action == HOSPITALIZE:
                case.status = HOSPITALIZED
                case.enrolment_code_hash = None
                await _tell_person(session, case, "cases.person.hospitalized", now)
            else:
                assert preview.target is not None
                moved = await self._transfer(session, case, preview.target, actor, now)
                details = {"to_commune": preview.target.code, "new_case": moved.id}
            case.updated_at = now
            audit.record(
                session,
                at=now,
                actor=actor,
                action=f"case.{action}",
                subject_type="case",
                subject_id=case.id,
                **details,
            )
            return ChangePreview(
                await self._view(session, case),
                action,
                days,
                preview.new_end_date,
                preview.target,
            )

    async def _close(
        self, session: AsyncSession, case: Case, status: str, now: datetime, key: str | None
    ) -> None:
        was_active = case.status == ACTIVE
        case.status = status
        case.closed_at = now
        case.updated_at = now
        case.enrolment_code_hash = None
        case.enrolment_expires_at = None
        if key is not None and was_active:
            await _tell_person(session, case, key, now, name=case.full_name)

    async def _transfer(
        self, session: AsyncSession, case: Case, target: CommuneView, actor: str, now: datetime
    ) -> Case:
        """Close the case here and continue it in the other commune, with a new code."""
        moved = Case(
            code=await _unique_code(session),
            full_name=case.full_name,
            phone=case.phone,
            birth_year=case.birth_year,
            address="",
            commune_code=target.code,
            province_code=target.province_code,
            kind=case.kind,
            source_case_id=case.source_case_id,
            start_date=case.start_date,
            end_date=case.end_date,
            status=case.status,
            language=case.language,
            # A new commune means a new home: it is anchored again.
            zone=None,
            home_status=HOME_NOT_SET,
            chat_id=case.chat_id,
            telegram_user_id=case.telegram_user_id,
            consent_at=case.consent_at,
            enrolled_at=case.enrolled_at,
            enrolment_code_hash=case.enrolment_code_hash,
            enrolment_expires_at=case.enrolment_expires_at,
            checkin_times=case.checkin_times,
            created_at=now,
            updated_at=now,
        )
        was_active = case.status == ACTIVE
        case.enrolment_code_hash = None
        await session.flush()
        session.add(moved)
        await session.flush()
        case.status = TRANSFERRED
        case.closed_at = now
        case.transferred_to_id = moved.id
        audit.record(
            session,
            at=now,
            actor=actor,
            action="case.register",
            subject_type="case",
            subject_id=moved.id,
            commune=target.code,
            transferred_from=case.id,
        )
        if was_active and moved.telegram_user_id is not None and moved.chat_id is not None:
            await _ask_home_in_dialogue(session, moved.telegram_user_id, moved.chat_id, now)
            await _tell_person(
                session,
                moved,
                "cases.person.transferred",
                now,
                keyboard=await _location_keyboard(session, moved),
                name=moved.full_name,
                commune=target.name,
            )
        source = await commune_view(session, case.commune_code)
        await _tell_officers(
            session,
            moved,
            "cases.notice.transferred_in",
            now,
            name=moved.full_name,
            code=moved.code,
            commune=source.name,
        )
        return moved

    # ---- ticks -----------------------------------------------------------------------

    async def release_due(self) -> int:
        """Release every case whose end date has come (at the configured local time)."""
        now = self._clock.now()
        local = now.astimezone(self._settings.schedule.tz)
        cutoff = local.date()
        if local.time() < time.fromisoformat(self._cases.release_time):
            cutoff -= timedelta(days=1)
        released = 0
        while True:
            async with self._db.transaction() as session:
                batch = list(
                    await session.scalars(
                        select(Case)
                        .where(Case.status.in_((PENDING, ACTIVE)), Case.end_date <= cutoff)
                        .order_by(Case.id)
                        .limit(RELEASE_BATCH)
                    )
                )
                for case in batch:
                    await self._close(session, case, RELEASED, now, "cases.person.completed")
                    audit.record(
                        session,
                        at=now,
                        actor=audit.SYSTEM,
                        action="case.auto_release",
                        subject_type="case",
                        subject_id=case.id,
                    )
            released += len(batch)
            if len(batch) < RELEASE_BATCH:
                return released

    async def flag_unenrolled(self) -> int:
        """Tell the officers, once, about each case not enrolled by the deadline."""
        now = self._clock.now()
        deadline = now - timedelta(hours=self._cases.enrol_deadline_hours)
        async with self._db.transaction() as session:
            cases = list(
                await session.scalars(
                    select(Case)
                    .where(
                        Case.status == PENDING,
                        Case.enrol_overdue_at.is_(None),
                        Case.created_at <= deadline,
                    )
                    .order_by(Case.id)
                    .limit(RELEASE_BATCH)
                )
            )
            for case in cases:
                case.enrol_overdue_at = now
                await raise_alert(
                    session,
                    kind=UNREACHABLE,
                    commune_code=case.commune_code,
                    now=now,
                    evidence={
                        "reason": "never_enrolled",
                        "hours": self._cases.enrol_deadline_hours,
                    },
                    case_id=case.id,
                )
            return len(cases)

    # ---- people ----------------------------------------------------------------------

    async def person_status(self, telegram_user_id: int, chat_id: int) -> list[PersonStatus]:
        """The cases bound to this chat (a household may share it), still open ones."""
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as session:
            cases = list(
                await session.scalars(
                    select(Case)
                    .where(
                        or_(Case.chat_id == chat_id, Case.telegram_user_id == telegram_user_id),
                        Case.status.in_((ACTIVE, HOSPITALIZED)),
                    )
                    .order_by(Case.id)
                )
            )
            statuses = []
            for case in cases:
                day, total = isolation_day(case.start_date, case.end_date, today)
                statuses.append(
                    PersonStatus(
                        case.full_name,
                        case.status,
                        day,
                        total,
                        case.end_date,
                        case.home_status,
                        await self._next_checkin(session, case, now),
                    )
                )
            return statuses

    async def _next_checkin(
        self, session: AsyncSession, case: Case, now: datetime
    ) -> datetime | None:
        if case.status != ACTIVE:
            return None
        # The check-in service plans rounds ahead; spot checks stay secret.
        planned = await session.scalar(
            select(func.min(Checkin.due_at)).where(
                Checkin.case_id == case.id,
                Checkin.kind == "scheduled",
                Checkin.state == "scheduled",
                Checkin.due_at > now,
            )
        )
        if planned is not None:
            return planned
        # Not planned yet: the next nominal time of the case's rounds.
        times = case.checkin_times or list(self._settings.checkins.times_for(case.kind))
        tz = self._settings.schedule.tz
        local = now.astimezone(tz)
        for offset in range(3):
            day = local.date() + timedelta(days=offset)
            if day >= case.end_date:
                return None
            for value in sorted(times):
                moment = datetime.combine(day, time.fromisoformat(value), tz)
                if moment > local:
                    return moment
        return None

    # ---- export ----------------------------------------------------------------------

    async def export_checkins(self, telegram_user_id: int) -> ExportFiles:
        """Every check-in of the caller's cases (commune or province), oldest first.

        Answers are written as the person saw them (the check-in catalogue's Vietnamese
        labels), one column per measurement, numbers the Vietnamese way.
        """
        today = self.today()
        tz = self._settings.schedule.tz
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = _scope(
                select(Case.code, Case.full_name, Checkin).join(
                    Checkin, Checkin.case_id == Case.id
                ),
                officer,
            ).order_by(Case.code, Checkin.nominal_at)
            rows = (await session.execute(statement)).all()
            fixes = await _checkin_fixes(session, [checkin.id for _, _, checkin in rows])

        def local(moment: datetime | None) -> str | None:
            return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else None

        table: list[list[object]] = []
        for code, name, checkin in rows:
            answers, vitals = checkin.answers or {}, checkin.vitals or {}
            feeling = answers.get("feeling")
            fix = fixes.get(checkin.id)
            verdict: str | None
            if fix is not None:
                verdict = plain("vi", f"cases.verdict.{fix.verdict or 'none'}")
                distance = round(fix.distance_m) if fix.distance_m is not None else None
            else:
                skipped = answers.get("location") == "skipped"
                verdict = plain("vi", "checkin.location_skip") if skipped else None
                distance = None
            table.append(
                [
                    code,
                    name,
                    local(checkin.nominal_at),
                    local(checkin.answered_at),
                    plain("vi", f"cases.outcome.{checkin.outcome or 'none'}"),
                    _label(f"checkin.feel.{feeling}") if feeling else None,
                    ", ".join(_label(f"checkin.symptom.{s}") for s in answers.get("symptoms", [])),
                    ", ".join(_label(f"checkin.sign.{s}") for s in checkin.danger_signs or []),
                    *(
                        number("vi", vitals[v]) if vitals.get(v) is not None else None
                        for v in CHECKIN_VITALS
                    ),
                    verdict,
                    distance,
                ]
            )
        headers = CHECKIN_HEADERS
        basename = f"cachly-khai-bao-{today.isoformat()}"
        return ExportFiles(
            basename, write_xlsx(headers, table), write_csv(headers, table), len(rows)
        )

    async def export(self, telegram_user_id: int, include_closed: bool = True) -> ExportFiles:
        """The commune's (a supervisor: the province's) cases with the import's columns."""
        now, today = self._clock.now(), self.today()
        tz = self._settings.schedule.tz
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = _scope(select(Case, Commune.name).join(Commune), officer).order_by(
                Case.commune_code, Case.id
            )
            if not include_closed:
                statement = statement.where(Case.status.in_(OPEN_STATUSES))
            rows = (await session.execute(statement)).all()
            sources = await _codes_of(session, {c.source_case_id for c, _ in rows})
            answered = await _last_answers(session, [c.id for c, _ in rows])
            area = (
                (await commune_view(session, officer.commune_code)).name
                if officer.role == OFFICER and officer.commune_code is not None
                else str(officer.province_code)
            )
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.export",
                subject_type="officer",
                subject_id=officer.id,
                rows=len(rows),
            )
        headers = [VI_HEADERS[f] for f in FIELDS] + list(EXPORT_EXTRA_HEADERS)
        table: list[list[object]] = []
        for case, commune_name in rows:
            day, total = isolation_day(case.start_date, case.end_date, today)
            zone = case.zone or {}
            table.append(
                [
                    case.full_name,
                    display_phone(case.phone),
                    case.birth_year,
                    case.address,
                    case.kind.upper() if case.kind != "other" else "Khác",
                    sources.get(case.source_case_id) if case.source_case_id else None,
                    case.start_date.strftime("%d/%m/%Y"),
                    case.end_date.strftime("%d/%m/%Y"),
                    zone.get("lat"),
                    zone.get("lon"),
                    case.code,
                    commune_name,
                    plain("vi", f"cases.status.{case.status}"),
                    f"{day}/{total}" if case.status in OPEN_STATUSES else None,
                    plain("vi", f"cases.home.{case.home_status}"),
                    answered[case.id].astimezone(tz).strftime("%d/%m/%Y %H:%M")
                    if case.id in answered
                    else None,
                ]
            )
        basename = f"cachly-{fold(area).replace(' ', '-')}-{today.isoformat()}"
        return ExportFiles(
            basename, write_xlsx(headers, table), write_csv(headers, table), len(rows)
        )

    # ---- views -----------------------------------------------------------------------

    async def _view(self, session: AsyncSession, case: Case) -> CaseView:
        return await _view(
            session, case, self.today(), self._clock.now(), self._cases.enrol_deadline_hours
        )

    async def _views(self, session: AsyncSession, cases: Sequence[Case]) -> list[CaseView]:
        return [await self._view(session, case) for case in cases]


EXPORT_EXTRA_HEADERS = (
    "Mã ca",
    "Xã/Phường",
    "Trạng thái",
    "Ngày cách ly",
    "Nơi cách ly",
    "Khai báo gần nhất",
)


# The measurements a check-in asks for, in the order of the export's columns.
CHECKIN_VITALS = ("temperature", "spo2", "spo2_again", "breaths", "pulse")
CHECKIN_HEADERS = (
    "Mã ca",
    "Họ và tên",
    "Giờ khai báo",
    "Trả lời lúc",
    "Kết quả",
    "Cảm thấy",
    "Triệu chứng",
    "Dấu hiệu nguy hiểm",
    "Nhiệt độ (°C)",
    "SpO2 (%)",
    "SpO2 đo lại (%)",
    "Nhịp thở (lần/phút)",
    "Mạch (lần/phút)",
    "Vị trí",
    "Cách nhà (m)",
)


def _label(key: str) -> str:
    """A check-in answer's Vietnamese label without its emoji (a spreadsheet is not a chat)."""
    return re.sub(r"^\W+", "", plain("vi", key))


def links_file(links: Sequence[IssuedLink], tz: Any) -> bytes:
    """A CSV of enrolment links, one per case, for the officer to send out."""
    headers = ["Mã ca", "Họ và tên", "Số điện thoại", "Đường dẫn", "Hết hạn"]
    rows = [
        [
            link.case.code,
            link.case.full_name,
            link.case.phone_display,
            link.link,
            link.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
        ]
        for link in links
    ]
    return write_csv(headers, rows)


# ---- internals ------------------------------------------------------------------------


def _may_see(officer: Officer, case: Case) -> bool:
    if officer.role == OFFICER:
        return officer.commune_code is not None and case.commune_code == officer.commune_code
    return officer.role == SUPERVISOR and case.province_code == officer.province_code


def _scope(statement: Any, officer: Officer) -> Any:
    if officer.role == OFFICER:
        return statement.where(Case.commune_code == officer.commune_code)
    return statement.where(Case.province_code == officer.province_code)


async def _commune_officer(session: AsyncSession, telegram_user_id: int) -> Officer:
    officer = await require_officer(session, telegram_user_id)
    if officer.role != OFFICER or officer.commune_code is None:
        raise UserError("cases.officer_only")
    return officer


async def _visible_case(session: AsyncSession, officer: Officer, code: str) -> Case:
    wanted = normalise_code(code)
    case = await session.scalar(select(Case).where(Case.code == wanted)) if wanted else None
    if case is None or not _may_see(officer, case):
        # The same answer for "no such case" and "not yours": codes reveal nothing.
        raise UserError("cases.not_found", code=wanted or code.strip()[:12])
    return case


async def _case_by_link(session: AsyncSession, code_hash: str, now: datetime) -> Case:
    case = await session.scalar(select(Case).where(Case.enrolment_code_hash == code_hash))
    if (
        case is None
        or case.status != PENDING
        or case.enrolment_expires_at is None
        or case.enrolment_expires_at <= now
    ):
        raise UserError("enrol.invalid")
    return case


async def _unique_code(session: AsyncSession) -> str:
    while True:
        code = new_case_code()
        if await session.scalar(select(func.count()).where(Case.code == code)) == 0:
            return code


async def _open_duplicate(
    session: AsyncSession, commune_code: int, phone: str, name: str
) -> Case | None:
    """An open case of the commune with the same phone and name.

    A household may share one phone, so the phone alone does not make a duplicate.
    """
    rows = await session.scalars(
        select(Case).where(
            Case.commune_code == commune_code,
            Case.phone == phone,
            Case.status.in_(OPEN_STATUSES),
        )
    )
    return next((case for case in rows if fold(case.full_name) == fold(name)), None)


async def _source_id(session: AsyncSession, code: str | None, officer: Officer) -> int | None:
    if not code:
        return None
    return (await _visible_case(session, officer, code)).id


async def _source_ids(
    session: AsyncSession, table: Any, officer: Officer | None, target: CommuneView
) -> dict[str, int]:
    codes = {
        normalise_code(values["source_code"])
        for _, values in table.rows
        if values.get("source_code")
    }
    if not codes:
        return {}
    statement = select(Case.code, Case.id).where(Case.code.in_(codes))
    statement = (
        _scope(statement, officer)
        if officer is not None
        else statement.where(Case.province_code == target.province_code)
    )
    return {code: case_id for code, case_id in (await session.execute(statement)).all()}


async def _codes_of(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Case.id, Case.code).where(Case.id.in_(wanted)))
    return {case_id: code for case_id, code in rows.all()}


async def _checkin_fixes(session: AsyncSession, ids: list[int]) -> dict[int, LocationFix]:
    """The latest location fix of each check-in, in chunks the database accepts."""
    found: dict[int, LocationFix] = {}
    for start in range(0, len(ids), 1000):
        fixes = await session.scalars(
            select(LocationFix)
            .where(LocationFix.checkin_id.in_(ids[start : start + 1000]))
            .order_by(LocationFix.taken_at, LocationFix.id)
        )
        # Later fixes overwrite earlier ones: the last verdict of the check-in counts.
        found.update({fix.checkin_id: fix for fix in fixes if fix.checkin_id is not None})
    return found


async def _last_answers(session: AsyncSession, ids: list[int]) -> dict[int, datetime]:
    """The latest answered check-in of each case, in chunks the database accepts."""
    found: dict[int, datetime] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(Checkin.case_id, func.max(Checkin.answered_at))
            .where(Checkin.case_id.in_(ids[start : start + 1000]))
            .group_by(Checkin.case_id)
        )
        found.update({case_id: at for case_id, at in rows.all() if at is not None})
    return found


def _date_problems(draft: CaseDraft, today: date, default_days: int) -> list[Problem]:
    start = draft.start_date or today
    end = draft.end_date or start + timedelta(days=default_days)
    problems = []
    if end <= today:
        problems.append(Problem("cases.problem.ended", (("end", end.strftime("%d/%m/%Y")),)))
    if start > today + timedelta(days=30):
        problems.append(Problem("cases.problem.far_start"))
    return problems


async def _ask_consent_in_dialogue(
    session: AsyncSession,
    telegram_user_id: int,
    chat_id: int,
    case: Case,
    link_hash: str,
    language: str | None,
    now: datetime,
) -> None:
    data: dict[str, Any] = {"case_id": case.id, "link": link_hash}
    if language is not None:
        data["language"] = language
    await save_dialogue(
        session, DialogueState(telegram_user_id, chat_id, ENROL_FLOW, "consent", data), now
    )


async def _ask_home_in_dialogue(
    session: AsyncSession, telegram_user_id: int, chat_id: int, now: datetime
) -> None:
    await save_dialogue(
        session, DialogueState(telegram_user_id, chat_id, HOME_FLOW, "pin", {}), now
    )


async def _location_keyboard(session: AsyncSession, case: Case) -> dict[str, Any]:
    language = await _person_language(session, case)
    return location_keyboard(language)


def location_keyboard(language: str) -> dict[str, Any]:
    """A reply keyboard whose one button sends the phone's current location."""
    return {
        "keyboard": [[{"text": plain(language, "home.send_button"), "request_location": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


async def _person_language(session: AsyncSession, case: Case) -> str:
    if case.telegram_user_id is None:
        return case.language
    return await language_of(session, case.telegram_user_id, case.language)


async def _tell_person(
    session: AsyncSession,
    case: Case,
    key: str,
    now: datetime,
    keyboard: dict[str, Any] | None = None,
    **params: object,
) -> None:
    if case.chat_id is None:
        return
    language = await _person_language(session, case)
    enqueue_text(
        session,
        chat_id=case.chat_id,
        text=t(language, key, **params),
        priority=PRIORITY_REPLY,
        purpose="case_notice",
        now=now,
        reply_markup=keyboard,
        ref_id=case.id,
    )


async def _tell_officers(
    session: AsyncSession, case: Case, key: str, now: datetime, **params: object
) -> None:
    for officer in await commune_officers(session, case.commune_code):
        language = await language_of(session, officer.telegram_user_id)
        enqueue_text(
            session,
            chat_id=officer.telegram_user_id,
            text=t(language, key, **params),
            priority=PRIORITY_REPLY,
            purpose="case_notice",
            now=now,
            ref_id=case.id,
        )


async def _latest(
    session: AsyncSession, case_id: int
) -> tuple[datetime | None, LocationFix | None]:
    """The latest answered check-in and the latest location fix of a case."""
    answered = await session.scalar(
        select(func.max(Checkin.answered_at)).where(Checkin.case_id == case_id)
    )
    fix = await session.scalar(
        select(LocationFix)
        .where(LocationFix.case_id == case_id)
        .order_by(LocationFix.taken_at.desc(), LocationFix.id.desc())
        .limit(1)
    )
    return answered, fix


async def _view(
    session: AsyncSession,
    case: Case,
    today: date,
    now: datetime,
    deadline_hours: int,
    *,
    latest: bool = False,
) -> CaseView:
    commune = await session.scalar(select(Commune.name).where(Commune.code == case.commune_code))
    source = (
        await session.scalar(select(Case.code).where(Case.id == case.source_case_id))
        if case.source_case_id is not None
        else None
    )
    answered, fix = await _latest(session, case.id) if latest else (None, None)
    day, total = isolation_day(case.start_date, case.end_date, today)
    overdue = case.status == PENDING and (
        case.enrol_overdue_at is not None
        or case.created_at + timedelta(hours=deadline_hours) <= now
    )
    return CaseView(
        id=case.id,
        code=case.code,
        full_name=case.full_name,
        phone=case.phone,
        birth_year=case.birth_year,
        address=case.address,
        commune_code=case.commune_code,
        commune_name=commune or "",
        kind=case.kind,
        source_code=source,
        start_date=case.start_date,
        end_date=case.end_date,
        status=case.status,
        home_status=case.home_status,
        zone=case.zone,
        enrolled=case.consent_at is not None,
        enrol_overdue=overdue,
        consent_refused=case.consent_refused_at is not None and case.status == PENDING,
        day=day,
        total_days=total,
        last_checkin_at=answered,
        last_location_at=fix.taken_at if fix else None,
        last_verdict=fix.verdict if fix else None,
        last_distance_m=fix.distance_m if fix else None,
    )
