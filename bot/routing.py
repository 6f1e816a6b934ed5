"""Which bot speaks for which provinces, carried by every unit of work.

A deployment may have several bots, each serving its own provinces (config [[bots]]).
Each bot's Application runs on services whose sessions carry that bot's routing: the
outbox rows they queue name the bot of the recipient's province, and whoever writes to
the bot from another bot's province is a stranger there (`served`). The periodic ticks
run on sessions of the whole deployment: they see every province and still queue each
row for the bot of its province.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import DEFAULT_BOT, Settings

ROUTING_KEY = "routing"


@dataclass(frozen=True)
class Routing:
    """Every bot's provinces, and the bot (if any) this unit of work speaks for."""

    # (bot key, its provinces), in configuration order.
    bots: tuple[tuple[str, tuple[int, ...]], ...] = ((DEFAULT_BOT, ()),)
    bot: str = ""  # "" for the whole deployment (the ticks, the command line)

    @classmethod
    def of(cls, settings: Settings) -> Routing:
        """The routing of settings, narrowed to their bot when they were (Settings.for_bot)."""
        return cls(tuple((b.key, b.provinces) for b in settings.all_bots), settings.bot)

    def bot_of(self, province: int | None) -> str:
        """The bot that writes to someone of this province (without one: this unit's bot)."""
        if province is not None:
            for key, provinces in self.bots:
                if province in provinces:
                    return key
        return self.bot or self.bots[0][0]

    @property
    def provinces(self) -> tuple[int, ...] | None:
        """The provinces of this unit's bot; None for the whole deployment."""
        if not self.bot:
            return None
        return next((p for key, p in self.bots if key == self.bot), ())

    def serves(self, province: int | None) -> bool:
        """Whether someone of this province may be dealt with through this unit's bot."""
        provinces = self.provinces
        return provinces is None or province in provinces


WHOLE = Routing()


def routing_of(session: AsyncSession) -> Routing:
    """The routing a session was opened with (the whole deployment's by default)."""
    routing = session.info.get(ROUTING_KEY)
    return routing if isinstance(routing, Routing) else WHOLE


def served(session: AsyncSession, province_column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping rows of the provinces this session's bot serves."""
    provinces = routing_of(session).provinces
    clause: ColumnElement[bool] = true() if provinces is None else province_column.in_(provinces)
    return clause
