"""Finding the case an officer asks for, within their area (`bot.policy`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import policy
from bot.case_files import normalise_code
from bot.errors import UserError
from bot.models import Case, Officer
from bot.officers import require_officer


def may_see(officer: Officer, case: Case) -> bool:
    """Whether the case lies in the officer's commune (a supervisor's: province)."""
    return policy.may_see(officer, case.commune_code, case.province_code)


def scope(statement: Any, officer: Officer) -> Any:
    """The statement narrowed to the cases the officer may see."""
    return statement.where(policy.area_clause(officer, Case.commune_code, Case.province_code))


async def commune_officer(session: AsyncSession, telegram_user_id: int) -> Officer:
    """The caller as an officer of one commune; supervisors do not register cases."""
    officer = await require_officer(session, telegram_user_id)
    if not policy.is_commune_officer(officer):
        raise UserError("cases.officer_only")
    return officer


async def visible_case(session: AsyncSession, officer: Officer, code: str) -> Case:
    """The case with this code, if the officer may see it."""
    wanted = normalise_code(code)
    case = await session.scalar(select(Case).where(Case.code == wanted)) if wanted else None
    if case is None or not may_see(officer, case):
        # The same answer for "no such case" and "not yours": codes reveal nothing.
        raise UserError("cases.not_found", code=(wanted or code.strip())[:12])
    return case
