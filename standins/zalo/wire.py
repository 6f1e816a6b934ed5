"""Zalo's wire format as the stand-in answers it: paths, limits, error codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

JSON = dict[str, Any]

CS_PATH: Final = "/v3.0/oa/message/cs"
TOKEN_PATH: Final = "/v4/oa/access_token"
ZNS_PATH: Final = "/message/template"
SIGNATURE_HEADER: Final = "X-ZEvent-Signature"

TEXT_LIMIT: Final = 2000
MAX_BUTTONS: Final = 5
BUTTON_TITLE_LIMIT: Final = 100
PAYLOAD_LIMIT: Final = 1000
BUTTON_TYPES: Final = frozenset(
    {"oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.phone", "oa.open.sms"}
)

WINDOW: Final = timedelta(hours=48)
WINDOW_MESSAGES: Final = 8
ACCESS_TOKEN_SECONDS: Final = 90000  # 25 hours, as Zalo answers it

RATE_LIMITED: Final = -32
PARAMETER_INVALID: Final = -201
PARAMETER_TOO_LONG: Final = -210
NOT_FOLLOWER: Final = -213
TOKEN_INVALID: Final = -216
TOKEN_EXPIRED: Final = -220
INTERACTION_EXPIRED: Final = -232
ZNS_PHONE_INVALID: Final = -108
ZNS_TEMPLATE_INVALID: Final = -109
ZNS_DATA_INVALID: Final = -112
ZNS_NO_ZALO_ACCOUNT: Final = -118
ZNS_TOKEN_INVALID: Final = -124
REFRESH_TOKEN_INVALID: Final = -14014
# The stand-in's own choice for a wrong app id or secret (Zalo's code was not found).
APP_INVALID: Final = -14003


def error(code: int, message: str) -> JSON:
    """An error answer, as Zalo gives it (HTTP 200)."""
    return {"error": code, "message": message}


def success(data: JSON) -> JSON:
    """A successful answer."""
    return {"error": 0, "message": "Success", "data": data}
