"""Typed settings loaded from a TOML file and the environment, validated at start-up."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vietnam_provinces import Province

from bot.messaging.sms.settings import ESMS_FIELDS, AndroidSettings, BrandnameSettings
from bot.messaging.zalo import wire as zalo_wire
from geofence import GeofenceSettings

# Every message exists in these languages; the first is the default.
LANGUAGES = ("vi", "en")
DEFAULT_CONFIG_FILE = "cachly.toml"
ENV_CONFIG_FILE = "CACHLY_CONFIG"
ENV_TOKEN = "CACHLY_TELEGRAM_TOKEN"
ENV_DATABASE_URL = "CACHLY_DATABASE_URL"
ENV_REPORTS_SECRET = "CACHLY_REPORTS_SECRET"
ENV_WEBHOOK_SECRET = "CACHLY_TELEGRAM_WEBHOOK_SECRET"
ENV_WEB_SECRET = "CACHLY_WEB_SECRET"
# The SMS gateways' secrets ([sms.brandname], [sms.android]): better here than in the file.
ENV_SMS_SECRETS = {
    "api_key": "CACHLY_SMS_API_KEY",
    "secret_key": "CACHLY_SMS_SECRET_KEY",
    "callback_token": "CACHLY_SMS_CALLBACK_TOKEN",
    "mo_private_key": "CACHLY_SMS_MO_PRIVATE_KEY",
    "password": "CACHLY_SMS_ANDROID_PASSWORD",
    "signing_key": "CACHLY_SMS_SIGNING_KEY",
}
SMS_GATEWAYS = ("", "brandname", "android")


class ConfigError(Exception):
    """A wrong or missing setting; the message is one line naming the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


def file_url_of(base_url: str) -> str:
    """The download URL of the Bot API server at `base_url` (its /bot becomes /file/bot)."""
    if not base_url:
        return ""  # Telegram's own, PTB's default
    head, bot, tail = base_url.rpartition("/bot")
    if bot:
        return f"{head}/file/bot{tail}"
    return base_url.rstrip("/") + "/file/bot"


@dataclass(frozen=True)
class TelegramSettings:
    """How to reach Telegram."""

    token: str = ""
    base_url: str = ""
    base_file_url: str = ""
    bot_username: str = ""
    mode: str = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443


# The key of the one bot of a configuration without [[bots]]; outbox rows written before
# bots had keys belong to it (migrations/versions/0011_bots.py).
DEFAULT_BOT = "default"
_BOT_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class BotSettings:
    """One Telegram bot of the deployment and the provinces it serves."""

    key: str = DEFAULT_BOT
    provinces: tuple[int, ...] = (38,)
    token: str = field(default="", repr=False)
    username: str = ""
    webhook_secret: str = field(default="", repr=False)
    # A Bot API server of its own (a stand-in per bot in tests and benchmarks); empty:
    # telegram.base_url.
    base_url: str = ""


@dataclass(frozen=True)
class DatabaseSettings:
    """Where state lives."""

    url: str = "sqlite+aiosqlite:///cachly.sqlite3"
    echo: bool = False

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite database."""
        return self.url.startswith("sqlite")


@dataclass(frozen=True)
class DeploymentSettings:
    """For whom this deployment runs."""

    language: str = "vi"
    provinces: tuple[int, ...] = (38,)


@dataclass(frozen=True)
class ScheduleSettings:
    """Local time of the deployment."""

    timezone: str = "Asia/Ho_Chi_Minh"

    @property
    def tz(self) -> ZoneInfo:
        """The deployment's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class InvitationSettings:
    """One-time links for officers and supervisors."""

    ttl_hours: int = 72


@dataclass(frozen=True)
class OutboxSettings:
    """Pacing and retries of the outbox sender."""

    # Telegram allows about 30 a second overall (1,000 with paid broadcasts) and 1 a second
    # to one chat; the sender stays a little under.
    rate_per_second: float = 25.0
    per_chat_interval_seconds: float = 1.0
    paid_broadcast: bool = False
    max_in_flight: int = 100
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 300.0
    max_attempts: int = 12
    # Long, so that an answer which is merely slow is not taken for a lost one (a lost
    # answer leaves the message's fate unknown: see bot/messaging/sender.py).
    request_timeout_seconds: float = 30.0
    idle_poll_seconds: float = 1.0
    lease_seconds: float = 120.0
    # Each sender beats this often; one whose beat stood still `owner_stale_seconds` is dead
    # and the rows it was sending are settled (bot/messaging/seat.py).
    heartbeat_seconds: float = 1.0
    owner_stale_seconds: float = 3.0
    # Direct replies to one chat: this many at once, then one per per_chat_interval_seconds.
    reply_burst: int = 3
    # The service's own count over any second, the pacing's safety net (set by the code
    # that knows the service: Telegram's 30 a bot, 1,000 with paid broadcasts); None: the
    # rate itself. Apart from the rate because the safety net counts calls still in
    # flight (bot/messaging/slots.py): against the rate itself it would hold each bot
    # about a request's latency below the rate it was given.
    limit_per_second: float | None = None


@dataclass(frozen=True)
class CaseSettings:
    """Registration, enrolment and the end of isolation."""

    # Default isolation length per kind, in days (the officer may give another end date).
    f0_days: int = 7
    f1_days: int = 7
    other_days: int = 7
    link_ttl_hours: int = 72
    # A case not enrolled this long after registration is shown to its officers.
    enrol_deadline_hours: int = 24
    home_radius_m: int = 50
    # Local time on the end date when cases are released (not at midnight: people sleep).
    release_time: str = "07:00"
    import_max_bytes: int = 2 * 1024 * 1024
    import_max_rows: int = 5000

    def days_for(self, kind: str) -> int:
        """The default isolation length of a kind."""
        return {"f0": self.f0_days, "f1": self.f1_days}.get(kind, self.other_days)


@dataclass(frozen=True)
class CheckinSettings:
    """The check-in schedule: local times per kind, spread, window, reminder, spot checks."""

    f0_times: tuple[str, ...] = ("08:00", "14:00", "20:00")
    f1_times: tuple[str, ...] = ("08:00", "17:00")
    other_times: tuple[str, ...] = ("08:00", "17:00")
    spread_minutes: int = 30
    window_minutes: int = 120
    reminder_minutes: int = 60
    unreachable_after_rounds: int = 3
    horizon_hours: int = 24
    tick_seconds: int = 20
    spo2_recheck_seconds: int = 60
    spot_check_kinds: tuple[str, ...] = ()
    spot_checks_per_day: int = 1
    waking_start: str = "07:00"
    waking_end: str = "21:00"
    spot_window_minutes: int = 20

    def times_for(self, kind: str) -> tuple[str, ...]:
        """The default check-in times of a kind of case."""
        return {"f0": self.f0_times, "f1": self.f1_times}.get(kind, self.other_times)


@dataclass(frozen=True)
class TriageSettings:
    """The Ministry of Health's warning signs for people cared for at home."""

    spo2_max: int = 96  # at or below: re-measure, then alert
    breaths_adult: int = 20  # at or above, age 12 and over
    breaths_age_5_11: int = 30
    breaths_age_1_4: int = 40
    pulse_max: int = 120  # above
    pulse_min: int = 50  # below
    temperature_max: float = 39.0  # at or above


@dataclass(frozen=True)
class ReportSettings:
    """Citizen reports: the reporter key, limits, case matching and how long reports stay."""

    # Key of the HMAC that stands for a reporter's Telegram id. Every worker must share it,
    # so it is never generated on the fly; without one /report is switched off.
    secret: str = field(default="", repr=False)
    secret_file: str = ""
    per_hour: int = 3
    per_day: int = 10
    # A reporter whose reports were marked as abuse this often gets abuser_per_day a day.
    abuse_marks: int = 2
    abuser_per_day: int = 1
    min_length: int = 10
    max_length: int = 1000
    max_photo_mb: int = 10
    case_distance_m: int = 100
    keep_days: int = 30

    @property
    def enabled(self) -> bool:
        """Whether /report can run (a secret is configured)."""
        return bool(self.secret)


@dataclass(frozen=True)
class AlertSettings:
    """Escalation deadlines, quiet hours, the home-not-set delay and the daily digest."""

    sos_minutes: int = 5
    danger_signs_minutes: int = 15
    out_of_zone_minutes: int = 30
    missed_checkin_minutes: int = 60
    other_minutes: int = 240
    # The second escalation comes at this multiple of the kind's deadline.
    second_escalation_factor: int = 3
    quiet_start: str = "22:00"
    quiet_end: str = "06:00"
    home_not_set_hours: int = 6
    digest_time: str = "19:00"
    tick_seconds: int = 30

    def deadline_minutes(self, kind: str) -> int:
        """Minutes an alert of this kind may stay unacknowledged before it escalates."""
        return {
            "sos": self.sos_minutes,
            "danger_signs": self.danger_signs_minutes,
            "out_of_zone": self.out_of_zone_minutes,
            "missed_checkin": self.missed_checkin_minutes,
        }.get(kind, self.other_minutes)


@dataclass(frozen=True)
class RetentionSettings:
    """How long a closed case's locations and answers, and sent messages' texts, are kept."""

    purge_after_days: int = 30


@dataclass(frozen=True)
class WebSettings:
    """The web desk: where it listens, its public address, map tiles, the cookie secret."""

    base_url: str = "http://127.0.0.1:8080"
    host: str = "127.0.0.1"
    port: int = 8080
    # Empty: the communes are drawn on a plain background, nothing is fetched.
    tile_url: str = ""
    secret: str = ""
    signin_minutes: int = 10
    session_hours: int = 8

    @property
    def secure(self) -> bool:
        """Whether cookies are marked Secure (the desk is reached over TLS)."""
        return self.base_url.startswith("https://")


@dataclass(frozen=True)
class ZaloTemplateSettings:
    """A ZNS template Zalo approved, for the outbox rows of one purpose.

    `params`: (name, source, max_length) each; a source is text, date, time or =<value>
    (bot/messaging/zalo/templates.py).
    """

    purpose: str
    template_id: str
    params: tuple[tuple[str, str, int], ...]
    price_vnd: int = 300


@dataclass(frozen=True)
class ZaloSettings:
    """The Zalo Official Account channel: the OA's app, its secrets, its webhook, templates."""

    enabled: bool = False
    app_id: str = ""
    oa_id: str = ""
    app_secret: str = field(default="", repr=False)
    oa_secret_key: str = field(default="", repr=False)
    # The operator's first refresh token; from then on token_file holds the rotated one.
    refresh_token: str = field(default="", repr=False)
    token_file: str = ""
    openapi_url: str = zalo_wire.OPENAPI_URL
    oauth_url: str = zalo_wire.OAUTH_URL
    business_url: str = zalo_wire.BUSINESS_URL
    webhook_path: str = "/zalo/webhook"
    # Zalo publishes no rate for the OA API; the sender stays well under what is known.
    rate_per_second: float = 10.0
    templates: tuple[ZaloTemplateSettings, ...] = ()


@dataclass(frozen=True)
class SmsSettings:
    """[sms]: the gateway of people on SMS ("" = none), how long a text may be, replies."""

    gateway: str = ""
    max_segments: int = 2
    rate_per_second: float = 5.0
    # Replies through a short code (a brandname cannot be answered): its keyword and number.
    reply_keyword: str = ""
    reply_number: str = ""
    # Send a one-time link to the web desk's location page with a location question.
    location_links: bool = True
    brandname: BrandnameSettings = field(default_factory=BrandnameSettings)
    android: AndroidSettings = field(default_factory=AndroidSettings)

    @property
    def enabled(self) -> bool:
        """Whether people can be reached by SMS."""
        return bool(self.gateway)


@dataclass(frozen=True)
class Settings:
    """Every setting of a deployment."""

    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    deployment: DeploymentSettings = field(default_factory=DeploymentSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    invitations: InvitationSettings = field(default_factory=InvitationSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    checkins: CheckinSettings = field(default_factory=CheckinSettings)
    triage: TriageSettings = field(default_factory=TriageSettings)
    geofence: GeofenceSettings = field(default_factory=GeofenceSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    cases: CaseSettings = field(default_factory=CaseSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    web: WebSettings = field(default_factory=WebSettings)
    zalo: ZaloSettings = field(default_factory=ZaloSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    # The [[bots]] of the configuration, each serving its own provinces; empty without
    # [[bots]] (all_bots then holds one: telegram.token serving deployment.provinces).
    bots: tuple[BotSettings, ...] = ()
    # The bot these settings were narrowed to (for_bot), or "" for the whole deployment.
    bot: str = ""

    @property
    def all_bots(self) -> tuple[BotSettings, ...]:
        """Every bot, the implicit one of a configuration without [[bots]] included."""
        if self.bots:
            return self.bots
        return (_implicit_bot(self.telegram, self.deployment),)

    def bot_of(self, province: int) -> str:
        """The key of the bot serving a province (the first bot for one nobody serves)."""
        bots = self.all_bots
        return next((b.key for b in bots if province in b.provinces), bots[0].key)

    def webhook_url_of(self, key: str) -> str:
        """The public URL Telegram posts a bot's updates to.

        One bot: telegram.webhook_url as it is. Several: telegram.webhook_url is the proxy's
        public base, and each bot has a path of its own under it, /telegram/<key>.
        """
        base = self.telegram.webhook_url
        return f"{base.rstrip('/')}/telegram/{key}" if self.bots else base

    def for_bot(self, key: str) -> Settings:
        """These settings as one bot sees them: its token, username, secret and provinces."""
        chosen = next((b for b in self.all_bots if b.key == key), None)
        if chosen is None:
            raise ConfigError("bots", f"no bot has the key '{key}'")
        telegram = replace(
            self.telegram,
            token=chosen.token,
            bot_username=chosen.username,
            webhook_secret=chosen.webhook_secret,
            base_url=chosen.base_url or self.telegram.base_url,
            base_file_url=(
                file_url_of(chosen.base_url) if chosen.base_url else self.telegram.base_file_url
            ),
        )
        deployment = replace(self.deployment, provinces=chosen.provinces)
        return replace(self, telegram=telegram, deployment=deployment, bot=key)


def _implicit_bot(telegram: TelegramSettings, deployment: DeploymentSettings) -> BotSettings:
    return BotSettings(
        key=DEFAULT_BOT,
        provinces=deployment.provinces,
        token=telegram.token,
        username=telegram.bot_username,
        webhook_secret=telegram.webhook_secret,
    )


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from a TOML file (optional) and the environment, and validate them."""
    env = os.environ if environ is None else environ
    if path is None and env.get(ENV_CONFIG_FILE):
        path = Path(env[ENV_CONFIG_FILE])
    if path is None and Path(DEFAULT_CONFIG_FILE).exists():
        path = Path(DEFAULT_CONFIG_FILE)
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config", f"file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("config", f"{path} is not valid TOML ({exc})") from None
    return settings_from_mapping(raw, env)


def settings_from_mapping(raw: Mapping[str, Any], env: Mapping[str, str]) -> Settings:
    """Build validated settings from parsed TOML and environment variables."""
    return _build(_Reader(raw), env)


def known_keys() -> set[str]:
    """Every dotted key the settings read, to check that the example documents them all."""
    reader = _Reader({})
    _build(reader, {})
    return reader.read_keys()


def _build(reader: _Reader, env: Mapping[str, str]) -> Settings:
    telegram = reader.table("telegram")
    tg = _telegram_settings(telegram, env)
    db = _database_settings(reader.table("database"), env)
    sched = _schedule_settings(reader.table("schedule"))
    dep = _deployment_settings(reader.table("deployment"))
    invitations = reader.table("invitations")
    inv = InvitationSettings(ttl_hours=invitations.integer("ttl_hours", 72, 1, 24 * 30))
    outbox = _outbox_settings(reader.table("outbox"))
    alerts = _alert_settings(reader.table("alerts"))
    checkins = _checkin_settings(reader.table("checkins"))
    triage = _triage_settings(reader.table("triage"))
    geo = _geofence_settings(reader.table("geofence"))
    reports = _report_settings(reader.table("reports"), env)
    cases = _case_settings(reader.table("cases"))
    retention = RetentionSettings(
        purge_after_days=reader.table("retention").integer("purge_after_days", 30, 1, 3650)
    )
    web = _web_settings(reader.table("web"), env)
    zalo = _zalo_settings(reader.table("zalo"), env)
    sms = _sms_settings(reader.table("sms"), env)
    bots = _bots_settings(reader, telegram.has("token"), dep, env)
    reader.reject_unknown()
    return Settings(
        bots=bots,
        web=web,
        zalo=zalo,
        sms=sms,
        reports=reports,
        checkins=checkins,
        triage=triage,
        geofence=geo,
        outbox=outbox,
        alerts=alerts,
        telegram=tg,
        database=db,
        deployment=dep,
        schedule=sched,
        invitations=inv,
        cases=cases,
        retention=retention,
    )


def _telegram_settings(telegram: _Reader, env: Mapping[str, str]) -> TelegramSettings:
    # Read the file's value even when the environment wins, so it counts as a known key.
    file_token = telegram.string("token", "")
    token = env.get(ENV_TOKEN) or file_token
    mode = telegram.choice("mode", "polling", ("polling", "webhook"))
    webhook_url = telegram.string("webhook_url", "")
    file_secret = telegram.string("webhook_secret", "")
    webhook_secret = env.get(ENV_WEBHOOK_SECRET) or file_secret
    if mode == "webhook":
        if not webhook_url.startswith("https://"):
            raise ConfigError("telegram.webhook_url", "an https:// URL is needed in webhook mode")
        if not webhook_secret:
            raise ConfigError("telegram.webhook_secret", "a secret token is needed in webhook mode")
    base_url = telegram.string("base_url", "")
    return TelegramSettings(
        token=token,
        base_url=base_url,
        base_file_url=telegram.string("base_file_url", "") or file_url_of(base_url),
        bot_username=telegram.string("bot_username", "").lstrip("@"),
        mode=mode,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=telegram.string("webhook_listen", "127.0.0.1"),
        webhook_port=telegram.integer("webhook_port", 8443, 1, 65535),
    )


def _bots_settings(
    reader: _Reader,
    inline_token: bool,
    deployment: DeploymentSettings,
    env: Mapping[str, str],
) -> tuple[BotSettings, ...]:
    """The [[bots]] array, checked whole: each province served once, inside the deployment."""
    tables = reader.tables("bots")
    if not tables:
        # Left empty, not filled in: tests and tools replace telegram or deployment later,
        # and the implicit bot follows them (Settings.all_bots).
        return ()
    if inline_token:
        raise ConfigError(
            "telegram.token", "with [[bots]], each bot has its own token_env or token_file"
        )
    bots: list[BotSettings] = []
    served: dict[int, str] = {}
    for table in tables:
        bot = _bot_settings(table, env)
        if any(b.key == bot.key for b in bots):
            raise ConfigError(table._key("key"), f"two bots have the key '{bot.key}'")
        for code in bot.provinces:
            if code not in deployment.provinces:
                raise ConfigError(
                    table._key("provinces"), f"province {code} is not in deployment.provinces"
                )
            if code in served:
                raise ConfigError(
                    table._key("provinces"),
                    f"province {code} is served by bots '{served[code]}' and '{bot.key}'",
                )
            served[code] = bot.key
        bots.append(bot)
    unserved = [code for code in deployment.provinces if code not in served]
    if unserved:
        raise ConfigError("bots", f"no bot serves province {unserved[0]}")
    return tuple(bots)


def _bot_settings(table: _Reader, env: Mapping[str, str]) -> BotSettings:
    key = table.string("key", "")
    if not _BOT_KEY.fullmatch(key):
        raise ConfigError(
            table._key("key"), "expected a short name of a-z, 0-9, - and _ (up to 32 characters)"
        )
    codes = [_province_code(p, table._key("provinces")) for p in table.list("provinces", [])]
    if not codes:
        raise ConfigError(table._key("provinces"), "at least one province is needed")
    token = _secret(table, "token", env, required=True)
    return BotSettings(
        key=key,
        provinces=tuple(dict.fromkeys(codes)),
        token=token,
        username=table.string("username", "").lstrip("@"),
        webhook_secret=_secret(table, "webhook_secret", env, required=False),
        base_url=table.string("base_url", ""),
    )


def _secret(table: _Reader, name: str, env: Mapping[str, str], *, required: bool) -> str:
    """A secret named by `<name>_env` (a variable) or `<name>_file` (a path), never inline."""
    variable = table.string(f"{name}_env", "")
    path = table.string(f"{name}_file", "")
    if variable and path:
        raise ConfigError(table._key(f"{name}_file"), f"set {name}_env or {name}_file, not both")
    if variable:
        value = env.get(variable, "").strip()
        if not value and required:
            raise ConfigError(table._key(f"{name}_env"), f"the variable {variable} is not set")
        return value
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                table._key(f"{name}_file"), f"cannot read {path} ({exc.strerror})"
            ) from None
    if required:
        raise ConfigError(table._key(f"{name}_env"), f"set {name}_env or {name}_file")
    return ""


def _database_settings(database: _Reader, env: Mapping[str, str]) -> DatabaseSettings:
    file_url = database.string("url", DatabaseSettings.url)
    url = env.get(ENV_DATABASE_URL) or file_url
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            "database.url",
            f"expected sqlite+aiosqlite:///FILE or postgresql+asyncpg://..., got '{_scheme(url)}'",
        )
    return DatabaseSettings(url=url, echo=database.boolean("echo", False))


def _schedule_settings(schedule: _Reader) -> ScheduleSettings:
    timezone = schedule.string("timezone", ScheduleSettings.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("schedule.timezone", f"unknown time zone '{timezone}'") from None
    return ScheduleSettings(timezone=timezone)


def _deployment_settings(deployment: _Reader) -> DeploymentSettings:
    language = deployment.choice("language", "vi", LANGUAGES)
    # dict.fromkeys: a province named twice (by code and by name) is served once.
    provinces = tuple(dict.fromkeys(_province_code(p) for p in deployment.list("provinces", [38])))
    if not provinces:
        raise ConfigError("deployment.provinces", "at least one province is needed")
    return DeploymentSettings(language=language, provinces=provinces)


def _outbox_settings(table: _Reader) -> OutboxSettings:
    d = OutboxSettings()
    settings = OutboxSettings(
        rate_per_second=table.number("rate_per_second", d.rate_per_second, 0.1, 1000.0),
        per_chat_interval_seconds=table.number(
            "per_chat_interval_seconds", d.per_chat_interval_seconds, 0.0, 60.0
        ),
        paid_broadcast=table.boolean("paid_broadcast", d.paid_broadcast),
        max_in_flight=table.integer("max_in_flight", d.max_in_flight, 1, 1000),
        retry_base_seconds=table.number("retry_base_seconds", d.retry_base_seconds, 0.0, 3600.0),
        retry_max_seconds=table.number("retry_max_seconds", d.retry_max_seconds, 0.0, 86400.0),
        max_attempts=table.integer("max_attempts", d.max_attempts, 1, 100),
        request_timeout_seconds=table.number(
            "request_timeout_seconds", d.request_timeout_seconds, 0.1, 120.0
        ),
        idle_poll_seconds=table.number("idle_poll_seconds", d.idle_poll_seconds, 0.01, 60.0),
        lease_seconds=table.number("lease_seconds", d.lease_seconds, 1.0, 3600.0),
        heartbeat_seconds=table.number("heartbeat_seconds", d.heartbeat_seconds, 0.05, 60.0),
        owner_stale_seconds=table.number("owner_stale_seconds", d.owner_stale_seconds, 0.1, 600.0),
        reply_burst=table.integer("reply_burst", d.reply_burst, 1, 20),
    )
    if settings.lease_seconds <= settings.request_timeout_seconds:
        raise ConfigError(table._key("lease_seconds"), "expected more than request_timeout_seconds")
    if settings.owner_stale_seconds <= settings.heartbeat_seconds:
        raise ConfigError(table._key("owner_stale_seconds"), "expected more than heartbeat_seconds")
    return settings


def _local_time(table: _Reader, name: str, default: str) -> str:
    value = table.string(name, default)
    try:
        time.fromisoformat(value)
    except ValueError:
        raise ConfigError(table._key(name), f"expected HH:MM, got '{value}'") from None
    return value


def _times(table: _Reader, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = table.list(name, list(default))
    for value in values:
        if not isinstance(value, str):
            raise ConfigError(table._key(name), f'expected times like "08:00", got {value!r}')
        try:
            time.fromisoformat(value)
        except ValueError:
            raise ConfigError(table._key(name), f"expected HH:MM, got '{value}'") from None
    if not values or len(set(values)) != len(values):
        raise ConfigError(table._key(name), "expected at least one time, each once")
    return tuple(sorted(values))


def _checkin_settings(table: _Reader) -> CheckinSettings:
    d = CheckinSettings()
    kinds = tuple(table.list("spot_check_kinds", list(d.spot_check_kinds)))
    if any(kind not in ("f0", "f1", "other") for kind in kinds):
        raise ConfigError(table._key("spot_check_kinds"), "expected kinds among f0, f1, other")
    settings = CheckinSettings(
        f0_times=_times(table, "f0_times", d.f0_times),
        f1_times=_times(table, "f1_times", d.f1_times),
        other_times=_times(table, "other_times", d.other_times),
        spread_minutes=table.integer("spread_minutes", d.spread_minutes, 0, 180),
        window_minutes=table.integer("window_minutes", d.window_minutes, 5, 24 * 60),
        reminder_minutes=table.integer("reminder_minutes", d.reminder_minutes, 1, 24 * 60),
        unreachable_after_rounds=table.integer(
            "unreachable_after_rounds", d.unreachable_after_rounds, 1, 100
        ),
        horizon_hours=table.integer("horizon_hours", d.horizon_hours, 2, 24 * 7),
        tick_seconds=table.integer("tick_seconds", d.tick_seconds, 1, 600),
        spo2_recheck_seconds=table.integer("spo2_recheck_seconds", d.spo2_recheck_seconds, 0, 600),
        spot_check_kinds=kinds,
        spot_checks_per_day=table.integer("spot_checks_per_day", d.spot_checks_per_day, 1, 10),
        waking_start=_local_time(table, "waking_start", d.waking_start),
        waking_end=_local_time(table, "waking_end", d.waking_end),
        spot_window_minutes=table.integer("spot_window_minutes", d.spot_window_minutes, 5, 24 * 60),
    )
    if settings.reminder_minutes >= settings.window_minutes:
        raise ConfigError(table._key("reminder_minutes"), "expected less than window_minutes")
    if settings.waking_start >= settings.waking_end:
        raise ConfigError(table._key("waking_end"), "expected a time after waking_start")
    return settings


def _triage_settings(table: _Reader) -> TriageSettings:
    d = TriageSettings()
    return TriageSettings(
        spo2_max=table.integer("spo2_max", d.spo2_max, 50, 100),
        breaths_adult=table.integer("breaths_adult", d.breaths_adult, 5, 80),
        breaths_age_5_11=table.integer("breaths_age_5_11", d.breaths_age_5_11, 5, 80),
        breaths_age_1_4=table.integer("breaths_age_1_4", d.breaths_age_1_4, 5, 80),
        pulse_max=table.integer("pulse_max", d.pulse_max, 30, 220),
        pulse_min=table.integer("pulse_min", d.pulse_min, 30, 220),
        temperature_max=table.number("temperature_max", d.temperature_max, 34.0, 43.0),
    )


def _geofence_settings(table: _Reader) -> GeofenceSettings:
    d = GeofenceSettings()
    return GeofenceSettings(
        tolerance_m=table.number("tolerance_m", d.tolerance_m, 0.0, 500.0),
        max_accuracy_m=table.number("max_accuracy_m", d.max_accuracy_m, 10.0, 1500.0),
        assumed_accuracy_m=table.number("assumed_accuracy_m", d.assumed_accuracy_m, 0.0, 1500.0),
        max_fix_age_s=table.number("max_fix_age_s", d.max_fix_age_s, 10.0, 86400.0),
        max_speed_kmh=table.number("max_speed_kmh", d.max_speed_kmh, 10.0, 2000.0),
        min_jump_interval_s=table.number("min_jump_interval_s", d.min_jump_interval_s, 1.0, 3600.0),
        breach_min_seconds=table.number("breach_min_seconds", d.breach_min_seconds, 0.0, 86400.0),
        breach_min_fixes=table.integer("breach_min_fixes", d.breach_min_fixes, 1, 100),
    )


MIN_REPORT_SECRET = 32


def _report_settings(table: _Reader, env: Mapping[str, str]) -> ReportSettings:
    defaults = ReportSettings()
    inline = table.string("secret", "")
    secret_file = table.string("secret_file", "")
    if inline and secret_file:
        raise ConfigError(
            "reports.secret_file", "set reports.secret or reports.secret_file, not both"
        )
    secret = env.get(ENV_REPORTS_SECRET) or inline
    if not secret and secret_file:
        try:
            secret = Path(secret_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                "reports.secret_file", f"cannot read {secret_file} ({exc.strerror})"
            ) from None
    if secret and len(secret) < MIN_REPORT_SECRET:
        # Never echo the secret itself.
        raise ConfigError(
            "reports.secret",
            f"expected at least {MIN_REPORT_SECRET} characters; make one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
        )
    per_hour = table.integer("per_hour", defaults.per_hour, 1, 100)
    per_day = table.integer("per_day", defaults.per_day, per_hour, 1000)
    min_length = table.integer("min_length", defaults.min_length, 1, 1000)
    return ReportSettings(
        secret=secret,
        secret_file=secret_file,
        per_hour=per_hour,
        per_day=per_day,
        abuse_marks=table.integer("abuse_marks", defaults.abuse_marks, 1, 100),
        abuser_per_day=table.integer("abuser_per_day", defaults.abuser_per_day, 1, per_day),
        min_length=min_length,
        max_length=table.integer("max_length", defaults.max_length, min_length, 3000),
        max_photo_mb=table.integer("max_photo_mb", defaults.max_photo_mb, 1, 10),
        case_distance_m=table.integer("case_distance_m", defaults.case_distance_m, 0, 5000),
        keep_days=table.integer("keep_days", defaults.keep_days, 1, 3650),
    )


def _long_secret(table: _Reader, env: Mapping[str, str], env_name: str) -> str:
    """A signing secret from the environment, the file's `secret`, or its `secret_file`."""
    inline = table.string("secret", "")
    secret_file = table.string("secret_file", "")
    if inline and secret_file:
        raise ConfigError(table._key("secret_file"), "set secret or secret_file, not both")
    secret = env.get(env_name) or inline
    if not secret and secret_file:
        try:
            secret = Path(secret_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                table._key("secret_file"), f"cannot read {secret_file} ({exc.strerror})"
            ) from None
    if secret and len(secret) < MIN_REPORT_SECRET:
        raise ConfigError(table._key("secret"), f"expected at least {MIN_REPORT_SECRET} characters")
    return secret


def _web_settings(table: _Reader, env: Mapping[str, str]) -> WebSettings:
    d = WebSettings()
    base_url = table.string("base_url", d.base_url).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(table._key("base_url"), "expected an http:// or https:// URL")
    return WebSettings(
        base_url=base_url,
        host=table.string("host", d.host),
        port=table.integer("port", d.port, 1, 65535),
        tile_url=table.string("tile_url", d.tile_url),
        secret=_long_secret(table, env, ENV_WEB_SECRET),
        signin_minutes=table.integer("signin_minutes", d.signin_minutes, 1, 60),
        session_hours=table.integer("session_hours", d.session_hours, 1, 24),
    )


def _zalo_settings(table: _Reader, env: Mapping[str, str]) -> ZaloSettings:
    d = ZaloSettings()
    enabled = table.boolean("enabled", d.enabled)
    settings = ZaloSettings(
        enabled=enabled,
        app_id=table.string("app_id", d.app_id),
        oa_id=table.string("oa_id", d.oa_id),
        app_secret=_secret(table, "app_secret", env, required=enabled),
        oa_secret_key=_secret(table, "oa_secret_key", env, required=enabled),
        refresh_token=_secret(table, "refresh_token", env, required=False),
        token_file=table.string("token_file", d.token_file),
        openapi_url=_base_url(table, "openapi_url", d.openapi_url),
        oauth_url=_base_url(table, "oauth_url", d.oauth_url),
        business_url=_base_url(table, "business_url", d.business_url),
        webhook_path=table.string("webhook_path", d.webhook_path),
        rate_per_second=table.number("rate_per_second", d.rate_per_second, 0.1, 1000.0),
        templates=tuple(_zalo_template(t) for t in table.tables("templates")),
    )
    if not settings.webhook_path.startswith("/"):
        raise ConfigError(table._key("webhook_path"), "expected a path starting with /")
    purposes = [template.purpose for template in settings.templates]
    if len(set(purposes)) != len(purposes):
        raise ConfigError(table._key("templates"), "two templates for one purpose")
    if enabled and not settings.app_id:
        raise ConfigError(table._key("app_id"), "the OA's app id is needed")
    if enabled and not settings.token_file:
        raise ConfigError(
            table._key("token_file"), "a file for the rotating refresh token is needed"
        )
    return settings


def _base_url(table: _Reader, name: str, default: str) -> str:
    value = table.string(name, default).rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(table._key(name), "expected an http:// or https:// URL")
    return value


# A template parameter's source, and its maximum length after a colon: "text:120".
_ZNS_SOURCE = re.compile(r"(text|date|time|=.*?)(?::([0-9]+))?")


def _zalo_template(table: _Reader) -> ZaloTemplateSettings:
    purpose = table.string("purpose", "")
    template_id = table.string("template_id", "")
    if not purpose or not template_id:
        raise ConfigError(table._key("template_id"), "a template needs its purpose and id")
    raw = table._get("params", {})
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(table._key("params"), 'expected a table of name = "source[:length]"')
    params: list[tuple[str, str, int]] = []
    for name, spec in raw.items():
        match = _ZNS_SOURCE.fullmatch(spec) if isinstance(spec, str) else None
        if match is None:
            raise ConfigError(
                table._key("params"),
                f"{name}: expected text, date, time or =value, with an optional :length",
            )
        params.append((str(name), match.group(1), int(match.group(2) or 0)))
    return ZaloTemplateSettings(
        purpose=purpose,
        template_id=template_id,
        params=tuple(params),
        price_vnd=table.integer("price_vnd", 300, 0, 100_000),
    )


def _sms_settings(table: _Reader, env: Mapping[str, str]) -> SmsSettings:
    d = SmsSettings()
    gateway = table.choice("gateway", d.gateway, SMS_GATEWAYS)
    brandname = _brandname_settings(table.table("brandname"), env)
    android = _android_settings(table.table("android"), env)
    if gateway == "brandname":
        for name in ("api_key", "secret_key", "brandname"):
            if not getattr(brandname, name):
                raise ConfigError(f"sms.brandname.{name}", "needed for the brandname gateway")
    if gateway == "android" and not (android.password and android.signing_key):
        raise ConfigError("sms.android", "the app's password and signing_key are needed")
    return SmsSettings(
        gateway=gateway,
        max_segments=table.integer("max_segments", d.max_segments, 1, 6),
        rate_per_second=table.number("rate_per_second", d.rate_per_second, 0.01, 1000),
        reply_keyword=table.string("reply_keyword", d.reply_keyword),
        reply_number=table.string("reply_number", d.reply_number),
        location_links=table.boolean("location_links", d.location_links),
        brandname=brandname,
        android=android,
    )


def _sms_secret(table: _Reader, name: str, env: Mapping[str, str]) -> str:
    # Read the file's value even when the environment wins, so it counts as a known key.
    inline = table.string(name, "")
    return env.get(ENV_SMS_SECRETS[name]) or inline


def _codes(table: _Reader, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = table.list(name, list(default))
    if not all(isinstance(v, str) for v in values):
        raise ConfigError(table._key(name), "expected a list of strings")
    return tuple(values)


def _brandname_settings(table: _Reader, env: Mapping[str, str]) -> BrandnameSettings:
    d = BrandnameSettings()
    names = table.table("fields")
    fields = {ours: names.string(ours, theirs) for ours, theirs in ESMS_FIELDS.items()}
    return BrandnameSettings(
        api_key=_sms_secret(table, "api_key", env),
        secret_key=_sms_secret(table, "secret_key", env),
        brandname=table.string("brandname", d.brandname),
        url=table.string("url", d.url),
        sms_type=table.string("sms_type", d.sms_type),
        callback_url=table.string("callback_url", d.callback_url),
        callback_token=_sms_secret(table, "callback_token", env),
        sandbox=table.boolean("sandbox", d.sandbox),
        phone_format=table.choice(
            "phone_format", d.phone_format, ("national", "international", "e164")
        ),
        fields={k: v for k, v in fields.items() if v != ESMS_FIELDS[k]},
        ok_codes=_codes(table, "ok_codes", d.ok_codes),
        invalid_number_codes=_codes(table, "invalid_number_codes", d.invalid_number_codes),
        rate_limit_codes=_codes(table, "rate_limit_codes", d.rate_limit_codes),
        rate_limit_seconds=table.number("rate_limit_seconds", d.rate_limit_seconds, 0.1, 3600),
        timeout_seconds=table.number("timeout_seconds", d.timeout_seconds, 1, 120),
        mo_cpid=table.string("mo_cpid", d.mo_cpid),
        mo_private_key=_sms_secret(table, "mo_private_key", env),
    )


def _android_settings(table: _Reader, env: Mapping[str, str]) -> AndroidSettings:
    d = AndroidSettings()
    sim = table.integer("sim_number", 0, 0, 3)
    ttl = table.integer("ttl_seconds", d.ttl_seconds or 0, 0, 7 * 24 * 3600)
    return AndroidSettings(
        login=table.string("login", d.login),
        password=_sms_secret(table, "password", env),
        base_url=table.string("base_url", d.base_url),
        signing_key=_sms_secret(table, "signing_key", env),
        webhook_tolerance_seconds=table.integer(
            "webhook_tolerance_seconds", d.webhook_tolerance_seconds, 10, 3600
        ),
        sim_number=sim or None,
        ttl_seconds=ttl or None,
        priority=table.integer("priority", d.priority, -128, 127),
        rate_limit_seconds=table.number("rate_limit_seconds", d.rate_limit_seconds, 0.1, 3600),
        timeout_seconds=table.number("timeout_seconds", d.timeout_seconds, 1, 120),
    )


def _case_settings(table: _Reader) -> CaseSettings:
    defaults = CaseSettings()
    release_time = table.string("release_time", defaults.release_time)
    try:
        time.fromisoformat(release_time)
    except ValueError:
        raise ConfigError("cases.release_time", f"expected HH:MM, got '{release_time}'") from None
    return CaseSettings(
        f0_days=table.integer("f0_days", defaults.f0_days, 1, 60),
        f1_days=table.integer("f1_days", defaults.f1_days, 1, 60),
        other_days=table.integer("other_days", defaults.other_days, 1, 60),
        link_ttl_hours=table.integer("link_ttl_hours", defaults.link_ttl_hours, 1, 24 * 30),
        enrol_deadline_hours=table.integer(
            "enrol_deadline_hours", defaults.enrol_deadline_hours, 1, 24 * 30
        ),
        home_radius_m=table.integer("home_radius_m", defaults.home_radius_m, 10, 1000),
        release_time=release_time,
        import_max_bytes=table.integer(
            "import_max_bytes", defaults.import_max_bytes, 1024, 20 * 1024 * 1024
        ),
        import_max_rows=table.integer("import_max_rows", defaults.import_max_rows, 1, 100_000),
    )


def _alert_settings(table: _Reader) -> AlertSettings:
    d = AlertSettings()
    return AlertSettings(
        sos_minutes=table.integer("sos_minutes", d.sos_minutes, 1, 24 * 60),
        danger_signs_minutes=table.integer(
            "danger_signs_minutes", d.danger_signs_minutes, 1, 24 * 60
        ),
        out_of_zone_minutes=table.integer("out_of_zone_minutes", d.out_of_zone_minutes, 1, 24 * 60),
        missed_checkin_minutes=table.integer(
            "missed_checkin_minutes", d.missed_checkin_minutes, 1, 24 * 60
        ),
        other_minutes=table.integer("other_minutes", d.other_minutes, 1, 7 * 24 * 60),
        second_escalation_factor=table.integer(
            "second_escalation_factor", d.second_escalation_factor, 2, 100
        ),
        quiet_start=_local_time(table, "quiet_start", d.quiet_start),
        quiet_end=_local_time(table, "quiet_end", d.quiet_end),
        home_not_set_hours=table.integer("home_not_set_hours", d.home_not_set_hours, 1, 24 * 30),
        digest_time=_local_time(table, "digest_time", d.digest_time),
        tick_seconds=table.integer("tick_seconds", d.tick_seconds, 1, 3600),
    )


def _scheme(url: str) -> str:
    # Never echo a full URL: it may carry a password.
    return url.split("://", 1)[0] + "://" if "://" in url else url[:20]


def _province_code(value: object, key: str = "deployment.provinces") -> int:
    """Accept an official province code (int or digits) or a name like 'Thanh Hóa'."""
    from bot.text import bare_name, fold

    provinces = list(Province.iter_all())
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdecimal()):
        code = int(value)
        if any(int(p.code) == code for p in provinces):
            return code
        raise ConfigError(key, f"no province has the code {code}")
    if isinstance(value, str):
        wanted = fold(value)
        for p in provinces:
            names = {fold(p.name), fold(bare_name(p.name))}
            if wanted in names:
                return int(p.code)
        raise ConfigError(key, f"unknown province '{value}'")
    raise ConfigError(key, "expected province codes or names")


class _Reader:
    """Typed access to one TOML table, raising ConfigError with the dotted key."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        self._data = data
        self._prefix = prefix
        self._seen: set[str] = set()
        self._tables: list[_Reader] = []
        self._arrays: set[str] = set()

    def _key(self, name: str) -> str:
        self._seen.add(name)
        return f"{self._prefix}{name}"

    def _get(self, name: str, default: Any) -> Any:
        self._seen.add(name)
        return self._data.get(name, default)

    def read_keys(self) -> set[str]:
        """The dotted keys read so far (tables by their keys, not by their own name)."""
        tables = {table._prefix: table for table in self._tables}
        keys: set[str] = set()
        for name in self._seen:
            table = tables.get(f"{self._prefix}{name}.")
            keys |= table.read_keys() if table is not None else {f"{self._prefix}{name}"}
        return keys

    def reject_unknown(self) -> None:
        """Refuse keys nobody reads: a typo must not silently fall back to a default."""
        for name in self._data:
            if name not in self._seen and name not in self._arrays:
                raise ConfigError(f"{self._prefix}{name}", "unknown key")
        for table in self._tables:
            table.reject_unknown()

    def table(self, name: str) -> _Reader:
        value = self._get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigError(self._key(name), "expected a table")
        reader = _Reader(value, f"{self._key(name)}.")
        self._tables.append(reader)
        return reader

    def has(self, name: str) -> bool:
        """Whether the table gives this key at all."""
        return name in self._data

    def tables(self, name: str) -> list[_Reader]:
        """An array of tables ([[name]]), each read as a table of its own."""
        # Not among read_keys: an array has no defaults for the example to document.
        self._arrays.add(name)
        value = self._data.get(name, [])
        key = f"{self._prefix}{name}"
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise ConfigError(key, "expected an array of tables ([[...]])")
        readers = [_Reader(v, f"{key}[{i}].") for i, v in enumerate(value)]
        self._tables.extend(readers)
        return readers

    def string(self, name: str, default: str) -> str:
        value = self._get(name, default)
        if not isinstance(value, str):
            raise ConfigError(self._key(name), f"expected a string, got {value!r}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(self._key(name), f"expected true or false, got {value!r}")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self._get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(self._key(name), f"expected a whole number, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(self._key(name), f"expected {low}–{high}, got {value}")
        return value

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self._get(name, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConfigError(self._key(name), f"expected a number, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(self._key(name), f"expected {low}–{high}, got {value}")
        return float(value)

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.string(name, default)
        if value not in allowed:
            raise ConfigError(
                self._key(name), f"expected one of {', '.join(allowed)}, got '{value}'"
            )
        return value

    def list(self, name: str, default: list[Any]) -> list[Any]:
        value = self._get(name, default)
        if not isinstance(value, list):
            raise ConfigError(self._key(name), f"expected a list, got {value!r}")
        return value
