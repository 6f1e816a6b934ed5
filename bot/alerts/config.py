"""The deployment's time zone, quiet hours and language, as the alert functions read them."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.config import AlertSettings, Settings


@dataclass(frozen=True)
class AlertConfig:
    """What the alert functions need from the settings."""

    tz: ZoneInfo
    settings: AlertSettings
    language: str


# Set by AlertService from the deployment's settings; defaults serve tests of other modules.
_config = AlertConfig(ZoneInfo("Asia/Ho_Chi_Minh"), AlertSettings(), "vi")


def configure(settings: Settings) -> None:
    """Give the module functions the deployment's time zone, quiet hours and language."""
    global _config
    _config = AlertConfig(settings.schedule.tz, settings.alerts, settings.deployment.language)


def current() -> AlertConfig:
    """The configuration the alert functions use now."""
    return _config
