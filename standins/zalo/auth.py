"""The OA's tokens as Zalo issues them: single-use refresh tokens and expiring access tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from standins.zalo import wire
from standins.zalo.wire import JSON


class TokenAuthority:
    """OAuth v4 for one app: each refresh spends its token and answers the next one."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        refresh_token: str,
        now: Callable[[], datetime],
        *,
        lifetime: timedelta = timedelta(seconds=wire.ACCESS_TOKEN_SECONDS),
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.refresh_token = refresh_token  # the one valid refresh token
        self.spent: set[str] = set()
        self.lifetime = lifetime
        self._now = now
        self._access: dict[str, datetime] = {}  # access token -> expiry
        self.refreshes = 0

    def issue_access_token(self) -> str:
        """A valid access token, as if the operator had just authorised the app."""
        token = "at-" + secrets.token_urlsafe(12)
        self._access[token] = self._now() + self.lifetime
        return token

    def revoke_access_tokens(self) -> None:
        """Zalo revoked every access token early (the next call answers -216)."""
        self._access.clear()

    def refresh(self, secret_key: str, form: dict[str, str]) -> JSON:
        """The answer to POST /v4/oa/access_token."""
        if form.get("app_id") != self.app_id or secret_key != self.app_secret:
            return {"error": wire.APP_INVALID, "error_name": "Invalid app id or secret key"}
        if form.get("grant_type") != "refresh_token":
            return {"error": wire.PARAMETER_INVALID, "error_name": "Unsupported grant type"}
        given = form.get("refresh_token", "")
        if not given or given != self.refresh_token:
            reason = "spent" if given in self.spent else "unknown"
            return {
                "error": wire.REFRESH_TOKEN_INVALID,
                "error_name": "Invalid refresh token",
                "error_description": f"the refresh token is {reason}",
            }
        self.spent.add(given)
        self.refresh_token = "rt-" + secrets.token_urlsafe(16)
        self.refreshes += 1
        return {
            "access_token": self.issue_access_token(),
            "refresh_token": self.refresh_token,
            "expires_in": str(int(self.lifetime.total_seconds())),
        }

    def refusal(self, access_token: str | None, *, zns: bool = False) -> JSON | None:
        """The error answer for a call with this access token, or None if it is valid."""
        expiry = self._access.get(access_token or "")
        if expiry is None:
            code = wire.ZNS_TOKEN_INVALID if zns else wire.TOKEN_INVALID
            return wire.error(code, "Access token invalid")
        if self._now() >= expiry:
            code = wire.ZNS_TOKEN_INVALID if zns else wire.TOKEN_EXPIRED
            return wire.error(code, "Access token is expired or removed")
        return None
