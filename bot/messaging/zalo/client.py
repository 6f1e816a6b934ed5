"""A small typed client for the Zalo calls cachly makes: CS messages, ZNS, the token refresh.

Zalo answers HTTP 200 with `{"error": <code>, "message": ...}`: 0 is success, a negative
code says what went wrong (`ZaloError`). A request that never reached Zalo, or whose
answer was lost, is a `ZaloNetworkError` that says which (`sent`), because a message whose
answer was lost may have been delivered. The base URLs are configurable (`ZaloUrls`), so
tests talk to the stand-in. What each call takes is in README.md beside this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from bot.messaging.zalo import wire


@dataclass(frozen=True, slots=True)
class ZaloUrls:
    """Where the OA API, OAuth and ZNS live (Zalo's own by default)."""

    openapi: str = wire.OPENAPI_URL
    oauth: str = wire.OAUTH_URL
    business: str = wire.BUSINESS_URL

    @classmethod
    def all_at(cls, base: str) -> ZaloUrls:
        """Every API at one address (the stand-in serves them all)."""
        return cls(openapi=base, oauth=base, business=base)


class ZaloError(Exception):
    """Zalo answered with an error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.message = message


class ZaloNetworkError(Exception):
    """No usable answer: `sent` if the request may have reached Zalo (its fate is unknown)."""

    def __init__(self, description: str, *, sent: bool) -> None:
        super().__init__(description)
        self.sent = sent


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A refresh's answer: the new access token, the next refresh token, seconds left."""

    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class ZnsReceipt:
    """A ZNS message Zalo accepted: its id and the OA's quota left today (if told)."""

    msg_id: str
    remaining_quota: int | None


class ZaloClient:
    """Zalo's HTTP APIs over one pooled httpx client."""

    def __init__(
        self,
        urls: ZaloUrls | None = None,
        *,
        timeout: float = 10.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.urls = urls or ZaloUrls()
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def send_cs(self, access_token: str, user_id: str, message: dict[str, Any]) -> str:
        """Send a customer-service message to a follower; its Zalo message id."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        data = await self._call(
            self.urls.openapi + wire.CS_PATH, {"access_token": access_token}, json_body=body
        )
        return str(data.get("message_id", ""))

    async def send_zns(
        self,
        access_token: str,
        *,
        phone: str,
        template_id: str,
        template_data: dict[str, str],
        tracking_id: str,
    ) -> ZnsReceipt:
        """Send a ZNS template message to a phone number (84…, no plus)."""
        body = {
            "phone": phone,
            "template_id": template_id,
            "template_data": template_data,
            "tracking_id": tracking_id,
        }
        data = await self._call(
            self.urls.business + wire.ZNS_PATH, {"access_token": access_token}, json_body=body
        )
        quota = data.get("quota") if isinstance(data.get("quota"), dict) else {}
        remaining = _int_or_none(quota.get("remainingQuota")) if quota else None
        return ZnsReceipt(str(data.get("msg_id", "")), remaining)

    async def refresh(self, app_id: str, app_secret: str, refresh_token: str) -> TokenGrant:
        """Spend a refresh token for a new access token (and the next refresh token)."""
        form = {"app_id": app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
        answer = await self._post(
            self.urls.oauth + wire.TOKEN_PATH, {"secret_key": app_secret}, form=form
        )
        code = _int_or_none(answer.get("error")) or 0
        if code != wire.OK or "access_token" not in answer:
            text = answer.get("error_description") or answer.get("error_name") or "no token"
            raise ZaloError(code or wire.REFRESH_TOKEN_INVALID, str(text))
        expires_in = _int_or_none(answer.get("expires_in"))
        return TokenGrant(
            str(answer["access_token"]), str(answer.get("refresh_token", "")), expires_in or 0
        )

    async def _call(
        self, url: str, headers: dict[str, str], *, json_body: dict[str, Any]
    ) -> dict[str, Any]:
        """An OA or ZNS call: its `data`, or ZaloError for a non-zero `error`."""
        answer = await self._post(url, headers, json_body=json_body)
        code = _int_or_none(answer.get("error"))
        if code is None:
            raise ZaloError(wire.ZNS_UNKNOWN, "an answer without an error code")
        if code != wire.OK:
            raise ZaloError(code, str(answer.get("message", "")))
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    async def _post(
        self,
        url: str,
        headers: dict[str, str],
        *,
        json_body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        try:
            if json_body is not None:
                content = json.dumps(json_body, ensure_ascii=False).encode()
                headers = {**headers, "Content-Type": "application/json"}
                response = await self._http.post(url, headers=headers, content=content)
            else:
                response = await self._http.post(url, headers=headers, data=form)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise ZaloNetworkError(f"not sent: {type(error).__name__}", sent=False) from error
        except httpx.HTTPError as error:
            # Timed out or cut after the request went out: Zalo may have acted on it.
            raise ZaloNetworkError(f"no answer: {type(error).__name__}", sent=True) from error
        if response.status_code >= 500:
            raise ZaloNetworkError(f"HTTP {response.status_code}", sent=False)
        try:
            answer = response.json()
        except ValueError as error:
            raise ZaloError(wire.ZNS_UNKNOWN, f"HTTP {response.status_code}, not JSON") from error
        if not isinstance(answer, dict):
            raise ZaloError(wire.ZNS_UNKNOWN, f"HTTP {response.status_code}, not an object")
        return answer


def _int_or_none(value: object) -> int | None:
    """Zalo writes some numbers as strings ("90000")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None
