"""The deployment's time zone, quiet hours and language, as the alert functions need them."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.config import AlertSettings, Settings


@dataclass(frozen=True)
class AlertConfig:
    """What the alert functions need from the settings; each service builds it once."""

    tz: ZoneInfo
    settings: AlertSettings
    language: str

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertConfig:
        """The alert configuration of a deployment."""
        return cls(settings.schedule.tz, settings.alerts, settings.deployment.language)
