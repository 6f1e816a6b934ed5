"""One-time codes for deep links: random, URL-safe, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

# 24 random bytes are 192 bits, 32 URL-safe characters: well above the 128 bits asked for
# and, with a two-character prefix, well inside Telegram's 64-character start parameter.
CODE_BYTES = 24
START_PARAMETER_LIMIT = 64


def new_code(prefix: str) -> str:
    """Make a fresh one-time code whose prefix says what it opens."""
    code = f"{prefix}{secrets.token_urlsafe(CODE_BYTES)}"
    if len(code) > START_PARAMETER_LIMIT:
        raise ValueError("prefix too long for Telegram's start parameter")
    return code


def hash_code(code: str) -> str:
    """Hash a code for storage; the codes are random enough that a plain SHA-256 suffices."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    """The t.me link that opens the bot with a start parameter."""
    return f"https://t.me/{bot_username}?start={code}"


def zalo_follow_link(oa_id: str, code: str) -> str:
    """The zalo.me link of the Official Account, carrying the code as its ref.

    Whether Zalo hands the ref to the follow event could not be checked without the real
    service; the person may also send the code in the chat (cachly/zalo.py reads it).
    """
    return f"https://zalo.me/{oa_id}?ref={code}"
