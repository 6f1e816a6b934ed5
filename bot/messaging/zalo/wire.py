"""Zalo's addresses, limits and error codes, as this channel uses them (see README.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

# Base URLs; each is configurable so tests point the client at the stand-in.
OPENAPI_URL: Final = "https://openapi.zalo.me"  # OA API v3.0
OAUTH_URL: Final = "https://oauth.zaloapp.com"  # OAuth v4 (the OA access token)
BUSINESS_URL: Final = "https://business.openapi.zalo.me"  # ZNS

CS_PATH: Final = "/v3.0/oa/message/cs"
TOKEN_PATH: Final = "/v4/oa/access_token"
ZNS_PATH: Final = "/message/template"

# The webhook's signature header: "mac=" + sha256(app_id + body + timestamp + OA secret).
SIGNATURE_HEADER: Final = "X-ZEvent-Signature"
MAC_PREFIX: Final = "mac="

# A customer-service message.
TEXT_LIMIT: Final = 2000
MAX_BUTTONS: Final = 5
BUTTON_TITLE_LIMIT: Final = 100
PAYLOAD_LIMIT: Final = 1000
# A press sends the payload as the user's (hidden, or shown) message.
QUERY_HIDE: Final = "oa.query.hide"
QUERY_SHOW: Final = "oa.query.show"
OPEN_URL: Final = "oa.open.url"
# A choice's payload: its action after this prefix, so a press is told from typed text.
ACTION_PREFIX: Final = "#a:"

# The free interaction window: 8 messages within 48 hours of the person's last message.
WINDOW: Final = timedelta(hours=48)
WINDOW_MESSAGES: Final = 8

# Error codes (the `error` field of an answer; 0 is success).
OK: Final = 0
RATE_LIMITED: Final = -32
PARAMETER_INVALID: Final = -201
PARAMETER_TOO_LONG: Final = -210
OUT_OF_QUOTA: Final = -211
NOT_FOLLOWER: Final = -213
TOKEN_INVALID: Final = -216
TOKEN_EXPIRED: Final = -220
NO_INTERACTION_7_DAYS: Final = -230
INTERACTION_EXPIRED: Final = -232
# ZNS.
ZNS_UNKNOWN: Final = -100
ZNS_PHONE_INVALID: Final = -108
ZNS_TEMPLATE_INVALID: Final = -109
ZNS_DATA_INVALID: Final = -112
ZNS_NO_ZALO_ACCOUNT: Final = -118
ZNS_TOKEN_INVALID: Final = -124
ZNS_TEMPLATE_NOT_APPROVED: Final = -131
ZNS_PAYMENT_FAILED: Final = -137
# OAuth v4.
REFRESH_TOKEN_INVALID: Final = -14014
REFRESH_TOKEN_EXPIRED: Final = -14020

TOKEN_ERRORS: Final = frozenset({TOKEN_INVALID, TOKEN_EXPIRED, ZNS_TOKEN_INVALID})
# The person cannot be reached by a free message now (never followed, or the window closed).
WINDOW_CLOSED: Final = frozenset({NOT_FOLLOWER, NO_INTERACTION_7_DAYS, INTERACTION_EXPIRED})
# The OA may send nothing for a while (its request rate, or its API quota).
SLOW_DOWN: Final = frozenset({RATE_LIMITED, OUT_OF_QUOTA})
