"""The SMS gateways' settings: plain values, read from `[sms]` by bot/config.py.

Kept apart from the gateways so that configuration needs neither httpx nor the Android
client. The brandname defaults are eSMS.vn's (API V4, 2025 docs); the Android ones the
app's client's (android-sms-gateway 4.3: the cloud server's address).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# The Android client's default address (android_sms_gateway.constants.DEFAULT_URL).
ANDROID_CLOUD_URL = "https://api.sms-gate.app/3rdparty/v1"

ESMS_SEND_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
# eSMS's names for what cachly sends and reads; `fields` in the settings overrides any.
ESMS_FIELDS: Mapping[str, str] = {
    # the send request
    "api_key": "ApiKey",
    "secret_key": "SecretKey",
    "brandname": "Brandname",
    "phone": "Phone",
    "text": "Content",
    "sms_type": "SmsType",
    "unicode": "IsUnicode",
    "sandbox": "Sandbox",
    "callback_url": "CallbackUrl",
    "request_id": "RequestId",
    # its answer
    "result": "CodeResult",
    "message_id": "SMSID",
    "error": "ErrorMessage",
    # the delivery report
    "report_id": "SMSID",
    "report_status": "SendStatus",
    "report_success": "SendSuccess",
    "report_failed": "SendFailed",
    "report_phone": "phonenumber",
    # a reply to the short code (MO)
    "mo_sender": "sender",
    "mo_content": "content",
    "mo_keyword": "keyword",
    "mo_id": "smsid",
    "mo_time": "receiverTime",
    "mo_cpid": "cpid",
    "mo_sign": "sign",
}
# eSMS's CodeResult table: 100 accepted; 99 number blocked, 108 number malformed.
ESMS_OK = ("100",)
ESMS_INVALID_NUMBER = ("99", "108")
# SendStatus of a delivery report: 5 processed (the counts say how), 4 refused.
STATUS_DONE, STATUS_REFUSED = "5", "4"
# eSMS writes an MO's time in Vietnam's local time, as yyyyMMddHHmmss.
MO_TIME_FORMAT = "%Y%m%d%H%M%S"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# The query parameter of the CallbackUrl that proves a report is ours (eSMS signs none).
CALLBACK_TOKEN = "token"


@dataclass(frozen=True)
class BrandnameSettings:
    """How to reach the aggregator, and its names for everything (eSMS's by default)."""

    api_key: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    brandname: str = ""
    url: str = ESMS_SEND_URL
    sms_type: str = "2"
    # Where the aggregator sends delivery reports; `callback_token` is added to it.
    callback_url: str = ""
    callback_token: str = field(default="", repr=False)
    sandbox: bool = False
    # How the provider wants numbers: "national" (0912345678), "international" (84...) or
    # "e164" (+84...).
    phone_format: str = "national"
    fields: Mapping[str, str] = field(default_factory=dict)
    ok_codes: tuple[str, ...] = ESMS_OK
    invalid_number_codes: tuple[str, ...] = ESMS_INVALID_NUMBER
    rate_limit_codes: tuple[str, ...] = ()
    # The pause asked of the sender after a 429 without Retry-After (or a rate-limit code).
    rate_limit_seconds: float = 5.0
    timeout_seconds: float = 10.0
    # Replies through the short code: eSMS's CP id and private key sign each MO.
    mo_cpid: str = ""
    mo_private_key: str = field(default="", repr=False)

    def name(self, ours: str) -> str:
        """The provider's name for one of cachly's fields."""
        return self.fields.get(ours) or ESMS_FIELDS[ours]


@dataclass(frozen=True)
class AndroidSettings:
    """The app's API (cloud by default), its credentials and the webhooks' signing key."""

    login: str = ""
    password: str = field(default="", repr=False)
    base_url: str = ANDROID_CLOUD_URL
    signing_key: str = field(default="", repr=False)
    # A webhook older (or newer) than this is refused: a replayed one changes nothing.
    webhook_tolerance_seconds: int = 300
    # The SIM to send from on a dual-SIM phone (None: the app's choice).
    sim_number: int | None = None
    # An SMS still queued on the phone after this long is dropped by the app.
    ttl_seconds: int | None = 3600
    # Priority ≥ 100 bypasses the app's own limits and delays (SOS replies need no queue).
    priority: int = 0
    rate_limit_seconds: float = 5.0
    timeout_seconds: float = 10.0
